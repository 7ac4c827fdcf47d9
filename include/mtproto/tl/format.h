// fmt support for every tlgen-generated type: `fmt::format("{}", upload::getFile{...})`.
// The formatter is keyed on the text_formattable concept and calls the generated out-of-line
// format_to, so no formatting code is instantiated per type in headers.
#pragma once

#include <fmt/core.h>

#include <string>
#include <type_traits>

#include "mtproto/tl/text.h"

template <class T>
struct fmt::formatter<T, char, std::enable_if_t<mtproto::tl::text_formattable<T>>>
    : fmt::formatter<fmt::string_view> {
  template <class FormatContext>
  auto format(const T& v, FormatContext& ctx) const -> decltype(ctx.out()) {
    const std::string s = mtproto::tl::to_text(v);
    return fmt::formatter<fmt::string_view>::format(fmt::string_view(s), ctx);
  }
};
