#include "mtproto/transport/intermediate_codec.h"

#include "byte_order.h"
#include "mtproto/transport/error.h"
#include "mtproto/transport/padded_intermediate_codec.h"

namespace mtproto::transport {

namespace {
constexpr std::size_t word_size = 4;
constexpr std::uint8_t marker_bytes[] = {0xee, 0xee, 0xee, 0xee};
}  // namespace

std::span<const std::uint8_t> intermediate_codec::marker() const noexcept { return marker_bytes; }

std::size_t intermediate_codec::max_encodable_size() const noexcept {
  return (wire::quick_ack_bit - 1) - max_trailer_size();
}

std::size_t intermediate_codec::write_frame(std::uint8_t* header, std::size_t payload_size, bool quick_ack) {
  auto length = static_cast<std::uint32_t>(payload_size);
  if (quick_ack) length |= wire::quick_ack_bit;
  detail::store_le32(header, length);
  return 0;
}

void intermediate_codec::write_quick_ack_token(std::uint32_t token, std::uint8_t* out) const {
  detail::store_le32(out, token);
}

parse_result intermediate_codec::parse(std::span<std::uint8_t> input) {
  if (input.size() < length_size) return parse_result::need(length_size);
  const std::uint32_t value = detail::load_le32(input.data());
  const bool flagged = (value & wire::quick_ack_bit) != 0;
  if (role() == role::client && flagged) {
    // Server-to-client lengths never carry the flag: this is a quick-ack token.
    return parse_result::ok(quick_ack_received{value}, length_size);
  }
  const std::size_t length = value & ~wire::quick_ack_bit;
  const bool is_padded = padded();
  if (length == 0 || (is_padded ? length < word_size : length % word_size != 0)) {
    return parse_result::fail(transport_errc::invalid_length);
  }
  const std::size_t limit = options().max_frame_size + (is_padded ? padded_intermediate_codec::max_padding : 0);
  if (length > limit) return parse_result::fail(transport_errc::frame_too_large);
  if (input.size() - length_size < length) return parse_result::need(length_size + length);
  const std::size_t error_frame_max = is_padded ? padded_intermediate_codec::min_packet_size - 1 : word_size;
  return parse_result::ok(frame_event(input.subspan(length_size, length), flagged, error_frame_max),
                          length_size + length);
}

}  // namespace mtproto::transport
