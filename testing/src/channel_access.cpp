#include "mtproto/testdc/channel_access.h"

#include "mtproto/testdc/catalog.h"

namespace mtproto::testdc {

channel_access check_channel_access(const channel_info& channel, std::int64_t access_hash, const account& caller) noexcept {
  const bool hash_ok = access_hash == channel.access_hash || (caller.bot && access_hash == 0);
  if (!hash_ok) return channel_access::invalid;
  if (channel.members_only && !catalog::is_member(channel, caller.id)) return channel_access::not_member;
  return channel_access::allowed;
}

std::string_view channel_access_error(channel_access access) noexcept {
  return access == channel_access::not_member ? "CHANNEL_PRIVATE" : "CHANNEL_INVALID";
}

}  // namespace mtproto::testdc
