#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include "mtproto/testdc/ready_file.h"

using namespace mtproto::testdc;

TEST_CASE("ready file: exactly the keys of the issue, link and reference consistent") {
  const std::vector<file_spec> files{{"a.bin", 1000, 1, false}, {"b.bin", 2000, 2, true}};
  catalog c(5, files);
  ready_info info{{{1, "127.0.0.1", 20001}, {2, "127.0.0.1", 20002}},
                  "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----\n",
                  static_cast<std::int64_t>(0xa7fc51d400179a17ull),
                  {std::string(64, 'a'), std::string(64, 'b')}};
  const auto json = ready_json(info, c);

  std::map<std::string, int> keys;
  const std::regex key_re("\"([a-z_0-9]+)\":");
  for (auto it = std::sregex_iterator(json.begin(), json.end(), key_re); it != std::sregex_iterator(); ++it)
    ++keys[(*it)[1]];
  const std::map<std::string, int> expected{
      {"dcs", 1}, {"id", 2}, {"host", 2}, {"port", 2}, {"rsa_public_key_pem", 1}, {"rsa_fingerprint", 1},
      {"bot_token", 1}, {"channel", 1}, {"files", 1}, {"name", 2}, {"link", 2}, {"message_id", 2},
      {"document_id", 2}, {"access_hash", 2}, {"file_reference_hex", 2}, {"size", 2}, {"dc", 2},
      {"cdn", 2}, {"sha256", 2}};
  CHECK(keys == expected);
  CHECK(json.find("\"rsa_fingerprint\": \"0xa7fc51d400179a17\"") != std::string::npos);
  CHECK(json.find("\\nAAAA\\n") != std::string::npos);  // newlines escaped
  CHECK(json.find("\"link\": \"https://t.me/testdc_files/10\"") != std::string::npos);
  CHECK(json.find("\"cdn\": true") != std::string::npos);
  CHECK(json.find("\"file_reference_hex\": \"" + to_hex(c.files()[0].post.document.file_reference) + "\"") !=
        std::string::npos);
}

TEST_CASE("ready file: written atomically, no temporary left behind") {
  const auto dir = std::filesystem::temp_directory_path() / ("testdc-ready-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  const auto path = (dir / "ready.json").string();
  write_file_atomically(path, "{\"x\": 1}\n");
  write_file_atomically(path, "{\"y\": 2}\n");
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  CHECK(s.str() == "{\"y\": 2}\n");
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  CHECK_THROWS(write_file_atomically((dir / "missing" / "ready.json").string(), "x"));
  std::filesystem::remove_all(dir);
}

TEST_CASE("ready file: --ready-messages adds the link fixtures, each with its link and digests") {
  const std::vector<file_spec> files{{"a.bin", 1000, 1, false}};
  catalog c(5, files);
  ready_info info{{{1, "127.0.0.1", 20001}}, "PEM", 1, {std::string(64, 'a')}};
  CHECK(ready_json(info, c).find("\"messages\"") == std::string::npos);  // the keys only
  info.describe_messages = true;
  const auto json = ready_json(info, c);
  REQUIRE(json.find("\"messages\": [") != std::string::npos);
  // The existing keys stay, in their order, before the new one.
  CHECK(json.find("\"files\": [") < json.find("\"messages\": ["));

  std::map<std::string, int> kinds;
  const std::regex kind_re("\"kind\": \"([a-z]+)\", \"link\": \"([^\"]+)\"");
  std::vector<std::string> links;
  for (auto it = std::sregex_iterator(json.begin(), json.end(), kind_re); it != std::sregex_iterator(); ++it) {
    ++kinds[(*it)[1]];
    links.push_back((*it)[2]);
  }
  const std::map<std::string, int> expected{{"album", 3}, {"photo", 1}, {"text", 1}, {"deleted", 1},
                                            {"private", 1}, {"topic", 1}, {"comment", 1}};
  CHECK(kinds == expected);
  REQUIRE(links.size() == c.link_fixtures().size());
  for (std::size_t i = 0; i < links.size(); ++i) CHECK(links[i] == c.link_fixtures()[i].link);

  // Ids a test needs without hard-coding them, and the digests of every downloadable byte.
  const auto& album = c.link_fixtures().front();
  CHECK(json.find("\"grouped_id\": " + std::to_string(album.grouped_id)) != std::string::npos);
  CHECK(json.find("\"channel_id\": " + std::to_string(c.private_channel().id)) != std::string::npos);
  CHECK(json.find("\"discussion_id\": " + std::to_string(c.discussion_group().id)) != std::string::npos);
  CHECK(json.find("\"topic_id\": ") != std::string::npos);
  CHECK(json.find("\"comment_id\": ") != std::string::npos);
  for (const auto& p : c.photos())
    for (const auto& content : p.contents) CHECK(json.find(to_hex(content.sha256())) != std::string::npos);
  for (const auto& f : c.media_files()) CHECK(json.find(to_hex(f.content.sha256())) != std::string::npos);
  CHECK(json.find("\"sizes\": [{\"type\": \"s\"") != std::string::npos);
  CHECK(json.find("\"media\": \"none\"") != std::string::npos);
}
