// The schema model tlgen builds from .tl text: combinators (constructors and functions), their
// fields and type expressions, plus the per-file counts the summary line reports.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace tlgen {

/// A type as written after `name:` in a declaration, resolved to what it means on the wire.
struct type_expr {
  enum class kind {
    int_,         // int: 4 bytes
    long_,        // long: 8 bytes
    double_,      // double: 8 bytes
    string,       // string: TL bytes encoding, held as std::string
    bytes,        // bytes: TL bytes encoding, held as tl::bytes
    int128,       // 16 raw bytes
    int256,       // 32 raw bytes
    bool_,        // Bool: boolTrue/boolFalse constructor ids
    true_,        // bare `true` (only meaningful as flags.N?true)
    flags,        // `#`: a 32-bit flags word computed from the optional fields
    vector,       // Vector<T>: 0x1cb5c415, count, elements
    bare_vector,  // vector<T>: count, elements
    boxed,        // a boxed type name (Document, upload.File): id + bare encoding
    bare,         // a constructor written bare (%Message, future_salt): no id
    generic,      // a function's type parameter used as !X
  };
  kind k = kind::int_;
  std::string name;             // boxed/bare: TL name of the type or constructor; generic: parameter
  std::vector<type_expr> args;  // vector element type (exactly one)

  const type_expr& element() const { return args.front(); }
};

/// `flags.N?` / `flags2.N?`: the field is present when bit N of the named flags field is set.
struct condition {
  std::string flags_field;
  int bit = 0;
};

struct field {
  std::string name;  // TL name
  type_expr type;
  std::optional<condition> cond;
};

struct combinator {
  std::string name;  // full TL name, e.g. "upload.getFile"
  std::uint32_t id = 0;
  bool explicit_id = false;
  std::uint32_t computed_id = 0;  // CRC32 of the normalised declaration
  bool is_function = false;
  std::vector<std::string> generic_params;  // {X:Type}
  std::vector<field> fields;
  type_expr result;     // constructors: the boxed type; functions: any type expression
  std::string text;     // declaration as written, without the trailing ';'
  std::string file;     // where it was declared (diagnostics)
  int line = 0;

  bool is_generic() const { return !generic_params.empty(); }
};

/// Counts of one input file, using the rule of ../shared/tl/README.md: constructors and functions
/// are declarations carrying `#id` in the types / functions sections; everything else is `other`.
struct file_counts {
  std::string file;
  int constructors = 0;
  int functions = 0;
  int other = 0;
  std::optional<int> layer;
};

struct diagnostic {
  enum class level { note, warning, error } lvl = level::warning;
  std::string file;
  int line = 0;
  std::string message;
};

struct schema {
  std::vector<combinator> constructors;  // builtins (int, vector, ...) excluded
  std::vector<combinator> functions;
  std::vector<file_counts> files;
  std::vector<diagnostic> diagnostics;
  std::optional<int> layer;
};

}  // namespace tlgen
