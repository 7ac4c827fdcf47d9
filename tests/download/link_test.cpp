#include "mtproto/download/link.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <variant>
#include <vector>

using mtproto::download::download_errc;
using mtproto::download::link_part;
using mtproto::download::link_part_name;
using mtproto::download::message_link;
using mtproto::download::parse_link;

namespace {

message_link pub(std::string name, std::int32_t msg, std::int32_t topic = 0, std::int32_t comment = 0,
                 bool single = false) {
  return {std::move(name), 0, msg, topic, comment, single};
}
message_link priv(std::int64_t channel, std::int32_t msg, std::int32_t topic = 0, std::int32_t comment = 0,
                  bool single = false) {
  return {"", channel, msg, topic, comment, single};
}

// What every failure must look like, whichever part it names.
void check_error_shape(const std::string& text, const mtproto::download::link_error& e) {
  CHECK(e.code == download_errc::bad_link);
  CHECK(e.offset <= text.size());
  CHECK(e.message.find(link_part_name(e.part)) != std::string::npos);
}

void check_round_trip(const message_link& l) {
  const std::string canonical = l.to_string();
  const auto again = parse_link(canonical);
  INFO(canonical);
  REQUIRE(again);
  CHECK(again.link() == l);
  CHECK(again.link().to_string() == canonical);
}

}  // namespace

TEST_CASE("every public form parses to its fields", "[download][link]") {
  struct row {
    std::string text;
    message_link want;
  };
  const std::vector<row> rows = {
      {"https://t.me/durov/123", pub("durov", 123)},
      {"http://t.me/durov/123", pub("durov", 123)},
      {"t.me/durov/123", pub("durov", 123)},
      {"www.t.me/durov/123", pub("durov", 123)},
      {"https://www.telegram.me/durov/123", pub("durov", 123)},
      {"telegram.dog/durov/123", pub("durov", 123)},
      {"HTTPS://T.ME/Durov/123", pub("durov", 123)},
      {"hTtP://WwW.TeLeGrAm.DoG/DUROV/123/", pub("durov", 123)},
      {"https://t.me/durov/123/", pub("durov", 123)},
      {"https://t.me/durov/123?single", pub("durov", 123, 0, 0, true)},
      {"https://t.me/durov/123?single=", pub("durov", 123, 0, 0, true)},
      {"https://t.me/durov/123?comment=45", pub("durov", 123, 0, 45)},
      {"https://t.me/durov/123?comment=45&single", pub("durov", 123, 0, 45, true)},
      {"https://t.me/durov/123/?single&comment=45#frag", pub("durov", 123, 0, 45, true)},
      {"https://t.me/durov/123?utm_source=x&t=30&comment=7", pub("durov", 123, 0, 7)},
      {"https://t.me/durov/123?COMMENT=7", pub("durov", 123, 0, 7)},
      {"https://t.me/durov/123#?comment=7", pub("durov", 123)},  // that query is in the fragment
      {"https://t.me/durov/123?&&single&", pub("durov", 123, 0, 0, true)},
      {"https://t.me/durov/123?x=%41%zz&single", pub("durov", 123, 0, 0, true)},
      {"https://t.me/durov/123#%zz%%", pub("durov", 123)},
      {"https://t.me/s/durov/123", pub("durov", 123)},
      {"t.me/S/durov/123?single", pub("durov", 123, 0, 0, true)},
      {"https://t.me/c/1234567890/123", priv(1234567890, 123)},
      {"t.me/C/1234567890/123/", priv(1234567890, 123)},
      {"https://t.me/c/1234567890/123?comment=5&single", priv(1234567890, 123, 0, 5, true)},
      {"https://t.me/forumgroup/17/123", pub("forumgroup", 123, 17)},
      {"https://t.me/c/1234567890/17/123", priv(1234567890, 123, 17)},
      {"https://t.me/forumgroup/123?thread=17", pub("forumgroup", 123, 17)},
      {"https://t.me/c/1234567890/123?thread=17", priv(1234567890, 123, 17)},
      {"tg://resolve?domain=durov&post=123", pub("durov", 123)},
      {"TG://RESOLVE?DOMAIN=Durov&POST=123", pub("durov", 123)},
      {"tg://resolve/?post=123&domain=durov", pub("durov", 123)},
      {"tg://resolve?domain=durov&post=123&thread=17", pub("durov", 123, 17)},
      {"tg://resolve?domain=durov&post=123&comment=9&single", pub("durov", 123, 0, 9, true)},
      {"tg://resolve?domain=durov&post=123&start=x#f", pub("durov", 123)},
      {"tg://privatepost?channel=1234567890&post=123", priv(1234567890, 123)},
      {"tg://privatepost?channel=1234567890&post=123&thread=17", priv(1234567890, 123, 17)},
      {"  https://t.me/durov/123\r\n", pub("durov", 123)},
      {"\thttps://t.me/durov/0000123 ", pub("durov", 123)},  // leading zeros: the same number
      {"t.me/abcd/1", pub("abcd", 1)},
      {"t.me/a2345678901234567890123456789012/1", pub("a2345678901234567890123456789012", 1)},
  };
  for (const auto& r : rows) {
    INFO(r.text);
    const auto got = parse_link(r.text);
    if (!got) FAIL(got.error().message);
    CHECK(got.link() == r.want);
    check_round_trip(got.link());
  }
}

TEST_CASE("limits of ids are exact, with no wraparound", "[download][link]") {
  CHECK(parse_link("t.me/durov/2147483647").link().message_id == 2147483647);
  CHECK(parse_link("t.me/c/4503599627370495/1").link().channel_id == mtproto::download::max_channel_id);
  CHECK(parse_link("t.me/durov/2147483647/2147483647?comment=2147483647").link() ==
        pub("durov", 2147483647, 2147483647, 2147483647));
  struct row {
    std::string text;
    link_part part;
  };
  const std::vector<row> rows = {
      {"t.me/durov/2147483648", link_part::message_id},
      {"t.me/durov/4294967296", link_part::message_id},            // 2^32: would wrap to 0
      {"t.me/durov/4294967297", link_part::message_id},            // 2^32 + 1: would wrap to 1
      {"t.me/durov/18446744073709551617", link_part::message_id},  // 2^64 + 1
      {"t.me/durov/99999999999999999999999999999999", link_part::message_id},
      {"t.me/durov/2147483648/5", link_part::topic_id},
      {"t.me/durov/5?comment=2147483648", link_part::comment_id},
      {"t.me/durov/5?thread=4294967296", link_part::topic_id},
      {"t.me/c/4503599627370496/1", link_part::channel_id},
      {"t.me/c/9223372036854775808/1", link_part::channel_id},   // 2^63
      {"t.me/c/18446744073709551616/1", link_part::channel_id},  // 2^64
      {"tg://privatepost?channel=9223372036854775807&post=1", link_part::channel_id},
      {"tg://resolve?domain=durov&post=2147483648", link_part::message_id},
  };
  for (const auto& r : rows) {
    INFO(r.text);
    const auto got = parse_link(r.text);
    REQUIRE_FALSE(got);
    CHECK(got.error().part == r.part);
    check_error_shape(r.text, got.error());
  }
}

TEST_CASE("traps fail and name the wrong part instead of giving another message", "[download][link]") {
  struct row {
    std::string text;
    link_part part;
    std::size_t offset;
  };
  const std::vector<row> rows = {
      {"123abc", link_part::host, 0},
      {"t.me/name/123/456/789", link_part::path, 18},
      {"t.me/name/0", link_part::message_id, 10},
      {"t.me/name/000", link_part::message_id, 10},
      {"t.me/name/-5", link_part::message_id, 10},
      {"t.me/name/+5", link_part::message_id, 10},
      {"t.me/name/12a", link_part::message_id, 10},
      {"t.me/name/1%32", link_part::message_id, 10},
      {"t.me//123", link_part::path, 5},
      {"t.me/name//123", link_part::path, 10},
      {"t.me/name/123//", link_part::path, 14},
      {"t.me/c/abc/1", link_part::channel_id, 7},
      {"t.me/c/-1001234567890/1", link_part::channel_id, 7},
      {"t.me/c/0/1", link_part::channel_id, 7},
      {"t.me/c/123", link_part::message_id, 10},
      {"t.me/c", link_part::channel_id, 6},
      {"t.me/c/1/2/3/4", link_part::path, 13},
      {"t.me/joinchat/xyz", link_part::path, 5},
      {"t.me/+AbCdEfGh", link_part::path, 5},
      {"t.me/addstickers/pack", link_part::path, 5},
      {"t.me/iv?url=x", link_part::path, 5},
      {"t.me/s/joinchat/5", link_part::username, 7},
      {"t.me/s/durov", link_part::message_id, 12},
      {"t.me/s/durov/1/2", link_part::path, 15},
      {"t.me/s", link_part::username, 6},
      {"https://t.me.evil.com/name/1", link_part::host, 8},
      {"https://evil.com/t.me/name/1", link_part::host, 8},
      {"t.me@evil.com/name/1", link_part::host, 0},
      {"https://user@t.me/name/1", link_part::host, 8},
      {"https://user:pw@t.me/name/1", link_part::host, 8},
      {"https://t.me:443/name/1", link_part::host, 8},
      {"t.me:443/name/1", link_part::host, 0},
      {"t.me:/name/1", link_part::host, 0},
      {"https://t.me./name/1", link_part::host, 8},
      {"https:///name/1", link_part::host, 8},
      {"https://", link_part::host, 8},
      {"ftp://t.me/name/1", link_part::scheme, 0},
      {"javascript:alert(1)", link_part::scheme, 0},
      {"tg:resolve?domain=durov&post=1", link_part::scheme, 0},
      {"//t.me/name/1", link_part::host, 0},
      {"t.me/name/100-120", link_part::message_id, 10},
      {"t.me/name", link_part::message_id, 9},
      {"t.me/name/", link_part::message_id, 9},
      {"t.me", link_part::path, 4},
      {"t.me/", link_part::path, 5},
      {"t.me?x", link_part::path, 4},
      {"t.me/abc/1", link_part::username, 5},
      {"t.me/1abcd/1", link_part::username, 5},
      {"t.me/_abcd/1", link_part::username, 5},
      {"t.me/abcd_/1", link_part::username, 5},
      {"t.me/ab-cd/1", link_part::username, 5},
      {"t.me/na%6de/1", link_part::username, 5},
      {"t.me/a23456789012345678901234567890123/1", link_part::username, 5},
      {"t.me/name/5/abc", link_part::message_id, 12},
      {"t.me/name/x/5", link_part::topic_id, 10},
      {"t.me/name/0/5", link_part::topic_id, 10},
      {"t.me/name/17/5?thread=17", link_part::topic_id, 15},
      {"t.me/name/5?comment=", link_part::comment_id, 20},
      {"t.me/name/5?comment", link_part::comment_id, 19},
      {"t.me/name/5?comment=x", link_part::comment_id, 20},
      {"t.me/name/5?comment=0", link_part::comment_id, 20},
      {"t.me/name/5?comment=1&comment=2", link_part::query, 22},
      {"t.me/name/5?single&single", link_part::query, 19},
      {"t.me/name/5?single=1", link_part::query, 12},
      {"t.me/name/5?comm%65nt=9", link_part::query, 12},
      {"tg://resolve?domain=durov", link_part::message_id, 25},
      {"tg://resolve?post=1", link_part::username, 19},
      {"tg://resolve", link_part::username, 12},
      {"tg://resolve?domain=joinchat&post=1", link_part::username, 20},
      {"tg://resolve?domain=&post=1", link_part::username, 20},
      {"tg://resolve?domain=durov&post=1-2", link_part::message_id, 31},
      {"tg://resolve/x?domain=durov&post=1", link_part::path, 13},
      {"tg://privatepost?post=1", link_part::channel_id, 23},
      {"tg://privatepost?channel=x&post=1", link_part::channel_id, 25},
      {"tg://join?invite=abc", link_part::host, 5},
      {"tg://", link_part::host, 5},
      {"", link_part::input, 0},
      {" \n\t ", link_part::input, 4},
      {"t.me/durov/1 2", link_part::input, 12},
      {"https://t.me/dur\xc3\xb6v/1", link_part::input, 16},
      {"https://t.me/durov/1#\xe2\x80\x8b", link_part::input, 21},
      {"t.me/durov/1\x7f", link_part::input, 12},
  };
  for (const auto& r : rows) {
    INFO(r.text);
    const auto got = parse_link(r.text);
    REQUIRE_FALSE(got);
    INFO(got.error().message);
    CHECK(got.error().part == r.part);
    CHECK(got.error().offset == r.offset);
    check_error_shape(r.text, got.error());
  }
  CHECK(parse_link("t.me/name/123abc").error().message == "message id \"123abc\" is not a number");
  CHECK(parse_link("t.me/name/100-120").error().message.find("range") != std::string::npos);
  CHECK(parse_link("t.me@evil.com/name/1").error().message.find("user info") != std::string::npos);
  CHECK(parse_link("https://t.me:443/name/1").error().message.find("port") != std::string::npos);
  CHECK(parse_link("t.me/name/5?comm%65nt=9").error().message.find("percent") != std::string::npos);
}

TEST_CASE("hostile input is refused by the input check", "[download][link]") {
  const std::string nul("t.me/durov/1\0/2", 15);
  const auto r = parse_link(nul);
  REQUIRE_FALSE(r);
  CHECK(r.error().part == link_part::input);
  CHECK(r.error().offset == 12);
  CHECK(r.error().message == "link contains the control character 0x00");

  const std::string huge = "https://t.me/durov/1?x=" + std::string(5000 - 23, 'a');
  REQUIRE(huge.size() == 5000);
  const auto h = parse_link(huge);
  REQUIRE_FALSE(h);
  CHECK(h.error().part == link_part::input);
  CHECK(h.error().offset <= huge.size());

  // The bound is on the text as given: exactly max_link_length bytes still parse.
  std::string edge = "https://t.me/durov/1?x=";
  edge.resize(mtproto::download::max_link_length, 'a');
  CHECK(parse_link(edge));
  CHECK_FALSE(parse_link(edge + "a"));

  // A quote of a long part stays short.
  const auto q = parse_link("t.me/" + std::string(1000, 'x') + "/1");
  REQUIRE_FALSE(q);
  CHECK(q.error().part == link_part::username);
  CHECK(q.error().message.size() < 120);
}

TEST_CASE("canonical forms are exact", "[download][link]") {
  CHECK(pub("durov", 5).to_string() == "https://t.me/durov/5");
  CHECK(pub("durov", 5, 7, 9, true).to_string() == "https://t.me/durov/7/5?comment=9&single");
  CHECK(pub("durov", 5, 0, 0, true).to_string() == "https://t.me/durov/5?single");
  CHECK(priv(1234567890, 5, 3).to_string() == "https://t.me/c/1234567890/3/5");
  CHECK(priv(12, 5, 0, 4).to_string() == "https://t.me/c/12/5?comment=4");
  CHECK(parse_link("tg://resolve?domain=DuRoV&post=5&single").link().to_string() == "https://t.me/durov/5?single");
  CHECK(priv(1, 2).is_private());
  CHECK_THROWS_AS(parse_link("t.me/durov").link(), std::bad_variant_access);
  CHECK_THROWS_AS(parse_link("t.me/durov/1").error(), std::bad_variant_access);
  CHECK_FALSE(pub("durov", 2).is_private());
}

TEST_CASE("part names are distinct words", "[download][link]") {
  std::vector<std::string_view> names;
  for (int p = 0; p <= static_cast<int>(link_part::query); ++p) names.push_back(link_part_name(static_cast<link_part>(p)));
  for (std::size_t i = 0; i < names.size(); ++i) {
    CHECK_FALSE(names[i].empty());
    for (std::size_t j = i + 1; j < names.size(); ++j) CHECK(names[i] != names[j]);
  }
}

namespace {

std::string random_username(std::mt19937& rng) {
  static constexpr std::string_view letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  static constexpr std::string_view rest = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
  const std::size_t len = std::uniform_int_distribution<std::size_t>(4, 32)(rng);
  std::string s(1, letters[rng() % letters.size()]);
  while (s.size() < len) s += rest[rng() % rest.size()];
  if (s.back() == '_') s.back() = 'z';
  return s;
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// Small ids, edge ids and anything in between, so both ends of every bound are reached.
template <class T>
T random_id(std::mt19937& rng, T max) {
  switch (rng() % 4) {
    case 0: return static_cast<T>(1 + rng() % 100);
    case 1: return static_cast<T>(max - static_cast<T>(rng() % 3));
    default: return std::uniform_int_distribution<T>(1, max)(rng);
  }
}

message_link random_link(std::mt19937& rng) {
  message_link l;
  if (rng() % 2) {
    // A reserved word ("share", "proxy", ...) would be refused; with this seed none comes up.
    l.username = lower(random_username(rng));
  } else {
    l.channel_id = random_id<std::int64_t>(rng, mtproto::download::max_channel_id);
  }
  l.message_id = random_id<std::int32_t>(rng, mtproto::download::max_message_id);
  if (rng() % 3 == 0) l.topic_id = random_id<std::int32_t>(rng, mtproto::download::max_message_id);
  if (rng() % 3 == 0) l.comment_id = random_id<std::int32_t>(rng, mtproto::download::max_message_id);
  l.single = rng() % 2 == 0;
  return l;
}

// Another spelling of the same link: scheme, host, case, tg:// form, extra parameters.
std::string respell(const message_link& l, std::mt19937& rng, const std::string& name_spelling) {
  std::string query;
  const auto add = [&](const std::string& p) { query += (query.empty() ? "?" : "&") + p; };
  if (rng() % 3 == 0) add("utm_source=x%20y");
  if (l.comment_id) add("comment=" + std::to_string(l.comment_id));
  if (l.single) add("single");
  if (rng() % 2 == 0) {
    static const char* const schemes[] = {"", "https://", "http://", "HTTPS://"};
    static const char* const hosts[] = {"t.me", "telegram.me", "telegram.dog", "www.t.me", "T.ME"};
    std::string s = std::string(schemes[rng() % 4]) + hosts[rng() % 5] + "/";
    s += l.is_private() ? "c/" + std::to_string(l.channel_id) : name_spelling;
    s += "/";
    if (l.topic_id && rng() % 2 == 0) {
      s += std::to_string(l.topic_id) + "/" + std::to_string(l.message_id);
    } else {
      s += std::to_string(l.message_id);
      if (l.topic_id) add("thread=" + std::to_string(l.topic_id));
    }
    if (rng() % 2 == 0) s += "/";
    return s + query + (rng() % 2 == 0 ? "#frag" : "");
  }
  if (l.topic_id) add("thread=" + std::to_string(l.topic_id));
  add("post=" + std::to_string(l.message_id));
  if (l.is_private()) return "tg://privatepost" + query + "&channel=" + std::to_string(l.channel_id);
  return "tg://resolve" + query + "&domain=" + name_spelling;
}

}  // namespace

TEST_CASE("generated links round-trip and every spelling parses equal", "[download][link]") {
  std::mt19937 rng(20240601);
  for (int i = 0; i < 10000; ++i) {
    const message_link l = random_link(rng);
    check_round_trip(l);
    std::string name = l.username;  // usernames are case-insensitive: spell them in any case
    for (char& c : name)
      if (c >= 'a' && c <= 'z' && rng() % 2) c = static_cast<char>(c - 'a' + 'A');
    const std::string spelled = respell(l, rng, name);
    const auto got = parse_link(spelled);
    INFO(spelled);
    REQUIRE(got);
    CHECK(got.link() == l);
  }
}

TEST_CASE("mutated links never crash and what parses round-trips", "[download][link]") {
  std::mt19937 rng(7);
  std::vector<std::string> seeds = {
      "https://t.me/durov/123?comment=45&single#x", "t.me/c/1234567890/17/123?thread=3",
      "tg://resolve?domain=durov&post=123&thread=5", "tg://privatepost?channel=99&post=1&comment=2",
      "https://www.telegram.dog/s/durov/2147483647/", "t.me/name/100-120"};
  for (int i = 0; i < 300; ++i) seeds.push_back(random_link(rng).to_string());
  static constexpr char alphabet[] = "/?&=#:@%.-+_0123456789cstgmeCSTGME \t\0\x7f\xff";
  int parsed = 0;
  for (int i = 0; i < 30000; ++i) {
    std::string s = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < edits; ++k) {
      const std::size_t at = s.empty() ? 0 : rng() % (s.size() + 1);
      const char c = rng() % 2 ? alphabet[rng() % (sizeof alphabet - 1)] : static_cast<char>(rng());
      switch (rng() % 3) {
        case 0: s.insert(s.begin() + static_cast<std::ptrdiff_t>(at), c); break;
        case 1: if (at < s.size()) s.erase(at, 1); break;
        default: if (at < s.size()) s[at] = c; break;
      }
    }
    const auto got = parse_link(s);
    if (got) {
      ++parsed;
      INFO(s);
      check_round_trip(got.link());
    } else {
      INFO(s);
      check_error_shape(s, got.error());
    }
  }
  CHECK(parsed > 1000);  // the mutations do reach the success paths
}
