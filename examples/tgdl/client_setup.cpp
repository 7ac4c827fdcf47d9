#include "client_setup.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>

#include "dc_setup.h"
#include "mtproto/client/session_store.h"
#include "mtproto/crypto/rsa.h"

namespace tgdl {
namespace {

namespace client = mtproto::client;

// The shared helpers throw std::invalid_argument; tgdl reports those as usage errors.
template <class F>
auto as_usage(F&& f) {
  try {
    return f();
  } catch (const std::invalid_argument& e) {
    throw usage_error(e.what());
  }
}

std::string read_file(const std::string& path, const char* what) {
  return as_usage([&] { return mtproto::examples::read_whole_file(path, what); });
}

std::string read_secret(const std::string& path, const char* what) {
  return as_usage([&] { return mtproto::examples::read_secret_file(path, what); });
}

std::string env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

int to_int(std::string_view s, const std::string& what) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size()) throw usage_error(fmt::format("bad {}: {}", what, s));
  return v;
}

void load_dc_config(const std::string& path, client::dc_table& table) {
  table = as_usage([&] { return mtproto::examples::load_dc_table(path); });
}

void set_transport(const options& o, client::transport_settings& t) {
  namespace transport = mtproto::transport;
  if (o.transport == "abridged") t.framing = transport::protocol::abridged;
  else if (o.transport == "intermediate") t.framing = transport::protocol::intermediate;
  else if (o.transport == "padded") t.framing = transport::protocol::padded_intermediate;
  else if (o.transport == "full") t.framing = transport::protocol::full;
  else if (o.transport == "obfuscated") t.obfuscated = true;
  else throw usage_error("unknown transport " + o.transport);

  if (o.proxy.empty()) return;
  const auto last = o.proxy.rfind(':');
  if (last == std::string::npos) throw usage_error("--proxy wants HOST:PORT:SECRET");
  const auto ep = client::parse_host_port(o.proxy.substr(0, last));
  const auto secret = transport::proxy_secret::from_hex(o.proxy.substr(last + 1));
  // The secret is a credential: never echoed.
  if (!ep) throw usage_error("bad --proxy address (want HOST:PORT:SECRET)");
  if (!secret) throw usage_error("bad --proxy secret (want 32 hex digits, or dd + 32; not shown)");
  t.via_proxy = client::transport_settings::proxy{ep->host, ep->port, *secret};
}

}  // namespace

secrets read_secrets(const options& o) {
  secrets s;
  s.bot_tokens = o.bot_tokens;
  for (const auto& path : o.bot_token_files) s.bot_tokens.push_back(read_secret(path, "--bot-token-file"));
  if (s.bot_tokens.empty() && !env("TG_BOT_TOKEN").empty()) s.bot_tokens.push_back(env("TG_BOT_TOKEN"));
  if (!s.bot_tokens.empty()) s.bot_token = s.bot_tokens.front();
  s.session_passphrase = o.session_passphrase_file.empty()
                             ? env("TG_SESSION_PASSPHRASE")
                             : read_secret(o.session_passphrase_file, "--session-passphrase-file");
  s.api_hash = o.api_hash_file.empty() ? env("TG_API_HASH") : read_secret(o.api_hash_file, "--api-hash-file");
  s.password = o.password_file.empty() ? env("TG_PASSWORD") : read_secret(o.password_file, "--password-file");
  return s;
}

std::vector<account_plan> plan_accounts(const options& o, const secrets& s) {
  std::vector<account_plan> plans;
  const auto n = std::max<std::size_t>({s.bot_tokens.size(), o.sessions.size(), 1});
  for (std::size_t i = 0; i < n; ++i) {
    account_plan a;
    if (i < s.bot_tokens.size()) a.bot_token = s.bot_tokens[i];
    if (i < o.sessions.size()) a.session = o.sessions[i];
    // A bot's id is the token's part before ':' (not secret: it is the bot's user id).
    if (const auto colon = a.bot_token.find(':'); colon != std::string::npos && colon > 0)
      a.name = "bot" + a.bot_token.substr(0, colon);
    else if (!a.session.empty())
      a.name = std::filesystem::path(a.session).filename().string();
    else
      a.name = fmt::format("account{}", i + 1);
    for (const auto& other : plans)
      if (other.name == a.name) a.name += fmt::format("#{}", i + 1);
    plans.push_back(std::move(a));
  }
  for (std::size_t i = 0; i < plans.size(); ++i)
    for (std::size_t j = i + 1; j < plans.size(); ++j)
      if (!plans[i].session.empty() && plans[i].session == plans[j].session)
        throw usage_error("--session " + plans[i].session + " given twice: every account needs its own session file");
  return plans;
}

client::client_options make_client_options(const options& o, const secrets& s, const account_plan* account) {
  client::client_options c;
  c.api_id = o.api_id;
  if (!c.api_id && !env("TG_API_ID").empty()) c.api_id = to_int(env("TG_API_ID"), "$TG_API_ID");
  c.api_hash = s.api_hash;
  c.app_version = "tgdl 0.1";
  c.dc_table = o.test_dcs ? client::dc_table::test() : client::dc_table::production();
  if (!o.dc_config.empty()) load_dc_config(o.dc_config, c.dc_table);
  for (const auto& spec : o.dc_overrides) {
    const auto eq = spec.find('=');
    if (eq == std::string::npos) throw usage_error("--dc wants ID=HOST:PORT, got " + spec);
    const auto ep = client::parse_host_port(spec.substr(eq + 1));
    if (!ep) throw usage_error("bad --dc address: " + spec);
    c.dc_table.set(to_int(spec.substr(0, eq), "--dc id"), ep->host, ep->port);
  }
  try {
    for (const auto& path : o.rsa_keys)
      c.dc_table.add_rsa_key(mtproto::crypto::rsa_public_key::from_pem(read_file(path, "--rsa-key")));
  } catch (const usage_error&) {
    throw;
  } catch (const std::exception& e) {
    throw usage_error(std::string("--rsa-key: ") + e.what());
  }
  set_transport(o, c.transport);
  const std::string session = account ? account->session : (o.sessions.empty() ? "" : o.sessions.front());
  if (!session.empty()) {
    client::file_store_options so;
    so.passphrase = s.session_passphrase;
    c.store = std::make_shared<client::file_session_store>(session, std::move(so));
  }
  c.max_download_sessions = o.connections;
  c.call_timeout = std::chrono::seconds(o.timeout_seconds);
  if (o.verbose) c.log = client::logger(client::stderr_sink(), client::log_level::debug);
  return c;
}

}  // namespace tgdl
