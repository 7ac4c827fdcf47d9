/// \file
/// A blocking façade for simple programs.
#pragma once

#include <asio/co_spawn.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <shared_mutex>
#include <optional>
#include <string>
#include <thread>

#include "mtproto/client/auth.h"
#include "mtproto/client/client.h"
#include "mtproto/client/export.h"

namespace mtproto::client {

/// A blocking façade for simple programs: the client runs on an io_context of its own, on a thread
/// of its own, and every call waits for its answer.
/// \code
/// mtproto::client::blocking_client c(options);
/// c.sign_in_bot(token);                              // throws call_exception on failure
/// auto config = c.invoke(api::help::getConfig{});    // the typed result
/// auto r = c.try_invoke(api::help::getConfig{});     // or call_result, no exception
/// c.shutdown();                                      // also done by the destructor
/// \endcode
/// Calls may come from any number of threads at once (they share the client's connections), but
/// never from the client's own thread (a callback waiting on itself): that throws std::logic_error.
/// Applications with an executor of their own use mtproto::client::client directly.
class MTPROTO_CLIENT_EXPORT blocking_client {
 public:
  /// How long shutdown() lets connections wind down before it stops the io_context outright.
  static constexpr std::chrono::seconds shutdown_grace{5};

  /// Starts the client's thread; connects lazily on the first call. A session store that cannot
  /// be loaded makes every call fail with its error (see load_error()).
  explicit blocking_client(client_options options);
  /// shutdown().
  ~blocking_client();
  blocking_client(const blocking_client&) = delete;
  blocking_client& operator=(const blocking_client&) = delete;

  /// The function's typed result; throws call_exception (error() has the code and the rpc_error).
  template <class Fn>
  typename Fn::result_type invoke(const Fn& fn, call_options options = {}) {
    return try_invoke(fn, options).value();
  }

  /// The function's result or its error, without exceptions. After shutdown(): client_errc::shut_down.
  template <class Fn>
  call_result<typename Fn::result_type> try_invoke(const Fn& fn, call_options options = {}) {
    std::future<call_result<typename Fn::result_type>> answer;
    {
      std::shared_lock lock(lifetime_);
      if (closed_) return make_error_code(client_errc::shut_down);
      refuse_own_thread();
      answer = client_->async_invoke(fn, options, asio::use_future);
    }
    return answer.get();
  }

  /// \name Logging in
  /// As in auth.h; each returns the result or throws call_exception.
  /// \{

  /// Logs in as the bot with this token (client::sign_in_bot).
  api::User sign_in_bot(std::string bot_token);
  /// Asks for a login code for `phone` (client::send_code).
  sent_code send_code(std::string phone);
  /// A 2FA account throws call_exception whose error().is_rpc(session_password_needed).
  api::User sign_in(const sent_code& code, std::string phone_code);
  /// Completes a 2FA login with the account's password (client::check_password).
  api::User check_password(std::string password);
  /// \}

  /// Fails every queued and in-flight call with client_errc::shut_down (callers blocked in
  /// invoke() get it), closes the connections, saves the session and joins the thread.
  /// Idempotent; must not be called from the client's own thread.
  void shutdown();

  /// Who is logged in (client::login).
  login_state login() const { return client_->login(); }
  /// Why the session store could not be loaded, if so (client::load_error).
  std::error_code load_error() const noexcept { return client_->load_error(); }
  /// The client's counters (client::stats).
  client::statistics stats() const { return client_->stats(); }
  /// The asynchronous client underneath (its executor is the façade's thread).
  client& async_client() noexcept { return *client_; }

 private:
  /// Runs a login coroutine on the client's thread and waits for it.
  template <class T>
  T wait(asio::awaitable<call_result<T>> step) {
    std::future<call_result<T>> answer;
    {
      std::shared_lock lock(lifetime_);
      if (closed_) throw call_exception(call_error{make_error_code(client_errc::shut_down)});
      refuse_own_thread();
      answer = asio::co_spawn(io_, std::move(step), asio::use_future);
    }
    return answer.get().value();
  }
  void refuse_own_thread();

  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::unique_ptr<client> client_;
  std::thread thread_;
  std::future<void> thread_done_;
  /// Calls start under a shared lock, shutdown() closes under the exclusive one: a call either
  /// starts while the thread still runs (and is failed by the client's shutdown) or is refused.
  mutable std::shared_mutex lifetime_;
  bool closed_ = false;
};

}  // namespace mtproto::client
