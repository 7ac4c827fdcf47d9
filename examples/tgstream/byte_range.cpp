#include "byte_range.h"

#include <algorithm>
#include <limits>
#include <optional>

namespace tgstream {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

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

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    if (lower(a[i]) != lower(b[i])) return false;
  }
  return true;
}

}  // namespace

range_request parse_range(std::string_view value, std::int64_t size) {
  using k = range_request::kind;
  value = trim(value);
  const auto eq = value.find('=');
  if (eq == std::string_view::npos) return {k::invalid};
  if (!iequals(trim(value.substr(0, eq)), "bytes")) return {k::whole};  // a unit we do not serve: ignored
  const auto spec = trim(value.substr(eq + 1));
  if (spec.find(',') != std::string_view::npos) return {k::multiple};
  const auto dash = spec.find('-');
  if (dash == std::string_view::npos) return {k::invalid};
  const auto first_text = trim(spec.substr(0, dash));
  const auto last_text = trim(spec.substr(dash + 1));
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
