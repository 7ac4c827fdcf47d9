/// \file
/// Message identifiers: time-based 64-bit ids, strictly increasing per session.
/// `msg_id = (unix seconds << 32) | (fraction of a second * 2^32)`, low two bits by role:
/// client messages ≡ 0 (mod 4); server responses ≡ 1, server-initiated messages ≡ 3.
/// The clock is passed in (sans-IO); the offset to the server's clock is learned from the
/// handshake and from bad_msg_notification 16/17.
#pragma once

#include <chrono>
#include <cstdint>

#include "mtproto/core/clock.h"
#include "mtproto/core/export.h"

namespace mtproto::session {

using core::clock;

/// The sender's role, which fixes a msg_id's low two bits (the enumerator's value).
enum class msg_kind : std::uint8_t {
  client = 0,          ///< Everything a client sends.
  server_response = 1, ///< A server's answer to a client message.
  server_event = 3,    ///< A server message that answers nothing (updates, service notices).
};

/// Seconds part of a msg_id (the sender's unix time).
constexpr std::int64_t msg_id_seconds(std::int64_t msg_id) noexcept { return msg_id >> 32; }

/// The msg_id that `t` maps to, before role bits and monotonicity are applied.
MTPROTO_CORE_EXPORT std::int64_t msg_id_at(clock::time_point t) noexcept;

/// The time a msg_id encodes.
MTPROTO_CORE_EXPORT clock::time_point msg_id_time(std::int64_t msg_id) noexcept;

/// Earliest server time sync_to() adopts: 2000-01-01 in unix seconds.
inline constexpr std::int64_t earliest_server_time = 946'684'800;
/// First server time sync_to() refuses: 2038-01-01, weeks before msg_id seconds reach 2^31 (where
/// ids would turn negative).
inline constexpr std::int64_t latest_server_time = 2'145'916'800;

/// msg_ids for one session: time-based, role bits set, each greater than the last.
class MTPROTO_CORE_EXPORT msg_id_generator {
 public:
  /// Next id for a message sent at local time `now`, shifted by the learned server offset.
  std::int64_t next(clock::time_point now, msg_kind kind = msg_kind::client) noexcept;

  /// server_time - local_time, applied to every generated id.
  void set_offset(clock::duration offset) noexcept { offset_ = offset; }
  /// The offset in use (server_time - local_time).
  clock::duration offset() const noexcept { return offset_; }
  /// Next id that is also greater than `floor` and than every id generated before, even before a
  /// sync moved the clock back: for a container holding a message resent with its original id,
  /// which may be newer than the corrected clock (a container's id must exceed its members', and
  /// must not repeat an earlier id).
  std::int64_t next_above(clock::time_point now, std::int64_t floor, msg_kind kind = msg_kind::client) noexcept;

  /// Learns the offset from a server msg_id received at local time `now` (bad_msg 16/17, handshake).
  /// Ids continue from the corrected clock, even if that is behind the last one generated.
  /// Refuses (returns false, changes nothing) a server time msg_ids cannot carry meaningfully:
  /// before 2000 or from 2038 on, which only a hostile server would send.
  bool sync_to(std::int64_t server_msg_id, clock::time_point now) noexcept;
  /// The server's clock as far as this generator knows.
  clock::time_point server_now(clock::time_point now) const noexcept { return now + offset_; }


 private:
  clock::duration offset_{};
  std::int64_t last_ = 0;
  std::int64_t highest_ = 0;  // of every id generated, across syncs
};

/// seq_no: twice the number of content-related messages sent before, plus one if this one is
/// content-related (anything that needs an acknowledgement).
class seqno_counter {
 public:
  /// seq_no of the next message; counts it when `content_related`.
  std::int32_t next(bool content_related) noexcept {
    if (!content_related) return 2 * count_;
    return 2 * count_++ + 1;
  }
  /// Content-related messages counted so far.
  std::int32_t content_related_sent() const noexcept { return count_; }
  /// bad_msg_notification 32/33: seqno too low/high; move the counter past the server's view.
  void bump(std::int32_t at_least) noexcept {
    if (at_least > count_) count_ = at_least;
  }
  /// Back to zero, for a new session.
  void reset() noexcept { count_ = 0; }

 private:
  std::int32_t count_ = 0;
};

}  // namespace mtproto::session
