// A minimal JSON reader for the known-answer vector files in ../shared/vectors (tests only).
// Numbers keep their source text so 64-bit and larger integers survive exactly.
#pragma once

#include <cctype>
#include <cstdint>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mtproto::test {

class json {
 public:
  enum class kind { null, boolean, number, string, array, object };

  static json parse(std::string_view text) {
    std::size_t pos = 0;
    json v = parse_value(text, pos);
    skip_ws(text, pos);
    if (pos != text.size()) throw std::runtime_error("json: trailing characters");
    return v;
  }
  static json parse_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("json: cannot open " + path);
    std::stringstream ss;
    ss << f.rdbuf();
    return parse(ss.str());
  }

  kind type() const noexcept { return kind_; }
  bool is_null() const noexcept { return kind_ == kind::null; }
  bool has(const std::string& key) const { return kind_ == kind::object && object_.count(key) != 0; }

  const json& operator[](const std::string& key) const {
    expect(kind::object);
    auto it = object_.find(key);
    if (it == object_.end()) throw std::runtime_error("json: no key " + key);
    return it->second;
  }
  const json& operator[](std::size_t i) const {
    expect(kind::array);
    return array_.at(i);
  }
  std::size_t size() const { return kind_ == kind::array ? array_.size() : object_.size(); }
  const std::vector<json>& items() const {
    expect(kind::array);
    return array_;
  }
  const std::map<std::string, json>& members() const {
    expect(kind::object);
    return object_;
  }
  const std::string& str() const {
    if (kind_ != kind::string && kind_ != kind::number) throw std::runtime_error("json: not a string");
    return text_;
  }
  bool boolean() const {
    expect(kind::boolean);
    return text_ == "true";
  }
  /// Integers may be JSON numbers or decimal strings (the vector files use both for 64-bit values).
  std::int64_t i64() const {
    if (kind_ != kind::number && kind_ != kind::string) expect(kind::number);
    return std::stoll(text_);
  }
  std::uint64_t u64() const {
    if (kind_ != kind::number && kind_ != kind::string) expect(kind::number);
    return std::stoull(text_);
  }

 private:
  void expect(kind k) const {
    if (kind_ != k) throw std::runtime_error("json: unexpected value kind");
  }
  static void skip_ws(std::string_view t, std::size_t& p) {
    while (p < t.size() && (t[p] == ' ' || t[p] == '\n' || t[p] == '\r' || t[p] == '\t')) ++p;
  }
  static char peek(std::string_view t, std::size_t p) {
    if (p >= t.size()) throw std::runtime_error("json: unexpected end");
    return t[p];
  }
  static std::string parse_string(std::string_view t, std::size_t& p) {
    if (peek(t, p) != '"') throw std::runtime_error("json: expected string");
    ++p;
    std::string out;
    for (;;) {
      char c = peek(t, p++);
      if (c == '"') return out;
      if (c != '\\') {
        out += c;
        continue;
      }
      char e = peek(t, p++);
      switch (e) {
        case 'n': out += '\n'; break;
        case 't': out += '\t'; break;
        case 'r': out += '\r'; break;
        case 'b': out += '\b'; break;
        case 'f': out += '\f'; break;
        case 'u': {
          if (p + 4 > t.size()) throw std::runtime_error("json: bad \\u");
          const unsigned cp = static_cast<unsigned>(std::stoul(std::string(t.substr(p, 4)), nullptr, 16));
          p += 4;
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
        default: out += e; break;  // \" \\ \/
      }
    }
  }
  static json parse_value(std::string_view t, std::size_t& p) {
    skip_ws(t, p);
    json v;
    const char c = peek(t, p);
    if (c == '{') {
      v.kind_ = kind::object;
      ++p;
      skip_ws(t, p);
      if (peek(t, p) == '}') {
        ++p;
        return v;
      }
      for (;;) {
        skip_ws(t, p);
        std::string key = parse_string(t, p);
        skip_ws(t, p);
        if (peek(t, p++) != ':') throw std::runtime_error("json: expected ':'");
        v.object_.emplace(std::move(key), parse_value(t, p));
        skip_ws(t, p);
        const char d = peek(t, p++);
        if (d == '}') return v;
        if (d != ',') throw std::runtime_error("json: expected ',' or '}'");
      }
    }
    if (c == '[') {
      v.kind_ = kind::array;
      ++p;
      skip_ws(t, p);
      if (peek(t, p) == ']') {
        ++p;
        return v;
      }
      for (;;) {
        v.array_.push_back(parse_value(t, p));
        skip_ws(t, p);
        const char d = peek(t, p++);
        if (d == ']') return v;
        if (d != ',') throw std::runtime_error("json: expected ',' or ']'");
      }
    }
    if (c == '"') {
      v.kind_ = kind::string;
      v.text_ = parse_string(t, p);
      return v;
    }
    auto word = [&](std::string_view w, kind k) {
      if (t.substr(p, w.size()) != w) throw std::runtime_error("json: bad literal");
      p += w.size();
      v.kind_ = k;
      v.text_ = std::string(w);
      return v;
    };
    if (c == 't') return word("true", kind::boolean);
    if (c == 'f') return word("false", kind::boolean);
    if (c == 'n') return word("null", kind::null);
    const std::size_t start = p;
    while (p < t.size() && (std::isdigit(static_cast<unsigned char>(t[p])) || t[p] == '-' || t[p] == '+' ||
                            t[p] == '.' || t[p] == 'e' || t[p] == 'E')) {
      ++p;
    }
    if (p == start) throw std::runtime_error("json: unexpected character");
    v.kind_ = kind::number;
    v.text_ = std::string(t.substr(start, p - start));
    return v;
  }

  kind kind_ = kind::null;
  std::string text_;
  std::vector<json> array_;
  std::map<std::string, json> object_;
};

inline std::string shared_path(const std::string& relative) {
#ifdef MTPROTO_SHARED_DIR
  return std::string(MTPROTO_SHARED_DIR) + "/" + relative;
#else
  return relative;
#endif
}

}  // namespace mtproto::test
