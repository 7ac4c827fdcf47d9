// Just enough JSON for tgcall: reading a DC config (mtproto-testdc's ready file) and escaping
// strings for --json output. Numbers keep their text so 64-bit ids survive.
#pragma once

#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace tgcall {

struct json_value {
  enum class kind { null, boolean, number, string, array, object } type = kind::null;
  std::string text;  // string contents, number text, "true"/"false"
  std::vector<json_value> items;
  std::map<std::string, json_value> fields;

  const json_value* find(const std::string& key) const {
    auto it = fields.find(key);
    return it == fields.end() ? nullptr : &it->second;
  }
};

/// Throws std::runtime_error naming the offset of the first problem.
json_value parse_json(std::string_view text);

/// "..." with JSON escapes.
std::string json_quote(std::string_view s);

}  // namespace tgcall
