// Test helpers (with --testing): a function per constructor, function and boxed type that builds
// a random value, and a table of all of them, so a test can round-trip every type of a schema
// without naming any. Values respect the wire rules: fields sharing a flag bit are all present or
// all absent, and recursion stops at the random source's depth limit by choosing, per boxed type,
// the constructor with the shallowest mandatory nesting.
#include <algorithm>
#include <climits>
#include <map>
#include <numeric>

#include "emitter.h"

namespace tlgen {
namespace {

using k = type_expr::kind;

std::string pad(int n) { return std::string(static_cast<std::size_t>(n), ' '); }

constexpr int infinite = INT_MAX / 2;

// Nesting depth a value of each constructor needs at least (vectors may be empty and optional
// fields absent, so only mandatory fields count). Boxed types take their shallowest constructor.
struct heights {
  std::vector<int> ctor;
  std::map<std::string, std::size_t> terminal;  // boxed type -> index of its shallowest constructor
};

heights compute_heights(const analysis& a) {
  heights h;
  h.ctor.assign(a.ctors.size(), infinite);
  auto type_height = [&](const type_expr& t) -> int {
    switch (t.k) {
      case k::boxed: {
        int best = infinite;
        for (auto i : a.boxed(t).ctors) best = std::min(best, h.ctor[i]);
        return best;
      }
      case k::bare: return h.ctor[a.ctor_by_name.at(a.bare_ctor(t).c->name)];
      default: return 0;
    }
  };
  for (bool changed = true; changed;) {
    changed = false;
    for (std::size_t i = 0; i < a.ctors.size(); ++i) {
      int v = 0;
      for (const auto& f : a.ctors[i].c->fields)
        if (!f.cond && f.type.k != k::vector && f.type.k != k::bare_vector)
          v = std::max(v, type_height(f.type) == infinite ? infinite : type_height(f.type) + 1);
      if (v < h.ctor[i]) {
        h.ctor[i] = v;
        changed = true;
      }
    }
  }
  for (const auto& [name, b] : a.types) {
    std::size_t best = b.ctors.front();
    for (auto i : b.ctors)
      if (h.ctor[i] < h.ctor[best]) best = i;
    h.terminal[name] = best;
  }
  return h;
}

std::string rnd_ctor(const combinator_info& ci) { return "rnd_" + ci.ops_name; }
std::string rnd_type(const boxed_info& b) { return "rnd_" + b.info_name; }

std::string value_expr(const analysis& a, const type_expr& t) {
  switch (t.k) {
    case k::int_: return "tl_g.int32()";
    case k::long_: return "tl_g.int64()";
    case k::double_: return "tl_g.real()";
    case k::string: return "tl_g.text()";
    case k::bytes: return "tl_g.blob()";
    case k::int128: return "tl_g.i128()";
    case k::int256: return "tl_g.i256()";
    case k::bool_: return "tl_g.coin()";
    case k::boxed: return rnd_type(a.boxed(t)) + "(tl_g, tl_depth + 1)";
    case k::bare: return rnd_ctor(a.bare_ctor(t)) + "(tl_g, tl_depth + 1)";
    default: return "";
  }
}

void random_into(const analysis& a, const type_expr& t, const std::string& target, int ind, int depth, std::string& o) {
  const auto p = pad(ind);
  if (auto e = value_expr(a, t); !e.empty()) {
    o += p + target + " = " + e + ";\n";
    return;
  }
  const auto n = "tl_n" + std::to_string(depth);
  const auto i = "tl_i" + std::to_string(depth);
  o += p + "for (std::size_t " + i + " = 0, " + n + " = tl_g.count(tl_depth); " + i + " < " + n + "; ++" + i + ") {\n";
  const auto tmp = "tl_e" + std::to_string(depth);
  o += p + "  " + cpp_type(a, t.element()) + " " + tmp + ";\n";
  random_into(a, t.element(), tmp, ind + 2, depth + 1, o);
  o += p + "  " + target + ".push_back(std::move(" + tmp + "));\n";
  o += p + "}\n";
}

std::string random_fields_body(const analysis& a, const combinator_info& ci) {
  std::string o = "  " + ci.qualified + " tl_v;\n";
  std::map<std::pair<std::string, int>, std::string> bits;
  for (const auto& fi : ci.fields) {
    const auto& f = *fi.f;
    if (f.type.k == k::flags) continue;
    if (f.cond) {
      auto key = std::make_pair(f.cond->flags_field, f.cond->bit);
      auto it = bits.find(key);
      if (it == bits.end()) {
        const auto var = "tl_" + f.cond->flags_field + "_" + std::to_string(f.cond->bit);
        o += "  const bool " + var + " = tl_g.present(tl_depth);\n";
        it = bits.emplace(key, var).first;
      }
      if (f.type.k == k::true_) {
        o += "  tl_v." + fi.cpp_name + " = " + it->second + ";\n";
        continue;
      }
      o += "  if (" + it->second + ") {\n";
      o += "    auto& tl_o = tl_v." + fi.cpp_name + ".emplace();\n";
      random_into(a, f.type, "tl_o", 4, 0, o);
      o += "  }\n";
      continue;
    }
    random_into(a, f.type, "tl_v." + fi.cpp_name, 2, 0, o);
  }
  o += "  (void)tl_g;\n  (void)tl_depth;\n  return tl_v;\n";
  return o;
}

// rnd_X (a random value) and make_X (the same wrapped in a tl::object, for the table).
std::string random_function(const analysis& a, const combinator_info& c, const std::string& tns,
                            const std::string& src) {
  std::string o = c.qualified + " " + tns + "::" + rnd_ctor(c) + "(" + src + "& tl_g, int tl_depth) {\n" +
                  random_fields_body(a, c) + "}\n";
  o += "::mtproto::tl::object " + tns + "::make_" + c.ops_name + "(" + src + "& tl_g) {\n";
  o += "  return ::mtproto::tl::object::from(" + rnd_ctor(c) + "(tl_g, 0));\n}\n";
  return o;
}

std::string testing_ns(const analysis& a) { return ns_decl(root_qualified(a)) + "::tlgen_testing"; }

}  // namespace

std::vector<generated_file> emit_testing(const analysis& a, const emit_options& opts) {
  const auto h = compute_heights(a);
  std::vector<generated_file> out;
  const auto tns = testing_ns(a);
  const std::string src = "::mtproto::tl::testing::random_source";
  const auto decls_header = a.include_root + "/testing_decls.h";
  const auto public_header = a.include_root + "/testing.h";

  std::vector<const combinator_info*> fns;
  for (const auto& f : a.functions)
    if (!f.c->is_generic()) fns.push_back(&f);

  // Declarations of every random-value function (types only forward-declared).
  {
    std::string o = banner;
    o += "// Random-value functions of every type, shared by the testing shards.\n#pragma once\n\n";
    o += "#include \"tl_random.h\"\n\n";
    std::map<std::string, std::vector<std::string>> fwd;
    for (const auto& [name, b] : a.types) fwd[b.cpp_ns].push_back("class " + b.cpp_name + ";");
    for (const auto& c : a.ctors) fwd[c.cpp_ns].push_back("struct " + c.cpp_name + ";");
    for (const auto* f : fns) fwd[f->cpp_ns].push_back("struct " + f->cpp_name + ";");
    for (const auto& [ns, names] : fwd) {
      o += "namespace " + ns_decl(ns) + " {\n";
      for (const auto& n : names) o += n + "\n";
      o += "}  // namespace " + ns_decl(ns) + "\n";
    }
    o += "\nnamespace mtproto::tl {\nclass object;\n}  // namespace mtproto::tl\n";
    o += "\nnamespace " + tns + " {\n";
    for (const auto& [name, b] : a.types) o += b.qualified + " " + rnd_type(b) + "(" + src + "& tl_g, int tl_depth);\n";
    for (const auto& c : a.ctors) o += c.qualified + " " + rnd_ctor(c) + "(" + src + "& tl_g, int tl_depth);\n";
    for (const auto* f : fns) o += f->qualified + " " + rnd_ctor(*f) + "(" + src + "& tl_g, int tl_depth);\n";
    for (const auto& c : a.ctors) o += "::mtproto::tl::object make_" + c.ops_name + "(" + src + "& tl_g);\n";
    for (const auto* f : fns) o += "::mtproto::tl::object make_" + f->ops_name + "(" + src + "& tl_g);\n";
    o += "}  // namespace " + tns + "\n";
    out.push_back({"testing/" + decls_header, o});
  }
  {
    std::string o = banner;
    o += "// Random values of every constructor and function of the schema, for round-trip tests.\n";
    o += "#pragma once\n\n#include <span>\n\n#include \"mtproto/tl/object.h\"\n#include \"tl_random.h\"\n\n";
    o += "namespace " + ns_decl(root_qualified(a)) + "::testing {\n\n";
    o += "struct sample {\n";
    o += "  const ::mtproto::tl::ctor_ops* ops;\n";
    o += "  ::mtproto::tl::object (*make)(" + src + "& g);\n";
    o += "};\n\n";
    o += "/// One entry per constructor and per non-generic function, sorted by name.\n";
    o += "std::span<const sample> samples();\n\n";
    o += "}  // namespace " + ns_decl(root_qualified(a)) + "::testing\n";
    out.push_back({"testing/" + public_header, o});
  }

  // Implementation shards: the same partition idea as the library's (sequential, by weight).
  struct unit {
    std::string header;
    std::string code;
    std::size_t weight;
  };
  std::vector<unit> units;
  for (const auto& [name, b] : a.types) {
    std::string o = b.qualified + " " + tns + "::" + rnd_type(b) + "(" + src + "& tl_g, int tl_depth) {\n";
    const auto& term = a.ctors[h.terminal.at(name)];
    if (h.ctor[h.terminal.at(name)] >= infinite)
      o += "  // " + name + " has no finite value; values are cut off by the depth limit.\n";
    o += "  if (tl_depth >= tl_g.max_depth()) return " + rnd_ctor(term) + "(tl_g, tl_depth);\n";
    o += "  switch (tl_g.below(" + std::to_string(b.ctors.size()) + ")) {\n";
    for (std::size_t i = 0; i < b.ctors.size(); ++i)
      o += "    case " + std::to_string(i) + ": return " + rnd_ctor(a.ctors[b.ctors[i]]) + "(tl_g, tl_depth);\n";
    o += "    default: return " + rnd_ctor(term) + "(tl_g, tl_depth);\n";
    o += "  }\n}\n";
    units.push_back({b.header, o, 2 + b.ctors.size()});
    for (auto i : b.ctors) {
      const auto& c = a.ctors[i];
      units.push_back({c.header, random_function(a, c, tns, src), 3 + c.fields.size()});
    }
  }
  for (const auto* f : fns)
    units.push_back({f->header, random_function(a, *f, tns, src), 3 + f->fields.size()});

  const std::size_t total = std::accumulate(units.begin(), units.end(), std::size_t{0},
                                            [](std::size_t s, const unit& u) { return s + u.weight; });
  const auto n = static_cast<std::size_t>(std::max(1, opts.shards));
  std::vector<std::vector<const unit*>> parts(n);
  std::size_t acc = 0;
  for (const auto& u : units) {
    parts[std::min(n - 1, acc * n / std::max<std::size_t>(total, 1))].push_back(&u);
    acc += u.weight;
  }
  for (std::size_t i = 0; i < n; ++i) {
    std::string o = banner;
    std::vector<std::string> inc;
    for (const auto* u : parts[i]) inc.push_back(u->header);
    std::sort(inc.begin(), inc.end());
    inc.erase(std::unique(inc.begin(), inc.end()), inc.end());
    for (const auto& hdr : inc) o += "#include \"" + hdr + "\"\n";
    o += "#include \"" + decls_header + "\"\n\n";
    for (const auto* u : parts[i]) o += u->code + "\n";
    out.push_back({"testing/" + opts.source_prefix + "_testing_" + shard_number(i) + ".cpp", o});
  }

  // The table: needs no type definitions, only the ops objects and the random functions.
  {
    std::string o = banner;
    o += "#include \"" + public_header + "\"\n";
    o += "#include \"" + decls_header + "\"\n\n";
    const auto root = ns_decl(root_qualified(a));
    o += "namespace " + root + "::tlgen_detail {\n";
    std::vector<const combinator_info*> all;
    for (const auto& c : a.ctors) all.push_back(&c);
    for (const auto* f : fns) all.push_back(f);
    std::sort(all.begin(), all.end(), [](auto* x, auto* y) {
      return x->c->name < y->c->name || (x->c->name == y->c->name && x->c->is_function < y->c->is_function);
    });
    for (const auto* c : all) o += "extern const ::mtproto::tl::ctor_ops " + c->ops_name + ";\n";
    o += "}  // namespace " + root + "::tlgen_detail\n\n";
    o += "std::span<const " + root + "::testing::sample> " + root + "::testing::samples() {\n";
    o += "  static const sample table[] = {\n";
    for (const auto* c : all)
      o += "      {&tlgen_detail::" + c->ops_name + ", &tlgen_testing::make_" + c->ops_name + "},\n";
    if (all.empty()) o += "      {nullptr, nullptr},\n";
    o += "  };\n";
    o += "  return {table, " + std::to_string(all.size()) + "};\n";
    o += "}\n";
    out.push_back({"testing/" + opts.source_prefix + "_testing_registry.cpp", o});
  }
  return out;
}

}  // namespace tlgen
