// A channel's message range as one link: `https://t.me/NAME/100-120` (or `t.me/c/ID/100-120`)
// stands for the links of messages 100 to 120, each then parsed like any other link.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace tgdl {

/// Most messages one range may name.
inline constexpr std::int64_t max_range_messages = 10'000;

/// The links a range stands for, in order; nullopt when `text` is no range (its last path
/// segment is not `A-B`). Throws usage_error for a range that is backwards, starts at 0, or names
/// more than max_range_messages.
std::optional<std::vector<std::string>> expand_message_range(std::string_view text);

}  // namespace tgdl
