// Reads TL schema text into the model: comments, section markers, built-in declarations,
// namespaced names, explicit or computed ids, flags, vectors, bare types and generics.
#pragma once

#include <string>
#include <string_view>

#include "model.h"

namespace tlgen {

/// Parses one file's text and appends its combinators to `out`. Declarations identical to one
/// already present (the same `vector` line in two files) are merged; conflicting ones are
/// reported in out.diagnostics. Never throws on bad input: errors become diagnostics.
void parse_schema(std::string_view text, const std::string& file_name, schema& out);

/// Parses a single type expression ("Vector<%Message>", "flags.0?true" is not a type).
/// Returns false and leaves `error` set when the text is not a valid type.
bool parse_type(std::string_view text, const std::vector<std::string>& generic_params, type_expr& out,
                std::string& error);

}  // namespace tlgen
