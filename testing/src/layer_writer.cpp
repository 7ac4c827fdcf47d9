#include "mtproto/testdc/layer_writer.h"

#include <algorithm>
#include <memory>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "mtproto/testdc/layer_objects.h"
#include "mtproto/testdc/layer_history.h"

namespace mtproto::testdc {
namespace {

/// Values in Config that clients read but the emulator does not act on (Telegram's defaults).
/// Each is set in every layer; layers without the field leave it out.
struct config_defaults {
  static constexpr std::int32_t chat_size_max = 200;
  static constexpr std::int32_t megagroup_size_max = 200000;
  static constexpr std::int32_t forwarded_count_max = 100;
  static constexpr std::int32_t online_update_period_ms = 210000;
  static constexpr std::int32_t offline_blur_timeout_ms = 5000;
  static constexpr std::int32_t offline_idle_timeout_ms = 30000;
  static constexpr std::int32_t online_cloud_timeout_ms = 300000;
  static constexpr std::int32_t notify_cloud_delay_ms = 30000;
  static constexpr std::int32_t notify_default_delay_ms = 1500;
  static constexpr std::int32_t push_chat_period_ms = 60000;
  static constexpr std::int32_t push_chat_limit = 2;
  static constexpr std::int32_t edit_time_limit = 172800;
  static constexpr std::int32_t revoke_time_limit = 2147483647;
  static constexpr std::int32_t revoke_pm_time_limit = 2147483647;
  static constexpr std::int32_t rating_e_decay = 2419200;
  static constexpr std::int32_t stickers_recent_limit = 200;
  static constexpr std::int32_t channels_read_media_period = 604800;
  static constexpr std::int32_t call_receive_timeout_ms = 20000;
  static constexpr std::int32_t call_ring_timeout_ms = 90000;
  static constexpr std::int32_t call_connect_timeout_ms = 30000;
  static constexpr std::int32_t call_packet_timeout_ms = 10000;
  static constexpr std::int32_t caption_length_max = 1024;
  static constexpr std::int32_t message_length_max = 4096;
  // Only in old layers (144).
  static constexpr std::int32_t saved_gifs_limit = 200;
  static constexpr std::int32_t stickers_faved_limit = 5;
  static constexpr std::int32_t pinned_dialogs_count_max = 5;
  static constexpr std::int32_t pinned_infolder_count_max = 100;
};

std::vector<tl_value> message_list(const layer_schema& schema, const message_batch& batch) {
  std::vector<tl_value> list;
  for (const auto& p : batch.messages) list.emplace_back(objects::message(schema, batch.peer, p));
  return list;
}

/// `chats` and `users` of an answer that names the batch's peers.
void add_peers(tl_object& answer, const message_batch& batch) {
  std::vector<tl_value> chats{objects::channel(batch.peer)};
  for (const auto& c : batch.other_chats) chats.emplace_back(objects::channel(c));
  std::vector<tl_value> users;
  for (const auto& u : batch.users) users.emplace_back(objects::user(u, u.id == batch.self_id));
  answer.set("chats", std::move(chats));
  answer.set("users", std::move(users));
}

}  // namespace

void layer_writer::config(tl::writer& w, const config_info& info) const {
  using d = config_defaults;
  tl_object c("config");
  c.set("date", info.date);
  c.set("expires", info.expires);
  c.set("test_mode", false);
  c.set("this_dc", info.this_dc);
  // One plain IPv4 option per DC, first: gram.js takes the first option with the id.
  std::vector<tl_value> options;
  for (const auto& dc : info.dcs) {
    tl_object o("dcOption");
    o.set("id", dc.id);
    o.set("ip_address", dc.host);
    o.set("port", std::int32_t{dc.port});
    o.set("cdn", dc.cdn);
    options.emplace_back(std::move(o));
  }
  c.set("dc_options", std::move(options));
  c.set("dc_txt_domain_name", "testdc.invalid");
  c.set("chat_size_max", d::chat_size_max);
  c.set("megagroup_size_max", d::megagroup_size_max);
  c.set("forwarded_count_max", d::forwarded_count_max);
  c.set("online_update_period_ms", d::online_update_period_ms);
  c.set("offline_blur_timeout_ms", d::offline_blur_timeout_ms);
  c.set("offline_idle_timeout_ms", d::offline_idle_timeout_ms);
  c.set("online_cloud_timeout_ms", d::online_cloud_timeout_ms);
  c.set("notify_cloud_delay_ms", d::notify_cloud_delay_ms);
  c.set("notify_default_delay_ms", d::notify_default_delay_ms);
  c.set("push_chat_period_ms", d::push_chat_period_ms);
  c.set("push_chat_limit", d::push_chat_limit);
  c.set("edit_time_limit", d::edit_time_limit);
  c.set("revoke_time_limit", d::revoke_time_limit);
  c.set("revoke_pm_time_limit", d::revoke_pm_time_limit);
  c.set("rating_e_decay", d::rating_e_decay);
  c.set("stickers_recent_limit", d::stickers_recent_limit);
  c.set("channels_read_media_period", d::channels_read_media_period);
  c.set("call_receive_timeout_ms", d::call_receive_timeout_ms);
  c.set("call_ring_timeout_ms", d::call_ring_timeout_ms);
  c.set("call_connect_timeout_ms", d::call_connect_timeout_ms);
  c.set("call_packet_timeout_ms", d::call_packet_timeout_ms);
  c.set("me_url_prefix", "https://t.me/");
  c.set("caption_length_max", d::caption_length_max);
  c.set("message_length_max", d::message_length_max);
  c.set("webfile_dc_id", info.dcs.empty() ? info.this_dc : info.dcs.front().id);
  c.set("saved_gifs_limit", d::saved_gifs_limit);
  c.set("stickers_faved_limit", d::stickers_faved_limit);
  c.set("pinned_dialogs_count_max", d::pinned_dialogs_count_max);
  c.set("pinned_infolder_count_max", d::pinned_infolder_count_max);
  schema_.write(w, c);
}

void layer_writer::users(tl::writer& w, std::span<const account> list, std::int64_t self_id) const {
  w.write_vector_header(list.size());
  for (const auto& a : list) schema_.write(w, objects::user(a, a.id == self_id));
}

void layer_writer::authorization(tl::writer& w, const account& user) const {
  schema_.write(w, tl_object("auth.authorization").set("user", objects::user(user, true)));
}

void layer_writer::resolved_channel(tl::writer& w, const channel_info& channel) const {
  tl_object r("contacts.resolvedPeer");
  r.set("peer", objects::peer_channel(channel.id));
  r.set("chats", std::vector<tl_value>{objects::channel(channel)});
  r.set("users", std::vector<tl_value>{});
  schema_.write(w, r);
}

void layer_writer::channel_messages(tl::writer& w, const message_batch& batch) const {
  tl_object m("messages.channelMessages");
  m.set("pts", 1);
  m.set("count", static_cast<std::int32_t>(batch.messages.size()));
  m.set("messages", message_list(schema_, batch));
  add_peers(m, batch);
  schema_.write(w, m);
}

void layer_writer::messages(tl::writer& w, const message_batch& batch) const {
  tl_object m("messages.messages");
  m.set("messages", message_list(schema_, batch));
  add_peers(m, batch);
  schema_.write(w, m);
}

void layer_writer::chats(tl::writer& w, std::span<const channel_info> list) const {
  std::vector<tl_value> chats;
  for (const auto& info : list) chats.emplace_back(objects::channel(info));
  schema_.write(w, tl_object("messages.chats").set("chats", std::move(chats)));
}

void layer_writer::discussion_message(tl::writer& w, const message_batch& batch, std::int32_t max_id) const {
  tl_object d("messages.discussionMessage");
  d.set("messages", message_list(schema_, batch));
  // Everything read: the emulator keeps no read state.
  d.set("max_id", max_id);
  d.set("read_inbox_max_id", max_id);
  d.set("read_outbox_max_id", max_id);
  d.set("unread_count", 0);
  add_peers(d, batch);
  schema_.write(w, d);
}

namespace {

/// Writes one of every object the emulator answers with; throws schema_error where the layer
/// cannot express one. A layer is served only when this passes.
account probe_account(std::int64_t id, bool bot) {
  account a;
  a.id = id;
  a.access_hash = id + 1;
  a.bot = bot;
  a.first_name = "a";
  if (bot) a.username = "b";
  else a.phone = "15550000";
  return a;
}

channel_info probe_channel(std::int64_t id, bool broadcast) {
  channel_info c;
  c.id = id;
  c.access_hash = id + 1;
  c.title = "c";
  if (broadcast) c.username = "c";
  c.date = 1;
  c.broadcast = broadcast;
  c.forum = !broadcast;
  c.has_link = true;
  return c;
}

/// Every kind of message the model has: a document post with a reply, comments, a forward and an
/// album id; a photo; a deleted id; a forum topic's service message.
std::vector<channel_post> probe_posts() {
  std::vector<channel_post> posts(4);
  auto& doc = posts[0];
  doc.id = 1;
  doc.date = 1;
  doc.text = "t";
  doc.from_user_id = 3;
  doc.grouped_id = 9;
  doc.document.id = 1;
  doc.document.file_reference = {1};
  doc.document.mime_type = "x/y";
  doc.document.size = std::int64_t{1} << 32;
  doc.document.file_name = "f";
  doc.reply_to = reply_header{2, 1, true};
  doc.comments = comments_info{7, 1, 2};
  doc.forwarded = forward_header{5, 1, 1};
  auto& photo = posts[1];
  photo.id = 2;
  photo.media = media_kind::photo;
  photo.photo.id = 1;
  photo.photo.sizes.push_back({"m", 1, 1, 10});
  posts[2].id = 3;
  posts[2].deleted = true;
  posts[3].id = 4;
  posts[3].media = media_kind::none;
  posts[3].topic = topic_created{"t", 7};
  return posts;
}

/// Writes one of every object the emulator answers with; throws schema_error where the layer
/// cannot express one. A layer is served only when this passes.
void probe(const layer_writer& writer) {
  std::vector<std::uint8_t> scratch;
  tl::writer w(scratch);
  const std::vector<account> users{probe_account(1, true), probe_account(3, false)};
  config_info config;
  config.dcs.push_back({1, "127.0.0.1", 1, false});
  config.this_dc = 1;
  writer.config(w, config);
  writer.users(w, users, 1);
  writer.authorization(w, users[1]);
  const std::vector<channel_info> chats{probe_channel(5, true), probe_channel(7, false)};
  writer.resolved_channel(w, chats[0]);
  writer.chats(w, chats);
  message_batch batch;
  batch.peer = chats[1];
  batch.other_chats = {chats[0]};
  batch.users = users;
  batch.self_id = 1;
  batch.messages = probe_posts();
  writer.channel_messages(w, batch);
  writer.messages(w, batch);
  writer.discussion_message(w, batch, 4);
  const objects::password_algo algo{"a", "b", 3, "p"};
  const objects::srp_offer offer{algo, "B", 1};
  writer.write(w, objects::account_password(algo, "s", "r", nullptr));
  writer.write(w, objects::account_password(algo, "s", "r", &offer));
}

struct layer_table {
  std::int32_t oldest = 0;
  std::int32_t newest = 0;
  std::vector<std::unique_ptr<layer_writer>> writers;
  std::vector<layer_support> support;  // index: layer - oldest
  layer_support outside;

  layer_table() {
    const auto& history = layer_history::builtin();
    const auto& known = history.known_layers();
    oldest = known.front();
    newest = known.back();
    outside.reason = fmt::format("the emulator knows the layers {}..{} only", oldest, newest);
    for (std::int32_t layer = oldest; layer <= newest; ++layer) {
      auto resolved = history.resolve(layer);
      const auto above = std::lower_bound(known.begin(), known.end(), layer);
      const bool exact = *above == layer;
      layer_support s;
      auto writer = std::make_unique<layer_writer>(std::move(resolved.schema));
      try {
        probe(*writer);
        s.writer = writer.get();
        s.reason = exact ? fmt::format("layer {}: its own schema", layer)
                         : fmt::format("layer {}: the definitions layers {} and {} agree on", layer, *(above - 1), *above);
        writers.push_back(std::move(writer));
      } catch (const schema_error& e) {
        if (exact) {
          s.reason = fmt::format("layer {} cannot be served: {}", layer, e.what());
        } else {
          s.reason = fmt::format("layer {} cannot be served: layers {} and {} define {} differently and no schema of "
                                 "layer {} is known ({})",
                                 layer, *(above - 1), *above, fmt::join(resolved.unknown, ", "), layer, e.what());
        }
      }
      support.push_back(std::move(s));
    }
  }
};

}  // namespace

const layer_support& layer_writer_for(std::int32_t layer) {
  static const layer_table table;
  if (layer == 0 || layer > table.newest) layer = layer == 0 ? layer_library : table.newest;
  if (layer < table.oldest || layer > table.newest) return table.outside;
  return table.support[static_cast<std::size_t>(layer - table.oldest)];
}

}  // namespace mtproto::testdc
