/// \file
/// Logging through a sink the application provides; silent when none is set.
#pragma once

#include <fmt/format.h>

#include <functional>
#include <string_view>
#include <utility>

#include "mtproto/client/export.h"

namespace mtproto::client {

/// Severity of a log line, lowest first; `off` as a minimum disables logging.
enum class log_level {
  trace,    ///< Finest detail.
  debug,    ///< Protocol steps (auth key creation, bad_msg_notification).
  info,     ///< Notable events (a connection ended, a key was created).
  warning,  ///< Trouble the runtime handles or reports (giving up, a forgotten key).
  error,    ///< Something failed that the application should know (the session store).
  off       ///< Not a level: disables logging.
};

/// The level's name, lower case ("warning").
MTPROTO_CLIENT_EXPORT std::string_view to_string(log_level level) noexcept;

/// Receives one formatted line (no trailing newline).
using log_sink = std::function<void(log_level, std::string_view)>;

/// A sink that writes "[level] message" lines to stderr.
MTPROTO_CLIENT_EXPORT log_sink stderr_sink();

/// Sends lines at or above a minimum level to a sink. Messages are formatted with fmt only when
/// the level is enabled, so disabled logging costs one comparison. Copies hold copies of the sink.
class logger {
 public:
  /// Logs nothing.
  logger() = default;
  /// Logs lines of `min_level` and above to `sink`; an empty sink logs nothing.
  logger(log_sink sink, log_level min_level) : sink_(std::move(sink)), min_(sink_ ? min_level : log_level::off) {}

  /// True if a line of `level` would reach the sink.
  bool enabled(log_level level) const noexcept { return level >= min_ && min_ != log_level::off; }

  /// Formats and sends one line if `level` is enabled.
  template <class... Args>
  void log(log_level level, fmt::format_string<Args...> format, Args&&... args) const {
    if (!enabled(level)) return;
    sink_(level, fmt::format(format, std::forward<Args>(args)...));
  }
  /// log() at log_level::debug.
  template <class... Args>
  void debug(fmt::format_string<Args...> f, Args&&... a) const { log(log_level::debug, f, std::forward<Args>(a)...); }
  /// log() at log_level::info.
  template <class... Args>
  void info(fmt::format_string<Args...> f, Args&&... a) const { log(log_level::info, f, std::forward<Args>(a)...); }
  /// log() at log_level::warning.
  template <class... Args>
  void warn(fmt::format_string<Args...> f, Args&&... a) const { log(log_level::warning, f, std::forward<Args>(a)...); }
  /// log() at log_level::error.
  template <class... Args>
  void error(fmt::format_string<Args...> f, Args&&... a) const { log(log_level::error, f, std::forward<Args>(a)...); }

 private:
  log_sink sink_;
  log_level min_ = log_level::off;
};

}  // namespace mtproto::client
