#include "json.h"

#include <fmt/format.h>

namespace tgcall {
namespace {

/// Nesting deeper than this is not a DC config: refuse instead of recursing without bound.
constexpr int max_depth = 64;

struct parser {
  std::string_view s;
  std::size_t i = 0;

  [[noreturn]] void fail(const char* what) const { throw std::runtime_error(fmt::format("JSON: {} at offset {}", what, i)); }
  void ws() {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t')) ++i;
  }
  bool eat(char c) {
    ws();
    if (i < s.size() && s[i] == c) {
      ++i;
      return true;
    }
    return false;
  }
  std::string string() {
    if (!eat('"')) fail("expected a string");
    std::string out;
    while (true) {
      if (i >= s.size()) fail("unterminated string");
      char c = s[i++];
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      if (i >= s.size()) fail("unterminated escape");
      char e = s[i++];
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (i + 4 > s.size()) fail("short \\u escape");
          unsigned cp = std::stoul(std::string(s.substr(i, 4)), nullptr, 16);
          i += 4;
          if (cp < 0x80) {
            out += static_cast<char>(cp);
          } else if (cp < 0x800) {
            out += static_cast<char>(0xc0 | (cp >> 6));
            out += static_cast<char>(0x80 | (cp & 0x3f));
          } else {
            out += static_cast<char>(0xe0 | (cp >> 12));
            out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
          }
          break;
        }
        default: out += e;
      }
    }
  }
  json_value value(int depth) {
    if (depth > max_depth) fail("nested too deeply");
    ws();
    if (i >= s.size()) fail("unexpected end");
    json_value v;
    char c = s[i];
    if (c == '{') {
      ++i;
      v.type = json_value::kind::object;
      if (eat('}')) return v;
      do {
        ws();
        std::string key = string();
        if (!eat(':')) fail("expected ':'");
        v.fields[key] = value(depth + 1);
      } while (eat(','));
      if (!eat('}')) fail("expected '}'");
    } else if (c == '[') {
      ++i;
      v.type = json_value::kind::array;
      if (eat(']')) return v;
      do v.items.push_back(value(depth + 1));
      while (eat(','));
      if (!eat(']')) fail("expected ']'");
    } else if (c == '"') {
      v.type = json_value::kind::string;
      v.text = string();
    } else if (s.substr(i, 4) == "true" || s.substr(i, 5) == "false") {
      v.type = json_value::kind::boolean;
      v.text = s[i] == 't' ? "true" : "false";
      i += v.text.size();
    } else if (s.substr(i, 4) == "null") {
      i += 4;
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      v.type = json_value::kind::number;
      std::size_t start = i;
      while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '-' || s[i] == '+' ||
                              s[i] == '.' || s[i] == 'e' || s[i] == 'E'))
        ++i;
      v.text = std::string(s.substr(start, i - start));
    } else {
      fail("unexpected character");
    }
    return v;
  }
};

}  // namespace

json_value parse_json(std::string_view text) {
  parser p{text};
  auto v = p.value(0);
  p.ws();
  if (p.i != text.size()) p.fail("trailing characters");
  return v;
}

std::string json_quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        else out += c;
    }
  }
  return out + "\"";
}

}  // namespace tgcall
