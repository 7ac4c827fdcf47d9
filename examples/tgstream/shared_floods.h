// Flood waits shared by every tgstream node through Redis, so that two nodes never both hit an
// account one of them saw flooded. A wait the server tells this node (any download's report to
// the process's flood gate) is written as a key per (account, DC) holding when it ends, kept the
// longer of two by a Lua script (atomic) and expiring with the wait; before a download a node
// reads its pool's keys for the file's DC and closes those pairs in its own gate, so its
// downloader sleeps or picks another account instead of asking.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mtproto/download/flood_gate.h"
#include "redis_client.h"

namespace tgstream {

class shared_floods {
 public:
  /// Installs itself as `gate`'s observer; `redis` must outlive it, as must the executor.
  shared_floods(asio::any_io_executor ex, std::shared_ptr<redis_client> redis,
                std::shared_ptr<mtproto::download::shared_flood_gate> gate, std::string prefix = "tgstream:");
  ~shared_floods();
  shared_floods(const shared_floods&) = delete;
  shared_floods& operator=(const shared_floods&) = delete;

  /// Closes locally every (account, dc) another node saw flooded (one MGET). A Redis failure is
  /// counted and ignored: the download goes on with what this node knows.
  asio::awaitable<void> import(const std::vector<std::string>& accounts, std::int32_t dc);

  std::uint64_t published() const noexcept { return state_->published; }  ///< Waits written.
  std::uint64_t imported() const noexcept { return state_->imported; }    ///< Waits learned.
  std::uint64_t failures() const noexcept { return state_->failures; }    ///< Redis calls that failed.

  /// The key of a pair.
  std::string key(std::string_view account, std::int32_t dc) const;

 private:
  struct state {
    std::uint64_t published = 0, imported = 0, failures = 0;
  };
  asio::awaitable<void> publish(std::string key, std::int64_t until_ms, std::int64_t ttl_ms);

  asio::any_io_executor ex_;
  std::shared_ptr<redis_client> redis_;
  std::shared_ptr<mtproto::download::shared_flood_gate> gate_;
  std::string prefix_;
  std::shared_ptr<state> state_ = std::make_shared<state>();
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace tgstream
