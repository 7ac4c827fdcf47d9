// Named throttling profiles (--profile): each a documented set of the fault knobs that models one
// kind of account on the real service, so benchmarks and users can ask for "a non-premium user"
// instead of recalling figures.
#pragma once

#include <span>
#include <string_view>

#include "mtproto/testdc/options.h"

namespace mtproto::testdc {

struct throttle_profile {
  std::string_view name;
  /// What it models and where each figure comes from (printed by --help and the benchmarks).
  std::string_view description;
  fault_options faults;
};

/// Every profile, in the order the benchmarks run them.
std::span<const throttle_profile> throttle_profiles() noexcept;
/// The profile called `name`, or nullptr.
const throttle_profile* find_throttle_profile(std::string_view name) noexcept;

}  // namespace mtproto::testdc
