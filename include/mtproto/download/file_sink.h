/// \file
/// A sink that writes NAME.part beside the final name, keeps a resume journal next to it
/// (NAME.part.resume), and renames NAME.part to NAME only after the last byte.
///
/// Durability: the journal only ever claims bytes that were fdatasync'ed before it was written
/// (atomically: a temporary file, fsync, rename). After a crash or SIGKILL the journal therefore
/// understates, never overstates, what NAME.part holds; on resume every part it claims is checked
/// against its CRC-32 (one read of the partial file) and the download continues after the last
/// good part. A journal that describes another file, or cannot be decoded, is refused.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "mtproto/download/export.h"
#include "mtproto/download/resume.h"
#include "mtproto/download/sink.h"

namespace mtproto::download {

/// How a file_sink writes and resumes.
struct file_sink_options {
  /// Continue NAME.part from its journal when there is one; false starts over.
  bool resume = false;
  /// fdatasync NAME.part and rewrite the journal after this many bytes...
  std::int64_t journal_every_bytes = std::int64_t{16} << 20;
  /// ...or this long, whichever comes first.
  std::chrono::milliseconds journal_every{2'000};
  /// The link the download came from, recorded in the journal (tools show it).
  std::string source_link;
};

/// Writes a download to `final_path` through `final_path` + ".part"; see the file description.
class MTPROTO_DOWNLOAD_EXPORT file_sink final : public sink {
 public:
  /// A sink that will write `final_path` (nothing is opened before async_start).
  explicit file_sink(std::filesystem::path final_path, file_sink_options options = {});
  /// Closes NAME.part (keeping it and its journal when the download did not finish).
  ~file_sink() override;
  file_sink(const file_sink&) = delete;
  file_sink& operator=(const file_sink&) = delete;

  /// The final name.
  const std::filesystem::path& final_path() const noexcept { return final_; }
  /// NAME.part.
  const std::filesystem::path& part_path() const noexcept { return part_; }
  /// NAME.part.resume.
  const std::filesystem::path& journal_path() const noexcept { return journal_path_; }
  /// Bytes found valid in NAME.part when the download resumed (0 when it started over).
  std::int64_t resumed_bytes() const noexcept { return resumed_; }
  /// The operating system's error behind the last download_errc::local_io, for messages.
  std::error_code last_os_error() const noexcept { return os_error_; }

  /// Opens (and with options.resume, validates) NAME.part; answers where to continue.
  void async_start(const sink_start& info, sink_start_handler done) override;
  /// Writes at `offset` (positional; a short write or disk full fails with local_io).
  void async_write_at(std::int64_t offset, std::span<const std::uint8_t> bytes, sink_handler done) override;
  /// Syncs, renames NAME.part to NAME, removes the journal.
  void async_finish(sink_handler done) override;
  /// Syncs and records the journal so a later run can resume; NAME stays absent.
  void fail(std::error_code reason) noexcept override;
  /// Reads back what NAME.part holds.
  void async_read_at(std::int64_t offset, std::span<std::uint8_t> into, sink_handler done) override;

 private:
  std::error_code io_error(int errno_value);
  std::error_code open_fresh();
  std::error_code open_resumed(const sink_start& info, std::int64_t& resume_from);
  std::error_code write_journal();
  std::error_code sync_and_journal();
  void close_file() noexcept;

  std::filesystem::path final_;
  std::filesystem::path part_;
  std::filesystem::path journal_path_;
  file_sink_options options_;
  int fd_ = -1;
  bool whole_file_ = true;  // the download is the whole file (a range is not resumable)
  std::int64_t first_ = 0;  // file offset of NAME.part's first byte
  resume_journal journal_;
  std::int64_t part_crc_index_ = -1;  // journal part whose CRC is being accumulated
  std::uint32_t part_crc_ = 0;
  std::int64_t since_journal_ = 0;
  std::chrono::steady_clock::time_point journal_at_{};
  std::int64_t resumed_ = 0;
  bool finished_ = false;
  std::error_code os_error_;
};

}  // namespace mtproto::download
