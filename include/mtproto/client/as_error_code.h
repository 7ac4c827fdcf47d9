/// \file
/// as_error_code(token): `void(call_result<T>)` completions in the Asio convention
/// `void(std::error_code, T)`.
#pragma once

#include <asio/associator.hpp>
#include <asio/async_result.hpp>

#include <system_error>
#include <type_traits>
#include <utility>

#include "mtproto/client/call_result.h"

namespace mtproto::client {

/// A completion token that adapts `void(call_result<T>)` to `void(std::error_code, T)` for the
/// token it wraps; made by as_error_code().
template <class Token>
struct as_error_code_t {
  Token token;  ///< The wrapped token, which receives `(std::error_code, T)`.
};

/// Adapts the client's `void(call_result<T>)` completions to the Asio convention
/// `void(std::error_code, T)`, so that redirect_error, as_tuple, parallel_group and anything else
/// written for that signature work with async_invoke:
/// \code
/// auto [ec, cfg] = co_await c.async_invoke(fn, as_error_code(as_tuple(use_awaitable)));
/// \endcode
/// The error_code is call_error::code; the server's detail (FLOOD_WAIT seconds, the DC of a
/// `*_MIGRATE`) travels only in call_result, so keep the plain token where that matters. On an
/// error the value is `T{}`.
template <class Token>
as_error_code_t<std::decay_t<Token>> as_error_code(Token&& token) {
  return {std::forward<Token>(token)};
}

namespace detail {

template <class Handler, class T>
struct error_code_handler {
  Handler handler;
  void operator()(call_result<T> r) {
    if (r) {
      std::move(handler)(std::error_code{}, std::move(r).value());
    } else {
      std::move(handler)(r.error().code, T{});
    }
  }
};

}  // namespace detail
}  // namespace mtproto::client

namespace asio {

/// The wrapped handler keeps the inner handler's executor, cancellation slot and allocator.
template <template <class, class> class Associator, class Handler, class T, class DefaultCandidate>
struct associator<Associator, mtproto::client::detail::error_code_handler<Handler, T>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
  /// The inner handler's associated object (or `c`).
  static typename Associator<Handler, DefaultCandidate>::type get(
      const mtproto::client::detail::error_code_handler<Handler, T>& h,
      const DefaultCandidate& c = DefaultCandidate()) noexcept {
    return Associator<Handler, DefaultCandidate>::get(h.handler, c);
  }
};

/// Makes as_error_code_t a completion token: the operation completes the wrapped token with
/// `(call_error::code, value)`, and its return type is the wrapped token's.
template <class Token, class T>
struct async_result<mtproto::client::as_error_code_t<Token>, void(mtproto::client::call_result<T>)>
    : asio::async_result<Token, void(std::error_code, T)> {
  /// Starts the operation with a handler that converts the result and calls the inner handler.
  template <class Initiation, class RawToken, class... Args>
  static auto initiate(Initiation&& initiation, RawToken&& token, Args&&... args) {
    Token inner_token = std::forward<RawToken>(token).token;  // async_initiate takes an lvalue
    return asio::async_initiate<Token, void(std::error_code, T)>(
        [init = std::forward<Initiation>(initiation)](auto&& handler, auto&&... a) mutable {
          using inner = std::decay_t<decltype(handler)>;
          std::move(init)(mtproto::client::detail::error_code_handler<inner, T>{std::forward<decltype(handler)>(handler)},
                          std::forward<decltype(a)>(a)...);
        },
        inner_token, std::forward<Args>(args)...);
  }
};

}  // namespace asio
