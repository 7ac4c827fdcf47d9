/// \file
/// Run-time view of a generated schema, for code that reads objects of types it does not know
/// statically (the fuzzer, tests, a server reading requests).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "mtproto/tl/export.h"
#include "mtproto/tl/object.h"

namespace mtproto::tl {

/// One generated schema: its constructors and functions sorted by id, its boxed types sorted by
/// name. Instances are static tables emitted by tlgen; the spans point into them.
struct MTPROTO_TL_EXPORT schema_info {
  std::string_view name;                          ///< Name tlgen gave the schema.
  std::span<const ctor_ops* const> constructors;  ///< Sorted by id.
  std::span<const ctor_ops* const> functions;     ///< Sorted by id.
  std::span<const boxed_type_info* const> types;  ///< Sorted by name.

  /// Binary search by constructor id; nullptr if the schema has no such constructor.
  const ctor_ops* find_constructor(std::uint32_t id) const noexcept;
  /// Binary search by function id; nullptr if the schema has no such function.
  const ctor_ops* find_function(std::uint32_t id) const noexcept;
  /// Binary search by TL type name ("upload.File"); nullptr if unknown.
  const boxed_type_info* find_type(std::string_view name) const noexcept;
};

/// Reads a constructor id and any constructor of the schema with that id. Throws decode_error
/// (unexpected_constructor for an id the schema lacks).
MTPROTO_TL_EXPORT object read_object(const schema_info& schema, reader& r);
/// Reads a function call (id and arguments) of the schema. Throws decode_error.
MTPROTO_TL_EXPORT object read_function_call(const schema_info& schema, reader& r);

}  // namespace mtproto::tl
