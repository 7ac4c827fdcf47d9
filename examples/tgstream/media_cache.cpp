#include "media_cache.h"

namespace tgstream {

const mtproto::download::resolved_link* media_cache::find(std::size_t account, const std::string& link,
                                                          clock::time_point now) {
  const auto it = entries_.find(key{account, link});
  if (it == entries_.end() || it->second.expires <= now) {
    if (it != entries_.end()) {
      lru_.erase(it->second.order);
      entries_.erase(it);
    }
    ++misses_;
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second.order);
  ++hits_;
  return &it->second.value;
}

void media_cache::store(std::size_t account, const std::string& link, mtproto::download::resolved_link value,
                        clock::time_point now) {
  if (options_.max_entries == 0) return;
  key k{account, link};
  if (auto it = entries_.find(k); it != entries_.end()) {
    it->second.value = std::move(value);
    it->second.expires = now + options_.ttl;
    lru_.splice(lru_.begin(), lru_, it->second.order);
    return;
  }
  while (entries_.size() >= options_.max_entries) {
    entries_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(k);
  entries_.emplace(std::move(k), entry{std::move(value), now + options_.ttl, lru_.begin()});
}

void media_cache::invalidate(const std::string& link) {
  for (auto it = entries_.begin(); it != entries_.end();) {
    if (it->first.second == link) {
      lru_.erase(it->second.order);
      it = entries_.erase(it);
    } else {
      ++it;
    }
  }
}

}  // namespace tgstream
