/// \file
/// MTProxy secrets as users paste them.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "mtproto/core/export.h"

namespace mtproto::transport {

/// An MTProxy secret: 16 bytes (plain obfuscated2), `dd` + 16 bytes (obfuscated2 with padded
/// intermediate, hiding packet sizes), or `ee` + 16 bytes + domain (fake TLS).
struct MTPROTO_CORE_EXPORT proxy_secret {
  /// Which of the three forms the secret has.
  enum class mode : std::uint8_t {
    obfuscated,  ///< 16 bytes: obfuscated2 over any framing.
    padded,      ///< `dd` prefix: obfuscated2 with padded intermediate.
    fake_tls     ///< `ee` prefix: obfuscated2 inside a fake TLS session to `tls_domain`.
  };

  static constexpr std::size_t key_size = 16;           ///< Bytes of the key part.
  static constexpr std::uint8_t padded_prefix = 0xdd;   ///< First byte of a padded secret.
  static constexpr std::uint8_t fake_tls_prefix = 0xee; ///< First byte of a fake-TLS secret.

  mode kind = mode::obfuscated;  ///< The form parsed.
  /// Mixed into the obfuscated2 keys: key = SHA256(init key bytes ‖ secret key).
  std::array<std::uint8_t, key_size> key{};
  /// fake_tls only: the domain the fake ClientHello names.
  std::string tls_domain;

  /// Parses raw secret bytes; nullopt when they fit none of the three forms.
  static std::optional<proxy_secret> from_bytes(std::span<const std::uint8_t> raw);
  /// Parses the hex form (case-insensitive); nullopt when malformed.
  static std::optional<proxy_secret> from_hex(std::string_view hex);
};

}  // namespace mtproto::transport
