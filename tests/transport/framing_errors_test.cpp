// Corrupt and hostile input: every malformed frame is a typed error on the connection, reported as
// soon as the header shows it (no buffering up to a bogus length), and sticky afterwards.
#include <catch2/catch.hpp>

#include "mtproto/transport/abridged_codec.h"
#include "mtproto/transport/error.h"
#include "mtproto/transport/full_codec.h"
#include "mtproto/transport/intermediate_codec.h"
#include "mtproto/transport/padded_intermediate_codec.h"
#include "transport_support.h"

using namespace mtproto::transport;
using mtproto::test::owned_event;

namespace {

stream_codec plain_client(protocol p, std::size_t max_frame = default_max_frame_size) {
  client_options o;
  o.framing = p;
  o.max_frame_size = max_frame;
  return stream_codec::client(o, mtproto::test::seeded_random(1));
}

stream_codec plain_server(std::size_t max_frame = default_max_frame_size) {
  server_options o;
  o.max_frame_size = max_frame;
  return stream_codec::server(o, mtproto::test::seeded_random(2));
}

/// Frames the server side would send, built with a server-role framing codec directly.
std::vector<std::uint8_t> server_frames(framing_codec& framing, std::initializer_list<std::size_t> sizes) {
  std::vector<std::uint8_t> out;
  std::uint8_t fill = 1;
  for (std::size_t size : sizes) {
    std::vector<std::uint8_t> buf(framing.max_header_size() + size + framing.max_trailer_size(), fill++);
    auto wire = framing.seal(buf, framing.max_header_size(), size);
    out.insert(out.end(), wire.begin(), wire.end());
  }
  return out;
}

std::vector<owned_event> feed_all(stream_codec& codec, std::span<const std::uint8_t> bytes) {
  return mtproto::test::feed_in_pieces(codec, bytes, {});
}

}  // namespace

TEST_CASE("full transport: CRC and sequence numbers are checked", "[transport][full][errors]") {
  full_codec sender(role::server);
  const auto frames = server_frames(sender, {40, 80, 120});  // seqno 0, 1, 2
  const std::size_t f0 = 52, f1 = 92;

  SECTION("intact stream decodes") {
    auto client = plain_client(protocol::full);
    CHECK(feed_all(client, frames).size() == 3);
    CHECK_FALSE(client.error());
  }
  SECTION("a flipped payload bit fails the CRC") {
    auto corrupt = frames;
    corrupt[f0 + 20] ^= 0x04;
    auto client = plain_client(protocol::full);
    const auto events = feed_all(client, corrupt);
    CHECK(events.size() == 1);
    CHECK(client.error() == transport_errc::bad_checksum);
  }
  SECTION("a corrupted CRC field fails") {
    auto corrupt = frames;
    corrupt[f0 - 1] ^= 0x80;
    auto client = plain_client(protocol::full);
    CHECK(feed_all(client, corrupt).empty());
    CHECK(client.error() == transport_errc::bad_checksum);
  }
  SECTION("a dropped frame is a sequence gap") {
    std::vector<std::uint8_t> gap(frames.begin(), frames.begin() + f0);
    gap.insert(gap.end(), frames.begin() + f0 + f1, frames.end());
    auto client = plain_client(protocol::full);
    CHECK(feed_all(client, gap).size() == 1);
    CHECK(client.error() == transport_errc::bad_seqno);
  }
  SECTION("a replayed frame is out of sequence") {
    std::vector<std::uint8_t> replay(frames.begin(), frames.begin() + f0);
    replay.insert(replay.end(), frames.begin(), frames.begin() + f0);
    auto client = plain_client(protocol::full);
    CHECK(feed_all(client, replay).size() == 1);
    CHECK(client.error() == transport_errc::bad_seqno);
  }
  SECTION("lengths below the 12-byte framing or not word-aligned are invalid") {
    for (std::uint32_t length : {0u, 4u, 8u, 13u, 50u}) {
      full_codec decoder(role::client);
      std::vector<std::uint8_t> bytes(64, 0);
      bytes[0] = static_cast<std::uint8_t>(length);
      const auto r = decoder.parse(bytes);
      REQUIRE(r.state == parse_result::status::failed);
      CHECK(r.error == transport_errc::invalid_length);
    }
  }
}

TEST_CASE("oversize lengths fail from the header alone", "[transport][errors]") {
  constexpr std::size_t limit = 1024;
  SECTION("each framing, client side") {
    struct probe {
      protocol p;
      std::vector<std::uint8_t> header;
    };
    const std::vector<probe> probes = {
        {protocol::abridged, {0x7f, 0x01, 0x01, 0x00}},            // 257 words
        {protocol::intermediate, {0x04, 0x04, 0x00, 0x00}},        // 1028 bytes
        {protocol::padded_intermediate, {0x10, 0x04, 0x00, 0x00}},  // 1040 > 1024 + 15
        {protocol::full, {0x10, 0x04, 0x00, 0x00, 0, 0, 0, 0}},     // 1040 - 12 > 1024
    };
    for (const auto& pr : probes) {
      auto client = plain_client(pr.p, limit);
      client.feed(pr.header);
      CHECK_FALSE(client.next());
      CHECK(client.error() == transport_errc::frame_too_large);
      // Sticky: a valid frame afterwards changes nothing.
      client.feed(std::vector<std::uint8_t>(64, 0));
      CHECK_FALSE(client.next());
      CHECK(client.error() == transport_errc::frame_too_large);
    }
  }
  SECTION("exactly the limit is accepted") {
    intermediate_codec sender(role::server, {limit});
    auto client = plain_client(protocol::intermediate, limit);
    CHECK(feed_all(client, server_frames(sender, {limit})).size() == 1);
    CHECK_FALSE(client.error());
    CHECK_THROWS_AS(server_frames(sender, {limit + 4}), std::system_error);
  }
  SECTION("server side, after detection") {
    auto server = plain_server(limit);
    const std::uint8_t bytes[] = {0xee, 0xee, 0xee, 0xee, 0x00, 0x00, 0x00, 0x40};  // 1 GiB
    server.feed(bytes);
    CHECK_FALSE(server.next());
    CHECK(server.error() == transport_errc::frame_too_large);
  }
  SECTION("a frame within the limit is buffered only as far as it has arrived") {
    auto client = plain_client(protocol::intermediate);
    const std::uint8_t header[] = {0x00, 0x00, 0xf0, 0x00};  // 15 MiB announced
    client.feed(header);
    CHECK_FALSE(client.next());
    CHECK_FALSE(client.error());
    CHECK(client.bytes_wanted() == 0xf00000);
  }
}

TEST_CASE("zero and unaligned lengths are invalid", "[transport][errors]") {
  auto check = [](protocol p, std::vector<std::uint8_t> bytes) {
    auto client = plain_client(p);
    client.feed(bytes);
    CHECK_FALSE(client.next());
    CHECK(client.error() == transport_errc::invalid_length);
  };
  check(protocol::abridged, {0x00});
  check(protocol::abridged, {0x7f, 0x00, 0x00, 0x00});
  check(protocol::intermediate, {0x00, 0x00, 0x00, 0x00});
  check(protocol::intermediate, {0x06, 0x00, 0x00, 0x00});
  check(protocol::padded_intermediate, {0x03, 0x00, 0x00, 0x00});
}

TEST_CASE("padded intermediate accepts unaligned lengths (the padding)", "[transport][padded]") {
  padded_intermediate_codec decoder(role::server, mtproto::test::seeded_random(3));
  std::vector<std::uint8_t> bytes = {0x07, 0x00, 0x00, 0x00, 1, 2, 3, 4, 5, 6, 7};
  const auto r = decoder.parse(bytes);
  REQUIRE(r.state == parse_result::status::ready);
  CHECK(std::get<frame_received>(r.ev).payload.size() == 7);
}

TEST_CASE("quick-ack wire forms", "[transport][quick_ack]") {
  SECTION("abridged client request sets the length byte's top bit; 0xff for the long form") {
    abridged_codec client(role::client);
    std::vector<std::uint8_t> buf(4 + 508, 0);
    CHECK(client.seal(buf, 4, 8, {.quick_ack = true})[0] == (0x80 | 2));
    CHECK(client.seal(buf, 4, 508, {.quick_ack = true})[0] == 0xff);
    CHECK(client.seal(buf, 4, 508)[0] == 0x7f);
  }
  SECTION("abridged server token is big-endian, intermediate little-endian") {
    abridged_codec abridged(role::server);
    intermediate_codec intermediate(role::server);
    std::array<std::uint8_t, 4> a{}, i{};
    abridged.write_quick_ack(0x81020304, a);
    intermediate.write_quick_ack(0x01020304, i);
    CHECK(a == std::array<std::uint8_t, 4>{0x81, 0x02, 0x03, 0x04});
    CHECK(i == std::array<std::uint8_t, 4>{0x04, 0x03, 0x02, 0x81});
  }
  SECTION("misuse throws") {
    full_codec full(role::client);
    abridged_codec server(role::server);
    abridged_codec client(role::client);
    std::vector<std::uint8_t> buf(64, 0);
    std::array<std::uint8_t, 4> out{};
    CHECK_THROWS_AS(full.seal(buf, 8, 8, {.quick_ack = true}), std::system_error);
    CHECK_THROWS_AS(server.seal(buf, 8, 8, {.quick_ack = true}), std::system_error);
    CHECK_THROWS_AS(client.write_quick_ack(1, out), std::system_error);
    CHECK_THROWS_AS(full_codec(role::server).write_quick_ack(1, out), std::system_error);
  }
}

TEST_CASE("a server cannot send before it knows the transport", "[transport][errors]") {
  auto server = plain_server();
  const std::uint8_t payload[8] = {};
  try {
    server.encode(payload);
    FAIL("encode before detection must throw");
  } catch (const std::system_error& e) {
    CHECK(e.code() == transport_errc::not_ready);
  }
}

TEST_CASE("options that cannot work are refused", "[transport][errors]") {
  client_options full_obfuscated;
  full_obfuscated.framing = protocol::full;
  full_obfuscated.obfuscated = true;
  CHECK_THROWS_AS(stream_codec::client(full_obfuscated, mtproto::test::seeded_random(1)), std::system_error);
  client_options needs_random;
  needs_random.framing = protocol::padded_intermediate;
  CHECK_THROWS_AS(stream_codec::client(needs_random, nullptr), std::system_error);
  CHECK_THROWS_AS(stream_codec::server({}, nullptr), std::system_error);
}

TEST_CASE("transport error codes have a category and messages", "[transport][errors]") {
  const std::error_code ec = transport_errc::bad_checksum;
  CHECK(std::string(ec.category().name()) == "mtproto.transport");
  CHECK(ec.message() == "frame CRC32 mismatch");
  CHECK(std::error_code(transport_errc::frame_too_large) != std::error_code(transport_errc::invalid_length));
}
