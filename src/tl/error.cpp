#include "mtproto/tl/error.h"

namespace mtproto::tl {
namespace {

class decode_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mtproto.tl"; }
  std::string message(int ev) const override {
    switch (static_cast<decode_errc>(ev)) {
      case decode_errc::truncated: return "input truncated";
      case decode_errc::length_exceeds_input: return "length exceeds remaining input";
      case decode_errc::unexpected_constructor: return "unexpected constructor id";
      case decode_errc::depth_exceeded: return "nesting too deep";
      case decode_errc::invalid_bool: return "invalid Bool constructor";
      case decode_errc::gzip_corrupt: return "corrupt gzip_packed data";
      case decode_errc::gzip_too_large: return "gzip_packed data inflates beyond the limit";
      case decode_errc::trailing_data: return "trailing bytes after object";
      case decode_errc::invalid_value: return "value not allowed by the schema";
    }
    return "unknown TL decoding error";
  }
};

}  // namespace

const std::error_category& decode_category() noexcept {
  static const decode_category_impl instance;
  return instance;
}

decode_error::decode_error(decode_errc code, std::string detail)
    : std::system_error(make_error_code(code)), detail_(std::move(detail)) {
  rebuild_message();
}

void decode_error::add_context(std::string_view constructor, std::string_view field) {
  std::string step(constructor);
  if (!field.empty()) {
    step += '.';
    step += field;
  }
  where_ = where_.empty() ? step : step + " > " + where_;
  rebuild_message();
}

void decode_error::rebuild_message() {
  message_ = code().message();
  if (!detail_.empty()) message_ += " (" + detail_ + ")";
  if (!where_.empty()) message_ += " at " + where_;
}

}  // namespace mtproto::tl
