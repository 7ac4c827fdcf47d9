// One API layer's definitions of the objects the emulator writes, read from TL text at run time,
// and the serialiser that writes a tl_object by them: the constructor id of that layer, the flags
// computed from the fields present, fields the layer lacks left out, required fields nobody set
// written as TL's zero value (0, "", false, empty vector).
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "mtproto/tl/writer.h"
#include "mtproto/testdc/tl_object.h"

namespace mtproto::testdc {

/// A definition that cannot be parsed, or an object the layer cannot express.
struct schema_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class layer_schema {
 public:
  struct param {
    std::string name;
    std::string type;     // "int", "Vector<Peer>", "true", ... ("#" for a flags word)
    int flags_param = -1;  // conditional: index of the flags word it depends on
    int bit = -1;          // conditional: its bit in that word
  };
  struct combinator {
    std::string name;
    std::uint32_t id = 0;
    std::vector<param> params;
    std::string result;  // the boxed type, e.g. "User"
  };

  explicit layer_schema(std::int32_t layer) : layer_(layer) {}

  std::int32_t layer() const noexcept { return layer_; }

  /// Parses one definition, `name#id a:int b:flags.0?string = Type;`, and adds it (replacing
  /// one of the same name). Throws schema_error on malformed text.
  void add(std::string_view definition);

  const combinator* find(std::string_view name) const noexcept;
  bool has(std::string_view name) const noexcept { return find(name) != nullptr; }

  /// Writes `object` with its constructor id. Throws schema_error when this layer has no such
  /// constructor, a value does not fit its field, or a required object field is unset.
  void write(tl::writer& w, const tl_object& object) const;
  /// Writes `object` without its constructor id (its type is known from context).
  void write_bare(tl::writer& w, const tl_object& object) const;

  /// The fields set in `object` or in the objects inside it that this layer has no place for
  /// (written nowhere), as "constructor.field": for tests that the builders name real fields.
  std::vector<std::string> dropped_fields(const tl_object& object) const;

 private:
  void write_fields(tl::writer& w, const combinator& c, const tl_object& object) const;
  void write_value(tl::writer& w, std::string_view type, const tl_value* value, const combinator& c,
                   const param& p) const;
  void write_object(tl::writer& w, std::string_view type, const tl_object& object) const;

  std::int32_t layer_;
  std::map<std::string, combinator, std::less<>> combinators_;
};

}  // namespace mtproto::testdc
