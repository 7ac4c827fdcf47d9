#include "mtproto/transport/full_codec.h"

#include <zlib.h>

#include <limits>

#include "byte_order.h"
#include "mtproto/transport/error.h"

namespace mtproto::transport {

namespace {
constexpr std::size_t word_size = 4;

std::uint32_t crc32_of(const std::uint8_t* data, std::size_t size) noexcept {
  return static_cast<std::uint32_t>(crc32_z(crc32_z(0, nullptr, 0), data, size));
}
}  // namespace

std::size_t full_codec::max_encodable_size() const noexcept {
  return std::numeric_limits<std::int32_t>::max() - overhead;
}

std::size_t full_codec::write_frame(std::uint8_t* header, std::size_t payload_size, bool) {
  detail::store_le32(header, static_cast<std::uint32_t>(payload_size + overhead));
  detail::store_le32(header + 4, send_seqno_++);
  const std::size_t covered = header_bytes + payload_size;
  detail::store_le32(header + covered, crc32_of(header, covered));
  return trailer_bytes;
}

parse_result full_codec::parse(std::span<std::uint8_t> input) {
  if (input.size() < word_size) return parse_result::need(word_size);
  const std::size_t length = detail::load_le32(input.data());
  if (length < overhead || length % word_size != 0) return parse_result::fail(transport_errc::invalid_length);
  if (length - overhead > options().max_frame_size) return parse_result::fail(transport_errc::frame_too_large);
  if (input.size() < length) return parse_result::need(length);

  const std::size_t covered = length - trailer_bytes;
  if (crc32_of(input.data(), covered) != detail::load_le32(input.data() + covered)) {
    return parse_result::fail(transport_errc::bad_checksum);
  }
  if (detail::load_le32(input.data() + word_size) != receive_seqno_) {
    return parse_result::fail(transport_errc::bad_seqno);
  }
  ++receive_seqno_;
  return parse_result::ok(frame_event(input.subspan(header_bytes, length - overhead), false), length);
}

}  // namespace mtproto::transport
