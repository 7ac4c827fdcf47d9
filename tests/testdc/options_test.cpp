// Command-line parsing of the options added after the first release of the emulator.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <thread>

#include "mtproto/testdc/options.h"

using namespace mtproto;
using namespace mtproto::testdc;

namespace {

options parse(std::initializer_list<std::string_view> args) {
  std::vector<std::string_view> v(args);
  return parse_options(v);
}

}  // namespace

TEST_CASE("testdc options: --proxy-secret takes plain and dd secrets, refuses the rest") {
  CHECK_FALSE(parse({}).proxy_secret);
  const auto plain = parse({"--proxy-secret", "00112233445566778899AABBCCDDEEFF"});
  REQUIRE(plain.proxy_secret);
  CHECK(plain.proxy_secret->kind == transport::proxy_secret::mode::obfuscated);
  CHECK(plain.proxy_secret->key[15] == 0xff);
  CHECK(proxy_secret_hex(*plain.proxy_secret) == "00112233445566778899aabbccddeeff");

  const auto padded = parse({"--proxy-secret", "dd00112233445566778899aabbccddeeff"});
  REQUIRE(padded.proxy_secret);
  CHECK(padded.proxy_secret->kind == transport::proxy_secret::mode::padded);
  CHECK(proxy_secret_hex(*padded.proxy_secret) == "dd00112233445566778899aabbccddeeff");

  CHECK_THROWS_AS(parse({"--proxy-secret", "0011"}), std::invalid_argument);
  CHECK_THROWS_AS(parse({"--proxy-secret", "zz112233445566778899aabbccddeeff"}), std::invalid_argument);
  // fake TLS: the transport has no fake-TLS server side
  CHECK_THROWS_AS(parse({"--proxy-secret", "ee00112233445566778899aabbccddeeff6578616d706c652e636f6d"}),
                  std::invalid_argument);
  CHECK_THROWS_AS(parse({"--proxy-secret"}), std::invalid_argument);
}

TEST_CASE("testdc options: --push-updates is a flag, off by default") {
  CHECK_FALSE(parse({}).faults.push_updates);
  CHECK(parse({"--push-updates"}).faults.push_updates);
  CHECK(parse({"--push-updates", "--dcs", "3"}).dcs == 3);
}

TEST_CASE("testdc options: --ready-messages is a flag, off by default") {
  CHECK_FALSE(parse({}).ready_messages);
  CHECK(parse({"--ready-file", "r.json", "--ready-messages"}).ready_messages);
  CHECK(usage().find("--ready-messages") != std::string_view::npos);
}

TEST_CASE("testdc options: --max-seconds refuses inf, nan, negatives and absurd lengths") {
  CHECK(parse({"--max-seconds", "2.5"}).max_seconds == 2.5);
  for (const char* bad : {"inf", "nan", "-1", "1e10", "", "3s"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse({"--max-seconds", bad}), std::invalid_argument);
  }
}

TEST_CASE("testdc options: the pool and verification faults") {
  const auto o = parse({"--flood-account", "5002", "--account-rate", "3000000", "--corrupt-every", "4",
                        "--refusing-address"});
  CHECK(o.faults.flood_account == 5002);
  CHECK(o.faults.account_rate == 3'000'000);
  CHECK(o.faults.corrupt_every == 4);
  CHECK(o.faults.refusing_address);
  const auto d = parse({});
  CHECK(d.faults.flood_account == 0);
  CHECK(d.faults.account_rate == 0);
  CHECK(d.faults.corrupt_every == 0);
  CHECK_FALSE(d.faults.refusing_address);
  CHECK_THROWS_AS(parse({"--account-rate", "-1"}), std::invalid_argument);
  CHECK_THROWS_AS(parse({"--corrupt-every", "x"}), std::invalid_argument);
  CHECK_THROWS_AS(parse({"--flood-account"}), std::invalid_argument);
}

TEST_CASE("testdc options: the throttling knobs") {
  const auto o = parse({"--latency-ms", "100", "--premium-wait-after", "64M:7", "--premium-user", "5001",
                        "--premium-user", "5002", "--connect-rate", "3"});
  CHECK(o.faults.latency_ms == 100);
  CHECK(o.faults.premium_wait_bytes == std::int64_t{64} << 20);
  CHECK(o.faults.premium_wait_seconds == 7);
  CHECK(o.faults.premium_users == std::vector<std::int64_t>{5001, 5002});
  CHECK(o.faults.connect_rate == 3);
  const auto bytes_only = parse({"--premium-wait-after", "1000"});
  CHECK(bytes_only.faults.premium_wait_bytes == 1000);
  CHECK(bytes_only.faults.premium_wait_seconds == 5);
  const auto d = parse({});
  CHECK(d.faults.latency_ms == 0);
  CHECK(d.faults.premium_wait_bytes == 0);
  CHECK(d.faults.connect_rate == 0);
  CHECK_THROWS_AS(parse({"--latency-ms", "-5"}), std::invalid_argument);
  CHECK_THROWS_AS(parse({"--latency-ms", "600000"}), std::invalid_argument);
  CHECK_THROWS_AS(parse({"--premium-wait-after", "0"}), std::invalid_argument);
  CHECK_THROWS_AS(parse({"--premium-wait-after", "1M:"}), std::invalid_argument);
  CHECK_THROWS_AS(parse({"--premium-wait-after", "1M:-1"}), std::invalid_argument);
  CHECK_THROWS_AS(parse({"--premium-wait-after", "Q"}), std::invalid_argument);
  CHECK_THROWS_AS(parse({"--connect-rate", "-1"}), std::invalid_argument);
}

TEST_CASE("testdc options: a profile sets the knobs, which other flags override wherever they are") {
  const auto bot = parse({"--profile", "bot"});
  CHECK(bot.faults.latency_ms == 50);
  CHECK(bot.faults.rate_per_connection == 5'000'000);
  CHECK(bot.faults.flood_rps == 30);
  CHECK(bot.faults.premium_wait_bytes == 0);
  const auto user = parse({"--latency-ms", "10", "--profile", "user"});
  CHECK(user.faults.latency_ms == 10);  // the flag wins though it came first
  CHECK(user.faults.premium_wait_bytes > 0);
  CHECK(parse({"--profile", "premium"}).faults.premium_wait_bytes == 0);
  CHECK_THROWS_AS(parse({"--profile", "whale"}), std::invalid_argument);
  CHECK_THROWS_AS(parse({"--profile"}), std::invalid_argument);
}

TEST_CASE("testdc options: --threads defaults to one per core and takes 1..64") {
  const auto cores = static_cast<std::int32_t>(std::clamp(std::thread::hardware_concurrency(), 1u, 64u));
  CHECK(parse({}).threads == cores);
  CHECK(options{}.threads == 1);  // embedded: the caller's io_context only
  CHECK(parse({"--threads", "1"}).threads == 1);
  CHECK(parse({"--threads", "64"}).threads == 64);
  for (auto bad : {"0", "-2", "65", "two", ""}) {
    INFO(bad);
    CHECK_THROWS_AS(parse({"--threads", bad}), std::invalid_argument);
  }
  CHECK_THROWS_AS(parse({"--threads"}), std::invalid_argument);
}
