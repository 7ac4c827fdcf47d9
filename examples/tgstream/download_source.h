// The remuxer's view of a Telegram file: a blocking byte_source whose reads are served by range
// downloads running on the gateway's executor. Reading on from where the last read ended rides
// one streaming download (the downloader's parallel parts and reorder window at work); a read far
// from it (libavformat jumping to an index at the end, or back) starts a new range download there.
// Memory is bounded: at most `window` bytes ahead of the reader (the download pauses beyond),
// `keep_behind` bytes behind it for the short backward seeks demuxers make.
#pragma once

#include <asio/any_io_executor.hpp>

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <system_error>
#include <vector>

#include "mtproto/download/sink.h"
#include "remux.h"

namespace tgstream {

struct download_source_limits {
  std::size_t window = 4 << 20;       ///< Bytes buffered ahead of the reader.
  std::size_t keep_behind = 1 << 20;  ///< Bytes kept behind it.
  /// A read this far past the buffered bytes waits for the running download instead of starting
  /// another one.
  std::int64_t max_gap = 2 << 20;
};

class download_source final : public byte_source {
 public:
  /// Starts a range download of [first, file end) into `sink` (called on `ex`); the sink's
  /// completion or failure ends it. The gateway supplies this with its account pool.
  using starter = std::function<void(std::int64_t first, std::shared_ptr<mtproto::download::sink> sink)>;

  download_source(asio::any_io_executor ex, std::int64_t size, starter start, download_source_limits limits = {});
  ~download_source() override;

  std::int64_t size() const override { return size_; }
  /// Blocks until the bytes at `offset` arrive. Throws remux_error(read_failed) when the download
  /// failed or cancel() was called.
  std::size_t read_at(std::int64_t offset, std::span<std::uint8_t> out) override;

  /// Ends every download and wakes a blocked read (from any thread).
  void cancel(std::error_code why = make_error_code(std::errc::operation_canceled));

  /// Range downloads started (1 for a file read straight through).
  int downloads_started() const;
  /// Bytes the downloads delivered.
  std::int64_t bytes_fetched() const;

 private:
  struct shared;
  class stream_sink;
  std::shared_ptr<shared> s_;
  std::int64_t size_;
};

}  // namespace tgstream
