/// \file
/// download_queue: many downloads at once (a list of links, an album, a channel's messages) under
/// one memory budget and the server's guidance on files in flight per account and DC. A queued
/// download costs its description until it starts (no sink opened, no buffer reserved); a running
/// one reserves its reorder window from the budget, so the queue's memory is bounded by the
/// budget whatever the number of files.
#pragma once

#include <asio/any_io_executor.hpp>

#include <cstdint>
#include <memory>
#include <vector>

#include "mtproto/download/downloader.h"
#include "mtproto/download/export.h"

namespace mtproto::download {

/// Limits of a download_queue.
struct queue_options {
  /// Bytes the reorder windows of all running downloads may hold together. A download reserves
  /// its window, cut to its wanted bytes (at least one part); it starts when that fits. When
  /// nothing runs, the next download starts whatever its size, its window cut to the budget.
  std::int64_t max_bytes_in_flight = std::int64_t{64} << 20;
  /// Small files in flight at most per account and DC (Telegram's guidance, app config
  /// `small_queue_max_active_operations_count`).
  int small_files_per_account_dc = 5;
  /// Large files in flight at most per account and DC (`large_queue_max_active_operations_count`).
  int large_files_per_account_dc = 2;
  /// A download of at least this many wanted bytes is a large file.
  std::int64_t large_file_bytes = std::int64_t{10} << 20;
  /// The flood gate the queue's downloads share (unless one brings its own
  /// download_options::shared_flood): a wait one download is told, all keep to.
  flood_gate_options flood{};
};

/// One download for the queue: what download_job::create takes, with the sink shared so the
/// queue can keep it until the download ends.
struct queued_download {
  std::vector<pool_member> members;  ///< Its accounts; those without room wait out of it.
  std::shared_ptr<sink> out;         ///< Started only when the download starts.
  download_options options;          ///< window_bytes is cut to what the queue reserves.
  download_handler done;             ///< Runs once, on the download's strand.
};

/// What a queue holds and has held.
struct queue_statistics {
  std::size_t queued = 0;            ///< Waiting to start.
  std::size_t running = 0;           ///< Started, not finished.
  std::size_t finished = 0;          ///< Completed (successfully or not).
  std::size_t peak_running = 0;      ///< Most running at once.
  std::int64_t reserved_bytes = 0;   ///< Window bytes the running downloads hold now.
  std::int64_t peak_reserved_bytes = 0;  ///< Most window bytes held at once.
};

/// A queue of downloads run a few at a time. Thread-safe; handlers run on the downloads' strands.
/// The clients of every member must outlive the queue's downloads.
class MTPROTO_DOWNLOAD_EXPORT download_queue {
 public:
  /// A queue whose bookkeeping runs on a strand of `ex`.
  static std::shared_ptr<download_queue> create(asio::any_io_executor ex, queue_options options = {});
  virtual ~download_queue();
  /// Adds a download; it starts as soon as the budget and the per-account limits allow. A
  /// download without members or sink completes with std::errc::invalid_argument.
  virtual void push(queued_download d) = 0;
  /// Cancels every queued and running download (each completes with download_errc::cancelled).
  virtual void cancel_all() = 0;
  /// The counts as they are now.
  virtual queue_statistics statistics() const = 0;
};

}  // namespace mtproto::download
