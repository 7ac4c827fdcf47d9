// How the objects mtproto-testdc writes were defined in every API layer we have a schema of
// (testing/compat/layer_history.tl, built by layer_history.py from the official layers and the
// schemas other clients ship), and what that says about any layer in between.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "mtproto/testdc/layer_schema.h"

namespace mtproto::testdc {

class layer_history {
 public:
  /// Parses text in layer_history.tl's format; throws schema_error when it is malformed.
  explicit layer_history(std::string_view text);

  /// The history compiled into the emulator.
  static const layer_history& builtin();

  /// The layers a schema was read from, oldest first.
  const std::vector<std::int32_t>& known_layers() const noexcept { return known_; }

  struct resolved {
    layer_schema schema;
    /// Constructors whose definition in this layer the history cannot tell: they differ between
    /// the nearest known layers around it (or exist in only one of them), so they are left out.
    std::vector<std::string> unknown;
  };
  /// The definitions `layer` has. A known layer's are exact; between two known layers, a
  /// definition both agree on (same constructor id) is taken as the layer's own. Throws
  /// schema_error outside the known layers.
  resolved resolve(std::int32_t layer) const;

  /// A function's constructor id in each known layer that has it (what a client sends).
  std::map<std::int32_t, std::uint32_t> function_ids(std::string_view name) const;

 private:
  struct definition {
    std::vector<std::int32_t> layers;
    std::string text;
    std::uint32_t id = 0;
  };
  const definition* at(const std::vector<definition>& history, std::int32_t layer) const noexcept;

  std::vector<std::int32_t> known_;
  std::map<std::string, std::vector<definition>, std::less<>> constructors_;
  std::map<std::string, std::vector<definition>, std::less<>> functions_;
};

}  // namespace mtproto::testdc
