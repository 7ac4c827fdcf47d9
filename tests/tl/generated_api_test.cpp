// The generated API types as a library user meets them: designated initializers, typed results,
// generic functions (invokeWithLayer<initConnection<help::getConfig>>), boxed values with value
// semantics, flags computed from presence, error paths, and fmt output. Expected bytes are built
// by hand here, independently of tl::writer.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <type_traits>
#include <vector>

#include <fmt/format.h>

#include "mtproto/api/Document.h"
#include "mtproto/api/DocumentAttribute.h"
#include "mtproto/api/FileHash.h"
#include "mtproto/api/InputFileLocation.h"
#include "mtproto/api/Message.h"
#include "mtproto/api/MessageFwdHeader.h"
#include "mtproto/api/MessageMedia.h"
#include "mtproto/api/Peer.h"
#include "mtproto/api/fn/help/getConfig.h"
#include "mtproto/api/fn/initConnection.h"
#include "mtproto/api/fn/invokeWithLayer.h"
#include "mtproto/api/fn/upload/getFile.h"
#include "mtproto/api/fn/upload/getFileHashes.h"
#include "mtproto/api/registry.h"
#include "mtproto/api/storage/FileType.h"
#include "mtproto/api/upload/File.h"
#include "mtproto/tl/gzip.h"
#include "mtproto/tl/result.h"

namespace api = mtproto::api;
namespace tl = mtproto::tl;

namespace {

// Little-endian TL encoding written out by hand.
struct expected_bytes {
  std::vector<std::uint8_t> b;
  expected_bytes& u32(std::uint32_t v) {
    for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    return *this;
  }
  expected_bytes& i64(std::int64_t v) {
    for (int i = 0; i < 8; ++i) b.push_back(static_cast<std::uint8_t>(static_cast<std::uint64_t>(v) >> (8 * i)));
    return *this;
  }
  expected_bytes& str(const std::string& s) {  // short form only (< 254 bytes)
    b.push_back(static_cast<std::uint8_t>(s.size()));
    b.insert(b.end(), s.begin(), s.end());
    while (b.size() % 4) b.push_back(0);
    return *this;
  }
};

}  // namespace

TEST_CASE("functions name their result types") {
  STATIC_REQUIRE(std::is_same_v<api::upload::getFile::result_type, api::upload::File>);
  STATIC_REQUIRE(std::is_same_v<api::upload::getFileHashes::result_type, std::vector<api::FileHash>>);
  STATIC_REQUIRE(std::is_same_v<api::help::getConfig::result_type, api::Config>);
  using wrapped = api::invokeWithLayer<api::initConnection<api::help::getConfig>>;
  STATIC_REQUIRE(std::is_same_v<wrapped::result_type, api::Config>);
  STATIC_REQUIRE(api::upload::getFile::constructor_id == 0xbe5335be);
  STATIC_REQUIRE(api::upload::file::constructor_id == 0x096a18d5);
  STATIC_REQUIRE(api::layer == 228);
}

TEST_CASE("upload.getFile from designated initializers serializes as the schema says") {
  const api::upload::getFile req{
      .precise = true,
      .location = api::inputDocumentFileLocation{.id = 1, .access_hash = -2, .file_reference = {7, 8}, .thumb_size = ""},
      .offset = 1048576,
      .limit = 524288,
  };
  expected_bytes e;
  e.u32(0xbe5335be).u32(1u << 0);  // flags: precise
  e.u32(0xbad07584).i64(1).i64(-2);
  e.b.insert(e.b.end(), {2, 7, 8, 0});  // file_reference: bytes {7, 8}
  e.str("");
  e.i64(1048576).u32(524288);
  CHECK(tl::serialize(req) == e.b);

  tl::reader r(e.b);
  const auto back = api::upload::getFile::read(r);
  CHECK(r.at_end());
  CHECK(back == req);
  CHECK(back.precise);
  CHECK_FALSE(back.cdn_supported);
  REQUIRE(back.location.get_if<api::inputDocumentFileLocation>() != nullptr);
  CHECK(back.location.get_if<api::inputDocumentFileLocation>()->access_hash == -2);
}

TEST_CASE("invokeWithLayer<initConnection<help.getConfig>> serializes to the expected bytes") {
  const api::invokeWithLayer<api::initConnection<api::help::getConfig>> call{
      .layer = 228,
      .query = {.api_id = 12345,
                .device_model = "pc",
                .system_version = "linux",
                .app_version = "0.1",
                .system_lang_code = "en",
                .lang_pack = "",
                .lang_code = "en",
                .query = {}},
  };
  expected_bytes e;
  e.u32(0xda9b0d0d).u32(228);
  e.u32(0xc1cd5ea9).u32(0).u32(12345);
  e.str("pc").str("linux").str("0.1").str("en").str("").str("en");
  e.u32(0xc4f9186b);
  CHECK(tl::serialize(call) == e.b);
  CHECK(fmt::format("{}", call) ==
        "invokeWithLayer{layer: 228, query: initConnection{api_id: 12345, device_model: \"pc\", system_version: "
        "\"linux\", app_version: \"0.1\", system_lang_code: \"en\", lang_pack: \"\", lang_code: \"en\", query: "
        "help.getConfig{}}}");
}

TEST_CASE("a Vector result reads as std::vector") {
  expected_bytes e;
  e.u32(0x1cb5c415).u32(2);
  e.u32(0xf39b035c).i64(0).u32(131072).str("h1");
  e.u32(0xf39b035c).i64(131072).u32(131072).str("h2");
  tl::reader r(e.b);
  const auto hashes = api::upload::getFileHashes::read_result(r);
  REQUIRE(hashes.size() == 2);
  CHECK(hashes[1].get_if<api::fileHash>()->offset == 131072);
  std::vector<std::uint8_t> again;
  tl::writer w(again);
  api::upload::getFileHashes::write_result(w, hashes);
  CHECK(again == e.b);
}

TEST_CASE("boxed values: construction from constructors, deep copies, typed access") {
  STATIC_REQUIRE(std::is_constructible_v<api::upload::File, api::upload::file>);
  STATIC_REQUIRE_FALSE(std::is_constructible_v<api::upload::File, api::fileHash>);
  STATIC_REQUIRE(sizeof(api::Document) == 2 * sizeof(void*));

  api::upload::File f = api::upload::file{.type = api::storage::fileJpeg{}, .mtime = 5, .bytes = {1, 2, 3}};
  CHECK(f.has_value());
  CHECK(f.id() == api::upload::file::constructor_id);
  CHECK(f.name() == "upload.file");
  CHECK(f.is<api::upload::file>());
  CHECK_FALSE(f.is<api::upload::fileCdnRedirect>());
  api::upload::File copy = f;
  copy.get_if<api::upload::file>()->mtime = 6;
  CHECK(f.get_if<api::upload::file>()->mtime == 5);
  CHECK_FALSE(copy == f);
  api::upload::File moved = std::move(copy);
  CHECK(moved.get_if<api::upload::file>()->mtime == 6);

  api::Document empty;
  CHECK_FALSE(empty.has_value());
  std::vector<std::uint8_t> out;
  tl::writer w(out);
  CHECK_THROWS_AS(empty.write(w), std::logic_error);
  CHECK(fmt::format("{}", empty) == "<empty Document>");
}

TEST_CASE("fields sharing one flag bit are written together") {
  // message#7600b9d3 ... views:flags.10?int forwards:flags.10?int ...
  // (the field `message` is `message_`: C++ forbids a member named like its class)
  api::message m{.id = 1, .peer_id = api::peerUser{.user_id = 2}, .date = 3, .message_ = "hi"};
  m.views = 10;  // forwards left out: bit 10 is set, so forwards goes on the wire as 0
  auto copy_bytes = tl::serialize(api::Message(m));
  tl::reader r(copy_bytes);
  const auto back = api::Message::read(r);
  const auto* msg = back.get_if<api::message>();
  REQUIRE(msg != nullptr);
  CHECK(msg->views == 10);
  CHECK(msg->forwards == 0);
  // A boxed value cannot be made up: saved_from_peer shares flags.4 with saved_from_msg_id.
  const api::messageFwdHeader fwd{.date = 1, .saved_from_msg_id = 5};
  CHECK_THROWS_AS(tl::serialize(fwd), std::logic_error);
}

TEST_CASE("decode errors name the constructor and field where they happened") {
  const api::upload::File f = api::upload::file{.type = api::storage::fileJpeg{}, .mtime = 5, .bytes = {1, 2, 3, 4, 5}};
  const auto bytes = tl::serialize(f);
  tl::reader r(std::span<const std::uint8_t>(bytes).first(bytes.size() - 4));
  try {
    (void)api::upload::File::read(r);
    FAIL("truncated input accepted");
  } catch (const tl::decode_error& e) {
    CHECK(e.where() == "upload.file.bytes");
    CHECK(e.code() == tl::decode_errc::length_exceeds_input);
  }

  api::messageMediaDocument media{.document = api::document{.id = 1, .file_reference = {}, .mime_type = "video/mp4",
                                                            .attributes = {api::documentAttributeFilename{.file_name = "a.mp4"}}}};
  auto mb = tl::serialize(api::MessageMedia(media));
  mb.resize(mb.size() - 4);
  tl::reader r2(mb);
  try {
    (void)api::MessageMedia::read(r2);
    FAIL("truncated input accepted");
  } catch (const tl::decode_error& e) {
    CHECK(e.where() == "messageMediaDocument.document > document.attributes > documentAttributeFilename.file_name");
  }
}

TEST_CASE("the registry finds constructors by id") {
  const auto& s = api::schema();
  CHECK(s.find_constructor(0x096a18d5)->name == "upload.file");
  CHECK(s.find_function(0xbe5335be)->name == "upload.getFile");
  CHECK(s.find_constructor(0xbe5335be) == nullptr);
  CHECK(s.find_type("upload.File") != nullptr);
  CHECK(s.find_type("upload.Nothing") == nullptr);
}

TEST_CASE("tl::read_result unwraps gzip_packed answers") {
  const api::upload::File f = api::upload::file{.type = api::storage::fileJpeg{}, .mtime = 9, .bytes = {1, 2, 3}};
  const auto plain = tl::serialize(f);
  expected_bytes packed;
  packed.u32(0x3072cfa1);
  const auto z = tl::gzip(plain);
  tl::writer w(packed.b);
  w.write_bytes(z);
  tl::reader r(packed.b);
  CHECK(tl::read_result<api::upload::getFile>(r) == f);
  CHECK(r.at_end());
  tl::reader r2(plain);
  CHECK(tl::read_result<api::upload::getFile>(r2) == f);
  // Inflated bytes holding more than one answer are rejected.
  auto two = plain;
  two.insert(two.end(), plain.begin(), plain.end());
  expected_bytes bad;
  bad.u32(0x3072cfa1);
  tl::writer w2(bad.b);
  w2.write_bytes(tl::gzip(two));
  tl::reader r3(bad.b);
  CHECK_THROWS_AS(tl::read_result<api::upload::getFile>(r3), tl::decode_error);
}
