// Obfuscated2 against keys derived independently (a fixed vector computed with Python's
// `cryptography` package, and OpenSSL EVP in this file), forbidden-init avoidance, MTProxy secrets,
// and what the server learns from the init.
#include <catch2/catch.hpp>

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <algorithm>
#include <deque>

#include "mtproto/transport/error.h"
#include "mtproto/transport/obfuscated_codec.h"
#include "support/hex.h"
#include "transport_support.h"

using namespace mtproto::transport;
using mtproto::test::from_hex;
using mtproto::test::owned_event;
using mtproto::test::to_hex;

namespace {

obfuscated_init counting_init() {
  obfuscated_init init;
  for (std::size_t i = 0; i < init.size(); ++i) init[i] = static_cast<std::uint8_t>(i);
  return init;
}

std::array<std::uint8_t, 16> sample_key() {
  std::array<std::uint8_t, 16> k;
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(0xa0 + i * 7);
  return k;
}

/// A random source that hands out the given 64-byte blocks in order, then seeded bytes.
random_source scripted(std::deque<std::vector<std::uint8_t>> blocks) {
  auto queue = std::make_shared<std::deque<std::vector<std::uint8_t>>>(std::move(blocks));
  auto fallback = mtproto::test::seeded_random(99);
  return [queue, fallback](std::span<std::uint8_t> out) {
    if (!queue->empty() && queue->front().size() == out.size()) {
      std::copy(queue->front().begin(), queue->front().end(), out.begin());
      queue->pop_front();
      return;
    }
    fallback(out);
  };
}

/// AES-256-CTR straight from OpenSSL EVP: the reference the codec is checked against.
std::vector<std::uint8_t> evp_ctr(std::span<const std::uint8_t> key, std::span<const std::uint8_t> iv,
                                  std::span<const std::uint8_t> data) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  REQUIRE(EVP_EncryptInit_ex(ctx, EVP_aes_256_ctr(), nullptr, key.data(), iv.data()) == 1);
  std::vector<std::uint8_t> out(data.size());
  int len = 0;
  REQUIRE(EVP_EncryptUpdate(ctx, out.data(), &len, data.data(), static_cast<int>(data.size())) == 1);
  EVP_CIPHER_CTX_free(ctx);
  return out;
}

std::vector<std::uint8_t> sha256_of(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  std::vector<std::uint8_t> in(a.begin(), a.end());
  in.insert(in.end(), b.begin(), b.end());
  std::vector<std::uint8_t> out(SHA256_DIGEST_LENGTH);
  SHA256(in.data(), in.size(), out.data());
  return out;
}

std::vector<std::uint8_t> le32(std::uint32_t v) {
  return {static_cast<std::uint8_t>(v), static_cast<std::uint8_t>(v >> 8), static_cast<std::uint8_t>(v >> 16),
          static_cast<std::uint8_t>(v >> 24)};
}

}  // namespace

TEST_CASE("obfuscated2 matches a vector computed independently", "[transport][obfuscated]") {
  // Computed with Python `cryptography` (AES-CTR) and hashlib from init bytes 00..3f.
  const auto payload = from_hex("101112131415161718191a1b1c1d1e1f2021222324252627");
  const auto down_payload = from_hex("404142434445464748494a4b4c4d4e4f50515253");

  SECTION("intermediate, DC -3, no secret, through stream_codec") {
    const auto init = counting_init();
    client_options o;
    o.framing = protocol::intermediate;
    o.obfuscated = true;
    o.dc_id = -3;
    auto client = stream_codec::client(o, scripted({{init.begin(), init.end()}}));
    CHECK(to_hex(client.preamble()) ==
          "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
          "202122232425262728292a2b2c2d2e2f30313233343536374618255ee3fffd5d");
    CHECK(to_hex(client.encode(payload)) == "2aa9c12828e0775236a486aa05bba810bebbdab2f9d62cd809b3303b");
    client.feed(from_hex("3b9de3709e8d4403d19c77a4426f31229d70f8f2b561d225"));
    auto ev = client.next();
    REQUIRE(ev);
    const auto& frame = std::get<frame_received>(*ev);
    CHECK(std::vector<std::uint8_t>(frame.payload.begin(), frame.payload.end()) == down_payload);
  }
  SECTION("padded intermediate tag, DC 2, MTProxy secret, cipher layer alone") {
    const auto key = sample_key();
    auto codec = obfuscated_codec::client_with_init(counting_init(), wire::padded_intermediate_tag, 2, key);
    CHECK(to_hex(codec.preamble()) ==
          "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
          "202122232425262728292a2b2c2d2e2f3031323334353637deca64d3a1ecdcd9");
    auto up = mtproto::test::concat({le32(24), payload});
    codec.encrypt(up);
    CHECK(to_hex(up) == "bbbed8875578be3efa8ebd83c332da52b90747206f06861c90a13bb9");
    auto down = from_hex("10d91e9579116dfd57fb50639c174d1998090f9dd29a6a13");
    codec.decrypt(down);
    CHECK(down == mtproto::test::concat({le32(20), down_payload}));
  }
}

TEST_CASE("obfuscated2 keys match OpenSSL EVP derivation on random inits", "[transport][obfuscated]") {
  std::mt19937_64 rng(5);
  const auto key = sample_key();
  for (int round = 0; round < 50; ++round) {
    obfuscated_init init;
    do {
      const auto bytes = mtproto::test::random_bytes(rng, init.size());
      std::copy(bytes.begin(), bytes.end(), init.begin());
    } while (is_forbidden_obfuscated_init(init));
    const bool with_secret = round % 2 == 1;
    const std::span<const std::uint8_t> secret = with_secret ? std::span<const std::uint8_t>(key) : std::span<const std::uint8_t>();
    const auto dc = static_cast<std::int16_t>(static_cast<int>(rng() % 2000) - 1000);
    auto codec = obfuscated_codec::client_with_init(init, wire::abridged_tag, dc, secret);

    // Reference: tag and DC id written in, keys from bytes 8..56 and their reverse.
    std::vector<std::uint8_t> plain(init.begin(), init.end());
    std::copy_n(le32(wire::abridged_tag).begin(), 4, plain.begin() + 56);
    plain[60] = static_cast<std::uint8_t>(static_cast<std::uint16_t>(dc));
    plain[61] = static_cast<std::uint8_t>(static_cast<std::uint16_t>(dc) >> 8);
    std::vector<std::uint8_t> enc_key(plain.begin() + 8, plain.begin() + 40), enc_iv(plain.begin() + 40, plain.begin() + 56);
    std::vector<std::uint8_t> reversed(plain.begin() + 8, plain.begin() + 56);
    std::reverse(reversed.begin(), reversed.end());
    std::vector<std::uint8_t> dec_key(reversed.begin(), reversed.begin() + 32), dec_iv(reversed.begin() + 32, reversed.end());
    if (with_secret) {
      enc_key = sha256_of(enc_key, secret);
      dec_key = sha256_of(dec_key, secret);
    }
    const auto data = mtproto::test::random_bytes(rng, 1 + rng() % 3000);
    const auto reference_up = evp_ctr(enc_key, enc_iv, mtproto::test::concat({plain, data}));
    std::vector<std::uint8_t> expected_preamble(plain.begin(), plain.begin() + 56);
    expected_preamble.insert(expected_preamble.end(), reference_up.begin() + 56, reference_up.begin() + 64);
    CHECK(std::vector<std::uint8_t>(codec.preamble().begin(), codec.preamble().end()) == expected_preamble);
    auto up = data;
    codec.encrypt(up);
    CHECK(std::equal(up.begin(), up.end(), reference_up.begin() + 64));

    const auto reference_down = evp_ctr(dec_key, dec_iv, data);
    auto down = reference_down;
    codec.decrypt(down);
    CHECK(down == data);

    // The server derives the mirror image from the preamble alone.
    std::error_code ec;
    auto server = obfuscated_codec::server(std::span<const std::uint8_t, 64>(codec.preamble().data(), 64), secret, ec);
    REQUIRE(server);
    CHECK_FALSE(ec);
    CHECK(server->dc_id() == dc);
    CHECK(server->protocol_tag() == wire::abridged_tag);
    auto echoed = data;
    server->decrypt(echoed);  // continues after the init, like the client's encryptor
    CHECK(std::equal(echoed.begin(), echoed.end(), reference_up.begin() + 64));
  }
}

TEST_CASE("forbidden obfuscated2 inits are drawn again", "[transport][obfuscated]") {
  // Documented behaviour: the whole 64 bytes are requested again from the random source.
  std::mt19937_64 rng(6);
  auto block_with_prefix = [&](std::vector<std::uint8_t> prefix) {
    auto block = mtproto::test::random_bytes(rng, 64);
    std::copy(prefix.begin(), prefix.end(), block.begin());
    if (prefix.size() <= 4) block[4] = 0x5a;  // keep the second word non-zero unless the prefix sets it
    return block;
  };
  std::deque<std::vector<std::uint8_t>> bad = {
      block_with_prefix({0xef}),
      block_with_prefix(le32(0x44414548)),  // HEAD
      block_with_prefix(le32(0x54534f50)),  // POST
      block_with_prefix(le32(0x20544547)),  // GET
      block_with_prefix(le32(0x4954504f)),  // OPTI
      block_with_prefix(le32(0xdddddddd)),
      block_with_prefix(le32(0xeeeeeeee)),
      block_with_prefix(le32(0x02010316)),  // TLS record
      block_with_prefix({0x01, 0x02, 0x03, 0x04, 0, 0, 0, 0}),  // second word zero: full's seqno
  };
  for (const auto& b : bad) {
    REQUIRE(is_forbidden_obfuscated_init(std::span<const std::uint8_t, 64>(b.data(), 64)));
    CHECK_THROWS_AS(obfuscated_codec::client_with_init(std::span<const std::uint8_t, 64>(b.data(), 64),
                                                       wire::intermediate_tag, 1, {}),
                    std::system_error);
  }
  const auto good = block_with_prefix({0x01, 0x02, 0x03, 0x04, 0x05});
  REQUIRE_FALSE(is_forbidden_obfuscated_init(std::span<const std::uint8_t, 64>(good.data(), 64)));

  SECTION("the codec asks again until the bytes are acceptable") {
    auto script = bad;
    script.push_back(good);
    auto codec = obfuscated_codec::client(wire::intermediate_tag, 1, {}, scripted(script));
    CHECK(std::equal(good.begin(), good.begin() + 56, codec.preamble().begin()));
  }
  SECTION("a source that never yields acceptable bytes is an error, not a hang") {
    const auto always_bad = [](std::span<std::uint8_t> out) { std::fill(out.begin(), out.end(), std::uint8_t{0xef}); };
    try {
      obfuscated_codec::client(wire::intermediate_tag, 1, {}, always_bad);
      FAIL("expected random_source_failed");
    } catch (const std::system_error& e) {
      CHECK(e.code() == transport_errc::random_source_failed);
    }
  }
}

TEST_CASE("the server reads DC id and protocol from the init", "[transport][obfuscated][detect]") {
  for (std::int16_t dc : {std::int16_t{1}, std::int16_t{-1}, std::int16_t{-5}, std::int16_t{203}, std::int16_t{-32768}}) {
    for (protocol p : {protocol::abridged, protocol::intermediate, protocol::padded_intermediate}) {
      client_options o;
      o.framing = p;
      o.obfuscated = true;
      o.dc_id = dc;
      auto client = stream_codec::client(o, mtproto::test::seeded_random(static_cast<std::uint64_t>(dc + 40000)));
      auto server = stream_codec::server({}, mtproto::test::seeded_random(1));
      server.feed(client.preamble());
      CHECK_FALSE(server.next());
      CHECK_FALSE(server.error());
      REQUIRE(server.info());
      CHECK(server.info()->obfuscated);
      CHECK(server.info()->framing == p);
      CHECK(server.info()->dc_id == dc);
    }
  }
}

TEST_CASE("MTProxy secrets", "[transport][obfuscated][proxy]") {
  const auto key = sample_key();
  SECTION("parsing the three forms") {
    auto plain = proxy_secret::from_hex("a0a7aeb5bcc3cad1d8dfe6edf4fb0209");
    REQUIRE(plain);
    CHECK(plain->kind == proxy_secret::mode::obfuscated);
    CHECK(plain->key == key);
    auto dd = proxy_secret::from_hex("DDa0a7aeb5bcc3cad1d8dfe6edf4fb0209");
    REQUIRE(dd);
    CHECK(dd->kind == proxy_secret::mode::padded);
    CHECK(dd->key == key);
    auto ee = proxy_secret::from_hex("eea0a7aeb5bcc3cad1d8dfe6edf4fb0209" "676f6f676c652e636f6d");
    REQUIRE(ee);
    CHECK(ee->kind == proxy_secret::mode::fake_tls);
    CHECK(ee->tls_domain == "google.com");
    CHECK_FALSE(proxy_secret::from_hex("a0a7"));
    CHECK_FALSE(proxy_secret::from_hex("zza7aeb5bcc3cad1d8dfe6edf4fb0209"));
    CHECK_FALSE(proxy_secret::from_hex("aba0a7aeb5bcc3cad1d8dfe6edf4fb0209"));
  }
  SECTION("a dd secret forces padded intermediate, and the server decodes with the secret") {
    client_options o;
    o.framing = protocol::abridged;
    o.secret = proxy_secret::from_hex("dda0a7aeb5bcc3cad1d8dfe6edf4fb0209");
    o.dc_id = 4;
    auto client = stream_codec::client(o, mtproto::test::seeded_random(8));
    CHECK(client.info()->framing == protocol::padded_intermediate);
    CHECK(client.info()->obfuscated);
    server_options so;
    so.secret = o.secret;
    auto server = stream_codec::server(so, mtproto::test::seeded_random(9));
    const std::vector<std::uint8_t> payload(40, 0x11);
    server.feed(mtproto::test::concat({client.preamble(), client.encode(payload)}));
    auto ev = server.next();
    REQUIRE(ev);
    CHECK(server.info()->framing == protocol::padded_intermediate);
    CHECK(server.info()->dc_id == 4);
    CHECK(std::get<frame_received>(*ev).payload.size() >= 40);
  }
  SECTION("a wrong or missing secret is rejected by the tag check") {
    client_options o;
    o.secret = proxy_secret::from_hex("a0a7aeb5bcc3cad1d8dfe6edf4fb0209");
    auto client = stream_codec::client(o, mtproto::test::seeded_random(10));
    server_options other;
    other.secret = proxy_secret::from_hex("00a7aeb5bcc3cad1d8dfe6edf4fb0209");
    for (const server_options& so : {server_options{}, other}) {
      auto server = stream_codec::server(so, mtproto::test::seeded_random(11));
      server.feed(client.preamble());
      CHECK_FALSE(server.next());
      CHECK(server.error() == transport_errc::bad_obfuscation_tag);
    }
  }
  SECTION("an endpoint may refuse unobfuscated clients") {
    server_options so;
    so.secret = proxy_secret::from_hex("a0a7aeb5bcc3cad1d8dfe6edf4fb0209");
    so.accept_unobfuscated = false;
    auto server = stream_codec::server(so, mtproto::test::seeded_random(12));
    const std::uint8_t abridged[] = {0xef, 0x01, 0, 0, 0, 0};
    server.feed(abridged);
    CHECK_FALSE(server.next());
    CHECK(server.error() == transport_errc::unobfuscated_rejected);
  }
  SECTION("fake-TLS secrets are refused until implemented") {
    client_options o;
    o.secret = proxy_secret::from_hex("eea0a7aeb5bcc3cad1d8dfe6edf4fb0209676f6f676c652e636f6d");
    CHECK_THROWS_AS(stream_codec::client(o, mtproto::test::seeded_random(13)), std::system_error);
  }
}
