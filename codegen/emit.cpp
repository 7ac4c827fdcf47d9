// File layout of the generated code:
//   include/<root>/<ns>/<Type>_box.h  the boxed class alone (constructors forward-declared); field
//                                     types of other structs include only these, so including
//                                     one type does not pull in the API
//   include/<root>/<ns>/<Type>.h      the boxed class and all its constructor structs
//   include/<root>/fn/<ns>/<name>.h   one function struct
//   include/<root>/registry.h         lookup of constructors/functions by id
//   src/<prefix>_NNN.cpp              member bodies, split into a fixed number of shards
//   src/<prefix>_registry.cpp         the id tables (needs no generated header)
#include <algorithm>
#include <functional>
#include <map>
#include <numeric>
#include <set>

#include "emitter.h"

namespace tlgen {
namespace {

std::string include_line(const std::string& h) { return "#include \"" + h + "\"\n"; }

std::string includes_block(std::vector<std::string> hs, const std::string& self) {
  std::sort(hs.begin(), hs.end());
  hs.erase(std::unique(hs.begin(), hs.end()), hs.end());
  std::string o;
  for (const auto& h : hs)
    if (h != self) o += include_line(h);
  return o;
}

// The export header's #include line, or "" without one.
std::string export_include(const emit_options& opts) {
  return opts.export_header.empty() ? std::string() : include_line(opts.export_header);
}

// Every declaration of an ops table carries the export macro, the registry's too: with hidden
// visibility a reference declared without it would hide the table in the linked library.
std::string ops_declaration(const emit_options& opts, const std::string& ops_name) {
  return "extern " + export_prefix(opts.export_macro) + "const ::mtproto::tl::ctor_ops " + ops_name + ";\n";
}

std::string detail_decls(const analysis& a, const emit_options& opts, const std::vector<const combinator_info*>& cs) {
  std::string o = "namespace " + ns_decl(root_qualified(a)) + "::tlgen_detail {\n";
  for (const auto* c : cs) o += ops_declaration(opts, c->ops_name);
  o += "}  // namespace " + ns_decl(root_qualified(a)) + "::tlgen_detail\n";
  return o;
}

std::string box_header(const analysis& a, const emit_options& opts, const boxed_info& b) {
  std::string o = banner;
  o += "// " + b.tl_name + ": the boxed class alone; its constructors are in " + b.header + "\n";
  o += "#pragma once\n\n#include \"mtproto/tl/object.h\"\n" + export_include(opts) + "\n";
  // Forward declarations, grouped by namespace (a constructor may live in another TL namespace).
  std::map<std::string, std::vector<std::string>> fwd;
  for (auto i : b.ctors) fwd[a.ctors[i].cpp_ns].push_back(a.ctors[i].cpp_name);
  for (const auto& [ns, names] : fwd) {
    o += "namespace " + ns_decl(ns) + " {\n";
    for (const auto& n : names) o += "struct " + n + ";\n";
    o += "}  // namespace " + ns_decl(ns) + "\n";
  }
  o += "\nnamespace " + ns_decl(b.cpp_ns) + " {\n\n";
  o += "/// " + b.tl_name + ": holds one of ";
  for (std::size_t i = 0; i < b.ctors.size(); ++i) o += (i ? ", " : "") + a.ctors[b.ctors[i]].c->name;
  o += " (or nothing, when default-constructed).\n";
  o += "class " + export_prefix(opts.export_macro) + b.cpp_name + " : public ::mtproto::tl::boxed<" + b.cpp_name;
  for (auto i : b.ctors) o += ",\n    " + a.ctors[i].qualified;
  o += "> {\n public:\n";
  o += "  using boxed::boxed;\n";
  o += "  static constexpr std::string_view tl_name = " + quote(b.tl_name) + ";\n";
  o += "  /// Reads a constructor id and that constructor; throws tl::decode_error on any other id.\n";
  o += "  static " + b.cpp_name + " read(::mtproto::tl::reader& tl_r);\n";
  o += "};\n\n";
  o += "}  // namespace " + ns_decl(b.cpp_ns) + "\n";
  return o;
}

// Constructors ordered so a struct used bare by a sibling is defined first.
std::vector<std::size_t> definition_order(const analysis& a, const boxed_info& b) {
  std::vector<std::size_t> order;
  std::set<std::size_t> done;
  std::function<void(std::size_t)> visit = [&](std::size_t i) {
    if (!done.insert(i).second) return;
    for (const auto& f : a.ctors[i].c->fields) {
      const type_expr* t = &f.type;
      while (t->k == type_expr::kind::vector || t->k == type_expr::kind::bare_vector) t = &t->element();
      if (t->k != type_expr::kind::bare) continue;
      const auto& dep = a.bare_ctor(*t);
      if (dep.type_key == b.tl_name) visit(a.ctor_by_name.at(dep.c->name));
    }
    order.push_back(i);
  };
  for (auto i : b.ctors) visit(i);
  return order;
}

std::string full_header(const analysis& a, const emit_options& opts, const boxed_info& b) {
  std::string o = banner;
  o += "// " + b.tl_name + " and its constructors.\n";
  o += "#pragma once\n\n#include <cstdint>\n#include <optional>\n#include <string>\n#include <vector>\n\n";
  o += "#include \"mtproto/tl/object.h\"\n" + export_include(opts);
  std::vector<std::string> inc{b.box_header};
  for (auto i : b.ctors) collect_includes(a, a.ctors[i], inc);
  o += includes_block(inc, b.header) + "\n";
  std::vector<const combinator_info*> cs;
  for (auto i : b.ctors) cs.push_back(&a.ctors[i]);
  o += detail_decls(a, opts, cs) + "\n";
  std::string current_ns;
  for (auto i : definition_order(a, b)) {
    const auto& ci = a.ctors[i];
    if (ci.cpp_ns != current_ns) {
      if (!current_ns.empty()) o += "}  // namespace " + ns_decl(current_ns) + "\n\n";
      o += "namespace " + ns_decl(ci.cpp_ns) + " {\n\n";
      current_ns = ci.cpp_ns;
    }
    o += struct_definition(a, ci, opts.export_macro) + "\n";
  }
  if (!current_ns.empty()) o += "}  // namespace " + ns_decl(current_ns) + "\n";
  return o;
}

std::string function_header(const analysis& a, const emit_options& opts, const combinator_info& fi) {
  std::string o = banner;
  o += "// Function " + fi.c->name + ".\n";
  o += "#pragma once\n\n#include <cstdint>\n#include <optional>\n#include <string>\n#include <vector>\n\n";
  o += "#include \"mtproto/tl/object.h\"\n";
  if (!fi.c->is_generic()) o += export_include(opts);
  std::vector<std::string> inc;
  collect_includes(a, fi, inc);
  o += includes_block(inc, fi.header) + "\n";
  if (!fi.c->is_generic()) o += detail_decls(a, opts, {&fi}) + "\n";
  o += "namespace " + ns_decl(fi.cpp_ns) + " {\n\n";
  o += struct_definition(a, fi, opts.export_macro) + "\n";
  o += "}  // namespace " + ns_decl(fi.cpp_ns) + "\n";
  return o;
}

std::string boxed_read_definition(const analysis& a, const boxed_info& b) {
  const auto d = ns_decl(b.qualified);
  std::string o = b.qualified + " " + d + "::read(::mtproto::tl::reader& tl_r) {\n";
  o += "  ::mtproto::tl::reader::depth_guard tl_guard(tl_r);\n";
  o += "  const std::uint32_t tl_id = tl_r.read_uint();\n";
  o += "  switch (tl_id) {\n";
  std::set<std::uint32_t> seen;
  for (auto i : b.ctors) {
    const auto& ci = a.ctors[i];
    if (!seen.insert(ci.c->id).second) continue;  // a duplicate id (reported by the analysis)
    o += "    case " + hex32(ci.c->id) + ": return " + b.cpp_name + "(" + ci.qualified + "::read_bare(tl_r));\n";
  }
  o += "    default: break;\n  }\n";
  o += "  ::mtproto::tl::throw_unexpected_constructor(tl_name, tl_id);\n";
  o += "}\n";
  const auto detail = ns_decl(root_qualified(a)) + "::tlgen_detail";
  o += "namespace " + detail + " {\n";
  o += "extern const ::mtproto::tl::boxed_type_info " + b.info_name + ";\n";
  o += "constinit const ::mtproto::tl::boxed_type_info " + b.info_name + " = ::mtproto::tl::boxed_type_info_for<" +
       b.qualified + ">();\n";
  o += "}  // namespace " + detail + "\n";
  return o;
}

// One unit of implementation work: a constructor (its boxed type's `read` goes with the first
// constructor of the type) or a function.
struct unit {
  const combinator_info* ci;
  const boxed_info* type_read;  // non-null: also define this boxed type's read
  std::size_t weight;
};

std::vector<unit> implementation_units(const analysis& a) {
  std::vector<unit> units;
  for (const auto& [name, b] : a.types) {
    bool first = true;
    for (auto i : b.ctors) {
      units.push_back({&a.ctors[i], first ? &b : nullptr, 4 + a.ctors[i].fields.size() + (first ? b.ctors.size() : 0)});
      first = false;
    }
  }
  std::vector<const combinator_info*> fns;
  for (const auto& f : a.functions)
    if (!f.c->is_generic()) fns.push_back(&f);
  std::sort(fns.begin(), fns.end(), [](auto* x, auto* y) { return x->header < y->header; });
  for (auto* f : fns) units.push_back({f, nullptr, 6 + f->fields.size()});
  return units;
}

std::string shard_name(const emit_options& o, int i) {
  return "src/" + o.source_prefix + "_" + shard_number(static_cast<std::size_t>(i)) + ".cpp";
}

std::vector<generated_file> shards(const analysis& a, const emit_options& opts) {
  const auto units = implementation_units(a);
  const std::size_t total = std::accumulate(units.begin(), units.end(), std::size_t{0},
                                            [](std::size_t s, const unit& u) { return s + u.weight; });
  const int n = std::max(1, opts.shards);
  std::vector<std::vector<const unit*>> parts(static_cast<std::size_t>(n));
  // Sequential fill keeps a type's constructors (and one namespace's functions) together, so
  // shards include few headers; the target weight keeps them about equal.
  std::size_t acc = 0;
  for (const auto& u : units) {
    const auto idx = std::min<std::size_t>(static_cast<std::size_t>(n) - 1, acc * static_cast<std::size_t>(n) / std::max<std::size_t>(total, 1));
    parts[idx].push_back(&u);
    acc += u.weight;
  }
  std::vector<generated_file> out;
  for (int i = 0; i < n; ++i) {
    std::string o = banner;
    o += "// Implementation shard " + std::to_string(i + 1) + " of " + std::to_string(n) + ".\n";
    std::vector<std::string> inc;
    for (const auto* u : parts[static_cast<std::size_t>(i)]) inc.push_back(u->ci->header);
    o += includes_block(inc, "");
    o += "#include \"mtproto/tl/ctor_ops_impl.h\"\n\n";
    for (const auto* u : parts[static_cast<std::size_t>(i)]) {
      if (u->type_read) o += boxed_read_definition(a, *u->type_read) + "\n";
      o += member_definitions(a, *u->ci) + "\n";
    }
    out.push_back({shard_name(opts, i), std::move(o)});
  }
  return out;
}

std::string registry_header(const analysis& a, const emit_options& opts) {
  const auto& layer = opts.layer;
  std::string o = banner;
  o += "// Lookup of this schema's constructors and functions by id (reading unknown objects,\n// fuzzing, servers).\n";
  o += "#pragma once\n\n#include \"mtproto/tl/schema_info.h\"\n" + export_include(opts) + "\n";
  o += "namespace " + ns_decl(root_qualified(a)) + " {\n\n";
  if (layer) o += "/// The `// LAYER N` this code was generated from.\ninline constexpr int layer = " + std::to_string(*layer) + ";\n\n";
  o += "/// Every constructor, function and boxed type of the schema, sorted by id / name.\n";
  o += export_prefix(opts.export_macro) + "const ::mtproto::tl::schema_info& schema() noexcept;\n\n";
  o += "}  // namespace " + ns_decl(root_qualified(a)) + "\n";
  return o;
}

std::string registry_source(const analysis& a, const emit_options& opts, const std::string& header) {
  std::string o = banner;
  o += include_line(header) + "\n";
  const auto root = ns_decl(root_qualified(a));
  o += "namespace " + root + "::tlgen_detail {\n";
  std::vector<const combinator_info*> cs, fs;
  for (const auto& c : a.ctors) cs.push_back(&c);
  for (const auto& f : a.functions)
    if (!f.c->is_generic()) fs.push_back(&f);
  auto by_id = [](auto* x, auto* y) { return x->c->id < y->c->id || (x->c->id == y->c->id && x->c->name < y->c->name); };
  std::stable_sort(cs.begin(), cs.end(), by_id);
  std::stable_sort(fs.begin(), fs.end(), by_id);
  for (auto* c : cs) o += ops_declaration(opts, c->ops_name);
  for (auto* f : fs) o += ops_declaration(opts, f->ops_name);
  for (const auto& [name, b] : a.types) o += "extern const ::mtproto::tl::boxed_type_info " + b.info_name + ";\n";
  o += "namespace {\n";
  auto table = [&](const char* name, const std::vector<const combinator_info*>& list) {
    o += "constexpr const ::mtproto::tl::ctor_ops* " + std::string(name) + "[] = {\n";
    for (auto* c : list) o += "    &" + c->ops_name + ",\n";
    if (list.empty()) o += "    nullptr,\n";
    o += "};\n";
  };
  table("constructors", cs);
  table("functions", fs);
  o += "constexpr const ::mtproto::tl::boxed_type_info* types[] = {\n";
  for (const auto& [name, b] : a.types) o += "    &" + b.info_name + ",\n";
  if (a.types.empty()) o += "    nullptr,\n";
  o += "};\n";
  o += "}  // namespace\n";
  o += "}  // namespace " + root + "::tlgen_detail\n\n";
  o += "const ::mtproto::tl::schema_info& " + root + "::schema() noexcept {\n";
  o += "  static constexpr ::mtproto::tl::schema_info info{\n";
  o += "      " + quote(opts.source_prefix) + ",\n";
  o += "      {tlgen_detail::constructors, " + std::to_string(cs.size()) + "},\n";
  o += "      {tlgen_detail::functions, " + std::to_string(fs.size()) + "},\n";
  o += "      {tlgen_detail::types, " + std::to_string(a.types.size()) + "},\n";
  o += "  };\n";
  o += "  return info;\n";
  o += "}\n";
  return o;
}

}  // namespace

std::string shard_number(std::size_t i) {
  std::string s = std::to_string(i);
  return std::string(s.size() < 3 ? 3 - s.size() : 0, '0') + s;
}

std::vector<generated_file> emit(const analysis& a, const emit_options& opts) {
  std::vector<generated_file> out;
  for (const auto& [name, b] : a.types) {
    out.push_back({"include/" + b.box_header, box_header(a, opts, b)});
    out.push_back({"include/" + b.header, full_header(a, opts, b)});
  }
  for (const auto& f : a.functions) out.push_back({"include/" + f.header, function_header(a, opts, f)});
  const auto reg = a.include_root + "/registry.h";
  out.push_back({"include/" + reg, registry_header(a, opts)});
  out.push_back({"src/" + opts.source_prefix + "_registry.cpp", registry_source(a, opts, reg)});
  for (auto& s : shards(a, opts)) out.push_back(std::move(s));
  if (opts.testing)
    for (auto& t : emit_testing(a, opts)) out.push_back(std::move(t));
  return out;
}

}  // namespace tlgen
