#include "rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace tgstream {

double rate_limiter::refill(bucket& b, clock::time_point now) const {
  const double elapsed = std::chrono::duration<double>(now - b.updated).count();
  if (elapsed > 0) {
    b.tokens = std::min(options_.burst, b.tokens + elapsed * options_.per_second);
    b.updated = now;
  }
  return b.tokens;
}

void rate_limiter::forget_idle(clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    if (refill(it->second, now) >= options_.burst) it = buckets_.erase(it);
    else ++it;
  }
  // Everyone is busy: start over rather than grow (a flood of addresses must not cost memory).
  if (buckets_.size() >= options_.max_clients) buckets_.clear();
}

bool rate_limiter::allow(const std::string& client, clock::time_point now, std::chrono::milliseconds* retry_after) {
  if (options_.per_second <= 0) return true;
  auto it = buckets_.find(client);
  if (it == buckets_.end()) {
    if (buckets_.size() >= options_.max_clients) forget_idle(now);
    it = buckets_.emplace(client, bucket{options_.burst, now}).first;
  }
  auto& b = it->second;
  if (refill(b, now) >= 1) {
    b.tokens -= 1;
    return true;
  }
  if (retry_after) {
    const double wait = (1 - b.tokens) / options_.per_second;
    *retry_after = std::chrono::milliseconds(static_cast<long long>(std::ceil(wait * 1000)));
  }
  return false;
}

}  // namespace tgstream
