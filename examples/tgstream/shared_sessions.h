// Sessions shared by every tgstream node through Redis: each account's auth keys, salts and login
// are one record, sealed with the library's session codec under the session passphrase (AES-256-GCM,
// scrypt), so any node can serve with any account of the pool and a node that starts later needs
// neither a session file nor a login. What two nodes must never do at once is create an account's
// keys and log it in (each would make its own key and overwrite the other's record): a login lease,
// a Redis key held with SET NX PX, serialises that. Serving needs no lease: every node runs its own
// MTProto sessions (its own session ids) on the shared key, as Telegram's own apps run several
// sessions per key, and the per-account flood state that keeps them from overloading an account is
// shared through Redis too (shared_floods.h).
#pragma once

#include <asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "mtproto/client/session_store.h"
#include "redis_client.h"

struct redisContext;

namespace tgstream {

/// The Redis key of an account's session record.
std::string session_key(std::string_view prefix, std::string_view account);

/// A session_store whose record lives in Redis. Synchronous, as session_store is: its own blocking
/// hiredis connection with a timeout, used on the client's thread (a save costs that thread one
/// round trip to Redis; saves are rare: a login, a new key, a new salt). A Redis that cannot be
/// reached is store_errc::io_failed, a record that does not open the codec's error; never a new,
/// silently empty session over a record that exists.
class redis_session_store final : public mtproto::client::session_store {
 public:
  redis_session_store(redis_endpoint endpoint, std::string key, mtproto::client::file_store_options protection,
                      std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  ~redis_session_store() override;
  redis_session_store(const redis_session_store&) = delete;
  redis_session_store& operator=(const redis_session_store&) = delete;

  std::error_code load(mtproto::client::stored_session& out) override;
  std::error_code save(const mtproto::client::stored_session& state) override;
  /// Why the last load or save failed, in words (Redis's own message included).
  const std::string& last_problem() const noexcept { return problem_; }

 private:
  bool connected();
  void drop();
  redis_endpoint endpoint_;
  std::string key_;
  mtproto::client::session_codec codec_;
  std::chrono::milliseconds timeout_;
  redisContext* ctx_ = nullptr;
  std::string problem_;
};

/// The right to create an account's keys and log it in, held by one node at a time. It expires on
/// its own (a node that dies holding it blocks the others for `ttl` at most).
class login_lease {
 public:
  /// Waits until the lease is this node's (polling) or `patience` has passed (then nothing).
  static asio::awaitable<std::optional<login_lease>> acquire(std::shared_ptr<redis_client> redis, std::string key,
                                                             std::chrono::milliseconds ttl,
                                                             std::chrono::milliseconds patience);
  /// Gives the lease up, if it is still this node's (a compare-and-delete: never another's).
  asio::awaitable<void> release();
  /// How long acquire() waited for another node's lease.
  std::chrono::milliseconds waited() const noexcept { return waited_; }

 private:
  std::shared_ptr<redis_client> redis_;
  std::string key_;
  std::string token_;
  std::chrono::milliseconds waited_{0};
};

}  // namespace tgstream
