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
