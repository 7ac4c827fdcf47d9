/// \file
/// Perfect forward secrecy: a temporary auth key is bound to the permanent one with
/// auth.bindTempAuthKey, whose encrypted_message is a bind_auth_key_inner encrypted with the
/// *permanent* key in the MTProto 1.0 scheme. The request must travel in the temp key's session as
/// message `msg_id`, which is encrypted into the binding, so the client picks the msg_id first
/// (client_session::push with a msg_id).
/// The core knows only the binding's fields; the runtime puts them into the API's
/// auth.bindTempAuthKey (the API schema is a layer above the core).
#pragma once

#include <cstdint>
#include <system_error>
#include <vector>

#include "mtproto/core/auth_key.h"
#include "mtproto/core/export.h"
#include "mtproto/crypto/random.h"

namespace mtproto::handshake {

/// Random bytes make_bind_temp_auth_key draws: nonce (8), salt + session_id (16), padding (16).
inline constexpr std::size_t bind_random_bytes = 40;

/// The arguments of auth.bindTempAuthKey.
struct temp_key_binding {
  std::int64_t perm_auth_key_id = 0;            ///< Id of the permanent key.
  std::int64_t nonce = 0;                       ///< Random; repeated inside encrypted_message.
  std::int32_t expires_at = 0;                  ///< Unix time the temporary key expires.
  std::vector<std::uint8_t> encrypted_message;  ///< bind_auth_key_inner under the permanent key.
};

/// Client side: the binding of `temp` to `perm`, for the request that will be sent as `msg_id` in
/// session `temp_session_id` of the temporary key. Draws bind_random_bytes from `random`.
MTPROTO_CORE_EXPORT temp_key_binding make_bind_temp_auth_key(const core::auth_key& perm, const core::auth_key& temp,
                                                             std::int64_t temp_session_id, std::int32_t expires_at,
                                                             std::int64_t msg_id, const crypto::random_source& random);

/// Server side: decrypts with the permanent key (found by the request's perm_auth_key_id) and checks
/// that the binding names this temp key, this session and the message it arrived in. Returns no
/// error when it does, otherwise the handshake_errc of the failed check.
MTPROTO_CORE_EXPORT std::error_code verify_bind_temp_auth_key(const temp_key_binding& request,
                                                              const core::auth_key& perm, std::int64_t temp_auth_key_id,
                                                              std::int64_t temp_session_id, std::int64_t msg_id);

}  // namespace mtproto::handshake
