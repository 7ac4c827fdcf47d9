/// \file
/// Obfuscated2, the cipher layer of obfuscated and MTProxy connections.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <system_error>

#include "mtproto/core/export.h"
#include "mtproto/crypto/aes_ctr.h"
#include "mtproto/transport/obfuscated_init.h"
#include "mtproto/transport/protocol.h"

namespace mtproto::transport {

/// Obfuscated2: a 64-byte init, then AES-256-CTR over everything in both directions, so the stream
/// looks random to a middlebox. The init carries the encrypt key and iv (bytes 8..56; the same bytes
/// reversed key the other direction), the inner framing's protocol tag (56..60) and the DC id
/// (60..62); its last 8 bytes travel encrypted. With an MTProxy secret each key becomes
/// SHA256(key ‖ secret). This class is the cipher layer only; stream_codec puts a framing inside.
/// Movable, not copyable.
class MTPROTO_CORE_EXPORT obfuscated_codec {
 public:
  /// Attempts at drawing a permitted init before concluding the random source is broken. A working
  /// source is refused with probability about 1/256 per draw.
  static constexpr int max_init_attempts = 64;

  /// Client: draws 64 bytes from `random`, drawing again (whole init) while they are forbidden
  /// (see is_forbidden_obfuscated_init). Throws std::system_error(random_source_failed) after
  /// max_init_attempts refusals. `secret` is empty or the 16-byte MTProxy key.
  static obfuscated_codec client(std::uint32_t protocol_tag, std::int16_t dc_id,
                                 std::span<const std::uint8_t> secret, const random_source& random);
  /// Client with exactly these init bytes (replayable tests). Throws std::system_error
  /// (invalid_argument) if they are forbidden.
  static obfuscated_codec client_with_init(std::span<const std::uint8_t, obfuscated_init_size> random_init,
                                           std::uint32_t protocol_tag, std::int16_t dc_id,
                                           std::span<const std::uint8_t> secret);
  /// Server: accepts a client's init as received. Fails with bad_obfuscation_tag when it decrypts to
  /// no known protocol tag (garbage, or a client using another secret).
  static std::optional<obfuscated_codec> server(std::span<const std::uint8_t, obfuscated_init_size> received,
                                                std::span<const std::uint8_t> secret, std::error_code& ec);

  /// Client: the 64 bytes to send before anything else. Empty on the server.
  std::span<const std::uint8_t> preamble() const noexcept;
  /// The inner framing's tag (see wire::abridged_tag and the others).
  std::uint32_t protocol_tag() const noexcept { return protocol_tag_; }
  /// The DC id the init names (negative for media DCs; 0 when none).
  std::int16_t dc_id() const noexcept { return dc_id_; }

  /// Outgoing bytes, in place, in sending order.
  void encrypt(std::span<std::uint8_t> data) noexcept { encryptor_.apply(data); }
  /// Incoming bytes, in place, in receiving order.
  void decrypt(std::span<std::uint8_t> data) noexcept { decryptor_.apply(data); }

 private:
  obfuscated_codec(crypto::aes256_ctr encryptor, crypto::aes256_ctr decryptor) noexcept
      : encryptor_(std::move(encryptor)), decryptor_(std::move(decryptor)) {}

  crypto::aes256_ctr encryptor_;
  crypto::aes256_ctr decryptor_;
  obfuscated_init preamble_{};
  bool has_preamble_ = false;
  std::uint32_t protocol_tag_ = 0;
  std::int16_t dc_id_ = 0;
};

}  // namespace mtproto::transport
