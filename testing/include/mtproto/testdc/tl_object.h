// A TL object as data: a constructor name and named field values, written later in whichever
// layer a client announced (layer_schema::write). The emulator builds each answer once this way
// instead of once per layer's generated types; fields a layer lacks are left out when written.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace mtproto::testdc {

struct tl_value;
struct tl_field;

// The three types refer to each other, so every member that needs another complete is defined
// below, after all three.
struct tl_object {
  std::string_view constructor;  // e.g. "user", "messages.channelMessages"
  std::vector<tl_field> fields;

  tl_object();
  explicit tl_object(std::string_view name);

  /// Sets a field (a later set of the same name wins); returns *this to chain.
  tl_object& set(std::string_view name, tl_value value);
  /// The field's value, or nullptr when it was never set.
  const tl_value* find(std::string_view name) const noexcept;
};

/// int, long and the like are all `std::int64_t` here: the schema says how many bytes they take
/// (and an `int` field refuses a value out of its range). `std::string` is TL string and bytes.
struct tl_value {
  std::variant<bool, std::int64_t, double, std::string, std::vector<tl_value>, tl_object> v;

  // Implicit on purpose: values are written the way the fields are spelled in TL.
  tl_value(bool b);                       // NOLINT
  tl_value(std::int32_t i);               // NOLINT
  tl_value(std::int64_t i);               // NOLINT
  tl_value(double d);                     // NOLINT
  tl_value(std::string s);                // NOLINT
  tl_value(const char* s);                // NOLINT
  tl_value(std::vector<tl_value> items);  // NOLINT
  tl_value(tl_object object);             // NOLINT
  /// TL bytes from raw octets (file references).
  static tl_value bytes(const std::vector<std::uint8_t>& raw);
};

struct tl_field {
  std::string_view name;
  tl_value value;
};

inline tl_object::tl_object() = default;
inline tl_object::tl_object(std::string_view name) : constructor(name) {}

inline tl_value::tl_value(bool b) : v(b) {}
inline tl_value::tl_value(std::int32_t i) : v(std::int64_t{i}) {}
inline tl_value::tl_value(std::int64_t i) : v(i) {}
inline tl_value::tl_value(double d) : v(d) {}
inline tl_value::tl_value(std::string s) : v(std::move(s)) {}
inline tl_value::tl_value(const char* s) : v(std::string(s)) {}
inline tl_value::tl_value(std::vector<tl_value> items) : v(std::move(items)) {}
inline tl_value::tl_value(tl_object object) : v(std::move(object)) {}
inline tl_value tl_value::bytes(const std::vector<std::uint8_t>& raw) { return std::string(raw.begin(), raw.end()); }

inline tl_object& tl_object::set(std::string_view name, tl_value value) {
  for (auto& f : fields) {
    if (f.name == name) {
      f.value = std::move(value);
      return *this;
    }
  }
  fields.push_back({name, std::move(value)});
  return *this;
}

inline const tl_value* tl_object::find(std::string_view name) const noexcept {
  for (const auto& f : fields) {
    if (f.name == name) return &f.value;
  }
  return nullptr;
}

}  // namespace mtproto::testdc
