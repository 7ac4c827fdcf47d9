// Encrypted-message decoding on both session roles. Mode 0 feeds the raw input as a packet (outer
// checks); modes 1 and 2 seal the input as a correctly encrypted body first, so the fuzzer reaches
// containers, rpc_result, gzip_packed and every service message of the client (1) and server (2).
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "mtproto/session/client_session.h"
#include "mtproto/session/server_session.h"
#include "session_fuzz_setup.h"

using namespace mtproto;
using namespace mtproto::session;

namespace {

using fuzz::session_setup::counter_random;
using fuzz::session_setup::initial_salt;
using fuzz::session_setup::key;
using fuzz::session_setup::session_id;
const clock::time_point now = fuzz::session_setup::start;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const int mode = data[0] % 3;
  std::span<const std::uint8_t> input(data + 1, size - 1);

  if (mode == 0) {
    std::vector<std::uint8_t> packet(input.begin(), input.end());
    client_session client(key(), session_id, initial_salt, counter_random);
    std::vector<event> events;
    client.feed(packet, now, events);
    server_session server(key(), initial_salt, counter_random);
    std::vector<server_event> server_events;
    std::vector<std::uint8_t> again(input.begin(), input.end());
    server.feed(again, now, server_events);
    return 0;
  }

  const std::size_t body_size = input.size() & ~std::size_t{3};
  std::vector<std::uint8_t> buf(packet_prefix);
  buf.insert(buf.end(), input.begin(), input.begin() + static_cast<std::ptrdiff_t>(body_size));
  msg_id_generator ids;
  if (mode == 1) {
    const packet_header h{initial_salt, session_id, ids.next(now, msg_kind::server_event), 1};
    auto packet = seal_packet(buf, 0, key(), mtproto::crypto::direction::server_to_client, h, counter_random);
    client_session client(key(), session_id, initial_salt, counter_random);
    client.push(std::vector<std::uint8_t>{1, 2, 3, 4});
    (void)client.finalize(now);
    std::vector<event> events;
    client.feed(packet, now, events);
    (void)client.finalize(now);
  } else {
    const packet_header h{initial_salt, session_id, ids.next(now), 1};
    auto packet = seal_packet(buf, 0, key(), mtproto::crypto::direction::client_to_server, h, counter_random);
    server_session server(key(), initial_salt, counter_random);
    std::vector<server_event> events;
    server.feed(packet, now, events);
    (void)server.finalize(now);
  }
  return 0;
}
