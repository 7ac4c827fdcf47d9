// The server-side decoder: transport detection, then whichever framing (and obfuscation) the bytes
// select. Byte 0 picks the piece sizes and whether the endpoint has an MTProxy secret.
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mtproto::transport;
  if (size == 0) return 0;
  constexpr std::size_t max_frame = 64 * 1024;
  server_options options;
  options.max_frame_size = max_frame;
  if (data[0] & 0x80) {
    proxy_secret secret;
    secret.key.fill(0x42);
    options.secret = secret;
  }
  auto codec = stream_codec::server(options, mtproto::fuzz::counter_random());
  mtproto::fuzz::feed_in_pieces(codec, {data + 1, size - 1}, data[0], max_frame);
  return 0;
}
