#include "mtproto/testdc/flood_control.h"

#include <algorithm>

namespace mtproto::testdc {

std::optional<std::int32_t> every_nth_flood::on_call() noexcept {
  if (every_ <= 0) return std::nullopt;
  if (++calls_ % every_ != 0) return std::nullopt;
  return seconds_;
}

std::optional<std::int32_t> request_rate_limit::on_request(std::int64_t account, std::int32_t dc, clock::time_point now) {
  if (per_second_ <= 0) return std::nullopt;
  constexpr auto window_length = std::chrono::seconds(1);
  if (windows_.size() >= max_tracked) {
    for (auto it = windows_.begin(); it != windows_.end();)
      it = now - it->second.start >= window_length ? windows_.erase(it) : std::next(it);
    if (windows_.size() >= max_tracked) windows_.clear();
  }
  auto& w = windows_[{account, dc}];
  if (w.count == 0 || now - w.start >= window_length) {
    w.start = now;
    w.count = 0;
  }
  if (++w.count <= per_second_) return std::nullopt;
  const auto remaining = window_length - (now - w.start);
  const auto seconds = std::chrono::ceil<std::chrono::seconds>(remaining).count();
  return static_cast<std::int32_t>(seconds < 1 ? 1 : seconds);
}

bool premium_wait::applies_to(std::int64_t account) const noexcept {
  return bytes_ > 0 && std::find(premium_.begin(), premium_.end(), account) == premium_.end();
}

std::optional<std::int32_t> premium_wait::on_request(std::int64_t account, clock::time_point now) const {
  if (!applies_to(account)) return std::nullopt;
  const auto it = usage_.find(account);
  if (it == usage_.end() || it->second.rest_until <= now) return std::nullopt;
  const auto seconds = std::chrono::ceil<std::chrono::seconds>(it->second.rest_until - now).count();
  return static_cast<std::int32_t>(seconds < 1 ? 1 : seconds);
}

void premium_wait::served(std::int64_t account, std::int64_t n, clock::time_point now) {
  if (!applies_to(account) || n <= 0) return;
  if (usage_.size() >= max_tracked && !usage_.contains(account)) usage_.clear();  // bounded under hostile clients
  auto& u = usage_[account];
  u.bytes += n;
  if (u.bytes >= bytes_) {
    u.bytes = 0;
    u.rest_until = now + std::chrono::seconds(seconds_);
  }
}

}  // namespace mtproto::testdc
