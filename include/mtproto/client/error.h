/// \file
/// Errors of the client runtime: what can go wrong between a call and its answer that is not the
/// server refusing it (that is mtproto::rpc_error). Travels as std::error_code through Asio.
/// A transport error frame from the server (-404, -429, ...) keeps its code in its own category,
/// transport::server_error_category(); call_error::caused_by says what a connection_lost or
/// connect_failed came from.
#pragma once

#include <system_error>

#include "mtproto/client/export.h"

namespace mtproto::client {

/// Why a call failed on our side; converts implicitly to std::error_code in client_category().
enum class client_errc {
  timeout = 1,            ///< The call's deadline passed before an answer arrived.
  cancelled,              ///< The caller cancelled the call (cancellation slot or cancel()).
  shut_down,              ///< The client was shut down while the call was queued or in flight.
  connect_failed,         ///< No address of the DC accepted a connection within the retry policy.
  connection_lost,        ///< The connection dropped and reconnecting failed within the retry policy.
  request_rejected,       ///< bad_msg_notification the session cannot fix: the request was dropped.
  rpc_failed,             ///< The server answered rpc_error (see call_error::rpc for the detail).
  unknown_dc,             ///< No address is known for the DC asked for.
  not_authorized,         ///< The call needs a logged-in session and there is none.
  unexpected_answer,      ///< A call completed with a constructor the caller cannot use.
  handshake_timeout,      ///< Auth-key creation did not finish in time.
  overloaded,             ///< Refused at once: the client already has max_pending_calls calls queued or in flight.
  internal_error,         ///< An exception escaped an operation (a bug, or memory exhausted).
  bad_session_index,      ///< call_options::session_index names no download session this client may open.
};

/// The category of client_errc values, named "mtproto.client"; one instance for the program.
MTPROTO_CLIENT_EXPORT const std::error_category& client_category() noexcept;

/// Makes client_errc usable as std::error_code (found by argument-dependent lookup).
inline std::error_code make_error_code(client_errc e) noexcept { return {static_cast<int>(e), client_category()}; }

}  // namespace mtproto::client

namespace std {
/// Lets a client_errc convert implicitly to std::error_code and compare with one.
template <>
struct is_error_code_enum<mtproto::client::client_errc> : true_type {};
}  // namespace std
