/// \file
/// Logging in: a bot token, or a user's phone + code (+ the 2FA password through SRP); `*_MIGRATE`
/// answers move the home DC and retry there. Errors are typed: the server's (PHONE_CODE_INVALID,
/// SESSION_PASSWORD_NEEDED, PASSWORD_HASH_INVALID, ...) as call_error::rpc, everything else as
/// error codes.
///
/// Each step comes twice: `async_*(..., token)` takes any Asio completion token, like async_invoke,
/// and completes with `void(call_result<T>)` on the token's executor (cancellation through its
/// slot); the plain name is the awaitable the coroutine-only caller writes `co_await` in front of.
/// Arguments are taken by value, so temporaries are safe with lazily started coroutines.
#pragma once

#include <asio/associated_cancellation_slot.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/awaitable.hpp>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/co_spawn.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>

#include <exception>
#include <string>
#include <utility>

#include "mtproto/api/User_box.h"
#include "mtproto/client/client.h"
#include "mtproto/client/export.h"

namespace mtproto::client {

/// auth.importBotAuthorization; on success the client records the bot as logged in.
MTPROTO_CLIENT_EXPORT asio::awaitable<call_result<api::User>> sign_in_bot(client& c, std::string bot_token);

/// What sign_in needs from send_code.
struct sent_code {
  std::string phone;            ///< The phone number the code went to.
  std::string phone_code_hash;  ///< The server's handle of the code.
};

/// auth.sendCode (PHONE_MIGRATE_X moves the home DC first).
MTPROTO_CLIENT_EXPORT asio::awaitable<call_result<sent_code>> send_code(client& c, std::string phone);

/// auth.signIn with the code. A 2FA account fails with rpc type SESSION_PASSWORD_NEEDED: then
/// call check_password.
MTPROTO_CLIENT_EXPORT asio::awaitable<call_result<api::User>> sign_in(client& c, sent_code code,
                                                                      std::string phone_code);

/// account.getPassword, the SRP proof, auth.checkPassword.
MTPROTO_CLIENT_EXPORT asio::awaitable<call_result<api::User>> check_password(client& c, std::string password);

namespace detail {

/// Runs a login coroutine on the client's executor and completes `token` with its result.
template <class T, class Token, class Start>
auto async_login_step(client& c, Token&& token, Start start) {
  return asio::async_initiate<Token, void(call_result<T>)>(
      [&c](auto handler, Start start) {
        auto slot = asio::get_associated_cancellation_slot(handler);
        auto work = asio::make_work_guard(asio::get_associated_executor(handler, c.get_executor()));
        auto done = [handler = std::move(handler), work = std::move(work)](std::exception_ptr e,
                                                                          call_result<T> r) mutable {
          // The steps report failures as values; an exception here is a bug or bad_alloc.
          if (e) r = call_result<T>(make_error_code(client_errc::internal_error));
          auto ex = work.get_executor();
          asio::post(ex, [handler = std::move(handler), r = std::move(r)]() mutable { std::move(handler)(std::move(r)); });
          work.reset();
        };
        if (slot.is_connected()) {
          asio::co_spawn(c.get_executor(), std::move(start)(), asio::bind_cancellation_slot(slot, std::move(done)));
        } else {
          asio::co_spawn(c.get_executor(), std::move(start)(), std::move(done));
        }
      },
      token, std::move(start));
}

}  // namespace detail

/// sign_in_bot, completing `token` with `void(call_result<api::User>)`.
template <class Token>
auto async_sign_in_bot(client& c, std::string bot_token, Token&& token) {
  return detail::async_login_step<api::User>(c, std::forward<Token>(token), [&c, t = std::move(bot_token)]() mutable {
    return sign_in_bot(c, std::move(t));
  });
}

/// send_code, completing `token` with `void(call_result<sent_code>)`.
template <class Token>
auto async_send_code(client& c, std::string phone, Token&& token) {
  return detail::async_login_step<sent_code>(c, std::forward<Token>(token), [&c, p = std::move(phone)]() mutable {
    return send_code(c, std::move(p));
  });
}

/// sign_in, completing `token` with `void(call_result<api::User>)`.
template <class Token>
auto async_sign_in(client& c, sent_code code, std::string phone_code, Token&& token) {
  return detail::async_login_step<api::User>(
      c, std::forward<Token>(token),
      [&c, sc = std::move(code), pc = std::move(phone_code)]() mutable { return sign_in(c, std::move(sc), std::move(pc)); });
}

/// check_password, completing `token` with `void(call_result<api::User>)`.
template <class Token>
auto async_check_password(client& c, std::string password, Token&& token) {
  return detail::async_login_step<api::User>(c, std::forward<Token>(token), [&c, p = std::move(password)]() mutable {
    return check_password(c, std::move(p));
  });
}

/// The rpc error types a login flow branches on.
inline constexpr std::string_view session_password_needed = "SESSION_PASSWORD_NEEDED";

}  // namespace mtproto::client
