#include "shared_floods.h"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>

#include <charconv>
#include <chrono>

#include <fmt/format.h>

namespace tgstream {
namespace {

using steady = std::chrono::steady_clock;
using wall = std::chrono::system_clock;

/// Sets KEYS[1] to ARGV[1] (ms since the epoch) with a TTL of ARGV[2] ms, unless it already holds
/// a later time: concurrent reports of one pair keep the longer wait.
constexpr const char* keep_longer = R"(local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if tonumber(ARGV[1]) > cur then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0)";

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(wall::now().time_since_epoch()).count();
}

}  // namespace

shared_floods::shared_floods(asio::any_io_executor ex, std::shared_ptr<redis_client> redis,
                             std::shared_ptr<mtproto::download::shared_flood_gate> gate, std::string prefix)
    : ex_(std::move(ex)), redis_(std::move(redis)), gate_(std::move(gate)), prefix_(std::move(prefix)) {
  // Called under the gate's lock, on whatever thread reported: it only posts.
  gate_->with([&](mtproto::download::flood_gate& g) {
    g.set_observer([this, alive = alive_, ex = ex_](std::string_view account, std::int32_t dc, steady::time_point ready_at) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(ready_at - steady::now()).count();
      if (left <= 0) return;
      asio::post(ex, [this, alive, k = key(account, dc), left] {
        if (!*alive) return;
        asio::co_spawn(ex_, publish(k, wall_ms() + left, left), asio::detached);
      });
    });
  });
}

shared_floods::~shared_floods() {
  *alive_ = false;
  gate_->with([](mtproto::download::flood_gate& g) { g.set_observer(nullptr); });
}

std::string shared_floods::key(std::string_view account, std::int32_t dc) const {
  return fmt::format("{}flood:{}:{}", prefix_, account, dc);
}

asio::awaitable<void> shared_floods::publish(std::string key, std::int64_t until_ms, std::int64_t ttl_ms) {
  auto redis = redis_;  // the coroutine may outlive a stopping gateway's members
  auto st = state_;
  // Built before the co_await: GCC 12 miscompiles string literals in a braced list there.
  std::vector<std::string> args{std::string("EVAL"), std::string(keep_longer), std::string("1"), std::move(key),
                                std::to_string(until_ms), std::to_string(ttl_ms)};
  auto [ec, reply] = co_await redis->call(std::move(args));
  if (ec) ++st->failures;
  else ++st->published;
}

asio::awaitable<void> shared_floods::import(const std::vector<std::string>& accounts, std::int32_t dc) {
  if (accounts.empty()) co_return;
  std::vector<std::string> args{std::string("MGET")};
  for (const auto& a : accounts) args.push_back(key(a, dc));
  auto redis = redis_;
  auto st = state_;
  auto [ec, reply] = co_await redis->call(std::move(args));
  if (ec || reply.type != redis_reply::kind::array || reply.elements.size() != accounts.size()) {
    ++st->failures;
    co_return;
  }
  const auto now_wall = wall_ms();
  const auto now = steady::now();
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    const auto& v = reply.elements[i];
    if (v.type != redis_reply::kind::string) continue;
    std::int64_t until = 0;
    auto [end, pec] = std::from_chars(v.text.data(), v.text.data() + v.text.size(), until);
    if (pec != std::errc{} || end != v.text.data() + v.text.size() || until <= now_wall) continue;
    const auto ready = now + std::chrono::milliseconds(until - now_wall);
    gate_->with([&](mtproto::download::flood_gate& g) { g.close_until(accounts[i], dc, ready, now); });
    ++st->imported;
  }
}

}  // namespace tgstream
