/// \file
/// Abridged framing.
#pragma once

#include "mtproto/core/export.h"
#include "mtproto/transport/framing_codec.h"

namespace mtproto::transport {

/// Abridged framing: the client opens with 0xef; each packet is preceded by its length in 4-byte
/// words, one byte when below 127, else 0x7f and three little-endian bytes. The client sets the
/// length byte's top bit to request a quick ack; the server sends quick-ack tokens big-endian, so
/// their first byte has the top bit set and cannot be confused with a length.
class MTPROTO_CORE_EXPORT abridged_codec final : public framing_codec {
 public:
  /// Packets of up to this many words use the one-byte length.
  static constexpr std::size_t max_short_words = 126;
  static constexpr std::size_t short_header_size = 1;  ///< The one-byte length.
  static constexpr std::size_t long_header_size = 4;   ///< 0x7f and a 3-byte length.

  /// A codec for the `side` end of an abridged connection.
  explicit abridged_codec(transport::role side, framing_options options = {}) noexcept
      : framing_codec(side, options) {}

  transport::protocol protocol() const noexcept override { return protocol::abridged; }
  std::span<const std::uint8_t> marker() const noexcept override;
  std::uint32_t obfuscation_tag() const noexcept override { return wire::abridged_tag; }
  std::size_t header_size(std::size_t payload_size) const noexcept override;
  std::size_t max_header_size() const noexcept override { return long_header_size; }
  std::size_t max_trailer_size() const noexcept override { return 0; }
  bool has_quick_ack() const noexcept override { return true; }
  parse_result parse(std::span<std::uint8_t> input) override;

 protected:
  std::size_t write_frame(std::uint8_t* header, std::size_t payload_size, bool quick_ack) override;
  void write_quick_ack_token(std::uint32_t token, std::uint8_t* out) const override;
  std::size_t max_encodable_size() const noexcept override;
};

}  // namespace mtproto::transport
