#include "mtproto/download/flood_gate.h"

#include <algorithm>
#include <array>
#include <span>

namespace mtproto::download {
namespace {

using clock = flood_gate::clock;

// Saturates instead of overflowing: a caller's `now` may be anywhere in the clock's range.
clock::time_point add(clock::time_point t, clock::duration d) noexcept {
  if (d <= clock::duration::zero()) return t;
  return t > clock::time_point::max() - d ? clock::time_point::max() : t + d;
}

flood_gate_options clamped(flood_gate_options o) noexcept {
  o.auto_sleep_limit = std::clamp(o.auto_sleep_limit, std::chrono::seconds::zero(), max_flood_wait);
  o.transport_flood_wait = std::clamp(o.transport_flood_wait, std::chrono::seconds::zero(), max_flood_wait);
  o.jitter_percent = std::min<std::uint32_t>(o.jitter_percent, 100);
  o.max_jitter = std::clamp(o.max_jitter, std::chrono::milliseconds::zero(), max_flood_jitter_limit);
  o.max_pairs = std::max<std::size_t>(o.max_pairs, 1);
  o.max_accounts = std::max<std::size_t>(o.max_accounts, 1);
  o.count_retention = std::clamp(o.count_retention, std::chrono::seconds::zero(), max_flood_wait);
  return o;
}

}  // namespace

flood_gate::flood_gate(flood_gate_options options) : options_(clamped(options)) {}

clock::duration flood_gate::draw_jitter(std::chrono::seconds wait, const crypto::random_source& random) const {
  if (!random) return clock::duration::zero();
  // In whole milliseconds: wait <= 24 h and max_jitter <= 1 h keep every product below 2^63.
  const auto wait_ms = static_cast<std::uint64_t>(std::chrono::milliseconds(wait).count());
  const std::uint64_t span_ms = std::min<std::uint64_t>(wait_ms * options_.jitter_percent / 100,
                                                        static_cast<std::uint64_t>(options_.max_jitter.count()));
  if (span_ms == 0) return clock::duration::zero();
  std::array<std::uint8_t, 4> bytes{};
  random(bytes);
  std::uint64_t r = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) r |= std::uint64_t{bytes[i]} << (8 * i);
  return std::chrono::milliseconds(static_cast<std::int64_t>((span_ms * r) >> 32));
}

flood_gate::account_state& flood_gate::account_for(std::string_view account, clock::time_point now) {
  if (auto it = accounts_.find(account); it != accounts_.end()) return it->second;
  if (accounts_.size() >= options_.max_accounts) expire(now);
  if (accounts_.size() >= options_.max_accounts) {
    // Forget the account that flooded least recently; its closed pairs go with it, which at worst
    // lets it meet the server's wait once more.
    auto oldest = std::min_element(accounts_.begin(), accounts_.end(), [](const auto& a, const auto& b) {
      return a.second.last_flood < b.second.last_flood;
    });
    pairs_ -= oldest->second.closed_until.size();
    accounts_.erase(oldest);
  }
  return accounts_.emplace(std::string(account), account_state{}).first->second;
}

void flood_gate::make_room_for_pair(clock::time_point now) {
  if (pairs_ < options_.max_pairs) return;
  expire(now);
  if (pairs_ < options_.max_pairs) return;
  // Every kept pair is still closed: forgetting the one that reopens soonest costs the least.
  account_state* owner = nullptr;
  std::int32_t dc = 0;
  clock::time_point until = clock::time_point::max();
  for (auto& [name, state] : accounts_)
    for (const auto& [id, t] : state.closed_until)
      if (!owner || t < until) {
        owner = &state;
        dc = id;
        until = t;
      }
  if (owner) {
    owner->closed_until.erase(dc);
    --pairs_;
  }
}

flood_report flood_gate::report_wait(std::string_view account, std::int32_t dc, std::chrono::seconds wait,
                                     clock::time_point now, const crypto::random_source& random) {
  wait = std::clamp(wait, std::chrono::seconds::zero(), max_flood_wait);
  flood_report report;
  report.jitter = draw_jitter(wait, random);
  // Room is made before the account is looked up: expiring may drop that very account.
  const auto known = accounts_.find(account);
  if (known == accounts_.end() || !known->second.closed_until.contains(dc)) make_room_for_pair(now);
  account_state& state = account_for(account, now);
  ++state.floods;
  state.last_flood = std::max(state.last_flood, now);

  auto [it, added] = state.closed_until.try_emplace(dc, now);
  if (added) ++pairs_;
  const clock::duration left = it->second > now ? it->second - now : clock::duration::zero();
  it->second = std::max(it->second, add(now, wait + report.jitter));
  report.ready_at = it->second;
  report.action = decide(std::max<clock::duration>(wait, left));
  if (observer_) observer_(account, dc, report.ready_at);
  return report;
}

void flood_gate::close_until(std::string_view account, std::int32_t dc, clock::time_point until, clock::time_point now) {
  if (until <= now) return;
  until = std::min(until, add(now, max_flood_wait));
  const auto known = accounts_.find(account);
  if (known == accounts_.end() || !known->second.closed_until.contains(dc)) make_room_for_pair(now);
  account_state& state = account_for(account, now);
  auto [it, added] = state.closed_until.try_emplace(dc, now);
  if (added) ++pairs_;
  it->second = std::max(it->second, until);
}

flood_report flood_gate::report_transport_flood(std::string_view account, std::int32_t dc, clock::time_point now,
                                                const crypto::random_source& random) {
  return report_wait(account, dc, options_.transport_flood_wait, now, random);
}

clock::time_point flood_gate::ready_at(std::string_view account, std::int32_t dc, clock::time_point now) const {
  const auto a = accounts_.find(account);
  if (a == accounts_.end()) return now;
  const auto p = a->second.closed_until.find(dc);
  if (p == a->second.closed_until.end()) return now;
  return std::max(p->second, now);
}

bool flood_gate::is_open(std::string_view account, std::int32_t dc, clock::time_point now) const {
  return ready_at(account, dc, now) <= now;
}

flood_action flood_gate::decide(clock::duration wait) const noexcept {
  return wait <= options_.auto_sleep_limit ? flood_action::sleep : flood_action::too_long;
}

std::uint64_t flood_gate::flood_count(std::string_view account) const {
  const auto a = accounts_.find(account);
  return a == accounts_.end() ? 0 : a->second.floods;
}

void flood_gate::expire(clock::time_point now) {
  for (auto a = accounts_.begin(); a != accounts_.end();) {
    auto& closed = a->second.closed_until;
    pairs_ -= std::erase_if(closed, [now](const auto& p) { return p.second <= now; });
    if (closed.empty() && add(a->second.last_flood, options_.count_retention) <= now)
      a = accounts_.erase(a);
    else
      ++a;
  }
}

}  // namespace mtproto::download
