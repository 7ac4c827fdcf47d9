// Every transport configuration, client -> server and server -> client, with the byte stream cut at
// every point (short streams) or at random points (large frames), and many frames back to back.
#include <catch2/catch.hpp>

#include <string>

#include "mtproto/transport/padded_intermediate_codec.h"
#include "transport_support.h"

using namespace mtproto::transport;
using mtproto::test::owned_event;

namespace {

struct config {
  std::string name;
  client_options client;
  server_options server;
};

std::array<std::uint8_t, 16> sample_key() {
  std::array<std::uint8_t, 16> k;
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(0xa0 + i * 7);
  return k;
}

std::vector<config> all_configs() {
  std::vector<config> out;
  auto plain = [&](std::string name, protocol p) {
    config c{std::move(name), {}, {}};
    c.client.framing = p;
    out.push_back(c);
  };
  plain("abridged", protocol::abridged);
  plain("intermediate", protocol::intermediate);
  plain("padded intermediate", protocol::padded_intermediate);
  plain("full", protocol::full);
  auto obfuscated = [&](std::string name, protocol p, std::int16_t dc) {
    config c{std::move(name), {}, {}};
    c.client.framing = p;
    c.client.obfuscated = true;
    c.client.dc_id = dc;
    out.push_back(c);
  };
  obfuscated("obfuscated abridged", protocol::abridged, 2);
  obfuscated("obfuscated intermediate", protocol::intermediate, -4);
  obfuscated("obfuscated padded intermediate", protocol::padded_intermediate, 5);

  proxy_secret plain_secret;
  plain_secret.key = sample_key();
  config p{"MTProxy plain secret", {}, {}};
  p.client.secret = plain_secret;
  p.client.dc_id = 1;
  p.server.secret = plain_secret;
  out.push_back(p);

  proxy_secret dd = plain_secret;
  dd.kind = proxy_secret::mode::padded;
  config d{"MTProxy dd secret", {}, {}};
  d.client.framing = protocol::abridged;  // overridden: dd forces padded intermediate
  d.client.secret = dd;
  d.client.dc_id = -2;
  d.server.secret = dd;
  out.push_back(d);
  return out;
}

bool is_padded(const stream_codec& c) { return c.info()->framing == protocol::padded_intermediate; }

/// With padded intermediate the received payload carries 0..15 padding bytes after the packet.
/// Payloads a client receives are at least 20 bytes (the shortest MTProto packet): shorter ones
/// holding a negative int32 are transport errors by definition.
void check_frame(const owned_event& got, std::span<const std::uint8_t> sent, bool padded, bool quick_ack = false) {
  REQUIRE(got.type == owned_event::kind::frame);
  CHECK(got.quick_ack_requested == quick_ack);
  if (padded) {
    REQUIRE(got.payload.size() >= sent.size());
    REQUIRE(got.payload.size() <= sent.size() + padded_intermediate_codec::max_padding);
    CHECK(std::equal(sent.begin(), sent.end(), got.payload.begin()));
  } else {
    CHECK(std::vector<std::uint8_t>(sent.begin(), sent.end()) == got.payload);
  }
}

std::vector<std::vector<std::uint8_t>> make_payloads(std::mt19937_64& rng, std::initializer_list<std::size_t> sizes) {
  std::vector<std::vector<std::uint8_t>> out;
  for (std::size_t s : sizes) out.push_back(mtproto::test::random_bytes(rng, s));
  return out;
}

/// Client stream: preamble then every payload framed.
std::vector<std::uint8_t> client_stream(stream_codec& client, const std::vector<std::vector<std::uint8_t>>& payloads) {
  std::vector<std::uint8_t> stream(client.preamble().begin(), client.preamble().end());
  for (const auto& p : payloads) {
    auto wire = client.encode(p);
    stream.insert(stream.end(), wire.begin(), wire.end());
  }
  return stream;
}

/// A server that has already detected the client's transport (the first frame is consumed).
stream_codec detected_server(const config& c, stream_codec& client, std::uint64_t seed) {
  auto server = stream_codec::server(c.server, mtproto::test::seeded_random(seed));
  std::vector<std::uint8_t> hello(8, 0x42);
  auto stream = client_stream(client, {hello});
  std::vector<owned_event> events;
  server.feed(stream);
  mtproto::test::drain(server, events);
  REQUIRE_FALSE(server.error());
  REQUIRE(events.size() == 1);
  return server;
}

}  // namespace

TEST_CASE("client to server: every split point of a short stream", "[transport][round_trip]") {
  for (const auto& c : all_configs()) {
    SECTION(c.name) {
      std::mt19937_64 rng(1);
      const auto payloads = make_payloads(rng, {4, 8, 40, 504, 508});
      auto client = stream_codec::client(c.client, mtproto::test::seeded_random(7));
      const auto stream = client_stream(client, payloads);
      for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        auto server = stream_codec::server(c.server, mtproto::test::seeded_random(9));
        const auto events = mtproto::test::feed_in_pieces(server, stream, {cut});
        INFO("cut at " << cut);
        REQUIRE_FALSE(server.error());
        REQUIRE(events.size() == payloads.size());
        for (std::size_t i = 0; i < payloads.size(); ++i) check_frame(events[i], payloads[i], is_padded(client));
        REQUIRE(server.info());
        CHECK(server.info()->framing == client.info()->framing);
        CHECK(server.info()->obfuscated == client.info()->obfuscated);
        CHECK(server.info()->dc_id == client.info()->dc_id);
      }
    }
  }
}

TEST_CASE("server to client: every split point of a short stream", "[transport][round_trip]") {
  for (const auto& c : all_configs()) {
    SECTION(c.name) {
      std::mt19937_64 rng(2);
      const auto payloads = make_payloads(rng, {20, 24, 96, 504, 508, 1024});
      auto client = stream_codec::client(c.client, mtproto::test::seeded_random(7));
      auto server = detected_server(c, client, 9);
      std::vector<std::uint8_t> stream;
      for (const auto& p : payloads) {
        auto wire = server.encode(p);
        stream.insert(stream.end(), wire.begin(), wire.end());
      }
      for (std::size_t cut = 0; cut <= stream.size(); ++cut) {
        // Same seed, same init: a fresh client decodes from the same state.
        auto receiver = stream_codec::client(c.client, mtproto::test::seeded_random(7));
        const auto events = mtproto::test::feed_in_pieces(receiver, stream, {cut});
        INFO("cut at " << cut);
        REQUIRE_FALSE(receiver.error());
        REQUIRE(events.size() == payloads.size());
        for (std::size_t i = 0; i < payloads.size(); ++i) check_frame(events[i], payloads[i], is_padded(client));
      }
    }
  }
}

TEST_CASE("large frames survive random splits in both directions", "[transport][round_trip]") {
  for (const auto& c : all_configs()) {
    SECTION(c.name) {
      std::mt19937_64 rng(3);
      const auto payloads = make_payloads(rng, {1024 * 1024, 20, 512 * 1024 + 16, 127 * 4, 126 * 4, 300000});
      for (int round = 0; round < 4; ++round) {
        auto client = stream_codec::client(c.client, mtproto::test::seeded_random(100 + round));
        auto server = stream_codec::server(c.server, mtproto::test::seeded_random(200 + round));
        const auto up = client_stream(client, payloads);
        const auto got = mtproto::test::feed_in_pieces(server, up, mtproto::test::random_cuts(rng, up.size(), 25));
        REQUIRE_FALSE(server.error());
        REQUIRE(got.size() == payloads.size());
        for (std::size_t i = 0; i < payloads.size(); ++i) check_frame(got[i], payloads[i], is_padded(client));

        std::vector<std::uint8_t> down;
        for (const auto& p : payloads) {
          auto wire = server.encode(p);
          down.insert(down.end(), wire.begin(), wire.end());
        }
        const auto back = mtproto::test::feed_in_pieces(client, down, mtproto::test::random_cuts(rng, down.size(), 25));
        REQUIRE_FALSE(client.error());
        REQUIRE(back.size() == payloads.size());
        for (std::size_t i = 0; i < payloads.size(); ++i) check_frame(back[i], payloads[i], is_padded(client));
      }
    }
  }
}

TEST_CASE("many frames concatenated, fed at once and byte by byte", "[transport][round_trip]") {
  for (const auto& c : all_configs()) {
    SECTION(c.name) {
      std::mt19937_64 rng(4);
      std::vector<std::vector<std::uint8_t>> payloads;
      for (int i = 0; i < 300; ++i) payloads.push_back(mtproto::test::random_bytes(rng, 4 * (5 + rng() % 600)));
      auto client = stream_codec::client(c.client, mtproto::test::seeded_random(11));
      const auto stream = client_stream(client, payloads);

      auto at_once = stream_codec::server(c.server, mtproto::test::seeded_random(12));
      const auto whole = mtproto::test::feed_in_pieces(at_once, stream, {});
      REQUIRE_FALSE(at_once.error());
      REQUIRE(whole.size() == payloads.size());
      for (std::size_t i = 0; i < payloads.size(); ++i) check_frame(whole[i], payloads[i], is_padded(client));

      auto bytewise = stream_codec::server(c.server, mtproto::test::seeded_random(12));
      std::vector<std::size_t> every;
      for (std::size_t i = 1; i < stream.size(); ++i) every.push_back(i);
      const auto pieces = mtproto::test::feed_in_pieces(bytewise, stream, every);
      REQUIRE_FALSE(bytewise.error());
      REQUIRE(pieces.size() == payloads.size());
      for (std::size_t i = 0; i < payloads.size(); ++i) check_frame(pieces[i], payloads[i], is_padded(client));
    }
  }
}

TEST_CASE("quick acks: requested by the client, answered by the server", "[transport][quick_ack]") {
  for (const auto& c : all_configs()) {
    if (c.client.framing == protocol::full) continue;
    SECTION(c.name) {
      std::mt19937_64 rng(5);
      auto client = stream_codec::client(c.client, mtproto::test::seeded_random(21));
      auto server = stream_codec::server(c.server, mtproto::test::seeded_random(22));
      const auto small = mtproto::test::random_bytes(rng, 64);
      const auto large = mtproto::test::random_bytes(rng, 4096);  // abridged long form: 0xff header
      auto stream = mtproto::test::concat({client.preamble(), client.encode(small, {.quick_ack = true}),
                                           client.encode(large, {.quick_ack = true}), client.encode(small)});
      const auto got = mtproto::test::feed_in_pieces(server, stream, mtproto::test::random_cuts(rng, stream.size(), 5));
      REQUIRE_FALSE(server.error());
      REQUIRE(got.size() == 3);
      check_frame(got[0], small, is_padded(client), true);
      check_frame(got[1], large, is_padded(client), true);
      check_frame(got[2], small, is_padded(client), false);

      // The top bit is forced on the token, as the spec defines tokens.
      auto down = mtproto::test::concat({server.encode_quick_ack(0x12345678), server.encode(small),
                                         server.encode_quick_ack(0x9abcdef0)});
      for (std::size_t cut = 0; cut <= down.size(); cut += 3) {
        auto receiver = stream_codec::client(c.client, mtproto::test::seeded_random(21));
        const auto events = mtproto::test::feed_in_pieces(receiver, down, {cut});
        REQUIRE_FALSE(receiver.error());
        REQUIRE(events.size() == 3);
        REQUIRE(events[0].type == owned_event::kind::quick_ack);
        CHECK(events[0].token == 0x92345678u);
        check_frame(events[1], small, is_padded(client));
        REQUIRE(events[2].type == owned_event::kind::quick_ack);
        CHECK(events[2].token == 0x9abcdef0u);
      }
    }
  }
}

TEST_CASE("transport errors from the server are typed events, not frames", "[transport][errors]") {
  for (const auto& c : all_configs()) {
    SECTION(c.name) {
      auto client = stream_codec::client(c.client, mtproto::test::seeded_random(31));
      auto server = detected_server(c, client, 32);
      const std::uint8_t positive[4] = {1, 0, 0, 0};
      auto down = mtproto::test::concat({server.encode_transport_error(-404), server.encode_transport_error(-429),
                                         server.encode(positive), server.encode_transport_error(-444)});
      auto receiver = stream_codec::client(c.client, mtproto::test::seeded_random(31));
      const auto events = mtproto::test::feed_in_pieces(receiver, down, {1, 5, 9});
      REQUIRE_FALSE(receiver.error());
      REQUIRE(events.size() == 4);
      REQUIRE(events[0].type == owned_event::kind::transport_error);
      CHECK(events[0].code == -404);
      REQUIRE(events[1].type == owned_event::kind::transport_error);
      CHECK(events[1].code == -429);
      check_frame(events[2], positive, is_padded(client));
      REQUIRE(events[3].type == owned_event::kind::transport_error);
      CHECK(events[3].code == -444);
    }
  }
}

TEST_CASE("seal frames a payload in place inside head and tail room", "[transport][zero_copy]") {
  for (const auto& c : all_configs()) {
    SECTION(c.name) {
      std::mt19937_64 rng(6);
      auto client = stream_codec::client(c.client, mtproto::test::seeded_random(41));
      auto reference = stream_codec::client(c.client, mtproto::test::seeded_random(41));
      for (std::size_t size : {4u, 504u, 508u, 65536u}) {
        const auto payload = mtproto::test::random_bytes(rng, size);
        std::vector<std::uint8_t> buffer(stream_codec::max_header_size + size + stream_codec::max_trailer_size);
        std::copy(payload.begin(), payload.end(), buffer.begin() + stream_codec::max_header_size);
        const auto wire = client.seal(buffer, stream_codec::max_header_size, size);
        CHECK(wire.data() == buffer.data() + stream_codec::max_header_size - client.header_size(size));
        // Identical codec state, identical bytes as the copying convenience.
        CHECK(std::vector<std::uint8_t>(wire.begin(), wire.end()) == reference.encode(payload));
      }
      std::vector<std::uint8_t> cramped(4 + stream_codec::max_trailer_size);
      CHECK_THROWS_AS(client.seal(cramped, 0, 4), std::system_error);
      std::vector<std::uint8_t> odd(stream_codec::max_header_size + 6 + stream_codec::max_trailer_size);
      CHECK_THROWS_AS(client.seal(odd, stream_codec::max_header_size, 6), std::system_error);
    }
  }
}

TEST_CASE("socket-style reads: prepare, partial commit, frames decoded in place", "[transport][zero_copy]") {
  for (const auto& c : all_configs()) {
    SECTION(c.name) {
      std::mt19937_64 rng(7);
      auto client = stream_codec::client(c.client, mtproto::test::seeded_random(51));
      auto server = stream_codec::server(c.server, mtproto::test::seeded_random(52));
      const auto payloads = make_payloads(rng, {64, 200000, 20, 4096});
      const auto stream = client_stream(client, payloads);
      std::vector<owned_event> got;
      std::size_t at = 0;
      while (at < stream.size()) {
        // Offer a larger space than the "socket" fills, as a real read does.
        const std::size_t offered = 1 + rng() % 9000;
        const std::size_t filled = std::min<std::size_t>({stream.size() - at, offered, 1 + rng() % offered});
        auto space = server.prepare(offered);
        REQUIRE(space.size() >= offered);
        std::copy_n(stream.begin() + static_cast<std::ptrdiff_t>(at), filled, space.begin());
        server.commit(filled);
        at += filled;
        while (auto ev = server.next()) got.push_back(mtproto::test::own(*ev));
        REQUIRE_FALSE(server.error());
        if (at < stream.size() && server.info()) CHECK(server.bytes_wanted() > 0);
      }
      REQUIRE(got.size() == payloads.size());
      for (std::size_t i = 0; i < payloads.size(); ++i) check_frame(got[i], payloads[i], is_padded(client));
      // Idle between frames: the next read only has to bring the next length field.
      CHECK(server.bytes_wanted() >= 1);
      CHECK(server.bytes_wanted() <= 4);
    }
  }
}
