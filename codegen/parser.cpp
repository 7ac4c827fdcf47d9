#include "parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <set>
#include <sstream>

#include "crc32.h"

namespace tlgen {
namespace {

// Declarations that define the wire primitives themselves; generated code never emits them.
const std::set<std::string, std::less<>> builtin_names = {"int",    "long",   "double", "string", "bytes",
                                                          "int128", "int256", "vector", "Vector"};

std::string trim(std::string_view s) {
  const auto b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return {};
  const auto e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

std::vector<std::string> split_ws(std::string_view s) {
  std::vector<std::string> out;
  std::istringstream in{std::string(s)};
  for (std::string tok; in >> tok;) out.push_back(tok);
  return out;
}

bool is_ident_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.'; }

// `name` or `ns.name`: every dot-separated part starts with a letter.
bool is_identifier(std::string_view s) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), is_ident_char)) return false;
  for (std::size_t start = 0;;) {
    const auto dot = s.find('.', start);
    const auto part = s.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (part.empty() || !std::isalpha(static_cast<unsigned char>(part.front()))) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// The part of a possibly namespaced name after the last '.'.
std::string_view base_name(std::string_view name) {
  const auto dot = name.rfind('.');
  return dot == std::string_view::npos ? name : name.substr(dot + 1);
}

bool starts_upper(std::string_view name) {
  const auto b = base_name(name);
  return !b.empty() && std::isupper(static_cast<unsigned char>(b.front()));
}

std::optional<int> layer_from_comment(std::string_view comment) {
  // "// LAYER 228"
  auto s = trim(comment);
  while (!s.empty() && s.front() == '/') s.erase(s.begin());
  const auto words = split_ws(s);
  if (words.size() == 2 && words[0] == "LAYER") {
    int v = 0;
    auto [p, ec] = std::from_chars(words[1].data(), words[1].data() + words[1].size(), v);
    if (ec == std::errc{} && p == words[1].data() + words[1].size()) return v;
  }
  return std::nullopt;
}

class declaration_parser {
 public:
  declaration_parser(schema& out, const std::string& file) : out_(out), file_(file) {}

  void add(const std::string& decl_text, int line, bool functions_section, file_counts& counts) {
    const auto tokens = split_ws(decl_text);
    if (tokens.empty()) return;
    const std::string& head = tokens.front();
    const auto hash = head.find('#');
    const std::string name = head.substr(0, hash);
    const bool has_id = hash != std::string::npos;
    if (has_id)
      (functions_section ? counts.functions : counts.constructors)++;
    else
      counts.other++;

    if (is_builtin(name, tokens)) return;

    combinator c;
    c.name = name;
    c.is_function = functions_section;
    c.file = file_;
    c.line = line;
    if (!is_identifier(name)) return error(line, "invalid combinator name '" + name + "'");

    // Declaration text without the id, for the CRC.
    std::string body = name;
    for (std::size_t i = 1; i < tokens.size(); ++i) body += ' ' + tokens[i];
    c.text = has_id ? head + body.substr(name.size()) : body;
    c.computed_id = declaration_id(body);
    if (has_id) {
      const std::string hex = head.substr(hash + 1);
      std::uint32_t id = 0;
      auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), id, 16);
      if (hex.empty() || hex.size() > 8 || ec != std::errc{} || p != hex.data() + hex.size())
        return error(line, "invalid constructor id '#" + hex + "' in " + name);
      c.id = id;
      c.explicit_id = true;
    } else {
      c.id = c.computed_id;
    }

    // Arguments up to '=', then the result type.
    std::size_t i = 1;
    for (; i < tokens.size() && tokens[i] != "="; ++i) {
      std::string tok = tokens[i];
      if (tok.front() == '{') {
        // {X:Type}
        if (tok.back() != '}' || tok.find(':') == std::string::npos)
          return error(line, "unsupported generic parameter '" + tok + "' in " + name);
        const auto inner = tok.substr(1, tok.size() - 2);
        const auto colon = inner.find(':');
        if (inner.substr(colon + 1) != "Type")
          return error(line, "generic parameter of kind other than Type in " + name);
        c.generic_params.push_back(inner.substr(0, colon));
        continue;
      }
      const auto colon = tok.find(':');
      if (colon == std::string::npos || colon == 0)
        return error(line, "unsupported argument '" + tok + "' in " + name);
      field f;
      f.name = tok.substr(0, colon);
      if (!is_identifier(f.name) || f.name.find('.') != std::string::npos)
        return error(line, "invalid field name '" + f.name + "' in " + name);
      std::string type_text = tok.substr(colon + 1);
      const auto q = type_text.find('?');
      if (q != std::string::npos) {
        // flags.N?Type
        const auto cond_text = type_text.substr(0, q);
        const auto dot = cond_text.find('.');
        if (dot == std::string::npos) return error(line, "bad condition '" + cond_text + "' in " + name);
        condition cnd;
        cnd.flags_field = cond_text.substr(0, dot);
        const auto bit_text = cond_text.substr(dot + 1);
        auto [p, ec] = std::from_chars(bit_text.data(), bit_text.data() + bit_text.size(), cnd.bit);
        if (ec != std::errc{} || p != bit_text.data() + bit_text.size() || cnd.bit < 0 || cnd.bit > 31)
          return error(line, "bad flag bit '" + cond_text + "' in " + name);
        const bool known = std::any_of(c.fields.begin(), c.fields.end(), [&](const field& g) {
          return g.name == cnd.flags_field && g.type.k == type_expr::kind::flags;
        });
        if (!known)
          return error(line, "condition on '" + cnd.flags_field + "', which is not an earlier # field, in " + name);
        f.cond = cnd;
        type_text = type_text.substr(q + 1);
      }
      std::string err;
      if (!parse_type(type_text, c.generic_params, f.type, err)) return error(line, err + " in " + name);
      if (f.type.k == type_expr::kind::true_ && !f.cond)
        return error(line, "field '" + f.name + "' of bare type true without a condition in " + name);
      for (const auto& g : c.fields)
        if (g.name == f.name) return error(line, "duplicate field '" + f.name + "' in " + name);
      c.fields.push_back(std::move(f));
    }
    if (i + 1 >= tokens.size()) return error(line, "missing result type in " + name);
    std::string result_text = tokens[i + 1];
    if (tokens.size() > i + 2) return error(line, "result type with parameters is not supported in " + name);
    std::string err;
    if (!parse_type(result_text, c.generic_params, c.result, err)) return error(line, err + " in " + name);
    if (!c.is_function) {
      if (c.result.k != type_expr::kind::boxed && c.result.k != type_expr::kind::bool_)
        return error(line, "constructor " + name + " must produce a boxed type");
      if (c.is_generic()) return error(line, "generic constructors are not supported: " + name);
    }
    for (const auto& g : c.generic_params) {
      const bool used = std::any_of(c.fields.begin(), c.fields.end(),
                                    [&](const field& f) { return f.type.k == type_expr::kind::generic && f.type.name == g; });
      if (!used) return error(line, "generic parameter " + g + " is not used as !" + g + " in " + name);
    }
    insert(std::move(c));
  }

 private:
  static bool is_builtin(const std::string& name, const std::vector<std::string>& tokens) {
    if (builtin_names.count(name)) return true;
    return std::any_of(tokens.begin(), tokens.end(), [](const std::string& t) {
      return t == "?" || t.front() == '[' || t.find("*[") != std::string::npos;
    });
  }

  void insert(combinator c) {
    auto& list = c.is_function ? out_.functions : out_.constructors;
    for (const auto& other : list) {
      if (other.name != c.name) continue;
      if (normalize_declaration(strip_id(other.text)) == normalize_declaration(strip_id(c.text)) && other.id == c.id)
        return;  // the same declaration in two files
      out_.diagnostics.push_back({diagnostic::level::error, c.file, c.line,
                                  "conflicting redeclaration of " + c.name + " (first at " + other.file + ":" +
                                      std::to_string(other.line) + ")"});
      return;
    }
    list.push_back(std::move(c));
  }

  static std::string strip_id(const std::string& text) {
    const auto hash = text.find('#');
    const auto space = text.find(' ');
    if (hash == std::string::npos || (space != std::string::npos && hash > space)) return text;
    return text.substr(0, hash) + (space == std::string::npos ? "" : text.substr(space));
  }

  void error(int line, std::string message) {
    out_.diagnostics.push_back({diagnostic::level::error, file_, line, std::move(message)});
  }

  schema& out_;
  const std::string& file_;
};

}  // namespace

bool parse_type(std::string_view text_in, const std::vector<std::string>& generic_params, type_expr& out,
                std::string& error) {
  using k = type_expr::kind;
  std::string text(text_in);
  out = {};
  if (text.empty()) {
    error = "empty type";
    return false;
  }
  if (text == "#") {
    out.k = k::flags;
    return true;
  }
  if (text.front() == '!') {
    const auto name = text.substr(1);
    if (std::find(generic_params.begin(), generic_params.end(), name) == generic_params.end()) {
      error = "'!" + name + "' names no {" + name + ":Type} parameter";
      return false;
    }
    out.k = k::generic;
    out.name = name;
    return true;
  }
  const auto lt = text.find('<');
  if (lt != std::string::npos) {
    if (text.back() != '>') {
      error = "unbalanced '<' in type '" + text + "'";
      return false;
    }
    const auto outer = text.substr(0, lt);
    if (outer != "Vector" && outer != "vector") {
      error = "unsupported type constructor '" + outer + "'";
      return false;
    }
    out.k = outer == "Vector" ? k::vector : k::bare_vector;
    type_expr elem;
    if (!parse_type(text.substr(lt + 1, text.size() - lt - 2), generic_params, elem, error)) return false;
    if (elem.k == k::flags || elem.k == k::true_ || elem.k == k::generic) {
      error = "vector of '" + text + "' elements is not supported";
      return false;
    }
    out.args.push_back(std::move(elem));
    return true;
  }
  bool bare = false;
  if (text.front() == '%') {
    bare = true;
    text.erase(text.begin());
  }
  if (std::find(generic_params.begin(), generic_params.end(), text) != generic_params.end()) {
    // A plain `X` result of a generic function.
    out.k = k::generic;
    out.name = text;
    return true;
  }
  static const std::pair<const char*, k> scalars[] = {
      {"int", k::int_},       {"long", k::long_},     {"double", k::double_}, {"string", k::string},
      {"bytes", k::bytes},    {"int128", k::int128},  {"int256", k::int256},  {"Bool", k::bool_},
      {"true", k::true_},     {"Int", k::int_},       {"Long", k::long_},     {"Double", k::double_},
      {"String", k::string},  {"Bytes", k::bytes},    {"Int128", k::int128},  {"Int256", k::int256},
  };
  for (const auto& [spelling, kind] : scalars)
    if (text == spelling) {
      out.k = kind;
      return true;
    }
  if (!is_identifier(text)) {
    error = "invalid type '" + std::string(text_in) + "'";
    return false;
  }
  out.name = text;
  // %Type (bare form of a boxed type) and lower-case constructor names are written bare.
  out.k = (bare || !starts_upper(text)) ? k::bare : k::boxed;
  return true;
}

void parse_schema(std::string_view text, const std::string& file_name, schema& out) {
  file_counts counts;
  counts.file = file_name;
  declaration_parser parser(out, file_name);
  bool functions = false;
  std::string pending;
  int pending_line = 0;
  int line_no = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    auto nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    const auto comment = line.find("//");
    if (comment != std::string_view::npos) {
      if (auto layer = layer_from_comment(line.substr(comment))) counts.layer = layer;
      line = line.substr(0, comment);
    }
    const auto t = trim(line);
    if (t == "---functions---" || t == "---types---") {
      if (!trim(pending).empty())
        out.diagnostics.push_back({diagnostic::level::error, file_name, pending_line, "declaration without ';'"});
      pending.clear();
      functions = t == "---functions---";
      continue;
    }
    if (t.empty()) continue;
    if (trim(pending).empty()) pending_line = line_no;
    pending += ' ';
    pending += t;
    for (auto semi = pending.find(';'); semi != std::string::npos; semi = pending.find(';')) {
      parser.add(trim(pending.substr(0, semi)), pending_line, functions, counts);
      pending.erase(0, semi + 1);
      pending_line = line_no;
    }
  }
  if (!trim(pending).empty())
    out.diagnostics.push_back({diagnostic::level::error, file_name, pending_line, "declaration without ';'"});
  if (counts.layer) out.layer = counts.layer;
  out.files.push_back(counts);
}

}  // namespace tlgen
