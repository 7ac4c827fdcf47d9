// The official upload.getFile rules (core.telegram.org/api/files):
//   without `precise`: offset and limit multiples of 4096, 1048576 divisible by limit;
//   with `precise`: offset and limit multiples of 1024, limit at most 1048576;
//   in both cases the part must not cross a 1 MiB boundary.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace mtproto::testdc {

inline constexpr std::int64_t get_file_max_limit = 1 << 20;
inline constexpr std::int64_t get_file_alignment = 4096;
inline constexpr std::int64_t get_file_precise_alignment = 1024;

/// The rpc_error message (LIMIT_INVALID / OFFSET_INVALID) for a request that breaks a rule.
std::optional<std::string_view> check_get_file_request(std::int64_t offset, std::int32_t limit, bool precise) noexcept;

}  // namespace mtproto::testdc
