// Download URLs the gateway hands out and accepts: what file they name and until when, signed
// with HMAC-SHA256 under the server's secret so a client can neither forge nor extend one.
// Nothing in a URL is used as a path: the ticket names a message link, resolved like any other.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace tgstream {

/// What a signed URL grants.
struct file_ticket {
  std::string link;          ///< The message link, as /api/resolve was given it (normalised).
  int item = 0;              ///< Which item of an album (0 otherwise).
  std::int64_t expires = 0;  ///< Unix seconds after which the URL is refused.
};

/// Why a token is refused.
enum class ticket_problem {
  malformed,      ///< Not a token this server makes.
  bad_signature,  ///< Made with another secret, or altered.
  expired,        ///< Past its expiry.
};

/// A stable, lowercase name for the JSON error body ("malformed_token", ...).
const char* code_of(ticket_problem p) noexcept;

/// Signs and checks tickets with one secret.
class url_signer {
 public:
  /// At least 16 bytes of secret; throws std::invalid_argument otherwise.
  explicit url_signer(std::vector<std::uint8_t> secret);
  /// The token for `t`: URL-safe, no padding.
  std::string sign(const file_ticket& t) const;
  /// The ticket in `token`, if it is authentic and not expired at `now` (Unix seconds).
  std::variant<file_ticket, ticket_problem> verify(std::string_view token, std::int64_t now) const;

 private:
  std::vector<std::uint8_t> secret_;
};

/// Base64url without padding (RFC 4648 §5), through OpenSSL's encoder.
std::string base64url_encode(std::string_view bytes);
/// Its inverse; false for anything that is not canonical base64url.
bool base64url_decode(std::string_view text, std::string& out);

}  // namespace tgstream
