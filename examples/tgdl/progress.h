// What a download looks like while it runs: one live line on a terminal (redrawn with a carriage
// return), a plain line every few seconds when stderr is a file or a pipe, nothing with --quiet;
// and one summary line per file when it ends.
#pragma once

#include <chrono>
#include <string>

#include "mtproto/download/downloader.h"

namespace tgdl {

/// MB = 10^6 bytes, as the README's benchmarks count.
inline constexpr double mb = 1e6;

enum class progress_mode {
  live,   ///< stderr is a terminal.
  plain,  ///< stderr is a file or a pipe: no carriage returns, a line every plain_interval.
  quiet,  ///< --quiet.
};

/// How often plain mode prints.
inline constexpr std::chrono::seconds plain_interval{5};
/// Longest label shown, in bytes (cut at a character boundary).
inline constexpr std::size_t label_max = 40;

/// live when stderr is a terminal, plain otherwise; quiet when asked.
progress_mode detect_progress_mode(bool quiet);

/// "12.3/45.6 MB  27%  8.1 MB/s  ETA 0:04  4 in flight, 2 conn  1 flood wait"
std::string format_progress(const mtproto::download::download_progress& p);

/// The progress of one file.
class progress_line {
 public:
  progress_line(progress_mode mode, std::string label);
  ~progress_line();
  progress_line(const progress_line&) = delete;
  progress_line& operator=(const progress_line&) = delete;

  /// download_options::on_progress.
  void update(const mtproto::download::download_progress& p);
  /// Ends the line with `summary` (a finished or skipped file).
  void finish(const std::string& summary);
  /// Ends a live line without a summary (the error is printed next).
  void end();

 private:
  progress_mode mode_;
  std::string label_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_plain_{};
};

}  // namespace tgdl
