#include "crc32.h"

#include <array>
#include <sstream>
#include <vector>

namespace tlgen {
namespace {

constexpr std::array<std::uint32_t, 256> make_table() {
  std::array<std::uint32_t, 256> t{};
  for (std::uint32_t i = 0; i < 256; ++i) {
    std::uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
    t[i] = c;
  }
  return t;
}

constexpr auto table = make_table();

void replace_all(std::string& s, std::string_view from, std::string_view to) {
  for (std::size_t pos = 0; (pos = s.find(from, pos)) != std::string::npos; pos += to.size())
    s.replace(pos, from.size(), to);
}

// `name:flags.3?true`, `name:flags2.0?true`: a flag-only boolean.
bool is_true_flag(std::string_view token) {
  const auto colon = token.find(':');
  if (colon == std::string_view::npos) return false;
  const auto rest = token.substr(colon + 1);
  return rest.ends_with("?true") && rest.find('.') != std::string_view::npos;
}

}  // namespace

std::uint32_t crc32(std::string_view data) noexcept {
  std::uint32_t c = 0xffffffffu;
  for (unsigned char ch : data) c = table[(c ^ ch) & 0xff] ^ (c >> 8);
  return c ^ 0xffffffffu;
}

std::string normalize_declaration(std::string_view declaration) {
  // Collapse whitespace first; the replacements below rely on single spaces.
  std::string s;
  std::istringstream in{std::string(declaration)};
  for (std::string tok; in >> tok;) {
    if (!s.empty()) s += ' ';
    s += tok;
  }
  s += ' ';  // so a trailing `:bytes` also matches the `:bytes ` rule
  replace_all(s, ":bytes ", ":string ");
  replace_all(s, "?bytes ", "?string ");
  replace_all(s, "<", " ");
  std::string out;
  for (char ch : s)
    if (ch != '>' && ch != '{' && ch != '}') out += ch;
  // Drop flag-only booleans and collapse whitespace again (the ' ' appended above, and any
  // space a '<' replacement put next to another one).
  std::istringstream in2(out);
  std::string result;
  for (std::string tok; in2 >> tok;) {
    if (is_true_flag(tok)) continue;
    if (!result.empty()) result += ' ';
    result += tok;
  }
  return result;
}

}  // namespace tlgen
