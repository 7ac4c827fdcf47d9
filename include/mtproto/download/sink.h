/// \file
/// Where a download's bytes go. The downloader hands a sink the wanted bytes strictly in order
/// (through its reorder window), one write at a time, and waits for each write to complete before
/// the next: a slow sink pauses the download instead of growing memory. Applications plug their
/// own sink by deriving from `sink`; memory_sink.h and file_sink.h are the library's.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <system_error>

#include "mtproto/download/export.h"
#include "mtproto/download/location.h"

namespace mtproto::download {

/// What a sink is told before the first byte.
struct sink_start {
  const remote_file* file = nullptr;  ///< The file being downloaded (valid during async_start).
  std::int64_t first = 0;             ///< File offset of the first wanted byte.
  std::int64_t last = 0;              ///< File offset just past the last wanted byte.
  std::int64_t part_size = 0;         ///< The download's part size (a resume journal's grid).
};

/// Completion of a sink operation.
using sink_handler = std::function<void(std::error_code)>;
/// Completion of sink::async_start: where the download must begin (a resumed sink already holds
/// the bytes before it; otherwise sink_start::first).
using sink_start_handler = std::function<void(std::error_code, std::int64_t resume_from)>;

/// The sink concept: async_start, then async_write_at with ascending contiguous offsets, then
/// async_finish (success) or fail (the download will not complete). Handlers may be called from
/// inside the call or later, from any thread; the downloader calls one operation at a time and
/// keeps the written bytes alive until its handler runs.
class MTPROTO_DOWNLOAD_EXPORT sink {
 public:
  virtual ~sink();

  /// Prepares for `info`'s bytes; a resuming sink answers the offset it already holds up to.
  virtual void async_start(const sink_start& info, sink_start_handler done) = 0;
  /// Stores `bytes` at file offset `offset` (the offset right after the previous write).
  virtual void async_write_at(std::int64_t offset, std::span<const std::uint8_t> bytes, sink_handler done) = 0;
  /// All wanted bytes were written: make them final (rename, flush, close).
  virtual void async_finish(sink_handler done) = 0;
  /// The download failed with `reason` (or was cancelled): keep what can be resumed, report
  /// nothing as complete.
  virtual void fail(std::error_code reason) noexcept = 0;

  /// Reads back `into.size()` bytes at `offset` of what an earlier run stored (a resumed download
  /// hashes its prefix this way). The default answers std::errc::operation_not_supported.
  virtual void async_read_at(std::int64_t offset, std::span<std::uint8_t> into, sink_handler done);
};

}  // namespace mtproto::download
