// Serialises the objects whose TL definition changed between the API layers the emulator speaks
// (config, user, channel, message, ...), in the layer a client announced with invokeWithLayer.
// Objects that are identical in every supported layer (upload.file, rpc_error, ...) are written
// with the library's own mtproto::api types by the caller.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "mtproto/api/registry.h"
#include "mtproto/testdc/model.h"
#include "mtproto/tl/writer.h"

namespace mtproto::testdc {

/// Layers with their own writer. A client announcing another layer gets the closest one below it
/// (or the oldest one when it is older than all).
inline constexpr std::int32_t layer_telethon_1_25 = 144;
inline constexpr std::int32_t layer_gramjs_2_26 = 198;
/// The layer the library's API schema was generated from: answered with mtproto::api types.
inline constexpr std::int32_t layer_library = api::layer;

struct config_info {
  std::vector<dc_endpoint> dcs;
  std::int32_t this_dc = 0;
  std::int32_t date = 0;
  std::int32_t expires = 0;
};

/// Messages of one chat with what a client needs to show them: the chats and users they name.
struct message_batch {
  channel_info peer;  // the chat every message is in
  std::vector<channel_post> messages;
  std::vector<channel_info> other_chats;  // after `peer` in `chats` (e.g. a forward's source)
  std::vector<account> users;             // the senders
  std::int64_t self_id = 0;               // the requesting account (user.self)
};

class layer_writer {
 public:
  virtual ~layer_writer() = default;
  /// The layer these objects belong to.
  virtual std::int32_t layer() const noexcept = 0;

  virtual void config(tl::writer& w, const config_info& config) const = 0;
  /// Vector<User>.
  virtual void users(tl::writer& w, std::span<const account> users, std::int64_t self_id) const = 0;
  /// auth.authorization.
  virtual void authorization(tl::writer& w, const account& user) const = 0;
  /// contacts.resolvedPeer for a channel.
  virtual void resolved_channel(tl::writer& w, const channel_info& channel) const = 0;
  /// messages.channelMessages (channels.getMessages).
  virtual void channel_messages(tl::writer& w, const message_batch& batch) const = 0;
  /// messages.messages (messages.getMessages).
  virtual void messages(tl::writer& w, const message_batch& batch) const = 0;
  /// messages.chats (channels.getChannels).
  virtual void chats(tl::writer& w, std::span<const channel_info> chats) const = 0;
  /// messages.discussionMessage: the thread's root in `batch`, `max_id` its latest message.
  virtual void discussion_message(tl::writer& w, const message_batch& batch, std::int32_t max_id) const = 0;
};

/// The writer for a client that announced `layer` (0: none announced, the library's layer).
const layer_writer& layer_writer_for(std::int32_t layer) noexcept;

}  // namespace mtproto::testdc
