// Who reads a channel, by Telegram's rules for inputChannel / inputPeerChannel: the caller must
// present the channel's access_hash, except that bots may pass 0 (they address chats by id, as
// the Bot API does); a members-only (private) channel then answers CHANNEL_PRIVATE to accounts
// that are not members. This is how a t.me/c/ID/MSG link resolves: a member bot calls
// channels.getChannels with {ID, 0} and learns the access_hash; a user has it only from a chat
// in their dialogs, and the test user is in none of the private channel.
#pragma once

#include <cstdint>
#include <string_view>

#include "mtproto/testdc/model.h"

namespace mtproto::testdc {

enum class channel_access { allowed, invalid, not_member };

channel_access check_channel_access(const channel_info& channel, std::int64_t access_hash, const account& caller) noexcept;

/// The rpc_error message Telegram answers a refused access with (CHANNEL_INVALID, CHANNEL_PRIVATE).
std::string_view channel_access_error(channel_access access) noexcept;

}  // namespace mtproto::testdc
