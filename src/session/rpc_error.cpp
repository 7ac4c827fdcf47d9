#include "mtproto/session/rpc_error.h"

#include <algorithm>
#include <array>

namespace mtproto {
namespace {

constexpr std::array<std::string_view, 5> wait_types = {
    "FLOOD_WAIT", "FLOOD_PREMIUM_WAIT", "SLOWMODE_WAIT", "2FA_CONFIRM_WAIT", "TAKEOUT_INIT_DELAY"};
constexpr std::array<std::string_view, 5> migrate_types = {
    "FILE_MIGRATE", "NETWORK_MIGRATE", "PHONE_MIGRATE", "USER_MIGRATE", "STATS_MIGRATE"};

// Largest DC id accepted from a *_MIGRATE_ error (production uses 1..5, tests up to 10000+dc).
constexpr std::int64_t max_dc_id = 100000;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

rpc_error rpc_error::parse(std::int32_t code, std::string message) {
  rpc_error e;
  e.code = code;
  e.message = std::move(message);
  e.type = e.message;
  // The argument is the last all-digit component: FLOOD_WAIT_31, but not a name like 2FA_... .
  const auto us = e.message.rfind('_');
  if (us != std::string::npos && us + 1 < e.message.size()) {
    const std::string_view tail(e.message.data() + us + 1, e.message.size() - us - 1);
    if (tail.size() <= 18 && std::all_of(tail.begin(), tail.end(), is_digit)) {
      std::int64_t v = 0;
      for (char c : tail) v = v * 10 + (c - '0');
      e.argument = v;
      e.type = e.message.substr(0, us);
    }
  }
  return e;
}

std::optional<std::chrono::seconds> rpc_error::wait() const {
  if (!argument) return std::nullopt;
  if (std::find(wait_types.begin(), wait_types.end(), type) == wait_types.end()) return std::nullopt;
  return std::chrono::seconds(std::clamp<std::int64_t>(*argument, 1, max_wait.count()));
}

std::optional<int> rpc_error::migrate_to_dc() const {
  if (!argument || *argument <= 0 || *argument > max_dc_id) return std::nullopt;
  if (std::find(migrate_types.begin(), migrate_types.end(), type) == migrate_types.end()) return std::nullopt;
  return static_cast<int>(*argument);
}

}  // namespace mtproto
