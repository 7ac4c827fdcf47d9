/// \file
/// The outcome of one call: the function's typed result, or an error.
#pragma once

#include <concepts>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <variant>

#include "mtproto/client/error.h"
#include "mtproto/client/export.h"
#include "mtproto/session/rpc_error.h"

namespace mtproto::client {

/// Why a call failed. An error is always a std::error_code (transport, handshake, TL decoding,
/// client_errc), and when the server refused the call it also carries the parsed rpc_error
/// (code = client_errc::rpc_failed).
struct MTPROTO_CLIENT_EXPORT call_error {
  std::error_code code{};          ///< What failed; never success.
  std::optional<rpc_error> rpc{};  ///< Set when code == client_errc::rpc_failed.
  /// What a wrapping error came from: the socket error or server transport error behind
  /// connection_lost / connect_failed (empty when `code` is the whole story).
  std::error_code caused_by{};

  /// An rpc_failed error carrying `e`.
  static call_error from_rpc(rpc_error e) { return {make_error_code(client_errc::rpc_failed), std::move(e)}; }
  /// "FLOOD_WAIT_31 (420)" for rpc errors, the error_code's message (and its cause) otherwise.
  std::string message() const;
  /// True if the server refused the call with an rpc_error of this type ("FLOOD_WAIT").
  bool is_rpc(std::string_view type) const noexcept { return rpc && rpc->type == type; }
};

/// Thrown by call_result::value() when it holds an error.
class MTPROTO_CLIENT_EXPORT call_exception : public std::system_error {
 public:
  /// what() includes call_error::message().
  explicit call_exception(call_error e) : std::system_error(e.code, e.message()), error_(std::move(e)) {}
  /// The full error, rpc_error included.
  const call_error& error() const noexcept { return error_; }

 private:
  call_error error_;
};

/// A `T` or a call_error. A single-argument completion signature `void(call_result<T>)` keeps the
/// server's error detail (FLOOD_WAIT seconds, the DC of a `*_MIGRATE`) through every completion
/// token: use_awaitable returns it, use_future yields it, a callback receives it.
template <class T>
class call_result {
 public:
  /// A value-initialized result (Asio's co_spawn needs default-constructible results).
  call_result() requires std::default_initializable<T> : v_(std::in_place_index<0>) {}
  /// Success holding `value` (implicit, so a handler can return a T).
  call_result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  /// Failure with `error`.
  call_result(call_error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT
  /// Failure with `code` and no rpc_error; `code` must not be success.
  call_result(std::error_code code) : v_(std::in_place_index<1>, call_error{code}) {}  // NOLINT

  /// True on success.
  bool has_value() const noexcept { return v_.index() == 0; }
  /// Same as has_value().
  explicit operator bool() const noexcept { return has_value(); }

  /// The result; throws call_exception when the call failed.
  T& value() & { check(); return std::get<0>(v_); }
  /// The result; throws call_exception when the call failed.
  const T& value() const& { check(); return std::get<0>(v_); }
  /// Moves the result out; throws call_exception when the call failed.
  T&& value() && { check(); return std::get<0>(std::move(v_)); }
  /// Member access to the result; throws call_exception when the call failed.
  T* operator->() { return &value(); }
  /// The result; throws call_exception when the call failed.
  T& operator*() & { return value(); }

  /// The error; only valid when !has_value().
  const call_error& error() const { return std::get<1>(v_); }
  /// The error code, or a default (success) code when the call succeeded.
  std::error_code code() const noexcept { return has_value() ? std::error_code{} : std::get<1>(v_).code; }
  /// The server's rpc_error, or nullptr on success and on errors of other kinds.
  const rpc_error* rpc() const noexcept { return has_value() ? nullptr : (std::get<1>(v_).rpc ? &*std::get<1>(v_).rpc : nullptr); }

 private:
  void check() const {
    if (!has_value()) throw call_exception(std::get<1>(v_));
  }
  std::variant<T, call_error> v_;
};

}  // namespace mtproto::client
