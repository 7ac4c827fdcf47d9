// transport::proxy_secret::from_hex and from_bytes, as a user pastes an MTProxy secret (or a
// server announces one in dcOption.secret). Byte 0 picks the mode: the input as hex text, the
// input as raw secret bytes, or raw bytes built from a form (plain / dd / ee + domain) and fed in
// hex of mixed case. Must hold: from_hex(s) is from_bytes(unhex(s)) and refuses text that is not
// hex; what from_bytes accepts has the form its size and prefix say (16 bytes: obfuscated;
// dd + 16: padded; ee + 16 + a non-empty domain: fake_tls) with the key copied from the right
// place, and re-encoding it (to_bytes, to hex) parses back to the same secret.
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_data.h"
#include "mtproto/transport/proxy_secret.h"

using mtproto::transport::proxy_secret;

namespace {

constexpr std::size_t max_input = 4096;

std::vector<std::uint8_t> to_bytes(const proxy_secret& s) {
  std::vector<std::uint8_t> out;
  if (s.kind == proxy_secret::mode::padded) out.push_back(proxy_secret::padded_prefix);
  if (s.kind == proxy_secret::mode::fake_tls) out.push_back(proxy_secret::fake_tls_prefix);
  out.insert(out.end(), s.key.begin(), s.key.end());
  out.insert(out.end(), s.tls_domain.begin(), s.tls_domain.end());
  return out;
}

std::string to_hex(std::span<const std::uint8_t> raw, std::uint32_t upper_mask) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    const char* digits = (upper_mask >> (i % 32)) & 1 ? "0123456789ABCDEF" : "0123456789abcdef";
    out += digits[raw[i] >> 4];
    out += digits[raw[i] & 15];
  }
  return out;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool same(const proxy_secret& a, const proxy_secret& b) {
  return a.kind == b.kind && a.key == b.key && a.tls_domain == b.tls_domain;
}

/// Checks what from_bytes made of `raw`, and that it round-trips.
void check_bytes(std::span<const std::uint8_t> raw, const std::optional<proxy_secret>& s) {
  constexpr std::size_t k = proxy_secret::key_size;
  std::optional<proxy_secret::mode> want;
  if (raw.size() == k) want = proxy_secret::mode::obfuscated;
  else if (raw.size() == k + 1 && raw[0] == proxy_secret::padded_prefix) want = proxy_secret::mode::padded;
  else if (raw.size() > k + 1 && raw[0] == proxy_secret::fake_tls_prefix) want = proxy_secret::mode::fake_tls;
  if (want.has_value() != s.has_value()) std::abort();
  if (!s) return;
  if (s->kind != *want) std::abort();
  const std::size_t key_at = s->kind == proxy_secret::mode::obfuscated ? 0 : 1;
  if (!std::equal(s->key.begin(), s->key.end(), raw.begin() + static_cast<std::ptrdiff_t>(key_at))) std::abort();
  if (s->kind == proxy_secret::mode::fake_tls) {
    if (s->tls_domain.empty() || s->tls_domain != std::string(raw.begin() + 1 + k, raw.end())) std::abort();
  } else if (!s->tls_domain.empty()) {
    std::abort();
  }
  const auto again = to_bytes(*s);
  if (!std::equal(again.begin(), again.end(), raw.begin(), raw.end())) std::abort();
  const auto back = proxy_secret::from_bytes(again);
  if (!back || !same(*back, *s)) std::abort();
  const auto from_text = proxy_secret::from_hex(to_hex(again, 0x5a5a5a5a));
  if (!from_text || !same(*from_text, *s)) std::abort();
}

void check_hex(std::string_view text) {
  const auto s = proxy_secret::from_hex(text);
  std::vector<std::uint8_t> raw;
  bool is_hex = text.size() % 2 == 0;
  for (std::size_t i = 0; is_hex && i < text.size(); i += 2) {
    const int hi = hex_digit(text[i]), lo = hex_digit(text[i + 1]);
    if (hi < 0 || lo < 0) is_hex = false;
    else raw.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  if (!is_hex) {
    if (s) std::abort();
    return;
  }
  const auto direct = proxy_secret::from_bytes(raw);
  if (direct.has_value() != s.has_value() || (s && !same(*s, *direct))) std::abort();
  check_bytes(raw, s);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > max_input) return 0;
  mtproto::fuzz::fuzz_data in(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: check_hex(in.string(in.rest())); break;
    case 1: {
      const auto raw = in.rest();
      check_bytes(raw, proxy_secret::from_bytes(raw));
      break;
    }
    default: {
      const std::uint8_t form = in.byte();
      const auto upper = in.integral<std::uint32_t>();
      std::vector<std::uint8_t> raw;
      if (form % 3 == 1) raw.push_back(proxy_secret::padded_prefix);
      if (form % 3 == 2) raw.push_back(proxy_secret::fake_tls_prefix);
      const auto key = in.bytes(proxy_secret::key_size);
      raw.insert(raw.end(), key.begin(), key.end());
      if (form % 3 == 2 || (form & 0x80)) {
        const auto domain = in.rest();
        raw.insert(raw.end(), domain.begin(), domain.end());
      }
      check_hex(to_hex(raw, upper));
      break;
    }
  }
  return 0;
}
