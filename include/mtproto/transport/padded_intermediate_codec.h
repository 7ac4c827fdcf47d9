/// \file
/// Padded intermediate framing.
#pragma once

#include "mtproto/core/export.h"
#include "mtproto/transport/intermediate_codec.h"

namespace mtproto::transport {

/// Padded intermediate framing: intermediate with 0..15 random bytes appended to every packet and
/// counted in its length, so packet sizes do not reveal MTProto's 16-byte block structure. The
/// client opens with 0xdddddddd; MTProxy `dd` secrets require it. Received frames keep the padding
/// (it cannot be told apart from the packet here); the MTProto layer knows its message length.
class MTPROTO_CORE_EXPORT padded_intermediate_codec final : public intermediate_codec {
 public:
  /// Most random bytes appended to one frame.
  static constexpr std::size_t max_padding = 15;
  /// The shortest real MTProto packet (an unencrypted message: auth_key_id, msg_id, length).
  /// Anything shorter that holds a negative int32 is a transport error plus padding.
  static constexpr std::size_t min_packet_size = 20;

  /// `random` supplies the padding length and bytes for every sealed frame.
  padded_intermediate_codec(transport::role side, random_source random, framing_options options = {});

  transport::protocol protocol() const noexcept override { return protocol::padded_intermediate; }
  std::span<const std::uint8_t> marker() const noexcept override;
  std::uint32_t obfuscation_tag() const noexcept override { return wire::padded_intermediate_tag; }
  std::size_t max_trailer_size() const noexcept override { return max_padding; }

 protected:
  std::size_t write_frame(std::uint8_t* header, std::size_t payload_size, bool quick_ack) override;
  bool padded() const noexcept override { return true; }

 private:
  random_source random_;
};

}  // namespace mtproto::transport
