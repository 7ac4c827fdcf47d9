#include "shared_media_cache.h"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>

#include "resolved_json.h"

namespace tgstream {

namespace download = mtproto::download;

shared_media_cache::shared_media_cache(std::shared_ptr<redis_client> redis, std::chrono::seconds ttl, std::string prefix)
    : redis_(std::move(redis)), ttl_(std::max(ttl, std::chrono::seconds(1))), prefix_(std::move(prefix)) {}

std::string shared_media_cache::key(const std::string& account, const std::string& link) const {
  return prefix_ + "media:" + account + ":" + link;
}

asio::awaitable<std::optional<download::resolved_link>> shared_media_cache::find(const std::string& account,
                                                                                const std::string& link) {
  auto redis = redis_;
  auto stats = stats_;
  std::vector<std::string> args{std::string("GET"), key(account, link)};
  auto [ec, reply] = co_await redis->call(std::move(args));
  if (ec) {
    ++stats->failures;
    co_return std::nullopt;
  }
  std::optional<download::resolved_link> found;
  if (reply.type == redis_reply::kind::string) found = resolved_from_json(reply.text);
  // The entry must be what was asked for: a key collision or a tampered value is a miss.
  if (found && found->link.to_string() != link) found.reset();
  ++(found ? stats->hits : stats->misses);
  co_return found;
}

asio::awaitable<void> shared_media_cache::store(const std::string& account, const std::string& link,
                                                const download::resolved_link& value) {
  auto redis = redis_;
  auto stats = stats_;
  std::vector<std::string> args{std::string("SET"), key(account, link), resolved_to_json(value), std::string("EX"),
                                std::to_string(ttl_.count())};
  auto [ec, reply] = co_await redis->call(std::move(args));
  ++(ec ? stats->failures : stats->stored);
}

void shared_media_cache::drop(asio::any_io_executor ex, const std::vector<std::string>& accounts, const std::string& link) {
  if (accounts.empty()) return;
  std::vector<std::string> args{std::string("DEL")};
  for (const auto& a : accounts) args.push_back(key(a, link));
  asio::co_spawn(
      ex,
      [](std::shared_ptr<redis_client> redis, std::shared_ptr<counters> stats,
         std::vector<std::string> args) -> asio::awaitable<void> {
        auto [ec, reply] = co_await redis->call(std::move(args));
        if (ec) ++stats->failures;
      }(redis_, stats_, std::move(args)),
      asio::detached);
}

}  // namespace tgstream
