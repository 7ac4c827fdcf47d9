// A Redis connection on the gateway's Asio executor: hiredis's asynchronous API (Debian's
// libhiredis-dev) with an adapter that waits on its socket through Asio, and a coroutine call().
// One connection, commands pipelined; it reconnects on the next call after a failure. Every call
// has a timeout, so a Redis that hangs costs the gateway a bounded wait, never a stuck stream.
// Use from one thread (the executor's).
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

struct redisAsyncContext;

namespace tgstream {

/// redis://[:PASSWORD@]HOST[:PORT][/DB]
struct redis_endpoint {
  std::string host = "127.0.0.1";
  int port = 6379;
  std::string password;
  int db = 0;
  /// Nothing for a URL that is not of that shape (the message says why).
  static std::optional<redis_endpoint> parse(std::string_view url, std::string* why = nullptr);
};

struct redis_reply {
  enum class kind { nil, string, integer, status, array, error };
  kind type = kind::nil;
  std::string text;         ///< string, status, error
  long long integer = 0;    ///< integer
  std::vector<redis_reply> elements;  ///< array
};

enum class redis_errc {
  connect_failed = 1,  ///< the connection could not be made (or was lost before the answer)
  timeout,             ///< no answer within the call's timeout
  server_error,        ///< Redis answered an error (-ERR ...): the reply's text says which
};
const std::error_category& redis_category() noexcept;
std::error_code make_error_code(redis_errc e) noexcept;

class redis_client {
 public:
  redis_client(asio::any_io_executor ex, redis_endpoint endpoint,
               std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  ~redis_client();
  redis_client(const redis_client&) = delete;
  redis_client& operator=(const redis_client&) = delete;

  /// Sends one command (binary-safe arguments) and waits for its reply.
  asio::awaitable<std::pair<std::error_code, redis_reply>> call(std::vector<std::string> args);

  /// Ends the connection (pending calls fail with connect_failed) and refuses every later call:
  /// its socket wait no longer keeps the executor's run() going, so a draining process can end.
  void close();

  const redis_endpoint& endpoint() const noexcept { return endpoint_; }
  /// Calls that failed (connect, timeout, server error), for /metrics.
  std::uint64_t failures() const noexcept { return failures_; }

  struct adapter;  // the hiredis event hooks (internal)
  struct pending;  // one call waiting for its reply (internal)

 private:
  bool connect();
  void lost();

  asio::any_io_executor ex_;
  redis_endpoint endpoint_;
  std::chrono::milliseconds timeout_;
  redisAsyncContext* ctx_ = nullptr;
  std::shared_ptr<adapter> adapter_;
  std::uint64_t failures_ = 0;
  bool closed_ = false;
};

}  // namespace tgstream

template <>
struct std::is_error_code_enum<tgstream::redis_errc> : std::true_type {};
