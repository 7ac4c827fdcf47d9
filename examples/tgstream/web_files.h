// The page's files (examples/tgstream/web), compiled in by embed_web.cmake.
#pragma once

#include <span>
#include <string_view>

namespace tgstream {

struct web_file {
  std::string_view name;   ///< "index.html", "app.js", ...
  std::string_view bytes;
};

std::span<const web_file> web_files() noexcept;

}  // namespace tgstream
