// rpc_error::parse on the server's error message, and what the runtime derives from it (wait(),
// migrate_to_dc()). Byte 0 picks the mode: the raw input as the message, or a known wait/migrate
// type (or a fuzzer-chosen name) + "_" + fuzzer-chosen digits + an optional suffix, so the argument
// paths are reached without guessing the names. Must hold: the message is kept as received; with
// an argument, message == type + "_" + digits and the digits are that argument; without one the
// type is the whole message; wait() lies in [1 s, max_wait]; migrate_to_dc() in 1..100000; and
// parsing is a function of the message (parsing again gives the same split).
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz_data.h"
#include "mtproto/session/rpc_error.h"

namespace {

constexpr std::size_t max_input = 4096;

constexpr const char* known_types[] = {
    "FLOOD_WAIT", "FLOOD_PREMIUM_WAIT", "SLOWMODE_WAIT", "2FA_CONFIRM_WAIT", "TAKEOUT_INIT_DELAY",
    "FILE_MIGRATE", "NETWORK_MIGRATE", "PHONE_MIGRATE", "USER_MIGRATE", "STATS_MIGRATE",
    "FLOOD", "MIGRATE", "", "_", "FLOOD_WAIT_", "A_1"};

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return !s.empty();
}

void check(std::int32_t code, const std::string& message) {
  const auto e = mtproto::rpc_error::parse(code, message);
  if (e.code != code || e.message != message) std::abort();
  if (e.argument) {
    if (*e.argument < 0) std::abort();
    if (e.type.size() >= message.size() || message.compare(0, e.type.size(), e.type) != 0 ||
        message[e.type.size()] != '_')
      std::abort();
    const std::string_view digits = std::string_view(message).substr(e.type.size() + 1);
    if (!all_digits(digits) || digits.size() > 18) std::abort();
    std::int64_t v = 0;
    for (char c : digits) v = v * 10 + (c - '0');
    if (v != *e.argument) std::abort();
  } else if (e.type != message) {
    std::abort();
  }
  if (auto w = e.wait()) {
    if (!e.argument || *w < std::chrono::seconds(1) || *w > mtproto::rpc_error::max_wait) std::abort();
  }
  if (auto dc = e.migrate_to_dc()) {
    if (!e.argument || *dc < 1 || *dc > 100000 || *dc != *e.argument) std::abort();
  }
  if (e.wait() && e.migrate_to_dc()) std::abort();  // no type is both
  if (!e.is(e.type)) std::abort();
  const auto again = mtproto::rpc_error::parse(code, message);
  if (again.type != e.type || again.argument != e.argument) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 5 || size > max_input) return 0;
  mtproto::fuzz::fuzz_data in(data, size);
  const std::uint8_t mode = in.byte();
  const auto code = in.integral<std::int32_t>();
  if (mode % 2 == 0) {
    check(code, in.string(in.rest()));
    return 0;
  }
  const std::uint8_t pick = in.byte();
  std::string message = pick < std::size(known_types) ? known_types[pick] : in.string(in.short_bytes(64));
  message += '_';
  const std::size_t digits = in.byte() % 24;
  for (std::size_t i = 0; i < digits; ++i) message += static_cast<char>('0' + in.byte() % 10);
  if (mode & 2) message += in.string(in.rest());
  check(code, message);
  return 0;
}
