// tgstream: the HTTP gateway — a message link in, the original file out, streamed as it arrives,
// with Range, signed URLs and an account pool. See README.md and `tgstream --help`.
//
//   http_request.cpp       bytes → request (libhttp-parser glue, bounded)
//   request_target.cpp     path segments and query parameters
//   byte_range.cpp         the Range header
//   download_response.cpp  status and headers of a /dl answer (Range, If-Range, ETag, names)
//   signed_url.cpp         HMAC-signed download tokens
//   http_server.cpp        connections, keep-alive, timeouts, drain
//   response_sink.cpp      the download sink that is a response body (back-pressure)
//   media_cache.cpp        link → resolved media, per account, TTL + LRU
//   rate_limiter.cpp       requests per client address (token buckets)
//   gateway.cpp            the routes
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/signal_set.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "dc_setup.h"
#include "gateway.h"
#include "http_server.h"
#include "mtproto/api/User.h"
#include "mtproto/client/auth.h"
#include "mtproto/client/client.h"
#include "mtproto/client/session_store.h"
#include "mtproto/core/large_buffers.h"
#include "mtproto/crypto/random.h"
#include "mtproto/testdc/ready_file.h"
#include "options.h"
#include "shared_sessions.h"

namespace {

using namespace tgstream;
namespace client = mtproto::client;

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::vector<std::uint8_t> url_secret(const options& o) {
  std::string s = o.secret_file.empty() ? env("TGSTREAM_SECRET")
                                        : mtproto::examples::read_secret_file(o.secret_file, "--secret-file");
  if (s.empty()) {
    fmt::print(stderr, "tgstream: no --secret-file or $TGSTREAM_SECRET: download URLs are signed with a random "
                       "secret and stop working when this process ends\n");
    std::vector<std::uint8_t> random(32);
    mtproto::crypto::secure_random(random);
    return random;
  }
  if (s.size() < 16) throw usage_error("the URL secret needs at least 16 bytes");
  return {s.begin(), s.end()};
}

struct account_setup {
  std::string token;
  std::string session;
  std::string name;
};

std::vector<account_setup> plan_accounts(const options& o) {
  std::vector<std::string> tokens = o.bot_tokens;
  for (const auto& f : o.bot_token_files) tokens.push_back(mtproto::examples::read_secret_file(f, "--bot-token-file"));
  if (tokens.empty() && !env("TG_BOT_TOKEN").empty()) tokens.push_back(env("TG_BOT_TOKEN"));
  const auto n = std::max(tokens.size(), o.sessions.size());
  if (n == 0) throw usage_error("no account: give --bot-token (or --bot-token-file, $TG_BOT_TOKEN) or --session");
  std::vector<account_setup> out;
  for (std::size_t i = 0; i < n; ++i) {
    account_setup a;
    if (i < tokens.size()) a.token = tokens[i];
    if (i < o.sessions.size()) a.session = o.sessions[i];
    const auto colon = a.token.find(':');
    a.name = colon != std::string::npos && colon > 0 ? "bot" + a.token.substr(0, colon) : fmt::format("account{}", i + 1);
    out.push_back(std::move(a));
  }
  return out;
}

constexpr const char* redis_prefix = "tgstream:";

client::client_options client_options_for(const options& o, const account_setup& a, const std::string& passphrase,
                                          std::shared_ptr<client::session_store> store) {
  client::client_options c;
  if (!env("TG_API_ID").empty()) c.api_id = std::atoi(env("TG_API_ID").c_str());
  c.api_hash = env("TG_API_HASH");
  c.app_version = "tgstream 0.1";
  c.dc_table = o.dc_config.empty() ? client::dc_table::production() : mtproto::examples::load_dc_table(o.dc_config);
  if (store) {
    c.store = std::move(store);
  } else if (!a.session.empty()) {
    client::file_store_options so;
    so.passphrase = passphrase;
    c.store = std::make_shared<client::file_session_store>(a.session, std::move(so));
  }
  c.max_download_sessions = o.connections;
  c.call_timeout = std::chrono::seconds(o.timeout_seconds);
  if (o.verbose) c.log = client::logger(client::stderr_sink(), client::log_level::debug);
  return c;
}

/// With --shared-sessions, the account's record in Redis; else nothing (a file or memory).
std::shared_ptr<redis_session_store> shared_store_for(const options& o, const account_setup& a,
                                                      const std::string& passphrase) {
  if (!o.shared_sessions) return nullptr;
  client::file_store_options so;
  so.passphrase = passphrase;
  return std::make_shared<redis_session_store>(*redis_endpoint::parse(o.redis), session_key(redis_prefix, a.name),
                                               std::move(so));
}

// HOST:PORT or [V6]:PORT; port 0 asks for any free port.
asio::ip::tcp::endpoint listen_endpoint(asio::io_context& io, const std::string& text) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size())
    throw usage_error("--listen wants HOST:PORT, got " + text);
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const std::string port = text.substr(colon + 1);
  unsigned value = 0;
  auto [end, perr] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (perr != std::errc{} || end != port.data() + port.size() || value > 65535)
    throw usage_error("--listen: bad port " + port);
  asio::ip::tcp::resolver r(io);
  asio::error_code ec;
  auto results = r.resolve(host, port, asio::ip::tcp::resolver::passive | asio::ip::tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) throw usage_error(fmt::format("--listen: cannot resolve {}: {}", host, ec.message()));
  return results.begin()->endpoint();
}

}  // namespace

int main(int argc, char** argv) {
  mtproto::core::keep_large_buffers_in_heap();  // parts arrive in buffers of up to 1 MiB each
  std::signal(SIGPIPE, SIG_IGN);                // a client that went away is a write error, not a kill
  auto parsed = parse_command_line(argc, argv);
  if (auto* code = std::get_if<int>(&parsed)) return *code;
  const auto& o = std::get<options>(parsed);

  asio::io_context io(1);
  std::vector<std::unique_ptr<client::client>> clients;
  std::vector<account_setup> accounts;
  std::vector<std::shared_ptr<redis_session_store>> shared_stores;  // per account, with --shared-sessions
  std::vector<client::client_options> setups;                       // per account
  gateway_options g;
  asio::ip::tcp::endpoint listen;
  try {
    accounts = plan_accounts(o);
    const auto passphrase = o.session_passphrase_file.empty()
                                ? env("TG_SESSION_PASSPHRASE")
                                : mtproto::examples::read_secret_file(o.session_passphrase_file, "--session-passphrase-file");
    if (o.shared_sessions && passphrase.empty())
      throw usage_error("--shared-sessions needs a session passphrase (--session-passphrase-file or "
                        "$TG_SESSION_PASSPHRASE): auth keys are never kept in Redis in the clear");
    for (const auto& a : accounts) {
      if (o.shared_sessions && a.token.find(':') == std::string::npos)
        throw usage_error("--shared-sessions: every account needs a bot token of the form ID:SECRET");
      shared_stores.push_back(shared_store_for(o, a, passphrase));
      setups.push_back(client_options_for(o, a, passphrase, shared_stores.back()));  // a bad --dc-config throws here
    }
    g.secret = url_secret(o);
    listen = listen_endpoint(io, o.listen);
  } catch (const std::exception& e) {  // usage_error, or std::invalid_argument from a file
    fmt::print(stderr, "tgstream: {}\nRun with --help for more information.\n", e.what());
    return 2;
  }
  g.url_ttl = std::chrono::seconds(o.url_ttl_seconds);
  g.public_url = o.public_url;
  for (auto c : o.allowed_channels) {
    for (auto& ch : c) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    g.allowed_channels.push_back(std::move(c));
  }
  g.max_file_size = o.max_file_size;
  g.max_streams_per_client = o.max_streams_per_client;
  g.rate_limit.per_second = o.rate_limit;
  g.rate_limit.burst = o.rate_burst;
  g.part_size = std::int64_t{o.part_kib} * 1024;
  g.window_bytes = std::int64_t{o.window_mib} << 20;
  g.web_ui = !o.no_web_ui;
  if (!o.redis.empty()) g.redis = std::make_shared<redis_client>(io.get_executor(), *redis_endpoint::parse(o.redis));
  if (!o.quiet) g.access_log = [](const std::string& line) { std::cout << line << '\n' << std::flush; };

  std::unique_ptr<gateway> gw;
  std::unique_ptr<http_server> server;
  int exit_code = 0;
  asio::signal_set signals(io, SIGINT, SIGTERM);
  auto shutdown_all = [&] {
    for (auto& c : clients) c->shutdown();
    if (g.redis) g.redis->close();
    signals.cancel();
  };

  asio::co_spawn(
      io,
      [&]() -> asio::awaitable<void> {
        // Every account logs in (or finds its session logged in) before the gateway listens.
        auto fail = [&](std::string message) {
          fmt::print(stderr, "tgstream: {}\n", message);
          exit_code = 1;
          shutdown_all();
        };
        for (std::size_t i = 0; i < accounts.size(); ++i) {
          // Shared: one node at a time creates an account's keys and logs it in; the others wait
          // for its lease, then load its record instead of making keys of their own. The client is
          // made only then: a client saves what it holds when it ends, and one made before the
          // wait would write its empty state over the record the other node wrote.
          std::optional<login_lease> lease;
          if (shared_stores[i]) {
            client::stored_session peek;
            if (auto ec = shared_stores[i]->load(peek))
              co_return fail(fmt::format("{}: the session in Redis cannot be used: {}", accounts[i].name,
                                         shared_stores[i]->last_problem().empty() ? ec.message()
                                                                                  : shared_stores[i]->last_problem()));
            if (peek.user_id == 0) {
              lease = co_await login_lease::acquire(g.redis, fmt::format("{}login:{}", redis_prefix, accounts[i].name),
                                                    std::chrono::seconds(60), std::chrono::seconds(120));
              if (!lease)
                co_return fail(accounts[i].name + ": no login lease from Redis (unreachable, or another node held "
                                                  "it for two minutes)");
            }
          }
          clients.push_back(std::make_unique<client::client>(io.get_executor(), std::move(setups[i])));
          auto& c = *clients.back();
          std::optional<std::string> problem;
          if (const auto ec = c.load_error()) {
            const auto detail = shared_stores[i] ? shared_stores[i]->last_problem() : std::string();
            problem = fmt::format("{}: the stored session cannot be used: {}", accounts[i].name,
                                  detail.empty() ? ec.message() : detail);
          } else if (c.login().authorized) {
            if (shared_stores[i])
              fmt::print(stderr, "tgstream: {}: session from Redis{}\n", accounts[i].name,
                         lease ? fmt::format(" (another node logged in while this one waited {} ms)",
                                             lease->waited().count())
                               : std::string());
          } else if (accounts[i].token.empty()) {
            problem = accounts[i].name + " is not logged in and has no bot token";
          } else {
            auto r = co_await client::sign_in_bot(c, accounts[i].token);
            if (!r) problem = fmt::format("{} could not log in: {}", accounts[i].name, r.error().message());
            else if (shared_stores[i]) fmt::print(stderr, "tgstream: {}: logged in (session kept in Redis)\n", accounts[i].name);
          }
          if (lease) co_await lease->release();
          if (problem) co_return fail(*problem);
        }
        std::vector<gateway_account> pool;
        for (std::size_t i = 0; i < clients.size(); ++i) {
          // Named by who is logged in, so every node names an account alike (shared flood waits
          // and cache entries in Redis are keyed by it): bot<ID> or user<ID>.
          const auto who = clients[i]->login();
          if (who.user_id != 0) accounts[i].name = fmt::format("{}{}", who.is_bot ? "bot" : "user", who.user_id);
          pool.push_back({clients[i].get(), accounts[i].name});
        }
        gw = std::make_unique<gateway>(std::move(pool), g);
        server = std::make_unique<http_server>(
            io.get_executor(), listen, [&](http_request& rq, response_writer& w) { return gw->handle(rq, w); });
        gw->attach(server.get());
        server->start();
        const auto ep = server->local_endpoint();
        const auto host = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
        const auto url = fmt::format("http://{}:{}", host, ep.port());
        if (!o.ready_file.empty())
          mtproto::testdc::write_file_atomically(o.ready_file, nlohmann::json{{"url", url}}.dump() + "\n");
        fmt::print(stderr, "tgstream: listening on {} with {} account(s)\n", url, clients.size());
      },
      [&](std::exception_ptr e) {
        if (!e) return;
        try {
          std::rethrow_exception(e);
        } catch (const std::exception& x) {
          fmt::print(stderr, "tgstream: {}\n", x.what());
        }
        exit_code = 1;
        shutdown_all();
      });

  signals.async_wait([&](asio::error_code ec, int) {
    if (ec) return;
    fmt::print(stderr, "tgstream: shutting down (draining open responses)\n");
    if (!server) return shutdown_all();
    server->stop([&] { shutdown_all(); });
  });
  io.run();
  return exit_code;
}
