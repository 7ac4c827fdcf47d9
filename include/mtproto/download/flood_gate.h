/// \file
/// Which (account, DC) pairs the server has told to wait, and until when. A FLOOD_WAIT_X,
/// FLOOD_PREMIUM_WAIT_X or transport -429 on one download closes the pair for every download of
/// that account on that DC, so the gate is shared by them (and by the account pool, which picks
/// an account whose pair is open). Pure: time and randomness are arguments; not thread-safe (the
/// engine keeps it on one strand).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include "mtproto/crypto/random.h"
#include "mtproto/download/export.h"

namespace mtproto::download {

/// Waits up to this long are slept through by default (flood_gate_options::auto_sleep_limit).
inline constexpr std::chrono::seconds default_auto_sleep_limit{60};
/// The wait assumed for a transport -429, which carries no value.
inline constexpr std::chrono::seconds default_transport_flood_wait{5};
/// Longest wait honoured; longer reports are clamped to it (the same bound as rpc_error::max_wait).
inline constexpr std::chrono::seconds max_flood_wait{24 * 3600};
/// Upper bound of flood_gate_options::max_jitter, whatever the caller configures.
inline constexpr std::chrono::milliseconds max_flood_jitter_limit{3600 * 1000};

/// Tunables of a flood_gate.
struct flood_gate_options {
  /// Waits up to this long are slept through (flood_action::sleep); longer ones go back to the
  /// caller (flood_action::too_long), which may try another account or fail the download.
  std::chrono::seconds auto_sleep_limit = default_auto_sleep_limit;
  /// The wait a transport -429 closes a pair for.
  std::chrono::seconds transport_flood_wait = default_transport_flood_wait;
  /// The most jitter added to a wait, as a percentage of it (at most 100): sessions and accounts
  /// told to wait at the same moment then do not all return at the same moment and flood again.
  std::uint32_t jitter_percent = 10;
  /// The most jitter added to any wait, whatever its length (at most max_flood_jitter_limit).
  std::chrono::milliseconds max_jitter{10'000};
  /// Most closed pairs kept: past it, the pair that reopens soonest is forgotten early.
  std::size_t max_pairs = 4096;
  /// Most accounts whose flood count is kept: past it, the one that flooded least recently is forgotten.
  std::size_t max_accounts = 1024;
  /// How long an account's flood count is kept after its last flood once none of its pairs is closed.
  std::chrono::seconds count_retention{3600};
};

/// What the caller should do about a wait.
enum class flood_action : std::uint8_t {
  sleep,     ///< Wait until ready_at, then retry on the same account and DC.
  too_long,  ///< The wait exceeds auto_sleep_limit: hand it back (another account, or flood_wait_too_long).
};

/// The outcome of reporting a wait.
struct flood_report {
  flood_action action = flood_action::sleep;                ///< Sleep through it or hand it back.
  std::chrono::steady_clock::time_point ready_at{};         ///< When the pair opens again (jitter included).
  std::chrono::steady_clock::duration jitter{};             ///< The jitter this report added (>= 0).
};

/// Pause-until per (account key, DC id), with flood counts per account.
///
/// Bounded: at most max_pairs closed pairs and max_accounts accounts are kept; a pair is dropped
/// once it is open again and an account count_retention after its last flood, when the gate is at
/// its bound or expire() is called.
class MTPROTO_DOWNLOAD_EXPORT flood_gate {
 public:
  using clock = std::chrono::steady_clock;  ///< The clock of every time point given and returned.

  /// A gate with nothing closed; out-of-range options are clamped to their documented bounds.
  explicit flood_gate(flood_gate_options options = {});

  /// Records that the server told `account` to wait `wait` on `dc` (FLOOD_WAIT_X,
  /// FLOOD_PREMIUM_WAIT_X: rpc_error::wait()). The pair is closed until now + wait + jitter, or
  /// longer if it already was; jitter is drawn from `random` (none if it is empty) and lies in
  /// [0, min(wait * jitter_percent / 100, max_jitter)). `wait` is clamped to [0, max_flood_wait].
  /// The action compares the server's wait (or, if longer, what was left of an earlier one) with
  /// auto_sleep_limit, so jitter never turns a sleep into too_long.
  flood_report report_wait(std::string_view account, std::int32_t dc, std::chrono::seconds wait,
                           clock::time_point now, const crypto::random_source& random);

  /// Records a transport -429 (no value): report_wait with options().transport_flood_wait.
  flood_report report_transport_flood(std::string_view account, std::int32_t dc, clock::time_point now,
                                      const crypto::random_source& random);

  /// Closes the pair until `until` (or longer, if it already is) without counting a flood or
  /// telling the observer: a wait the server told another process (tgstream's nodes share theirs).
  void close_until(std::string_view account, std::int32_t dc, clock::time_point until, clock::time_point now);
  /// What set_observer takes: the pair and when it opens now (jitter included).
  using observer = std::function<void(std::string_view account, std::int32_t dc, clock::time_point ready_at)>;
  /// `o` is called at the end of every report_wait / report_transport_flood: how a process tells
  /// others of the waits it is told. It runs under whatever lock guards the gate
  /// (shared_flood_gate's), so it must not call back into the gate; posting work elsewhere is fine.
  /// An empty function removes it.
  void set_observer(observer o) { observer_ = std::move(o); }
  /// When the pair opens: `now` if it is open.
  clock::time_point ready_at(std::string_view account, std::int32_t dc, clock::time_point now) const;

  /// Whether requests may be sent for `account` on `dc` at `now`.
  bool is_open(std::string_view account, std::int32_t dc, clock::time_point now) const;

  /// The decision for a wait of `wait`: sleep up to auto_sleep_limit, too_long beyond.
  flood_action decide(clock::duration wait) const noexcept;

  /// Waits reported for `account` (all DCs) since the gate first saw it or last forgot it.
  std::uint64_t flood_count(std::string_view account) const;

  /// Drops pairs open at `now` and accounts past their retention (the engine may call it on a timer;
  /// report_wait does it itself when at a bound).
  void expire(clock::time_point now);

  /// Closed pairs kept (including ones that have reopened and are not dropped yet).
  std::size_t pair_count() const noexcept { return pairs_; }
  /// Accounts kept.
  std::size_t account_count() const noexcept { return accounts_.size(); }
  /// The options in effect (after clamping).
  const flood_gate_options& options() const noexcept { return options_; }

 private:
  struct account_state {
    std::uint64_t floods = 0;
    clock::time_point last_flood{};
    std::map<std::int32_t, clock::time_point> closed_until;  // by DC id
  };

  clock::duration draw_jitter(std::chrono::seconds wait, const crypto::random_source& random) const;
  account_state& account_for(std::string_view account, clock::time_point now);
  void make_room_for_pair(clock::time_point now);

  flood_gate_options options_;
  observer observer_;
  std::map<std::string, account_state, std::less<>> accounts_;
  std::size_t pairs_ = 0;
};

/// A flood_gate several downloads share, safe to use from any thread: what one download is told
/// about an account's waits, the others keep to (download_options::shared_flood; a
/// download_queue gives its downloads one).
class MTPROTO_DOWNLOAD_EXPORT shared_flood_gate {
 public:
  /// A shared gate with nothing closed.
  explicit shared_flood_gate(flood_gate_options options = {}) : gate_(options) {}
  /// Runs `f(gate)` under the gate's lock and returns what it returns.
  template <class F>
  auto with(F&& f) {
    std::lock_guard lock(mutex_);
    return std::forward<F>(f)(gate_);
  }

 private:
  std::mutex mutex_;
  flood_gate gate_;
};

}  // namespace mtproto::download
