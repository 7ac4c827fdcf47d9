#include "progress.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

namespace tgdl {
namespace {


std::string short_label(const std::string& s) {
  if (s.size() <= label_max) return s;
  std::size_t end = label_max - 3;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end) + "...";
}

std::string duration_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<long long>(seconds + 0.5);
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

}  // namespace

progress_mode detect_progress_mode(bool quiet) {
  if (quiet) return progress_mode::quiet;
  return ::isatty(STDERR_FILENO) ? progress_mode::live : progress_mode::plain;
}

std::string format_progress(const mtproto::download::download_progress& p) {
  const double seconds = p.elapsed.count();
  const double rate = seconds > 0 ? static_cast<double>(p.bytes_done - p.resumed_bytes) / seconds : 0;
  std::string s = fmt::format("{:.1f}/{:.1f} MB", static_cast<double>(p.bytes_done) / mb,
                              static_cast<double>(p.bytes_total) / mb);
  if (p.bytes_total > 0) s += fmt::format("  {:3.0f}%", 100.0 * static_cast<double>(p.bytes_done) / static_cast<double>(p.bytes_total));
  s += fmt::format("  {:.1f} MB/s", rate / mb);
  if (rate > 0) s += "  ETA " + duration_text(static_cast<double>(p.bytes_total - p.bytes_done) / rate);
  s += fmt::format("  {} in flight, {} conn", p.in_flight, p.sessions);
  if (p.flood_waits) s += fmt::format("  {} flood wait{}", p.flood_waits, p.flood_waits == 1 ? "" : "s");
  if (p.retries) s += fmt::format("  {} retr{}", p.retries, p.retries == 1 ? "y" : "ies");
  return s;
}

progress_line::progress_line(progress_mode mode, std::string label) : mode_(mode), label_(short_label(label)) {
  last_plain_ = std::chrono::steady_clock::now();
}

progress_line::~progress_line() { end(); }

void progress_line::update(const mtproto::download::download_progress& p) {
  if (mode_ == progress_mode::quiet) return;
  if (mode_ == progress_mode::live) {
    // \x1b[K clears what a longer previous line left on the right.
    fmt::print(stderr, "\r{}  {}\x1b[K", label_, format_progress(p));
    std::fflush(stderr);
    drawn_ = true;
    return;
  }
  const auto now = std::chrono::steady_clock::now();
  if (now - last_plain_ < plain_interval) return;
  last_plain_ = now;
  fmt::print(stderr, "{}: {}\n", label_, format_progress(p));
}

void progress_line::finish(const std::string& summary) {
  if (mode_ == progress_mode::quiet) return;
  if (mode_ == progress_mode::live) fmt::print(stderr, "\r{}\x1b[K\n", summary);
  else fmt::print(stderr, "{}\n", summary);
  std::fflush(stderr);
  drawn_ = false;
}

void progress_line::end() {
  if (mode_ != progress_mode::live || !drawn_) return;
  fmt::print(stderr, "\n");
  drawn_ = false;
}

}  // namespace tgdl
