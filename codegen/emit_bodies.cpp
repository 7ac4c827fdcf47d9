// Member declarations and bodies of generated structs: write (flags computed from presence),
// read (with the constructor/field path added to decode errors), format, result handling.
#include <algorithm>
#include <cstdio>
#include <functional>

#include "emitter.h"

namespace tlgen {
namespace {

using k = type_expr::kind;

std::string pad(int n) { return std::string(static_cast<std::size_t>(n), ' '); }

bool is_scalar(const type_expr& t) {
  return t.k == k::int_ || t.k == k::long_ || t.k == k::double_ || t.k == k::int128 || t.k == k::int256;
}

// Statement that writes value `expr` of type `t` to tl_w.
void write_value(const analysis& a, const type_expr& t, const std::string& expr, int ind, int depth, std::string& o) {
  const auto p = pad(ind);
  switch (t.k) {
    case k::int_: o += p + "tl_w.write_int(" + expr + ");\n"; return;
    case k::long_: o += p + "tl_w.write_long(" + expr + ");\n"; return;
    case k::double_: o += p + "tl_w.write_double(" + expr + ");\n"; return;
    case k::string: o += p + "tl_w.write_string(" + expr + ");\n"; return;
    case k::bytes: o += p + "tl_w.write_bytes(" + expr + ");\n"; return;
    case k::int128: o += p + "tl_w.write_int128(" + expr + ");\n"; return;
    case k::int256: o += p + "tl_w.write_int256(" + expr + ");\n"; return;
    case k::bool_: o += p + "tl_w.write_bool(" + expr + ");\n"; return;
    case k::boxed:
    case k::generic: o += p + "(" + expr + ").write(tl_w);\n"; return;
    case k::bare: o += p + "(" + expr + ").write_bare(tl_w);\n"; return;
    case k::vector:
    case k::bare_vector: {
      const auto e = "tl_e" + std::to_string(depth);
      o += p + (t.k == k::vector ? "tl_w.write_vector_header(" : "tl_w.write_count(") + "(" + expr + ").size());\n";
      o += p + "for (const auto& " + e + " : " + expr + ") {\n";
      write_value(a, t.element(), e, ind + 2, depth + 1, o);
      o += p + "}\n";
      return;
    }
    case k::true_:
    case k::flags: return;
  }
  (void)a;
}

// Expression that reads one value of `t`, or "" when it needs statements (vectors).
std::string read_expr(const analysis& a, const type_expr& t) {
  switch (t.k) {
    case k::int_: return "tl_r.read_int()";
    case k::long_: return "tl_r.read_long()";
    case k::double_: return "tl_r.read_double()";
    case k::string: return "tl_r.read_string()";
    case k::bytes: return "tl_r.read_bytes()";
    case k::int128: return "tl_r.read_int128()";
    case k::int256: return "tl_r.read_int256()";
    case k::bool_: return "tl_r.read_bool()";
    case k::boxed: return a.boxed(t).qualified + "::read(tl_r)";
    case k::bare: return a.bare_ctor(t).qualified + "::read_bare(tl_r)";
    default: return "";
  }
}

// Statements that read a value of `t` into lvalue `target`.
void read_into(const analysis& a, const type_expr& t, const std::string& target, int ind, int depth, std::string& o) {
  const auto p = pad(ind);
  if (auto e = read_expr(a, t); !e.empty()) {
    o += p + target + " = " + e + ";\n";
    return;
  }
  // Vectors: the count is checked against the remaining input (at least min_encoded_size bytes per
  // element) before the loop; only fixed-size scalars reserve, so a hostile count cannot make us
  // allocate more than a small multiple of the input.
  const auto& elem = t.element();
  const auto n = "tl_n" + std::to_string(depth);
  const auto i = "tl_i" + std::to_string(depth);
  const auto min = std::to_string(min_encoded_size(a, elem));
  o += p + "{\n";
  o += p + "  const std::size_t " + n + " = tl_r." + (t.k == k::vector ? "read_vector_header(" : "read_count(") + min +
       ");\n";
  if (is_scalar(elem)) o += p + "  " + target + ".reserve(" + n + ");\n";
  o += p + "  for (std::size_t " + i + " = 0; " + i + " < " + n + "; ++" + i + ") {\n";
  if (auto e = read_expr(a, elem); !e.empty()) {
    o += p + "    " + target + ".push_back(" + e + ");\n";
  } else {
    const auto tmp = "tl_e" + std::to_string(depth);
    o += p + "    " + cpp_type(a, elem) + " " + tmp + ";\n";
    read_into(a, elem, tmp, ind + 4, depth + 1, o);
    o += p + "    " + target + ".push_back(std::move(" + tmp + "));\n";
  }
  o += p + "  }\n";
  o += p + "}\n";
}

bool needs_full_header(const type_expr& t) { return t.k == k::bare; }

const type_expr& innermost(const type_expr& t) {
  return (t.k == k::vector || t.k == k::bare_vector) ? innermost(t.element()) : t;
}

std::string flags_local(const std::string& flags_field) { return "tl_" + flags_field; }

std::string bit_mask(int bit) { return "(1u << " + std::to_string(bit) + ")"; }

}  // namespace

std::string ns_decl(const std::string& q) { return q.rfind("::", 0) == 0 ? q.substr(2) : q; }

std::string root_qualified(const analysis& a) {
  std::string q;
  for (const auto& p : a.root_parts) q += "::" + p;
  return q;
}

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

std::string quote(const std::string& s) { return "\"" + s + "\""; }

void collect_includes(const analysis& a, const combinator_info& ci, std::vector<std::string>& out) {
  auto add = [&](const type_expr& t0) {
    const auto& t = innermost(t0);
    if (t.k == k::boxed) out.push_back(a.boxed(t).box_header);
    if (needs_full_header(t)) out.push_back(a.bare_ctor(t).header);
  };
  for (const auto& f : ci.c->fields) add(f.type);
  if (ci.c->is_function) add(ci.c->result);
}

std::string write_bare_body(const analysis& a, const combinator_info& ci, int ind) {
  std::string o;
  const auto p = pad(ind);
  for (const auto& fi : ci.fields) {
    const auto& f = *fi.f;
    const std::string member = "this->" + fi.cpp_name;
    if (f.type.k == k::flags) {
      // The flags word is not stored: it is computed from which optional fields are present.
      const auto local = flags_local(f.name);
      o += p + "std::uint32_t " + local + " = 0;\n";
      for (const auto& gi : ci.fields) {
        if (!gi.f->cond || gi.f->cond->flags_field != f.name) continue;
        const std::string present =
            gi.f->type.k == k::true_ ? "this->" + gi.cpp_name : "this->" + gi.cpp_name + ".has_value()";
        o += p + "if (" + present + ") " + local + " |= " + bit_mask(gi.f->cond->bit) + ";\n";
      }
      o += p + "tl_w.write_uint(" + local + ");\n";
      continue;
    }
    if (f.type.k == k::true_) continue;
    if (!f.cond) {
      write_value(a, f.type, member, ind, 0, o);
      continue;
    }
    const auto test = flags_local(f.cond->flags_field) + " & " + bit_mask(f.cond->bit);
    if (!fi.shares_bit) {
      o += p + "if (" + member + ") {\n";
      write_value(a, f.type, "*" + member, ind + 2, 0, o);
      o += p + "}\n";
      continue;
    }
    // Other fields share this bit: once the bit is set this value is on the wire, so when it is
    // absent it is written as its zero value (or rejected when there is no such value).
    o += p + "if (" + test + ") {\n";
    o += p + "  if (" + member + ") {\n";
    write_value(a, f.type, "*" + member, ind + 4, 0, o);
    o += p + "  } else {\n";
    const auto& inner = f.type;
    if (inner.k == k::boxed || inner.k == k::bare || inner.k == k::generic)
      o += p + "    ::mtproto::tl::throw_missing_field(" + quote(ci.c->name) + ", " + quote(f.name) + ");\n";
    else
      write_value(a, f.type, cpp_type(a, f.type) + "{}", ind + 4, 0, o);
    o += p + "  }\n";
    o += p + "}\n";
  }
  if (o.empty()) o = p + "(void)tl_w;\n";
  return o;
}

std::string read_bare_body(const analysis& a, const combinator_info& ci, const std::string& type, int ind) {
  const auto p = pad(ind);
  std::string o;
  if (ci.fields.empty()) {
    o += p + "(void)tl_r;\n";
    o += p + "return " + type + "{};\n";
    return o;
  }
  o += p + type + " tl_v;\n";
  o += p + "const char* tl_field = \"\";\n";
  o += p + "try {\n";
  const auto q = pad(ind + 2);
  for (const auto& fi : ci.fields) {
    const auto& f = *fi.f;
    const std::string member = "tl_v." + fi.cpp_name;
    if (f.type.k == k::flags) {
      o += q + "tl_field = " + quote(f.name) + ";\n";
      o += q + "const std::uint32_t " + flags_local(f.name) + " = tl_r.read_uint();\n";
      const bool used = std::any_of(ci.fields.begin(), ci.fields.end(), [&](const field_info& g) {
        return g.f->cond && g.f->cond->flags_field == f.name;
      });
      if (!used) o += q + "(void)" + flags_local(f.name) + ";  // no field depends on it\n";
      continue;
    }
    const std::string test = f.cond ? flags_local(f.cond->flags_field) + " & " + bit_mask(f.cond->bit) : "";
    if (f.type.k == k::true_) {
      o += q + member + " = (" + test + ") != 0;\n";
      continue;
    }
    if (!f.cond) {
      o += q + "tl_field = " + quote(f.name) + ";\n";
      read_into(a, f.type, member, ind + 2, 0, o);
      continue;
    }
    o += q + "if (" + test + ") {\n";
    o += q + "  tl_field = " + quote(f.name) + ";\n";
    if (auto e = read_expr(a, f.type); !e.empty()) {
      o += q + "  " + member + " = " + e + ";\n";
    } else {
      o += q + "  auto& tl_o = " + member + ".emplace();\n";
      read_into(a, f.type, "tl_o", ind + 2, 0, o);
    }
    o += q + "}\n";
  }
  o += p + "} catch (::mtproto::tl::decode_error& tl_e) {\n";
  o += p + "  tl_e.add_context(" + quote(ci.c->name) + ", tl_field);\n";
  o += p + "  throw;\n";
  o += p + "}\n";
  o += p + "return tl_v;\n";
  return o;
}

std::string format_body(const analysis& a, const combinator_info& ci, int ind) {
  (void)a;
  const auto p = pad(ind);
  std::string o = p + "tl_t.open(" + quote(ci.c->name) + ");\n";
  for (const auto& fi : ci.fields) {
    const auto& f = *fi.f;
    if (f.type.k == k::flags) continue;
    const std::string member = "this->" + fi.cpp_name;
    if (f.type.k == k::true_) {
      o += p + "if (" + member + ") tl_t.flag(" + quote(f.name) + ");\n";
    } else if (f.cond) {
      o += p + "if (" + member + ") tl_t.field(" + quote(f.name) + ", *" + member + ");\n";
    } else {
      o += p + "tl_t.field(" + quote(f.name) + ", " + member + ");\n";
    }
  }
  o += p + "tl_t.close();\n";
  return o;
}

std::string read_result_body(const analysis& a, const combinator_info& ci, int ind) {
  const auto p = pad(ind);
  const auto& r = ci.c->result;
  if (r.k == k::generic) return p + "return " + r.name + "::read_result(tl_r);\n";
  if (auto e = read_expr(a, r); !e.empty()) return p + "return " + e + ";\n";
  std::string o = p + "result_type tl_v;\n";
  read_into(a, r, "tl_v", ind, 0, o);
  o += p + "return tl_v;\n";
  return o;
}

std::string write_result_body(const analysis& a, const combinator_info& ci, int ind) {
  const auto p = pad(ind);
  const auto& r = ci.c->result;
  if (r.k == k::generic) return p + r.name + "::write_result(tl_w, tl_v);\n";
  std::string o;
  write_value(a, r, "tl_v", ind, 0, o);
  return o;
}

std::string export_prefix(const std::string& export_macro) {
  return export_macro.empty() ? std::string() : export_macro + " ";
}

std::string struct_definition(const analysis& a, const combinator_info& ci, const std::string& export_macro) {
  const auto& c = *ci.c;
  const bool generic = c.is_generic();
  std::string o;
  o += "/// " + c.text + "\n";
  if (generic) {
    o += "template <";
    for (std::size_t i = 0; i < c.generic_params.size(); ++i)
      o += std::string(i ? ", " : "") + "class " + c.generic_params[i];
    o += ">\n";
  }
  const auto& n = ci.cpp_name;
  o += "struct " + (generic ? std::string() : export_prefix(export_macro)) + n + " {\n";
  o += "  static constexpr std::uint32_t constructor_id = " + hex32(c.id) + ";\n";
  o += "  static constexpr std::string_view tl_name = " + quote(c.name) + ";\n";
  if (!generic)
    o += "  static constexpr const ::mtproto::tl::ctor_ops* tl_ops = &" + root_qualified(a) + "::tlgen_detail::" +
         ci.ops_name + ";\n";
  if (c.is_function) {
    if (c.result.k == k::generic)
      o += "  using result_type = typename " + c.result.name + "::result_type;\n";
    else
      o += "  using result_type = " + cpp_type(a, c.result) + ";\n";
  } else {
    o += "  using boxed_type = " + a.types.at(ci.type_key).qualified + ";\n";
  }
  if (!ci.fields.empty()) o += "\n";
  for (const auto& fi : ci.fields) {
    if (fi.f->type.k == k::flags) {
      o += "  // " + fi.f->name + ":# is computed from the optional fields when writing\n";
      continue;
    }
    const auto t = cpp_field_type(a, *fi.f);
    // Every member has an initializer: scalars start at zero, and GCC's -Wmissing-field-initializers
    // stays quiet when a designated-initializer list leaves members out.
    o += "  " + t + " " + fi.cpp_name + "{};\n";
  }
  o += "\n";
  if (!generic) {
    o += "  /// Constructor id, then the fields.\n";
    o += "  void write(::mtproto::tl::writer& tl_w) const;\n";
    o += "  void write_bare(::mtproto::tl::writer& tl_w) const;\n";
    o += "  /// Expects this constructor's id first; throws tl::decode_error.\n";
    o += "  static " + n + " read(::mtproto::tl::reader& tl_r);\n";
    o += "  static " + n + " read_bare(::mtproto::tl::reader& tl_r);\n";
    if (c.is_function) {
      o += "  static result_type read_result(::mtproto::tl::reader& tl_r);\n";
      o += "  static void write_result(::mtproto::tl::writer& tl_w, const result_type& tl_v);\n";
    }
    o += "  void format_to(::mtproto::tl::text& tl_t) const;\n";
  } else {
    o += "  void write(::mtproto::tl::writer& tl_w) const {\n";
    o += "    tl_w.write_uint(constructor_id);\n";
    o += "    write_bare(tl_w);\n";
    o += "  }\n";
    o += "  void write_bare(::mtproto::tl::writer& tl_w) const {\n" + write_bare_body(a, ci, 4) + "  }\n";
    o += "  static result_type read_result(::mtproto::tl::reader& tl_r) {\n" + read_result_body(a, ci, 4) + "  }\n";
    o += "  static void write_result(::mtproto::tl::writer& tl_w, const result_type& tl_v) {\n" +
         write_result_body(a, ci, 4) + "  }\n";
    o += "  void format_to(::mtproto::tl::text& tl_t) const {\n" + format_body(a, ci, 4) + "  }\n";
  }
  o += "  friend bool operator==(const " + n + "&, const " + n + "&) = default;\n";
  o += "};\n";
  return o;
}

std::string member_definitions(const analysis& a, const combinator_info& ci) {
  const auto& c = *ci.c;
  const auto& q = ci.qualified;
  // Declarators are written without the leading "::": `T ::ns::T::f()` would parse as `T::ns::...`.
  const auto d = ns_decl(ci.qualified);
  std::string o;
  o += "// " + c.name + "\n";
  o += "void " + d + "::write(::mtproto::tl::writer& tl_w) const {\n";
  o += "  tl_w.write_uint(constructor_id);\n";
  o += "  write_bare(tl_w);\n";
  o += "}\n";
  o += "void " + d + "::write_bare(::mtproto::tl::writer& tl_w) const {\n" + write_bare_body(a, ci, 2) + "}\n";
  o += q + " " + d + "::read(::mtproto::tl::reader& tl_r) {\n";
  o += "  ::mtproto::tl::reader::depth_guard tl_guard(tl_r);\n";
  o += "  ::mtproto::tl::expect_constructor(tl_r, constructor_id, tl_name);\n";
  o += "  return read_bare(tl_r);\n";
  o += "}\n";
  o += q + " " + d + "::read_bare(::mtproto::tl::reader& tl_r) {\n" + read_bare_body(a, ci, q, 2) + "}\n";
  if (c.is_function) {
    o += q + "::result_type " + d + "::read_result(::mtproto::tl::reader& tl_r) {\n" + read_result_body(a, ci, 2) +
         "}\n";
    o += "void " + d + "::write_result(::mtproto::tl::writer& tl_w, const result_type& tl_v) {\n" +
         write_result_body(a, ci, 2) + "}\n";
  }
  o += "void " + d + "::format_to(::mtproto::tl::text& tl_t) const {\n" + format_body(a, ci, 2) + "}\n";
  std::string type_name =
      c.is_function ? tl_type_text(c.result) : a.types.at(ci.type_key).tl_name;
  o += "constinit const ::mtproto::tl::ctor_ops " + ns_decl(root_qualified(a)) + "::tlgen_detail::" + ci.ops_name +
       " = ::mtproto::tl::ctor_ops_for<" + q + ">(" + quote(type_name) + ", " +
       (c.is_function ? "true" : "false") + ");\n";
  return o;
}

}  // namespace tlgen
