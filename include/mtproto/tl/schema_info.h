// Run-time view of one generated schema: its constructors and functions sorted by id and its
// boxed types sorted by name. Lets code read an object whose type it does not know statically
// (the fuzzer, tests, a server reading requests).
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "mtproto/tl/object.h"

namespace mtproto::tl {

struct schema_info {
  std::string_view name;
  std::span<const ctor_ops* const> constructors;  // sorted by id
  std::span<const ctor_ops* const> functions;     // sorted by id
  std::span<const boxed_type_info* const> types;  // sorted by name

  const ctor_ops* find_constructor(std::uint32_t id) const noexcept;
  const ctor_ops* find_function(std::uint32_t id) const noexcept;
  const boxed_type_info* find_type(std::string_view name) const noexcept;
};

/// Reads a constructor id and any constructor of the schema with that id.
object read_object(const schema_info& schema, reader& r);
/// Reads a function call (id and arguments) of the schema.
object read_function_call(const schema_info& schema, reader& r);

}  // namespace mtproto::tl
