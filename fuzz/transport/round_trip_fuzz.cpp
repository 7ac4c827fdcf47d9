// Encoder/decoder agreement: the input is split into payloads that a client encodes (every
// configuration) and the auto-detecting server must decode to exactly those payloads.
#include <algorithm>
#include <vector>

#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mtproto::transport;
  if (size < 2) return 0;
  const std::uint8_t mode = data[0];
  client_options options;
  options.framing = static_cast<protocol>(mode % 4);
  options.obfuscated = (mode & 0x10) != 0 && options.framing != protocol::full;
  options.dc_id = static_cast<std::int16_t>(static_cast<std::int8_t>(data[1]));
  auto client = stream_codec::client(options, mtproto::fuzz::counter_random());
  auto server = stream_codec::server({}, mtproto::fuzz::counter_random());

  std::vector<std::vector<std::uint8_t>> payloads;
  std::vector<std::uint8_t> stream(client.preamble().begin(), client.preamble().end());
  std::size_t at = 2;
  while (at < size) {
    const std::size_t words = 1 + data[at] % 64;
    std::vector<std::uint8_t> payload(words * 4);
    for (std::size_t i = 0; i < payload.size(); ++i) payload[i] = data[(at + i) % size];
    const auto wire = client.encode(payload, {.quick_ack = (data[at] & 0x80) != 0 && options.framing != protocol::full});
    stream.insert(stream.end(), wire.begin(), wire.end());
    payloads.push_back(std::move(payload));
    at += 1 + words;
  }
  std::size_t received = 0;
  std::size_t pos = 0;
  std::uint32_t state = mode | 1u;
  while (pos < stream.size()) {
    state = state * 1103515245u + 12345u;
    const std::size_t piece = std::min<std::size_t>(stream.size() - pos, 1 + (state >> 16) % 300);
    server.feed({stream.data() + pos, piece});
    pos += piece;
    while (auto ev = server.next()) {
      const auto* f = std::get_if<frame_received>(&*ev);
      if (!f || received >= payloads.size()) std::abort();
      const auto& want = payloads[received++];
      const bool padded = options.framing == protocol::padded_intermediate;
      if (f->payload.size() < want.size() || (!padded && f->payload.size() != want.size()) ||
          !std::equal(want.begin(), want.end(), f->payload.begin())) {
        std::abort();
      }
    }
    if (server.error()) std::abort();
  }
  if (received != payloads.size()) std::abort();
  // Detection needs bytes: the full transport has no preamble, so an empty stream says nothing.
  if (!stream.empty() && (!server.info() || server.info()->framing != client.info()->framing)) std::abort();
  return 0;
}
