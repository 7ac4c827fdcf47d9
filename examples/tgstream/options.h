// tgstream's command line.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

namespace tgstream {

/// A bad command line or configuration: the message says what to fix.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Everything the command line sets.
struct options {
  std::string listen = "127.0.0.1:8080";  ///< HOST:PORT; port 0 picks a free one.
  std::string dc_config;                  ///< mtproto-testdc's ready file, or a file of that shape.
  std::vector<std::string> bot_tokens;
  std::vector<std::string> bot_token_files;
  std::vector<std::string> sessions;
  std::string session_passphrase_file;
  std::string secret_file;                ///< The URL-signing secret; else $TGSTREAM_SECRET.
  std::string ready_file;
  std::string public_url;
  std::vector<std::string> allowed_channels;
  int url_ttl_seconds = 24 * 3600;
  std::int64_t max_file_size = 0;
  int max_streams_per_client = 8;
  double rate_limit = 20;                 ///< Requests per second per client address (0: none).
  double rate_burst = 60;
  int part_kib = 1024;
  int window_mib = 4;
  int connections = 4;                    ///< Download sessions per DC and account.
  int timeout_seconds = 30;               ///< Per upload.getFile request.
  bool quiet = false;                     ///< No access log.
  bool no_web_ui = false;                 ///< Do not serve the page at /.
  std::string redis;                      ///< redis://... shared with other nodes; empty: none.
  bool shared_sessions = false;           ///< The bots' sessions live in Redis (shared_sessions.h).
  bool verbose = false;
};

/// Parses argv: the options, or the exit code to return at once (--help, a usage error).
std::variant<options, int> parse_command_line(int argc, char** argv);

}  // namespace tgstream
