// Constructor ids: CRC32 (IEEE) of a combinator's normalised declaration text.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tlgen {

std::uint32_t crc32(std::string_view data) noexcept;

/// Applies the normalisation of ../shared/vectors/tl_crc32.json to a declaration written
/// without its `#id` and trailing ';': whitespace collapsed, `bytes` spelled `string`, `<`/`>`/`{`/`}`
/// dropped, and `name:flagsN.K?true` arguments removed (they do not take part in the id).
std::string normalize_declaration(std::string_view declaration);

inline std::uint32_t declaration_id(std::string_view declaration) {
  return crc32(normalize_declaration(declaration));
}

}  // namespace tlgen
