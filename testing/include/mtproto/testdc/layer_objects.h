// The model as TL objects: users, chats, messages with their media, reply headers, forwards and
// service actions, each with every field the emulator knows. A layer's schema writes what it has
// of them; where a layer lacks a constructor the builder picks what that layer can say instead.
#pragma once

#include <string>

#include "mtproto/testdc/layer_schema.h"
#include "mtproto/testdc/model.h"
#include "mtproto/testdc/tl_object.h"

namespace mtproto::testdc::objects {

/// replies_pts of messageReplies: the emulator's chats never change, so one value serves.
inline constexpr std::int32_t replies_pts = 1;

tl_object user(const account& a, bool self);
tl_object peer_channel(std::int64_t id);
tl_object peer_user(std::int64_t id);
tl_object channel(const channel_info& info);
tl_object message(const layer_schema& schema, const channel_info& peer, const channel_post& post);

/// passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow.
struct password_algo {
  std::string salt1, salt2;
  std::int32_t g = 0;
  std::string p;
};
/// The SRP parameters of an account that has a password.
struct srp_offer {
  password_algo algo;
  std::string srp_B;
  std::int64_t srp_id = 0;
};
/// account.password: `current` null for an account without a password.
tl_object account_password(const password_algo& new_algo, std::string secure_salt, std::string secure_random,
                           const srp_offer* current);

}  // namespace mtproto::testdc::objects
