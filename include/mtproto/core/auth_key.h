// A 2048-bit authorization key and the id derived from it (lower 64 bits of its SHA-1).
// Vocabulary shared by the handshake (which makes keys) and the session (which uses them).
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace mtproto::core {

class auth_key {
 public:
  using bytes_type = std::array<std::uint8_t, 256>;

  auth_key() = default;
  explicit auth_key(const bytes_type& key);

  const bytes_type& bytes() const noexcept { return key_; }
  /// auth_key_id as it appears on the wire (little-endian int64 of SHA1(key)[12:20]).
  std::int64_t id() const noexcept { return id_; }
  bool empty() const noexcept { return id_ == 0; }

 private:
  bytes_type key_{};
  std::int64_t id_ = 0;
};

}  // namespace mtproto::core
