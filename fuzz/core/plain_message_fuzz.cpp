// session::read_plain_message, the unencrypted framing of the handshake. Mode 0 feeds the input as
// the packet; mode 1 writes it as a plain message (write_plain_message) with a fuzzer-chosen
// auth_key_id, length field and 0..15 bytes of transport padding, so the checks see near-valid
// packets. Must hold: an accepted packet has a body of whole words (at least one) starting right
// after the 20-byte header, with at most 15 bytes after it, and write_plain_message(msg_id, body)
// reproduces the packet up to that padding; a refused one gets a session_errc and nothing else. A
// packet written without tampering is accepted with the same msg_id and body.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "fuzz_data.h"
#include "mtproto/session/error.h"
#include "mtproto/session/plain_message.h"

using namespace mtproto::session;

namespace {

constexpr std::size_t max_input = 8 * 1024;

void check(std::span<const std::uint8_t> packet, bool must_accept, std::int64_t want_msg_id,
           std::span<const std::uint8_t> want_body) {
  plain_message m;
  const std::error_code ec = read_plain_message(packet, m);
  if (ec) {
    if (ec.category() != session_category() || must_accept) std::abort();
    return;
  }
  if (m.body.size() < 4 || m.body.size() % 4 != 0) std::abort();
  if (m.body.data() != packet.data() + plain_header_size) std::abort();
  if (packet.size() - plain_header_size - m.body.size() > 15) std::abort();
  std::vector<std::uint8_t> again;
  write_plain_message(again, m.msg_id, m.body);
  if (again.size() > packet.size() || !std::equal(again.begin(), again.end(), packet.begin())) std::abort();
  if (must_accept && (m.msg_id != want_msg_id || !std::equal(m.body.begin(), m.body.end(), want_body.begin(),
                                                             want_body.end())))
    std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > max_input) return 0;
  mtproto::fuzz::fuzz_data in(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    const auto packet = in.rest();
    check(packet, false, 0, {});
    return 0;
  }
  const std::uint8_t how = in.byte();
  const auto msg_id = in.integral<std::int64_t>();
  const std::int32_t length_override = in.integral<std::int32_t>();
  const auto key_id = in.integral<std::int64_t>();
  const std::size_t padding = in.byte() % 16;
  auto body = in.rest();
  body = body.first(body.size() & ~std::size_t{3});

  std::vector<std::uint8_t> packet;
  write_plain_message(packet, msg_id, body);
  const bool tamper_length = how & 1;
  const bool tamper_key = (how & 2) && key_id != 0;
  if (tamper_length) std::memcpy(packet.data() + 16, &length_override, 4);
  if (tamper_key) std::memcpy(packet.data(), &key_id, 8);
  for (std::size_t i = 0; i < padding; ++i) packet.push_back(static_cast<std::uint8_t>(i * 37));
  check(packet, !tamper_length && !tamper_key && !body.empty(), msg_id, body);
  return 0;
}
