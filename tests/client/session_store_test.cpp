#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <iterator>

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
  // Nothing but the file itself is left in the directory.
  CHECK(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator{}) == 1);
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

namespace {

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

file_store_options with_passphrase(std::string pass) {
  file_store_options o;
  o.passphrase = std::move(pass);
  o.kdf.n = 1u << 10;  // cheap for tests; the default costs ~32 MiB and ~0.1 s once per process
  return o;
}

}  // namespace

TEST_CASE("file store: a symlink planted beside the file is neither followed nor reused", "[store]") {
  temp_dir dir;
  const auto path = dir.path / "s.session";
  const auto victim = dir.path / "victim";
  write_file(victim, "precious");
  // The names an older version used, and a guessable one: all links to the victim.
  fs::create_symlink(victim, dir.path / "s.session.tmp");
  file_session_store store(path);
  REQUIRE_FALSE(store.save(sample()));
  CHECK(read_file(victim) == "precious");
  stored_session out;
  REQUIRE_FALSE(store.load(out));
  CHECK(out == sample());
}

TEST_CASE("file store: a file larger than any session is refused before it is read", "[store]") {
  temp_dir dir;
  const auto path = dir.path / "s.session";
  write_file(path, std::string(file_session_store::max_file_size + 1, 'x'));
  file_session_store store(path);
  stored_session out = sample();
  CHECK(store.load(out) == store_errc::too_large);
  CHECK(out == sample());  // untouched
}

TEST_CASE("file store: encrypted at rest with a passphrase", "[store]") {
  temp_dir dir;
  const auto path = dir.path / "s.session";
  {
    file_session_store store(path, with_passphrase("correct horse"));
    REQUIRE_FALSE(store.save(sample()));
    REQUIRE_FALSE(store.save(sample()));  // a second save reuses the derived key, with a new nonce
  }
  const auto bytes = read_file(path);
  CHECK(bytes.substr(0, 8) == "MTPCSENC");
  // No auth key appears in the clear.
  const auto key = sample().dcs.at(2).key.bytes();
  CHECK(bytes.find(std::string(key.begin(), key.begin() + 32)) == std::string::npos);

  stored_session out;
  CHECK(file_session_store(path, with_passphrase("correct horse")).load(out) == std::error_code{});
  CHECK(out == sample());
  out = {};
  CHECK(file_session_store(path, with_passphrase("wrong horse")).load(out) == store_errc::wrong_passphrase);
  CHECK(file_session_store(path).load(out) == store_errc::passphrase_required);
  CHECK(out == stored_session{});

  // Any changed byte, header included, fails authentication.
  for (std::size_t at : {std::size_t{21}, std::size_t{40}, bytes.size() / 2, bytes.size() - 1}) {
    auto bad = bytes;
    bad[at] ^= 0x01;
    write_file(path, bad);
    CHECK(file_session_store(path, with_passphrase("correct horse")).load(out) == store_errc::wrong_passphrase);
  }
  // A header asking scrypt for more memory than any session needs is refused without running it.
  auto greedy = bytes;
  greedy[12] = 30;  // log2(n)
  write_file(path, greedy);
  CHECK(file_session_store(path, with_passphrase("correct horse")).load(out) == store_errc::malformed);
}

TEST_CASE("file store: a plain file loads with a passphrase and the next save encrypts it", "[store]") {
  temp_dir dir;
  const auto path = dir.path / "s.session";
  REQUIRE_FALSE(file_session_store(path).save(sample()));
  file_session_store store(path, with_passphrase("pw"));
  stored_session out;
  REQUIRE_FALSE(store.load(out));
  CHECK(out == sample());
  REQUIRE_FALSE(store.save(out));
  CHECK(read_file(path).substr(0, 8) == "MTPCSENC");
  CHECK(file_session_store(path).load(out) == store_errc::passphrase_required);
}

TEST_CASE("file store: save refuses scrypt parameters that load would refuse", "[store]") {
  // Such a file used to be written, and then every load refused it as malformed: the session was
  // locked out by its own store.
  temp_dir dir;
  const auto path = dir.path / "s.session";
  const std::initializer_list<crypto::scrypt_params> refused = {
      {1u << 9, 8, 1},   // n below 2^10
      {3000, 8, 1},      // n not a power of two
      {0, 8, 1},         //
      {1u << 10, 0, 1},  // r
      {1u << 10, 65, 1},
      {1u << 10, 8, 0},  // p
      {1u << 10, 8, 17},
      {1u << 21, 8, 1},  // 2 GiB: over max_kdf_memory (refused before scrypt runs)
  };
  for (const auto& kdf : refused) {
    INFO("n=" << kdf.n << " r=" << kdf.r << " p=" << kdf.p);
    auto options = with_passphrase("pw");
    options.kdf = kdf;
    CHECK(file_session_store(path, options).save(sample()) == std::errc::invalid_argument);
    CHECK_FALSE(fs::exists(path));
  }
  // The cheapest allowed parameters round-trip.
  auto options = with_passphrase("pw");
  options.kdf = {1u << 10, 1, 1};
  REQUIRE_FALSE(file_session_store(path, options).save(sample()));
  stored_session out;
  REQUIRE_FALSE(file_session_store(path, with_passphrase("pw")).load(out));
  CHECK(out == sample());
}

TEST_CASE("file store: a hostile header's scrypt parameters are bounded before scrypt runs", "[store]") {
  temp_dir dir;
  const auto path = dir.path / "s.session";
  REQUIRE_FALSE(file_session_store(path, with_passphrase("pw")).save(sample()));
  const auto bytes = read_file(path);
  auto with = [&](std::uint8_t log2_n, std::uint32_t r, std::uint32_t p) {
    auto out = bytes;
    out[12] = static_cast<char>(log2_n);
    for (int i = 0; i < 4; ++i) {
      out[13 + i] = static_cast<char>(r >> (8 * i));
      out[17 + i] = static_cast<char>(p >> (8 * i));
    }
    return out;
  };
  struct hostile {
    std::uint8_t log2_n;
    std::uint32_t r, p;
  };
  for (const auto& h : {hostile{9, 8, 1}, hostile{25, 1, 1}, hostile{255, 8, 1}, hostile{10, 0, 1},
                        hostile{10, 65, 1}, hostile{10, 0xffffffff, 1}, hostile{10, 8, 0}, hostile{10, 8, 17},
                        hostile{21, 8, 1} /* 2 GiB */, hostile{20, 8, 2} /* 2 GiB */, hostile{24, 64, 16}}) {
    INFO("log2(n)=" << int(h.log2_n) << " r=" << h.r << " p=" << h.p);
    write_file(path, with(h.log2_n, h.r, h.p));
    stored_session out = sample();
    CHECK(file_session_store(path, with_passphrase("pw")).load(out) == store_errc::malformed);
    CHECK(out == sample());
  }
  // Within bounds but not what the file was sealed with: a different key, refused by the tag.
  write_file(path, with(11, 8, 1));
  stored_session out;
  CHECK(file_session_store(path, with_passphrase("pw")).load(out) == store_errc::wrong_passphrase);
}

TEST_CASE("session codec: what one process seals another opens with the passphrase, and nothing else", "[store]") {
  const auto s = sample();
  session_codec writer(with_passphrase("shared pass"));
  REQUIRE(writer.encrypts());
  std::string sealed;
  REQUIRE_FALSE(writer.encode(s, sealed));
  // The auth keys are not in the record in the clear, and two encodings differ (fresh nonces).
  const auto key = s.dcs.at(2).key.bytes();
  CHECK(sealed.find(std::string(key.begin(), key.begin() + 32)) == std::string::npos);
  std::string again;
  REQUIRE_FALSE(writer.encode(s, again));
  CHECK(again != sealed);

  stored_session out;
  session_codec reader(with_passphrase("shared pass"));
  REQUIRE_FALSE(reader.decode(sealed, out));
  CHECK(out == s);
  REQUIRE_FALSE(reader.decode(again, out));
  CHECK(out == s);

  stored_session untouched = sample();
  untouched.user_id = 1;
  out = untouched;
  CHECK(session_codec(with_passphrase("other pass")).decode(sealed, out) == store_errc::wrong_passphrase);
  CHECK(session_codec().decode(sealed, out) == store_errc::passphrase_required);
  auto flipped = sealed;
  flipped[flipped.size() / 2] ^= 1;
  CHECK(reader.decode(flipped, out) == store_errc::wrong_passphrase);
  CHECK(reader.decode(sealed.substr(0, 40), out) == store_errc::truncated);
  CHECK(reader.decode(std::string(file_session_store::max_file_size + 1, 'x'), out) == store_errc::too_large);
  CHECK(out == untouched);  // left as it was by every failure

  // Without a passphrase the bytes are the plain session file, which a passphrase codec opens too.
  session_codec plain;
  CHECK_FALSE(plain.encrypts());
  std::string bytes;
  REQUIRE_FALSE(plain.encode(s, bytes));
  CHECK(bytes == encode_session_file(s));
  REQUIRE_FALSE(reader.decode(bytes, out));
  CHECK(out == s);
}
