// MTProxy secrets as users paste them: 16 bytes (plain obfuscated2), `dd` + 16 bytes (obfuscated2
// with padded intermediate, hiding packet sizes), or `ee` + 16 bytes + domain (fake TLS).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace mtproto::transport {

struct proxy_secret {
  enum class mode : std::uint8_t { obfuscated, padded, fake_tls };

  static constexpr std::size_t key_size = 16;
  static constexpr std::uint8_t padded_prefix = 0xdd;
  static constexpr std::uint8_t fake_tls_prefix = 0xee;

  mode kind = mode::obfuscated;
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
