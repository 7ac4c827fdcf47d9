#include "mtproto/session/replay_guard.h"

#include <algorithm>

namespace mtproto::session {

bool replay_guard::seen(std::int64_t msg_id) const { return std::binary_search(seen_.begin(), seen_.end(), msg_id); }

msg_id_verdict replay_guard::check(std::int64_t msg_id, clock::time_point peer_now) {
  const std::int64_t low = msg_id & 3;
  if (from_server_ ? (low != 1 && low != 3) : (low != 0)) return msg_id_verdict::bad_parity;

  const auto sent = msg_id_time(msg_id);
  if (sent < peer_now - limits_.max_age) return msg_id_verdict::too_old;
  if (sent > peer_now + limits_.max_future) return msg_id_verdict::too_new;

  const auto pos = std::lower_bound(seen_.begin(), seen_.end(), msg_id);
  if (pos != seen_.end() && *pos == msg_id) return msg_id_verdict::duplicate;
  if (pos == seen_.begin() && forgot_any_) return msg_id_verdict::too_old;
  const auto index = pos - seen_.begin();
  if (seen_.size() >= limits_.window) {
    // Forget the older half at once: amortised O(1) per message, no reallocation.
    const auto drop = static_cast<std::ptrdiff_t>(seen_.size() / 2);
    if (index < drop) return msg_id_verdict::too_old;
    seen_.erase(seen_.begin(), seen_.begin() + drop);
    forgot_any_ = true;
    seen_.insert(seen_.begin() + (index - drop), msg_id);
  } else {
    seen_.insert(pos, msg_id);
  }
  return msg_id_verdict::fresh;
}

}  // namespace mtproto::session
