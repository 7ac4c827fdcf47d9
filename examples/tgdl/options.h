// tgdl's command line (CLI11): what the user asked for, checked, before anything connects.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "mtproto/download/downloader.h"

namespace tgdl {

/// A command line that cannot be run: exit_usage with this message.
struct usage_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// `--range A-B` (inclusive, as HTTP and curl count), `A-` (to the end) or `-N` (the last N bytes).
struct byte_range {
  std::optional<std::int64_t> first;       ///< A; unset for a suffix range.
  std::optional<std::int64_t> last;        ///< B, inclusive; unset for `A-` and `-N`.
  std::optional<std::int64_t> suffix;      ///< N for `-N`.
};

/// Parses `--range`; throws usage_error naming what is wrong.
byte_range parse_range(const std::string& text);
/// The range as [first, last) of a file of `size` bytes: the end is clamped to the file, a start
/// at or past the end is an error (usage_error).
std::pair<std::int64_t, std::int64_t> apply_range(const byte_range& r, std::int64_t size);

/// Everything on the command line, as given (secrets are read later, from their files).
struct options {
  // ---- what ----
  std::vector<std::string> links;
  std::string from_file;       ///< --from FILE: more links, one per line ("-": stdin).
  std::string output = ".";    ///< -o DIR|FILE.
  bool login = false;          ///< `tgdl login`.

  // ---- where ----
  std::string dc_config;
  std::vector<std::string> dc_overrides;  ///< ID=HOST:PORT each.
  std::vector<std::string> rsa_keys;
  bool test_dcs = false;
  std::string transport = "intermediate";
  std::string proxy;

  // ---- who: several of these make an account pool (see account_plan in client_setup.h) ----
  std::vector<std::string> bot_tokens;
  std::vector<std::string> bot_token_files;
  std::vector<std::string> sessions;
  std::string session_passphrase_file;
  std::int32_t api_id = 0;
  std::string api_hash_file;

  // ---- how ----
  // The library's defaults, so tgdl without flags downloads as any other caller would.
  int parallel = mtproto::download::depth_options{}.max_in_flight;   ///< Requests in flight at most.
  int connections = mtproto::download::depth_options{}.max_sessions;  ///< Download sessions per DC at most.
  int part_size_kib = static_cast<int>(mtproto::download::download_options{}.part_size / 1024);  ///< Part size.
  int retries = mtproto::download::download_options{}.max_part_retries;  ///< Per part.
  bool resume = false;
  bool verify = false;      ///< Check every part against upload.getFileHashes.
  std::string range;        ///< --range text; see byte_range.
  int timeout_seconds = 60; ///< Per call.

  // ---- output ----
  bool json = false;
  bool quiet = false;
  bool verbose = false;

  // ---- login ----
  std::string phone;
  std::string code;
  std::string password_file;
};

/// Either the options to run with, or an exit code to return right away (--help, a parse error
/// already reported on stderr).
using parse_outcome = std::variant<options, int>;

/// Parses argv with CLI11 and checks what can be checked without the network or the file system
/// (link syntax is checked by the caller, which has the links from --from too).
parse_outcome parse_command_line(int argc, char** argv);

/// The links from the command line and --from, in order; blank lines and `#` comments skipped.
/// Throws usage_error when --from cannot be read.
std::vector<std::string> collect_links(const options& o);

}  // namespace tgdl
