#include "mtproto/transport/abridged_codec.h"

#include "byte_order.h"
#include "mtproto/transport/error.h"

namespace mtproto::transport {

namespace {
constexpr std::size_t word_size = 4;
constexpr std::uint8_t long_length_marker = 0x7f;
constexpr std::uint8_t quick_ack_flag = 0x80;
constexpr std::uint32_t max_long_words = 0xffffff;  // three length bytes
constexpr std::size_t quick_ack_token_size = 4;
constexpr std::uint8_t marker_bytes[] = {wire::abridged_marker};
}  // namespace

std::span<const std::uint8_t> abridged_codec::marker() const noexcept { return marker_bytes; }

std::size_t abridged_codec::header_size(std::size_t payload_size) const noexcept {
  return payload_size / word_size <= max_short_words ? short_header_size : long_header_size;
}

std::size_t abridged_codec::max_encodable_size() const noexcept { return std::size_t{max_long_words} * word_size; }

std::size_t abridged_codec::write_frame(std::uint8_t* header, std::size_t payload_size, bool quick_ack) {
  const auto words = static_cast<std::uint32_t>(payload_size / word_size);
  const std::uint8_t flag = quick_ack ? quick_ack_flag : 0;
  if (words <= max_short_words) {
    header[0] = static_cast<std::uint8_t>(words | flag);
  } else {
    header[0] = long_length_marker | flag;
    detail::store_le24(header + 1, words);
  }
  return 0;
}

void abridged_codec::write_quick_ack_token(std::uint32_t token, std::uint8_t* out) const {
  detail::store_be32(out, token);
}

parse_result abridged_codec::parse(std::span<std::uint8_t> input) {
  if (input.empty()) return parse_result::need(short_header_size);
  const std::uint8_t first = input[0];
  const bool flagged = (first & quick_ack_flag) != 0;

  if (role() == role::client && flagged) {
    // Server-to-client lengths never carry the flag: this is a big-endian quick-ack token.
    if (input.size() < quick_ack_token_size) return parse_result::need(quick_ack_token_size);
    return parse_result::ok(quick_ack_received{detail::load_be32(input.data())}, quick_ack_token_size);
  }

  std::size_t header = short_header_size;
  std::size_t words = first & ~quick_ack_flag;
  if (words == long_length_marker) {
    if (input.size() < long_header_size) return parse_result::need(long_header_size);
    header = long_header_size;
    words = detail::load_le24(input.data() + 1);
  }
  const std::size_t length = words * word_size;
  if (length == 0) return parse_result::fail(transport_errc::invalid_length);
  if (length > options().max_frame_size) return parse_result::fail(transport_errc::frame_too_large);
  if (input.size() - header < length) return parse_result::need(header + length);
  return parse_result::ok(frame_event(input.subspan(header, length), flagged), header + length);
}

}  // namespace mtproto::transport
