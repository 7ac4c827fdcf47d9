// The Range header of a request for a file of known size (RFC 9110 §14): one byte range, or why
// it cannot be served. Pure.
#pragma once

#include <cstdint>
#include <string_view>

namespace tgstream {

/// What a Range header asks of a file.
struct range_request {
  enum class kind {
    whole,          ///< No Range header, or a unit other than bytes: the whole file (200).
    satisfiable,    ///< [first, end) of the file (206).
    unsatisfiable,  ///< No byte of the range is in the file (416).
    invalid,        ///< Not a bytes range at all (400).
    multiple,       ///< Several ranges (multipart/byteranges is not served).
  };
  kind what = kind::whole;
  std::int64_t first = 0;  ///< First byte (satisfiable).
  std::int64_t end = 0;    ///< One past the last byte (satisfiable).
};

/// Parses `value` (the header's value, without the name) against a file of `size` bytes.
range_request parse_range(std::string_view value, std::int64_t size);

}  // namespace tgstream
