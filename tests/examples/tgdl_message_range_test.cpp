// tgdl's message ranges: NAME/A-B stands for the links of messages A..B; anything else is no range.
#include <catch2/catch.hpp>

#include "tgdl/message_range.h"
#include "tgdl/options.h"

using tgdl::expand_message_range;

TEST_CASE("tgdl: a message range expands to one link per message, in order") {
  const auto links = expand_message_range("https://t.me/chan/100-103");
  REQUIRE(links);
  CHECK(*links == std::vector<std::string>{"https://t.me/chan/100", "https://t.me/chan/101", "https://t.me/chan/102",
                                           "https://t.me/chan/103"});
  const auto one = expand_message_range("t.me/c/1234567890/7-7");
  REQUIRE(one);
  CHECK(*one == std::vector<std::string>{"t.me/c/1234567890/7"});
}

TEST_CASE("tgdl: links that are no range are left alone") {
  for (const char* text : {"https://t.me/chan/100", "https://t.me/chan", "https://t.me/chan/1-2x", "https://t.me/chan/-5",
                           "https://t.me/chan/5-", "https://t.me/chan/a-b", "no slash 1-2", "https://t.me/chan/100?comment=2-3",
                           "https://t.me/chan/1-99999999999999"})
    CHECK_FALSE(expand_message_range(text));
}

TEST_CASE("tgdl: a backwards, zero-based or huge range is a usage error") {
  CHECK_THROWS_AS(expand_message_range("https://t.me/chan/10-5"), tgdl::usage_error);
  CHECK_THROWS_AS(expand_message_range("https://t.me/chan/0-5"), tgdl::usage_error);
  CHECK_THROWS_AS(expand_message_range("https://t.me/chan/1-10001"), tgdl::usage_error);
  CHECK(expand_message_range("https://t.me/chan/1-10000")->size() == 10'000);
}
