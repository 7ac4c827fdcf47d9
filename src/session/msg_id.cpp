#include "mtproto/session/msg_id.h"

#include <algorithm>

namespace mtproto::session {

std::int64_t msg_id_at(clock::time_point t) noexcept {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  const std::int64_t seconds = ns / 1'000'000'000;
  const std::int64_t frac_ns = ns % 1'000'000'000;
  // fraction of a second scaled to 2^32; fits: frac_ns < 1e9 < 2^30, times 2^32 < 2^62.
  const std::int64_t frac = (frac_ns << 32) / 1'000'000'000;
  return (seconds << 32) | frac;
}

clock::time_point msg_id_time(std::int64_t msg_id) noexcept {
  const std::int64_t seconds = msg_id >> 32;
  const std::int64_t frac = msg_id & 0xffffffffLL;
  const std::int64_t ns = seconds * 1'000'000'000 + ((frac * 1'000'000'000) >> 32);
  return clock::time_point(std::chrono::duration_cast<clock::duration>(std::chrono::nanoseconds(ns)));
}

std::int64_t msg_id_generator::next(clock::time_point now, msg_kind kind) noexcept {
  const auto role = static_cast<std::int64_t>(kind);
  std::int64_t id = (msg_id_at(now + offset_) & ~std::int64_t{3}) | role;
  if (id <= last_) id = ((last_ + 4) & ~std::int64_t{3}) | role;
  last_ = id;
  highest_ = std::max(highest_, id);
  return id;
}

std::int64_t msg_id_generator::next_above(clock::time_point now, std::int64_t floor, msg_kind kind) noexcept {
  const std::int64_t id = next(now, kind);
  if (id > floor) return id;
  last_ = std::max(floor, highest_);
  return next(now, kind);
}

bool msg_id_generator::sync_to(std::int64_t server_msg_id, clock::time_point now) noexcept {
  const std::int64_t seconds = msg_id_seconds(server_msg_id);
  if (seconds < earliest_server_time || seconds >= latest_server_time) return false;
  const clock::duration previous = offset_;
  offset_ = msg_id_time(server_msg_id) - now;
  // Ids made with a clock that ran ahead must not hold back the corrected ones; but a clock that
  // did not move back keeps ids increasing (restarting would repeat ids already sent).
  if (offset_ < previous) last_ = std::min(last_, (msg_id_at(now + offset_) & ~std::int64_t{3}) - 4);
  return true;
}

}  // namespace mtproto::session
