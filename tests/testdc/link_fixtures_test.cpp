// The link fixtures through the in-process API handler, as a downloader meets them: every message
// a t.me link can point at is fetched, its media downloaded and checked against the catalog's
// SHA-256, and the refusals (non-members, deleted ids, wrong sizes, other DCs) are Telegram's.
#include <catch2/catch.hpp>

#include <algorithm>

#include "link_support.h"
#include "mtproto/api/MessageAction.h"
#include "mtproto/api/MessageFwdHeader.h"
#include "mtproto/api/MessageReplies.h"
#include "mtproto/api/MessageReplyHeader.h"
#include "mtproto/api/Peer.h"
#include "mtproto/crypto/sha.h"

using namespace mtproto;
using namespace mtproto::testdc;
using namespace mtproto::testdc::test;

namespace {

constexpr std::int64_t one_mib = 1048576;

std::vector<const link_fixture*> fixtures(const catalog& c, std::string_view kind) {
  std::vector<const link_fixture*> out;
  for (const auto& l : c.link_fixtures())
    if (l.kind == kind) out.push_back(&l);
  return out;
}

/// Downloads a whole file in `part_size` parts with `request(offset)` on DC `dc`.
template <class Request>
crypto::sha256_digest download(harness& h, Request request, std::int32_t dc = 1) {
  crypto::sha256_hasher hasher;
  for (std::int64_t offset = 0;; offset += part_size) {
    const auto part = file_bytes_of(h.call(request(offset), dc));
    hasher.update(part);
    if (part.size() < static_cast<std::size_t>(part_size)) break;
  }
  return hasher.finish();
}

api::message fetch(harness& h, const channel_info& chat, std::int32_t id) {
  auto m = channel_messages_of(h.call(get_channel_messages(chat.id, chat.access_hash, {id})));
  REQUIRE(m.messages.size() == 1);
  return plain_message(m.messages[0]);
}

}  // namespace

TEST_CASE("link fixtures: the album is consecutive posts with one grouped_id, in order") {
  harness h;
  REQUIRE_FALSE(h.login().is_error());
  const auto& pub = h.published.channel();
  const auto album = fixtures(h.published, "album");
  REQUIRE(album.size() == 3);
  std::vector<std::int32_t> ids;
  for (const auto* l : album) ids.push_back(l->message_id);
  CHECK(ids[0] == first_message_id + static_cast<std::int32_t>(h.published.files().size()));
  CHECK(ids[1] == ids[0] + 1);
  CHECK(ids[2] == ids[0] + 2);

  const auto answer = channel_messages_of(h.call(get_channel_messages(pub.id, pub.access_hash, ids)));
  REQUIRE(answer.messages.size() == 3);
  std::vector<std::string> kinds;
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& m = plain_message(answer.messages[i]);
    CHECK(m.id == ids[i]);
    REQUIRE(m.grouped_id);
    CHECK(*m.grouped_id == album[i]->grouped_id);
    CHECK(*m.grouped_id == album[0]->grouped_id);
    CHECK(m.post);
    REQUIRE(m.media);
    if (m.media->get_if<api::messageMediaPhoto>()) {
      kinds.push_back("photo");
      const auto& p = photo_of(m);
      const auto& published = h.published.photos()[album[i]->media_index];
      const auto& largest = p.sizes.back().get_if<api::photoSize>()->type;
      CHECK(download(h, [&](std::int64_t o) { return get_photo_part(p, largest, o, part_size); }) ==
            published.contents.back().sha256());
    } else {
      kinds.push_back("document");
      const auto& d = document_of(m);
      CHECK(download(h, [&](std::int64_t o) { return get_document_part(d, o, part_size); }) ==
            h.published.media_files()[album[i]->media_index].content.sha256());
    }
  }
  CHECK(kinds == std::vector<std::string>{"document", "photo", "document"});
  CHECK(plain_message(answer.messages[0]).message_ == "testdc album");  // the caption is on the first item
}

TEST_CASE("link fixtures: a photo's sizes grow, and each serves its own bytes") {
  harness h;
  REQUIRE_FALSE(h.login().is_error());
  const auto& l = fixture(h.published, "photo");
  const auto m = fetch(h, h.published.channel(), l.message_id);
  const auto& p = photo_of(m);
  const auto& published = h.published.photos()[l.media_index];
  std::vector<std::string> types;
  std::int32_t previous = 0;
  for (const auto& s : p.sizes) {
    const auto* size = s.get_if<api::photoSize>();
    REQUIRE(size);
    types.push_back(size->type);
    CHECK(size->size > previous);
    previous = size->size;
  }
  CHECK(types == std::vector<std::string>{"s", "m", "x", "y"});
  CHECK(previous > one_mib);  // the largest takes several parts and crosses a 1 MiB boundary
  for (std::size_t i = 0; i < types.size(); ++i) {
    INFO(types[i]);
    CHECK(download(h, [&](std::int64_t o) { return get_photo_part(p, types[i], o, part_size); }) ==
          published.contents[i].sha256());
  }
  // A part of the middle of "y", byte for byte.
  const auto part = file_bytes_of(h.call(get_photo_part(p, "y", one_mib, part_size)));
  std::vector<std::uint8_t> expected(static_cast<std::size_t>(published.contents.back().size() - one_mib));
  published.contents.back().read(one_mib, expected);
  CHECK(part == expected);
}

TEST_CASE("link fixtures: photo downloads follow the document rules and faults") {
  harness h({{"a.bin", 100000, 1, false}}, fault_options{.file_ref_ttl = 3});
  REQUIRE_FALSE(h.login().is_error());
  const auto& l = fixture(h.published, "photo");
  const auto p = photo_of(fetch(h, h.published.channel(), l.message_id));
  CHECK(h.call(get_photo_part(p, "w", 0, part_size)).error_message == "LOCATION_INVALID");  // no such size
  auto forged = p;
  forged.access_hash ^= 1;
  CHECK(h.call(get_photo_part(forged, "s", 0, part_size)).error_message == "FILE_ID_INVALID");
  CHECK(h.call(get_photo_part(p, "y", 1024, part_size)).error_message == "OFFSET_INVALID");
  forged = p;
  forged.file_reference.back() ^= 1;
  CHECK(h.call(get_photo_part(forged, "s", 0, part_size)).error_message == "FILE_REFERENCE_INVALID");

  // On another DC: FILE_MIGRATE to the photo's DC (after the DC 2 key logs in).
  REQUIRE_FALSE(h.login(2).is_error());
  const auto migrate = h.call(get_photo_part(p, "s", 0, part_size), 2);
  CHECK(migrate.error_code == 303);
  CHECK(migrate.error_message == "FILE_MIGRATE_" + std::to_string(p.dc_id));

  // --file-ref-ttl 3: the third call expires the reference; the message, fetched again, has a new one.
  CHECK_FALSE(h.call(get_photo_part(p, "s", 0, part_size)).is_error());
  CHECK_FALSE(h.call(get_photo_part(p, "m", 0, part_size)).is_error());
  CHECK_FALSE(h.call(get_photo_part(p, "x", 0, part_size)).is_error());
  CHECK(h.call(get_photo_part(p, "s", 0, part_size)).error_message == "FILE_REFERENCE_EXPIRED");
  const auto refreshed = photo_of(fetch(h, h.published.channel(), l.message_id));
  CHECK(refreshed.file_reference != p.file_reference);
  CHECK_FALSE(h.call(get_photo_part(refreshed, "s", 0, part_size)).is_error());
}

TEST_CASE("link fixtures: --flood-every counts photo parts too") {
  harness h({{"a.bin", 100000, 1, false}}, fault_options{.flood_every = 2, .flood_seconds = 5});
  REQUIRE_FALSE(h.login().is_error());
  const auto p = photo_of(fetch(h, h.published.channel(), fixture(h.published, "photo").message_id));
  CHECK_FALSE(h.call(get_photo_part(p, "s", 0, part_size)).is_error());
  CHECK(h.call(get_photo_part(p, "s", 0, part_size)).error_message == "FLOOD_WAIT_5");
}

TEST_CASE("link fixtures: a text message has no media, a deleted id is messageEmpty") {
  harness h;
  REQUIRE_FALSE(h.login().is_error());
  const auto& pub = h.published.channel();
  const auto& text = fixture(h.published, "text");
  const auto& deleted = fixture(h.published, "deleted");
  const auto answer = channel_messages_of(
      h.call(get_channel_messages(pub.id, pub.access_hash, {text.message_id, deleted.message_id, 999999})));
  REQUIRE(answer.messages.size() == 3);
  const auto& t = plain_message(answer.messages[0]);
  CHECK(t.id == text.message_id);
  CHECK_FALSE(t.media);
  CHECK(t.message_.find("without media") != std::string::npos);
  for (std::size_t i = 1; i < 3; ++i) {
    const auto* empty = answer.messages[i].get_if<api::messageEmpty>();
    REQUIRE(empty);
    CHECK(empty->id == (i == 1 ? deleted.message_id : 999999));
  }
  CHECK(deleted.message_id == text.message_id + 1);  // a gap between published posts
}

TEST_CASE("link fixtures: the private channel answers its member bot and refuses others") {
  harness h;
  const auto& priv = h.published.private_channel();
  const auto& l = fixture(h.published, "private");
  CHECK(l.link == "https://t.me/c/" + std::to_string(priv.id) + "/" + std::to_string(l.message_id));
  CHECK(priv.username.empty());

  // The member bot knows only the id (t.me/c/ID/MSG): getChannels with access_hash 0 gives the hash.
  REQUIRE_FALSE(h.login().is_error());
  auto chats = decode_all<api::messages::Chats>(h.call(get_channels(priv.id, 0)).result);
  const auto* list = chats.get_if<api::messages::chats>();
  REQUIRE(list);
  REQUIRE(list->chats_.size() == 1);
  const auto* ch = list->chats_[0].get_if<api::channel>();
  REQUIRE(ch);
  CHECK(ch->id == priv.id);
  CHECK(ch->broadcast);
  CHECK_FALSE(ch->username);
  REQUIRE(ch->access_hash);
  CHECK(*ch->access_hash == priv.access_hash);
  const auto m = fetch(h, priv, l.message_id);
  const auto& d = document_of(m);
  CHECK(download(h, [&](std::int64_t o) { return get_document_part(d, o, part_size); }) ==
        h.published.media_files()[l.media_index].content.sha256());
  CHECK(h.call(get_channels(priv.id, priv.access_hash ^ 1)).error_message == "CHANNEL_INVALID");
  CHECK(h.call(get_channels(priv.id + 1, 0)).error_message == "CHANNEL_INVALID");

  // Another bot is no member.
  h.key->user = h.published.bot_for_token("123:abc");
  CHECK(h.call(get_channels(priv.id, 0)).error_message == "CHANNEL_PRIVATE");
  CHECK(h.call(get_channel_messages(priv.id, priv.access_hash, {l.message_id})).error_message == "CHANNEL_PRIVATE");

  // Nor is the test user, who has no access_hash for it (hash 0 is for bots only).
  h.key->user = h.published.test_user();
  CHECK(h.call(get_channels(priv.id, 0)).error_message == "CHANNEL_INVALID");
  CHECK(h.call(get_channels(priv.id, priv.access_hash)).error_message == "CHANNEL_PRIVATE");
  const auto refused = h.call(get_channel_messages(priv.id, priv.access_hash, {l.message_id}));
  CHECK(refused.error_code == 400);
  CHECK(refused.error_message == "CHANNEL_PRIVATE");
  // Public chats need their hash from users as well.
  const auto& pub = h.published.channel();
  CHECK(h.call(get_channels(pub.id, 0)).error_message == "CHANNEL_INVALID");
  CHECK_FALSE(h.call(get_channels(pub.id, pub.access_hash)).is_error());
}

TEST_CASE("link fixtures: a post in a forum topic replies to the topic's service message") {
  harness h;
  REQUIRE_FALSE(h.login().is_error());
  const auto& forum = h.published.forum();
  const auto& l = fixture(h.published, "topic");
  CHECK(l.link == "https://t.me/testdc_forum/" + std::to_string(l.topic_id) + "/" + std::to_string(l.message_id));
  const auto answer = channel_messages_of(
      h.call(get_channel_messages(forum.id, forum.access_hash, {l.topic_id, l.message_id, l.message_id + 1})));
  REQUIRE(answer.messages.size() == 3);
  REQUIRE(answer.chats.size() == 1);
  const auto* ch = answer.chats[0].get_if<api::channel>();
  REQUIRE(ch);
  CHECK(ch->forum);
  CHECK(ch->megagroup);
  CHECK_FALSE(ch->broadcast);

  const auto* created = answer.messages[0].get_if<api::messageService>();
  REQUIRE(created);
  CHECK(created->id == l.topic_id);
  CHECK(created->action.get_if<api::messageActionTopicCreate>());

  const auto& post = plain_message(answer.messages[1]);
  REQUIRE(post.reply_to);
  const auto* header = post.reply_to->get_if<api::messageReplyHeader>();
  REQUIRE(header);
  CHECK(header->forum_topic);
  CHECK(header->reply_to_msg_id == l.topic_id);
  CHECK_FALSE(header->reply_to_top_id);
  CHECK_FALSE(post.post);
  REQUIRE(post.from_id);
  CHECK(post.from_id->get_if<api::peerUser>()->user_id == h.published.test_user().id);
  REQUIRE(answer.users.size() == 2);  // both senders
  const auto& d = document_of(post);
  CHECK(download(h, [&](std::int64_t o) { return get_document_part(d, o, part_size); }) ==
        h.published.media_files()[l.media_index].content.sha256());

  const auto& reply = plain_message(answer.messages[2]);
  const auto* reply_header = reply.reply_to->get_if<api::messageReplyHeader>();
  REQUIRE(reply_header);
  CHECK(reply_header->forum_topic);
  CHECK(reply_header->reply_to_msg_id == l.message_id);
  CHECK(reply_header->reply_to_top_id == l.topic_id);
}

TEST_CASE("link fixtures: comments are found through messages.getDiscussionMessage") {
  harness h;
  REQUIRE_FALSE(h.login().is_error());
  const auto& pub = h.published.channel();
  const auto& group = h.published.discussion_group();
  const auto& l = fixture(h.published, "comment");
  CHECK(l.link == "https://t.me/testdc_files/" + std::to_string(l.message_id) + "?comment=" + std::to_string(l.comment_id));
  CHECK(l.discussion_id == group.id);

  const auto post = fetch(h, pub, l.message_id);
  REQUIRE(post.replies);
  const auto* replies = post.replies->get_if<api::messageReplies>();
  REQUIRE(replies);
  CHECK(replies->comments);
  CHECK(replies->channel_id == group.id);

  const auto thread = h.call(get_discussion_message(pub.id, pub.access_hash, l.message_id));
  REQUIRE_FALSE(thread.is_error());
  const auto d = decode_all<api::messages::DiscussionMessage>(thread.result);
  const auto* discussion = d.get_if<api::messages::discussionMessage>();
  REQUIRE(discussion);
  REQUIRE(discussion->messages.size() == 1);
  const auto& root = plain_message(discussion->messages[0]);
  CHECK(root.peer_id.get_if<api::peerChannel>()->channel_id == group.id);
  REQUIRE(root.fwd_from);
  CHECK(root.fwd_from->get_if<api::messageFwdHeader>()->channel_post == l.message_id);
  CHECK(discussion->max_id == replies->max_id);
  // The group (with its access_hash, for channels.getMessages) and the channel the root came from.
  std::vector<std::int64_t> chat_ids;
  for (const auto& c : discussion->chats) chat_ids.push_back(c.get_if<api::channel>()->id);
  CHECK(chat_ids == std::vector<std::int64_t>{group.id, pub.id});
  const auto* g = discussion->chats[0].get_if<api::channel>();
  CHECK(g->megagroup);
  CHECK(g->has_link);
  REQUIRE(g->access_hash);

  const auto comment = fetch(h, group, l.comment_id);
  REQUIRE(comment.reply_to);
  CHECK(comment.reply_to->get_if<api::messageReplyHeader>()->reply_to_msg_id == root.id);
  const auto& doc = document_of(comment);
  CHECK(download(h, [&](std::int64_t o) { return get_document_part(doc, o, part_size); }) ==
        h.published.media_files()[l.media_index].content.sha256());

  // A post without comments, a forged hash, a peer that is no channel.
  CHECK(h.call(get_discussion_message(pub.id, pub.access_hash, fixture(h.published, "text").message_id)).error_message ==
        "MSG_ID_INVALID");
  CHECK(h.call(get_discussion_message(pub.id, pub.access_hash ^ 1, l.message_id)).error_message == "CHANNEL_INVALID");
  api::messages::getDiscussionMessage self{};
  self.peer = api::inputPeerSelf{};
  self.msg_id = l.message_id;
  CHECK(h.call(encode(self)).error_message == "PEER_ID_INVALID");
}

TEST_CASE("link fixtures: the --file posts are unchanged and the fixtures follow them") {
  harness h;
  REQUIRE_FALSE(h.login().is_error());
  const auto& pub = h.published.channel();
  const auto& first = h.published.files()[0];
  const auto m = fetch(h, pub, first.post.id);
  CHECK(m.id == first_message_id);
  CHECK(m.message_.empty());
  CHECK_FALSE(m.grouped_id);
  CHECK(document_of(m).id == first.post.document.id);
  // Every fixture id is unique in its chat and no fixture takes a --file post's id.
  for (const auto& l : h.published.link_fixtures()) {
    INFO(l.link);
    const auto after_files = first_message_id + static_cast<std::int32_t>(h.published.files().size());
    if (l.channel_id == pub.id) CHECK(l.message_id >= after_files);
    CHECK(h.published.find_channel(l.channel_id));
  }
  // The catalog is a function of the seed.
  const catalog again(42, std::vector<file_spec>{{"a.bin", 3 * 1048576 + 1000, 1, false}, {"b.bin", 200000, 2, false}});
  REQUIRE(again.link_fixtures().size() == h.published.link_fixtures().size());
  for (std::size_t i = 0; i < again.link_fixtures().size(); ++i)
    CHECK(again.link_fixtures()[i].link == h.published.link_fixtures()[i].link);
  CHECK(again.private_channel().access_hash == h.published.private_channel().access_hash);
}
