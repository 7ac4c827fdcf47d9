#include "options.h"

#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <charconv>
#include <fstream>
#include <iostream>

#include "exit_codes.h"
#include "mtproto/download/depth_controller.h"

namespace tgdl {
namespace {

constexpr std::string_view description =
    "tgdl: download the media of Telegram messages by their links (https://t.me/NAME/ID,\n"
    "t.me/c/ID/MSG, tg://resolve?domain=NAME&post=ID, ...), in parallel, resumably.\n"
    "  tgdl LINK... [options]          download every item of every link\n"
    "  tgdl login --session FILE       log a user in (phone, code, 2FA password) and keep it in FILE";

constexpr std::string_view footer_text =
    "\n-o DIR|FILE: an existing directory, or a path ending in '/', receives every item under its own\n"
    "  name (the document's file name, else CHANNEL_MESSAGE.EXT; made safe); anything else is one\n"
    "  file and needs exactly one item. A complete file of the right size is skipped; a taken name\n"
    "  becomes 'NAME (1).EXT'. Downloads go to NAME.part (journal NAME.part.resume) until complete.\n"
    "--range A-B: bytes A..B inclusive; A- to the end; -N the last N bytes.\n"
    "Secrets: the bot token from --bot-token-file or $TG_BOT_TOKEN, the session passphrase from\n"
    "  --session-passphrase-file or $TG_SESSION_PASSPHRASE, api_hash from --api-hash-file or\n"
    "  $TG_API_HASH (api_id: $TG_API_ID), the 2FA password from --password-file, $TG_PASSWORD or a\n"
    "  prompt without echo. A --bot-token in argv is visible to other users (ps).\n"
    "Account pool: several --bot-token/--bot-token-file and --session are several accounts sharing\n"
    "  each download: the i-th token keeps its login in the i-th --session when there is one (else\n"
    "  in memory); --session files beyond the tokens are accounts logged in before (tgdl login).\n"
    "Progress: a live line on a terminal, a line every few seconds otherwise, nothing with --quiet;\n"
    "  --json prints one object per finished or skipped file on stdout.\n";

std::int64_t parse_offset(std::string_view s, const std::string& whole) {
  std::int64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || end != s.data() + s.size() || v < 0)
    throw usage_error(fmt::format("--range {}: \"{}\" is not a byte offset", whole, s));
  return v;
}

}  // namespace

byte_range parse_range(const std::string& text) {
  const auto dash = text.find('-');
  if (dash == std::string::npos || text.find('-', dash + 1) != std::string::npos)
    throw usage_error(fmt::format("--range {}: want A-B, A- or -N", text));
  const std::string_view a = std::string_view(text).substr(0, dash);
  const std::string_view b = std::string_view(text).substr(dash + 1);
  byte_range r;
  if (a.empty()) {
    r.suffix = parse_offset(b, text);
    if (*r.suffix == 0) throw usage_error(fmt::format("--range {}: the last 0 bytes are nothing", text));
    return r;
  }
  r.first = parse_offset(a, text);
  if (!b.empty()) {
    r.last = parse_offset(b, text);
    if (*r.last < *r.first) throw usage_error(fmt::format("--range {}: the end is before the start", text));
  }
  return r;
}

std::pair<std::int64_t, std::int64_t> apply_range(const byte_range& r, std::int64_t size) {
  if (r.suffix) return {size - std::min(*r.suffix, size), size};
  const std::int64_t first = r.first.value_or(0);
  if (first >= size) throw usage_error(fmt::format("--range starts at {}, past the end of the file ({} bytes)", first, size));
  const std::int64_t end = r.last ? std::min(*r.last + 1, size) : size;
  return {first, end};
}

parse_outcome parse_command_line(int argc, char** argv) {
  options o;
  CLI::App app{std::string(description), "tgdl"};
  app.option_defaults()->always_capture_default();
  app.footer(std::string(footer_text) + std::string(exit_codes_help));
  // One value per occurrence, every occurrence kept: `--bot-token A LINK` must not eat LINK.
  auto repeatable = [](CLI::Option* opt) {
    return opt->type_size(1)->expected(1)->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)->allow_extra_args(false);
  };

  app.add_option("links", o.links, "message links to download")->type_name("LINK")->default_str("");
  app.add_option("--from", o.from_file, "read more links from FILE, one per line ('-': stdin)")->type_name("FILE");
  app.add_option("-o,--output", o.output, "output directory, or file name for a single item")->type_name("DIR|FILE");

  auto* where = "Connection";
  app.add_option("--dc-config", o.dc_config, "DC addresses and RSA key from a JSON file (mtproto-testdc's ready file); default: Telegram's")
      ->type_name("FILE")->group(where);
  repeatable(app.add_option("--dc", o.dc_overrides, "override a DC's address (repeatable)"))
      ->type_name("ID=HOST:PORT")->group(where)->default_str("");
  repeatable(app.add_option("--rsa-key", o.rsa_keys, "trust this server public key (repeatable); default: Telegram's"))
      ->type_name("PEM")->group(where)->default_str("");
  app.add_flag("--test-dcs", o.test_dcs, "Telegram's test DCs instead of production")->group(where);
  app.add_option("--transport", o.transport, "abridged|intermediate|padded|full|obfuscated")
      ->check(CLI::IsMember({"abridged", "intermediate", "padded", "full", "obfuscated"}))->group(where);
  app.add_option("--proxy", o.proxy, "through an MTProxy (hex secret; dd... = padded); default: direct")
      ->type_name("HOST:PORT:SECRET")->group(where);
  app.add_option("--timeout", o.timeout_seconds, "per-request timeout, seconds")->check(CLI::Range(1, 3600))->group(where);

  auto* who = "Account";
  repeatable(app.add_option("--bot-token", o.bot_tokens, "log in as this bot (or $TG_BOT_TOKEN, --bot-token-file)"))
      ->type_name("TOKEN")->group(who)->default_str("");
  repeatable(app.add_option("--bot-token-file", o.bot_token_files, "read the bot token from FILE"))
      ->type_name("FILE")->group(who)->default_str("");
  repeatable(app.add_option("--session", o.sessions, "keep keys and login in FILE (0600); default: memory only"))
      ->type_name("FILE")->group(who)->default_str("");
  app.add_option("--session-passphrase-file", o.session_passphrase_file, "encrypt the session file at rest; default: not encrypted")
      ->type_name("FILE")->group(who);
  app.add_option("--api-id", o.api_id, "application api_id (default $TG_API_ID; user logins)")->group(who);
  app.add_option("--api-hash-file", o.api_hash_file, "application api_hash from FILE (or $TG_API_HASH)")
      ->type_name("FILE")->group(who);

  auto* how = "Download";
  app.add_option("--parallel", o.parallel, "most upload.getFile requests in flight")
      ->check(CLI::Range(1, mtproto::download::max_in_flight_limit))->group(how);
  app.add_option("--connections", o.connections, "most download connections per DC")
      ->check(CLI::Range(1, mtproto::download::max_download_sessions_limit))->group(how);
  app.add_option("--part-size", o.part_size_kib, "bytes per request, KiB: a power of two, 4..1024")
      ->check(CLI::IsMember({4, 8, 16, 32, 64, 128, 256, 512, 1024}))->group(how);
  app.add_option("--retries", o.retries, "transient failures of one part before giving up")
      ->check(CLI::Range(0, 1000))->group(how);
  app.add_flag("--resume", o.resume, "continue NAME.part from its journal; default: start over")->group(how);
  app.add_flag("--verify", o.verify, "check every part against the server's SHA-256 hashes (upload.getFileHashes)")
      ->group(how);
  app.add_option("--range", o.range, "only bytes A-B (inclusive), A- or -N; default: the whole file")
      ->type_name("A-B")->group(how);

  auto* out = "Output";
  app.add_flag("--json", o.json, "one JSON object per file on stdout; default: none (summaries on stderr)")->group(out);
  app.add_flag("-q,--quiet", o.quiet, "no progress or summary lines (errors still go to stderr)")->group(out);
  app.add_flag("-v,--verbose", o.verbose, "log the client's work to stderr")->group(out);

  auto* login = app.add_subcommand("login", "log a user in (phone, code, 2FA password) into --session FILE");
  login->fallthrough();  // the connection and account options above work after `login` too
  login->add_option("--phone", o.phone, "phone number (otherwise asked)");
  login->add_option("--code", o.code, "the login code (otherwise asked)");
  login->add_option("--password-file", o.password_file, "2FA password from FILE (or $TG_PASSWORD, or asked)")->type_name("FILE");
  app.require_subcommand(0, 1);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "tgdl: ";
    (void)app.exit(e);
    return exit_usage;
  }
  o.login = login->parsed();

  if (o.login) {
    if (o.sessions.size() > 1) throw usage_error("login logs one user into one --session FILE");
    if (o.sessions.empty()) throw usage_error("login needs --session FILE (where the login is kept)");
    if (!o.links.empty() || !o.from_file.empty()) throw usage_error("login takes no links");
    if (!o.bot_tokens.empty() || !o.bot_token_files.empty()) throw usage_error("login is for users; a bot needs no login");
  } else {
    if (o.links.empty() && o.from_file.empty()) throw usage_error("no links given (LINK... or --from FILE)");
  }
  if (!o.range.empty()) (void)parse_range(o.range);
  return o;
}

std::vector<std::string> collect_links(const options& o) {
  std::vector<std::string> links = o.links;
  if (o.from_file.empty()) return links;
  std::ifstream file;
  std::istream* in = &std::cin;
  if (o.from_file != "-") {
    file.open(o.from_file);
    if (!file) throw usage_error("--from: cannot read " + o.from_file);
    in = &file;
  }
  for (std::string line; std::getline(*in, line);) {
    const auto begin = line.find_first_not_of(" \t\r");
    if (begin == std::string::npos || line[begin] == '#') continue;
    const auto end = line.find_last_not_of(" \t\r");
    links.push_back(line.substr(begin, end - begin + 1));
  }
  return links;
}

}  // namespace tgdl
