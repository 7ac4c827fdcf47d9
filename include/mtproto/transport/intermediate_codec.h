/// \file
/// Intermediate framing.
#pragma once

#include "mtproto/core/export.h"
#include "mtproto/transport/framing_codec.h"

namespace mtproto::transport {

/// Intermediate framing: the client opens with 0xeeeeeeee; each packet is preceded by its length as
/// a 4-byte little-endian integer. The client sets the length's top bit to request a quick ack; the
/// server sends a quick-ack token as a bare 4-byte little-endian value with the top bit set.
class MTPROTO_CORE_EXPORT intermediate_codec : public framing_codec {
 public:
  /// The frame header: a 4-byte length.
  static constexpr std::size_t length_size = 4;

  /// A codec for the `side` end of an intermediate connection.
  explicit intermediate_codec(transport::role side, framing_options options = {}) noexcept
      : framing_codec(side, options) {}

  transport::protocol protocol() const noexcept override { return protocol::intermediate; }
  std::span<const std::uint8_t> marker() const noexcept override;
  std::uint32_t obfuscation_tag() const noexcept override { return wire::intermediate_tag; }
  std::size_t header_size(std::size_t) const noexcept override { return length_size; }
  std::size_t max_header_size() const noexcept override { return length_size; }
  std::size_t max_trailer_size() const noexcept override { return 0; }
  bool has_quick_ack() const noexcept override { return true; }
  parse_result parse(std::span<std::uint8_t> input) override;

 protected:
  std::size_t write_frame(std::uint8_t* header, std::size_t payload_size, bool quick_ack) override;
  void write_quick_ack_token(std::uint32_t token, std::uint8_t* out) const override;
  std::size_t max_encodable_size() const noexcept override;

  /// Padded intermediate relaxes the length rules and appends padding; see padded_intermediate_codec.
  virtual bool padded() const noexcept { return false; }
};

}  // namespace mtproto::transport
