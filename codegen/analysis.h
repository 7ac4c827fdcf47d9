// Turns the parsed schema into what the emitter needs: every boxed type with its constructors,
// C++ names (keywords and collisions resolved), header paths that stay distinct on
// case-insensitive file systems, flag groups, and checks that every referenced type exists.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "model.h"

namespace tlgen {

struct options {
  std::string root_namespace = "tl_schema";  // C++ namespace, e.g. "mtproto::api"
  bool strict = false;                       // id/CRC mismatches are errors
};

/// One field as the emitter sees it.
struct field_info {
  const field* f = nullptr;
  std::string cpp_name;
  bool shares_bit = false;  // a value whose flags bit another field (value or true) also uses
};

/// A combinator (constructor or function) with its C++ spelling.
struct combinator_info {
  const combinator* c = nullptr;
  std::string cpp_ns;       // "::mtproto::api::upload"
  std::string cpp_name;     // "file"
  std::string qualified;    // "::mtproto::api::upload::file"
  std::string ops_name;     // name of its tl::ctor_ops in <root>::tlgen_detail
  std::string header;       // header (relative to the include dir) that defines it
  std::string type_key;     // constructors: TL name of the boxed type
  std::vector<field_info> fields;
};

struct boxed_info {
  std::string tl_name;      // "upload.File"
  std::string cpp_ns;
  std::string cpp_name;     // "File"
  std::string qualified;
  std::string info_name;    // name of its tl::boxed_type_info in <root>::tlgen_detail
  std::string header;       // full header: the boxed class and all its constructors
  std::string box_header;   // small header: the boxed class only, constructors forward-declared
  std::vector<std::size_t> ctors;  // indices into analysis::ctors
};

struct analysis {
  options opts;
  std::string include_root;               // "mtproto/api"
  std::vector<std::string> root_parts;    // {"mtproto", "api"}
  std::vector<combinator_info> ctors;     // every constructor except the Bool ones
  std::vector<combinator_info> functions;
  std::map<std::string, boxed_info> types;          // by TL name
  std::map<std::string, std::size_t> ctor_by_name;  // TL constructor name -> index into ctors
  int bool_constructors = 0;                        // boolTrue/boolFalse, mapped to bool
  int id_mismatches = 0;

  const combinator_info& bare_ctor(const type_expr& t) const;  // constructor a bare type refers to
  const boxed_info& boxed(const type_expr& t) const;
};

/// Builds the analysis; problems go to s.diagnostics (errors stop generation).
analysis analyze(schema& s, const options& opts);

/// C++ spelling of a type expression (fully qualified).
std::string cpp_type(const analysis& a, const type_expr& t);
/// C++ type of a field: std::optional<T> for conditional values, bool for flag-only booleans.
std::string cpp_field_type(const analysis& a, const field& f);
/// Least number of bytes one encoded value of `t` takes (to bound vector counts before allocating).
std::size_t min_encoded_size(const analysis& a, const type_expr& t);
/// "upload.File" -> "upload::File" relative names and similar helpers.
std::string tl_type_text(const type_expr& t);

}  // namespace tlgen
