// tgcall: a small command-line client on mtproto::client — prints what a t.me link points to,
// downloads a message's document (through mtproto::download::async_download), logs in.
// See `tgcall --help`.
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "mtproto/api/Chat.h"
#include "mtproto/api/Config.h"
#include "mtproto/api/DcOption.h"
#include "mtproto/api/Document.h"
#include "mtproto/api/DocumentAttribute.h"
#include "mtproto/api/InputChannel.h"
#include "mtproto/api/InputMessage.h"
#include "mtproto/api/Message.h"
#include "mtproto/api/MessageMedia.h"
#include "mtproto/api/Peer.h"
#include "mtproto/api/User.h"
#include "mtproto/api/contacts/ResolvedPeer.h"
#include "mtproto/api/fn/channels/getMessages.h"
#include "mtproto/api/fn/contacts/resolveUsername.h"
#include "mtproto/api/fn/help/getConfig.h"
#include "mtproto/api/messages/Messages.h"
#include "mtproto/client/auth.h"
#include "mtproto/client/client.h"
#include "mtproto/download/downloader.h"
#include "mtproto/download/error.h"
#include "mtproto/download/file_sink.h"
#include "mtproto/testdc/ready_file.h"

namespace {

using namespace mtproto;
using client::call_error;

// Exit codes: distinct per failure class so scripts can tell them apart.
constexpr int exit_ok = 0;
constexpr int exit_usage = 2;
constexpr int exit_rpc = 3;
constexpr int exit_network = 4;
constexpr int exit_local = 5;

constexpr std::string_view usage_text = R"(usage: tgcall [options] COMMAND
commands:
  config                 the DC list from help.getConfig
  resolve USERNAME       the peer behind a username
  message LINK           a message and its media (https://t.me/NAME/ID)
  get-file LINK -o OUT   download the message's document (parallel parts; tgdl does more)
  login                  user login (phone, code, 2FA password) into --session FILE
options:
  --dc-config FILE       DC addresses + RSA key from a JSON file (mtproto-testdc's ready file)
  --dc ID=HOST:PORT      override a DC's address (repeatable)
  --rsa-key FILE.pem     trust this server public key (repeatable)
  --test-dcs             use Telegram's test DCs instead of production
  --transport T          abridged|intermediate|padded|full|obfuscated (default intermediate)
  --proxy HOST:PORT:SECRET  connect through an MTProxy (hex secret; dd... = padded)
  --bot-token TOKEN      log in as a bot (once per session); or $TG_BOT_TOKEN, --bot-token-file FILE
  --session FILE         keep keys and login in FILE (0600); default: memory only
  --session-passphrase-file FILE   encrypt the session file at rest (or $TG_SESSION_PASSPHRASE)
  --api-id N --api-hash H   application credentials (default: $TG_API_ID / $TG_API_HASH;
                         --api-hash-file FILE)
  --phone P --code C --password PW   login answers (otherwise asked on stdin); the password also
                         from $TG_PASSWORD or --password-file FILE
  Secrets given in argv are visible to other users of the machine (ps); prefer files or the
  environment.
  --timeout SECONDS      per-call timeout (default 60)
  --json                 one JSON object per result
  -v                     log to stderr
exit codes: 0 ok, 2 usage, 3 RPC error, 4 network failure, 5 local failure
)";

/// "..." with JSON escapes (bytes that are not UTF-8 become U+FFFD).
std::string json_quote(std::string_view s) {
  return nlohmann::json(std::string(s)).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct cli {
  std::string dc_config;
  std::vector<std::pair<int, client::dc_endpoint>> dc_overrides;
  std::vector<std::string> rsa_keys;
  bool test_dcs = false;
  std::string transport = "intermediate";
  std::string proxy;
  std::string bot_token;
  std::string session;
  std::string session_passphrase;
  std::int32_t api_id = 0;
  std::string api_hash;
  std::string phone, code, password;
  int timeout_seconds = 60;
  bool json = false;
  bool verbose = false;
  std::string command;
  std::vector<std::string> args;
  std::string out;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

/// A secret kept in a file: its contents without the trailing newline editors add.
std::string read_secret(const std::string& path) {
  auto s = read_file(path);
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  if (s.empty()) throw usage_error("empty secret file " + path);
  return s;
}

int to_int(std::string_view s, const char* what) {
  int v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size()) throw usage_error(fmt::format("bad {}: {}", what, s));
  return v;
}

cli parse_cli(int argc, char** argv) {
  cli c;
  if (const char* id = std::getenv("TG_API_ID")) c.api_id = to_int(id, "TG_API_ID");
  if (const char* hash = std::getenv("TG_API_HASH")) c.api_hash = hash;
  if (const char* token = std::getenv("TG_BOT_TOKEN")) c.bot_token = token;
  if (const char* pw = std::getenv("TG_PASSWORD")) c.password = pw;
  if (const char* pass = std::getenv("TG_SESSION_PASSPHRASE")) c.session_passphrase = pass;
  std::vector<std::string> a(argv + 1, argv + argc);
  auto value = [&](std::size_t& i) -> std::string {
    if (i + 1 >= a.size()) throw usage_error(a[i] + " needs a value");
    return a[++i];
  };
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto& o = a[i];
    if (o == "--dc-config") c.dc_config = value(i);
    else if (o == "--dc") {
      auto v = value(i);
      auto eq = v.find('=');
      if (eq == std::string::npos) throw usage_error("--dc wants ID=HOST:PORT");
      auto ep = client::parse_host_port(v.substr(eq + 1));
      if (!ep) throw usage_error("bad --dc address: " + v);
      c.dc_overrides.emplace_back(to_int(v.substr(0, eq), "DC id"), *ep);
    } else if (o == "--rsa-key") c.rsa_keys.push_back(value(i));
    else if (o == "--test-dcs") c.test_dcs = true;
    else if (o == "--transport") c.transport = value(i);
    else if (o == "--proxy") c.proxy = value(i);
    else if (o == "--bot-token") c.bot_token = value(i);
    else if (o == "--bot-token-file") c.bot_token = read_secret(value(i));
    else if (o == "--session") c.session = value(i);
    else if (o == "--session-passphrase-file") c.session_passphrase = read_secret(value(i));
    else if (o == "--api-hash-file") c.api_hash = read_secret(value(i));
    else if (o == "--password-file") c.password = read_secret(value(i));
    else if (o == "--api-id") c.api_id = to_int(value(i), "--api-id");
    else if (o == "--api-hash") c.api_hash = value(i);
    else if (o == "--phone") c.phone = value(i);
    else if (o == "--code") c.code = value(i);
    else if (o == "--password") c.password = value(i);
    else if (o == "--timeout") c.timeout_seconds = to_int(value(i), "--timeout");
    else if (o == "--json") c.json = true;
    else if (o == "-v") c.verbose = true;
    else if (o == "-o") c.out = value(i);
    else if (!o.empty() && o[0] == '-') throw usage_error("unknown option " + o);
    else if (c.command.empty()) c.command = o;
    else c.args.push_back(o);
  }
  static const std::map<std::string, std::size_t> arity = {
      {"config", 0}, {"resolve", 1}, {"message", 1}, {"get-file", 1}, {"login", 0}};
  auto it = arity.find(c.command);
  if (it == arity.end()) throw usage_error(c.command.empty() ? "no command" : "unknown command " + c.command);
  if (c.args.size() != it->second) throw usage_error(fmt::format("{} takes {} argument(s)", c.command, it->second));
  if (c.command == "get-file" && c.out.empty()) throw usage_error("get-file needs -o OUT");
  if (c.command == "login" && c.session.empty()) throw usage_error("login needs --session FILE");
  if (c.timeout_seconds <= 0) throw usage_error("--timeout must be positive");
  return c;
}

client::client_options make_options(const cli& c) {
  client::client_options o;
  o.api_id = c.api_id;
  o.api_hash = c.api_hash;
  o.app_version = "tgcall 0.1";
  o.dc_table = c.test_dcs ? client::dc_table::test() : client::dc_table::production();
  if (!c.dc_config.empty()) {
    testdc::dc_config config;
    try {
      config = testdc::read_dc_config(c.dc_config);
    } catch (const testdc::ready_file_error& e) {
      throw usage_error(fmt::format("--dc-config: {}", e.what()));
    }
    o.dc_table = client::dc_table::empty();
    for (const auto& dc : config.dcs) {
      client::dc_endpoint e;
      e.host = dc.host;
      e.port = dc.port;
      e.cdn = dc.cdn;
      o.dc_table.add(dc.id, e);
    }
    // DC 2 is where Telegram's clients start (and the home of mtproto-testdc's bot).
    o.dc_table.set_default_dc(o.dc_table.has(2) ? 2 : config.dcs.front().id);
    if (!config.rsa_public_key_pem.empty())
      o.dc_table.set_rsa_keys(std::vector<crypto::rsa_public_key>{crypto::rsa_public_key::from_pem(config.rsa_public_key_pem)});
  }
  for (const auto& [id, e] : c.dc_overrides) o.dc_table.set(id, e.host, e.port);
  for (const auto& path : c.rsa_keys) o.dc_table.add_rsa_key(crypto::rsa_public_key::from_pem(read_file(path)));

  if (c.transport == "abridged") o.transport.framing = transport::protocol::abridged;
  else if (c.transport == "intermediate") o.transport.framing = transport::protocol::intermediate;
  else if (c.transport == "padded") o.transport.framing = transport::protocol::padded_intermediate;
  else if (c.transport == "full") o.transport.framing = transport::protocol::full;
  else if (c.transport == "obfuscated") o.transport.obfuscated = true;
  else throw usage_error("unknown transport " + c.transport);

  if (!c.proxy.empty()) {
    auto last = c.proxy.rfind(':');
    if (last == std::string::npos) throw usage_error("--proxy wants HOST:PORT:SECRET");
    auto ep = client::parse_host_port(c.proxy.substr(0, last));
    auto secret = transport::proxy_secret::from_hex(c.proxy.substr(last + 1));
    // The secret is a credential: never echo it.
    if (!ep) throw usage_error("bad --proxy address (want HOST:PORT:SECRET)");
    if (!secret) throw usage_error("bad --proxy secret (want 32 hex digits, or dd + 32; not shown)");
    o.transport.via_proxy = client::transport_settings::proxy{ep->host, ep->port, *secret};
  }
  if (!c.session.empty()) {
    client::file_store_options so;
    so.passphrase = c.session_passphrase;
    o.store = std::make_shared<client::file_session_store>(c.session, std::move(so));
  }
  o.call_timeout = std::chrono::seconds(c.timeout_seconds);
  if (c.verbose) o.log = client::logger(client::stderr_sink(), client::log_level::debug);
  return o;
}

/// A failed call as an exit code and a message.
struct failure {
  int code;
  std::string message;
};

failure classify(const call_error& e) {
  if (e.rpc) return {exit_rpc, fmt::format("RPC error {} ({})", e.rpc->message, e.rpc->code)};
  const auto& cat = e.code.category();
  if (cat == client::client_category() || cat == std::system_category() || cat == std::generic_category() ||
      cat == asio::error::get_misc_category() || cat == asio::error::get_netdb_category())
    return {exit_network, fmt::format("network: {}", e.code.message())};
  return {exit_local, fmt::format("{}: {}", cat.name(), e.code.message())};
}

struct parsed_link {
  std::string username;
  std::int32_t message_id = 0;
};

std::optional<parsed_link> parse_link(std::string_view link) {
  for (std::string_view prefix : {"https://", "http://"})
    if (link.starts_with(prefix)) link.remove_prefix(prefix.size());
  if (!link.starts_with("t.me/")) return std::nullopt;
  link.remove_prefix(5);
  auto slash = link.find('/');
  if (slash == std::string_view::npos || slash == 0) return std::nullopt;
  parsed_link p;
  p.username = std::string(link.substr(0, slash));
  auto id = link.substr(slash + 1);
  auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), p.message_id);
  if (ec != std::errc{} || end != id.data() + id.size() || p.message_id <= 0) return std::nullopt;
  return p;
}

using result = std::variant<std::string, failure>;  // printed output, or why it failed

class tool {
 public:
  tool(client::client& c, const cli& args) : c_(c), args_(args) {}

  asio::awaitable<int> run() {
    if (!args_.bot_token.empty() && !c_.login().authorized) {
      auto r = co_await client::sign_in_bot(c_, args_.bot_token);
      if (!r) co_return report(classify(r.error()));
    }
    result out;
    if (args_.command == "config") out = co_await config();
    else if (args_.command == "resolve") out = co_await resolve_cmd(args_.args[0]);
    else if (args_.command == "message") out = co_await message_cmd(args_.args[0]);
    else if (args_.command == "get-file") out = co_await get_file(args_.args[0], args_.out);
    else if (args_.command == "login") out = co_await login();
    if (auto* f = std::get_if<failure>(&out)) co_return report(*f);
    fmt::print("{}\n", std::get<std::string>(out));
    co_return exit_ok;
  }

 private:
  int report(const failure& f) {
    if (args_.json) fmt::print("{{\"error\": {}, \"exit_code\": {}}}\n", json_quote(f.message), f.code);
    else fmt::print(stderr, "tgcall: {}\n", f.message);
    return f.code;
  }

  asio::awaitable<result> config() {
    auto r = co_await c_.async_invoke(api::help::getConfig{}, asio::use_awaitable);
    if (!r) co_return classify(r.error());
    const auto* cfg = r->get_if<api::config>();
    if (!cfg) co_return failure{exit_rpc, "unexpected answer to help.getConfig"};
    c_.apply_dc_options(cfg->dc_options);
    std::string text = args_.json ? fmt::format("{{\"this_dc\": {}, \"test_mode\": {}, \"dc_options\": [", cfg->this_dc,
                                                cfg->test_mode ? "true" : "false")
                                  : fmt::format("this_dc {}{}\n", cfg->this_dc, cfg->test_mode ? " (test mode)" : "");
    bool first = true;
    for (const auto& boxed : cfg->dc_options) {
      const auto* o = boxed.get_if<api::dcOption>();
      if (!o) continue;
      if (args_.json) {
        text += fmt::format("{}{{\"id\": {}, \"ip\": {}, \"port\": {}, \"ipv6\": {}, \"media_only\": {}, \"cdn\": {}}}",
                            first ? "" : ", ", o->id, json_quote(o->ip_address), o->port, o->ipv6,
                            o->media_only, o->cdn);
      } else {
        text += fmt::format("dc {} {}:{}{}{}{}\n", o->id, o->ip_address, o->port, o->ipv6 ? " ipv6" : "",
                            o->media_only ? " media-only" : "", o->cdn ? " cdn" : "");
      }
      first = false;
    }
    if (args_.json) text += "]}";
    else if (!text.empty()) text.pop_back();
    co_return text;
  }

  struct peer {
    std::string kind;  // "channel" or "user"
    std::int64_t id = 0;
    std::int64_t access_hash = 0;
    std::string title;
  };

  asio::awaitable<std::variant<peer, failure>> resolve(const std::string& username) {
    api::contacts::resolveUsername fn;
    fn.username = username;
    auto r = co_await c_.async_invoke(fn, asio::use_awaitable);
    if (!r) co_return classify(r.error());
    const auto* resolved = r->get_if<api::contacts::resolvedPeer>();
    if (!resolved) co_return failure{exit_rpc, "unexpected answer to contacts.resolveUsername"};
    if (const auto* pc = resolved->peer.get_if<api::peerChannel>()) {
      for (const auto& chat : resolved->chats)
        if (const auto* ch = chat.get_if<api::channel>(); ch && ch->id == pc->channel_id)
          co_return peer{"channel", ch->id, ch->access_hash.value_or(0), ch->title};
    } else if (const auto* pu = resolved->peer.get_if<api::peerUser>()) {
      for (const auto& u : resolved->users)
        if (const auto* user = u.get_if<api::user>(); user && user->id == pu->user_id)
          co_return peer{"user", user->id, user->access_hash.value_or(0), user->first_name.value_or("")};
    }
    co_return failure{exit_rpc, "the resolved peer is not in the answer"};
  }

  asio::awaitable<result> resolve_cmd(const std::string& username) {
    auto p = co_await resolve(username);
    if (auto* f = std::get_if<failure>(&p)) co_return *f;
    const auto& v = std::get<peer>(p);
    if (args_.json)
      co_return fmt::format("{{\"kind\": \"{}\", \"id\": {}, \"access_hash\": {}, \"title\": {}}}", v.kind, v.id,
                            v.access_hash, json_quote(v.title));
    co_return fmt::format("{} {} (access_hash {}): {}", v.kind, v.id, v.access_hash, v.title);
  }

  asio::awaitable<std::variant<api::document, failure>> find_document(const std::string& link) {
    auto parsed = parse_link(link);
    if (!parsed) co_return failure{exit_usage, "not a message link (https://t.me/NAME/ID): " + link};
    auto p = co_await resolve(parsed->username);
    if (auto* f = std::get_if<failure>(&p)) co_return *f;
    const auto& ch = std::get<peer>(p);
    if (ch.kind != "channel") co_return failure{exit_usage, "only channel links are supported: " + link};
    api::channels::getMessages fn;
    fn.channel = api::inputChannel{ch.id, ch.access_hash};
    fn.id.push_back(api::inputMessageID{parsed->message_id});
    auto r = co_await c_.async_invoke(fn, asio::use_awaitable);
    if (!r) co_return classify(r.error());
    const std::vector<api::Message>* messages = nullptr;
    if (const auto* m = r->get_if<api::messages::channelMessages>()) messages = &m->messages;
    else if (const auto* m2 = r->get_if<api::messages::messages>()) messages = &m2->messages_;
    else if (const auto* m3 = r->get_if<api::messages::messagesSlice>()) messages = &m3->messages;
    if (messages)
      for (const auto& boxed : *messages)
        if (const auto* msg = boxed.get_if<api::message>(); msg && msg->id == parsed->message_id && msg->media)
          if (const auto* md = msg->media->get_if<api::messageMediaDocument>(); md && md->document)
            if (const auto* doc = md->document->get_if<api::document>()) co_return *doc;
    co_return failure{exit_rpc, "the message has no document: " + link};
  }

  static std::string file_name_of(const api::document& d) {
    for (const auto& a : d.attributes)
      if (const auto* f = a.get_if<api::documentAttributeFilename>()) return f->file_name;
    return {};
  }

  asio::awaitable<result> message_cmd(const std::string& link) {
    auto d = co_await find_document(link);
    if (auto* f = std::get_if<failure>(&d)) co_return *f;
    const auto& doc = std::get<api::document>(d);
    std::vector<std::string> attrs;
    for (const auto& a : doc.attributes) attrs.emplace_back(a.name());
    if (args_.json) {
      std::string list;
      for (const auto& a : attrs) list += (list.empty() ? "" : ", ") + json_quote(a);
      co_return fmt::format(
          "{{\"document_id\": {}, \"access_hash\": {}, \"size\": {}, \"dc\": {}, \"mime_type\": {}, \"file_name\": {}, "
          "\"attributes\": [{}]}}",
          doc.id, doc.access_hash, doc.size, doc.dc_id, json_quote(doc.mime_type),
          json_quote(file_name_of(doc)), list);
    }
    co_return fmt::format("document {} size {} on dc {} type {} name {}\nattributes: {}", doc.id, doc.size, doc.dc_id,
                          doc.mime_type, file_name_of(doc), fmt::join(attrs, ", "));
  }

  asio::awaitable<result> get_file(const std::string& link, const std::string& out) {
    auto d = co_await find_document(link);
    if (auto* f = std::get_if<failure>(&d)) co_return *f;
    const auto& doc = std::get<api::document>(d);
    download::remote_file file;
    file.location = {doc.dc_id, download::location_kind::document, doc.id, doc.access_hash, doc.file_reference, ""};
    file.size = doc.size;
    file.file_name = file_name_of(doc);
    file.mime_type = doc.mime_type;

    // No resume here (tgdl has it): a failed download leaves nothing behind.
    download::file_sink sink(out);
    download::download_options options;
    options.sha256 = true;
    auto [ec, r] = co_await download::async_download(c_, file, sink, options,
                                                     asio::experimental::as_tuple(asio::use_awaitable));
    if (ec) {
      std::error_code ignored;
      std::filesystem::remove(sink.part_path(), ignored);
      std::filesystem::remove(sink.journal_path(), ignored);
      if (ec == download::download_errc::local_io)
        co_return failure{exit_local, fmt::format("cannot write {}: {}", out, sink.last_os_error().message())};
      if (r.last_error) co_return classify(*r.last_error);
      co_return failure{exit_network, fmt::format("download: {}", ec.message())};
    }
    std::string hex;
    for (auto b : r.sha256.value_or(std::array<std::uint8_t, 32>{})) hex += fmt::format("{:02x}", b);
    const double seconds = r.elapsed.count();
    if (args_.json)
      co_return fmt::format(
          "{{\"path\": {}, \"bytes\": {}, \"seconds\": {:.3f}, \"sha256\": \"{}\", \"requests\": {}, \"flood_waits\": {}}}",
          json_quote(out), r.bytes, seconds, hex, r.requests, r.flood_waits);
    co_return fmt::format("{} {} bytes in {:.3f} s, sha256 {} ({} requests, {} flood waits)", out, r.bytes, seconds,
                          hex, r.requests, r.flood_waits);
  }

  std::string ask(const std::string& given, const char* prompt) {
    if (!given.empty()) return given;
    fmt::print(stderr, "{}: ", prompt);
    std::string line;
    std::getline(std::cin, line);
    return line;
  }

  asio::awaitable<result> login() {
    auto sent = co_await client::send_code(c_, ask(args_.phone, "phone"));
    if (!sent) co_return classify(sent.error());
    auto user = co_await client::sign_in(c_, *sent, ask(args_.code, "code"));
    if (!user && user.error().is_rpc(client::session_password_needed))
      user = co_await client::check_password(c_, ask(args_.password, "2FA password"));
    if (!user) co_return classify(user.error());
    const auto* u = user->get_if<api::user>();
    const auto login = c_.login();
    if (args_.json)
      co_return fmt::format("{{\"user_id\": {}, \"home_dc\": {}, \"first_name\": {}}}", u ? u->id : 0, login.home_dc,
                            json_quote(u ? u->first_name.value_or("") : ""));
    co_return fmt::format("logged in as user {} on dc {}", u ? u->id : 0, login.home_dc);
  }

  client::client& c_;
  const cli& args_;
};

}  // namespace

int main(int argc, char** argv) {
  for (int i = 1; i < argc; ++i)
    if (std::string_view(argv[i]) == "--help" || std::string_view(argv[i]) == "-h") {
      fmt::print("{}", usage_text);
      return exit_ok;
    }
  cli args;
  client::client_options options;
  try {
    args = parse_cli(argc, argv);
    options = make_options(args);
  } catch (const usage_error& e) {
    fmt::print(stderr, "tgcall: {}\n{}", e.what(), usage_text);
    return exit_usage;
  } catch (const std::exception& e) {
    fmt::print(stderr, "tgcall: {}\n", e.what());
    return exit_usage;
  }

  asio::io_context io;
  client::client c(io.get_executor(), std::move(options));
  if (auto ec = c.load_error()) {
    fmt::print(stderr, "tgcall: session file {}: {} (refusing to reuse it)\n", args.session, ec.message());
    return exit_local;
  }
  int code = exit_local;
  tool t(c, args);
  asio::co_spawn(io, t.run(), [&](std::exception_ptr e, int rc) {
    code = rc;
    if (e) {
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& ex) {
        fmt::print(stderr, "tgcall: {}\n", ex.what());
        code = exit_local;
      }
    }
    c.shutdown();
  });
  io.run();
  return code;
}
