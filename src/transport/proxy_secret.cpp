#include "mtproto/transport/proxy_secret.h"

#include <algorithm>
#include <vector>

namespace mtproto::transport {

namespace {
int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}
}  // namespace

std::optional<proxy_secret> proxy_secret::from_bytes(std::span<const std::uint8_t> raw) {
  proxy_secret s;
  std::span<const std::uint8_t> key_bytes;
  if (raw.size() == key_size) {
    s.kind = mode::obfuscated;
    key_bytes = raw;
  } else if (raw.size() == key_size + 1 && raw[0] == padded_prefix) {
    s.kind = mode::padded;
    key_bytes = raw.subspan(1);
  } else if (raw.size() > key_size + 1 && raw[0] == fake_tls_prefix) {
    s.kind = mode::fake_tls;
    key_bytes = raw.subspan(1, key_size);
    s.tls_domain.assign(raw.begin() + 1 + key_size, raw.end());
  } else {
    return std::nullopt;
  }
  std::copy(key_bytes.begin(), key_bytes.end(), s.key.begin());
  return s;
}

std::optional<proxy_secret> proxy_secret::from_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  std::vector<std::uint8_t> raw(hex.size() / 2);
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const int hi = hex_value(hex[2 * i]);
    const int lo = hex_value(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    raw[i] = static_cast<std::uint8_t>(hi << 4 | lo);
  }
  return from_bytes(raw);
}

}  // namespace mtproto::transport
