// The link fixtures over loopback sockets with this library's protocol core: a bot follows a
// t.me/c/ link into the private channel, a comment link through the discussion thread, and
// downloads a photo's largest size, all checked against the catalog's SHA-256.
#include <catch2/catch.hpp>

#include "link_support.h"
#include "mtproto/crypto/sha.h"
#include "mtproto/testdc/loopback_client.h"
#include "running_server.h"

using namespace mtproto;
using namespace mtproto::testdc;
using namespace mtproto::testdc::test;

namespace {


options e2e_options() {
  options o;
  o.dcs = 2;
  o.files = {{"one.bin", 100000, 1, false}};
  o.seed = 91;
  return o;
}

std::vector<std::uint8_t> ok(loopback_client& c, std::vector<std::uint8_t> body) {
  auto r = c.call(std::move(body));
  REQUIRE_FALSE(r.error);
  return r.result;
}

template <class Request>
crypto::sha256_digest download(loopback_client& c, Request request) {
  crypto::sha256_hasher hasher;
  for (std::int64_t offset = 0;; offset += part_size) {
    const api::upload::File f = decode_all<api::upload::File>(ok(c, request(offset)));
    const auto& bytes = f.get_if<api::upload::file>()->bytes;
    hasher.update(bytes);
    if (bytes.size() < static_cast<std::size_t>(part_size)) break;
  }
  return hasher.finish();
}

api::message only_message(std::vector<std::uint8_t> result) {
  auto m = decode_all<api::messages::Messages>(result);
  const auto* cm = m.get_if<api::messages::channelMessages>();
  REQUIRE(cm);
  REQUIRE(cm->messages.size() == 1);
  return plain_message(cm->messages[0]);
}

}  // namespace

TEST_CASE("testdc end to end: link fixtures resolve and download over sockets") {
  running_server s(e2e_options());
  loopback_client bot(s.port(1), {}, s.key->public_key());
  api::auth::importBotAuthorization login{};
  login.api_id = 1;
  login.api_hash = "x";
  login.bot_auth_token = s.published.bot_token();
  ok(bot, encode(login));

  SECTION("t.me/c/ID/MSG: the access_hash from channels.getChannels, then the post") {
    const auto& l = fixture(s.published, "private");
    auto chats = decode_all<api::messages::Chats>(ok(bot, get_channels(l.channel_id, 0)));
    const auto* ch = chats.get_if<api::messages::chats>()->chats_.at(0).get_if<api::channel>();
    REQUIRE(ch);
    REQUIRE(ch->access_hash);
    const auto m = only_message(ok(bot, get_channel_messages(ch->id, *ch->access_hash, {l.message_id})));
    const auto& d = document_of(m);
    CHECK(download(bot, [&](std::int64_t o) { return get_document_part(d, o, part_size); }) ==
          s.published.media_files()[l.media_index].content.sha256());
  }
  SECTION("?comment=N: the thread's root, then the comment in the discussion group") {
    const auto& l = fixture(s.published, "comment");
    const auto& pub = s.published.channel();
    auto d = decode_all<api::messages::DiscussionMessage>(
        ok(bot, get_discussion_message(pub.id, pub.access_hash, l.message_id)));
    const auto* thread = d.get_if<api::messages::discussionMessage>();
    REQUIRE(thread);
    const auto* group = thread->chats.at(0).get_if<api::channel>();
    REQUIRE(group);
    const auto m = only_message(ok(bot, get_channel_messages(group->id, *group->access_hash, {l.comment_id})));
    const auto& doc = document_of(m);
    CHECK(download(bot, [&](std::int64_t o) { return get_document_part(doc, o, part_size); }) ==
          s.published.media_files()[l.media_index].content.sha256());
  }
  SECTION("a photo's largest size in 512 KiB parts") {
    const auto& l = fixture(s.published, "photo");
    const auto& pub = s.published.channel();
    const auto p = photo_of(only_message(ok(bot, get_channel_messages(pub.id, pub.access_hash, {l.message_id}))));
    const auto& published = s.published.photos()[l.media_index];
    const auto& largest = published.photo.sizes.back().type;
    CHECK(download(bot, [&](std::int64_t o) { return get_photo_part(p, largest, o, part_size); }) ==
          published.contents.back().sha256());
  }
}
