// Signed download tokens: they round-trip, and forged, altered, expired or foreign ones are
// refused with the reason; base64url is canonical.
#include <catch2/catch.hpp>

#include <cctype>

#include "signed_url.h"

using namespace tgstream;

namespace {

std::vector<std::uint8_t> secret(char c) { return std::vector<std::uint8_t>(32, static_cast<std::uint8_t>(c)); }

}  // namespace

TEST_CASE("a signed ticket comes back as it was signed", "[tgstream][signed]") {
  url_signer s(secret('k'));
  const file_ticket t{"https://t.me/name/12", 3, 2'000'000'000};
  const auto token = s.sign(t);
  for (char c : token) CHECK((std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.'));
  const auto v = s.verify(token, 1'900'000'000);
  REQUIRE(std::holds_alternative<file_ticket>(v));
  const auto& back = std::get<file_ticket>(v);
  CHECK(back.link == t.link);
  CHECK(back.item == 3);
  CHECK(back.expires == t.expires);
}

TEST_CASE("expired, altered, foreign and malformed tokens are refused", "[tgstream][signed]") {
  url_signer s(secret('k'));
  const auto token = s.sign({"https://t.me/name/12", 0, 1000});
  CHECK(std::get<ticket_problem>(s.verify(token, 1001)) == ticket_problem::expired);
  CHECK(std::holds_alternative<file_ticket>(s.verify(token, 1000)));
  CHECK(std::get<ticket_problem>(url_signer(secret('o')).verify(token, 0)) == ticket_problem::bad_signature);
  // Another link under the same signature.
  const auto dot = token.find('.');
  const auto forged = base64url_encode("1\n1000\n0\nhttps://t.me/name/13") + token.substr(dot);
  CHECK(std::get<ticket_problem>(s.verify(forged, 0)) == ticket_problem::bad_signature);
  // A flipped character anywhere.
  for (std::size_t i = 0; i < token.size(); ++i) {
    auto t = token;
    t[i] = t[i] == 'A' ? 'B' : 'A';
    CHECK(std::holds_alternative<ticket_problem>(s.verify(t, 0)));
  }
  for (const char* bad : {"", ".", "abc", "abc.", ".abc", "a.b.c", "!!!.???", "YQ==.YQ=="})
    CHECK(std::get<ticket_problem>(s.verify(bad, 0)) != ticket_problem::expired);
  CHECK(std::get<ticket_problem>(s.verify(std::string(5000, 'a'), 0)) == ticket_problem::malformed);
  CHECK_THROWS_AS(url_signer(std::vector<std::uint8_t>(15, 1)), std::invalid_argument);
}

TEST_CASE("base64url: RFC 4648 vectors, no padding, one spelling per value", "[tgstream][signed]") {
  CHECK(base64url_encode("") == "");
  CHECK(base64url_encode("f") == "Zg");
  CHECK(base64url_encode("fo") == "Zm8");
  CHECK(base64url_encode("foo") == "Zm9v");
  CHECK(base64url_encode("foob") == "Zm9vYg");
  CHECK(base64url_encode("\xfb\xff") == "-_8");
  std::string out;
  CHECK(base64url_decode("Zm9vYg", out));
  CHECK(out == "foob");
  CHECK(base64url_decode("-_8", out));
  CHECK(out == "\xfb\xff");
  CHECK_FALSE(base64url_decode("Zm9vYh", out));  // stray bits in the last character
  CHECK_FALSE(base64url_decode("Zm9vYg==", out));
  CHECK_FALSE(base64url_decode("+/8", out));
  CHECK_FALSE(base64url_decode("Z", out));
  CHECK_FALSE(base64url_decode("Zm 9v", out));
}
