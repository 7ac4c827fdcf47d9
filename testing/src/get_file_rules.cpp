#include "mtproto/testdc/get_file_rules.h"

namespace mtproto::testdc {

std::optional<std::string_view> check_get_file_request(std::int64_t offset, std::int32_t limit, bool precise) noexcept {
  if (limit <= 0 || limit > get_file_max_limit) return "LIMIT_INVALID";
  if (offset < 0) return "OFFSET_INVALID";
  if (precise) {
    if (limit % get_file_precise_alignment != 0) return "LIMIT_INVALID";
    if (offset % get_file_precise_alignment != 0) return "OFFSET_INVALID";
  } else {
    if (limit % get_file_alignment != 0 || get_file_max_limit % limit != 0) return "LIMIT_INVALID";
    if (offset % get_file_alignment != 0) return "OFFSET_INVALID";
  }
  // The requested range must stay inside one 1 MiB window. Written without offset + limit, which
  // overflows for an offset near INT64_MAX.
  if (offset % get_file_max_limit > get_file_max_limit - limit) return "LIMIT_INVALID";
  return std::nullopt;
}

}  // namespace mtproto::testdc
