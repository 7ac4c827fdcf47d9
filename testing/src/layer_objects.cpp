#include "mtproto/testdc/layer_objects.h"

#include <cmath>

namespace mtproto::testdc::objects {
namespace {

tl_object reply_header(const testdc::reply_header& r) {
  tl_object h("messageReplyHeader");
  h.set("reply_to_msg_id", r.reply_to_msg_id);
  if (r.reply_to_top_id) h.set("reply_to_top_id", r.reply_to_top_id);
  h.set("forum_topic", r.forum_topic);  // layers before forums have no such flag: left out there
  return h;
}

tl_object topic_service(const layer_schema& schema, const channel_info& peer, const channel_post& post) {
  tl_object s("messageService");
  s.set("id", post.id);
  if (post.from_user_id) s.set("from_id", peer_user(post.from_user_id));
  s.set("peer_id", peer_channel(peer.id));
  s.set("date", post.date);
  if (schema.has("messageActionTopicCreate")) {
    tl_object a("messageActionTopicCreate");
    a.set("title", post.topic->title);
    a.set("icon_color", post.topic->icon_color);
    s.set("action", std::move(a));
  } else {
    // A layer without forums cannot say what this message did; it still exists.
    s.set("action", tl_object("messageActionEmpty"));
  }
  return s;
}

/// `seconds` as the layer types the field: a double since layer 160, whole seconds before.
tl_value duration_field(const layer_schema& schema, std::string_view constructor, double seconds) {
  if (const auto* c = schema.find(constructor))
    for (const auto& p : c->params)
      if (p.name == "duration" && p.type == "int") return static_cast<std::int32_t>(std::lround(seconds));
  return seconds;
}

tl_object media_document(const layer_schema& schema, const document_info& info) {
  tl_object d("document");
  d.set("id", info.id);
  d.set("access_hash", info.access_hash);
  d.set("file_reference", tl_value::bytes(info.file_reference));
  d.set("date", info.date);
  d.set("mime_type", info.mime_type);
  d.set("size", info.size);  // an int in layers before 2^31-byte files, a long since
  d.set("dc_id", info.dc_id);
  std::vector<tl_value> attributes;
  if (info.video) {
    tl_object v("documentAttributeVideo");
    v.set("supports_streaming", info.video->supports_streaming);
    v.set("duration", duration_field(schema, "documentAttributeVideo", info.video->duration));
    v.set("w", info.video->w);
    v.set("h", info.video->h);
    if (!info.video->codec.empty()) v.set("video_codec", info.video->codec);  // layers since 189
    attributes.emplace_back(std::move(v));
  } else if (info.audio) {
    tl_object a("documentAttributeAudio");
    a.set("duration", duration_field(schema, "documentAttributeAudio", info.audio->duration));
    attributes.emplace_back(std::move(a));
  }
  attributes.emplace_back(tl_object("documentAttributeFilename").set("file_name", info.file_name));
  d.set("attributes", std::move(attributes));
  return tl_object("messageMediaDocument").set("document", std::move(d));
}

tl_object kdf_algo(const password_algo& a) {
  tl_object o("passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow");
  return o.set("salt1", a.salt1).set("salt2", a.salt2).set("g", a.g).set("p", a.p);
}

tl_object media_photo(const photo_info& info) {
  tl_object p("photo");
  p.set("id", info.id);
  p.set("access_hash", info.access_hash);
  p.set("file_reference", tl_value::bytes(info.file_reference));
  p.set("date", info.date);
  std::vector<tl_value> sizes;
  for (const auto& s : info.sizes) {
    tl_object size("photoSize");
    size.set("type", s.type);
    size.set("w", s.w);
    size.set("h", s.h);
    size.set("size", s.size);
    sizes.emplace_back(std::move(size));
  }
  p.set("sizes", std::move(sizes));
  p.set("dc_id", info.dc_id);
  return tl_object("messageMediaPhoto").set("photo", std::move(p));
}

}  // namespace

tl_object user(const account& a, bool self) {
  tl_object u("user");
  u.set("self", self);
  u.set("bot", a.bot);
  u.set("id", a.id);
  u.set("access_hash", a.access_hash);  // clients build input peers from it (Telethon raises without)
  u.set("first_name", a.first_name);
  if (!a.username.empty()) u.set("username", a.username);
  if (!a.phone.empty()) u.set("phone", a.phone);
  if (a.bot) u.set("bot_info_version", 1);  // shares flag 14 with `bot`
  u.set("photo", tl_object("userProfilePhotoEmpty"));
  u.set("status", tl_object("userStatusEmpty"));
  return u;
}

tl_object peer_channel(std::int64_t id) { return tl_object("peerChannel").set("channel_id", id); }

tl_object peer_user(std::int64_t id) { return tl_object("peerUser").set("user_id", id); }

tl_object channel(const channel_info& info) {
  tl_object c("channel");
  c.set("broadcast", info.broadcast);  // not min: clients build inputChannel from it
  c.set("megagroup", !info.broadcast);
  c.set("has_link", info.has_link);
  c.set("forum", info.forum);  // before forums, a plain supergroup
  c.set("id", info.id);
  c.set("access_hash", info.access_hash);
  c.set("title", info.title);
  if (!info.username.empty()) c.set("username", info.username);
  c.set("photo", tl_object("chatPhotoEmpty"));
  c.set("date", info.date);
  return c;
}

tl_object message(const layer_schema& schema, const channel_info& peer, const channel_post& post) {
  if (post.deleted) return tl_object("messageEmpty").set("id", post.id).set("peer_id", peer_channel(peer.id));
  if (post.topic) return topic_service(schema, peer, post);
  tl_object m("message");
  m.set("post", peer.broadcast);
  m.set("id", post.id);
  if (post.from_user_id) m.set("from_id", peer_user(post.from_user_id));
  m.set("peer_id", peer_channel(peer.id));
  if (post.forwarded) {
    // Telegram's copy of a channel post in its discussion group: sent as the channel.
    m.set("from_id", peer_channel(post.forwarded->channel_id));
    tl_object f("messageFwdHeader");
    f.set("from_id", peer_channel(post.forwarded->channel_id));
    f.set("date", post.forwarded->date);
    f.set("channel_post", post.forwarded->channel_post);
    f.set("saved_from_peer", peer_channel(post.forwarded->channel_id));
    f.set("saved_from_msg_id", post.forwarded->channel_post);
    m.set("fwd_from", std::move(f));
  }
  if (post.reply_to) m.set("reply_to", reply_header(*post.reply_to));
  m.set("date", post.date);
  m.set("message", post.text);
  if (post.media == media_kind::document) m.set("media", media_document(schema, post.document));
  if (post.media == media_kind::photo) m.set("media", media_photo(post.photo));
  if (post.comments) {
    tl_object r("messageReplies");
    r.set("comments", true);
    r.set("replies", post.comments->count);
    r.set("replies_pts", replies_pts);
    r.set("channel_id", post.comments->discussion_id);
    r.set("max_id", post.comments->max_id);
    m.set("replies", std::move(r));
  }
  if (post.grouped_id) m.set("grouped_id", post.grouped_id);
  return m;
}

tl_object account_password(const password_algo& new_algo, std::string secure_salt, std::string secure_random,
                           const srp_offer* current) {
  tl_object out("account.password");
  out.set("new_algo", kdf_algo(new_algo));
  out.set("new_secure_algo", tl_object("securePasswordKdfAlgoPBKDF2HMACSHA512iter100000").set("salt", std::move(secure_salt)));
  out.set("secure_random", std::move(secure_random));
  if (current) {
    out.set("has_password", true);
    out.set("current_algo", kdf_algo(current->algo));
    out.set("srp_B", current->srp_B);
    out.set("srp_id", current->srp_id);
  }
  return out;
}

}  // namespace mtproto::testdc::objects
