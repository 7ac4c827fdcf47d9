// Logging through a sink the application provides; silent when none is set. Messages are
// formatted with fmt only when the level is enabled, so disabled logging costs one comparison.
#pragma once

#include <fmt/format.h>

#include <functional>
#include <string_view>
#include <utility>

namespace mtproto::client {

enum class log_level { trace, debug, info, warning, error, off };

std::string_view to_string(log_level level) noexcept;

/// Receives one formatted line (no trailing newline).
using log_sink = std::function<void(log_level, std::string_view)>;

/// A sink that writes "[level] message" lines to stderr.
log_sink stderr_sink();

class logger {
 public:
  logger() = default;
  logger(log_sink sink, log_level min_level) : sink_(std::move(sink)), min_(sink_ ? min_level : log_level::off) {}

  bool enabled(log_level level) const noexcept { return level >= min_ && min_ != log_level::off; }

  template <class... Args>
  void log(log_level level, fmt::format_string<Args...> format, Args&&... args) const {
    if (!enabled(level)) return;
    sink_(level, fmt::format(format, std::forward<Args>(args)...));
  }
  template <class... Args>
  void debug(fmt::format_string<Args...> f, Args&&... a) const { log(log_level::debug, f, std::forward<Args>(a)...); }
  template <class... Args>
  void info(fmt::format_string<Args...> f, Args&&... a) const { log(log_level::info, f, std::forward<Args>(a)...); }
  template <class... Args>
  void warn(fmt::format_string<Args...> f, Args&&... a) const { log(log_level::warning, f, std::forward<Args>(a)...); }
  template <class... Args>
  void error(fmt::format_string<Args...> f, Args&&... a) const { log(log_level::error, f, std::forward<Args>(a)...); }

 private:
  log_sink sink_;
  log_level min_ = log_level::off;
};

}  // namespace mtproto::client
