#include "signed_url.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <charconv>
#include <stdexcept>

namespace tgstream {
namespace {

constexpr std::size_t min_secret_bytes = 16;
constexpr std::size_t max_token_bytes = 4096;
constexpr std::string_view ticket_version = "1";

std::string mac(const std::vector<std::uint8_t>& secret, std::string_view payload) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (!HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
            reinterpret_cast<const unsigned char*>(payload.data()), payload.size(), out, &n))
    throw std::runtime_error("HMAC-SHA256 failed");
  return std::string(reinterpret_cast<const char*>(out), n);
}

bool to_int(std::string_view s, std::int64_t& v) {
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  return !s.empty() && ec == std::errc{} && end == s.data() + s.size();
}

}  // namespace

const char* code_of(ticket_problem p) noexcept {
  switch (p) {
    case ticket_problem::malformed: return "malformed_token";
    case ticket_problem::bad_signature: return "bad_signature";
    case ticket_problem::expired: return "expired_token";
  }
  return "malformed_token";
}

std::string base64url_encode(std::string_view bytes) {
  std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<int>(bytes.size()));
  out.resize(static_cast<std::size_t>(n));
  while (!out.empty() && out.back() == '=') out.pop_back();
  for (auto& c : out) c = c == '+' ? '-' : c == '/' ? '_' : c;
  return out;
}

bool base64url_decode(std::string_view text, std::string& out) {
  if (text.size() % 4 == 1) return false;
  std::string padded;
  padded.reserve(text.size() + 3);
  for (char c : text) {
    if (c == '+' || c == '/' || c == '=') return false;  // standard base64, not ours
    padded += c == '-' ? '+' : c == '_' ? '/' : c;
  }
  while (padded.size() % 4) padded += '=';
  out.assign(3 * padded.size() / 4 + 1, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(padded.data()), static_cast<int>(padded.size()));
  if (n < 0) return false;
  // EVP_DecodeBlock counts the padding as zero bytes: drop them.
  auto size = static_cast<std::size_t>(n) - (padded.size() - text.size());
  out.resize(size);
  // Canonical only (no stray bits in the last character): one token, one spelling.
  return base64url_encode(out) == text;
}

url_signer::url_signer(std::vector<std::uint8_t> secret) : secret_(std::move(secret)) {
  if (secret_.size() < min_secret_bytes) throw std::invalid_argument("the URL secret needs at least 16 bytes");
}

std::string url_signer::sign(const file_ticket& t) const {
  std::string payload = std::string(ticket_version) + "\n" + std::to_string(t.expires) + "\n" +
                        std::to_string(t.item) + "\n" + t.link;
  return base64url_encode(payload) + "." + base64url_encode(mac(secret_, payload));
}

std::variant<file_ticket, ticket_problem> url_signer::verify(std::string_view token, std::int64_t now) const {
  if (token.size() > max_token_bytes) return ticket_problem::malformed;
  const auto dot = token.find('.');
  if (dot == std::string_view::npos) return ticket_problem::malformed;
  std::string payload, tag;
  if (!base64url_decode(token.substr(0, dot), payload) || !base64url_decode(token.substr(dot + 1), tag))
    return ticket_problem::malformed;
  const auto expected = mac(secret_, payload);
  if (tag.size() != expected.size() || CRYPTO_memcmp(tag.data(), expected.data(), tag.size()) != 0)
    return ticket_problem::bad_signature;
  // Authentic: the payload is ours, but parse it defensively all the same.
  std::string_view rest(payload);
  std::string_view fields[3];
  for (auto& f : fields) {
    const auto nl = rest.find('\n');
    if (nl == std::string_view::npos) return ticket_problem::malformed;
    f = rest.substr(0, nl);
    rest.remove_prefix(nl + 1);
  }
  std::int64_t expires = 0, item = 0;
  if (fields[0] != ticket_version || !to_int(fields[1], expires) || !to_int(fields[2], item) || item < 0 ||
      item > 1000 || rest.empty())
    return ticket_problem::malformed;
  if (now > expires) return ticket_problem::expired;
  return file_ticket{std::string(rest), static_cast<int>(item), expires};
}

}  // namespace tgstream
