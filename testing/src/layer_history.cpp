#include "mtproto/testdc/layer_history.h"

#include <algorithm>
#include <charconv>

#include <fmt/format.h>

namespace mtproto::testdc {

extern const std::string_view layer_history_text;  // layer_history_text.cpp, generated

namespace {

std::int32_t parse_layer(std::string_view word, std::string_view line) {
  std::int32_t layer = 0;
  const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), layer);
  if (ec != std::errc{} || end != word.data() + word.size() || layer <= 0) {
    throw schema_error(fmt::format("layer history: bad layer '{}' in: {}", word, line.substr(0, 80)));
  }
  return layer;
}

}  // namespace

layer_history::layer_history(std::string_view text) {
  std::size_t pos = 0;
  while (pos < text.size()) {
    auto eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    if (line.empty() || line.starts_with("//")) continue;
    bool function = false;
    if (line.starts_with("fn ")) {
      function = true;
      line.remove_prefix(3);
    }
    const auto colon = line.find(": ");
    if (colon == std::string_view::npos) throw schema_error(fmt::format("layer history: no ': ' in: {}", line.substr(0, 80)));
    definition d;
    std::string_view layers = line.substr(0, colon);
    while (!layers.empty()) {
      const auto space = layers.find(' ');
      d.layers.push_back(parse_layer(layers.substr(0, space), line));
      layers = space == std::string_view::npos ? std::string_view() : layers.substr(space + 1);
    }
    if (d.layers.empty()) throw schema_error(fmt::format("layer history: no layers in: {}", line.substr(0, 80)));
    d.text = std::string(line.substr(colon + 2));
    // Parsing it once here proves every definition well-formed before any layer is resolved.
    layer_schema probe(d.layers.front());
    probe.add(d.text);
    const std::string name = d.text.substr(0, d.text.find('#'));
    d.id = probe.find(name)->id;
    for (auto l : d.layers) known_.push_back(l);
    (function ? functions_ : constructors_)[name].push_back(std::move(d));
  }
  std::sort(known_.begin(), known_.end());
  known_.erase(std::unique(known_.begin(), known_.end()), known_.end());
  if (known_.empty()) throw schema_error("layer history: no definitions");
}

const layer_history& layer_history::builtin() {
  static const layer_history history(layer_history_text);
  return history;
}

const layer_history::definition* layer_history::at(const std::vector<definition>& history,
                                                   std::int32_t layer) const noexcept {
  for (const auto& d : history) {
    if (std::find(d.layers.begin(), d.layers.end(), layer) != d.layers.end()) return &d;
  }
  return nullptr;
}

layer_history::resolved layer_history::resolve(std::int32_t layer) const {
  if (layer < known_.front() || layer > known_.back()) {
    throw schema_error(fmt::format("layer {} is outside the layers the emulator knows ({}..{})", layer,
                                   known_.front(), known_.back()));
  }
  // The nearest known layers at or below and at or above (the same one for a known layer).
  const auto above = std::lower_bound(known_.begin(), known_.end(), layer);
  const std::int32_t hi = *above;
  const std::int32_t lo = hi == layer ? hi : *(above - 1);
  resolved out{layer_schema(layer), {}};
  for (const auto& [name, history] : constructors_) {
    const auto* below = at(history, lo);
    const auto* over = at(history, hi);
    if (below && over && below->id == over->id) {
      out.schema.add(below->text);
    } else if (below || over) {
      out.unknown.push_back(name);
    }
  }
  return out;
}

std::map<std::int32_t, std::uint32_t> layer_history::function_ids(std::string_view name) const {
  std::map<std::int32_t, std::uint32_t> ids;
  const auto it = functions_.find(name);
  if (it == functions_.end()) return ids;
  for (const auto& d : it->second) {
    for (auto l : d.layers) ids[l] = d.id;
  }
  return ids;
}

}  // namespace mtproto::testdc
