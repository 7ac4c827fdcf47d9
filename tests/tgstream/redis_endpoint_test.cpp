// --redis URLs: what is read from them, and the ones refused with a reason.
#include <catch2/catch.hpp>

#include <string>

#include "redis_client.h"

using tgstream::redis_endpoint;

TEST_CASE("redis endpoint: redis://[:PASSWORD@]HOST[:PORT][/DB]") {
  auto e = redis_endpoint::parse("redis://127.0.0.1:6380");
  REQUIRE(e);
  CHECK(e->host == "127.0.0.1");
  CHECK(e->port == 6380);
  CHECK(e->password.empty());
  CHECK(e->db == 0);
  e = redis_endpoint::parse("redis://:s3cr:et@cache.internal/3");
  REQUIRE(e);
  CHECK(e->host == "cache.internal");
  CHECK(e->port == 6379);
  CHECK(e->password == "s3cr:et");
  CHECK(e->db == 3);
  e = redis_endpoint::parse("redis://user:pw@h:1/");
  REQUIRE(e);
  CHECK(e->password == "pw");
  std::string why;
  for (const char* bad : {"http://h:1", "redis://", "redis://:pw@", "redis://h:0", "redis://h:99999", "redis://h:x",
                          "redis://h/x", "redis://h/-1", "redis://h o", "redis://h:1/2000"}) {
    INFO(bad);
    CHECK_FALSE(redis_endpoint::parse(bad, &why));
    CHECK_FALSE(why.empty());
  }
}
