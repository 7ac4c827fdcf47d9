#include "mtproto/client/error.h"

#include <fmt/format.h>

#include "mtproto/client/call_result.h"
#include "mtproto/client/log.h"

namespace mtproto::client {
namespace {

class client_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mtproto.client"; }
  std::string message(int value) const override {
    switch (static_cast<client_errc>(value)) {
      case client_errc::timeout: return "the call timed out";
      case client_errc::cancelled: return "the call was cancelled";
      case client_errc::shut_down: return "the client was shut down";
      case client_errc::connect_failed: return "could not connect to the DC";
      case client_errc::connection_lost: return "the connection was lost and could not be re-established";
      case client_errc::request_rejected: return "the server rejected the request (bad_msg_notification)";
      case client_errc::rpc_failed: return "the server answered with rpc_error";
      case client_errc::unknown_dc: return "no address is known for the DC";
      case client_errc::not_authorized: return "not logged in";
      case client_errc::unexpected_answer: return "the server answered with an unexpected constructor";
      case client_errc::handshake_timeout: return "auth key creation timed out";
      case client_errc::overloaded: return "too many calls pending (client_options::max_pending_calls)";
      case client_errc::internal_error: return "an exception escaped the operation";
      case client_errc::bad_session_index: return "no such download session (call_options::session_index)";
    }
    return "unknown client error";
  }
};

}  // namespace

const std::error_category& client_category() noexcept {
  static const client_category_impl instance;
  return instance;
}

std::string call_error::message() const {
  if (rpc) return fmt::format("{} ({})", rpc->message, rpc->code);
  if (caused_by) return fmt::format("{} (caused by: {})", code.message(), caused_by.message());
  return code.message();
}

std::string_view to_string(log_level level) noexcept {
  switch (level) {
    case log_level::trace: return "trace";
    case log_level::debug: return "debug";
    case log_level::info: return "info";
    case log_level::warning: return "warning";
    case log_level::error: return "error";
    case log_level::off: return "off";
  }
  return "?";
}

log_sink stderr_sink() {
  return [](log_level level, std::string_view line) { fmt::print(stderr, "[{}] {}\n", to_string(level), line); };
}

}  // namespace mtproto::client
