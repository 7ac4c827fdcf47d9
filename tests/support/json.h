// The known-answer vector files in ../shared/vectors (tests only), parsed by nlohmann/json and
// held as a small tree whose leaves keep their text, so 64-bit integers survive exactly and a test
// reads a number the same way as a decimal string (the vector files use both for 64-bit values).
// The parser lives in json.cpp (part of mtproto_test_main).
#pragma once

#include <cstdint>
#include <fstream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace mtproto::test {

class json {
 public:
  enum class kind { null, boolean, number, string, array, object };

  json() = default;

  /// Throws std::runtime_error naming what is wrong (nlohmann/json parses, in json.cpp: compiled
  /// once instead of in every test that reads vectors).
  static json parse(std::string_view text);
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
  /// Integers may be JSON numbers or decimal strings.
  std::int64_t i64() const {
    if (kind_ != kind::number && kind_ != kind::string) expect(kind::number);
    return std::stoll(text_);
  }
  std::uint64_t u64() const {
    if (kind_ != kind::number && kind_ != kind::string) expect(kind::number);
    return std::stoull(text_);
  }

 private:
  friend struct json_builder;
  void expect(kind k) const {
    if (kind_ != k) throw std::runtime_error("json: unexpected value kind");
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
