#include "mtproto/crypto/aes_ige.h"

#include <openssl/evp.h>
#include <zlib.h>

#include <catch2/catch.hpp>

#include "crypto/ige_portable.h"
#include "crypto/x86_kernels.h"
#include "mtproto/crypto/cpu_features.h"
#include "mtproto/crypto/error.h"
#include "test_util.h"

using namespace mtproto::crypto;
using namespace mtproto::test;

namespace {

std::vector<aes_backend> backends() {
  std::vector<aes_backend> b{aes_backend::portable};
  if (detected_cpu_features().aesni) b.push_back(aes_backend::aesni);
  return b;
}

const char* name(aes_backend b) { return b == aes_backend::aesni ? "aesni" : "portable"; }

std::uint32_t crc32_of(const std::vector<std::uint8_t>& v) {
  return static_cast<std::uint32_t>(::crc32(0L, v.data(), static_cast<uInt>(v.size())));
}

std::vector<std::uint8_t> run(aes_backend backend, bool encrypt, const std::vector<std::uint8_t>& key,
                              const std::vector<std::uint8_t>& iv, std::vector<std::uint8_t> data) {
  aes256_ige_key k(fixed<32>(key), backend);
  if (encrypt) {
    ige_encrypt(k, fixed<32>(iv), data);
  } else {
    ige_decrypt(k, fixed<32>(iv), data);
  }
  return data;
}

}  // namespace

TEST_CASE("IGE reference vectors (OpenSSL igetest AES-128, grammers AES-256)", "[crypto][ige][vectors]") {
  const json doc = load_vectors("aes_ige.json");
  for (const json& v : doc["vectors"].items()) {
    INFO(v["name"].str());
    const auto key = from_hex(v["key"].str());
    const auto iv = from_hex(v["iv"].str());
    const auto input = from_hex(v["input"].str());
    const bool encrypt = v["op"].str() == "encrypt";
    if (v["key_bits"].i64() == 128) {
      // AES-128 only exercises the chaining: run it through the portable IGE over an AES-128 ECB.
      EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
      REQUIRE(EVP_CipherInit_ex(ctx, EVP_aes_128_ecb(), nullptr, key.data(), nullptr, encrypt ? 1 : 0) == 1);
      EVP_CIPHER_CTX_set_padding(ctx, 0);
      std::vector<std::uint8_t> out(input.size());
      detail::portable_ige(ctx, iv.data(), input.data(), out.data(), input.size() / 16, encrypt);
      EVP_CIPHER_CTX_free(ctx);
      CHECK(to_hex(out) == v["output"].str());
      continue;
    }
    for (aes_backend b : backends()) {
      INFO(name(b));
      CHECK(to_hex(run(b, encrypt, key, iv, input)) == v["output"].str());
      // And back again.
      CHECK(run(b, !encrypt, key, iv, from_hex(v["output"].str())) == input);
    }
  }
}

TEST_CASE("IGE TDLib AesIgeState vectors (LCG inputs, CRC32 of ciphertext)", "[crypto][ige][vectors]") {
  const json doc = load_vectors("aes_ige.json");
  for (const json& v : doc["tdlib_aes_ige_state"]["vectors"].items()) {
    const std::size_t length = static_cast<std::size_t>(v["length"].i64());
    INFO("length " << length);
    std::uint32_t seed = static_cast<std::uint32_t>(length);
    auto next = [&seed] {
      seed = seed * 123457567u + 987651241u;
      return static_cast<std::uint8_t>((seed >> 23) & 255);
    };
    std::vector<std::uint8_t> plain(length), key(32), iv(32);
    for (auto& b : plain) b = next();
    for (auto& b : key) b = next();
    for (auto& b : iv) b = next();
    CHECK(to_hex(key) == v["key"].str());
    CHECK(to_hex(iv) == v["iv"].str());
    CHECK(to_hex(sha256(plain)) == v["sha256_of_plaintext"].str());
    for (aes_backend b : backends()) {
      INFO(name(b));
      const auto cipher = run(b, true, key, iv, plain);
      CHECK(crc32_of(cipher) == v["crc32_of_ciphertext"].u64());
      CHECK(to_hex(sha256(cipher)) == v["sha256_of_ciphertext"].str());
      CHECK(run(b, false, key, iv, cipher) == plain);
    }
  }
}

TEST_CASE("IGE own vectors 16 B .. 512 KiB", "[crypto][ige][vectors]") {
  const json doc = load_vectors("aes_ige.json");
  for (const json& v : doc["own_aes256_ige"]["vectors"].items()) {
    INFO(v["name"].str());
    const std::size_t length = static_cast<std::size_t>(v["length"].i64());
    // The generator: drbg(label, n) = SHA256(label:0) || SHA256(label:1) || ..., cut to n.
    auto drbg = [](const std::string& label, std::size_t n) {
      std::vector<std::uint8_t> out;
      for (std::size_t i = 0; out.size() < n; ++i) {
        const auto h = sha256(as_bytes(label + ":" + std::to_string(i)));
        out.insert(out.end(), h.begin(), h.end());
      }
      out.resize(n);
      return out;
    };
    const auto key = drbg("ige-key-" + std::to_string(length), 32);
    const auto iv = drbg("ige-iv-" + std::to_string(length), 32);
    const auto plain = drbg("ige-pt-" + std::to_string(length), length);
    REQUIRE(to_hex(key) == v["key"].str());
    REQUIRE(to_hex(sha256(plain)) == v["sha256_plaintext"].str());
    for (aes_backend b : backends()) {
      INFO(name(b));
      const auto cipher = run(b, true, key, iv, plain);
      CHECK(to_hex(sha256(cipher)) == v["sha256_ciphertext"].str());
      CHECK(crc32_of(cipher) == v["crc32_ciphertext"].u64());
      if (v.has("ciphertext")) CHECK(to_hex(cipher) == v["ciphertext"].str());
      CHECK(run(b, false, key, iv, cipher) == plain);
    }
  }
}

TEST_CASE("IGE AES-NI and portable agree on random data, in place and out of place", "[crypto][ige]") {
  if (!detected_cpu_features().aesni) SUCCEED("no AES-NI on this CPU");
  if (!detected_cpu_features().aesni) return;
  std::vector<std::size_t> sizes;
  for (std::size_t n = 0; n <= 64 * 16; n += 16) sizes.push_back(n);
  for (std::size_t n : {4096u, 65536u, 131072u, 524288u, 1048576u, 3u << 20}) sizes.push_back(n);
  std::uint32_t seed = 100;
  for (std::size_t n : sizes) {
    INFO("size " << n);
    const auto key = random_bytes(32, seed++);
    const auto iv = random_bytes(32, seed++);
    const auto plain = random_bytes(n, seed++);
    aes256_ige_key fast(fixed<32>(key), aes_backend::aesni);
    aes256_ige_key slow(fixed<32>(key), aes_backend::portable);

    std::vector<std::uint8_t> c_fast(n), c_slow = plain;
    ige_encrypt(fast, fixed<32>(iv), plain, c_fast);  // out of place
    ige_encrypt(slow, fixed<32>(iv), c_slow);         // in place
    REQUIRE(c_fast == c_slow);

    std::vector<std::uint8_t> p_fast = c_fast, p_slow(n);
    ige_decrypt(fast, fixed<32>(iv), p_fast);           // in place
    ige_decrypt(slow, fixed<32>(iv), c_slow, p_slow);   // out of place
    REQUIRE(p_fast == plain);
    REQUIRE(p_slow == plain);
  }
}

TEST_CASE("IGE fused decrypt+SHA-256 equals decrypt then hash", "[crypto][ige]") {
  std::uint32_t seed = 500;
  for (std::size_t n = 0; n <= 40 * 16; n += 16) {
    for (aes_backend b : backends()) {
      INFO("size " << n << " " << name(b));
      const auto key = random_bytes(32, seed++);
      const auto iv = random_bytes(32, seed++);
      const auto prefix = random_bytes(32, seed++);
      const auto cipher = random_bytes(n, seed++);
      aes256_ige_key k(fixed<32>(key), b);
      std::vector<std::uint8_t> expected = cipher;
      ige_decrypt(k, fixed<32>(iv), expected);
      const auto expected_hash = sha256({std::span<const std::uint8_t>(prefix), expected});

      std::vector<std::uint8_t> out(n);
      CHECK(ige_decrypt_sha256(k, fixed<32>(iv), fixed<32>(prefix), cipher, out) == expected_hash);
      CHECK(out == expected);
      std::vector<std::uint8_t> inplace = cipher;
      CHECK(ige_decrypt_sha256(k, fixed<32>(iv), fixed<32>(prefix), inplace, inplace) == expected_hash);
      CHECK(inplace == expected);
    }
  }
  const auto key = random_bytes(32, 1), iv = random_bytes(32, 2), prefix = random_bytes(32, 3);
  const auto big = random_bytes((1 << 20) + 48, 4);
  aes256_ige_key k(fixed<32>(key));
  std::vector<std::uint8_t> out(big.size()), ref = big;
  const auto digest = ige_decrypt_sha256(k, fixed<32>(iv), fixed<32>(prefix), big, out);
  ige_decrypt(k, fixed<32>(iv), ref);
  CHECK(out == ref);
  CHECK(digest == sha256({std::span<const std::uint8_t>(prefix), ref}));
}

#if defined(__x86_64__)
TEST_CASE("IGE interleaved multi-message decrypt equals one at a time", "[crypto][ige]") {
  if (!detected_cpu_features().aesni) return;
  for (std::size_t count = 1; count <= 4; ++count) {
    std::vector<aes256_ige_key> keys;
    std::vector<std::vector<std::uint8_t>> ivs, ins, outs, expected;
    std::vector<detail::ige_stream> streams;
    for (std::size_t l = 0; l < count; ++l) {
      const std::size_t n = 16 * (l * 37 + 5);
      keys.emplace_back(fixed<32>(random_bytes(32, 900 + l)), aes_backend::aesni);
      ivs.push_back(random_bytes(32, 910 + l));
      ins.push_back(random_bytes(n, 920 + l));
      outs.emplace_back(n);
      expected.push_back(ins.back());
      ige_decrypt(keys.back(), fixed<32>(ivs.back()), expected.back());
    }
    for (std::size_t l = 0; l < count; ++l) {
      streams.push_back({keys[l].decrypt_schedule().data(), ivs[l].data(), ins[l].data(), outs[l].data(),
                         ins[l].size() / 16});
    }
    detail::aesni_ige_decrypt_x4(streams.data(), streams.size());
    CHECK(outs == expected);
  }
}
#endif

TEST_CASE("IGE rejects sizes that are not whole blocks", "[crypto][ige]") {
  const auto key = random_bytes(32, 1), iv = random_bytes(32, 2);
  aes256_ige_key k(fixed<32>(key));
  std::vector<std::uint8_t> odd(17), a(32), b(16);
  CHECK_THROWS_MATCHES(ige_encrypt(k, fixed<32>(iv), odd), crypto_error,
                       Catch::Predicate<crypto_error>([](const crypto_error& e) {
                         return e.code() == crypto_errc::invalid_length;
                       }));
  CHECK_THROWS_AS(ige_decrypt(k, fixed<32>(iv), a, b), crypto_error);
}

TEST_CASE("ige_encrypt_many / ige_decrypt_many equal one message at a time", "[crypto][ige][many]") {
  // Up to nine messages of uneven lengths (lanes end at different blocks, batches of 4 + 4 + 1),
  // each with its own key and IV, on every backend and on both mixed in one batch.
  std::vector<std::vector<aes_backend>> mixes;
  for (auto b : backends()) mixes.push_back({b});
  if (backends().size() > 1) mixes.push_back({aes_backend::aesni, aes_backend::portable});
  for (const auto& mix : mixes) {
    for (std::size_t count : {std::size_t{1}, std::size_t{3}, std::size_t{4}, std::size_t{5}, std::size_t{9}}) {
      INFO("backends " << mix.size() << " first " << name(mix[0]) << ", " << count << " messages");
      std::vector<aes256_ige_key> keys;
      std::vector<std::array<std::uint8_t, 32>> ivs(count);
      std::vector<std::vector<std::uint8_t>> plain(count), batch(count), decrypted(count);
      for (std::size_t i = 0; i < count; ++i) {
        std::array<std::uint8_t, 32> key{};
        for (std::size_t j = 0; j < 32; ++j) {
          key[j] = static_cast<std::uint8_t>(i * 31 + j * 7 + 1);
          ivs[i][j] = static_cast<std::uint8_t>(i * 13 + j * 3 + 5);
        }
        keys.emplace_back(key, mix[i % mix.size()]);
        plain[i].resize(16 * (1 + (i * 37) % 70));
        for (std::size_t j = 0; j < plain[i].size(); ++j) plain[i][j] = static_cast<std::uint8_t>(j * 11 + i);
        batch[i] = plain[i];
        decrypted[i].resize(plain[i].size());
      }
      std::vector<ige_message> encrypt, decrypt;
      for (std::size_t i = 0; i < count; ++i) {
        encrypt.push_back({&keys[i], ivs[i], batch[i], batch[i]});  // in place
        decrypt.push_back({&keys[i], ivs[i], batch[i], decrypted[i]});
      }
      ige_encrypt_many(encrypt);
      for (std::size_t i = 0; i < count; ++i) {
        auto one = plain[i];
        ige_encrypt(keys[i], ivs[i], one);
        CHECK(batch[i] == one);
      }
      ige_decrypt_many(decrypt);
      for (std::size_t i = 0; i < count; ++i) CHECK(decrypted[i] == plain[i]);
    }
  }
}

TEST_CASE("ige_decrypt_sha256_many equals ige_decrypt_sha256 one message at a time", "[crypto][ige][many]") {
  // Every length from 0 to 13 blocks in the first batches (each lane's first two blocks, its
  // lockstep steps and its tail of 0-3 blocks), then long uneven ones, batches of 4 + 4 + ... ,
  // in place and not, on every backend and mixed.
  std::vector<std::vector<aes_backend>> mixes;
  for (auto b : backends()) mixes.push_back({b});
  if (backends().size() > 1) mixes.push_back({aes_backend::aesni, aes_backend::portable});
  std::uint32_t seed = 900;
  for (const auto& mix : mixes) {
    for (std::size_t count : {std::size_t{1}, std::size_t{2}, std::size_t{4}, std::size_t{7}, std::size_t{14}}) {
      INFO("backends " << mix.size() << " first " << name(mix[0]) << ", " << count << " messages");
      std::vector<aes256_ige_key> keys;
      std::vector<std::vector<std::uint8_t>> ivs, prefixes, cipher, out(count);
      std::vector<sha256_digest> digests(count);
      std::vector<ige_received_message> batch;
      for (std::size_t i = 0; i < count; ++i) {
        keys.emplace_back(fixed<32>(random_bytes(32, seed++)), mix[i % mix.size()]);
        ivs.push_back(random_bytes(32, seed++));
        prefixes.push_back(random_bytes(32, seed++));
        const std::size_t blocks = count == 14 ? i : 1 + (i * 37 + count) % 90;
        cipher.push_back(random_bytes(16 * blocks, seed++));
        out[i] = i % 2 ? cipher[i] : std::vector<std::uint8_t>(cipher[i].size());
      }
      for (std::size_t i = 0; i < count; ++i)
        batch.push_back({&keys[i], fixed<32>(ivs[i]), fixed<32>(prefixes[i]), i % 2 ? out[i] : cipher[i], out[i],
                         &digests[i]});
      ige_decrypt_sha256_many(batch);
      for (std::size_t i = 0; i < count; ++i) {
        INFO("message " << i << ", " << cipher[i].size() / 16 << " blocks");
        std::vector<std::uint8_t> one(cipher[i].size());
        const auto digest = ige_decrypt_sha256(keys[i], fixed<32>(ivs[i]), fixed<32>(prefixes[i]), cipher[i], one);
        CHECK(out[i] == one);
        CHECK(digests[i] == digest);
      }
    }
  }
  std::array<std::uint8_t, 32> key{}, iv{}, prefix{};
  aes256_ige_key k(key);
  std::vector<std::uint8_t> good(64, 1), bad(20, 2);
  const auto good_before = good;
  sha256_digest d1{}, d2{};
  std::vector<ige_received_message> refused{{&k, iv, prefix, good, good, &d1}, {&k, iv, prefix, bad, bad, &d2}};
  CHECK_THROWS_AS(ige_decrypt_sha256_many(refused), crypto_error);
  CHECK(good == good_before);
  ige_decrypt_sha256_many({});
}

TEST_CASE("ige_encrypt_many checks every size before touching any output", "[crypto][ige][many]") {
  std::array<std::uint8_t, 32> key{}, iv{};
  aes256_ige_key k(key);
  std::vector<std::uint8_t> good(64, 1), bad(20, 2);
  const auto good_before = good;
  std::vector<ige_message> batch{{&k, iv, good, good}, {&k, iv, bad, bad}};
  CHECK_THROWS_AS(ige_encrypt_many(batch), crypto_error);
  CHECK(good == good_before);
  std::vector<std::uint8_t> shorter(48);
  std::vector<ige_message> mismatched{{&k, iv, good, shorter}};
  CHECK_THROWS_AS(ige_decrypt_many(mismatched), crypto_error);
  ige_encrypt_many({});
}
