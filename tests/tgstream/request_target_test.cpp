// Request targets: segments and parameters decoded, malformed escapes refused.
#include <catch2/catch.hpp>

#include "request_target.h"

using namespace tgstream;

TEST_CASE("segments and query parameters, percent-decoded", "[tgstream][target]") {
  const auto t = parse_target("/api/resolve?link=https%3A%2F%2Ft.me%2Fname%2F5&item=2&flag#frag");
  REQUIRE(t);
  CHECK(t->segments == std::vector<std::string>{"api", "resolve"});
  CHECK(t->param("link") == "https://t.me/name/5");
  CHECK(t->param("item") == "2");
  CHECK(t->param("flag") == "");
  CHECK_FALSE(t->param("frag"));
  const auto d = parse_target("/dl/tok/my%20file+name.mp4");
  REQUIRE(d);
  CHECK(d->segments == std::vector<std::string>{"dl", "tok", "my file+name.mp4"});
  CHECK(parse_target("/a?q=x+y")->param("q") == "x y");
  CHECK(parse_target("//a///b/")->segments == std::vector<std::string>{"a", "b"});
}

TEST_CASE("targets that are not origin-form or hold bad escapes are refused", "[tgstream][target]") {
  for (const char* bad : {"", "dl/x", "http://evil/x", "/a%", "/a%4", "/a%zz", "/a%00b", "/?x=%0", "*"})
    CHECK_FALSE(parse_target(bad));
}

TEST_CASE("percent_encode keeps only unreserved characters", "[tgstream][target]") {
  CHECK(percent_encode("a b/c?d.mp4") == "a%20b%2Fc%3Fd.mp4");
  CHECK(percent_encode("~_-.") == "~_-.");
  CHECK(parse_target("/x/" + percent_encode("../../etc"))->segments.back() == "../../etc");
}
