// The objects of every layer built from the model: users, chats, messages with their media,
// reply headers, forwards and service actions. Written once over a table of generated types
// (see layer_writer_impl.h); where a layer lacks a field or constructor, the object is built the
// way that layer can express it (`if constexpr (requires ...)`).
#pragma once

#include "mtproto/testdc/model.h"

namespace mtproto::testdc::detail {

/// replies_pts of messageReplies: the emulator's chats never change, so one value serves.
inline constexpr std::int32_t replies_pts = 1;

template <class T>
struct layer_objects {
  static typename T::User user(const account& a, bool self) {
    typename T::user u{};
    u.self = self;
    u.bot = a.bot;
    u.id = a.id;
    u.access_hash = a.access_hash;  // clients build input peers from it (Telethon raises without)
    u.first_name = a.first_name;
    if (!a.username.empty()) u.username = a.username;
    if (!a.phone.empty()) u.phone = a.phone;
    if (a.bot) u.bot_info_version = 1;  // shares flag 14 with `bot`
    u.photo = typename T::userProfilePhotoEmpty{};
    u.status = typename T::userStatusEmpty{};
    return u;
  }

  static typename T::Peer peer_channel(std::int64_t id) {
    typename T::peerChannel p{};
    p.channel_id = id;
    return p;
  }

  static typename T::Peer peer_user(std::int64_t id) {
    typename T::peerUser p{};
    p.user_id = id;
    return p;
  }

  static typename T::Chat channel(const channel_info& info) {
    typename T::channel c{};
    c.broadcast = info.broadcast;  // not min: both clients build inputChannel from it
    c.megagroup = !info.broadcast;
    c.has_link = info.has_link;
    // Layer 144 predates forums: there the forum is a plain supergroup.
    if constexpr (requires { c.forum; }) c.forum = info.forum;
    c.id = info.id;
    c.access_hash = info.access_hash;
    c.title = info.title;
    if (!info.username.empty()) c.username = info.username;
    c.photo = typename T::chatPhotoEmpty{};
    c.date = info.date;
    return c;
  }

  static typename T::Message message(const channel_info& peer, const channel_post& post) {
    if (post.deleted) {
      typename T::messageEmpty e{};
      e.id = post.id;
      e.peer_id = peer_channel(peer.id);
      return e;
    }
    if (post.topic) return topic_service(peer, post);
    typename T::message m{};
    m.post = peer.broadcast;
    m.id = post.id;
    if (post.from_user_id) m.from_id = peer_user(post.from_user_id);
    m.peer_id = peer_channel(peer.id);
    if (post.forwarded) {
      // Telegram's copy of a channel post in its discussion group: sent as the channel.
      m.from_id = peer_channel(post.forwarded->channel_id);
      typename T::messageFwdHeader f{};
      f.from_id = peer_channel(post.forwarded->channel_id);
      f.date = post.forwarded->date;
      f.channel_post = post.forwarded->channel_post;
      f.saved_from_peer = peer_channel(post.forwarded->channel_id);
      f.saved_from_msg_id = post.forwarded->channel_post;
      m.fwd_from = std::move(f);
    }
    if (post.reply_to) m.reply_to = reply_header(*post.reply_to);
    m.date = post.date;
    m.message_ = post.text;
    if (post.media == media_kind::document) m.media = media_document(post.document);
    if (post.media == media_kind::photo) m.media = media_photo(post.photo);
    if (post.comments) {
      typename T::messageReplies r{};
      r.comments = true;
      r.replies = post.comments->count;
      r.replies_pts = replies_pts;
      r.channel_id = post.comments->discussion_id;
      r.max_id = post.comments->max_id;
      m.replies = std::move(r);
    }
    if (post.grouped_id) m.grouped_id = post.grouped_id;
    return m;
  }

 private:
  static typename T::MessageReplyHeader reply_header(const testdc::reply_header& r) {
    typename T::messageReplyHeader h{};
    h.reply_to_msg_id = r.reply_to_msg_id;
    if (r.reply_to_top_id) h.reply_to_top_id = r.reply_to_top_id;
    if constexpr (requires { h.forum_topic; }) h.forum_topic = r.forum_topic;
    return h;
  }

  static typename T::Message topic_service(const channel_info& peer, const channel_post& post) {
    typename T::messageService s{};
    s.id = post.id;
    if (post.from_user_id) s.from_id = peer_user(post.from_user_id);
    s.peer_id = peer_channel(peer.id);
    s.date = post.date;
    if constexpr (requires { typename T::messageActionTopicCreate; }) {
      typename T::messageActionTopicCreate a{};
      a.title = post.topic->title;
      a.icon_color = post.topic->icon_color;
      s.action = std::move(a);
    } else {
      // A layer without forums cannot say what this message did; it still exists.
      s.action = typename T::messageActionEmpty{};
    }
    return s;
  }

  static typename T::MessageMedia media_document(const document_info& info) {
    typename T::document d{};
    d.id = info.id;
    d.access_hash = info.access_hash;
    d.file_reference = info.file_reference;
    d.date = info.date;
    d.mime_type = info.mime_type;
    d.size = info.size;
    d.dc_id = info.dc_id;
    typename T::documentAttributeFilename name{};
    name.file_name = info.file_name;
    d.attributes.push_back(std::move(name));
    typename T::messageMediaDocument media{};
    media.document = std::move(d);
    return media;
  }

  static typename T::MessageMedia media_photo(const photo_info& info) {
    typename T::photo p{};
    p.id = info.id;
    p.access_hash = info.access_hash;
    p.file_reference = info.file_reference;
    p.date = info.date;
    for (const auto& s : info.sizes) {
      typename T::photoSize size{};
      size.type = s.type;
      size.w = s.w;
      size.h = s.h;
      size.size = static_cast<std::int32_t>(s.size);
      p.sizes.push_back(std::move(size));
    }
    p.dc_id = info.dc_id;
    typename T::messageMediaPhoto media{};
    media.photo = std::move(p);
    return media;
  }
};

}  // namespace mtproto::testdc::detail
