/// \file
/// fmt support for every tlgen-generated type: `fmt::format("{}", upload::getFile{...})`.
/// The formatter is keyed on the text_formattable concept and calls the generated out-of-line
/// format_to, so no formatting code is instantiated per type in headers. It needs only
/// `<fmt/core.h>` (`formatter<string_view>::format` is defined in `<fmt/format.h>`, so it is
/// not reused), and takes no format spec.
#pragma once

#include <fmt/core.h>

#include <algorithm>
#include <string>
#include <type_traits>

#include "mtproto/tl/text.h"

namespace fmt {

/// Formats any text_formattable TL value as mtproto::tl::to_text renders it.
template <class T>
struct formatter<T, char, std::enable_if_t<mtproto::tl::text_formattable<T>>> {
  /// Accepts only an empty spec (`{}`); anything else is a format error.
  constexpr auto parse(fmt::format_parse_context& ctx) -> decltype(ctx.begin()) {
    auto it = ctx.begin();
    if (it != ctx.end() && *it != '}') ctx.on_error("TL objects take no format spec");
    return it;
  }
  /// Writes the one-line rendering of `v`.
  template <class FormatContext>
  auto format(const T& v, FormatContext& ctx) const -> decltype(ctx.out()) {
    const std::string s = mtproto::tl::to_text(v);
    return std::copy(s.begin(), s.end(), ctx.out());
  }
};

}  // namespace fmt
