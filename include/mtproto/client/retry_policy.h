/// \file
/// Reconnecting is a policy decision, made in one place: given what happened so far, wait how long
/// before the next attempt, or give up. The connection code only asks.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <system_error>

#include "mtproto/client/export.h"

namespace mtproto::client {

/// What a retry policy decides on.
struct retry_context {
  /// Attempts that failed in a row (1 after the first failure).
  int failures = 0;
  /// Time since the first failure of this run.
  std::chrono::steady_clock::duration elapsed{};
  /// Why the last attempt failed.
  std::error_code last_error;
};

/// Exponential backoff with full jitter: delay = random in [base/2, base], base = initial *
/// multiplier^(failures-1) capped at max_delay; gives up after max_failures or max_elapsed.
struct MTPROTO_CLIENT_EXPORT backoff_policy {
  std::chrono::milliseconds initial_delay{200};  ///< `base` after the first failure.
  double multiplier = 2.0;                       ///< Growth of `base` per further failure.
  std::chrono::milliseconds max_delay{10'000};   ///< Cap on `base`.
  int max_failures = 6;                          ///< Give up after this many failures in a row.
  std::chrono::milliseconds max_elapsed{60'000}; ///< Give up once this long has passed since the first failure.

  /// The delay before the next attempt, or nullopt to give up.
  /// `unit_random` returns a value in [0, 1) (injected so tests are deterministic).
  std::optional<std::chrono::milliseconds> should_retry(const retry_context& context,
                                                         const std::function<double()>& unit_random) const;
};

/// What the runtime holds: any callable from context to an optional delay.
using retry_policy = std::function<std::optional<std::chrono::milliseconds>(const retry_context&)>;

/// backoff_policy with a process-seeded jitter source.
MTPROTO_CLIENT_EXPORT retry_policy make_retry_policy(backoff_policy policy);
/// Never retries (tests that want a failure to surface at once).
MTPROTO_CLIENT_EXPORT retry_policy no_retry();

}  // namespace mtproto::client
