// The client's state behind its strand: DCs (keys, connections, authorization), calls in flight,
// the stored session. Connections report here; calls are routed from here.
#pragma once

#include <asio/steady_timer.hpp>

#include <atomic>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <vector>
#include <unordered_map>

#include "connection.h"
#include "mtproto/client/client.h"

namespace mtproto::client::detail {

class client_core final : public connection_owner, public std::enable_shared_from_this<client_core> {
 public:
  client_core(asio::any_io_executor ex, client_options options);

  asio::any_io_executor executor() const { return ex_; }
  std::error_code load_error() const noexcept { return load_error_; }

  call_id start(std::vector<std::uint8_t> body, call_options options, raw_completion done, bool internal = false);
  void cancel(call_id id);
  void shutdown();

  login_state login() const;
  dc_table current_dc_table() const;
  client::statistics stats() const;
  /// The sessions of `dc` as they are now, given to `done` on the strand.
  void session_states(int dc, std::function<void(std::vector<session_state>)> done);
  void set_logged_in(int dc, std::int64_t user_id, bool is_bot);
  void set_home_dc(int dc);
  void apply_dc_options(std::vector<api::DcOption> options);

  // connection_owner
  const client_options& options() const override { return options_; }
  dc_keys& keys(int dc_id) override { return dc(dc_id).keys; }
  std::vector<crypto::rsa_public_key> handshake_keys(int dc_id, session_kind kind) const override;
  void keys_changed(int dc_id) override;
  void handshake_done(int dc_id) override;
  void key_forgotten(int dc_id) override;
  void connected(int dc_id) override;
  void update_received(int dc_id, std::span<const std::uint8_t> body) override;
  void call_done(call_id id, const call_error* error, std::span<const std::uint8_t> result) override;
  core::clock::time_point now() const override;
  std::shared_ptr<const void> keep_alive() override { return shared_from_this(); }

 private:
  struct call_state {
    raw_completion done;
    std::unique_ptr<asio::steady_timer> timer;
    std::shared_ptr<connection> conn;
    int dc = 0;
    std::chrono::steady_clock::time_point deadline{};
    /// Kept when the call may sleep through a FLOOD_WAIT: what to send again.
    std::optional<std::vector<std::uint8_t>> body;
    call_options options;
    bool internal = false;
    std::unique_ptr<asio::steady_timer> flood_timer;  // while it sleeps
  };
  struct dc_state {
    dc_keys keys;
    bool authorized = false;
    bool importing = false;
    bool preparing_cdn = false;
    struct waiting_call {
      call_id id;
      std::vector<std::uint8_t> body;
      call_options options;  // where it goes once the DC is authorized (session kind and index)
    };
    /// Calls held until the DC is ready for them: an authorization import, or a CDN DC's keys.
    std::deque<waiting_call> waiting_for_import;
    std::shared_ptr<connection> main;
    std::chrono::steady_clock::time_point flood_until{};  // the server told this account to wait
    std::vector<std::shared_ptr<connection>> downloads;  // by session index; null: never opened
  };

  dc_state& dc(int id);
  int home_dc() const;
  void begin(call_id id, std::vector<std::uint8_t> body, call_options options, raw_completion done, bool internal);
  void route(call_id id, std::vector<std::uint8_t> body, const call_options& options, bool internal);
  /// Routes the call, or holds it until its DC's flood pause is over (when it may sleep).
  void route_or_hold(call_id id, std::vector<std::uint8_t> body, const call_options& options, bool internal);
  /// A call the server told to wait: sleeps it and returns true, or returns false (deliver it).
  bool sleep_through(call_id id, call_state& call, std::chrono::seconds wait);
  /// Sends the call again at `at` (its kept body), unless it completed meanwhile.
  void resend_at(call_id id, call_state& call, std::chrono::steady_clock::time_point at);
  std::shared_ptr<connection> pick_connection(int dc_id, session_kind kind, std::optional<int> index);
  void import_authorization(int dc_id);
  /// Fetches what a CDN DC needs before its first call (help.getCdnConfig for its keys, and
  /// help.getConfig when its address is unknown) and routes the held calls.
  void prepare_cdn(int dc_id);
  /// Routes or fails the calls held for `dc_id` (an import or a CDN's config finished).
  void release_waiting(int dc_id, const call_error* error);
  void finish(call_id id, const call_error* error, std::span<const std::uint8_t> result);
  void fail(call_id id, std::error_code code);
  /// Writes the stored session now (and cancels a pending deferred write).
  void save();
  /// Writes it within session_save_delay: for changes that can be lost without harm.
  void save_later();

  strand ex_;
  client_options options_;
  std::shared_ptr<session_store> store_;
  std::error_code load_error_;
  stored_session stored_;
  std::map<int, dc_state> dcs_;
  /// CDN DCs' RSA keys from help.getCdnConfig, by DC.
  std::map<int, std::vector<crypto::rsa_public_key>> cdn_keys_;
  std::unordered_map<call_id, call_state> calls_;
  std::atomic<call_id> next_call_{1};
  std::minstd_rand jitter_rng_{std::random_device{}()};  // flood-wait jitter: not a secret
  bool shut_down_ = false;
  std::unique_ptr<asio::steady_timer> save_timer_;  // pending deferred save, if any

  mutable std::mutex snapshot_mutex_;  // guards what the thread-safe getters read
  client::statistics stats_;
  dc_table table_snapshot_;
};

}  // namespace mtproto::client::detail
