// Ranges and constants the catalog's parts share (internal).
#pragma once

#include <cstdint>

namespace mtproto::testdc::detail {

inline constexpr std::int32_t catalog_date = 1700000000;  // a fixed date: answers do not depend on the clock
inline constexpr std::int64_t channel_id_base = 1000000000;
inline constexpr std::int64_t id_spread = 1000000;

}  // namespace mtproto::testdc::detail
