#include "byte_range.h"

#include <algorithm>
#include <limits>
#include <optional>

#include "text.h"

namespace tgstream {
namespace {

/// Decimal digits only; a value past int64 saturates (a range beyond any file, not an error).
std::optional<std::int64_t> number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::int64_t v = 0;
  constexpr auto max = std::numeric_limits<std::int64_t>::max();
  for (char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    const int digit = c - '0';
    v = v > (max - digit) / 10 ? max : v * 10 + digit;
  }
  return v;
}

}  // namespace

range_request parse_range(std::string_view value, std::int64_t size) {
  using k = range_request::kind;
  value = trim_blanks(value);
  const auto eq = value.find('=');
  if (eq == std::string_view::npos) return {k::invalid};
  if (ascii_lower(trim_blanks(value.substr(0, eq))) != "bytes") return {k::whole};  // a unit we do not serve: ignored
  const auto spec = trim_blanks(value.substr(eq + 1));
  if (spec.find(',') != std::string_view::npos) return {k::multiple};
  const auto dash = spec.find('-');
  if (dash == std::string_view::npos) return {k::invalid};
  const auto first_text = trim_blanks(spec.substr(0, dash));
  const auto last_text = trim_blanks(spec.substr(dash + 1));
  if (first_text.empty()) {
    // bytes=-N: the last N bytes.
    const auto suffix = number(last_text);
    if (!suffix) return {k::invalid};
    if (*suffix == 0 || size == 0) return {k::unsatisfiable};
    const auto n = std::min(*suffix, size);
    return {k::satisfiable, size - n, size};
  }
  const auto first = number(first_text);
  if (!first) return {k::invalid};
  std::int64_t end = size;
  if (!last_text.empty()) {
    const auto last = number(last_text);
    if (!last || *last < *first) return {k::invalid};
    if (*last < size) end = *last + 1;
  }
  if (*first >= size) return {k::unsatisfiable};
  return {k::satisfiable, *first, end};
}

}  // namespace tgstream
