#include "mtproto/client/retry_policy.h"

#include <algorithm>
#include <cmath>
#include <memory>
#include <random>

namespace mtproto::client {

std::optional<std::chrono::milliseconds> backoff_policy::should_retry(const retry_context& context,
                                                                      const std::function<double()>& unit_random) const {
  if (context.failures <= 0) return std::chrono::milliseconds{0};
  if (context.failures > max_failures) return std::nullopt;
  if (context.elapsed >= max_elapsed) return std::nullopt;
  // Exponent capped so the double cannot overflow however many failures are allowed.
  const double steps = std::min(context.failures - 1, 62);
  const double base = std::min(static_cast<double>(initial_delay.count()) * std::pow(multiplier, steps),
                               static_cast<double>(max_delay.count()));
  const double r = std::clamp(unit_random ? unit_random() : 1.0, 0.0, 1.0);
  const double jittered = base / 2 + (base / 2) * r;
  return std::chrono::milliseconds{static_cast<std::int64_t>(jittered)};
}

retry_policy make_retry_policy(backoff_policy policy) {
  auto engine = std::make_shared<std::minstd_rand>(std::random_device{}());
  return [policy, engine](const retry_context& context) {
    return policy.should_retry(context, [&] { return std::uniform_real_distribution<double>(0.0, 1.0)(*engine); });
  };
}

retry_policy no_retry() {
  return [](const retry_context&) -> std::optional<std::chrono::milliseconds> { return std::nullopt; };
}

}  // namespace mtproto::client
