#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "mtproto/client/session_store.h"

using namespace mtproto;
using namespace mtproto::client;
namespace fs = std::filesystem;

namespace {

stored_session sample() {
  stored_session s;
  s.home_dc = 2;
  s.user_id = 777000;
  s.is_bot = true;
  core::auth_key::bytes_type k{};
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(i * 7 + 1);
  s.dcs[2] = stored_dc{core::auth_key(k), 0x1234567890abcdef, std::chrono::seconds(-3600), true};
  k[0] ^= 0xff;
  s.dcs[4] = stored_dc{core::auth_key(k), -5, std::chrono::seconds(12), false};
  return s;
}

struct temp_dir {
  fs::path path;
  temp_dir() {
    path = fs::temp_directory_path() / ("mtproto-store-test-" + std::to_string(::getpid()) + "-" +
                                        std::to_string(reinterpret_cast<std::uintptr_t>(this)));
    fs::create_directories(path);
  }
  ~temp_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

void write_file(const fs::path& p, const std::string& bytes) {
  std::ofstream(p, std::ios::binary | std::ios::trunc) << bytes;
}

}  // namespace

TEST_CASE("session file: encode/decode round trip", "[store]") {
  auto s = sample();
  stored_session back;
  REQUIRE_FALSE(decode_session_file(encode_session_file(s), back));
  CHECK(back == s);
  CHECK(back.dcs.at(2).key.id() == s.dcs.at(2).key.id());
}

TEST_CASE("session file: every truncation and every flipped byte is refused", "[store]") {
  const auto bytes = encode_session_file(sample());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    stored_session out;
    auto ec = decode_session_file(std::string_view(bytes).substr(0, n), out);
    INFO("truncated to " << n);
    CHECK(ec);
    CHECK(ec.category() == store_category());
  }
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    auto corrupt = bytes;
    corrupt[i] = static_cast<char>(corrupt[i] ^ 0x01);
    stored_session out;
    INFO("flipped byte " << i);
    CHECK(decode_session_file(corrupt, out));
  }
}

TEST_CASE("session file: foreign, future-version and trailing-garbage files get distinct errors", "[store]") {
  stored_session out;
  CHECK(decode_session_file("{\"not\":\"ours\"}", out) == store_errc::not_a_session_file);
  auto bytes = encode_session_file(sample());
  auto future = bytes;
  future[8] = 9;
  CHECK(decode_session_file(future, out) == store_errc::unsupported_version);
  CHECK(decode_session_file(bytes.substr(0, bytes.size() - 1), out) == store_errc::truncated);
  CHECK(decode_session_file(bytes + "x", out) == store_errc::malformed);
}

TEST_CASE("file store: missing file is empty; save is atomic with 0600; load gives it back", "[store]") {
  temp_dir dir;
  file_session_store store(dir.path / "s.session");
  stored_session out = sample();
  REQUIRE_FALSE(store.load(out));
  CHECK(out == stored_session{});

  REQUIRE_FALSE(store.save(sample()));
  struct stat st{};
  REQUIRE(::stat((dir.path / "s.session").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  CHECK_FALSE(fs::exists(dir.path / "s.session.tmp"));
  REQUIRE_FALSE(store.load(out));
  CHECK(out == sample());

  // An existing file with loose permissions is tightened by the next save.
  ::chmod((dir.path / "s.session").c_str(), 0644);
  REQUIRE_FALSE(store.save(sample()));
  REQUIRE(::stat((dir.path / "s.session").c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("file store: corrupt or foreign files are refused, never reused", "[store]") {
  temp_dir dir;
  auto path = dir.path / "s.session";
  file_session_store store(path);
  stored_session out;
  write_file(path, encode_session_file(sample()).substr(0, 40));
  CHECK(store.load(out) == store_errc::truncated);
  write_file(path, "hello world, this is not a session file at all");
  CHECK(store.load(out) == store_errc::not_a_session_file);
  CHECK(out == stored_session{});  // untouched on failure
}

TEST_CASE("file store: unwritable directory is an error, not a silent loss", "[store]") {
  file_session_store store("/nonexistent-dir-for-mtproto-test/s.session");
  CHECK(store.save(sample()));
}
