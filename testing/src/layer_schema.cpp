#include "mtproto/testdc/layer_schema.h"

#include <charconv>
#include <limits>

#include <fmt/format.h>

namespace mtproto::testdc {
namespace {

constexpr std::uint32_t vector_id = 0x1cb5c415;

std::vector<std::string_view> split_words(std::string_view text) {
  std::vector<std::string_view> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && text[i] == ' ') ++i;
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ') ++i;
    if (i > start) words.push_back(text.substr(start, i - start));
  }
  return words;
}

[[noreturn]] void malformed(std::string_view definition, std::string_view why) {
  throw schema_error(fmt::format("malformed definition ({}): {}", why, definition.substr(0, 80)));
}

/// "Vector<X>" -> "X"; empty when `type` is not a vector.
std::string_view vector_element(std::string_view type) {
  for (std::string_view prefix : {"Vector<", "vector<"}) {
    if (type.starts_with(prefix) && type.ends_with('>')) return type.substr(prefix.size(), type.size() - prefix.size() - 1);
  }
  return {};
}

/// Boxed types start with a capital letter after any namespace ("User", "auth.Authorization").
bool is_boxed(std::string_view type) {
  const auto dot = type.rfind('.');
  const auto start = dot == std::string_view::npos ? 0 : dot + 1;
  return start < type.size() && type[start] >= 'A' && type[start] <= 'Z';
}

/// A type name ends in a name, not a namespace dot ("auth." would leave is_boxed nothing to read).
bool is_type_name(std::string_view type) { return !type.empty() && !type.ends_with('.'); }

/// Whether a conditional field goes on the wire: set, and for a `true` flag, set to true.
bool is_present(const layer_schema::param& p, const tl_value* v) {
  if (!v) return false;
  if (p.type != "true") return true;
  const bool* b = std::get_if<bool>(&v->v);
  return b && *b;
}

}  // namespace

void layer_schema::add(std::string_view definition) {
  while (!definition.empty() && (definition.back() == ';' || definition.back() == ' ')) definition.remove_suffix(1);
  const auto words = split_words(definition);
  if (words.size() < 3 || words[words.size() - 2] != "=") malformed(definition, "no '= Type'");
  combinator c;
  const auto hash = words[0].find('#');
  if (hash == std::string_view::npos || hash == 0) malformed(definition, "no name#id");
  c.name = std::string(words[0].substr(0, hash));
  const auto id_text = words[0].substr(hash + 1);
  const auto [end, ec] = std::from_chars(id_text.data(), id_text.data() + id_text.size(), c.id, 16);
  if (ec != std::errc{} || end != id_text.data() + id_text.size() || id_text.empty()) malformed(definition, "bad id");
  if (!is_type_name(words.back())) malformed(definition, "bad result type");
  c.result = std::string(words.back());
  for (std::size_t i = 1; i + 2 < words.size(); ++i) {
    const auto w = words[i];
    if (w.starts_with('{')) continue;  // a function's type parameter
    const auto colon = w.find(':');
    if (colon == std::string_view::npos || colon == 0 || colon + 1 == w.size()) malformed(definition, "bad parameter");
    param p;
    p.name = std::string(w.substr(0, colon));
    std::string_view type = w.substr(colon + 1);
    if (const auto q = type.find('?'); q != std::string_view::npos) {
      const auto cond = type.substr(0, q);
      const auto dot = cond.find('.');
      if (dot == std::string_view::npos) malformed(definition, "bad condition");
      const auto flags_name = cond.substr(0, dot);
      for (std::size_t k = 0; k < c.params.size(); ++k) {
        if (c.params[k].type == "#" && c.params[k].name == flags_name) p.flags_param = static_cast<int>(k);
      }
      int bit = -1;
      const auto bit_text = cond.substr(dot + 1);
      const auto [bend, bec] = std::from_chars(bit_text.data(), bit_text.data() + bit_text.size(), bit);
      if (p.flags_param < 0 || bec != std::errc{} || bend != bit_text.data() + bit_text.size() || bit < 0 || bit > 31) {
        malformed(definition, "condition names no earlier flags word or a bad bit");
      }
      p.bit = bit;
      type = type.substr(q + 1);
    }
    if (!is_type_name(type)) malformed(definition, "empty type or a bare namespace");
    p.type = std::string(type);
    c.params.push_back(std::move(p));
  }
  combinators_.insert_or_assign(c.name, std::move(c));
}

const layer_schema::combinator* layer_schema::find(std::string_view name) const noexcept {
  const auto it = combinators_.find(name);
  return it == combinators_.end() ? nullptr : &it->second;
}

void layer_schema::write(tl::writer& w, const tl_object& object) const {
  const auto* c = find(object.constructor);
  if (!c) throw schema_error(fmt::format("layer {} has no constructor {}", layer_, object.constructor));
  w.write_uint(c->id);
  write_fields(w, *c, object);
}

void layer_schema::write_bare(tl::writer& w, const tl_object& object) const {
  const auto* c = find(object.constructor);
  if (!c) throw schema_error(fmt::format("layer {} has no constructor {}", layer_, object.constructor));
  write_fields(w, *c, object);
}

void layer_schema::write_fields(tl::writer& w, const combinator& c, const tl_object& object) const {
  // Every flags word first: a bit is set when any field it guards is present (several fields may
  // share one bit, e.g. user.bot and user.bot_info_version; then all of them are written).
  std::vector<std::uint32_t> flags(c.params.size(), 0);
  for (const auto& p : c.params) {
    if (p.flags_param >= 0 && is_present(p, object.find(p.name))) flags[p.flags_param] |= 1u << p.bit;
  }
  for (std::size_t i = 0; i < c.params.size(); ++i) {
    const auto& p = c.params[i];
    if (p.type == "#") {
      w.write_uint(flags[i]);
      continue;
    }
    if (p.flags_param >= 0 && !(flags[p.flags_param] & (1u << p.bit))) continue;
    write_value(w, p.type, object.find(p.name), c, p);
  }
}

void layer_schema::write_value(tl::writer& w, std::string_view type, const tl_value* value, const combinator& c,
                               const param& p) const {
  const auto wrong = [&](std::string_view what) {
    return schema_error(fmt::format("layer {}: {}.{} ({}): {}", layer_, c.name, p.name, type, what));
  };
  if (type == "true") return;  // the flag bit is the whole value
  const auto* integer = value ? std::get_if<std::int64_t>(&value->v) : nullptr;
  if (type == "int") {
    if (value && !integer) throw wrong("not an integer");
    const std::int64_t v = integer ? *integer : 0;
    if (v < std::numeric_limits<std::int32_t>::min() || v > std::numeric_limits<std::int32_t>::max()) {
      throw wrong("out of the int range");
    }
    w.write_int(static_cast<std::int32_t>(v));
  } else if (type == "long") {
    if (value && !integer) throw wrong("not an integer");
    w.write_long(integer ? *integer : 0);
  } else if (type == "double") {
    const auto* d = value ? std::get_if<double>(&value->v) : nullptr;
    if (value && !d) throw wrong("not a double");
    w.write_double(d ? *d : 0.0);
  } else if (type == "string" || type == "bytes") {
    const auto* s = value ? std::get_if<std::string>(&value->v) : nullptr;
    if (value && !s) throw wrong("not a string");
    const std::string_view text = s ? std::string_view(*s) : std::string_view();
    w.write_bytes(std::span(reinterpret_cast<const std::uint8_t*>(text.data()), text.size()));
  } else if (type == "Bool") {
    const auto* b = value ? std::get_if<bool>(&value->v) : nullptr;
    if (value && !b) throw wrong("not a bool");
    w.write_bool(b && *b);
  } else if (type == "int128" || type == "int256") {
    const std::size_t size = type == "int128" ? 16 : 32;
    const auto* s = value ? std::get_if<std::string>(&value->v) : nullptr;
    if (value && (!s || s->size() != size)) throw wrong("not that many bytes");
    const std::string zeros(size, '\0');
    const std::string& raw = s ? *s : zeros;
    w.write_raw(std::span(reinterpret_cast<const std::uint8_t*>(raw.data()), raw.size()));
  } else if (const auto element = vector_element(type); !element.empty()) {
    const auto* items = value ? std::get_if<std::vector<tl_value>>(&value->v) : nullptr;
    if (value && !items) throw wrong("not a vector");
    if (type.starts_with('V')) w.write_uint(vector_id);
    w.write_count(items ? items->size() : 0);
    if (items) {
      for (const auto& item : *items) write_value(w, element, &item, c, p);
    }
  } else {
    const auto* object = value ? std::get_if<tl_object>(&value->v) : nullptr;
    if (!object) throw wrong(value ? "not an object" : "required and unset");
    write_object(w, type, *object);
  }
}

void layer_schema::write_object(tl::writer& w, std::string_view type, const tl_object& object) const {
  const auto* c = find(object.constructor);
  if (!c) throw schema_error(fmt::format("layer {} has no constructor {}", layer_, object.constructor));
  if (is_boxed(type)) {
    if (c->result != type) {
      throw schema_error(fmt::format("layer {}: {} is a {}, not a {}", layer_, object.constructor, c->result, type));
    }
    w.write_uint(c->id);
  } else if (c->name != type) {
    throw schema_error(fmt::format("layer {}: {} where a bare {} belongs", layer_, object.constructor, type));
  }
  write_fields(w, *c, object);
}

std::vector<std::string> layer_schema::dropped_fields(const tl_object& object) const {
  std::vector<std::string> dropped;
  const auto* c = find(object.constructor);
  for (const auto& f : object.fields) {
    bool known = false;
    if (c) {
      for (const auto& p : c->params) known = known || p.name == f.name;
    }
    if (!known) dropped.push_back(fmt::format("{}.{}", object.constructor, f.name));
    const auto visit = [&](const tl_value& v, auto& self) -> void {
      if (const auto* o = std::get_if<tl_object>(&v.v)) {
        for (auto& d : dropped_fields(*o)) dropped.push_back(std::move(d));
      } else if (const auto* items = std::get_if<std::vector<tl_value>>(&v.v)) {
        for (const auto& item : *items) self(item, self);
      }
    };
    visit(f.value, visit);
  }
  return dropped;
}

}  // namespace mtproto::testdc
