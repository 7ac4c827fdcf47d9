#include "mtproto/client/client.h"

#include <asio/dispatch.hpp>
#include <asio/post.hpp>

#include <algorithm>
#include <random>

#include "client_core.h"
#include "mtproto/api/auth/ExportedAuthorization.h"
#include "mtproto/api/fn/auth/exportAuthorization.h"
#include "mtproto/api/fn/auth/importAuthorization.h"
#include "mtproto/api/CdnConfig.h"
#include "mtproto/api/CdnPublicKey.h"
#include "mtproto/api/Config.h"
#include "mtproto/api/fn/help/getCdnConfig.h"
#include "mtproto/api/fn/help/getConfig.h"
#include "mtproto/api/DcOption.h"

namespace mtproto::client {
namespace detail {

client_core::client_core(asio::any_io_executor ex, client_options options)
    : ex_(asio::make_strand(ex)), options_(std::move(options)) {
  store_ = options_.store ? options_.store : std::make_shared<memory_session_store>();
  load_error_ = store_->load(stored_);
  if (load_error_) {
    options_.log.error("session store: {}", load_error_.message());
    stored_ = {};
  }
  for (const auto& [id, s] : stored_.dcs) {
    auto& d = dc(id);
    if (!s.key.empty()) d.keys.key = s.key;
    d.keys.salt = s.salt;
    d.keys.time_offset = s.time_offset;
    d.authorized = s.authorized;
  }
  table_snapshot_ = options_.dc_table;
}

client_core::dc_state& client_core::dc(int id) {
  auto [it, inserted] = dcs_.try_emplace(id);
  if (inserted) it->second.keys.dc_id = id;
  return it->second;
}

int client_core::home_dc() const { return stored_.home_dc ? stored_.home_dc : options_.dc_table.default_dc(); }

core::clock::time_point client_core::now() const { return options_.clock ? options_.clock() : core::clock::now(); }

call_id client_core::start(std::vector<std::uint8_t> body, call_options options, raw_completion done, bool internal) {
  const call_id id = next_call_++;
  asio::dispatch(ex_, [self = shared_from_this(), id, body = std::move(body), options, done = std::move(done),
                       internal]() mutable { self->begin(id, std::move(body), options, std::move(done), internal); });
  return id;
}

void client_core::begin(call_id id, std::vector<std::uint8_t> body, call_options options, raw_completion done,
                        bool internal) {
  std::error_code refuse;
  if (shut_down_) refuse = make_error_code(client_errc::shut_down);
  if (load_error_) refuse = load_error_;
  if (!refuse && calls_.size() >= options_.max_pending_calls) refuse = make_error_code(client_errc::overloaded);
  if (refuse) {
    const call_error error{refuse, std::nullopt};
    done(&error, {});
    return;
  }
  {
    std::lock_guard lock(snapshot_mutex_);
    ++stats_.calls_started;
  }
  auto& call = calls_[id];
  call.done = std::move(done);
  const auto timeout = options.timeout.value_or(options_.call_timeout);
  call.timer = std::make_unique<asio::steady_timer>(ex_, timeout);
  call.timer->async_wait([weak = weak_from_this(), id](const asio::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->fail(id, make_error_code(client_errc::timeout));
  });
  call.dc = options.dc.value_or(home_dc());
  call.deadline = std::chrono::steady_clock::now() + timeout;
  call.options = options;
  call.internal = internal;
  if (options.sleep_through_flood && options_.flood_sleep_limit > std::chrono::seconds::zero()) call.body = body;
  route_or_hold(id, std::move(body), options, internal);
}

void client_core::route_or_hold(call_id id, std::vector<std::uint8_t> body, const call_options& options,
                                bool internal) {
  auto& call = calls_.at(id);
  const auto now = std::chrono::steady_clock::now();
  const auto until = dc(call.dc).flood_until;
  // A paused DC would refuse the call again; one that may sleep waits out the pause here, if the
  // rest of the wait is within the limit and ends before the call's own timeout.
  if (call.body && until > now && until - now <= options_.flood_sleep_limit && until < call.deadline) {
    resend_at(id, call, until);
    return;
  }
  route(id, std::move(body), options, internal);
}

void client_core::resend_at(call_id id, call_state& call, std::chrono::steady_clock::time_point at) {
  {
    std::lock_guard lock(snapshot_mutex_);
    ++stats_.flood_sleeps;
  }
  call.conn = nullptr;
  call.flood_timer = std::make_unique<asio::steady_timer>(ex_, at);
  call.flood_timer->async_wait([weak = weak_from_this(), id](const asio::error_code& ec) {
    if (ec) return;
    auto self = weak.lock();
    if (!self) return;
    auto it = self->calls_.find(id);
    if (it == self->calls_.end() || !it->second.body) return;  // completed, failed or cancelled meanwhile
    // The timer is this handler's own: keep it alive until the handler returns.
    auto timer = std::move(it->second.flood_timer);
    self->route_or_hold(id, *it->second.body, it->second.options, it->second.internal);
  });
}

bool client_core::sleep_through(call_id id, call_state& call, std::chrono::seconds wait) {
  if (!call.body || shut_down_ || wait > options_.flood_sleep_limit) return false;
  // Up to 10% (at most a second) more, so calls told to wait together do not all return together.
  const auto wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(wait);
  const auto jitter = std::chrono::milliseconds(
      std::uniform_int_distribution<std::int64_t>(0, std::min<std::int64_t>(wait_ms.count() / 10, 1000))(jitter_rng_));
  const auto at = std::chrono::steady_clock::now() + wait_ms + jitter;
  if (at >= call.deadline) return false;
  resend_at(id, call, at);
  return true;
}

void client_core::route(call_id id, std::vector<std::uint8_t> body, const call_options& options, bool internal) {
  const int target = options.dc.value_or(home_dc());
  if (options.kind == session_kind::cdn &&
      (!cdn_keys_.contains(target) || (options_.dc_table.cdn_endpoints(target).empty() && !options_.transport.via_proxy))) {
    dc(target).waiting_for_import.push_back({id, std::move(body), options});
    prepare_cdn(target);
    return;
  }
  if (!options_.dc_table.has(target) && !options_.transport.via_proxy) {
    fail(id, make_error_code(client_errc::unknown_dc));
    return;
  }
  auto& d = dc(target);
  const bool home_authorized = stored_.user_id != 0 && dc(home_dc()).authorized;
  if (!internal && options.kind != session_kind::cdn && target != home_dc() && home_authorized && !d.authorized) {
    d.waiting_for_import.push_back({id, std::move(body), options});
    import_authorization(target);
    return;
  }
  if (options.kind != session_kind::main && options.session_index &&
      (*options.session_index < 0 || *options.session_index >= options_.max_download_sessions)) {
    fail(id, make_error_code(client_errc::bad_session_index));
    return;
  }
  auto conn = pick_connection(target, options.kind, options.session_index);
  calls_[id].conn = conn;
  conn->submit(id, std::move(body));
}

std::shared_ptr<connection> client_core::pick_connection(int dc_id, session_kind kind, std::optional<int> index) {
  auto& d = dc(dc_id);
  auto created = [&](std::shared_ptr<connection> c) {
    std::lock_guard lock(snapshot_mutex_);
    ++stats_.sessions_per_dc[dc_id];
    return c;
  };
  if (kind == session_kind::main || (kind == session_kind::download && options_.max_download_sessions <= 0)) {
    if (!d.main) d.main = created(std::make_shared<connection>(ex_, *this, dc_id, session_kind::main, 0));
    return d.main;
  }
  if (index) {
    // Only the session asked for is opened: a caller starting at index 3 leaves 0..2 unopened.
    const auto at = static_cast<std::size_t>(*index);
    if (d.downloads.size() <= at) d.downloads.resize(at + 1);
    if (!d.downloads[at]) d.downloads[at] = created(std::make_shared<connection>(ex_, *this, dc_id, kind, *index + 1));
    return d.downloads[at];
  }
  std::shared_ptr<connection> best;
  for (auto& c : d.downloads)
    if (c && (!best || c->load() < best->load())) best = c;
  if (!best || (best->load() >= options_.download_session_depth &&
                d.downloads.size() < static_cast<std::size_t>(options_.max_download_sessions))) {
    // The first slot no session holds yet.
    const auto free = std::find(d.downloads.begin(), d.downloads.end(), nullptr);
    const auto at = static_cast<std::size_t>(free - d.downloads.begin());
    best = created(std::make_shared<connection>(ex_, *this, dc_id, kind, static_cast<int>(at) + 1));
    if (free == d.downloads.end()) d.downloads.push_back(best);
    else *free = best;
  }
  return best;
}

void client_core::import_authorization(int dc_id) {
  auto& d = dc(dc_id);
  if (d.importing) return;
  d.importing = true;
  options_.log.info("dc{}: importing authorization from dc{}", dc_id, home_dc());
  auto release = [self = shared_from_this(), dc_id](const call_error* error) {
    self->dc(dc_id).importing = false;
    self->release_waiting(dc_id, error);
  };
  std::vector<std::uint8_t> body;
  tl::writer w(body);
  api::auth::exportAuthorization{dc_id}.write(w);
  call_options home;
  home.dc = home_dc();
  start(std::move(body), home,
        [self = shared_from_this(), dc_id, release](const call_error* error, std::span<const std::uint8_t> bytes) {
          auto exported = decode_result<api::auth::exportAuthorization>(error, bytes);
          if (!exported) return release(&exported.error());
          const auto* e = exported->get_if<api::auth::exportedAuthorization>();
          if (!e) {
            const call_error bad{make_error_code(client_errc::unexpected_answer), std::nullopt};
            return release(&bad);
          }
          std::vector<std::uint8_t> import_body;
          tl::writer iw(import_body);
          api::auth::importAuthorization{e->id, e->bytes}.write(iw);
          call_options target;
          target.dc = dc_id;
          self->start(std::move(import_body), target,
                      [self, dc_id, release](const call_error* error, std::span<const std::uint8_t>) {
                        if (!error) {
                          self->dc(dc_id).authorized = true;
                          self->keys_changed(dc_id);
                        }
                        release(error);
                      },
                      true);
        },
        true);
}

void client_core::release_waiting(int dc_id, const call_error* error) {
  auto& d = dc(dc_id);
  auto waiting = std::move(d.waiting_for_import);
  d.waiting_for_import.clear();
  for (auto& w : waiting) {
    if (!calls_.contains(w.id)) continue;  // timed out or cancelled meanwhile
    if (error) {
      finish(w.id, error, {});
    } else {
      w.options.dc = dc_id;
      route(w.id, std::move(w.body), w.options, true);
    }
  }
}

std::vector<crypto::rsa_public_key> client_core::handshake_keys(int dc_id, session_kind kind) const {
  if (kind != session_kind::cdn) return options_.dc_table.rsa_keys();
  const auto it = cdn_keys_.find(dc_id);
  return it == cdn_keys_.end() ? std::vector<crypto::rsa_public_key>{} : it->second;
}

void client_core::prepare_cdn(int dc_id) {
  auto& d = dc(dc_id);
  if (d.preparing_cdn) return;
  d.preparing_cdn = true;
  options_.log.info("dc{}: fetching the CDN DC's keys and address", dc_id);
  auto release = [self = shared_from_this(), dc_id](const call_error* error) {
    self->dc(dc_id).preparing_cdn = false;
    if (!error && (!self->cdn_keys_.contains(dc_id) ||
                   (self->options_.dc_table.cdn_endpoints(dc_id).empty() && !self->options_.transport.via_proxy))) {
      // The server named a CDN DC it gives no key or address for.
      const call_error unknown{make_error_code(client_errc::unknown_dc), std::nullopt};
      return self->release_waiting(dc_id, &unknown);
    }
    self->release_waiting(dc_id, error);
  };
  // The address first when it is unknown (help.getConfig lists CDN DCs flagged cdn), then the keys.
  auto fetch_keys = [self = shared_from_this(), release]() {
    std::vector<std::uint8_t> body;
    tl::writer w(body);
    api::help::getCdnConfig{}.write(w);
    call_options home;
    home.dc = self->home_dc();
    self->start(std::move(body), home,
                [self, release](const call_error* error, std::span<const std::uint8_t> bytes) {
                  auto config = decode_result<api::help::getCdnConfig>(error, bytes);
                  if (!config) return release(&config.error());
                  if (const auto* c = config->get_if<api::cdnConfig>()) {
                    for (const auto& key : c->public_keys) {
                      const auto* k = key.get_if<api::cdnPublicKey>();
                      if (!k) continue;
                      try {
                        auto parsed = crypto::rsa_public_key::from_pem(k->public_key);
                        auto& keys = self->cdn_keys_[k->dc_id];
                        if (keys.size() < 8) keys.push_back(std::move(parsed));
                      } catch (const std::exception&) {
                        self->options_.log.warn("dc{}: help.getCdnConfig gave an unreadable key", k->dc_id);
                      }
                    }
                  }
                  release(nullptr);
                },
                true);
  };
  if (!options_.dc_table.cdn_endpoints(dc_id).empty() || options_.transport.via_proxy) {
    fetch_keys();
    return;
  }
  std::vector<std::uint8_t> body;
  tl::writer w(body);
  api::help::getConfig{}.write(w);
  call_options home;
  home.dc = home_dc();
  start(std::move(body), home,
        [self = shared_from_this(), release, fetch_keys](const call_error* error, std::span<const std::uint8_t> bytes) {
          auto config = decode_result<api::help::getConfig>(error, bytes);
          if (!config) return release(&config.error());
          if (const auto* c = config->get_if<api::config>()) {
            self->options_.dc_table.apply(c->dc_options);
            std::lock_guard lock(self->snapshot_mutex_);
            self->table_snapshot_ = self->options_.dc_table;
          }
          fetch_keys();
        },
        true);
}

void client_core::call_done(call_id id, const call_error* error, std::span<const std::uint8_t> result) {
  finish(id, error, result);
}

void client_core::finish(call_id id, const call_error* error, std::span<const std::uint8_t> result) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  if (error && error->rpc && error->rpc->wait()) {
    {
      std::lock_guard lock(snapshot_mutex_);
      ++stats_.flood_waits;
    }
    const auto wait = *error->rpc->wait();
    // FLOOD_WAIT and FLOOD_PREMIUM_WAIT are about the account on this DC (SLOWMODE_WAIT is about
    // one chat): the DC is paused for every call of this client that may sleep.
    if (error->rpc->type.starts_with("FLOOD_")) {
      auto& until = dc(it->second.dc).flood_until;
      until = std::max(until, std::chrono::steady_clock::now() + wait);
    }
    if (sleep_through(id, it->second, wait)) return;
  }
  auto call = std::move(it->second);
  calls_.erase(it);
  if (call.timer) call.timer->cancel();
  call.done(error, result);
}

void client_core::fail(call_id id, std::error_code code) {
  auto it = calls_.find(id);
  if (it == calls_.end()) return;
  if (it->second.conn) it->second.conn->forget(id);
  for (auto& [dc_id, d] : dcs_) {
    auto& w = d.waiting_for_import;
    std::erase_if(w, [&](const auto& e) { return e.id == id; });
  }
  const call_error error{code, std::nullopt};
  finish(id, &error, {});
}

void client_core::cancel(call_id id) {
  asio::dispatch(ex_, [self = shared_from_this(), id] { self->fail(id, make_error_code(client_errc::cancelled)); });
}

void client_core::shutdown() {
  asio::dispatch(ex_, [self = shared_from_this()] {
    if (self->shut_down_) return;
    self->shut_down_ = true;
    const auto reason = make_error_code(client_errc::shut_down);
    for (auto& [id, d] : self->dcs_) {
      if (d.main) d.main->stop(reason);
      for (auto& c : d.downloads)
        if (c) c->stop(reason);
    }
    std::vector<call_id> rest;
    for (auto& [id, call] : self->calls_) rest.push_back(id);
    for (auto id : rest) self->fail(id, reason);
    self->save();
  });
}

void client_core::keys_changed(int dc_id) {
  auto& d = dc(dc_id);
  // Without a key there is nothing new to store: the old key and login stay on disk until a
  // replacement key exists (a forged -404 must not cost the login).
  if (!d.keys.key) return;
  bool critical = false;
  {
    std::lock_guard lock(snapshot_mutex_);
    auto [it, inserted] = stored_.dcs.try_emplace(dc_id);
    auto& s = it->second;
    critical = inserted || s.key.bytes() != d.keys.key->bytes() || s.authorized != d.authorized;
    s.key = *d.keys.key;
    s.salt = d.keys.salt;
    s.time_offset = std::chrono::duration_cast<std::chrono::seconds>(d.keys.time_offset);
    s.authorized = d.authorized;
  }
  // A new key or login must survive a crash; a salt or clock offset is learnt again if lost, and
  // changes with every new session: those writes (each an fsync) are coalesced.
  if (critical)
    save();
  else
    save_later();
}

void client_core::save_later() {
  if (save_timer_ || shut_down_) return;
  save_timer_ = std::make_unique<asio::steady_timer>(ex_, options_.session_save_delay);
  save_timer_->async_wait([weak = weak_from_this()](const asio::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) self->save();
  });
}

void client_core::key_forgotten(int dc_id) {
  auto& d = dc(dc_id);
  if (d.authorized)
    options_.log.warn("dc{}: the login on the forgotten key is lost; sign in again (calls get AUTH_KEY_UNREGISTERED)",
                      dc_id);
  d.authorized = false;
}

void client_core::handshake_done(int) {
  std::lock_guard lock(snapshot_mutex_);
  ++stats_.handshakes;
}

void client_core::connected(int) {
  std::lock_guard lock(snapshot_mutex_);
  ++stats_.connects;
}

void client_core::update_received(int dc_id, std::span<const std::uint8_t> body) {
  {
    std::lock_guard lock(snapshot_mutex_);
    ++stats_.updates_received;
    if (!options_.on_update) ++stats_.updates_unhandled;
  }
  if (options_.on_update) options_.on_update(dc_id, body);
}

void client_core::save() {
  if (save_timer_) {
    save_timer_->cancel();
    save_timer_.reset();
  }
  if (load_error_) return;  // never overwrite a file we refused to read
  if (auto ec = store_->save(stored_)) options_.log.error("session store: cannot save: {}", ec.message());
}

login_state client_core::login() const {
  std::lock_guard lock(snapshot_mutex_);
  login_state l;
  l.home_dc = stored_.home_dc ? stored_.home_dc : options_.dc_table.default_dc();
  l.user_id = stored_.user_id;
  l.is_bot = stored_.is_bot;
  auto it = stored_.dcs.find(l.home_dc);
  l.authorized = stored_.user_id != 0 && it != stored_.dcs.end() && it->second.authorized;
  return l;
}

dc_table client_core::current_dc_table() const {
  std::lock_guard lock(snapshot_mutex_);
  return table_snapshot_;
}

client::statistics client_core::stats() const {
  std::lock_guard lock(snapshot_mutex_);
  return stats_;
}

void client_core::set_logged_in(int dc_id, std::int64_t user_id, bool is_bot) {
  asio::dispatch(ex_, [self = shared_from_this(), dc_id, user_id, is_bot] {
    {
      std::lock_guard lock(self->snapshot_mutex_);
      self->stored_.home_dc = dc_id;
      self->stored_.user_id = user_id;
      self->stored_.is_bot = is_bot;
    }
    self->dc(dc_id).authorized = true;
    if (self->dc(dc_id).keys.key) {
      self->keys_changed(dc_id);
    } else {
      self->save();
    }
  });
}

void client_core::set_home_dc(int dc_id) {
  asio::dispatch(ex_, [self = shared_from_this(), dc_id] {
    {
      std::lock_guard lock(self->snapshot_mutex_);
      self->stored_.home_dc = dc_id;
    }
    self->save();
  });
}

void client_core::apply_dc_options(std::vector<api::DcOption> options) {
  asio::dispatch(ex_, [self = shared_from_this(), options = std::move(options)] {
    self->options_.dc_table.apply(options);
    std::lock_guard lock(self->snapshot_mutex_);
    self->table_snapshot_ = self->options_.dc_table;
  });
}

void client_core::session_states(int dc_id, std::function<void(std::vector<session_state>)> done) {
  asio::dispatch(ex_, [self = shared_from_this(), dc_id, done = std::move(done)] {
    std::vector<session_state> states;
    if (auto it = self->dcs_.find(dc_id); it != self->dcs_.end()) {
      if (it->second.main) states.push_back(it->second.main->state());
      for (const auto& c : it->second.downloads)
        if (c) states.push_back(c->state());
    }
    done(std::move(states));
  });
}

void cancel_call(const std::weak_ptr<client_core>& core, call_id id) {
  if (auto c = core.lock()) c->cancel(id);
}

}  // namespace detail

client::client(asio::any_io_executor executor, client_options options)
    : api_id_(options.api_id), api_hash_(options.api_hash) {
  core_ = std::make_shared<detail::client_core>(std::move(executor), std::move(options));
}

client::~client() { core_->shutdown(); }

asio::any_io_executor client::get_executor() const noexcept { return core_->executor(); }
std::error_code client::load_error() const noexcept { return core_->load_error(); }
call_id client::start_call(std::vector<std::uint8_t> body, call_options options, raw_completion done) {
  return core_->start(std::move(body), options, std::move(done));
}
void client::cancel(call_id id) { core_->cancel(id); }
void client::shutdown() { core_->shutdown(); }
int client::max_download_sessions() const noexcept { return core_->options().max_download_sessions; }
login_state client::login() const { return core_->login(); }
dc_table client::current_dc_table() const { return core_->current_dc_table(); }
void client::set_logged_in(int dc, std::int64_t user_id, bool is_bot) { core_->set_logged_in(dc, user_id, is_bot); }
void client::set_home_dc(int dc) { core_->set_home_dc(dc); }
void client::apply_dc_options(const std::vector<api::DcOption>& options) { core_->apply_dc_options(options); }
client::statistics client::stats() const { return core_->stats(); }
void client::collect_session_states(int dc, std::function<void(std::vector<session_state>)> done) {
  core_->session_states(dc, std::move(done));
}

}  // namespace mtproto::client
