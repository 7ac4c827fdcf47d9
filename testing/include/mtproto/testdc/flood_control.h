// Fault injection for rate limits, as Telegram applies them:
//   every_nth_flood: a deterministic FLOOD_WAIT on every N-th call (--flood-every/--flood-seconds);
//   request_rate_limit: more than R requests by one account on one DC within a one-second window
//   earns FLOOD_WAIT for what remains of the window (--flood-rps);
//   premium_wait: an account that is not premium and has been served a given number of file bytes
//   rests for a given time, every file request meanwhile answered FLOOD_PREMIUM_WAIT_X
//   (--premium-wait-after, --premium-user).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

namespace mtproto::testdc {

class every_nth_flood {
 public:
  every_nth_flood(std::int32_t every, std::int32_t seconds) noexcept : every_(every), seconds_(seconds) {}
  /// Counts one call; the wait in seconds when this call is the N-th.
  std::optional<std::int32_t> on_call() noexcept;
  std::int64_t calls() const noexcept { return calls_; }

 private:
  std::int32_t every_;
  std::int32_t seconds_;
  std::int64_t calls_ = 0;
};

class request_rate_limit {
 public:
  using clock = std::chrono::steady_clock;
  explicit request_rate_limit(std::int32_t per_second) noexcept : per_second_(per_second) {}
  /// Counts a request by `account` on `dc` at `now`; the wait in whole seconds (at least 1) if it
  /// is over the limit. Refused requests count too, as on Telegram.
  std::optional<std::int32_t> on_request(std::int64_t account, std::int32_t dc, clock::time_point now);

 private:
  struct window {
    clock::time_point start;
    std::int32_t count = 0;
  };
  static constexpr std::size_t max_tracked = 1 << 16;  // bounded memory under hostile clients
  std::int32_t per_second_;
  std::map<std::pair<std::int64_t, std::int32_t>, window> windows_;
};

class premium_wait {
 public:
  using clock = std::chrono::steady_clock;
  /// `bytes` 0 turns it off; `premium` accounts never wait.
  premium_wait(std::int64_t bytes, std::int32_t seconds, std::vector<std::int64_t> premium)
      : bytes_(bytes), seconds_(seconds), premium_(std::move(premium)) {}
  /// A file request by `account` at `now`: the seconds it must still wait (at least 1), if resting.
  std::optional<std::int32_t> on_request(std::int64_t account, clock::time_point now) const;
  /// `n` file bytes were served to `account`: reaching the threshold starts its rest.
  void served(std::int64_t account, std::int64_t n, clock::time_point now);

 private:
  struct usage {
    std::int64_t bytes = 0;
    clock::time_point rest_until{};
  };
  static constexpr std::size_t max_tracked = 1 << 16;
  bool applies_to(std::int64_t account) const noexcept;
  std::int64_t bytes_;
  std::int32_t seconds_;
  std::vector<std::int64_t> premium_;
  std::map<std::int64_t, usage> usage_;
};

}  // namespace mtproto::testdc
