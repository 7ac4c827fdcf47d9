#include "mtproto/session/replay_guard.h"

namespace mtproto::session {

msg_id_verdict replay_guard::check(std::int64_t msg_id, clock::time_point peer_now) {
  const std::int64_t low = msg_id & 3;
  if (from_server_ ? (low != 1 && low != 3) : (low != 0)) return msg_id_verdict::bad_parity;

  const auto sent = msg_id_time(msg_id);
  if (sent < peer_now - limits_.max_age) return msg_id_verdict::too_old;
  if (sent > peer_now + limits_.max_future) return msg_id_verdict::too_new;

  if (seen_.count(msg_id) != 0) return msg_id_verdict::duplicate;
  if (seen_.size() >= limits_.window) {
    if (msg_id < *seen_.begin()) return msg_id_verdict::too_old;
    seen_.erase(seen_.begin());
  }
  seen_.insert(msg_id);
  return msg_id_verdict::fresh;
}

}  // namespace mtproto::session
