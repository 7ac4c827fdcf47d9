/// \file
/// The server side of auth-key creation, for the DC emulator and tests.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <vector>

#include "mtproto/core/export.h"
#include "mtproto/crypto/kdf.h"
#include "mtproto/crypto/rsa.h"
#include "mtproto/handshake/auth_key_result.h"
#include "mtproto/crypto/random.h"
#include "mtproto/tl/types.h"

namespace mtproto::handshake {

/// What the server offers and accepts.
struct server_options {
  /// The server's RSA key (its fingerprint is offered in resPQ). Shared: one key serves all connections.
  std::shared_ptr<const crypto::rsa_private_key> rsa_key;
  /// DH group sent to clients (default: Telegram's 2048-bit safe prime with g = 3).
  std::vector<std::uint8_t> dh_prime;
  /// Generator sent with dh_prime.
  std::int32_t g = 3;
  /// Accept the pre-RSA_PAD encryption of p_q_inner_data.
  bool accept_legacy_rsa = true;
  /// Whether an auth_key_id is already taken; the client is then asked to retry (dh_gen_retry).
  std::function<bool(std::int64_t auth_key_id)> key_id_in_use;
};

/// \name Random bytes each server step draws
/// \{
inline constexpr std::size_t server_res_pq_random_bytes = 16 + 8;      ///< On req_pq: server_nonce, p/q seeds.
inline constexpr std::size_t server_dh_params_random_bytes = 256 + 16; ///< On req_DH_params: a, answer padding.
/// \}

/// One server handshake: answers req_pq(_multi), req_DH_params (RSA_PAD, and the older
/// SHA1+data+padding scheme that Telethon 1.25 still sends; every p_q_inner_data variant) and
/// set_client_DH_params. Sans-IO on TL bodies, like the client. Single use.
class MTPROTO_CORE_EXPORT server_handshake {
 public:
  /// An empty `options.dh_prime` means Telegram's prime (telegram_dh_prime()).
  server_handshake(server_options options, crypto::random_source random);
  /// Wipes new_nonce, the DH exponent a and the temporary AES key.
  ~server_handshake();
  server_handshake(server_handshake&&) = default;             ///< Movable.
  server_handshake& operator=(server_handshake&&) = default;  ///< Movable.
  server_handshake(const server_handshake&) = delete;
  server_handshake& operator=(const server_handshake&) = delete;

  /// A client message of the handshake. The last step returns both the reply (dh_gen_ok) and
  /// the finished key. `now` is the server_time the client is told.
  step_result feed(std::span<const std::uint8_t> body, core::clock::time_point now);

  /// True once feed() returned the key.
  bool finished() const noexcept { return state_ == state::done; }

 private:
  enum class state { wait_req_pq, wait_req_dh, wait_client_dh, done, failed };

  step_result on_req_pq(std::span<const std::uint8_t> body);
  step_result on_req_dh_params(std::span<const std::uint8_t> body, core::clock::time_point now);
  step_result on_set_client_dh_params(std::span<const std::uint8_t> body);
  step_result fail(std::error_code ec);

  server_options options_;
  crypto::random_source random_;
  state state_ = state::wait_req_pq;

  tl::int128 nonce_{};
  tl::int128 server_nonce_{};
  tl::int256 new_nonce_{};
  std::uint64_t pq_ = 0;
  std::uint64_t p_ = 0, q_ = 0;
  std::array<std::uint8_t, 256> a_{};
  crypto::aes_key_iv tmp_aes_{};
  std::int32_t dc_id_ = 0;
  std::optional<std::int32_t> expires_in_;
  std::int32_t server_time_ = 0;
  std::int64_t last_key_aux_hash_ = 0;
};

}  // namespace mtproto::handshake
