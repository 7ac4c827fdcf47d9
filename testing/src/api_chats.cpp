// The API handler's chats and messages: contacts.resolveUsername, channels.getChannels,
// channels.getMessages, messages.getMessages and messages.getDiscussionMessage, answered with the
// chats and users the messages name, in the client's layer.
#include <algorithm>

#include "api_answers.h"
#include "mtproto/api/InputChannel.h"
#include "mtproto/api/InputMessage.h"
#include "mtproto/api/InputPeer.h"
#include "mtproto/api/fn/channels/getChannels.h"
#include "mtproto/api/fn/channels/getMessages.h"
#include "mtproto/api/fn/contacts/resolveUsername.h"
#include "mtproto/api/fn/messages/getDiscussionMessage.h"
#include "mtproto/api/fn/messages/getMessages.h"
#include "mtproto/testdc/channel_access.h"
#include "mtproto/testdc/l144/fn/contacts/resolveUsername.h"

namespace mtproto::testdc {
namespace {

namespace api = ::mtproto::api;
using detail::bad_request;
using detail::not_logged_in;

/// Adds the senders and forward sources of `batch.messages` to its users and chats.
void name_peers(const catalog& c, message_batch& batch) {
  auto add_user = [&](std::int64_t id) {
    const account* a = c.find_account(id);
    if (!a) return;
    if (std::none_of(batch.users.begin(), batch.users.end(), [&](const account& u) { return u.id == id; }))
      batch.users.push_back(*a);
  };
  auto add_chat = [&](std::int64_t id) {
    const channel_info* ch = c.find_channel(id);
    if (!ch || id == batch.peer.id) return;
    if (std::none_of(batch.other_chats.begin(), batch.other_chats.end(), [&](const channel_info& o) { return o.id == id; }))
      batch.other_chats.push_back(*ch);
  };
  for (const auto& m : batch.messages) {
    if (m.deleted) continue;
    if (m.from_user_id) add_user(m.from_user_id);
    if (m.forwarded) add_chat(m.forwarded->channel_id);
  }
}

std::vector<std::int32_t> message_ids(const std::vector<api::InputMessage>& ids) {
  std::vector<std::int32_t> out;
  for (const auto& m : ids)
    if (const auto* by_id = m.get_if<api::inputMessageID>()) out.push_back(by_id->id);
  return out;
}

}  // namespace

api_handler::channel_lookup api_handler::readable_channel(const request_context& ctx, std::int64_t id,
                                                          std::int64_t access_hash) const {
  const channel_info* found = catalog_.find_channel(id);
  const auto access = found ? check_channel_access(*found, access_hash, *ctx.key.user) : channel_access::invalid;
  if (access == channel_access::allowed) return {found, {}};
  return {nullptr, bad_request(std::string(channel_access_error(access)))};
}

rpc_answer api_handler::resolve_username(request_context& ctx, tl::reader& r, bool layer144_form) {
  std::string username;
  if (layer144_form) username = l144::contacts::resolveUsername::read(r).username;
  else username = api::contacts::resolveUsername::read(r).username;
  if (!ctx.key.user) return not_logged_in();
  const channel_info* channel = catalog_.find_channel_by_username(username);
  if (!channel) return bad_request("USERNAME_NOT_OCCUPIED");
  rpc_answer a;
  tl::writer w(a.result);
  writer(ctx).resolved_channel(w, *channel);
  return a;
}

rpc_answer api_handler::get_channels(request_context& ctx, tl::reader& r) {
  const auto req = api::channels::getChannels::read(r);
  if (!ctx.key.user) return not_logged_in();
  std::vector<channel_info> found;
  for (const auto& input : req.id) {
    const auto* ch = input.get_if<api::inputChannel>();
    if (!ch) return bad_request("CHANNEL_INVALID");
    auto lookup = readable_channel(ctx, ch->channel_id, ch->access_hash);
    if (!lookup.channel) return lookup.refusal;
    found.push_back(*lookup.channel);
  }
  rpc_answer a;
  tl::writer w(a.result);
  writer(ctx).chats(w, found);
  return a;
}

rpc_answer api_handler::get_channel_messages(request_context& ctx, tl::reader& r) {
  const auto req = api::channels::getMessages::read(r);
  if (!ctx.key.user) return not_logged_in();
  const auto* ch = req.channel.get_if<api::inputChannel>();
  if (!ch) return bad_request("CHANNEL_INVALID");
  auto lookup = readable_channel(ctx, ch->channel_id, ch->access_hash);
  if (!lookup.channel) return lookup.refusal;
  const channel_info* channel = lookup.channel;
  message_batch batch{*channel, {}, {}, {}, ctx.key.user->id};
  // Ids the chat does not have come back as messageEmpty, in the order asked, as on Telegram.
  for (const auto id : message_ids(req.id)) batch.messages.push_back(catalog_.message(channel->id, id));
  name_peers(catalog_, batch);
  rpc_answer a;
  tl::writer w(a.result);
  writer(ctx).channel_messages(w, batch);
  return a;
}

rpc_answer api_handler::get_messages(request_context& ctx, tl::reader& r) {
  const auto req = api::messages::getMessages::read(r);
  if (!ctx.key.user) return not_logged_in();
  // Telegram's own meaning (private chats and basic groups) has nothing here; the posts of the
  // public channel are served instead, and unknown ids are left out.
  message_batch batch{catalog_.channel(), {}, {}, {}, ctx.key.user->id};
  for (const auto id : message_ids(req.id)) {
    auto m = catalog_.message(catalog_.channel().id, id);
    if (!m.deleted) batch.messages.push_back(std::move(m));
  }
  name_peers(catalog_, batch);
  rpc_answer a;
  tl::writer w(a.result);
  writer(ctx).messages(w, batch);
  return a;
}

rpc_answer api_handler::get_discussion_message(request_context& ctx, tl::reader& r) {
  const auto req = api::messages::getDiscussionMessage::read(r);
  if (!ctx.key.user) return not_logged_in();
  const auto* peer = req.peer.get_if<api::inputPeerChannel>();
  if (!peer) return bad_request("PEER_ID_INVALID");
  auto lookup = readable_channel(ctx, peer->channel_id, peer->access_hash);
  if (!lookup.channel) return lookup.refusal;
  const channel_info* channel = lookup.channel;
  const auto root_id = catalog_.discussion_root(channel->id, req.msg_id);
  if (!root_id) return bad_request("MSG_ID_INVALID");
  const auto post = catalog_.message(channel->id, req.msg_id);
  const channel_info* group = catalog_.find_channel(post.comments->discussion_id);
  message_batch batch{*group, {catalog_.message(group->id, *root_id)}, {}, {}, ctx.key.user->id};
  name_peers(catalog_, batch);
  rpc_answer a;
  tl::writer w(a.result);
  writer(ctx).discussion_message(w, batch, post.comments->max_id);
  return a;
}

}  // namespace mtproto::testdc
