// What the emulated Telegram contains, independent of any API layer: the DCs, the logged-in
// user, the chats that publish the fixtures and their messages. The layer writers turn these into
// each client's TL objects.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mtproto::testdc {

struct dc_endpoint {
  std::int32_t id = 0;
  std::string host;
  std::uint16_t port = 0;
  bool cdn = false;
  bool operator==(const dc_endpoint&) const = default;
};

/// The account a key is logged in as (a bot, or the test user).
struct account {
  std::int64_t id = 0;
  std::int64_t access_hash = 0;
  bool bot = false;
  std::string first_name;
  std::string username;  // empty: none
  std::string phone;     // empty: none (bots)
};

/// A channel or a supergroup (Telegram's `channel` constructor covers both).
struct channel_info {
  std::int64_t id = 0;
  std::int64_t access_hash = 0;
  std::string title;
  std::string username;  // empty: none (reached by id only, t.me/c/ID/...)
  std::int32_t date = 0;
  bool broadcast = true;  // false: a supergroup (megagroup)
  bool forum = false;     // a supergroup with topics
  /// A channel with a discussion group, or the discussion group of a channel.
  bool has_link = false;
  /// Only members read it and learn its access_hash (CHANNEL_PRIVATE for others).
  bool members_only = false;
  std::vector<std::int64_t> member_ids;
};

/// documentAttributeVideo of a --media file with a video stream, read from its container.
struct video_attributes {
  double duration = 0;  // seconds
  std::int32_t w = 0;
  std::int32_t h = 0;
  /// An MP4 whose index (moov) comes before its data: playable while it downloads.
  bool supports_streaming = false;
  std::string codec;  // video_codec as Telegram names it: "h264", "h265", "av1", "vp9"; may be empty
};

/// documentAttributeAudio of a --media file with audio but no video.
struct audio_attributes {
  double duration = 0;  // seconds
};

struct document_info {
  std::int64_t id = 0;
  std::int64_t access_hash = 0;
  std::vector<std::uint8_t> file_reference;
  std::int32_t date = 0;
  std::string mime_type;
  std::int64_t size = 0;
  std::int32_t dc_id = 0;
  std::string file_name;
  std::optional<video_attributes> video;
  std::optional<audio_attributes> audio;
};

/// One stored size of a photo: `type` is Telegram's size letter (s, m, x, y, ...), which
/// inputPhotoFileLocation.thumb_size names.
struct photo_size_info {
  std::string type;
  std::int32_t w = 0;
  std::int32_t h = 0;
  std::int64_t size = 0;
};

struct photo_info {
  std::int64_t id = 0;
  std::int64_t access_hash = 0;
  std::vector<std::uint8_t> file_reference;
  std::int32_t date = 0;
  std::int32_t dc_id = 0;
  std::vector<photo_size_info> sizes;  // smallest first, as Telegram lists them
};

enum class media_kind { none, document, photo };

/// messageReplyHeader: a reply, a post inside a forum topic, or a comment in a thread.
struct reply_header {
  std::int32_t reply_to_msg_id = 0;
  std::int32_t reply_to_top_id = 0;  // 0: none (the reply is to the thread's root itself)
  bool forum_topic = false;
};

/// messageReplies of a channel post whose comments live in a discussion group.
struct comments_info {
  std::int64_t discussion_id = 0;
  std::int32_t count = 0;
  std::int32_t max_id = 0;  // the latest comment's id in the discussion group
};

/// messageFwdHeader of a channel post that Telegram copied into the discussion group.
struct forward_header {
  std::int64_t channel_id = 0;
  std::int32_t channel_post = 0;
  std::int32_t date = 0;
};

/// messageActionTopicCreate: the service message whose id is the forum topic's id.
struct topic_created {
  std::string title;
  std::int32_t icon_color = 0;
};

/// A message in a channel or supergroup. The file posts carry one document each; the link
/// fixtures use the other fields.
struct channel_post {
  std::int32_t id = 0;
  std::int32_t date = 0;
  media_kind media = media_kind::document;
  document_info document;  // media == document
  photo_info photo;        // media == photo
  std::string text;
  /// Never sent or deleted: answered as messageEmpty, as Telegram answers such ids.
  bool deleted = false;
  std::int64_t from_user_id = 0;  // 0: posted as the chat itself
  std::int64_t grouped_id = 0;    // 0: not in an album
  std::optional<reply_header> reply_to;
  std::optional<comments_info> comments;
  std::optional<forward_header> forwarded;
  std::optional<topic_created> topic;  // set: a service message, no text or media
};

}  // namespace mtproto::testdc
