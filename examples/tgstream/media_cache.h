// Link → what the link resolved to, per account (access hashes and file references are the
// account's own), kept for a TTL and bounded in entries (least recently used goes first).
// In memory; with --redis the gateway also keeps entries in Redis for the other nodes
// (shared_media_cache.h).
#pragma once

#include <chrono>
#include <cstdint>
#include <list>
#include <map>
#include <optional>
#include <string>

#include "mtproto/download/resolver.h"

namespace tgstream {

/// How long and how many.
struct media_cache_options {
  std::chrono::seconds ttl{3600};
  std::size_t max_entries = 10'000;
};

/// The cache. Not thread-safe: one executor.
class media_cache {
 public:
  using clock = std::chrono::steady_clock;
  explicit media_cache(media_cache_options options = {}) : options_(options) {}

  /// The entry for (account, link), if present and not expired at `now`.
  const mtproto::download::resolved_link* find(std::size_t account, const std::string& link, clock::time_point now);
  /// Stores (or replaces) it.
  void store(std::size_t account, const std::string& link, mtproto::download::resolved_link value,
             clock::time_point now);
  /// Forgets every account's entry for `link` (a file reference expired: fetch the message again).
  void invalidate(const std::string& link);

  std::uint64_t hits() const noexcept { return hits_; }       ///< find() answered an entry.
  std::uint64_t misses() const noexcept { return misses_; }   ///< find() answered nothing.
  std::size_t size() const noexcept { return entries_.size(); }  ///< Entries held.

 private:
  using key = std::pair<std::size_t, std::string>;
  struct entry {
    mtproto::download::resolved_link value;
    clock::time_point expires;
    std::list<key>::iterator order;
  };
  media_cache_options options_;
  std::map<key, entry> entries_;
  std::list<key> lru_;  ///< Most recently used first.
  std::uint64_t hits_ = 0;
  std::uint64_t misses_ = 0;
};

}  // namespace tgstream
