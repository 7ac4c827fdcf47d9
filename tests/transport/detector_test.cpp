// Server-side transport detection: the pure rule, and the stream codec detecting with the first
// bytes split across several feeds.
#include <catch2/catch.hpp>

#include "mtproto/transport/error.h"
#include "mtproto/transport/transport_detector.h"
#include "transport_support.h"

using namespace mtproto::transport;

namespace {
std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }
}  // namespace

TEST_CASE("detect_transport reads the first bytes", "[transport][detect]") {
  using outcome = detection::outcome;
  CHECK(detect_transport({}).result == outcome::need_more);
  CHECK(detect_transport({}).wanted == 1);

  const std::vector<std::uint8_t> ef = {0xef};
  auto d = detect_transport(ef);
  CHECK(d.result == outcome::plain);
  CHECK(d.framing == protocol::abridged);
  CHECK(d.marker_size == 1);

  const std::vector<std::uint8_t> ee = {0xee, 0xee, 0xee};
  CHECK(detect_transport(ee).result == outcome::need_more);
  CHECK(detect_transport(ee).wanted == 4);
  const std::vector<std::uint8_t> eeee = {0xee, 0xee, 0xee, 0xee};
  d = detect_transport(eeee);
  CHECK(d.result == outcome::plain);
  CHECK(d.framing == protocol::intermediate);
  CHECK(d.marker_size == 4);
  const std::vector<std::uint8_t> dddd = {0xdd, 0xdd, 0xdd, 0xdd};
  CHECK(detect_transport(dddd).framing == protocol::padded_intermediate);

  const std::vector<std::uint8_t> full_start = {0x28, 0, 0, 0, 0, 0, 0, 0};
  d = detect_transport(full_start);
  CHECK(d.result == outcome::plain);
  CHECK(d.framing == protocol::full);
  CHECK(d.marker_size == 0);
  CHECK(detect_transport(std::span(full_start).first(6)).wanted == 8);

  const std::vector<std::uint8_t> random_start = {0x28, 0, 0, 0, 0, 1, 0, 0};
  CHECK(detect_transport(random_start).result == outcome::obfuscated);

  for (auto text : {"GET / HTTP/1.1", "POST /api", "HEAD /", "OPTIONS *"}) {
    d = detect_transport(bytes_of(text));
    CHECK(d.result == outcome::rejected);
    CHECK(d.error == transport_errc::unknown_protocol);
  }
  const std::vector<std::uint8_t> tls = {0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01};
  CHECK(detect_transport(tls).result == outcome::rejected);
}

TEST_CASE("the server detects every transport with its first bytes split across feeds", "[transport][detect]") {
  struct variant {
    protocol p;
    bool obfuscated;
  };
  for (variant v : {variant{protocol::abridged, false}, variant{protocol::intermediate, false},
                    variant{protocol::padded_intermediate, false}, variant{protocol::full, false},
                    variant{protocol::abridged, true}, variant{protocol::intermediate, true},
                    variant{protocol::padded_intermediate, true}}) {
    client_options o;
    o.framing = v.p;
    o.obfuscated = v.obfuscated;
    o.dc_id = 3;
    auto client = stream_codec::client(o, mtproto::test::seeded_random(17));
    const std::vector<std::uint8_t> payload(32, 0x77);
    const auto stream = mtproto::test::concat({client.preamble(), client.encode(payload)});
    // One byte per feed through the whole detection window, then the rest.
    std::vector<std::size_t> cuts;
    for (std::size_t i = 1; i <= std::min<std::size_t>(70, stream.size() - 1); ++i) cuts.push_back(i);
    auto server = stream_codec::server({}, mtproto::test::seeded_random(18));
    const auto events = mtproto::test::feed_in_pieces(server, stream, cuts);
    INFO("protocol " << static_cast<int>(v.p) << " obfuscated " << v.obfuscated);
    REQUIRE_FALSE(server.error());
    REQUIRE(events.size() == 1);
    REQUIRE(server.info());
    CHECK(server.info()->framing == v.p);
    CHECK(server.info()->obfuscated == v.obfuscated);
    CHECK(server.info()->dc_id == (v.obfuscated ? 3 : 0));
  }
}

TEST_CASE("the server refuses what it cannot speak", "[transport][detect]") {
  auto server = stream_codec::server({}, mtproto::test::seeded_random(1));
  server.feed(bytes_of("GET / HTTP/1.1\r\n\r\n"));
  CHECK_FALSE(server.next());
  CHECK(server.error() == transport_errc::unknown_protocol);
  CHECK_FALSE(server.info());

  auto garbage = stream_codec::server({}, mtproto::test::seeded_random(2));
  std::mt19937_64 rng(3);
  auto noise = mtproto::test::random_bytes(rng, 64);
  noise[0] = 0x01;
  noise[4] = 0x01;
  garbage.feed(noise);
  CHECK_FALSE(garbage.next());
  CHECK(garbage.error() == transport_errc::bad_obfuscation_tag);
}
