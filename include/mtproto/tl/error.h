// Decoding errors of the TL runtime: an error_code category plus an exception that
// carries where in the object tree the input went wrong.
#pragma once

#include <string>
#include <system_error>

namespace mtproto::tl {

enum class decode_errc {
  truncated = 1,           // input ended before the value did
  length_exceeds_input,    // a string or vector claims more bytes than remain
  unexpected_constructor,  // constructor id not valid for the expected type
  depth_exceeded,          // nesting deeper than reader_limits::max_depth
  invalid_bool,            // neither boolTrue nor boolFalse
  gzip_corrupt,            // gzip_packed payload does not inflate
  gzip_too_large,          // gzip_packed inflates beyond the configured cap
  trailing_data,           // bytes left over after a complete object
  invalid_value,           // value outside what the schema allows
};

const std::error_category& decode_category() noexcept;

inline std::error_code make_error_code(decode_errc e) noexcept {
  return {static_cast<int>(e), decode_category()};
}

/// Thrown by tl::reader and generated `read` functions. `where()` is a dotted path of
/// constructor.field names from the outermost object inward ("upload.file.bytes").
class decode_error : public std::system_error {
 public:
  decode_error(decode_errc code, std::string detail);

  const std::string& where() const noexcept { return where_; }
  const std::string& detail() const noexcept { return detail_; }

  /// Generated code calls this while unwinding, outermost last, so the path reads outside-in.
  void add_context(std::string_view constructor, std::string_view field);

  const char* what() const noexcept override { return message_.c_str(); }

 private:
  void rebuild_message();

  std::string detail_;
  std::string where_;
  std::string message_;
};

}  // namespace mtproto::tl

template <>
struct std::is_error_code_enum<mtproto::tl::decode_errc> : std::true_type {};
