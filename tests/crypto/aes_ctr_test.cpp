#include "mtproto/crypto/aes_ctr.h"

#include <openssl/evp.h>

#include <catch2/catch.hpp>
#include <random>

#include "support/hex.h"

using mtproto::crypto::aes256_ctr;
using mtproto::test::from_hex;
using mtproto::test::to_hex;

namespace {

std::vector<std::uint8_t> random_bytes(std::size_t n, std::uint32_t seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng());
  return v;
}

// One AES-256 block with OpenSSL ECB, to build the expected keystream independently of CTR mode.
std::vector<std::uint8_t> aes256_block(const std::vector<std::uint8_t>& key, const std::vector<std::uint8_t>& in) {
  EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
  REQUIRE(EVP_EncryptInit_ex(ctx, EVP_aes_256_ecb(), nullptr, key.data(), nullptr) == 1);
  EVP_CIPHER_CTX_set_padding(ctx, 0);
  std::vector<std::uint8_t> out(16);
  int n = 0;
  REQUIRE(EVP_EncryptUpdate(ctx, out.data(), &n, in.data(), 16) == 1);
  EVP_CIPHER_CTX_free(ctx);
  return out;
}

}  // namespace

TEST_CASE("AES-256-CTR NIST SP 800-38A F.5.5", "[crypto][ctr]") {
  const auto key = from_hex("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4");
  const auto iv = from_hex("f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff");
  auto data = from_hex(
      "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
      "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710");
  aes256_ctr ctr(std::span<const std::uint8_t, 32>(key.data(), 32), std::span<const std::uint8_t, 16>(iv.data(), 16));
  ctr.apply(data);
  CHECK(to_hex(data) ==
        "601ec313775789a5b7a7f504bbf3d228f443e3ca4d62b59aca84e990cacaf5c5"
        "2b0930daa23de94ce87017ba2d84988ddfc9c58db67aada613c2dd08457941a6");
}

TEST_CASE("AES-256-CTR counter is one big-endian 128-bit integer", "[crypto][ctr]") {
  const auto key = random_bytes(32, 1);
  // Carry must ripple from the last byte through the whole block: 00ffff..ff + 1 = 0100..00.
  auto iv = from_hex("00ffffffffffffffffffffffffffffff");
  std::vector<std::uint8_t> zeros(48, 0);
  aes256_ctr ctr(std::span<const std::uint8_t, 32>(key.data(), 32), std::span<const std::uint8_t, 16>(iv.data(), 16));
  ctr.apply(zeros);
  CHECK(to_hex(std::span(zeros).subspan(0, 16)) == to_hex(aes256_block(key, iv)));
  CHECK(to_hex(std::span(zeros).subspan(16, 16)) ==
        to_hex(aes256_block(key, from_hex("01000000000000000000000000000000"))));
  CHECK(to_hex(std::span(zeros).subspan(32, 16)) ==
        to_hex(aes256_block(key, from_hex("01000000000000000000000000000001"))));
}

TEST_CASE("AES-256-CTR streaming in arbitrary pieces equals one shot", "[crypto][ctr]") {
  const auto key = random_bytes(32, 2);
  const auto iv = random_bytes(16, 3);
  const auto plain = random_bytes(5000, 4);
  const std::span<const std::uint8_t, 32> k(key.data(), 32);
  const std::span<const std::uint8_t, 16> v(iv.data(), 16);

  std::vector<std::uint8_t> whole(plain.size());
  aes256_ctr(k, v).apply(plain, whole);

  std::mt19937 rng(5);
  for (int round = 0; round < 50; ++round) {
    aes256_ctr ctr(k, v);
    std::vector<std::uint8_t> pieces = plain;
    std::size_t pos = 0;
    while (pos < pieces.size()) {
      const std::size_t n = std::min<std::size_t>(rng() % 40, pieces.size() - pos);  // 0-length pieces too
      ctr.apply(std::span(pieces).subspan(pos, n));
      pos += n;
    }
    REQUIRE(pieces == whole);
  }

  // Decryption is the same operation; a moved stream continues where it was.
  aes256_ctr first(k, v);
  std::vector<std::uint8_t> back = whole;
  first.apply(std::span(back).subspan(0, 100));
  aes256_ctr moved = std::move(first);
  moved.apply(std::span(back).subspan(100));
  CHECK(back == plain);
}
