/// \file
/// The client runtime: calls go to a DC's main or download session, answers come back typed.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "mtproto/client/call_result.h"
#include "mtproto/client/export.h"
#include "mtproto/client/options.h"
#include "mtproto/tl/error.h"
#include "mtproto/tl/reader.h"
#include "mtproto/tl/writer.h"

/// The client runtime on Asio: connections and sessions per DC, calls with completion tokens,
/// reconnects and resends, logins, the session store and the DC table.
namespace mtproto::client {

/// Raw completion of a call: an error, or the serialized result (valid during the call only).
using raw_completion = std::function<void(const call_error*, std::span<const std::uint8_t>)>;
/// Handle of a started call, for cancel(); never 0.
using call_id = std::uint64_t;

namespace detail {
class client_core;
/// Cancels through a core that may already be gone (cancellation slots can outlive the client).
MTPROTO_CLIENT_EXPORT void cancel_call(const std::weak_ptr<client_core>& core, call_id id);

/// A cancellation that may arrive before start_call has returned the call's id: whichever of
/// request() and bind() comes second cancels the call (a second cancel of a call is harmless).
class pending_cancel {
 public:
  void request(const std::weak_ptr<client_core>& core) {
    requested_.store(true);
    if (const call_id id = id_.load()) cancel_call(core, id);
  }
  void bind(const std::weak_ptr<client_core>& core, call_id id) {
    id_.store(id);
    if (requested_.load()) cancel_call(core, id);
  }

 private:
  std::atomic<call_id> id_{0};
  std::atomic<bool> requested_{false};
};
}  // namespace detail

/// Who is logged in (as far as this client knows).
struct login_state {
  int home_dc = 0;           ///< The account's DC; 0 before one is chosen.
  std::int64_t user_id = 0;  ///< The logged-in user or bot; 0 when nobody is.
  bool is_bot = false;       ///< The login is a bot's.
  bool authorized = false;   ///< Someone is logged in with the home DC's key.
};

/// The client: calls go to a DC's main or download session, answers come back typed.
/// \code
/// mtproto::client::client c(io.get_executor(), options);
/// auto r = co_await c.async_invoke(api::help::getConfig{}, asio::use_awaitable);
/// if (!r) { /* r.error().code, r.error().rpc->wait() */ }
/// \endcode
/// Every public async operation takes an Asio completion token (use_awaitable, use_future, a
/// callback) and completes with the signature `void(call_result<T>)`: one argument that keeps the
/// server's error detail. Wrap the token in as_error_code(token) (as_error_code.h) for the
/// conventional `void(std::error_code, T)`, which redirect_error, as_tuple and parallel_group
/// expect. Per-call timeouts come from call_options; cancellation comes from the token's
/// cancellation slot or cancel(). The client serialises its state on an internal strand, so it may
/// be called from any thread of the executor.
class MTPROTO_CLIENT_EXPORT client {
 public:
  /// Loads the session store (see load_error()); connects lazily on the first call.
  client(asio::any_io_executor executor, client_options options);
  /// Shuts the client down as shutdown() does.
  ~client();
  client(const client&) = delete;
  client& operator=(const client&) = delete;

  /// The executor given at construction.
  asio::any_io_executor get_executor() const noexcept;
  /// The api_id / api_hash the client was created with (auth calls need them).
  std::int32_t api_id() const noexcept { return api_id_; }
  /// See api_id().
  const std::string& api_hash() const noexcept { return api_hash_; }

  /// Set when the session store could not be loaded; the client then refuses every call with this
  /// error rather than silently starting over with a new key.
  std::error_code load_error() const noexcept;

  /// Calls generated API function `fn` and completes `token` with
  /// `void(call_result<Fn::result_type>)` on the token's executor. The call is queued until the
  /// DC's session is ready, re-sent across reconnects, and fails with a client_errc, a server
  /// rpc_error (rpc_failed) or a decode error. Cancellation: the token's cancellation slot.
  template <class Fn, class Token>
  auto async_invoke(const Fn& fn, call_options options, Token&& token);
  /// async_invoke with default call_options.
  template <class Fn, class Token>
  auto async_invoke(const Fn& fn, Token&& token) {
    return async_invoke(fn, call_options{}, std::forward<Token>(token));
  }

  /// Starts a call on serialized TL; `done` runs on the client's strand. Returns its id.
  call_id start_call(std::vector<std::uint8_t> body, call_options options, raw_completion done);
  /// Completes the call with client_errc::cancelled (unless it already completed).
  void cancel(call_id id);

  /// Fails every queued and in-flight call with client_errc::shut_down, closes every connection
  /// and saves the session. Further calls fail at once.
  void shutdown();

  /// client_options::max_download_sessions: download sessions per DC call_options::session_index may name.
  int max_download_sessions() const noexcept;

  /// Who is logged in: a thread-safe snapshot.
  login_state login() const;
  /// The DC table in use, help.getConfig updates included: a thread-safe snapshot.
  dc_table current_dc_table() const;
  /// Records a successful sign-in (the auth helpers call this) and persists it.
  void set_logged_in(int dc, std::int64_t user_id, bool is_bot);
  /// Moves the home DC (PHONE_MIGRATE / USER_MIGRATE before login).
  void set_home_dc(int dc);
  /// help.getConfig's DC list replaces the addresses of the DCs it names.
  void apply_dc_options(const std::vector<api::DcOption>& options);

  /// Counters, for tests and tools.
  struct statistics {
    std::uint64_t handshakes = 0;      ///< Auth keys created.
    std::uint64_t connects = 0;        ///< TCP connections established.
    std::uint64_t calls_started = 0;   ///< Calls started (async_invoke and start_call).
    std::uint64_t flood_waits = 0;     ///< rpc errors with a wait.
    std::uint64_t flood_sleeps = 0;    ///< Calls slept through a FLOOD_WAIT or a DC's pause and sent again.
    std::uint64_t updates_received = 0;   ///< Updates the server pushed.
    std::uint64_t updates_unhandled = 0;  ///< Received while client_options::on_update was empty.
    std::map<int, int> sessions_per_dc; ///< Open connections (main + download) per DC.
  };
  /// The counters now: a thread-safe snapshot.
  statistics stats() const;

  /// The sessions of DC `dc` as they are now (main first, then the download sessions by index;
  /// none before the first call to the DC): completes `token` with
  /// `void(std::vector<session_state>)` on the token's executor.
  template <class Token>
  auto async_session_states(int dc, Token&& token);

 private:
  template <class Fn, class Handler>
  void initiate(Handler handler, std::vector<std::uint8_t> body, call_options options);
  void collect_session_states(int dc, std::function<void(std::vector<session_state>)> done);

  std::shared_ptr<detail::client_core> core_;
  std::int32_t api_id_ = 0;
  std::string api_hash_;
};

/// Decodes a call's serialized result as `Fn`'s result type.
template <class Fn>
call_result<typename Fn::result_type> decode_result(const call_error* error, std::span<const std::uint8_t> bytes) {
  if (error) return *error;
  try {
    tl::reader r(bytes);
    return Fn::read_result(r);
  } catch (const tl::decode_error& e) {
    return call_error{e.code()};
  }
}

template <class Fn, class Handler>
void client::initiate(Handler handler, std::vector<std::uint8_t> body, call_options options) {
  auto slot = asio::get_associated_cancellation_slot(handler);
  auto work = asio::make_work_guard(asio::get_associated_executor(handler, get_executor()));
  // The slot is assigned before the call exists, so a call that completes at once (on another
  // thread of the executor) cannot race the assignment; it is cleared on the handler's executor,
  // where the caller owns it, right before the handler runs.
  // Only calls that can be cancelled pay for the shared state (one allocation per call).
  std::shared_ptr<detail::pending_cancel> cancel;
  if (slot.is_connected()) {
    cancel = std::make_shared<detail::pending_cancel>();
    slot.assign([core = std::weak_ptr<detail::client_core>(core_), cancel](asio::cancellation_type) {
      cancel->request(core);
    });
  }
  // std::function needs a copyable target; the handler is move-only.
  auto shared = std::make_shared<Handler>(std::move(handler));
  const call_id id = start_call(
      std::move(body), options,
      [shared, work, slot](const call_error* error, std::span<const std::uint8_t> bytes) mutable {
        auto ex = work.get_executor();
        asio::post(ex, [shared, slot, r = decode_result<Fn>(error, bytes)]() mutable {
          if (slot.is_connected()) slot.clear();
          (*shared)(std::move(r));
        });
        work.reset();
      });
  if (cancel) cancel->bind(core_, id);
}

template <class Fn, class Token>
auto client::async_invoke(const Fn& fn, call_options options, Token&& token) {
  std::vector<std::uint8_t> body;
  tl::writer w(body);
  fn.write(w);
  return asio::async_initiate<Token, void(call_result<typename Fn::result_type>)>(
      [this](auto handler, std::vector<std::uint8_t> body, call_options options) {
        initiate<Fn>(std::move(handler), std::move(body), options);
      },
      token, std::move(body), options);
}

template <class Token>
auto client::async_session_states(int dc, Token&& token) {
  return asio::async_initiate<Token, void(std::vector<session_state>)>(
      [this, dc](auto handler) {
        auto work = asio::make_work_guard(asio::get_associated_executor(handler, get_executor()));
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        collect_session_states(dc, [shared, work](std::vector<session_state> states) mutable {
          auto ex = work.get_executor();
          asio::post(ex, [shared, states = std::move(states)]() mutable { (*shared)(std::move(states)); });
          work.reset();
        });
      },
      token);
}

}  // namespace mtproto::client
