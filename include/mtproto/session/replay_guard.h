/// \file
/// Incoming msg_id checks: freshness against the (estimated) peer clock and no replays.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "mtproto/core/export.h"
#include "mtproto/session/msg_id.h"

namespace mtproto::session {

/// How far an incoming msg_id's time may be from the peer's clock, and how many ids are kept.
struct replay_limits {
  std::chrono::seconds max_age{300};        ///< Older than this: refused.
  std::chrono::seconds max_future{30};      ///< Further ahead than this: refused.
  std::size_t window = 2048;                ///< Ids remembered for duplicate detection.
};

/// What replay_guard::check decided about one msg_id.
enum class msg_id_verdict {
  fresh,        ///< New and acceptable.
  duplicate,    ///< Seen before: ignore silently.
  too_old,      ///< Older than max_age, or older than the remembered window.
  too_new,      ///< Further in the future than max_future.
  bad_parity,   ///< Wrong low bits for the sender's role.
};

/// Remembers a bounded window of recent ids; an id older than everything remembered is refused once
/// the window has been full, since a duplicate of it could no longer be recognised. Allocates only
/// at construction.
class MTPROTO_CORE_EXPORT replay_guard {
 public:
  /// `from_server`: the peer is a server (ids must be odd) or a client (ids divisible by 4).
  explicit replay_guard(bool from_server, replay_limits limits = {})
      : from_server_(from_server), limits_(limits) {
    seen_.reserve(limits_.window);
  }

  /// Checks `msg_id` against `peer_now` (the peer's clock as we estimate it) and, when fresh,
  /// remembers it.
  msg_id_verdict check(std::int64_t msg_id, clock::time_point peer_now);

  /// Whether `msg_id` was accepted before and is still remembered.
  bool seen(std::int64_t msg_id) const;
  /// Lowest remembered id, 0 when none.
  std::int64_t oldest() const noexcept { return seen_.empty() ? 0 : seen_.front(); }

  /// Forgets every id (a new session).
  void clear() noexcept {
    seen_.clear();
    forgot_any_ = false;
  }

 private:
  bool from_server_;
  replay_limits limits_;
  // Sorted; ids mostly arrive in order, so inserting is an append. No allocation after the first.
  std::vector<std::int64_t> seen_;
  bool forgot_any_ = false;  // some ids were dropped: anything below the window is unverifiable
};

}  // namespace mtproto::session
