// The metadata cache shared by every tgstream node through Redis: link → what it resolved to,
// per account (access hashes and file references are the account's own), expiring with the
// in-memory cache's TTL. A node that finds an entry another node stored adopts it into its
// account's resolver (download::resolver::adopt), so it neither resolves the username again
// (contacts.resolveUsername is the most flood-limited call of all) nor fetches the message, and
// file-reference refreshes still work. A Redis failure is a miss, counted.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "mtproto/download/resolver.h"
#include "redis_client.h"

namespace tgstream {

class shared_media_cache {
 public:
  shared_media_cache(std::shared_ptr<redis_client> redis, std::chrono::seconds ttl, std::string prefix = "tgstream:");

  asio::awaitable<std::optional<mtproto::download::resolved_link>> find(const std::string& account, const std::string& link);
  asio::awaitable<void> store(const std::string& account, const std::string& link,
                              const mtproto::download::resolved_link& value);
  /// Forgets `link` for every account named (a file reference expired), on `ex`, without waiting:
  /// the call holds nothing of this object.
  void drop(asio::any_io_executor ex, const std::vector<std::string>& accounts, const std::string& link);

  std::string key(const std::string& account, const std::string& link) const;

  struct counters {
    std::uint64_t hits = 0, misses = 0, stored = 0, failures = 0;
  };
  const counters& stats() const noexcept { return *stats_; }

 private:
  std::shared_ptr<redis_client> redis_;
  std::chrono::seconds ttl_;
  std::string prefix_;
  std::shared_ptr<counters> stats_ = std::make_shared<counters>();
};

}  // namespace tgstream
