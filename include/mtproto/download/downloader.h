/// \file
/// async_download: a file (or a byte range of it) through parallel upload.getFile requests over
/// several download sessions of its DC, into a sink, with memory bounded by the reorder window
/// whatever the file size.
///
/// The engine plans the parts (part_planner), keeps the requests the depth controller asks for in
/// flight, spread over download sessions it chooses itself (call_options::session_index), and
/// never requests past the reorder window: a sink that does not keep up pauses the download.
/// A file the server moved to a CDN DC is followed there (download_options::cdn_supported).
/// FLOOD_WAIT / FLOOD_PREMIUM_WAIT / -429 close the (account, DC) flood gate for the wait plus
/// jitter and lower the depth; FILE_MIGRATE moves to the named DC; FILE_REFERENCE_EXPIRED asks
/// download_options::refresh_reference for a fresh reference and continues where it stopped;
/// drops, timeouts and server errors retry with backoff on a per-part budget; everything else
/// ends the download with a typed error. A short or oversized answer is never written.
#pragma once

#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "mtproto/client/call_result.h"
#include "mtproto/client/client.h"
#include "mtproto/download/depth_controller.h"
#include "mtproto/download/export.h"
#include "mtproto/download/flood_gate.h"
#include "mtproto/download/location.h"
#include "mtproto/download/sink.h"

namespace mtproto::download {

/// Bytes of one block upload.getFileHashes covers (download_options::verify checks answers block by block).
inline constexpr std::int64_t file_hash_block = 128 * 1024;

/// Progress of a running download, reported through download_options::on_progress.
struct download_progress {
  std::int64_t bytes_done = 0;     ///< Wanted bytes written to the sink (resumed ones included).
  std::int64_t bytes_total = 0;    ///< Wanted bytes in all.
  std::int64_t resumed_bytes = 0;  ///< Bytes the sink already held when the download started.
  int in_flight = 0;               ///< Requests in flight now.
  int sessions = 0;                ///< Download sessions the engine spreads requests over now.
  std::uint64_t requests = 0;      ///< upload.getFile requests sent so far.
  std::uint64_t flood_waits = 0;   ///< Flood waits the server asked for so far.
  std::uint64_t retries = 0;       ///< Parts requested again after a transient failure.
  std::chrono::duration<double> elapsed{};  ///< Since the download started.
};

/// Asks for a fresh file reference (the message was fetched again); completes with the new one or
/// an error (then the download fails with it).
using reference_refresher =
    std::function<void(std::function<void(std::error_code, std::vector<std::uint8_t> reference)>)>;

/// One account of a pooled download: a client logged in as that account and the file as that
/// account sees it (access hashes and file references belong to the account that fetched the
/// message, so every account resolves the link itself).
struct pool_member {
  client::client* client = nullptr;  ///< Logged in; must outlive the download.
  std::string account;               ///< Its name in the flood gate and in download_result::accounts.
  remote_file file;                  ///< The file through this account (same size for every member).
  /// Asked for a fresh reference for this account on FILE_REFERENCE_EXPIRED; without it that
  /// error takes the account out of the download.
  reference_refresher refresh_reference;
};

/// Everything tunable about one download.
struct download_options {
  /// Bytes per upload.getFile request: a power of two from 4 KiB to 1 MiB. The largest by
  /// default: the one limit the server enforces per account counts requests, so bigger parts move
  /// more bytes under it (a range's ends are fetched `precise`, so seeking costs no more).
  std::int64_t part_size = 1024 * 1024;
  /// Download only bytes [first, second) of the file.
  std::optional<std::pair<std::int64_t, std::int64_t>> range;
  /// Requests in flight and sessions: start, bounds and how they adapt. max_sessions is also
  /// capped by the client's client_options::max_download_sessions.
  depth_options depth{};
  /// Flood waits up to flood.auto_sleep_limit are slept through; a longer one fails the download
  /// with download_errc::flood_wait_too_long.
  flood_gate_options flood{};
  /// Shared with other downloads of the same accounts, so a wait one is told is kept by all
  /// (its own options then apply instead of `flood`); default: a gate of this download's own.
  std::shared_ptr<shared_flood_gate> shared_flood;
  /// Name of the account in the flood gate (accounts are rested separately); default "default".
  std::string account = "default";
  /// Transient failures of one part before the download fails with retries_exhausted.
  int max_part_retries = 6;
  /// Backoff before a failed part is requested again: doubling from this...
  std::chrono::milliseconds retry_initial_delay{200};
  /// ...up to this, with jitter.
  std::chrono::milliseconds retry_max_delay{5'000};
  /// FILE_MIGRATE answers followed at most (each names the file's DC; more means confusion).
  int max_migrations = 3;
  /// Bytes the reorder window may hold (parts that arrived before the ones the sink waits for);
  /// requests are never sent for bytes beyond it. At least one part.
  std::int64_t window_bytes = std::int64_t{16} << 20;
  /// Per-request timeout; default the client's call_timeout.
  std::optional<std::chrono::milliseconds> request_timeout;
  /// Compute the SHA-256 of the wanted bytes as they are written (a resumed download reads back
  /// its prefix through the sink to include it).
  bool sha256 = false;
  /// Check every answer against the server's SHA-256 of each file_hash_block (upload.getFileHashes,
  /// fetched as the download goes) before it is written: a mismatch fetches the part again, a
  /// second mismatch of the same part fails with download_errc::integrity_failed. Parts are then at
  /// least file_hash_block bytes and a range's end parts are fetched whole.
  bool verify = false;
  /// Let the server move the file to a CDN DC (upload.fileCdnRedirect): parts then come from
  /// the CDN DC (client::session_kind::cdn), AES-256-CTR decrypted and always checked against
  /// the CDN's hashes (getCdnFileHashes), after reuploadCdnFile when the CDN asks for it. Off: the
  /// file's own DC serves it (cdn_supported=false in every request).
  bool cdn_supported = true;
  /// Called on the download's strand at most every progress_interval, and once at the end.
  std::function<void(const download_progress&)> on_progress;
  /// See on_progress.
  std::chrono::milliseconds progress_interval{250};
  /// Asked for a fresh reference on FILE_REFERENCE_EXPIRED; without it that error ends the
  /// download with download_errc::reference_expired.
  reference_refresher refresh_reference;
};

/// What one account of a download did.
struct account_result {
  std::string account;             ///< pool_member::account.
  std::uint64_t requests = 0;      ///< upload.getFile requests it sent.
  std::int64_t bytes = 0;          ///< Answer bytes it received and the download kept.
  std::uint64_t flood_waits = 0;   ///< Flood waits the server asked of it.
  /// Why it left the download early (empty if it stayed): the others carried on without it.
  std::error_code dropped;
};

/// What a finished (or failed) download did.
struct download_result {
  std::int64_t bytes = 0;          ///< Wanted bytes the sink holds at the end (resumed ones included).
  std::int64_t resumed_bytes = 0;  ///< Of which the sink held before this run.
  std::optional<std::array<std::uint8_t, 32>> sha256;  ///< With download_options::sha256, on success.
  std::chrono::duration<double> elapsed{};             ///< From start to completion.
  std::optional<std::chrono::duration<double>> time_to_first_byte;  ///< Until the first byte reached the sink.
  std::uint64_t requests = 0;      ///< upload.getFile requests sent.
  std::uint64_t flood_waits = 0;   ///< Flood waits the server asked for.
  std::uint64_t retries = 0;       ///< Parts requested again after transient failures.
  std::uint64_t migrations = 0;    ///< FILE_MIGRATE answers followed.
  std::uint64_t reference_refreshes = 0;  ///< Fresh file references fetched.
  std::uint64_t hash_requests = 0;        ///< upload.getFileHashes requests (download_options::verify).
  std::uint64_t hash_mismatches = 0;      ///< Answers that failed the check and were fetched again.
  std::uint64_t cdn_requests = 0;         ///< upload.getCdnFile requests (the file was on a CDN DC).
  std::uint64_t cdn_reuploads = 0;        ///< upload.reuploadCdnFile requests.
  int max_sessions = 0;            ///< Most download sessions used at once.
  int max_in_flight = 0;           ///< Most requests in flight at once.
  int dc = 0;                      ///< The DC the file was served from at the end.
  /// The last error the server or the runtime reported (for messages; set on failure when the
  /// failure came from a call).
  std::optional<client::call_error> last_error;
  /// Per account, in pool order (one entry for a download through one client).
  std::vector<account_result> accounts;
};

/// Completion of a download: the error (empty on success) and what it did.
using download_handler = std::function<void(std::error_code, download_result)>;

/// One download. Created idle; start() begins it; cancel() (from any thread, also before start or
/// after completion) makes it complete with download_errc::cancelled. The handler runs once, on an
/// internal strand of the client's executor. The client and the sink must outlive the download.
class MTPROTO_DOWNLOAD_EXPORT download_job {
 public:
  /// A download of `file` through `c` into `out`, completing `done`.
  static std::shared_ptr<download_job> create(client::client& c, remote_file file, sink& out,
                                              download_options options, download_handler done);
  /// A download of one file through several accounts at once: parts are spread over them, each
  /// with its own depth, sessions and flood state; a flooded account rests while the others work,
  /// and one that fails for good (logged out, no access, unreachable) leaves the download to the
  /// others. download_options::account and refresh_reference are not used (see pool_member).
  /// The first member's client's executor runs it: without members, or when the first has no
  /// client, this throws std::invalid_argument; a later member without a client, duplicate names
  /// or files of different sizes make the download fail with std::errc::invalid_argument.
  static std::shared_ptr<download_job> create(std::vector<pool_member> members, sink& out,
                                              download_options options, download_handler done);
  virtual ~download_job();
  /// Begins the download (once).
  virtual void start() = 0;
  /// Cancels it; thread-safe.
  virtual void cancel() = 0;
};

/// async_download through an account pool (download_job::create with members; throws
/// std::invalid_argument when the first member has no client).
template <class Token>
auto async_download(std::vector<pool_member> members, sink& out, download_options options, Token&& token) {
  return asio::async_initiate<Token, void(std::error_code, download_result)>(
      [&out](auto handler, std::vector<pool_member> members, download_options options) {
        auto slot = asio::get_associated_cancellation_slot(handler);
        if (members.empty() || !members.front().client) throw std::invalid_argument("async_download: no account");
        auto work = asio::make_work_guard(asio::get_associated_executor(handler, members.front().client->get_executor()));
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        auto job = download_job::create(std::move(members), out, std::move(options),
                                        [shared, work, slot](std::error_code ec, download_result r) mutable {
                                          auto ex = work.get_executor();
                                          asio::post(ex, [shared, slot, ec, r = std::move(r)]() mutable {
                                            if (slot.is_connected()) slot.clear();
                                            (*shared)(ec, std::move(r));
                                          });
                                          work.reset();
                                        });
        // Assigned before the download can complete, cleared on the handler's executor.
        if (slot.is_connected())
          slot.assign([weak = std::weak_ptr<download_job>(job)](asio::cancellation_type) {
            if (auto j = weak.lock()) j->cancel();
          });
        job->start();
      },
      token, std::move(members), std::move(options));
}

/// async_download with any Asio completion token: `void(std::error_code, download_result)`.
/// Cancellation through the token's cancellation slot (any cancellation type cancels).
/// \code
/// mtproto::download::file_sink out("video.mp4");
/// auto [ec, r] = co_await mtproto::download::async_download(client, file, out, {}, asio::experimental::as_tuple(asio::use_awaitable));
/// \endcode
template <class Token>
auto async_download(client::client& c, remote_file file, sink& out, download_options options, Token&& token) {
  std::vector<pool_member> members(1);
  members[0].client = &c;
  members[0].account = options.account;
  members[0].file = std::move(file);
  members[0].refresh_reference = options.refresh_reference;
  return async_download(std::move(members), out, std::move(options), std::forward<Token>(token));
}

}  // namespace mtproto::download
