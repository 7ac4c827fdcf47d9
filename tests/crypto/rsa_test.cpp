#include "mtproto/crypto/rsa.h"

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "mtproto/crypto/error.h"
#include "mtproto/crypto/sha.h"
#include "test_util.h"

using namespace mtproto::crypto;
using namespace mtproto::test;

namespace {

std::string read_text(const std::string& relative) {
  std::ifstream f(shared_path(relative));
  REQUIRE(f.good());
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

const std::string key_dir = "vectors/rsa-test-key/";

bool has_code(const crypto_error& e, crypto_errc c) { return e.code() == c; }

}  // namespace

TEST_CASE("RSA fingerprints: TEST key in both PEM forms, Telegram keys, docs key", "[crypto][rsa][vectors]") {
  const json fp = load_vectors("rsa-test-key/TEST-ONLY-rsa2048.fingerprint.json");
  const auto pkcs1 = rsa_public_key::from_pem(read_text(key_dir + "TEST-ONLY-rsa2048.public.pkcs1.pem"));
  const auto spki = rsa_public_key::from_pem(read_text(key_dir + "TEST-ONLY-rsa2048.public.spki.pem"));
  CHECK(pkcs1.fingerprint() == fp["fingerprint_int64"].i64());
  CHECK(spki.fingerprint() == fp["fingerprint_int64"].i64());
  CHECK(to_hex(pkcs1.modulus()) == fp["n_hex"].str());
  const auto priv1 = rsa_private_key::from_pem(read_text(key_dir + "TEST-ONLY-rsa2048.private.pkcs1.pem"));
  const auto priv8 = rsa_private_key::from_pem(read_text(key_dir + "TEST-ONLY-rsa2048.private.pkcs8.pem"));
  CHECK(priv1.public_key().fingerprint() == fp["fingerprint_int64"].i64());
  CHECK(priv8.public_key().fingerprint() == fp["fingerprint_int64"].i64());

  const json flow = load_vectors("auth_key_flow_grammers.json");
  CHECK(telegram_production_key().fingerprint() == -3414540481677951611);
  CHECK(telegram_test_key().fingerprint() == -5595554452916591101);
  for (const auto& [fingerprint, k] : flow["keys"].members()) {
    const rsa_public_key& builtin =
        std::stoll(fingerprint) == telegram_production_key().fingerprint() ? telegram_production_key() : telegram_test_key();
    CHECK(builtin.fingerprint() == std::stoll(fingerprint));
    CHECK(builtin.exponent() == std::vector<std::uint8_t>{1, 0, 1});
  }

  const json docs = load_vectors("auth_key_sample_core_docs.json");
  const auto old_key = rsa_public_key::from_pem(docs["old_server_public_key_pem_c3b42b026ce86b21"].str());
  CHECK(static_cast<std::uint64_t>(old_key.fingerprint()) == 0xc3b42b026ce86b21ULL);
}

TEST_CASE("RSA PEM errors are typed", "[crypto][rsa][vectors]") {
  CHECK_THROWS_MATCHES(rsa_public_key::from_pem("not a key"), crypto_error,
                       Catch::Predicate<crypto_error>([](const crypto_error& e) { return has_code(e, crypto_errc::invalid_pem); }));
  std::string truncated = read_text(key_dir + "TEST-ONLY-rsa2048.public.pkcs1.pem");
  truncated.resize(truncated.size() / 2);
  CHECK_THROWS_AS(rsa_public_key::from_pem(truncated), crypto_error);
  // A public key is not a private key.
  CHECK_THROWS_AS(rsa_private_key::from_pem(read_text(key_dir + "TEST-ONLY-rsa2048.public.pkcs1.pem")), crypto_error);
}

TEST_CASE("RSA_PAD reproduces grammers' req_DH_params byte for byte", "[crypto][rsa][vectors]") {
  const json flow = load_vectors("auth_key_flow_grammers.json");
  const auto inner = from_hex(flow["derived_by_us"]["p_q_inner_data"].str());
  const auto random = from_hex(flow["recorded"]["step2_random"].str());
  const auto request = from_hex(flow["recorded"]["step2_request"].str());
  REQUIRE(random.size() == 256);
  const std::span<const std::uint8_t, rsa_pad_random_size> pad_random(random.data() + 32, rsa_pad_random_size);
  // The request names the key by fingerprint: b25898df208d2603 (offered by the production DC in
  // resPQ, although grammers labels it the test-DC key).
  const std::int64_t fingerprint = flow["derived_by_us"]["fingerprint_used"].i64();
  REQUIRE(fingerprint == telegram_test_key().fingerprint());
  const auto encrypted = rsa_pad_encrypt(telegram_test_key(), inner, pad_random);
  // req_DH_params ends with encrypted_data as TL bytes: fe 00 01 00 || 256 bytes.
  CHECK(to_hex(encrypted) == to_hex(std::span(request).last(256)));
}

TEST_CASE("RSA_PAD and the old scheme round-trip with the TEST private key", "[crypto][rsa][vectors]") {
  const auto priv = rsa_private_key::from_pem(read_text(key_dir + "TEST-ONLY-rsa2048.private.pkcs1.pem"));
  for (std::uint32_t seed = 1; seed <= 20; ++seed) {
    const auto data = random_bytes(seed * 7, seed);  // up to 140 bytes
    const auto random = random_bytes(rsa_pad_random_size, seed + 100);
    const auto enc = rsa_pad_encrypt(priv.public_key(), data, fixed<rsa_pad_random_size>(random));
    const auto dec = rsa_pad_decrypt(priv, enc);
    CHECK(std::equal(data.begin(), data.end(), dec.begin()));
    CHECK(std::equal(dec.begin() + static_cast<std::ptrdiff_t>(data.size()), dec.end(), random.begin()));

    auto corrupt = enc;
    corrupt[100] ^= 1;
    CHECK_THROWS_MATCHES(rsa_pad_decrypt(priv, corrupt), crypto_error,
                         Catch::Predicate<crypto_error>([](const crypto_error& e) {
                           return has_code(e, crypto_errc::rsa_decrypt_failed);
                         }));

    const auto legacy = rsa_legacy_encrypt(priv.public_key(), data, random_bytes(235, seed + 200));
    const auto block = rsa_legacy_decrypt(priv, legacy);
    CHECK(rsa_legacy_hash_matches(block, data.size()));
    CHECK_FALSE(rsa_legacy_hash_matches(block, data.size() + 1));
    CHECK(std::equal(data.begin(), data.end(), block.begin() + 20));
  }
  // Values >= n and over-long inputs are typed errors, not crashes.
  std::vector<std::uint8_t> all_ff(256, 0xff), too_long(257, 1);
  CHECK_THROWS_AS(rsa_pad_decrypt(priv, all_ff), crypto_error);
  CHECK_THROWS_AS(rsa_pad_decrypt(priv, too_long), crypto_error);
  CHECK_THROWS_AS(rsa_legacy_decrypt(priv, all_ff), crypto_error);
  const auto random = random_bytes(rsa_pad_random_size, 7);
  CHECK_THROWS_AS(rsa_pad_encrypt(priv.public_key(), random_bytes(145, 1), fixed<rsa_pad_random_size>(random)),
                  crypto_error);
}

TEST_CASE("docs sample: SHA1(p_q_inner_data) as published", "[crypto][rsa][vectors]") {
  const json docs = load_vectors("auth_key_sample_core_docs.json");
  const auto inner = from_hex(docs["derived_by_us"]["p_q_inner_data_serialized"].str());
  CHECK(to_hex(sha1(inner)) == to_hex(from_hex(docs["sample"]["sha1_p_q_inner_data"].str())));
}
