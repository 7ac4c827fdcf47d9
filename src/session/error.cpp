#include "mtproto/session/error.h"

#include <string>

namespace mtproto::session {
namespace {

class category final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mtproto.session"; }
  std::string message(int ev) const override {
    switch (static_cast<session_errc>(ev)) {
      case session_errc::packet_too_short: return "encrypted packet too short";
      case session_errc::unknown_auth_key: return "packet for another auth key";
      case session_errc::msg_key_mismatch: return "msg_key mismatch";
      case session_errc::bad_message_length: return "message length inconsistent with packet";
      case session_errc::bad_padding: return "padding outside 12..1024 bytes";
      case session_errc::wrong_session: return "packet for another session";
      case session_errc::malformed_body: return "message body does not decode";
      case session_errc::request_failed: return "request rejected by the server";
    }
    return "unknown session error";
  }
};

}  // namespace

const std::error_category& session_category() noexcept {
  static const category instance;
  return instance;
}

}  // namespace mtproto::session
