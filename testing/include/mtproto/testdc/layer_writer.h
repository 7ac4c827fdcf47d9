// Serialises the objects whose TL definition changed between API layers (config, user, channel,
// message, ...) in the layer a client announced with invokeWithLayer, by that layer's schema as
// layer_history knows it. Objects identical in every known layer (upload.file, rpc_error, ...)
// are written with the library's own mtproto::api types by the caller.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "mtproto/api/registry.h"
#include "mtproto/testdc/layer_schema.h"
#include "mtproto/testdc/model.h"
#include "mtproto/tl/writer.h"

namespace mtproto::testdc {

/// Layers of the independent clients the interop tests run.
inline constexpr std::int32_t layer_telethon_1_25 = 144;
inline constexpr std::int32_t layer_gramjs_2_26 = 198;
/// The layer the library's API schema was generated from; also the layer of a client that
/// announced none.
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
  explicit layer_writer(layer_schema schema) : schema_(std::move(schema)) {}

  /// The layer these objects belong to.
  std::int32_t layer() const noexcept { return schema_.layer(); }
  const layer_schema& schema() const noexcept { return schema_; }

  void config(tl::writer& w, const config_info& config) const;
  /// Vector<User>.
  void users(tl::writer& w, std::span<const account> users, std::int64_t self_id) const;
  /// auth.authorization.
  void authorization(tl::writer& w, const account& user) const;
  /// contacts.resolvedPeer for a channel.
  void resolved_channel(tl::writer& w, const channel_info& channel) const;
  /// messages.channelMessages (channels.getMessages).
  void channel_messages(tl::writer& w, const message_batch& batch) const;
  /// messages.messages (messages.getMessages).
  void messages(tl::writer& w, const message_batch& batch) const;
  /// messages.chats (channels.getChannels).
  void chats(tl::writer& w, std::span<const channel_info> chats) const;
  /// messages.discussionMessage: the thread's root in `batch`, `max_id` its latest message.
  void discussion_message(tl::writer& w, const message_batch& batch, std::int32_t max_id) const;
  /// Any other object, by this layer's definitions.
  void write(tl::writer& w, const tl_object& object) const { schema_.write(w, object); }

 private:
  layer_schema schema_;
};

struct layer_support {
  const layer_writer* writer = nullptr;  // null: the layer cannot be served
  std::string reason;                    // why not, or which known layers it was built from
};

/// The writer for a client that announced `layer` (0: none announced, the library's layer).
/// Layers newer than the newest known one get the newest (a server answers in the latest layer
/// it has); older ones than the oldest known, and layers whose objects the known schemas cannot
/// pin down, get no writer and the reason.
const layer_support& layer_writer_for(std::int32_t layer);

}  // namespace mtproto::testdc
