#include "mtproto/tl/object.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "mtproto/tl/schema_info.h"

namespace mtproto::tl {

void throw_unexpected_constructor(std::string_view type_name, std::uint32_t id) {
  throw decode_error(decode_errc::unexpected_constructor, fmt::format("{:#010x} is not a {}", id, type_name));
}

void throw_missing_field(std::string_view where, std::string_view field) {
  throw std::logic_error(fmt::format("cannot write {}: {} is absent", where, field));
}

void expect_constructor(reader& r, std::uint32_t id, std::string_view name) {
  const std::uint32_t got = r.read_uint();
  if (got != id)
    throw decode_error(decode_errc::unexpected_constructor,
                       fmt::format("expected {} ({:#010x}), got {:#010x}", name, id, got));
}

void object::write(writer& w) const { write_checked(w, "tl::object"); }

void object::write_checked(writer& w, std::string_view type_name) const {
  if (!ops_) throw_missing_field(type_name, "the value (empty boxed object)");
  w.write_uint(ops_->id);
  ops_->write_bare(p_, w);
}

void object::write_bare(writer& w) const {
  if (!ops_) throw_missing_field("tl::object", "the value (empty object)");
  ops_->write_bare(p_, w);
}

void object::format_to(text& t) const {
  if (ops_)
    ops_->format(p_, t);
  else
    t.empty("object");
}

bool operator==(const object& a, const object& b) {
  if (a.ops_ != b.ops_) return false;
  return !a.ops_ || a.ops_->equal(a.p_, b.p_);
}

namespace {

const ctor_ops* find_by_id(std::span<const ctor_ops* const> table, std::uint32_t id) noexcept {
  auto it = std::lower_bound(table.begin(), table.end(), id, [](const ctor_ops* o, std::uint32_t v) { return o->id < v; });
  return it != table.end() && (*it)->id == id ? *it : nullptr;
}

object read_by_id(std::span<const ctor_ops* const> table, std::string_view what, reader& r) {
  reader::depth_guard guard(r);
  const std::uint32_t id = r.read_uint();
  const ctor_ops* ops = find_by_id(table, id);
  if (!ops) throw_unexpected_constructor(what, id);
  try {
    return ops->read_bare(r);
  } catch (decode_error& e) {
    e.add_context(ops->name, "");
    throw;
  }
}

}  // namespace

const ctor_ops* schema_info::find_constructor(std::uint32_t id) const noexcept { return find_by_id(constructors, id); }

const ctor_ops* schema_info::find_function(std::uint32_t id) const noexcept { return find_by_id(functions, id); }

const boxed_type_info* schema_info::find_type(std::string_view type_name) const noexcept {
  auto it = std::lower_bound(types.begin(), types.end(), type_name,
                             [](const boxed_type_info* t, std::string_view n) { return t->name < n; });
  return it != types.end() && (*it)->name == type_name ? *it : nullptr;
}

object read_object(const schema_info& schema, reader& r) {
  return read_by_id(schema.constructors, "constructor of this schema", r);
}

object read_function_call(const schema_info& schema, reader& r) {
  return read_by_id(schema.functions, "function of this schema", r);
}

}  // namespace mtproto::tl
