// The SRP-2048 check Telegram uses for two-step verification (account.getPassword ->
// auth.checkPassword). The math lives in mtproto_core (mtproto/crypto/srp.h), shared with the
// server side that mtproto-testdc uses; these names keep the client's spelling.
#pragma once

#include "mtproto/crypto/srp.h"

namespace mtproto::client {

using crypto::srp_answer;
using crypto::srp_category;
using crypto::srp_compute;
using crypto::srp_errc;
using crypto::srp_parameters;
using crypto::srp_password_hash;

}  // namespace mtproto::client
