#include "mtproto/testdc/flood_control.h"

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

}  // namespace mtproto::testdc
