// Perfect forward secrecy: a temporary auth key is bound to the permanent one with
// auth.bindTempAuthKey, whose encrypted_message is a bind_auth_key_inner encrypted with the
// *permanent* key in the MTProto 1.0 scheme. The request must travel in the temp key's session as
// message `msg_id`, which is encrypted into the binding, so the client picks the msg_id first
// (client_session::push with a msg_id).
#pragma once

#include <cstdint>
#include <system_error>

#include "mtproto/api/fn/auth/bindTempAuthKey.h"
#include "mtproto/session/auth_key.h"
#include "mtproto/session/encrypted_packet.h"

namespace mtproto::handshake {

/// Random bytes make_bind_temp_auth_key draws: nonce (8), salt + session_id (16), padding (16).
inline constexpr std::size_t bind_random_bytes = 40;

api::auth::bindTempAuthKey make_bind_temp_auth_key(const session::auth_key& perm, const session::auth_key& temp,
                                                   std::int64_t temp_session_id, std::int32_t expires_at,
                                                   std::int64_t msg_id, const session::random_source& random);

/// Server side: decrypts with the permanent key (found by the request's perm_auth_key_id) and checks
/// that the binding names this temp key, this session and the message it arrived in.
std::error_code verify_bind_temp_auth_key(const api::auth::bindTempAuthKey& request, const session::auth_key& perm,
                                          std::int64_t temp_auth_key_id, std::int64_t temp_session_id,
                                          std::int64_t msg_id);

}  // namespace mtproto::handshake
