#include "mtproto/tl/text.h"

#include <fmt/format.h>

namespace mtproto::tl {

void text::open(std::string_view constructor_name) {
  out_ += constructor_name;
  out_ += '{';
}

void text::close() { out_ += '}'; }

void text::key(std::string_view name) {
  if (!out_.empty() && out_.back() != '{') out_ += ", ";
  out_ += name;
  out_ += ": ";
}

void text::flag(std::string_view name) {
  key(name);
  out_ += "true";
}

void text::more(std::size_t n) { fmt::format_to(std::back_inserter(out_), ", …(+{})", n); }

void text::value(std::int32_t v) { fmt::format_to(std::back_inserter(out_), "{}", v); }
void text::value(std::int64_t v) { fmt::format_to(std::back_inserter(out_), "{}", v); }
void text::value(std::uint32_t v) { fmt::format_to(std::back_inserter(out_), "{:#010x}", v); }
void text::value(double v) { fmt::format_to(std::back_inserter(out_), "{}", v); }
void text::value(bool v) { out_ += v ? "true" : "false"; }

void text::value(std::string_view s) {
  out_ += '"';
  const auto shown = s.substr(0, max_string_chars);
  for (unsigned char c : shown) {
    if (c == '"' || c == '\\') {
      out_ += '\\';
      out_ += static_cast<char>(c);
    } else if (c < 0x20 || c == 0x7f) {
      fmt::format_to(std::back_inserter(out_), "\\x{:02x}", c);
    } else {
      out_ += static_cast<char>(c);
    }
  }
  out_ += '"';
  if (s.size() > shown.size()) fmt::format_to(std::back_inserter(out_), "…(+{})", s.size() - shown.size());
}

void text::value(const bytes& b) {
  fmt::format_to(std::back_inserter(out_), "<{} bytes", b.size());
  if (!b.empty()) out_ += ' ';
  for (std::size_t i = 0; i < b.size() && i < max_bytes_shown; ++i)
    fmt::format_to(std::back_inserter(out_), "{:02x}", b[i]);
  if (b.size() > max_bytes_shown) out_ += "…";
  out_ += '>';
}

void text::value(const int128& v) {
  out_ += "0x";
  for (auto b : v) fmt::format_to(std::back_inserter(out_), "{:02x}", b);
}

void text::value(const int256& v) {
  out_ += "0x";
  for (auto b : v) fmt::format_to(std::back_inserter(out_), "{:02x}", b);
}

void text::empty(std::string_view type_name) {
  out_ += "<empty ";
  out_ += type_name;
  out_ += '>';
}

}  // namespace mtproto::tl
