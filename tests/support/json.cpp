#include "support/json.h"

#include <nlohmann/json.hpp>

namespace mtproto::test {

struct json_builder {
  static json from(const nlohmann::json& v) {
    json out;
    switch (v.type()) {
      case nlohmann::json::value_t::object:
        out.kind_ = json::kind::object;
        for (const auto& [key, value] : v.items()) out.object_.emplace(key, from(value));
        break;
      case nlohmann::json::value_t::array:
        out.kind_ = json::kind::array;
        for (const auto& item : v) out.array_.push_back(from(item));
        break;
      case nlohmann::json::value_t::string:
        out.kind_ = json::kind::string;
        out.text_ = v.get<std::string>();
        break;
      case nlohmann::json::value_t::boolean:
        out.kind_ = json::kind::boolean;
        out.text_ = v.get<bool>() ? "true" : "false";
        break;
      case nlohmann::json::value_t::number_integer:
      case nlohmann::json::value_t::number_unsigned:
      case nlohmann::json::value_t::number_float:
        out.kind_ = json::kind::number;
        out.text_ = v.dump();  // an integer's exact decimal digits
        break;
      default: break;  // null
    }
    return out;
  }
};

json json::parse(std::string_view text) {
  try {
    return json_builder::from(nlohmann::json::parse(text));
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("json: ") + e.what());
  }
}

}  // namespace mtproto::test
