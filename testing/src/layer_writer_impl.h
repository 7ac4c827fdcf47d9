// One implementation of layer_writer for every supported layer: the objects have the same field
// names in each layer's generated types, so the code is written once over a table of types, and
// fields that exist only in some layers are filled where they exist (`if constexpr (requires ...)`).
// The objects themselves are built in layer_objects_impl.h. Each layer instantiates it in its own
// translation unit (layer_writer_NNN.cpp).
#pragma once

#include <string>

#include "layer_objects_impl.h"
#include "mtproto/testdc/layer_writer.h"

namespace mtproto::testdc::detail {

/// Values in Config that clients read but the emulator does not act on (Telegram's defaults).
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
  // Layer 144 only.
  static constexpr std::int32_t saved_gifs_limit = 200;
  static constexpr std::int32_t stickers_faved_limit = 5;
  static constexpr std::int32_t pinned_dialogs_count_max = 5;
  static constexpr std::int32_t pinned_infolder_count_max = 100;
};

template <class T, std::int32_t Layer>
class layer_writer_impl final : public layer_writer {
 public:
  std::int32_t layer() const noexcept override { return Layer; }

  void config(tl::writer& w, const config_info& info) const override {
    using d = config_defaults;
    typename T::config c{};
    c.date = info.date;
    c.expires = info.expires;
    c.test_mode = false;
    c.this_dc = info.this_dc;
    // One plain IPv4 option per DC, first: gram.js takes the first option with the id.
    for (const auto& dc : info.dcs) {
      typename T::dcOption o{};
      o.id = dc.id;
      o.ip_address = dc.host;
      o.port = dc.port;
      o.cdn = dc.cdn;
      c.dc_options.push_back(std::move(o));
    }
    c.dc_txt_domain_name = "testdc.invalid";
    c.chat_size_max = d::chat_size_max;
    c.megagroup_size_max = d::megagroup_size_max;
    c.forwarded_count_max = d::forwarded_count_max;
    c.online_update_period_ms = d::online_update_period_ms;
    c.offline_blur_timeout_ms = d::offline_blur_timeout_ms;
    c.offline_idle_timeout_ms = d::offline_idle_timeout_ms;
    c.online_cloud_timeout_ms = d::online_cloud_timeout_ms;
    c.notify_cloud_delay_ms = d::notify_cloud_delay_ms;
    c.notify_default_delay_ms = d::notify_default_delay_ms;
    c.push_chat_period_ms = d::push_chat_period_ms;
    c.push_chat_limit = d::push_chat_limit;
    c.edit_time_limit = d::edit_time_limit;
    c.revoke_time_limit = d::revoke_time_limit;
    c.revoke_pm_time_limit = d::revoke_pm_time_limit;
    c.rating_e_decay = d::rating_e_decay;
    c.stickers_recent_limit = d::stickers_recent_limit;
    c.channels_read_media_period = d::channels_read_media_period;
    c.call_receive_timeout_ms = d::call_receive_timeout_ms;
    c.call_ring_timeout_ms = d::call_ring_timeout_ms;
    c.call_connect_timeout_ms = d::call_connect_timeout_ms;
    c.call_packet_timeout_ms = d::call_packet_timeout_ms;
    c.me_url_prefix = "https://t.me/";
    c.caption_length_max = d::caption_length_max;
    c.message_length_max = d::message_length_max;
    c.webfile_dc_id = info.dcs.empty() ? info.this_dc : info.dcs.front().id;
    if constexpr (requires { c.saved_gifs_limit; }) {
      c.saved_gifs_limit = d::saved_gifs_limit;
      c.stickers_faved_limit = d::stickers_faved_limit;
      c.pinned_dialogs_count_max = d::pinned_dialogs_count_max;
      c.pinned_infolder_count_max = d::pinned_infolder_count_max;
    }
    c.write(w);
  }

  void users(tl::writer& w, std::span<const account> list, std::int64_t self_id) const override {
    w.write_vector_header(list.size());
    for (const auto& a : list) objects::user(a, a.id == self_id).write(w);
  }

  void authorization(tl::writer& w, const account& user) const override {
    typename T::authorization a{};
    a.user = objects::user(user, true);
    a.write(w);
  }

  void resolved_channel(tl::writer& w, const channel_info& channel) const override {
    typename T::resolvedPeer r{};
    r.peer = objects::peer_channel(channel.id);
    r.chats.push_back(objects::channel(channel));
    r.write(w);
  }

  void channel_messages(tl::writer& w, const message_batch& batch) const override {
    typename T::channelMessages m{};
    m.pts = 1;
    m.count = static_cast<std::int32_t>(batch.messages.size());
    for (const auto& p : batch.messages) m.messages.push_back(objects::message(batch.peer, p));
    fill_peers(m, batch);
    m.write(w);
  }

  void messages(tl::writer& w, const message_batch& batch) const override {
    typename T::messages m{};  // the field is `messages_`: tlgen renames a field named like its struct
    for (const auto& p : batch.messages) m.messages_.push_back(objects::message(batch.peer, p));
    fill_peers(m, batch);
    m.write(w);
  }

  void chats(tl::writer& w, std::span<const channel_info> list) const override {
    typename T::chats c{};
    for (const auto& info : list) c.chats_.push_back(objects::channel(info));
    c.write(w);
  }

  void discussion_message(tl::writer& w, const message_batch& batch, std::int32_t max_id) const override {
    typename T::discussionMessage d{};
    for (const auto& p : batch.messages) d.messages.push_back(objects::message(batch.peer, p));
    // Everything read: the emulator keeps no read state.
    d.max_id = max_id;
    d.read_inbox_max_id = max_id;
    d.read_outbox_max_id = max_id;
    d.unread_count = 0;
    fill_peers(d, batch);
    d.write(w);
  }

 private:
  using objects = layer_objects<T>;

  template <class Answer>
  static void fill_peers(Answer& a, const message_batch& batch) {
    a.chats.push_back(objects::channel(batch.peer));
    for (const auto& c : batch.other_chats) a.chats.push_back(objects::channel(c));
    for (const auto& u : batch.users) a.users.push_back(objects::user(u, u.id == batch.self_id));
  }
};

}  // namespace mtproto::testdc::detail
