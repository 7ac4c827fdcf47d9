/// \file
/// A sink that keeps the bytes in memory: tests and small files.
#pragma once

#include <cstdint>
#include <vector>

#include "mtproto/download/export.h"
#include "mtproto/download/sink.h"

namespace mtproto::download {

/// Collects the wanted bytes in a vector; refuses a download larger than `max_bytes`
/// (download_errc::local_io) instead of exhausting memory.
class MTPROTO_DOWNLOAD_EXPORT memory_sink final : public sink {
 public:
  /// Default limit: 256 MiB.
  static constexpr std::int64_t default_max_bytes = std::int64_t{256} << 20;

  /// A sink accepting downloads of up to `max_bytes` bytes.
  explicit memory_sink(std::int64_t max_bytes = default_max_bytes) : max_bytes_(max_bytes) {}

  /// The bytes written so far (all of them once finished() is true).
  const std::vector<std::uint8_t>& bytes() const noexcept { return bytes_; }
  /// True after async_finish.
  bool finished() const noexcept { return finished_; }
  /// The reason given to fail(); empty unless the download failed.
  std::error_code failure() const noexcept { return failure_; }

  /// Starts empty at info.first (never resumes).
  void async_start(const sink_start& info, sink_start_handler done) override;
  /// Appends `bytes`; the offset must follow the previous write.
  void async_write_at(std::int64_t offset, std::span<const std::uint8_t> bytes, sink_handler done) override;
  /// Marks the bytes complete.
  void async_finish(sink_handler done) override;
  /// Records `reason`.
  void fail(std::error_code reason) noexcept override { failure_ = reason; }

 private:
  std::int64_t max_bytes_;
  std::int64_t next_ = 0;
  std::vector<std::uint8_t> bytes_;
  bool finished_ = false;
  std::error_code failure_;
};

}  // namespace mtproto::download
