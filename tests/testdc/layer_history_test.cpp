// The emulator answers each client in its own layer from layer_history.tl: the schema writer
// (flags, defaults, refusals), which layers can be served and why not, and bytes that the
// generated readers of layers 144, 198 and 228 decode completely and re-encode identically.
#include <catch2/catch.hpp>

#include <algorithm>
#include <iterator>
#include <optional>
#include <set>

#include "mtproto/api/Config.h"
#include "mtproto/api/User.h"
#include "mtproto/api/account/Password.h"
#include "mtproto/api/auth/Authorization.h"
#include "mtproto/api/auth/ExportedAuthorization.h"
#include "mtproto/api/auth/SentCode.h"
#include "mtproto/api/auth/SentCodeType.h"
#include "mtproto/api/CdnConfig.h"
#include "mtproto/api/CdnPublicKey.h"
#include "mtproto/api/FileHash.h"
#include "mtproto/api/NearestDc.h"
#include "mtproto/api/contacts/ResolvedPeer.h"
#include "mtproto/api/fn/auth/bindTempAuthKey.h"
#include "mtproto/api/fn/auth/checkPassword.h"
#include "mtproto/api/fn/auth/exportAuthorization.h"
#include "mtproto/api/fn/auth/importAuthorization.h"
#include "mtproto/api/fn/auth/importBotAuthorization.h"
#include "mtproto/api/fn/auth/sendCode.h"
#include "mtproto/api/fn/auth/signIn.h"
#include "mtproto/api/fn/channels/getChannels.h"
#include "mtproto/api/fn/channels/getMessages.h"
#include "mtproto/api/fn/contacts/resolveUsername.h"
#include "mtproto/api/fn/help/getConfig.h"
#include "mtproto/api/fn/messages/getMessages.h"
#include "mtproto/api/fn/upload/getFile.h"
#include "mtproto/api/fn/users/getUsers.h"
#include "mtproto/api/messages/Chats.h"
#include "mtproto/api/messages/DiscussionMessage.h"
#include "mtproto/api/messages/Messages.h"
#include "mtproto/api/storage/FileType.h"
#include "mtproto/api/updates/State.h"
#include "mtproto/api/upload/CdnFile.h"
#include "mtproto/api/upload/File.h"
#include "mtproto/testdc/l144/Config.h"
#include "mtproto/testdc/l144/User.h"
#include "mtproto/testdc/l144/auth/Authorization.h"
#include "mtproto/testdc/l144/contacts/ResolvedPeer.h"
#include "mtproto/testdc/l144/messages/Chats.h"
#include "mtproto/testdc/l144/messages/DiscussionMessage.h"
#include "mtproto/testdc/l144/messages/Messages.h"
#include "mtproto/testdc/l198/Config.h"
#include "mtproto/testdc/l198/User.h"
#include "mtproto/testdc/l198/auth/Authorization.h"
#include "mtproto/testdc/l198/contacts/ResolvedPeer.h"
#include "mtproto/testdc/l198/messages/Chats.h"
#include "mtproto/testdc/l198/messages/DiscussionMessage.h"
#include "mtproto/testdc/l198/messages/Messages.h"
#include "mtproto/testdc/layer_history.h"
#include "mtproto/testdc/layer_objects.h"
#include "mtproto/testdc/layer_writer.h"
#include "mtproto/tl/reader.h"

using namespace mtproto;
using namespace mtproto::testdc;

namespace {

std::vector<std::uint8_t> bytes_of(const layer_schema& s, const tl_object& o) {
  std::vector<std::uint8_t> out;
  tl::writer w(out);
  s.write(w, o);
  return out;
}

std::vector<std::uint8_t> expected(std::initializer_list<std::uint32_t> words) {
  std::vector<std::uint8_t> out;
  tl::writer w(out);
  for (auto v : words) w.write_uint(v);
  return out;
}

// What the model holds for the answers below: every kind of object the emulator writes.
struct sample {
  account bot, person;
  channel_info channel, forum;
  message_batch batch;

  sample() {
    bot.id = 10;
    bot.access_hash = 11;
    bot.bot = true;
    bot.first_name = "bot";
    bot.username = "testbot";
    person.id = 12;
    person.access_hash = 13;
    person.first_name = "user";
    person.phone = "15550001";
    channel.id = 20;
    channel.access_hash = 21;
    channel.title = "files";
    channel.username = "files";
    channel.date = 5;
    channel.has_link = true;
    forum.id = 22;
    forum.access_hash = 23;
    forum.title = "forum";
    forum.date = 6;
    forum.broadcast = false;
    forum.forum = true;
    batch.peer = forum;
    batch.other_chats = {channel};
    batch.users = {bot, person};
    batch.self_id = bot.id;
    channel_post doc;
    doc.id = 1;
    doc.date = 7;
    doc.text = "hello";
    doc.from_user_id = person.id;
    doc.grouped_id = 99;
    doc.document.id = 30;
    doc.document.access_hash = 31;
    doc.document.file_reference = {1, 2, 3};
    doc.document.date = 7;
    doc.document.mime_type = "video/mp4";
    doc.document.size = 3'000'000'000;
    doc.document.dc_id = 2;
    doc.document.file_name = "a.mp4";
    doc.reply_to = reply_header{4, 4, true};
    doc.comments = comments_info{22, 3, 9};
    doc.forwarded = forward_header{20, 1, 7};
    batch.messages.push_back(doc);
    channel_post photo;
    photo.id = 2;
    photo.date = 8;
    photo.media = media_kind::photo;
    photo.photo.id = 40;
    photo.photo.access_hash = 41;
    photo.photo.file_reference = {9};
    photo.photo.date = 8;
    photo.photo.dc_id = 1;
    photo.photo.sizes.push_back({"m", 320, 240, 5000});
    batch.messages.push_back(photo);
    channel_post deleted;
    deleted.id = 3;
    deleted.deleted = true;
    batch.messages.push_back(deleted);
    channel_post topic;
    topic.id = 4;
    topic.date = 9;
    topic.media = media_kind::none;
    topic.topic = topic_created{"t", 7};
    batch.messages.push_back(topic);
  }
};

template <class Boxed>
void round_trips(const std::vector<std::uint8_t>& written) {
  tl::reader r(written);
  const auto decoded = Boxed::read(r);
  CHECK(r.at_end());
  std::vector<std::uint8_t> again;
  tl::writer w(again);
  decoded.write(w);
  CHECK(again == written);
}

std::vector<std::uint8_t> write_with(std::int32_t layer, auto&& call) {
  const auto* writer = layer_writer_for(layer).writer;
  REQUIRE(writer);
  std::vector<std::uint8_t> out;
  tl::writer w(out);
  call(*writer, w);
  return out;
}

// Writes every answer of the sample in `layer` and checks that the layer's generated types read
// each completely and write the same bytes back.
template <class Config, class User, class Authorization, class Resolved, class Messages, class Chats, class Discussion>
void check_layer_round_trip(std::int32_t layer) {
  INFO("layer " << layer);
  const sample s;
  config_info config;
  config.dcs = {{1, "127.0.0.1", 4430, false}, {2, "::1", 4431, true}};
  config.this_dc = 1;
  config.date = 100;
  config.expires = 200;
  round_trips<Config>(write_with(layer, [&](auto& wr, auto& w) { wr.config(w, config); }));
  {
    const std::vector<account> both{s.bot, s.person};
    const auto written = write_with(layer, [&](auto& wr, auto& w) { wr.users(w, both, s.bot.id); });
    tl::reader r(written);
    CHECK(r.read_uint() == 0x1cb5c415);
    CHECK(r.read_int() == 2);
    std::vector<std::uint8_t> again;
    tl::writer w(again);
    w.write_vector_header(2);
    for (int i = 0; i < 2; ++i) User::read(r).write(w);
    CHECK(r.at_end());
    CHECK(again == written);
  }
  round_trips<Authorization>(write_with(layer, [&](auto& wr, auto& w) { wr.authorization(w, s.person); }));
  round_trips<Resolved>(write_with(layer, [&](auto& wr, auto& w) { wr.resolved_channel(w, s.channel); }));
  round_trips<Messages>(write_with(layer, [&](auto& wr, auto& w) { wr.channel_messages(w, s.batch); }));
  round_trips<Messages>(write_with(layer, [&](auto& wr, auto& w) { wr.messages(w, s.batch); }));
  const std::vector<channel_info> chats{s.channel, s.forum};
  round_trips<Chats>(write_with(layer, [&](auto& wr, auto& w) { wr.chats(w, chats); }));
  round_trips<Discussion>(write_with(layer, [&](auto& wr, auto& w) { wr.discussion_message(w, s.batch, 9); }));
}

}  // namespace

TEST_CASE("layer schema: flags from the fields present, shared bits, TL zero values") {
  layer_schema s(1);
  s.add("peerUser#59511722 user_id:long = Peer;");
  s.add("thing#11223344 flags:# a:flags.0?true b:flags.1?int c:flags.1?string n:int v:Vector<Peer> p:Peer = Thing;");
  // b set: bit 1, and c (sharing bit 1) is written as "" since the bit is on.
  auto o = tl_object("thing").set("a", false).set("b", 7).set("p", tl_object("peerUser").set("user_id", std::int64_t{5}));
  CHECK(bytes_of(s, o) == expected({0x11223344, 0b10, 7, 0 /* "" */, 0 /* n */, 0x1cb5c415, 0, 0x59511722, 5, 0}));
  o.set("a", true).set("v", std::vector<tl_value>{tl_object("peerUser").set("user_id", std::int64_t{1})});
  CHECK(bytes_of(s, o) == expected({0x11223344, 0b11, 7, 0, 0, 0x1cb5c415, 1, 0x59511722, 1, 0, 0x59511722, 5, 0}));
  CHECK(s.dropped_fields(tl_object("thing").set("zzz", 1)) == std::vector<std::string>{"thing.zzz"});
}

TEST_CASE("layer schema: what a layer cannot express is refused, never guessed") {
  layer_schema s(1);
  s.add("peerUser#59511722 user_id:long = Peer;");
  s.add("chatPhotoEmpty#37c1011c = ChatPhoto;");
  s.add("box#1 n:int p:Peer = Box;");
  CHECK_THROWS_AS(bytes_of(s, tl_object("missing")), schema_error);
  CHECK_THROWS_AS(bytes_of(s, tl_object("box").set("n", std::int64_t{1} << 40).set("p", tl_object("peerUser"))), schema_error);
  CHECK_THROWS_AS(bytes_of(s, tl_object("box").set("n", "text").set("p", tl_object("peerUser"))), schema_error);
  CHECK_THROWS_AS(bytes_of(s, tl_object("box")), schema_error);                                      // p unset
  CHECK_THROWS_AS(bytes_of(s, tl_object("box").set("p", tl_object("chatPhotoEmpty"))), schema_error);  // wrong type
  s.add("  padded#3 = T;");  // leading spaces are not part of the name (the fuzz harness assumed so)
  CHECK(s.has("padded"));
  for (const char* bad : {"", "x = Y;", "name#zz = T;", "n#1 a:flags.0?int = T;", "n#1 f:# a:f.40?int = T;", "n#1 a: = T;",
                          "n#1 a:auth. = T;", "n#1 a:int = auth.;", "n#1 f:# a:f.0?. = T;"}) {
    INFO(bad);
    CHECK_THROWS_AS(s.add(bad), schema_error);
  }
}

TEST_CASE("layer history: malformed text is refused with schema_error") {
  // ": def" with no layers was an empty vector's front() (found by fuzz_testdc_layer_schema).
  for (const char* bad : {"\n: \xff\xff \xff\xff\xff\xff\xff", ": peerUser#59511722 user_id:long = Peer;",
                          "144 peerUser#59511722 user_id:long = Peer;", "x: peerUser#59511722 user_id:long = Peer;",
                          "144  145: peerUser#59511722 user_id:long = Peer;", "144: peerUser user_id:long = Peer;", ""}) {
    INFO(bad);
    CHECK_THROWS_AS(layer_history(bad), schema_error);
  }
  const layer_history one("144 198: peerUser#59511722 user_id:long = Peer;\n");
  CHECK(one.known_layers() == std::vector<std::int32_t>{144, 198});
  CHECK(one.resolve(170).schema.has("peerUser"));
}

TEST_CASE("layer history: the known layers, each served by its own schema") {
  const auto& h = layer_history::builtin();
  const auto& known = h.known_layers();
  for (std::int32_t l : {144, 198, 214, 225, 227, 228}) CHECK(std::count(known.begin(), known.end(), l) == 1);
  for (auto l : known) {
    INFO("layer " << l);
    const auto& s = layer_writer_for(l);
    REQUIRE(s.writer);
    CHECK(s.writer->layer() == l);
    CHECK(h.resolve(l).unknown.empty());
  }
  CHECK(layer_writer_for(0).writer->layer() == layer_library);
  CHECK(layer_writer_for(known.back() + 5).writer->layer() == known.back());  // newer than all: the newest
  CHECK_FALSE(layer_writer_for(known.front() - 1).writer);
  CHECK_THROWS_AS(h.resolve(known.front() - 1), schema_error);
}

TEST_CASE("layer history: a layer between two known ones is served where they agree, refused where not") {
  int served = 0, refused = 0;
  for (std::int32_t l = layer_telethon_1_25; l <= layer_library; ++l) {
    const auto& s = layer_writer_for(l);
    INFO(s.reason);
    if (s.writer) {
      ++served;
    } else {
      ++refused;
      CHECK(s.reason.find("cannot be served") != std::string::npos);
      CHECK_FALSE(layer_history::builtin().resolve(l).unknown.empty());
    }
  }
  CHECK(served >= 37);  // the 30 known layers and those between two that agree
  CHECK(served + refused == layer_library - layer_telethon_1_25 + 1);
  // 178 lies between 177 and 179, which define every written object alike.
  REQUIRE(layer_writer_for(178).writer);
  CHECK(layer_writer_for(178).reason.find("177 and 179") != std::string::npos);
}

TEST_CASE("layer history: what the emulator writes with the library's types is the same in every known layer") {
  const std::vector<std::pair<const char*, std::uint32_t>> same_everywhere = {
      {"upload.file", api::upload::file::constructor_id},
      {"upload.cdnFile", api::upload::cdnFile::constructor_id},
      {"upload.fileCdnRedirect", api::upload::fileCdnRedirect::constructor_id},
      {"upload.cdnFileReuploadNeeded", api::upload::cdnFileReuploadNeeded::constructor_id},
      {"storage.filePartial", api::storage::filePartial::constructor_id},
      {"fileHash", api::fileHash::constructor_id},
      {"cdnConfig", api::cdnConfig::constructor_id},
      {"cdnPublicKey", api::cdnPublicKey::constructor_id},
      {"nearestDc", api::nearestDc::constructor_id},
      {"updates.state", api::updates::state::constructor_id},
      {"auth.sentCode", api::auth::sentCode::constructor_id},
      {"auth.sentCodeTypeApp", api::auth::sentCodeTypeApp::constructor_id},
      {"auth.exportedAuthorization", api::auth::exportedAuthorization::constructor_id},
  };
  const auto& h = layer_history::builtin();
  for (auto l : h.known_layers()) {
    const auto resolved = h.resolve(l);
    for (const auto& [name, id] : same_everywhere) {
      INFO("layer " << l << ": " << name);
      const auto* c = resolved.schema.find(name);
      REQUIRE(c);
      CHECK(c->id == id);
    }
  }
}

TEST_CASE("layer history: every request the emulator reads has one form in all known layers, or is read in each") {
  // Requests whose older forms the handler reads too (api_handler.cpp, api_chats.cpp).
  const std::set<std::uint32_t> older_forms_read = {0xf93ccba3 /* contacts.resolveUsername */, 0xbcd51581 /* auth.signIn */};
  const std::vector<std::pair<const char*, std::uint32_t>> requests = {
      {"auth.sendCode", api::auth::sendCode::constructor_id},
      {"auth.signIn", api::auth::signIn::constructor_id},
      {"auth.checkPassword", api::auth::checkPassword::constructor_id},
      {"auth.importBotAuthorization", api::auth::importBotAuthorization::constructor_id},
      {"auth.exportAuthorization", api::auth::exportAuthorization::constructor_id},
      {"auth.importAuthorization", api::auth::importAuthorization::constructor_id},
      {"auth.bindTempAuthKey", api::auth::bindTempAuthKey::constructor_id},
      {"help.getConfig", api::help::getConfig::constructor_id},
      {"users.getUsers", api::users::getUsers::constructor_id},
      {"contacts.resolveUsername", api::contacts::resolveUsername::constructor_id},
      {"channels.getChannels", api::channels::getChannels::constructor_id},
      {"channels.getMessages", api::channels::getMessages::constructor_id},
      {"messages.getMessages", api::messages::getMessages::constructor_id},
      {"upload.getFile", api::upload::getFile::constructor_id},
  };
  const auto& h = layer_history::builtin();
  for (const auto& [name, id] : requests) {
    const auto ids = h.function_ids(name);
    CHECK(ids.size() == h.known_layers().size());
    for (const auto& [layer, layer_id] : ids) {
      INFO(name << " in layer " << layer);
      CHECK((layer_id == id || older_forms_read.count(layer_id) == 1));
    }
  }
}

TEST_CASE("layer writer: every field the builders set exists in some known layer") {
  const sample s;
  const auto& h = layer_history::builtin();
  std::vector<tl_object> built = {objects::user(s.bot, true), objects::user(s.person, false), objects::channel(s.channel),
                                  objects::channel(s.forum)};
  const objects::password_algo algo{"a", "b", 3, "p"};
  const objects::srp_offer offer{algo, "B", 1};
  built.push_back(objects::account_password(algo, "s", "r", &offer));
  for (const auto& post : s.batch.messages) built.push_back(objects::message(h.resolve(layer_library).schema, s.forum, post));
  for (const auto& o : built) {
    INFO(o.constructor);
    std::optional<std::set<std::string>> everywhere;  // dropped by every known layer: a misspelt field
    for (auto l : h.known_layers()) {
      const auto d = h.resolve(l).schema.dropped_fields(o);
      std::set<std::string> here(d.begin(), d.end());
      if (everywhere) {
        std::set<std::string> both;
        std::set_intersection(everywhere->begin(), everywhere->end(), here.begin(), here.end(),
                              std::inserter(both, both.end()));
        here = std::move(both);
      }
      everywhere = std::move(here);
    }
    CHECK(everywhere->empty());
  }
  // The newest layer has every field the builders set but the old Config limits.
  const auto newest = h.resolve(layer_library).schema;
  for (const auto& o : built) CHECK(newest.dropped_fields(o).empty());
}

TEST_CASE("layer writer: layers 144, 198 and 228 decode completely and re-encode byte for byte") {
  check_layer_round_trip<l144::Config, l144::User, l144::auth::Authorization, l144::contacts::ResolvedPeer, l144::messages::Messages,
                         l144::messages::Chats, l144::messages::DiscussionMessage>(144);
  check_layer_round_trip<l198::Config, l198::User, l198::auth::Authorization, l198::contacts::ResolvedPeer, l198::messages::Messages,
                         l198::messages::Chats, l198::messages::DiscussionMessage>(198);
  check_layer_round_trip<api::Config, api::User, api::auth::Authorization, api::contacts::ResolvedPeer, api::messages::Messages,
                         api::messages::Chats, api::messages::DiscussionMessage>(layer_library);
}
