// Logging in: a bot token, or a user's phone + code (+ the 2FA password through SRP). Each step
// is an awaitable on the client; *_MIGRATE answers move the home DC and retry there. Errors are
// typed: the server's (PHONE_CODE_INVALID, SESSION_PASSWORD_NEEDED, PASSWORD_HASH_INVALID, ...) as
// call_error::rpc, everything else as error codes.
//
// Other executors and tokens: asio::co_spawn(c.get_executor(), sign_in_bot(c, token), token).
#pragma once

#include <asio/awaitable.hpp>

#include <string>

#include "mtproto/api/User_box.h"
#include "mtproto/client/client.h"

namespace mtproto::client {

/// auth.importBotAuthorization; on success the client records the bot as logged in.
asio::awaitable<call_result<api::User>> sign_in_bot(client& c, std::string bot_token);

struct sent_code {
  std::string phone;
  std::string phone_code_hash;
};

/// auth.sendCode (PHONE_MIGRATE_X moves the home DC first).
asio::awaitable<call_result<sent_code>> send_code(client& c, std::string phone);

/// auth.signIn with the code. A 2FA account fails with rpc type SESSION_PASSWORD_NEEDED: then
/// call check_password.
asio::awaitable<call_result<api::User>> sign_in(client& c, const sent_code& code, std::string phone_code);

/// account.getPassword, the SRP proof, auth.checkPassword.
asio::awaitable<call_result<api::User>> check_password(client& c, std::string password);

/// The rpc error types a login flow branches on.
inline constexpr std::string_view session_password_needed = "SESSION_PASSWORD_NEEDED";

}  // namespace mtproto::client
