// One TCP connection to a DC and the encrypted session on it: connects (retrying by the policy),
// creates the DC's auth key when nobody has yet, then moves bytes between the socket and the
// sans-IO core and reports answers to its owner. It knows nothing of typed calls.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>

#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "mtproto/client/call_result.h"
#include "mtproto/client/options.h"
#include "mtproto/session/client_session.h"
#include "mtproto/transport/stream_codec.h"

namespace mtproto::client::detail {

using strand = asio::strand<asio::any_io_executor>;
using call_id = std::uint64_t;

/// What every connection to one DC shares: the auth key and what the server told us about it.
struct dc_keys {
  int dc_id = 0;
  std::optional<core::auth_key> key;
  std::int64_t salt = 0;
  core::clock::duration time_offset{};
  bool creating_key = false;
  /// Connections waiting for another connection's handshake; each entry wakes one.
  std::vector<std::function<void()>> key_waiters;
  std::uint64_t generation = 0;  // bumped when the key is replaced (the server forgot it)
  /// -404s seen on fresh connections in a row under the current key with no authentic packet in
  /// between. In memory only: an unconfirmed (possibly forged) -404 never reaches the disk.
  int unknown_key_reports = 0;
  /// The next connection goes direct instead of through the proxy, to confirm a proxy's -404.
  bool check_direct = false;
  /// The address the latest connection reached: later connections (download sessions,
  /// reconnects) try it first instead of the dead ones listed before it.
  std::optional<dc_endpoint> last_reached;
};

/// What a connection reports to the client.
class connection_owner {
 public:
  virtual ~connection_owner() = default;
  virtual const client_options& options() const = 0;
  virtual dc_keys& keys(int dc_id) = 0;
  /// The RSA keys a handshake with `dc_id` may use: a CDN DC's own (help.getCdnConfig), else
  /// client_options::dc_table's.
  virtual std::vector<crypto::rsa_public_key> handshake_keys(int dc_id, session_kind kind) const = 0;
  /// The DC's key, salt or clock offset changed (persist it).
  virtual void keys_changed(int dc_id) = 0;
  virtual void handshake_done(int dc_id) = 0;
  /// The server confirmed it no longer knows the DC's key; a new one is being created. Whatever
  /// was authorized on the old key is not, from now on (the stored copy stays until a new key
  /// replaces it).
  virtual void key_forgotten(int dc_id) = 0;
  virtual void connected(int dc_id) = 0;
  /// The server pushed updates (not an answer to any call).
  virtual void update_received(int dc_id, std::span<const std::uint8_t> body) = 0;
  /// A call finished; `error` null means `result` is the answer.
  virtual void call_done(call_id id, const call_error* error, std::span<const std::uint8_t> result) = 0;
  virtual core::clock::time_point now() const = 0;
  /// Shares ownership of the owner: a connection's coroutine holds it while it runs, so the owner
  /// outlives every co_await that uses it (the client may be destroyed mid-handshake).
  virtual std::shared_ptr<const void> keep_alive() = 0;
};

class connection : public std::enable_shared_from_this<connection> {
 public:
  connection(strand ex, connection_owner& owner, int dc_id, session_kind kind, int index);
  ~connection();

  /// Queues a call (serialized boxed function); starts connecting if idle.
  void submit(call_id id, std::vector<std::uint8_t> body);
  /// Forgets a call: it is not sent (or not re-sent) and its answer is dropped.
  void forget(call_id id);
  /// Closes the connection and fails every call on it with `reason`.
  void stop(std::error_code reason);

  std::size_t load() const noexcept { return calls_.size() + queued_.size(); }
  /// What this connection is doing now.
  session_state state() const;
  int dc_id() const noexcept { return dc_id_; }

 private:
  /// Starts run() unless it is running; an exception escaping it ends in recover().
  void start_running();
  asio::awaitable<void> run();
  /// An exception escaped the connection's coroutine (a throwing completion, memory exhausted):
  /// its calls fail with client_errc::internal_error, its session is dropped, and it starts over
  /// if calls are waiting.
  void recover(std::exception_ptr e);
  /// A -404 arrived on this connection: count it, and give the key up once it is confirmed.
  void note_unknown_key();
  asio::awaitable<std::error_code> connect_once();
  /// The DC's addresses for this kind of session (a CDN DC's are flagged cdn).
  std::vector<dc_endpoint> endpoints_of(const dc_table& table) const;
  asio::awaitable<std::error_code> ensure_key();
  asio::awaitable<std::error_code> create_key();
  asio::awaitable<std::error_code> serve();
  /// Runs `op`; an exception it throws is kept in crash_ and the op completes with internal_error.
  asio::awaitable<std::error_code> guarded(asio::awaitable<std::error_code> op);
  asio::awaitable<std::error_code> read_loop();
  asio::awaitable<std::error_code> write_loop();
  asio::awaitable<std::error_code> keepalive_loop();
  /// The next transport frame (valid until the next read); errors for transport errors too.
  asio::awaitable<std::error_code> next_frame(std::span<std::uint8_t>& frame);
  asio::awaitable<std::error_code> send_payload(std::vector<std::uint8_t>& buffer, std::size_t head_room);
  asio::awaitable<void> sleep(std::chrono::milliseconds d);

  void start_session();
  void push_queued();
  /// Moves the calls of a session whose key was replaced back to the front of the queue.
  void requeue_pushed();
  void push_call(call_id id, std::vector<std::uint8_t> body);
  void handle(session::event& ev);
  void wake_writer();
  /// Fails every call with `reason`; `cause` (when set) is what led to it.
  void fail_all(std::error_code reason, std::error_code cause = {});
  void close_socket();
  std::vector<std::uint8_t> wrap_first_call(std::span<const std::uint8_t> body) const;

  strand ex_;
  connection_owner& owner_;
  int dc_id_;
  session_kind kind_;
  int index_;
  asio::ip::tcp::socket socket_;
  std::optional<transport::stream_codec> codec_;
  std::optional<session::client_session> session_;
  std::uint64_t session_key_generation_ = 0;
  asio::steady_timer writer_wake_;  // cancelled to wake the writer
  bool wake_pending_ = false;
  asio::steady_timer retry_timer_;
  std::optional<asio::ip::tcp::resolver> resolver_;
  std::shared_ptr<asio::steady_timer> key_wait_;

  std::deque<std::pair<call_id, std::vector<std::uint8_t>>> queued_;  // waiting for a session
  /// A call pushed into the session. Its body (without the initConnection wrapper) is kept so the
  /// call can be pushed again into a session on a new key: a server that forgot our key (-404)
  /// never executed what it could not decrypt.
  struct pushed_call {
    call_id id;
    std::vector<std::uint8_t> body;
  };
  std::map<session::request_id, pushed_call> calls_;  // pushed into the session, by push order
  session::request_id init_request_ = 0;  // the call that carries initConnection, until answered
  bool init_sent_ = false;
  bool running_ = false;
  bool open_ = false;
  bool stopped_ = false;
  std::chrono::steady_clock::time_point last_received_{};
  std::int64_t next_ping_id_ = 1;
  std::uint64_t frames_served_ = 0;  // authentic packets read since the last connect
  int bad_packets_in_row_ = 0;       // packets in a row that failed authentication
  bool through_proxy_ = false;       // this connection goes through transport.via_proxy
  bool reported_unknown_key_ = false;  // a -404 on this connection was counted already
  std::exception_ptr crash_;           // what a guarded() branch threw, rethrown once it ends
  std::error_code last_error_;         // why the connection last ended (session_state::last_error)
  std::vector<session::event> events_;
};

}  // namespace mtproto::client::detail
