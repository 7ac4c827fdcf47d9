/// \file
/// Decoding errors of the TL runtime: an error_code category plus an exception that
/// carries where in the object tree the input went wrong.
#pragma once

#include <string>
#include <system_error>

#include "mtproto/tl/export.h"

namespace mtproto::tl {

/// Why TL input could not be decoded; converts implicitly to std::error_code in decode_category().
enum class decode_errc {
  truncated = 1,           ///< Input ended before the value did.
  length_exceeds_input,    ///< A string or vector claims more bytes than remain.
  unexpected_constructor,  ///< Constructor id not valid for the expected type.
  depth_exceeded,          ///< Nesting deeper than reader_limits::max_depth.
  invalid_bool,            ///< Neither boolTrue nor boolFalse.
  gzip_corrupt,            ///< gzip_packed payload does not inflate.
  gzip_too_large,          ///< gzip_packed inflates beyond the configured cap.
  trailing_data,           ///< Bytes left over after a complete object.
  invalid_value,           ///< Value outside what the schema allows.
};

/// The category of decode_errc values, named "mtproto.tl"; one instance for the program.
MTPROTO_TL_EXPORT const std::error_category& decode_category() noexcept;

/// Makes decode_errc usable as std::error_code (found by argument-dependent lookup).
inline std::error_code make_error_code(decode_errc e) noexcept {
  return {static_cast<int>(e), decode_category()};
}

/// Thrown by tl::reader and generated `read` functions. code() is a decode_errc; what() combines
/// the code's message, the detail and the path.
class MTPROTO_TL_EXPORT decode_error : public std::system_error {
 public:
  /// `detail` says what was wrong in numbers ("need 4 bytes at offset 12, have 2"); may be empty.
  decode_error(decode_errc code, std::string detail);

  /// Where the input went wrong: `constructor.field` steps from the outermost object inward,
  /// joined by " > " ("upload.file.bytes"); empty when thrown outside any generated reader.
  const std::string& where() const noexcept { return where_; }
  /// The detail passed to the constructor.
  const std::string& detail() const noexcept { return detail_; }

  /// Generated code calls this while unwinding, outermost last, so the path reads outside-in.
  void add_context(std::string_view constructor, std::string_view field);

  /// Code message, detail and path in one line.
  const char* what() const noexcept override { return message_.c_str(); }

 private:
  void rebuild_message();

  std::string detail_;
  std::string where_;
  std::string message_;
};

}  // namespace mtproto::tl

namespace std {
/// Lets a decode_errc convert implicitly to std::error_code and compare with one.
template <>
struct is_error_code_enum<mtproto::tl::decode_errc> : true_type {};
}  // namespace std
