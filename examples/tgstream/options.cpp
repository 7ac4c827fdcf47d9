#include "options.h"

#include <CLI/CLI.hpp>

#include <cstdio>

#include "redis_client.h"

namespace tgstream {

std::variant<options, int> parse_command_line(int argc, char** argv) {
  options o;
  CLI::App app{
      "tgstream: an HTTP gateway that streams the media of Telegram messages by their links, with\n"
      "Range, signed download URLs and an account pool. GET /api/resolve?link=LINK, then GET the\n"
      "download_url it answers; /metrics for Prometheus."};
  app.add_option("--listen", o.listen, "HOST:PORT to listen on (port 0: any free port)")->capture_default_str();
  app.add_option("--dc-config", o.dc_config, "DC table: mtproto-testdc's ready file or a file of that shape");
  app.add_option("--bot-token", o.bot_tokens, "a bot's token (repeat for a pool; visible in ps: prefer --bot-token-file)");
  app.add_option("--bot-token-file", o.bot_token_files, "a file holding a bot's token (repeatable)");
  app.add_option("--session", o.sessions, "session file of the i-th account (repeatable)");
  app.add_option("--session-passphrase-file", o.session_passphrase_file, "encrypts the session files at rest");
  app.add_option("--secret-file", o.secret_file,
                 "the URL-signing secret (else $TGSTREAM_SECRET; else a random one: URLs die with the process)");
  app.add_option("--ready-file", o.ready_file, "write {\"url\": ...} here once listening");
  app.add_option("--public-url", o.public_url, "prefix of download URLs (https://example.org); default: relative");
  app.add_option("--allow-channel", o.allowed_channels, "serve only these channels (username or id; repeatable)");
  app.add_option("--url-ttl", o.url_ttl_seconds, "seconds a download URL stays valid")->check(CLI::Range(1, 30 * 86400))->capture_default_str();
  app.add_option("--max-file-size", o.max_file_size, "refuse larger files (bytes; 0: no limit)")->check(CLI::NonNegativeNumber);
  app.add_option("--max-streams-per-client", o.max_streams_per_client, "concurrent downloads per client address")
      ->check(CLI::Range(1, 10000))->capture_default_str();
  app.add_option("--rate-limit", o.rate_limit, "requests per second per client address (0: no limit)")
      ->check(CLI::Range(0.0, 1e6))->capture_default_str();
  app.add_option("--rate-burst", o.rate_burst, "requests a client may make at once")->check(CLI::Range(1.0, 1e6))->capture_default_str();
  app.add_option("--part-kib", o.part_kib, "upload.getFile part size in KiB (4..1024, a power of two)")
      ->check(CLI::IsMember({4, 8, 16, 32, 64, 128, 256, 512, 1024}))->capture_default_str();
  app.add_option("--window-mib", o.window_mib, "reorder window per stream in MiB (its memory bound)")
      ->check(CLI::Range(1, 256))->capture_default_str();
  app.add_option("--connections", o.connections, "download sessions per DC and account")->check(CLI::Range(1, 16))->capture_default_str();
  app.add_option("--timeout", o.timeout_seconds, "seconds per Telegram request")->check(CLI::Range(1, 3600))->capture_default_str();
  app.add_flag("--quiet", o.quiet, "no access log");
  app.add_flag("--no-web-ui", o.no_web_ui, "serve only the API, /dl and /metrics, not the web page at /");
  app.add_option("--redis", o.redis, "redis://[:PASSWORD@]HOST[:PORT][/DB]: share flood waits and resolved links with the other nodes using it")
      ->check([](const std::string& url) {
        std::string why;
        return tgstream::redis_endpoint::parse(url, &why) ? std::string() : "--redis: " + why;
      });
  app.add_flag("--shared-sessions", o.shared_sessions,
               "keep the bots' sessions in --redis (sealed with the session passphrase), for every node of a pool")
      ->needs("--redis");
  app.add_flag("-v,--verbose", o.verbose, "log the MTProto runtime");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  if (o.shared_sessions && !o.sessions.empty()) {
    std::fprintf(stderr, "tgstream: --shared-sessions keeps the sessions in Redis: give bot tokens, not --session\n"
                         "Run with --help for more information.\n");
    return 2;
  }
  return o;
}

}  // namespace tgstream
