// A request target split into its path segments and query parameters, percent-decoded.
// Pure; bounded by the target's length (the parser's limit).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tgstream {

/// What a target names.
struct request_target {
  std::vector<std::string> segments;                         ///< "/dl/abc/x.mp4" → {"dl", "abc", "x.mp4"}.
  std::vector<std::pair<std::string, std::string>> query;    ///< In order; '+' is a space.
  /// The first parameter named `name`.
  std::optional<std::string_view> param(std::string_view name) const;
};

/// Splits and decodes `target` (origin form: starts with '/'); nullopt for anything else, a
/// malformed %-escape, or a decoded NUL.
std::optional<request_target> parse_target(std::string_view target);

/// Percent-encodes everything but RFC 3986's unreserved characters.
std::string percent_encode(std::string_view text);

}  // namespace tgstream
