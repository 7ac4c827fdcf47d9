#include <catch2/catch.hpp>

#include "mtproto/api/DcOption.h"
#include "mtproto/client/dc_table.h"

using namespace mtproto;
using namespace mtproto::client;

TEST_CASE("dc_table: built-in production and test tables", "[dc]") {
  auto prod = dc_table::production();
  CHECK(prod.dc_ids() == std::vector<int>{1, 2, 3, 4, 5});
  CHECK(prod.endpoints(2).at(0).host == "149.154.167.51");
  CHECK(prod.endpoints(2).at(0).port == 443);
  CHECK_FALSE(prod.test_mode());
  REQUIRE(prod.rsa_keys().size() == 2);
  CHECK(prod.rsa_keys()[0].fingerprint() == crypto::telegram_production_key().fingerprint());

  auto test = dc_table::test();
  CHECK(test.dc_ids() == std::vector<int>{1, 2, 3});
  CHECK(test.test_mode());
  REQUIRE(test.rsa_keys().size() == 1);
  CHECK(test.rsa_keys()[0].fingerprint() == crypto::telegram_test_key().fingerprint());
}

TEST_CASE("dc_table: overrides replace a DC's addresses", "[dc]") {
  auto t = dc_table::production();
  t.set(2, "127.0.0.1", 4430);
  REQUIRE(t.endpoints(2).size() == 1);
  CHECK(t.endpoints(2)[0].host == "127.0.0.1");
  CHECK(t.endpoints(2)[0].port == 4430);
  t.clear(5);
  CHECK_FALSE(t.has(5));
  CHECK(t.endpoints(5).empty());
}

namespace {
api::DcOption option(int id, std::string ip, int port, bool media = false, bool cdn = false, bool ipv6 = false) {
  api::dcOption o;
  o.id = id;
  o.ip_address = std::move(ip);
  o.port = port;
  o.media_only = media;
  o.cdn = cdn;
  o.ipv6 = ipv6;
  return api::DcOption(std::move(o));
}
}  // namespace

TEST_CASE("dc_table: help.getConfig options refresh the DCs they name; media-only and CDN honoured", "[dc]") {
  auto t = dc_table::production();
  t.apply({option(2, "10.0.0.2", 443), option(2, "10.0.0.22", 443, true), option(2, "2001:db8::2", 443, false, false, true),
           option(4, "10.0.0.4", 80), option(7, "10.0.0.7", 443, false, true), option(9, "10.0.0.9", 70000)});
  // DC 2: ordinary address for the main session, media-only first for downloads, IPv6 skipped.
  REQUIRE(t.endpoints(2).size() == 1);
  CHECK(t.endpoints(2)[0].host == "10.0.0.2");
  auto media = t.endpoints(2, true);
  REQUIRE(media.size() == 2);
  CHECK(media[0].host == "10.0.0.22");
  CHECK(media[1].host == "10.0.0.2");
  CHECK(t.endpoints(4)[0].port == 80);
  // DC 1 was not mentioned: keeps the built-in address.
  CHECK(t.endpoints(1)[0].host == "149.154.175.53");
  // A CDN DC is known only as CDN.
  CHECK(t.endpoints(7).empty());
  REQUIRE(t.cdn_endpoints(7).size() == 1);
  // An impossible port is ignored.
  CHECK_FALSE(t.has(9));

  auto v6 = dc_table::production();
  v6.apply({option(2, "2001:db8::2", 443, false, false, true)}, true);
  CHECK(v6.endpoints(2)[0].ipv6);
}

TEST_CASE("dc_table: host:port parsing", "[dc]") {
  auto e = parse_host_port("127.0.0.1:4430");
  REQUIRE(e);
  CHECK(e->host == "127.0.0.1");
  CHECK(e->port == 4430);
  auto v6 = parse_host_port("[::1]:443");
  REQUIRE(v6);
  CHECK(v6->host == "::1");
  CHECK(v6->ipv6);
  CHECK_FALSE(parse_host_port("host"));
  CHECK_FALSE(parse_host_port("host:"));
  CHECK_FALSE(parse_host_port("host:0"));
  CHECK_FALSE(parse_host_port("host:65536"));
  CHECK_FALSE(parse_host_port("host:12x"));
  CHECK_FALSE(parse_host_port(":443"));
  CHECK_FALSE(parse_host_port("::1:443"));
}

TEST_CASE("dc_table: host:port refuses hosts no address has (found by fuzz_dc_table)", "[dc]") {
  // "[[x]:80" used to give host "[x", which printed back as "[x:80" no longer parsed.
  CHECK_FALSE(parse_host_port("[[x]:80"));
  CHECK_FALSE(parse_host_port("[a[b]:80"));
  CHECK_FALSE(parse_host_port("a]b:80"));
  CHECK_FALSE(parse_host_port("a[b:80"));
  // A NUL would cut the name the resolver sees; spaces and control bytes are in no host name.
  CHECK_FALSE(parse_host_port(std::string_view("149.154.167.51\0evil:443", 23)));
  CHECK_FALSE(parse_host_port("ho st:443"));
  CHECK_FALSE(parse_host_port("host\t:443"));
  CHECK_FALSE(parse_host_port("[::1 ]:443"));
  // Still accepted: names, IPv4, bracketed IPv6 (also with a zone), and bytes above ASCII.
  CHECK(parse_host_port("dc2.example:443"));
  CHECK(parse_host_port("[fe80::1%eth0]:443"));
  CHECK(parse_host_port("b\xc3\xbc" "cher.example:443"));
}
