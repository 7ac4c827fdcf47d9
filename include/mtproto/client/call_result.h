// The outcome of one call: the function's typed result, or an error. An error is always a
// std::error_code (transport, handshake, TL decoding, client_errc), and when the server refused the
// call it also carries the parsed rpc_error (code = client_errc::rpc_failed).
//
// A single-argument completion signature `void(call_result<T>)` keeps the server's error detail
// (FLOOD_WAIT seconds, the DC of a *_MIGRATE) through every completion token: use_awaitable returns
// it, use_future yields it, a callback receives it.
#pragma once

#include <concepts>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <variant>

#include "mtproto/client/error.h"
#include "mtproto/session/rpc_error.h"

namespace mtproto::client {

struct call_error {
  std::error_code code{};
  std::optional<rpc_error> rpc{};  // set when code == client_errc::rpc_failed
  /// What a wrapping error came from: the socket error or server transport error behind
  /// connection_lost / connect_failed (empty when `code` is the whole story).
  std::error_code caused_by{};

  static call_error from_rpc(rpc_error e) { return {make_error_code(client_errc::rpc_failed), std::move(e)}; }
  /// "FLOOD_WAIT_31 (420)" for rpc errors, the error_code's message (and its cause) otherwise.
  std::string message() const;
  bool is_rpc(std::string_view type) const noexcept { return rpc && rpc->type == type; }
};

/// Thrown by call_result::value() when it holds an error.
class call_exception : public std::system_error {
 public:
  explicit call_exception(call_error e) : std::system_error(e.code, e.message()), error_(std::move(e)) {}
  const call_error& error() const noexcept { return error_; }

 private:
  call_error error_;
};

template <class T>
class call_result {
 public:
  /// A value-initialized result (Asio's co_spawn needs default-constructible results).
  call_result() requires std::default_initializable<T> : v_(std::in_place_index<0>) {}
  call_result(T value) : v_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  call_result(call_error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT
  call_result(std::error_code code) : v_(std::in_place_index<1>, call_error{code}) {}  // NOLINT

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { check(); return std::get<0>(v_); }
  const T& value() const& { check(); return std::get<0>(v_); }
  T&& value() && { check(); return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  T& operator*() & { return value(); }

  /// The error; only valid when !has_value().
  const call_error& error() const { return std::get<1>(v_); }
  /// The error code, or a default (success) code when the call succeeded.
  std::error_code code() const noexcept { return has_value() ? std::error_code{} : std::get<1>(v_).code; }
  const rpc_error* rpc() const noexcept { return has_value() ? nullptr : (std::get<1>(v_).rpc ? &*std::get<1>(v_).rpc : nullptr); }

 private:
  void check() const {
    if (!has_value()) throw call_exception(std::get<1>(v_));
  }
  std::variant<T, call_error> v_;
};

}  // namespace mtproto::client
