#include "mtproto/transport/framing_codec.h"

#include <cstring>

#include "byte_order.h"
#include "mtproto/transport/error.h"

namespace mtproto::transport {

namespace {
constexpr std::size_t word_size = 4;
}

std::span<std::uint8_t> framing_codec::seal(std::span<std::uint8_t> buffer, std::size_t payload_offset,
                                            std::size_t payload_size, send_options flags) {
  if (payload_size % word_size != 0) throw std::system_error(transport_errc::payload_not_aligned);
  if (payload_size > options_.max_frame_size || payload_size > max_encodable_size()) {
    throw std::system_error(transport_errc::frame_too_large);
  }
  if (flags.quick_ack && (role_ != role::client || !has_quick_ack())) {
    throw std::system_error(transport_errc::quick_ack_unsupported);
  }
  const std::size_t header = header_size(payload_size);
  if (payload_offset < header || payload_offset > buffer.size() ||
      buffer.size() - payload_offset < payload_size ||
      buffer.size() - payload_offset - payload_size < max_trailer_size()) {
    throw std::system_error(transport_errc::insufficient_room);
  }
  const std::size_t start = payload_offset - header;
  const std::size_t trailer = write_frame(buffer.data() + start, payload_size, flags.quick_ack);
  return buffer.subspan(start, header + payload_size + trailer);
}

void framing_codec::write_quick_ack(std::uint32_t token, std::span<std::uint8_t, 4> out) const {
  if (role_ != role::server || !has_quick_ack()) throw std::system_error(transport_errc::quick_ack_unsupported);
  write_quick_ack_token(token | wire::quick_ack_bit, out.data());
}

event framing_codec::frame_event(std::span<std::uint8_t> payload, bool quick_ack_requested,
                                 std::size_t error_frame_max) const noexcept {
  if (role_ == role::client && payload.size() >= word_size && payload.size() <= error_frame_max) {
    const auto code = static_cast<std::int32_t>(detail::load_le32(payload.data()));
    if (code < 0) return transport_error_received{code};
  }
  return frame_received{payload, quick_ack_requested};
}

}  // namespace mtproto::transport
