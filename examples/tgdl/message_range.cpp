#include "message_range.h"

#include <fmt/format.h>

#include <charconv>

#include "options.h"

namespace tgdl {
namespace {

std::optional<std::int64_t> number(std::string_view s) {
  if (s.empty() || s.size() > 12) return std::nullopt;
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

std::optional<std::vector<std::string>> expand_message_range(std::string_view text) {
  const auto slash = text.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const auto tail = text.substr(slash + 1);
  const auto dash = tail.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  const auto first = number(tail.substr(0, dash));
  const auto last = number(tail.substr(dash + 1));
  if (!first || !last) return std::nullopt;
  const std::string whole(text);
  if (*first < 1) throw usage_error(fmt::format("{}: message ids start at 1", whole));
  if (*last < *first) throw usage_error(fmt::format("{}: the range ends before it starts", whole));
  if (*last - *first + 1 > max_range_messages)
    throw usage_error(fmt::format("{}: more than {} messages in one range", whole, max_range_messages));
  std::vector<std::string> links;
  const auto prefix = text.substr(0, slash + 1);
  for (std::int64_t id = *first; id <= *last; ++id) links.push_back(fmt::format("{}{}", prefix, id));
  return links;
}

}  // namespace tgdl
