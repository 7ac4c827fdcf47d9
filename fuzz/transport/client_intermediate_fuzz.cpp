// The client-side intermediate decoder fed hostile server bytes (byte 0 picks the piece sizes).
#include "fuzz_input.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mtproto::transport;
  if (size == 0) return 0;
  constexpr std::size_t max_frame = 64 * 1024;
  client_options options;
  options.framing = protocol::intermediate;
  options.max_frame_size = max_frame;
  auto codec = stream_codec::client(options, mtproto::fuzz::counter_random());
  mtproto::fuzz::feed_in_pieces(codec, {data + 1, size - 1}, data[0], max_frame);
  return 0;
}
