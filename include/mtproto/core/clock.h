/// \file
/// The clock the sans-IO core reads time in. The core never calls now(): every function that
/// needs the time takes a `clock::time_point` argument, so tests replay any moment.
#pragma once

#include <chrono>

namespace mtproto::core {

/// Wall-clock time: msg_ids and salts are unix-time based, so a monotonic clock would not do.
using clock = std::chrono::system_clock;

}  // namespace mtproto::core
