// The emulator's run-time TL schema (layer_schema) and layer history parsers, and the schema
// writer on what they accept. Byte 0 picks the mode: the rest as one definition, as lines of a
// layer history, or as definitions followed by an object built from their own parameters (every
// field set from the input, some with the wrong kind of value). Must hold: a refusal is
// schema_error and nothing else; an accepted definition round-trips its name; whatever is written
// is whole 4-byte words; a resolved layer's schema writes only what it was given.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "mtproto/testdc/layer_history.h"
#include "mtproto/testdc/layer_schema.h"

using namespace mtproto::testdc;

namespace {

constexpr std::size_t max_input = 8192;

std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto eol = text.find('\n');
    lines.push_back(text.substr(0, eol));
    text = eol == std::string_view::npos ? std::string_view() : text.substr(eol + 1);
  }
  return lines;
}

/// A value of the kind `type` asks for (or, when `wrong`, of another kind).
tl_value value_for(std::string_view type, std::uint8_t seed, bool wrong, int depth) {
  if (wrong) {
    switch (seed % 4) {
      case 0: return std::int64_t{seed} << 40;
      case 1: return std::string(seed % 7, 'x');
      case 2: return tl_object("nothing");
      default: return std::vector<tl_value>{true};
    }
  }
  if (type == "int" || type == "long") return std::int64_t{seed};
  if (type == "double") return static_cast<double>(seed);
  if (type == "string" || type == "bytes") return std::string(seed % 9, 'y');
  if (type == "Bool" || type == "true") return (seed & 1) != 0;
  if (type == "int128") return std::string(16, 'z');
  if (type == "int256") return std::string(32, 'z');
  if (type.starts_with("Vector<") || type.starts_with("vector<")) {
    std::vector<tl_value> items;
    if (depth < 2) {
      const auto element = type.substr(7, type.size() - 8);
      for (int i = 0; i < seed % 3; ++i) items.push_back(value_for(element, seed / 3, false, depth + 1));
    }
    return items;
  }
  return tl_object("nothing");
}

void check_written(const layer_schema& schema, const tl_object& o) {
  std::vector<std::uint8_t> out;
  mtproto::tl::writer w(out);
  try {
    schema.write(w, o);
  } catch (const schema_error&) {
    return;
  }
  if (out.size() % 4 != 0 || out.size() < 4) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2 || size > max_input) return 0;
  const std::uint8_t mode = data[0] % 3;
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  if (mode == 0) {
    layer_schema schema(1);
    try {
      schema.add(text);
    } catch (const schema_error&) {
      return 0;
    }
    // The name is the first word: leading spaces are not part of it.
    const auto start = text.find_first_not_of(' ');
    const auto hash = text.find('#');
    if (start == std::string_view::npos || hash == std::string_view::npos || hash < start) std::abort();
    const auto* c = schema.find(text.substr(start, hash - start));
    if (!c) std::abort();
    check_written(schema, tl_object(c->name));
    return 0;
  }
  if (mode == 1) {
    try {
      const layer_history history(text);
      const auto& known = history.known_layers();
      if (known.empty()) std::abort();
      for (auto layer : {known.front(), known.back(), (known.front() + known.back()) / 2}) {
        auto resolved = history.resolve(layer);
        if (resolved.schema.layer() != layer) std::abort();
      }
    } catch (const schema_error&) {
    }
    return 0;
  }
  layer_schema schema(1);
  const auto lines = lines_of(text);
  for (const auto line : lines) {
    try {
      schema.add(line);
    } catch (const schema_error&) {
    }
  }
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const auto hash = lines[i].find('#');
    if (hash == std::string_view::npos) continue;
    const auto* c = schema.find(lines[i].substr(0, hash));
    if (!c) continue;
    tl_object o(c->name);
    for (std::size_t k = 0; k < c->params.size(); ++k) {
      const auto seed = static_cast<std::uint8_t>(data[(i + k) % size]);
      if (seed % 5 == 0) continue;  // left unset
      o.set(c->params[k].name, value_for(c->params[k].type, seed, seed % 11 == 0, 0));
    }
    check_written(schema, o);
  }
  return 0;
}
