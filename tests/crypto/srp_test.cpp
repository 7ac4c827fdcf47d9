// SRP-2048 against a vector from an independent implementation (Python, client and server side
// computed separately and checked to agree on S), plus the checks on hostile parameters.
#include <catch2/catch.hpp>

#include "mtproto/crypto/srp.h"
#include "mtproto/crypto/dh.h"
#include "support/hex.h"

using namespace mtproto;
using mtproto::test::from_hex;

namespace {

std::vector<std::uint8_t> seq(std::uint8_t from, std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<std::uint8_t>(from + i);
  return v;
}

crypto::srp_parameters vector_params() {
  crypto::srp_parameters p;
  p.salt1 = seq(1, 40);
  p.salt2 = seq(100, 16);
  p.g = 3;
  auto prime = crypto::telegram_dh_prime();
  p.p.assign(prime.begin(), prime.end());
  p.srp_B = from_hex(
      "c0aad8d41b869a958e08da908bddb0bf594092cd5fb93019d877033ed124ece37a7a81bda28c4f83f8f97e3fdce2f5124810114c2c3765e5"
      "73d8c55a88539db2c12e320933a2288f7d63bc50f052a9d81169419ec298ab3ebbec09fc01d6acef566d5d6effd39914075119352718f2f6"
      "1065f2ac0c11c404451207ea1c0e7cd61833174389659d4951db8c89e9779d0c4eb2caffafcd1949f4dd9fb78f64194c3b716f69332555f5"
      "e4d65d5e6cdfd8a0d52e312c55ebd1c2153c4993343539a006434eb8d371bc884eb3919d3c5c6e6890c8131971bc2b08e8c037c9e58268f3"
      "072deb318b96b647018a6df4c7ba703042844f26fb5ea204351014bc25fc5a36");
  p.srp_id = 0x1122334455667788;
  return p;
}

std::array<std::uint8_t, 256> vector_a() {
  auto block = from_hex("e934524395ab8aa265a88f10538ab034b8196fb8d369e6fe3d519ed16bde4030");
  std::array<std::uint8_t, 256> a{};
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = block[i % block.size()];
  return a;
}

}  // namespace

TEST_CASE("srp: password hash PH2 matches the independent implementation", "[srp]") {
  auto p = vector_params();
  CHECK(test::to_hex(crypto::srp_password_hash("correct horse battery staple", p.salt1, p.salt2)) ==
        "03de35e7c3a581aec2e00cb995cd942d4bf4153fe0525f6ef6f2e2337641323c");
}

TEST_CASE("srp: A and M1 match the independent implementation", "[srp]") {
  crypto::srp_answer answer;
  auto a = vector_a();
  REQUIRE_FALSE(crypto::srp_compute("correct horse battery staple", vector_params(), a, answer));
  CHECK(answer.srp_id == 0x1122334455667788);
  CHECK(test::to_hex(answer.A) ==
        "8d019a24802e05275a4adaa81731b3ce32988eeef2c1e8a85399a1bf2f22ffdf7afe48c69012db9b6821be02f4da9afce78dabd43e5d28"
        "ba158afe20bc34e1390422fcf231cb8202d90964fcbd19039694ac8d0e6afa81ddfc828a57fde74ed3a790cd4ff8bd0b8d607f1883dd0d"
        "8604b8f5f138f7d38fd77f9bd004804163244a6f1218ed24251f7396f1d6968d819eb71b5e3c23f357883ccf7738b948c794873f17262f"
        "b8f09eb6be614733d6753f72af7bd13f597d8df7b792a9378318848195f6c12911c9094408b1290324e46fe9143143a368475b592617e4"
        "3f5a28c04d00e1bcaf3e397a59eaaf8cb7eafdfbf1e6ba9c504bcf324e26800c21868cf6");
  CHECK(test::to_hex(answer.M1) == "fa275a05daa0e4b738e2a7ae34e4bdfa51cf36fe8bed0f7c7ce8cddb515a27dd");

  SECTION("a different password gives a different proof") {
    crypto::srp_answer wrong;
    REQUIRE_FALSE(crypto::srp_compute("correct horse battery stapler", vector_params(), a, wrong));
    CHECK(wrong.A == answer.A);
    CHECK(wrong.M1 != answer.M1);
  }
}

TEST_CASE("srp: hostile parameters are refused", "[srp]") {
  auto a = vector_a();
  crypto::srp_answer answer;
  auto p = vector_params();
  SECTION("B = 1") {
    p.srp_B = {1};
    CHECK(crypto::srp_compute("pw", p, a, answer) == crypto::srp_errc::bad_server_value);
  }
  SECTION("B = p - 1") {
    p.srp_B = p.p;
    p.srp_B.back() -= 1;
    CHECK(crypto::srp_compute("pw", p, a, answer) == crypto::srp_errc::bad_server_value);
  }
  SECTION("B longer than p") {
    p.srp_B.insert(p.srp_B.begin(), 1);
    CHECK(crypto::srp_compute("pw", p, a, answer) == crypto::srp_errc::bad_server_value);
  }
  SECTION("p not a safe prime") {
    p.p[255] ^= 2;
    CHECK(crypto::srp_compute("pw", p, a, answer) == crypto::srp_errc::bad_group);
  }
  SECTION("g out of range") {
    p.g = 1;
    CHECK(crypto::srp_compute("pw", p, a, answer) == crypto::srp_errc::bad_group);
  }
  SECTION("short p") {
    p.p.resize(128);
    CHECK(crypto::srp_compute("pw", p, a, answer) == crypto::srp_errc::bad_group);
  }
}
