// The download run: each link resolved, each of its items downloaded into a file sink under a
// safe name, progress on stderr, one JSON object per file on stdout with --json.
//
// Links are resolved one after the other (by every account of the run: access hashes and file
// references are per account); their items go into one download_queue and download side by
// side within its budget and per-account file limits, each spread over the accounts.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/cancellation_signal.hpp>

#include <filesystem>
#include <string>
#include <vector>

#include "mtproto/client/client.h"
#include "mtproto/download/link.h"
#include "options.h"

namespace tgdl {

/// A link as given and as parsed.
struct link_arg {
  std::string text;
  mtproto::download::message_link link;
  /// One message of a range (`NAME/100-120`): a missing message or one without media is
  /// skipped, not a failure.
  bool in_range = false;
};

/// Where downloads go: every item into a directory under its own name, or one item to a file.
struct output_target {
  std::filesystem::path path;
  bool is_directory = true;
};

/// -o: an existing directory, or a path ending in '/' (created), is a directory; anything else a
/// file, which needs exactly one link. Throws usage_error for -o FILE with several links, and
/// std::filesystem::filesystem_error when the directory cannot be created.
output_target decide_output(const options& o, std::size_t link_count);

/// What the run shares with the signal handler (all on the io_context's one thread).
struct run_control {
  asio::cancellation_signal cancel;  ///< Cancels the download under way.
  bool downloading = false;          ///< A download is under way (else the client is shut down).
  int interrupted_by = 0;            ///< The signal that asked to stop, 0 if none.
};

/// One account of the run, logged in.
struct run_account {
  mtproto::client::client* client = nullptr;
  std::string name;
};

/// Downloads every item of every link through `accounts` (several: an account pool that shares
/// every download); answers exit_ok or the exit code of the first failure (every failure is
/// reported on stderr as it happens).
asio::awaitable<int> run_downloads(std::vector<run_account> accounts, const options& o, std::vector<link_arg> links,
                                   output_target target, run_control& control);

}  // namespace tgdl
