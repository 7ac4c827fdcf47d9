/// \file
/// What an encrypted session reports after reading a packet. Views (`body`, `result`) point into the
/// packet buffer passed to feed() or into session-owned storage (inflated gzip_packed), and stay
/// valid until the next call to feed().
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include "mtproto/session/rpc_error.h"

namespace mtproto::session {

/// Stable handle of a request across resends (its msg_id may change).
using request_id = std::uint64_t;

/// The answer to a request: a boxed TL object (constructor id first).
struct rpc_result_event {
  request_id request = 0;                ///< The request answered.
  std::span<const std::uint8_t> result;  ///< The result, already inflated if it came gzip_packed.
};

/// The server refused a request with rpc_error.
struct rpc_error_event {
  request_id request = 0;  ///< The request refused.
  rpc_error error;         ///< The server's error, parsed.
};

/// The server could not accept a request and the session cannot fix it (e.g. bad_msg 34/35/64),
/// or its answer arrived but cannot be read; either way the request is finished.
struct request_failed_event {
  request_id request = 0;         ///< The request that is finished.
  std::int32_t bad_msg_code = 0;  ///< 0 when the answer arrived but could not be read.
  std::error_code error;          ///< Why the answer could not be read (decode error), if so.
};

/// bad_msg_notification, for visibility; the session already re-sent what it could.
struct bad_msg_event {
  std::int64_t bad_msg_id = 0;  ///< msg_id of the message the server refused.
  std::int32_t error_code = 0;  ///< One of bad_msg_code.
};

/// bad_server_salt: the session now sends with a new salt and re-sends the refused message.
struct salt_changed_event {
  std::int64_t salt = 0;  ///< The salt in use from now on.
};

/// new_session_created: the server started a new session (updates may have been missed).
struct session_created_event {
  std::int64_t first_msg_id = 0;  ///< The first of our messages the new session covers.
  std::int64_t unique_id = 0;     ///< Random id the server gave the session.
  std::int64_t server_salt = 0;   ///< Salt of the new session.
};

/// The server acknowledged receipt of these requests.
struct ack_event {
  std::vector<request_id> requests;  ///< The requests acknowledged (never empty).
};

/// The answer to a ping.
struct pong_event {
  request_id request = 0;    ///< 0 when the ping was not sent as a tracked request.
  std::int64_t ping_id = 0;  ///< The ping_id the ping carried.
};

/// Anything the server sends that is not an answer or a service message: updates.
struct update_event {
  std::span<const std::uint8_t> body;  ///< The boxed object (constructor id first).
};

/// A packet or message that failed a check; the session state is unchanged by it.
struct failure_event {
  std::error_code error;  ///< A session_errc, or a TL decode error.
  std::string detail;     ///< More about it for logs; may be empty.
};

/// Everything a client session reports; see each alternative.
using event = std::variant<rpc_result_event, rpc_error_event, request_failed_event, bad_msg_event,
                           salt_changed_event, session_created_event, ack_event, pong_event,
                           update_event, failure_event>;

}  // namespace mtproto::session
