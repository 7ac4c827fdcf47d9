#include "analysis.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <functional>
#include <stdexcept>

namespace tlgen {
namespace {

// C++ keywords and alternative tokens, plus macros common C/POSIX headers define as plain words
// (a field called `major` or `errno` would otherwise be expanded by the preprocessor).
const std::set<std::string, std::less<>> reserved_words = {
    "alignas", "alignof", "and", "and_eq", "asm", "auto", "bitand", "bitor", "bool", "break", "case", "catch",
    "char", "char8_t", "char16_t", "char32_t", "class", "compl", "concept", "const", "consteval", "constexpr",
    "constinit", "const_cast", "continue", "co_await", "co_return", "co_yield", "decltype", "default", "delete",
    "do", "double", "dynamic_cast", "else", "enum", "explicit", "export", "extern", "false", "float", "for",
    "friend", "goto", "if", "inline", "int", "long", "mutable", "namespace", "new", "noexcept", "not", "not_eq",
    "nullptr", "operator", "or", "or_eq", "private", "protected", "public", "register", "reinterpret_cast",
    "requires", "return", "short", "signed", "sizeof", "static", "static_assert", "static_cast", "struct",
    "switch", "template", "this", "thread_local", "throw", "true", "try", "typedef", "typeid", "typename",
    "union", "unsigned", "using", "virtual", "void", "volatile", "wchar_t", "while", "xor", "xor_eq",
    "final", "override", "import", "module",
    "errno", "major", "minor", "makedev", "NULL", "EOF", "stdin", "stdout", "stderr", "linux", "unix", "i386",
    "assert", "offsetof", "TRUE", "FALSE", "DOMAIN", "EDOM", "ERANGE"};

// Member names the generated structs use themselves; a TL field of that name gets a '_' appended.
const std::set<std::string, std::less<>> reserved_members = {
    "constructor_id", "tl_name", "tl_ops", "boxed_type", "result_type", "write", "write_bare", "read",
    "read_bare", "read_result", "write_result", "format_to"};

std::string escape_identifier(const std::string& name) {
  std::string s = name;
  while (reserved_words.count(s)) s += '_';
  return s;
}

std::vector<std::string> split(const std::string& s, const std::string& sep) {
  std::vector<std::string> out;
  std::size_t pos = 0;
  for (;;) {
    const auto next = s.find(sep, pos);
    out.push_back(s.substr(pos, next == std::string::npos ? std::string::npos : next - pos));
    if (next == std::string::npos) break;
    pos = next + sep.size();
  }
  return out;
}

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

struct tl_name_parts {
  std::vector<std::string> ns;  // TL namespaces
  std::string base;
};

tl_name_parts split_tl_name(const std::string& name) {
  auto parts = split(name, ".");
  tl_name_parts out;
  out.base = parts.back();
  parts.pop_back();
  out.ns = std::move(parts);
  return out;
}

std::string mangle(const std::string& tl_name) {
  std::string s;
  for (char c : tl_name) s += c == '.' ? std::string("__") : std::string(1, c);
  return s;
}

// Hands out file paths that stay distinct when compared case-insensitively (upload/File.h and
// upload/file.h would be one file on macOS and Windows).
class path_allocator {
 public:
  std::string take(const std::string& dir, const std::string& stem, const std::string& ext) {
    std::string path = dir + stem + ext;
    for (int n = 2; used_.count(lower(path)); ++n) path = dir + stem + "_" + std::to_string(n) + ext;
    used_.insert(lower(path));
    return path;
  }
  void reserve(const std::string& path) { used_.insert(lower(path)); }

 private:
  std::set<std::string> used_;
};

std::string hex_id(std::uint32_t id) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%08x", id);
  return buf;
}

}  // namespace

const combinator_info& analysis::bare_ctor(const type_expr& t) const {
  if (auto it = ctor_by_name.find(t.name); it != ctor_by_name.end()) return ctors[it->second];
  const auto& b = types.at(t.name);
  return ctors[b.ctors.front()];
}

const boxed_info& analysis::boxed(const type_expr& t) const { return types.at(t.name); }

std::string tl_type_text(const type_expr& t) {
  using k = type_expr::kind;
  switch (t.k) {
    case k::int_: return "int";
    case k::long_: return "long";
    case k::double_: return "double";
    case k::string: return "string";
    case k::bytes: return "bytes";
    case k::int128: return "int128";
    case k::int256: return "int256";
    case k::bool_: return "Bool";
    case k::true_: return "true";
    case k::flags: return "#";
    case k::vector: return "Vector<" + tl_type_text(t.element()) + ">";
    case k::bare_vector: return "vector<" + tl_type_text(t.element()) + ">";
    case k::boxed: return t.name;
    case k::bare: return "%" + t.name;
    case k::generic: return "!" + t.name;
  }
  return "?";
}

std::string cpp_type(const analysis& a, const type_expr& t) {
  using k = type_expr::kind;
  switch (t.k) {
    case k::int_: return "std::int32_t";
    case k::long_: return "std::int64_t";
    case k::double_: return "double";
    case k::string: return "std::string";
    case k::bytes: return "::mtproto::tl::bytes";
    case k::int128: return "::mtproto::tl::int128";
    case k::int256: return "::mtproto::tl::int256";
    case k::bool_: return "bool";
    case k::true_: return "bool";
    case k::flags: return "std::uint32_t";
    case k::vector:
    case k::bare_vector: return "std::vector<" + cpp_type(a, t.element()) + ">";
    case k::boxed: return a.boxed(t).qualified;
    case k::bare: return a.bare_ctor(t).qualified;
    case k::generic: return t.name;
  }
  return "void";
}

std::string cpp_field_type(const analysis& a, const field& f) {
  if (f.type.k == type_expr::kind::true_) return "bool";
  if (f.cond) return "std::optional<" + cpp_type(a, f.type) + ">";
  return cpp_type(a, f.type);
}

std::size_t min_encoded_size(const analysis& a, const type_expr& t) {
  using k = type_expr::kind;
  switch (t.k) {
    case k::int_: return 4;
    case k::long_: return 8;
    case k::double_: return 8;
    case k::string:
    case k::bytes: return 4;
    case k::int128: return 16;
    case k::int256: return 32;
    case k::bool_: return 4;
    case k::true_: return 0;
    case k::flags: return 4;
    case k::vector: return 8;
    case k::bare_vector: return 4;
    case k::boxed: return 4;
    case k::generic: return 4;
    case k::bare: {
      std::size_t n = 0;
      for (const auto& f : a.bare_ctor(t).c->fields)
        if (!f.cond) n += min_encoded_size(a, f.type);
      return n;
    }
  }
  return 0;
}

analysis analyze(schema& s, const options& opts) {
  analysis a;
  a.opts = opts;
  auto report = [&](diagnostic::level lvl, const combinator& c, std::string msg) {
    s.diagnostics.push_back({lvl, c.file, c.line, std::move(msg)});
  };

  a.root_parts = split(opts.root_namespace, "::");
  for (const auto& p : a.root_parts)
    if (p.empty() || !std::isalpha(static_cast<unsigned char>(p[0])) || reserved_words.count(p))
      throw std::invalid_argument("invalid namespace '" + opts.root_namespace + "'");
  for (const auto& p : a.root_parts) a.include_root += (a.include_root.empty() ? "" : "/") + p;
  std::string root_qualified;
  for (const auto& p : a.root_parts) root_qualified += "::" + p;

  // Ids: declared vs computed, and duplicates.
  auto check_ids = [&](const std::vector<combinator>& list) {
    std::map<std::uint32_t, const combinator*> seen;
    for (const auto& c : list) {
      if (c.explicit_id && c.id != c.computed_id) {
        ++a.id_mismatches;
        report(opts.strict ? diagnostic::level::error : diagnostic::level::warning, c,
               c.name + ": declared id #" + hex_id(c.id) + " differs from the CRC32 of its declaration #" +
                   hex_id(c.computed_id));
      }
      if (auto [it, fresh] = seen.emplace(c.id, &c); !fresh)
        report(diagnostic::level::warning, c,
               c.name + " reuses id #" + hex_id(c.id) + " of " + it->second->name +
                   " (only the first is found when reading by id)");
    }
  };
  check_ids(s.constructors);
  check_ids(s.functions);

  // Boxed types and their constructors.
  for (const auto& c : s.constructors) {
    if (c.result.k == type_expr::kind::bool_) {
      ++a.bool_constructors;
      continue;
    }
    combinator_info ci;
    ci.c = &c;
    ci.type_key = c.result.name;
    a.ctor_by_name.emplace(c.name, a.ctors.size());
    a.types[c.result.name].tl_name = c.result.name;
    a.types[c.result.name].ctors.push_back(a.ctors.size());
    a.ctors.push_back(std::move(ci));
  }
  for (const auto& f : s.functions) {
    combinator_info fi;
    fi.c = &f;
    a.functions.push_back(std::move(fi));
  }

  // Every referenced type must exist; bare references must name exactly one constructor.
  std::function<bool(const type_expr&, const combinator&)> check_type = [&](const type_expr& t, const combinator& c) {
    using k = type_expr::kind;
    if (t.k == k::vector || t.k == k::bare_vector) return check_type(t.element(), c);
    if (t.k == k::boxed && !a.types.count(t.name)) {
      report(diagnostic::level::error, c, c.name + " uses undeclared type " + t.name);
      return false;
    }
    if (t.k == k::bare && !a.ctor_by_name.count(t.name)) {
      auto it = a.types.find(t.name);
      if (it == a.types.end() || it->second.ctors.size() != 1) {
        report(diagnostic::level::error, c,
               c.name + " uses bare %" + t.name + ", which is neither a constructor nor a type with one constructor");
        return false;
      }
    }
    return true;
  };
  for (auto* list : {&a.ctors, &a.functions})
    for (const auto& ci : *list) {
      for (const auto& f : ci.c->fields) check_type(f.type, *ci.c);
      if (ci.c->is_function) check_type(ci.c->result, *ci.c);
    }
  for (const auto& d : s.diagnostics)
    if (d.lvl == diagnostic::level::error) return a;

  // A constructor must not contain itself bare (directly or through other bare fields).
  for (const auto& ci : a.ctors) {
    std::set<std::string> path;
    std::function<bool(const combinator&)> cyclic = [&](const combinator& c) {
      if (!path.insert(c.name).second) return true;
      for (const auto& f : c.fields) {
        const type_expr* t = &f.type;
        while (t->k == type_expr::kind::vector || t->k == type_expr::kind::bare_vector) t = &t->element();
        if (t->k == type_expr::kind::bare && t == &f.type && !f.cond && cyclic(*a.bare_ctor(*t).c)) return true;
      }
      path.erase(c.name);
      return false;
    };
    if (cyclic(*ci.c)) report(diagnostic::level::error, *ci.c, ci.c->name + " contains itself as a bare field");
  }

  // C++ names per namespace: TL sub-namespaces first, then boxed types, constructors, functions.
  std::map<std::string, std::set<std::string>> used;  // C++ namespace -> names taken there
  auto ns_of = [&](const std::vector<std::string>& tl_ns) {
    std::string q = root_qualified;
    for (const auto& p : tl_ns) q += "::" + escape_identifier(p);
    return q;
  };
  used[root_qualified].insert("tlgen_detail");
  auto claim_namespaces = [&](const std::string& tl_name) {
    auto parts = split_tl_name(tl_name);
    std::string q = root_qualified;
    for (const auto& p : parts.ns) {
      used[q].insert(escape_identifier(p));
      q += "::" + escape_identifier(p);
    }
  };
  for (const auto& [name, b] : a.types) claim_namespaces(name);
  for (auto* list : {&a.ctors, &a.functions})
    for (const auto& ci : *list) claim_namespaces(ci.c->name);
  auto claim = [&](const std::string& ns, const std::string& wanted) {
    std::string n = escape_identifier(wanted);
    while (used[ns].count(n)) n += '_';
    used[ns].insert(n);
    return n;
  };

  path_allocator paths;
  paths.reserve(a.include_root + "/registry.h");
  auto dir_of = [&](const std::vector<std::string>& tl_ns, const char* sub) {
    std::string d = a.include_root + "/" + sub;
    for (const auto& p : tl_ns) d += p + "/";
    return d;
  };
  for (auto& [name, b] : a.types) {
    const auto parts = split_tl_name(name);
    b.cpp_ns = ns_of(parts.ns);
    b.cpp_name = claim(b.cpp_ns, parts.base);
    b.qualified = b.cpp_ns + "::" + b.cpp_name;
    b.info_name = "t_" + mangle(name);
    b.header = paths.take(dir_of(parts.ns, ""), parts.base, ".h");
    b.box_header = paths.take(dir_of(parts.ns, ""), parts.base, "_box.h");
  }
  auto name_fields = [&](combinator_info& ci) {
    std::map<std::pair<std::string, int>, int> bit_users;
    // A value shares its bit when any other field (a value or a flag-only true) uses the same bit:
    // then the bit can be set while this value is absent, and the value must still be written.
    for (const auto& f : ci.c->fields)
      if (f.cond) ++bit_users[{f.cond->flags_field, f.cond->bit}];
    std::set<std::string> taken;
    for (const auto& f : ci.c->fields) {
      field_info fi;
      fi.f = &f;
      std::string n = escape_identifier(f.name);
      while (reserved_members.count(n) || n == ci.cpp_name || taken.count(n)) n += '_';
      taken.insert(n);
      fi.cpp_name = n;
      fi.shares_bit = f.cond && f.type.k != type_expr::kind::true_ && bit_users[{f.cond->flags_field, f.cond->bit}] > 1;
      ci.fields.push_back(std::move(fi));
    }
  };
  for (auto& ci : a.ctors) {
    const auto parts = split_tl_name(ci.c->name);
    ci.cpp_ns = ns_of(parts.ns);
    ci.cpp_name = claim(ci.cpp_ns, parts.base);
    ci.qualified = ci.cpp_ns + "::" + ci.cpp_name;
    ci.ops_name = "c_" + mangle(ci.c->name);
    ci.header = a.types.at(ci.type_key).header;
    name_fields(ci);
  }
  for (auto& fi : a.functions) {
    const auto parts = split_tl_name(fi.c->name);
    fi.cpp_ns = ns_of(parts.ns);
    fi.cpp_name = claim(fi.cpp_ns, parts.base);
    fi.qualified = fi.cpp_ns + "::" + fi.cpp_name;
    fi.ops_name = "f_" + mangle(fi.c->name);
    fi.header = paths.take(dir_of(parts.ns, "fn/"), parts.base, ".h");
    name_fields(fi);
  }
  return a;
}

}  // namespace tlgen
