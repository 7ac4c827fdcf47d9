/// \file
/// Builds the per-constructor ops table. Included only by tlgen's generated sources: each
/// table is instantiated once, in the shard that defines the constructor's members.
#pragma once

#include <utility>

#include "mtproto/tl/object.h"

namespace mtproto::tl {
namespace ops_detail {

template <class C>
void* clone(const void* p) {
  return new C(*static_cast<const C*>(p));
}
template <class C>
void destroy(void* p) noexcept {
  delete static_cast<C*>(p);
}
template <class C>
void write_bare(const void* p, writer& w) {
  static_cast<const C*>(p)->write_bare(w);
}
template <class C>
void format(const void* p, text& t) {
  static_cast<const C*>(p)->format_to(t);
}
template <class C>
bool equal(const void* a, const void* b) {
  return *static_cast<const C*>(a) == *static_cast<const C*>(b);
}
template <class C>
object read_bare(reader& r) {
  return object::from(C::read_bare(r));
}
template <class B>
object read_boxed(reader& r) {
  B v = B::read(r);
  return object(std::move(static_cast<object&>(v)));
}

}  // namespace ops_detail

/// The ops table of generated struct `C`, a constructor or (`is_function`) a function whose
/// result type is `type_name`.
template <class C>
constexpr ctor_ops ctor_ops_for(std::string_view type_name, bool is_function) {
  return {C::constructor_id,          C::tl_name,
          type_name,                  is_function,
          &ops_detail::clone<C>,      &ops_detail::destroy<C>,
          &ops_detail::write_bare<C>, &ops_detail::format<C>,
          &ops_detail::equal<C>,      &ops_detail::read_bare<C>};
}

/// The run-time entry of generated boxed type `B`.
template <class B>
constexpr boxed_type_info boxed_type_info_for() {
  return {B::tl_name, &ops_detail::read_boxed<B>};
}

}  // namespace mtproto::tl
