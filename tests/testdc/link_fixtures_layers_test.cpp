// The link fixtures in every layer the emulator answers in (144 for Telethon 1.25, 198 for
// gram.js 2.26, the library's): each answer decodes completely with that layer's own types, and
// what a layer cannot express (forums before layer 148) is answered the way it can.
#include <catch2/catch.hpp>

#include <algorithm>

#include "link_support.h"
#include "mtproto/testdc/l144/Chat.h"
#include "mtproto/testdc/l144/Message.h"
#include "mtproto/testdc/l144/MessageAction.h"
#include "mtproto/testdc/l144/MessageMedia.h"
#include "mtproto/testdc/l144/MessageReplyHeader.h"
#include "mtproto/testdc/l144/messages/Chats.h"
#include "mtproto/testdc/l144/messages/DiscussionMessage.h"
#include "mtproto/testdc/l144/messages/Messages.h"
#include "mtproto/testdc/l198/Chat.h"
#include "mtproto/testdc/l198/Message.h"
#include "mtproto/testdc/l198/MessageAction.h"
#include "mtproto/testdc/l198/MessageMedia.h"
#include "mtproto/testdc/l198/MessageReplyHeader.h"
#include "mtproto/testdc/l198/messages/Chats.h"
#include "mtproto/testdc/l198/messages/DiscussionMessage.h"
#include "mtproto/testdc/l198/messages/Messages.h"

using namespace mtproto;
using namespace mtproto::testdc;
using namespace mtproto::testdc::test;

namespace {

namespace l144 = mtproto::testdc::l144;
namespace l198 = mtproto::testdc::l198;

/// Every fixture's message, the comment thread and the private channel, in one layer's types.
template <class Messages, class DiscussionMessage, class Chats>
std::vector<Messages> fetch_all(harness& h, std::int32_t layer) {
  h.key->layer = layer;
  std::vector<Messages> out;
  for (const auto& l : h.published.link_fixtures()) {
    INFO(l.link);
    const channel_info& chat = *h.published.find_channel(l.channel_id);
    auto a = h.call(get_channel_messages(chat.id, chat.access_hash, {l.message_id, l.topic_id ? l.topic_id : l.message_id}));
    REQUIRE_FALSE(a.is_error());
    out.push_back(decode_all<Messages>(a.result));
    if (l.comment_id) {
      auto thread = h.call(get_discussion_message(chat.id, chat.access_hash, l.message_id));
      REQUIRE_FALSE(thread.is_error());
      decode_all<DiscussionMessage>(thread.result);
      const auto& group = h.published.discussion_group();
      auto comment = h.call(get_channel_messages(group.id, group.access_hash, {l.comment_id, l.comment_id + 1}));
      REQUIRE_FALSE(comment.is_error());
      out.push_back(decode_all<Messages>(comment.result));
    }
  }
  const auto& priv = h.published.private_channel();
  auto chats = h.call(get_channels(priv.id, 0));
  REQUIRE_FALSE(chats.is_error());
  decode_all<Chats>(chats.result);
  return out;
}

}  // namespace

TEST_CASE("link fixtures in layer 144: complete answers, forums as plain supergroups") {
  harness h;
  REQUIRE_FALSE(h.login().is_error());
  const auto answers = fetch_all<l144::messages::Messages, l144::messages::DiscussionMessage, l144::messages::Chats>(
      h, layer_telethon_1_25);
  const auto& topic = *std::find_if(h.published.link_fixtures().begin(), h.published.link_fixtures().end(),
                                    [](const link_fixture& l) { return l.kind == "topic"; });
  bool saw_service = false, saw_post = false, saw_photo = false, saw_empty = false;
  for (const auto& a : answers) {
    const auto* cm = a.get_if<l144::messages::channelMessages>();
    REQUIRE(cm);
    for (const auto& m : cm->messages) {
      if (const auto* s = m.get_if<l144::messageService>()) {
        CHECK(s->id == topic.topic_id);
        CHECK(s->action.get_if<l144::messageActionEmpty>());  // layer 144 has no topic actions
        saw_service = true;
      } else if (const auto* msg = m.get_if<l144::message>()) {
        if (msg->id == topic.message_id && msg->reply_to) {
          CHECK(msg->reply_to->get_if<l144::messageReplyHeader>()->reply_to_msg_id == topic.topic_id);
          saw_post = true;
        }
        if (msg->media && msg->media->get_if<l144::messageMediaPhoto>()) saw_photo = true;
      } else if (m.get_if<l144::messageEmpty>()) {
        saw_empty = true;
      }
    }
  }
  CHECK(saw_service);
  CHECK(saw_post);
  CHECK(saw_photo);
  CHECK(saw_empty);
}

TEST_CASE("link fixtures in layer 198: complete answers with forum topics") {
  harness h;
  REQUIRE_FALSE(h.login().is_error());
  const auto answers = fetch_all<l198::messages::Messages, l198::messages::DiscussionMessage, l198::messages::Chats>(
      h, layer_gramjs_2_26);
  bool saw_topic = false, saw_forum = false;
  for (const auto& a : answers) {
    const auto* cm = a.get_if<l198::messages::channelMessages>();
    REQUIRE(cm);
    for (const auto& c : cm->chats)
      if (const auto* ch = c.get_if<l198::channel>(); ch && ch->forum) saw_forum = true;
    for (const auto& m : cm->messages) {
      if (const auto* s = m.get_if<l198::messageService>()) {
        const auto* created = s->action.get_if<l198::messageActionTopicCreate>();
        REQUIRE(created);
        CHECK(created->title == "testdc topic");
      }
      const auto* msg = m.get_if<l198::message>();
      if (!msg || !msg->reply_to) continue;
      if (const auto* r = msg->reply_to->get_if<l198::messageReplyHeader>(); r && r->forum_topic) saw_topic = true;
    }
  }
  CHECK(saw_topic);
  CHECK(saw_forum);
}

TEST_CASE("link fixtures in the library's layer: complete answers") {
  harness h;
  REQUIRE_FALSE(h.login().is_error());
  const auto answers = fetch_all<api::messages::Messages, api::messages::DiscussionMessage, api::messages::Chats>(h, 0);
  CHECK(answers.size() == h.published.link_fixtures().size() + 1);  // + the comment thread's messages
  for (const auto& a : answers) CHECK(a.get_if<api::messages::channelMessages>());
}
