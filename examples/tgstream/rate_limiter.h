// Requests per client address: a token bucket each (a burst, then a steady rate), so one client
// cannot keep the gateway resolving links for everyone. Pure: takes `now`; memory bounded (idle
// clients, whose buckets are full again, are forgotten first).
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <string>

namespace tgstream {

/// The bucket's shape.
struct rate_limit_options {
  double per_second = 20;         ///< Steady requests per second per client; 0: no limit.
  double burst = 60;              ///< Requests a client may make at once after being idle.
  std::size_t max_clients = 100'000;  ///< Buckets kept; past it, idle ones are dropped.
};

class rate_limiter {
 public:
  using clock = std::chrono::steady_clock;
  explicit rate_limiter(rate_limit_options options = {}) : options_(options) {}

  /// Takes a token for `client` at `now`: true when the request may go ahead; false with
  /// `retry_after` set to when the next token comes.
  bool allow(const std::string& client, clock::time_point now, std::chrono::milliseconds* retry_after = nullptr);

  /// Buckets held now.
  std::size_t clients() const noexcept { return buckets_.size(); }

 private:
  struct bucket {
    double tokens = 0;
    clock::time_point updated;
  };
  double refill(bucket& b, clock::time_point now) const;
  void forget_idle(clock::time_point now);

  rate_limit_options options_;
  std::map<std::string, bucket> buckets_;
};

}  // namespace tgstream
