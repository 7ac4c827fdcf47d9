/// \file
/// A 2048-bit authorization key and the id derived from it (lower 64 bits of its SHA-1).
/// Vocabulary shared by the handshake (which makes keys) and the session (which uses them).
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "mtproto/core/export.h"

/// Vocabulary of the sans-IO protocol core (auth_key, clock), shared by the transports, the
/// handshake and the session, which otherwise do not depend on each other.
namespace mtproto::core {

/// An authorization key with its id computed once. A value type; the bytes are secret.
class MTPROTO_CORE_EXPORT auth_key {
 public:
  /// The raw key: 256 bytes, big-endian as the handshake produces it.
  using bytes_type = std::array<std::uint8_t, 256>;

  /// No key: empty() is true and id() is 0.
  auth_key() = default;
  /// Copies `key` and computes its id.
  explicit auth_key(const bytes_type& key);

  /// The raw key.
  const bytes_type& bytes() const noexcept { return key_; }
  /// auth_key_id as it appears on the wire (little-endian int64 of SHA1(key)[12:20]).
  std::int64_t id() const noexcept { return id_; }
  /// True for a default-constructed key (no key yet).
  bool empty() const noexcept { return id_ == 0; }

 private:
  bytes_type key_{};
  std::int64_t id_ = 0;
};

}  // namespace mtproto::core
