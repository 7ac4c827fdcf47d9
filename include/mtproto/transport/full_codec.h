/// \file
/// Full framing.
#pragma once

#include <cstdint>

#include "mtproto/core/export.h"
#include "mtproto/transport/framing_codec.h"

namespace mtproto::transport {

/// Full framing: no opening marker; every packet is length (4 bytes, counting all 12 bytes of
/// framing), a per-direction sequence number starting at 0, the payload, and the CRC32 of everything
/// before it. The receiver checks both, so a dropped, duplicated or corrupted frame is detected. No
/// quick acks.
class MTPROTO_CORE_EXPORT full_codec final : public framing_codec {
 public:
  static constexpr std::size_t header_bytes = 8;   ///< Length, seqno.
  static constexpr std::size_t trailer_bytes = 4;  ///< CRC32.
  static constexpr std::size_t overhead = header_bytes + trailer_bytes;  ///< Framing bytes per packet.

  /// A codec for the `side` end of a full-transport connection; both sequence numbers start at 0.
  explicit full_codec(transport::role side, framing_options options = {}) noexcept : framing_codec(side, options) {}

  transport::protocol protocol() const noexcept override { return protocol::full; }
  std::span<const std::uint8_t> marker() const noexcept override { return {}; }
  std::uint32_t obfuscation_tag() const noexcept override { return 0; }
  std::size_t header_size(std::size_t) const noexcept override { return header_bytes; }
  std::size_t max_header_size() const noexcept override { return header_bytes; }
  std::size_t max_trailer_size() const noexcept override { return trailer_bytes; }
  bool has_quick_ack() const noexcept override { return false; }
  parse_result parse(std::span<std::uint8_t> input) override;

  /// Sequence number the next sealed frame gets.
  std::uint32_t next_send_seqno() const noexcept { return send_seqno_; }
  /// Sequence number the next received frame must carry.
  std::uint32_t next_receive_seqno() const noexcept { return receive_seqno_; }

 protected:
  std::size_t write_frame(std::uint8_t* header, std::size_t payload_size, bool quick_ack) override;
  void write_quick_ack_token(std::uint32_t, std::uint8_t*) const override {}
  std::size_t max_encodable_size() const noexcept override;

 private:
  std::uint32_t send_seqno_ = 0;
  std::uint32_t receive_seqno_ = 0;
};

}  // namespace mtproto::transport
