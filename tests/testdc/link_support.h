// Request builders and answer readers for the link fixtures' tests (library layer types).
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "mtproto/api/Chat.h"
#include "mtproto/api/Document.h"
#include "mtproto/api/InputChannel.h"
#include "mtproto/api/InputMessage.h"
#include "mtproto/api/InputPeer.h"
#include "mtproto/api/Message.h"
#include "mtproto/api/MessageMedia.h"
#include "mtproto/api/Photo.h"
#include "mtproto/api/PhotoSize.h"
#include "mtproto/api/fn/channels/getChannels.h"
#include "mtproto/api/fn/channels/getMessages.h"
#include "mtproto/api/fn/messages/getDiscussionMessage.h"
#include "mtproto/api/messages/Chats.h"
#include "mtproto/api/messages/DiscussionMessage.h"
#include "mtproto/api/messages/Messages.h"
#include "mtproto/api/upload/File.h"
#include "mtproto/testdc/catalog.h"
#include "support.h"

namespace mtproto::testdc::test {

/// Bytes per upload.getFile the link fixture tests ask for.
inline constexpr std::int32_t part_size = 524288;

/// The `nth` link fixture of `kind` (album, photo, text, deleted, private, topic, comment).
inline const link_fixture& fixture(const catalog& c, std::string_view kind, std::size_t nth = 0) {
  for (const auto& l : c.link_fixtures())
    if (l.kind == kind && nth-- == 0) return l;
  FAIL("no link fixture " << kind);
  return c.link_fixtures().front();
}

inline std::vector<std::uint8_t> get_channel_messages(std::int64_t channel_id, std::int64_t access_hash,
                                                      const std::vector<std::int32_t>& ids) {
  api::channels::getMessages req{};
  req.channel = api::inputChannel{channel_id, access_hash};
  for (const auto id : ids) req.id.emplace_back(api::inputMessageID{id});
  return encode(req);
}

inline std::vector<std::uint8_t> get_channels(std::int64_t channel_id, std::int64_t access_hash) {
  api::channels::getChannels req{};
  req.id.emplace_back(api::inputChannel{channel_id, access_hash});
  return encode(req);
}

inline std::vector<std::uint8_t> get_discussion_message(std::int64_t channel_id, std::int64_t access_hash, std::int32_t post) {
  api::messages::getDiscussionMessage req{};
  req.peer = api::inputPeerChannel{channel_id, access_hash};
  req.msg_id = post;
  return encode(req);
}

inline std::vector<std::uint8_t> get_document_part(const api::document& d, std::int64_t offset, std::int32_t limit) {
  api::upload::getFile req{};
  req.location = api::inputDocumentFileLocation{d.id, d.access_hash, d.file_reference, ""};
  req.offset = offset;
  req.limit = limit;
  return encode(req);
}

inline std::vector<std::uint8_t> get_photo_part(const api::photo& p, const std::string& type, std::int64_t offset,
                                                std::int32_t limit) {
  api::upload::getFile req{};
  req.location = api::inputPhotoFileLocation{p.id, p.access_hash, p.file_reference, type};
  req.offset = offset;
  req.limit = limit;
  return encode(req);
}

/// A result that must decode completely as T.
template <class T>
T decode_all(std::span<const std::uint8_t> bytes) {
  tl::reader r(bytes);
  auto value = T::read(r);
  CHECK(r.at_end());
  return value;
}

inline api::messages::channelMessages channel_messages_of(const rpc_answer& a) {
  REQUIRE_FALSE(a.is_error());
  auto m = decode_all<api::messages::Messages>(a.result);
  const auto* cm = m.get_if<api::messages::channelMessages>();
  REQUIRE(cm);
  return *cm;
}

inline const api::message& plain_message(const api::Message& m) {
  const auto* msg = m.get_if<api::message>();
  REQUIRE(msg);
  return *msg;
}

inline const api::document& document_of(const api::message& m) {
  REQUIRE(m.media);
  const auto* media = m.media->get_if<api::messageMediaDocument>();
  REQUIRE(media);
  REQUIRE(media->document);
  const auto* d = media->document->get_if<api::document>();
  REQUIRE(d);
  return *d;
}

inline const api::photo& photo_of(const api::message& m) {
  REQUIRE(m.media);
  const auto* media = m.media->get_if<api::messageMediaPhoto>();
  REQUIRE(media);
  REQUIRE(media->photo);
  const auto* p = media->photo->get_if<api::photo>();
  REQUIRE(p);
  return *p;
}

inline std::vector<std::uint8_t> file_bytes_of(const rpc_answer& a) {
  REQUIRE_FALSE(a.is_error());
  auto f = decode_all<api::upload::File>(a.result);
  const auto* file = f.get_if<api::upload::file>();
  REQUIRE(file);
  return file->bytes;
}

}  // namespace mtproto::testdc::test
