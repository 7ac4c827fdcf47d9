#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "mtproto/testdc/ready_file.h"
#include "mtproto/testdc/ready_from_catalog.h"

using namespace mtproto::testdc;
using nlohmann::json;

namespace {

std::set<std::string> keys_of(const json& object) {
  std::set<std::string> keys;
  for (const auto& [key, value] : object.items()) keys.insert(key);
  return keys;
}

sha256_bytes digest(std::uint8_t fill) {
  sha256_bytes d;
  d.fill(fill);
  return d;
}

ready_info info_for(const catalog& c) {
  ready_info info{{{1, "127.0.0.1", 20001}, {2, "127.0.0.1", 20002}},
                  "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n",
                  static_cast<std::int64_t>(0xa7fc51d400179a17ull),
                  {}};
  for (const auto& f : c.files()) info.file_sha256.push_back(f.content.sha256());
  return info;
}

/// Every field set, every optional present, every kind of media, strings JSON must escape.
ready_file full_sample() {
  ready_file r;
  r.dcs = {{1, "127.0.0.1", 20001, false}, {2, "::1", 65535, true}, {203, "dc.example", 1, false}};
  r.rsa_public_key_pem = "-----BEGIN RSA PUBLIC KEY-----\nMIIB\n-----END RSA PUBLIC KEY-----\n";
  r.rsa_fingerprint = 0xfedcba9876543210ull;
  r.bot_token = "123456:\"quoted\"\\back\tslash";
  r.channel = "testdc_files";
  r.files = {{"a.bin", "https://t.me/testdc_files/10", 10, std::numeric_limits<std::int64_t>::max(),
              std::numeric_limits<std::int64_t>::min(), {0x02, 0x00, 0xff}, 0, 1, false, digest(0xab)},
             {"ünïcødé \u00e9 \U0001F600 \x01", "https://t.me/testdc_files/11", std::numeric_limits<std::int32_t>::max(),
              -1, 1, {}, std::numeric_limits<std::int64_t>::max(), 2, true, digest(0x01)}};
  ready_message album;
  album.kind = "album";
  album.link = "https://t.me/testdc_files/20";
  album.channel_id = 1000000001;
  album.channel_access_hash = -5;
  album.channel_username = "testdc_files";
  album.message_id = 20;
  album.text = "line one\nline two";
  album.grouped_id = -7;
  album.media = ready_message_document{"item.bin", 77, -77, {1, 2, 3}, 4096, 2, digest(0x77)};
  ready_message photo;
  photo.kind = "photo";
  photo.link = "https://t.me/c/1000000002/5";
  photo.channel_id = 1000000002;
  photo.channel_access_hash = 9;
  photo.message_id = 5;
  photo.topic_id = 3;
  photo.media = ready_message_photo{88, 99, {}, 1, {{"s", 90, 60, 1000, digest(1)}, {"y", 1280, 853, 200000, digest(2)}}};
  ready_message comment;
  comment.kind = "comment";
  comment.link = "https://t.me/testdc_files/30?comment=4";
  comment.channel_id = 1;
  comment.message_id = 30;
  comment.discussion = ready_discussion{1000000003, -3, 2, 4};
  r.messages = std::vector<ready_message>{album, photo, comment};
  return r;
}

/// The sample's JSON as a tree, for tests that break one value.
json sample_tree() { return json::parse(to_json(full_sample())); }

/// `text` is refused with a ready_file_error naming `key` and saying `problem`.
void check_rejected(const std::string& text, const std::string& key, const std::string& problem) {
  INFO("input: " << text.substr(0, 200));
  try {
    (void)ready_file_from_json(text);
    FAIL("accepted");
  } catch (const ready_file_error& e) {
    CHECK(e.key() == key);
    CHECK_THAT(e.what(), Catch::Contains(problem));
    if (!key.empty()) CHECK_THAT(e.what(), Catch::Contains(key + ": "));
  }
}

template <class F>
void check_rejected_edit(F&& edit, const std::string& key, const std::string& problem) {
  json j = sample_tree();
  edit(j);
  check_rejected(j.dump(), key, problem);
}

struct temp_dir {
  std::filesystem::path path =
      std::filesystem::temp_directory_path() / ("testdc-ready-" + std::to_string(::getpid()));
  temp_dir() { std::filesystem::create_directories(path); }
  ~temp_dir() { std::filesystem::remove_all(path); }
};

}  // namespace

TEST_CASE("ready file: the emulator writes exactly the keys of the issue, link and reference consistent") {
  const std::vector<file_spec> files{{"a.bin", 1000, 1, false}, {"b.bin", 2000, 2, true}};
  const catalog c(5, files);
  const auto text = to_json(make_ready_file(info_for(c), c));
  const auto j = json::parse(text);

  CHECK(keys_of(j) == std::set<std::string>{"dcs", "rsa_public_key_pem", "rsa_fingerprint", "bot_token", "channel", "files"});
  REQUIRE(j["dcs"].size() == 2);
  for (const auto& dc : j["dcs"]) CHECK(keys_of(dc) == std::set<std::string>{"id", "host", "port"});
  REQUIRE(j["files"].size() == 2);
  for (const auto& f : j["files"])
    CHECK(keys_of(f) == std::set<std::string>{"name", "link", "message_id", "document_id", "access_hash",
                                              "file_reference_hex", "size", "dc", "cdn", "sha256"});
  CHECK(j["dcs"][1] == json{{"id", 2}, {"host", "127.0.0.1"}, {"port", 20002}});
  CHECK(j["rsa_fingerprint"] == "0xa7fc51d400179a17");
  CHECK(j["rsa_public_key_pem"] == "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n");
  CHECK(text.find("\\nAAAA\\n") != std::string::npos);  // newlines escaped
  CHECK(j["bot_token"] == c.bot_token());
  CHECK(j["channel"] == "testdc_files");
  CHECK(j["files"][0]["link"] == "https://t.me/testdc_files/10");
  CHECK(j["files"][0]["message_id"] == 10);
  CHECK(j["files"][0]["cdn"] == false);
  CHECK(j["files"][1]["cdn"] == true);
  CHECK(j["files"][1]["dc"] == 2);
  CHECK(j["files"][1]["size"] == 2000);
  CHECK(j["files"][0]["document_id"] == c.files()[0].post.document.id);
  CHECK(j["files"][0]["access_hash"] == c.files()[0].post.document.access_hash);
  CHECK(j["files"][0]["file_reference_hex"] == to_hex(c.files()[0].post.document.file_reference));
  CHECK(j["files"][1]["sha256"] == to_hex(c.files()[1].content.sha256()));
  // The contract's order, for people reading the file.
  CHECK(text.find("\"dcs\"") < text.find("\"rsa_public_key_pem\""));
  CHECK(text.find("\"channel\"") < text.find("\"files\""));

  // And the reader takes it back.
  const auto back = ready_file_from_json(text);
  CHECK(back == make_ready_file(info_for(c), c));
  CHECK(back.rsa_fingerprint == 0xa7fc51d400179a17ull);
  CHECK_FALSE(back.messages);
}

TEST_CASE("ready file: one digest per file, or no ready file") {
  const std::vector<file_spec> files{{"a.bin", 1000, 1, false}};
  const catalog c(5, files);
  auto info = info_for(c);
  info.file_sha256.clear();
  CHECK_THROWS_AS(make_ready_file(info, c), std::invalid_argument);
}

TEST_CASE("ready file: written atomically, no temporary left behind") {
  const temp_dir dir;
  const auto path = (dir.path / "ready.json").string();
  write_file_atomically(path, "{\"x\": 1}\n");
  write_file_atomically(path, "{\"y\": 2}\n");
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  CHECK(s.str() == "{\"y\": 2}\n");
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  CHECK_THROWS(write_file_atomically((dir.path / "missing" / "ready.json").string(), "x"));
  CHECK_THROWS_AS(write_ready_file((dir.path / "missing" / "ready.json").string(), full_sample()), std::system_error);

  write_ready_file(path, full_sample());
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  CHECK(read_ready_file(path) == full_sample());
}

TEST_CASE("ready file: --ready-messages adds the link fixtures, each with its link and digests") {
  const std::vector<file_spec> files{{"a.bin", 1000, 1, false}};
  const catalog c(5, files);
  auto info = info_for(c);
  CHECK(to_json(make_ready_file(info, c)).find("\"messages\"") == std::string::npos);  // the issue's keys only
  info.describe_messages = true;
  const auto text = to_json(make_ready_file(info, c));
  // The existing keys stay, in their order, before the new one.
  REQUIRE(text.find("\"messages\"") != std::string::npos);
  CHECK(text.find("\"files\"") < text.find("\"messages\""));

  const auto r = ready_file_from_json(text);
  REQUIRE(r.messages);
  const auto& messages = *r.messages;
  REQUIRE(messages.size() == c.link_fixtures().size());
  std::map<std::string, int> kinds;
  for (std::size_t i = 0; i < messages.size(); ++i) {
    ++kinds[messages[i].kind];
    CHECK(messages[i].link == c.link_fixtures()[i].link);
    CHECK(messages[i].message_id == c.link_fixtures()[i].message_id);
  }
  const std::map<std::string, int> expected{{"album", 3}, {"photo", 1}, {"text", 1}, {"deleted", 1},
                                            {"private", 1}, {"topic", 1}, {"comment", 1}};
  CHECK(kinds == expected);

  // Ids a test needs without hard-coding them, and the digests of every downloadable byte.
  const auto find = [&](std::string_view kind) {
    for (const auto& m : messages)
      if (m.kind == kind) return m;
    FAIL("no " << kind);
    return ready_message{};
  };
  CHECK(find("album").grouped_id == c.link_fixtures().front().grouped_id);
  CHECK(find("private").channel_id == c.private_channel().id);
  CHECK(find("private").channel_username.empty());
  CHECK(find("topic").topic_id.value_or(0) > 0);
  const auto comment = find("comment");
  REQUIRE(comment.discussion);
  CHECK(comment.discussion->id == c.discussion_group().id);
  CHECK(comment.discussion->access_hash == c.discussion_group().access_hash);
  CHECK(comment.discussion->comment_id > 0);
  CHECK(std::holds_alternative<std::monostate>(find("text").media));
  CHECK_FALSE(find("text").text.empty());

  std::set<std::string> digests;
  for (const auto& m : messages) {
    if (const auto* d = std::get_if<ready_message_document>(&m.media)) digests.insert(to_hex(d->sha256));
    if (const auto* p = std::get_if<ready_message_photo>(&m.media))
      for (const auto& s : p->sizes) digests.insert(to_hex(s.sha256));
  }
  for (const auto& p : c.photos())
    for (const auto& content : p.contents) CHECK(digests.count(to_hex(content.sha256())) == 1);
  for (const auto& f : c.media_files()) CHECK(digests.count(to_hex(f.content.sha256())) == 1);
  const auto photo = std::get<ready_message_photo>(find("photo").media);
  REQUIRE_FALSE(photo.sizes.empty());
  CHECK(photo.sizes.front().type == "s");

  // The JSON keys the Python tests read, media keys in the message entry itself.
  const auto j = json::parse(text);
  std::set<std::string> media;
  for (const auto& m : j["messages"]) {
    media.insert(m["media"].get<std::string>());
    if (m["media"] == "document") CHECK(m.contains("document_id"));
    if (m["media"] == "photo") CHECK(m["sizes"][0].contains("sha256"));
    if (m["kind"] == "comment")
      for (const char* k : {"discussion_id", "discussion_access_hash", "root_id", "comment_id"}) CHECK(m.contains(k));
  }
  CHECK(media == std::set<std::string>{"none", "document", "photo"});
}

TEST_CASE("ready file: a fully populated struct survives a round trip") {
  const auto sample = full_sample();
  const auto text = to_json(sample);
  CHECK(ready_file_from_json(text) == sample);
  CHECK(to_json(ready_file_from_json(text)) == text);
  // A DC's cdn key is written only when true (the interop clients refuse keys they do not know).
  const auto j = json::parse(text);
  CHECK_FALSE(j["dcs"][0].contains("cdn"));
  CHECK(j["dcs"][1]["cdn"] == true);
  CHECK(j["files"][0]["file_reference_hex"] == "0200ff");
  CHECK(j["messages"][2]["media"] == "none");
  CHECK_FALSE(j["messages"][2].contains("grouped_id"));

  // What a client takes from it.
  const auto config = dc_config_from_json(text);
  CHECK(config.dcs == sample.dcs);
  CHECK(config.rsa_public_key_pem == sample.rsa_public_key_pem);
}

TEST_CASE("ready file: the interop clients' example file reads") {
  const auto r = read_ready_file(MTPROTO_INTEROP_FIXTURES_DIR "/ready.example.json");
  CHECK(r.dcs.size() == 2);
  CHECK(r.rsa_fingerprint == 0x085eef4cc04ac5feull);
  REQUIRE(r.files.size() >= 3);
  CHECK(r.files[0].document_id == 5345678901234567890);
  CHECK(r.files[0].access_hash == -7234567890123456789);
  CHECK(r.files[2].file_reference.empty());
}

TEST_CASE("ready file: unknown keys are ignored") {
  json j = sample_tree();
  j["unexpected"] = {{"nested", json::array({1, 2})}};
  j["dcs"][0]["weight"] = 3;
  j["files"][1]["mime_type"] = "application/octet-stream";
  j["messages"][1]["sizes"][0]["progressive"] = json::array();
  CHECK(ready_file_from_json(j.dump()) == full_sample());
}

TEST_CASE("ready file: malformed documents are refused, naming the key") {
  SECTION("not JSON, or not an object") {
    check_rejected("", "", "not JSON");
    check_rejected("{", "", "not JSON");
    check_rejected("{\"dcs\": [}", "", "not JSON");
    check_rejected(to_json(full_sample()) + "x", "", "not JSON");
    check_rejected("\"\xff\"", "", "not JSON");  // not UTF-8
    check_rejected("[]", "", "expected an object, got array");
    check_rejected("null", "", "expected an object, got null");
  }
  SECTION("too large or too deep") {
    check_rejected(std::string(max_ready_file_bytes + 1, ' '), "", "bytes");
    check_rejected(std::string(100000, '[') + std::string(100000, ']'), "", "nested deeper than");
    check_rejected("{\"dcs\": " + std::string(40, '[') + std::string(40, ']') + "}", "", "nested deeper than");
  }
  SECTION("missing keys") {
    for (const char* key : {"dcs", "rsa_public_key_pem", "rsa_fingerprint", "bot_token", "channel", "files"})
      check_rejected_edit([&](json& j) { j.erase(key); }, key, "missing");
    check_rejected_edit([](json& j) { j["dcs"][1].erase("host"); }, "dcs[1].host", "missing");
    check_rejected_edit([](json& j) { j["files"][0].erase("sha256"); }, "files[0].sha256", "missing");
    check_rejected_edit([](json& j) { j["messages"][0].erase("media"); }, "messages[0].media", "missing");
    check_rejected_edit([](json& j) { j["messages"][0].erase("document_id"); }, "messages[0].document_id", "missing");
    check_rejected_edit([](json& j) { j["messages"][1].erase("sizes"); }, "messages[1].sizes", "missing");
    // A comment's four keys come together.
    check_rejected_edit([](json& j) { j["messages"][2].erase("root_id"); }, "messages[2].root_id", "missing");
  }
  SECTION("wrong types") {
    check_rejected_edit([](json& j) { j["dcs"] = json::object(); }, "dcs", "expected a list, got object");
    check_rejected_edit([](json& j) { j["dcs"][0] = 1; }, "dcs[0]", "expected an object, got an integer");
    check_rejected_edit([](json& j) { j["dcs"][0]["port"] = "20001"; }, "dcs[0].port", "expected an integer, got string");
    check_rejected_edit([](json& j) { j["dcs"][0]["id"] = 1.5; }, "dcs[0].id", "expected an integer, got a non-integer");
    check_rejected_edit([](json& j) { j["dcs"][0]["cdn"] = 1; }, "dcs[0].cdn", "expected true or false");
    check_rejected_edit([](json& j) { j["rsa_public_key_pem"] = nullptr; }, "rsa_public_key_pem", "expected a string, got null");
    check_rejected_edit([](json& j) { j["rsa_fingerprint"] = 123; }, "rsa_fingerprint", "expected a string");
    check_rejected_edit([](json& j) { j["files"][1]["cdn"] = "false"; }, "files[1].cdn", "expected true or false");
    check_rejected_edit([](json& j) { j["files"][0]["size"] = 1e30; }, "files[0].size", "non-integer");
    check_rejected_edit([](json& j) { j["messages"] = nullptr; }, "messages", "expected a list, got null");
    check_rejected_edit([](json& j) { j["messages"][0]["grouped_id"] = "7"; }, "messages[0].grouped_id", "expected an integer");
    check_rejected_edit([](json& j) { j["messages"][1]["sizes"] = "s"; }, "messages[1].sizes", "expected a list");
  }
  SECTION("values out of range") {
    check_rejected_edit([](json& j) { j["dcs"] = json::array(); }, "dcs", "lists no DC");
    check_rejected_edit([](json& j) { j["dcs"][0]["port"] = 65536; }, "dcs[0].port", "out of range");
    check_rejected_edit([](json& j) { j["dcs"][0]["port"] = 0; }, "dcs[0].port", "out of range");
    check_rejected_edit([](json& j) { j["dcs"][0]["id"] = -1; }, "dcs[0].id", "out of range");
    check_rejected_edit([](json& j) { j["dcs"][0]["id"] = 4294967297ull; }, "dcs[0].id", "out of range");
    check_rejected_edit([](json& j) { j["dcs"][1]["id"] = 1; }, "dcs[1].id", "listed twice");
    check_rejected_edit([](json& j) { j["dcs"][0]["host"] = ""; }, "dcs[0].host", "empty");
    check_rejected_edit([](json& j) { j["files"][0]["size"] = -1; }, "files[0].size", "out of range");
    check_rejected_edit([](json& j) { j["files"][0]["document_id"] = std::numeric_limits<std::uint64_t>::max(); },
                        "files[0].document_id", "out of range");
    check_rejected_edit([](json& j) { j["files"][0]["message_id"] = 0; }, "files[0].message_id", "out of range");
    check_rejected_edit([](json& j) { j["messages"][1]["sizes"][1]["w"] = -1; }, "messages[1].sizes[1].w", "out of range");
    check_rejected_edit([](json& j) { j["messages"][0]["media"] = "video"; }, "messages[0].media", "\"video\"");
    // Beyond 64 bits nlohmann/json parses a float: not an integer either.
    json j = sample_tree();
    std::string text = j.dump();
    const std::string size = "\"size\":0";
    REQUIRE(text.find(size) != std::string::npos);
    text.replace(text.find(size), size.size(), "\"size\":99999999999999999999");
    check_rejected(text, "files[0].size", "expected an integer");
  }
  SECTION("hex and fingerprints") {
    check_rejected_edit([](json& j) { j["files"][0]["sha256"] = "abc"; }, "files[0].sha256", "odd number");
    check_rejected_edit([](json& j) { j["files"][0]["sha256"] = std::string(62, 'a'); }, "files[0].sha256",
                        "expected 64 hex digits, got 62");
    check_rejected_edit([](json& j) { j["files"][0]["sha256"] = std::string(64, 'z'); }, "files[0].sha256", "not hex");
    check_rejected_edit([](json& j) { j["files"][0]["file_reference_hex"] = "0g"; }, "files[0].file_reference_hex", "not hex");
    check_rejected_edit([](json& j) { j["messages"][1]["sizes"][0]["sha256"] = ""; }, "messages[1].sizes[0].sha256",
                        "expected 64 hex digits");
    for (const char* fp : {"", "0x", "0x12", "fedcba9876543210", "0xfedcba98765432100", "0xfedcba987654321g", "1xfedcba9876543210"})
      check_rejected_edit([&](json& j) { j["rsa_fingerprint"] = fp; }, "rsa_fingerprint", "16 hex digits");
    json upper = sample_tree();
    upper["rsa_fingerprint"] = "0xFEDCBA9876543210";
    CHECK(ready_file_from_json(upper.dump()).rsa_fingerprint == 0xfedcba9876543210ull);
  }
}

TEST_CASE("ready file: files are read with their path in the message") {
  const temp_dir dir;
  const auto missing = (dir.path / "missing.json").string();
  CHECK_THROWS_WITH(read_ready_file(missing), Catch::Contains(missing));
  CHECK_THROWS_AS(read_dc_config(missing), ready_file_error);

  const auto bad = (dir.path / "bad.json").string();
  json j = sample_tree();
  j["files"][0]["size"] = "big";
  std::ofstream(bad) << j.dump();
  try {
    (void)read_ready_file(bad);
    FAIL("accepted");
  } catch (const ready_file_error& e) {
    CHECK(e.key() == "files[0].size");
    CHECK(std::string(e.what()) == "ready file " + bad + ": files[0].size: expected an integer, got string");
  }

  const auto big = (dir.path / "big.json").string();
  std::ofstream(big) << std::string(max_ready_file_bytes + 10, ' ');
  CHECK_THROWS_WITH(read_ready_file(big), Catch::Contains("more than"));
}

TEST_CASE("ready file: a client's DC config needs only the DCs") {
  const auto c = dc_config_from_json(R"({"dcs": [{"id": 2, "host": "10.0.0.2", "port": 443, "cdn": false}]})");
  CHECK(c.dcs == std::vector<dc_endpoint>{{2, "10.0.0.2", 443, false}});
  CHECK(c.rsa_public_key_pem.empty());
  CHECK_THROWS_WITH(dc_config_from_json(R"({"rsa_public_key_pem": "PEM"})"), Catch::Contains("dcs: missing"));
  CHECK_THROWS_WITH(dc_config_from_json(R"({"dcs": [{"id": 2, "host": "h", "port": 99999}]})"),
                    Catch::Contains("dcs[0].port: "));
  CHECK_THROWS_WITH(dc_config_from_json(R"({"dcs": [{"id": 2, "host": "h", "port": 1}], "rsa_public_key_pem": 5})"),
                    Catch::Contains("rsa_public_key_pem: expected a string"));
}

TEST_CASE("ready file: a string that is not UTF-8 cannot be written") {
  auto r = full_sample();
  r.bot_token = "\xff\xfe";
  CHECK_THROWS_AS(to_json(r), std::invalid_argument);
}
