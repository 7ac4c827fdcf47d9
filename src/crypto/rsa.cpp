#include "mtproto/crypto/rsa.h"

#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cstring>

#include "mtproto/crypto/aes_ige.h"
#include "mtproto/crypto/error.h"
#include "mtproto/crypto/sha.h"

namespace mtproto::crypto {
namespace {

struct bn_free {
  void operator()(BIGNUM* b) const noexcept { BN_clear_free(b); }
};
using bn_ptr = std::unique_ptr<BIGNUM, bn_free>;

detail::pkey_ptr own(EVP_PKEY* k) { return detail::pkey_ptr(k, detail::pkey_free{}); }

std::vector<std::uint8_t> bn_bytes(const BIGNUM* b) {
  std::vector<std::uint8_t> out(static_cast<std::size_t>(BN_num_bytes(b)));
  BN_bn2bin(b, out.data());
  return out;
}

std::vector<std::uint8_t> get_bn_param(EVP_PKEY* k, const char* name) {
  BIGNUM* raw = nullptr;
  if (EVP_PKEY_get_bn_param(k, name, &raw) != 1) throw crypto_error(crypto_errc::invalid_pem, "RSA key parameters");
  bn_ptr b(raw);
  return bn_bytes(b.get());
}

detail::pkey_ptr decode_pem(std::string_view pem, int selection) {
  EVP_PKEY* pkey = nullptr;
  OSSL_DECODER_CTX* dctx = OSSL_DECODER_CTX_new_for_pkey(&pkey, "PEM", nullptr, "RSA", selection, nullptr, nullptr);
  if (dctx == nullptr) throw crypto_error(crypto_errc::openssl_failure, "OSSL_DECODER_CTX_new_for_pkey");
  const auto* data = reinterpret_cast<const unsigned char*>(pem.data());
  std::size_t len = pem.size();
  const int ok = OSSL_DECODER_from_data(dctx, &data, &len);
  OSSL_DECODER_CTX_free(dctx);
  if (ok != 1 || pkey == nullptr) {
    EVP_PKEY_free(pkey);
    throw crypto_error(crypto_errc::invalid_pem, "not an RSA key in PEM");
  }
  detail::pkey_ptr key = own(pkey);
  if (EVP_PKEY_is_a(key.get(), "RSA") != 1) throw crypto_error(crypto_errc::invalid_pem, "not an RSA key");
  return key;
}

// Raw (unpadded) RSA on a full-size block; both OpenSSL operations reject values >= n.
bool raw_rsa(EVP_PKEY* key, bool public_op, const std::uint8_t* in, std::size_t n, std::uint8_t* out) {
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr);
  if (ctx == nullptr) throw crypto_error(crypto_errc::openssl_failure, "EVP_PKEY_CTX_new_from_pkey");
  std::size_t out_len = n;
  const bool ok = (public_op ? EVP_PKEY_encrypt_init(ctx) : EVP_PKEY_decrypt_init(ctx)) == 1 &&
                  EVP_PKEY_CTX_set_rsa_padding(ctx, RSA_NO_PADDING) == 1 &&
                  (public_op ? EVP_PKEY_encrypt(ctx, out, &out_len, in, n) : EVP_PKEY_decrypt(ctx, out, &out_len, in, n)) == 1 &&
                  out_len == n;
  EVP_PKEY_CTX_free(ctx);
  return ok;
}

void require_2048(const rsa_public_key& key) {
  if (key.modulus_bytes() != rsa_encrypted_size) {
    throw crypto_error(crypto_errc::rsa_key_too_small, "RSA_PAD needs a 2048-bit modulus");
  }
}

// Big-endian increment of a 256-bit value (wraps at 2^256).
void increment(std::span<std::uint8_t, 32> v) noexcept {
  for (std::size_t i = 32; i-- > 0;) {
    if (++v[i] != 0) break;
  }
}

constexpr std::string_view production_pem =
    "-----BEGIN RSA PUBLIC KEY-----\n"
    "MIIBCgKCAQEA6LszBcC1LGzyr992NzE0ieY+BSaOW622Aa9Bd4ZHLl+TuFQ4lo4g\n"
    "5nKaMBwK/BIb9xUfg0Q29/2mgIR6Zr9krM7HjuIcCzFvDtr+L0GQjae9H0pRB2OO\n"
    "62cECs5HKhT5DZ98K33vmWiLowc621dQuwKWSQKjWf50XYFw42h21P2KXUGyp2y/\n"
    "+aEyZ+uVgLLQbRA1dEjSDZ2iGRy12Mk5gpYc397aYp438fsJoHIgJ2lgMv5h7WY9\n"
    "t6N/byY9Nw9p21Og3AoXSL2q/2IJ1WRUhebgAdGVMlV1fkuOQoEzR7EdpqtQD9Cs\n"
    "5+bfo3Nhmcyvk5ftB0WkJ9z6bNZ7yxrP8wIDAQAB\n"
    "-----END RSA PUBLIC KEY-----\n";

constexpr std::string_view test_pem =
    "-----BEGIN RSA PUBLIC KEY-----\n"
    "MIIBCgKCAQEAyMEdY1aR+sCR3ZSJrtztKTKqigvO/vBfqACJLZtS7QMgCGXJ6XIR\n"
    "yy7mx66W0/sOFa7/1mAZtEoIokDP3ShoqF4fVNb6XeqgQfaUHd8wJpDWHcR2OFwv\n"
    "plUUI1PLTktZ9uW2WE23b+ixNwJjJGwBDJPQEQFBE+vfmH0JP503wr5INS1poWg/\n"
    "j25sIWeYPHYeOrFp/eXaqhISP6G+q2IeTaWTXpwZj4LzXq5YOpk4bYEQ6mvRq7D1\n"
    "aHWfYmlEGepfaYR8Q0YqvvhYtMte3ITnuSJs171+GDqpdKcSwHnd6FudwGO4pcCO\n"
    "j4WcDuXc2CTHgH8gFTNhp/Y8/SpDOhvn9QIDAQAB\n"
    "-----END RSA PUBLIC KEY-----\n";

/// TL `bytes` encoding (the fingerprint hashes n and e serialized this way). Written here
/// because crypto sits below the TL runtime.
void append_tl_bytes(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> b) {
  const std::size_t n = b.size();
  std::size_t header = 1;
  if (n < 254) {
    out.push_back(static_cast<std::uint8_t>(n));
  } else {
    header = 4;
    out.push_back(254);
    for (int shift = 0; shift < 24; shift += 8) out.push_back(static_cast<std::uint8_t>(n >> shift));
  }
  out.insert(out.end(), b.begin(), b.end());
  out.resize(out.size() + (4 - (header + n) % 4) % 4, 0);
}

}  // namespace

void detail::pkey_free::operator()(evp_pkey_st* k) const noexcept { EVP_PKEY_free(k); }

rsa_public_key::rsa_public_key(detail::pkey_ptr key)
    : key_(std::move(key)),
      n_(get_bn_param(key_.get(), OSSL_PKEY_PARAM_RSA_N)),
      e_(get_bn_param(key_.get(), OSSL_PKEY_PARAM_RSA_E)) {
  std::vector<std::uint8_t> serialized;
  append_tl_bytes(serialized, n_);
  append_tl_bytes(serialized, e_);
  const sha1_digest h = sha1(serialized);
  std::uint64_t v = 0;
  for (std::size_t i = 20; i-- > 12;) v = v << 8 | h[i];
  fingerprint_ = static_cast<std::int64_t>(v);
}

rsa_public_key rsa_public_key::from_pem(std::string_view pem) {
  return rsa_public_key(decode_pem(pem, EVP_PKEY_PUBLIC_KEY));
}

rsa_public_key rsa_public_key::from_components(std::span<const std::uint8_t> n, std::span<const std::uint8_t> e) {
  bn_ptr bn_n(BN_bin2bn(n.data(), static_cast<int>(n.size()), nullptr));
  bn_ptr bn_e(BN_bin2bn(e.data(), static_cast<int>(e.size()), nullptr));
  if (!bn_n || !bn_e || BN_is_zero(bn_n.get()) || BN_is_zero(bn_e.get())) {
    throw crypto_error(crypto_errc::invalid_pem, "RSA modulus/exponent");
  }
  OSSL_PARAM_BLD* bld = OSSL_PARAM_BLD_new();
  OSSL_PARAM* params = nullptr;
  EVP_PKEY_CTX* ctx = nullptr;
  EVP_PKEY* pkey = nullptr;
  const bool ok = bld != nullptr && OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn_n.get()) == 1 &&
                  OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, bn_e.get()) == 1 &&
                  (params = OSSL_PARAM_BLD_to_param(bld)) != nullptr &&
                  (ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr)) != nullptr &&
                  EVP_PKEY_fromdata_init(ctx) == 1 && EVP_PKEY_fromdata(ctx, &pkey, EVP_PKEY_PUBLIC_KEY, params) == 1;
  EVP_PKEY_CTX_free(ctx);
  OSSL_PARAM_free(params);
  OSSL_PARAM_BLD_free(bld);
  if (!ok) {
    EVP_PKEY_free(pkey);
    throw crypto_error(crypto_errc::openssl_failure, "EVP_PKEY_fromdata(RSA)");
  }
  return rsa_public_key(own(pkey));
}

rsa_private_key rsa_private_key::from_pem(std::string_view pem) {
  detail::pkey_ptr key = decode_pem(pem, EVP_PKEY_KEYPAIR);
  rsa_public_key pub = rsa_public_key::from_components(get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_N),
                                                       get_bn_param(key.get(), OSSL_PKEY_PARAM_RSA_E));
  return rsa_private_key(std::move(key), std::move(pub));
}

std::string_view telegram_production_key_pem() noexcept { return production_pem; }
std::string_view telegram_test_key_pem() noexcept { return test_pem; }

const rsa_public_key& telegram_production_key() {
  static const rsa_public_key key = rsa_public_key::from_pem(production_pem);
  return key;
}

const rsa_public_key& telegram_test_key() {
  static const rsa_public_key key = rsa_public_key::from_pem(test_pem);
  return key;
}

std::array<std::uint8_t, rsa_encrypted_size> rsa_pad_encrypt(const rsa_public_key& key, std::span<const std::uint8_t> data,
                                                             std::span<const std::uint8_t, rsa_pad_random_size> random) {
  require_2048(key);
  if (data.size() > rsa_pad_max_data) throw crypto_error(crypto_errc::rsa_data_too_long, "RSA_PAD data > 144 bytes");

  std::array<std::uint8_t, rsa_pad_padded_size> padded;
  std::copy(data.begin(), data.end(), padded.begin());
  std::copy_n(random.begin(), padded.size() - data.size(), padded.begin() + static_cast<std::ptrdiff_t>(data.size()));
  std::array<std::uint8_t, 32> temp_key;
  std::copy_n(random.begin() + rsa_pad_padded_size, 32, temp_key.begin());
  static constexpr std::array<std::uint8_t, 32> zero_iv{};

  std::array<std::uint8_t, rsa_encrypted_size> block;  // temp_key_xor || aes_encrypted
  for (;;) {
    std::span<std::uint8_t> aes(block.data() + 32, 224);
    std::reverse_copy(padded.begin(), padded.end(), aes.begin());
    const sha256_digest h = sha256({temp_key, padded});
    std::copy(h.begin(), h.end(), aes.begin() + rsa_pad_padded_size);
    ige_encrypt(aes256_ige_key(temp_key), zero_iv, aes);
    const sha256_digest aes_hash = sha256(aes);
    for (std::size_t i = 0; i < 32; ++i) block[i] = temp_key[i] ^ aes_hash[i];
    if (std::memcmp(block.data(), key.modulus().data(), rsa_encrypted_size) < 0) break;
    increment(temp_key);
  }
  std::array<std::uint8_t, rsa_encrypted_size> out;
  if (!raw_rsa(key.native(), true, block.data(), block.size(), out.data())) {
    throw crypto_error(crypto_errc::openssl_failure, "RSA public operation");
  }
  OPENSSL_cleanse(temp_key.data(), temp_key.size());
  return out;
}

std::array<std::uint8_t, rsa_pad_padded_size> rsa_pad_decrypt(const rsa_private_key& key,
                                                              std::span<const std::uint8_t> encrypted) {
  const rsa_public_key& pub = key.public_key();
  require_2048(pub);
  if (encrypted.size() > rsa_encrypted_size) throw crypto_error(crypto_errc::rsa_decrypt_failed, "ciphertext too long");
  // Telegram's clients may strip leading zero bytes of the big-endian ciphertext.
  std::array<std::uint8_t, rsa_encrypted_size> in{};
  std::copy(encrypted.begin(), encrypted.end(), in.end() - static_cast<std::ptrdiff_t>(encrypted.size()));
  std::array<std::uint8_t, rsa_encrypted_size> block;
  if (!raw_rsa(key.native(), false, in.data(), in.size(), block.data())) {
    throw crypto_error(crypto_errc::rsa_decrypt_failed, "RSA private operation");
  }
  std::span<std::uint8_t> aes(block.data() + 32, 224);
  const sha256_digest aes_hash = sha256(aes);
  std::array<std::uint8_t, 32> temp_key;
  for (std::size_t i = 0; i < 32; ++i) temp_key[i] = block[i] ^ aes_hash[i];
  static constexpr std::array<std::uint8_t, 32> zero_iv{};
  ige_decrypt(aes256_ige_key(temp_key), zero_iv, aes);
  std::array<std::uint8_t, rsa_pad_padded_size> padded;
  std::reverse_copy(aes.begin(), aes.begin() + rsa_pad_padded_size, padded.begin());
  const sha256_digest h = sha256({temp_key, padded});
  const bool ok = CRYPTO_memcmp(h.data(), aes.data() + rsa_pad_padded_size, h.size()) == 0;
  OPENSSL_cleanse(temp_key.data(), temp_key.size());
  OPENSSL_cleanse(block.data(), block.size());
  if (!ok) throw crypto_error(crypto_errc::rsa_decrypt_failed, "RSA_PAD hash mismatch");
  return padded;
}

std::array<std::uint8_t, rsa_encrypted_size> rsa_legacy_encrypt(const rsa_public_key& key,
                                                                std::span<const std::uint8_t> data,
                                                                std::span<const std::uint8_t> random) {
  require_2048(key);
  constexpr std::size_t hash_size = 20;
  if (data.size() > rsa_legacy_block - hash_size) throw crypto_error(crypto_errc::rsa_data_too_long, "legacy RSA data");
  const std::size_t pad = rsa_legacy_block - hash_size - data.size();
  if (random.size() < pad) throw crypto_error(crypto_errc::invalid_length, "not enough random padding bytes");
  std::array<std::uint8_t, rsa_encrypted_size> block{};  // leading zero byte keeps it below n
  const sha1_digest h = sha1(data);
  std::copy(h.begin(), h.end(), block.begin() + 1);
  std::copy(data.begin(), data.end(), block.begin() + 1 + hash_size);
  std::copy_n(random.begin(), pad, block.begin() + 1 + static_cast<std::ptrdiff_t>(hash_size + data.size()));
  std::array<std::uint8_t, rsa_encrypted_size> out;
  if (!raw_rsa(key.native(), true, block.data(), block.size(), out.data())) {
    throw crypto_error(crypto_errc::openssl_failure, "RSA public operation");
  }
  return out;
}

std::array<std::uint8_t, rsa_legacy_block> rsa_legacy_decrypt(const rsa_private_key& key,
                                                              std::span<const std::uint8_t> encrypted) {
  require_2048(key.public_key());
  if (encrypted.size() > rsa_encrypted_size) throw crypto_error(crypto_errc::rsa_decrypt_failed, "ciphertext too long");
  std::array<std::uint8_t, rsa_encrypted_size> in{};
  std::copy(encrypted.begin(), encrypted.end(), in.end() - static_cast<std::ptrdiff_t>(encrypted.size()));
  std::array<std::uint8_t, rsa_encrypted_size> block;
  if (!raw_rsa(key.native(), false, in.data(), in.size(), block.data()) || block[0] != 0) {
    throw crypto_error(crypto_errc::rsa_decrypt_failed, "legacy RSA block");
  }
  std::array<std::uint8_t, rsa_legacy_block> out;
  std::copy(block.begin() + 1, block.end(), out.begin());
  return out;
}

bool rsa_legacy_hash_matches(std::span<const std::uint8_t, rsa_legacy_block> block, std::size_t data_length) {
  constexpr std::size_t hash_size = 20;
  if (data_length > rsa_legacy_block - hash_size) return false;
  const sha1_digest h = sha1(block.subspan(hash_size, data_length));
  return CRYPTO_memcmp(h.data(), block.data(), hash_size) == 0;
}

}  // namespace mtproto::crypto
