#include "mtproto/crypto/dh.h"

#include <openssl/bn.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "mtproto/crypto/error.h"

namespace mtproto::crypto {
namespace {

constexpr int dh_prime_bits = 2048;
constexpr int dh_range_margin_bits = dh_prime_bits - 64;  // values within 2^1984 of 0 or p are rejected

constexpr std::array<std::uint8_t, dh_prime_bytes> known_prime = {
    0xc7, 0x1c, 0xae, 0xb9, 0xc6, 0xb1, 0xc9, 0x04, 0x8e, 0x6c, 0x52, 0x2f, 0x70, 0xf1, 0x3f, 0x73, 0x98, 0x0d, 0x40,
    0x23, 0x8e, 0x3e, 0x21, 0xc1, 0x49, 0x34, 0xd0, 0x37, 0x56, 0x3d, 0x93, 0x0f, 0x48, 0x19, 0x8a, 0x0a, 0xa7, 0xc1,
    0x40, 0x58, 0x22, 0x94, 0x93, 0xd2, 0x25, 0x30, 0xf4, 0xdb, 0xfa, 0x33, 0x6f, 0x6e, 0x0a, 0xc9, 0x25, 0x13, 0x95,
    0x43, 0xae, 0xd4, 0x4c, 0xce, 0x7c, 0x37, 0x20, 0xfd, 0x51, 0xf6, 0x94, 0x58, 0x70, 0x5a, 0xc6, 0x8c, 0xd4, 0xfe,
    0x6b, 0x6b, 0x13, 0xab, 0xdc, 0x97, 0x46, 0x51, 0x29, 0x69, 0x32, 0x84, 0x54, 0xf1, 0x8f, 0xaf, 0x8c, 0x59, 0x5f,
    0x64, 0x24, 0x77, 0xfe, 0x96, 0xbb, 0x2a, 0x94, 0x1d, 0x5b, 0xcd, 0x1d, 0x4a, 0xc8, 0xcc, 0x49, 0x88, 0x07, 0x08,
    0xfa, 0x9b, 0x37, 0x8e, 0x3c, 0x4f, 0x3a, 0x90, 0x60, 0xbe, 0xe6, 0x7c, 0xf9, 0xa4, 0xa4, 0xa6, 0x95, 0x81, 0x10,
    0x51, 0x90, 0x7e, 0x16, 0x27, 0x53, 0xb5, 0x6b, 0x0f, 0x6b, 0x41, 0x0d, 0xba, 0x74, 0xd8, 0xa8, 0x4b, 0x2a, 0x14,
    0xb3, 0x14, 0x4e, 0x0e, 0xf1, 0x28, 0x47, 0x54, 0xfd, 0x17, 0xed, 0x95, 0x0d, 0x59, 0x65, 0xb4, 0xb9, 0xdd, 0x46,
    0x58, 0x2d, 0xb1, 0x17, 0x8d, 0x16, 0x9c, 0x6b, 0xc4, 0x65, 0xb0, 0xd6, 0xff, 0x9c, 0xa3, 0x92, 0x8f, 0xef, 0x5b,
    0x9a, 0xe4, 0xe4, 0x18, 0xfc, 0x15, 0xe8, 0x3e, 0xbe, 0xa0, 0xf8, 0x7f, 0xa9, 0xff, 0x5e, 0xed, 0x70, 0x05, 0x0d,
    0xed, 0x28, 0x49, 0xf4, 0x7b, 0xf9, 0x59, 0xd9, 0x56, 0x85, 0x0c, 0xe9, 0x29, 0x85, 0x1f, 0x0d, 0x81, 0x15, 0xf6,
    0x35, 0xb1, 0x05, 0xee, 0x2e, 0x4e, 0x15, 0xd0, 0x4b, 0x24, 0x54, 0xbf, 0x6f, 0x4f, 0xad, 0xf0, 0x34, 0xb1, 0x04,
    0x03, 0x11, 0x9c, 0xd8, 0xe3, 0xb9, 0x2f, 0xcc, 0x5b};

struct bn_free {
  void operator()(BIGNUM* b) const noexcept { BN_clear_free(b); }
};
using bn_ptr = std::unique_ptr<BIGNUM, bn_free>;
struct ctx_free {
  void operator()(BN_CTX* c) const noexcept { BN_CTX_free(c); }
};
using ctx_ptr = std::unique_ptr<BN_CTX, ctx_free>;

bn_ptr to_bn(std::span<const std::uint8_t> be) {
  bn_ptr b(BN_bin2bn(be.data(), static_cast<int>(be.size()), nullptr));
  if (!b) throw crypto_error(crypto_errc::openssl_failure, "BN_bin2bn");
  return b;
}
bn_ptr new_bn() {
  bn_ptr b(BN_new());
  if (!b) throw crypto_error(crypto_errc::openssl_failure, "BN_new");
  return b;
}
ctx_ptr new_ctx() {
  ctx_ptr c(BN_CTX_new());
  if (!c) throw crypto_error(crypto_errc::openssl_failure, "BN_CTX_new");
  return c;
}

dh_value to_value(const BIGNUM* b) {
  dh_value out{};
  if (BN_bn2binpad(b, out.data(), static_cast<int>(out.size())) < 0) {
    throw crypto_error(crypto_errc::openssl_failure, "BN_bn2binpad");
  }
  return out;
}

// Strips leading zero bytes so equal numbers compare equal as byte strings.
std::vector<std::uint8_t> minimal(std::span<const std::uint8_t> be) {
  auto it = std::find_if(be.begin(), be.end(), [](std::uint8_t b) { return b != 0; });
  return {it, be.end()};
}

bool is_safe_prime(const BIGNUM* p, BN_CTX* ctx) {
  if (BN_check_prime(p, ctx, nullptr) != 1) return false;
  bn_ptr q = new_bn();
  if (BN_rshift1(q.get(), p) != 1) throw crypto_error(crypto_errc::openssl_failure, "BN_rshift1");
  return BN_check_prime(q.get(), ctx, nullptr) == 1;
}

bool safe_prime_cached(std::span<const std::uint8_t> prime, const BIGNUM* p, BN_CTX* ctx) {
  // Servers keep the same prime, so each distinct one is tested once per process.
  static std::mutex mutex;
  // Keys as strings: GCC 12 at -O3 misreports vector<uint8_t> ordering (-Wstringop-overread).
  static std::set<std::string> good, bad;
  const auto bytes = minimal(prime);
  std::string key(bytes.begin(), bytes.end());
  {
    std::lock_guard lock(mutex);
    if (good.count(key) != 0) return true;
    if (bad.count(key) != 0) return false;
  }
  const bool ok = is_safe_prime(p, ctx);
  std::lock_guard lock(mutex);
  constexpr std::size_t max_cached = 64;  // a hostile server cannot grow this without bound
  auto& set = ok ? good : bad;
  if (set.size() < max_cached) set.insert(std::move(key));
  return ok;
}

// The spec's conditions making g a quadratic residue generator of the order-(p-1)/2 subgroup.
bool generator_ok(const BIGNUM* p, std::uint32_t g) {
  auto mod = [p](BN_ULONG m) { return BN_mod_word(p, m); };
  switch (g) {
    case 2: return mod(8) == 7;
    case 3: return mod(3) == 2;
    case 4: return true;
    case 5: {
      const auto r = mod(5);
      return r == 1 || r == 4;
    }
    case 6: {
      const auto r = mod(24);
      return r == 19 || r == 23;
    }
    case 7: {
      const auto r = mod(7);
      return r == 3 || r == 5 || r == 6;
    }
    default: return false;
  }
}

bool value_in_range(const BIGNUM* p, const BIGNUM* v, BN_CTX* ctx) {
  bn_ptr margin = new_bn();
  bn_ptr upper = new_bn();
  (void)ctx;
  if (BN_set_bit(margin.get(), dh_range_margin_bits) != 1 || BN_sub(upper.get(), p, margin.get()) != 1) {
    throw crypto_error(crypto_errc::openssl_failure, "BN range bounds");
  }
  // margin <= v <= p - margin implies 1 < v < p - 1.
  return BN_cmp(v, margin.get()) >= 0 && BN_cmp(v, upper.get()) <= 0;
}

bn_ptr checked_prime(std::span<const std::uint8_t> prime) {
  bn_ptr p = to_bn(prime);
  if (BN_num_bits(p.get()) != dh_prime_bits) throw crypto_error(crypto_errc::dh_prime_invalid, "not 2048 bits");
  return p;
}

bn_ptr mod_exp_secret(const BIGNUM* base, std::span<const std::uint8_t> secret, const BIGNUM* p, BN_CTX* ctx) {
  if (secret.size() > dh_prime_bytes) throw crypto_error(crypto_errc::dh_exponent_invalid, "exponent > 2048 bits");
  bn_ptr e = to_bn(secret);
  if (BN_is_zero(e.get())) throw crypto_error(crypto_errc::dh_exponent_invalid, "zero exponent");
  BN_set_flags(e.get(), BN_FLG_CONSTTIME);
  bn_ptr r = new_bn();
  if (BN_mod_exp_mont_consttime(r.get(), base, e.get(), p, ctx, nullptr) != 1) {
    throw crypto_error(crypto_errc::openssl_failure, "BN_mod_exp_mont_consttime");
  }
  return r;
}

}  // namespace

std::span<const std::uint8_t, dh_prime_bytes> telegram_dh_prime() noexcept { return known_prime; }

std::error_code check_dh_group(std::span<const std::uint8_t> prime, std::uint32_t g) {
  bn_ptr p = to_bn(prime);
  if (BN_num_bits(p.get()) != dh_prime_bits) return crypto_errc::dh_prime_invalid;
  // g < p - 1 holds for any 32-bit g once p has 2048 bits.
  if (g <= 1) return crypto_errc::dh_g_out_of_range;
  const auto m = minimal(prime);
  const bool known = m.size() == known_prime.size() && std::equal(m.begin(), m.end(), known_prime.begin());
  if (!known) {
    ctx_ptr ctx = new_ctx();
    if (!safe_prime_cached(prime, p.get(), ctx.get())) return crypto_errc::dh_prime_invalid;
  }
  if (!generator_ok(p.get(), g)) return crypto_errc::dh_generator_invalid;
  return {};
}

std::error_code check_dh_value(std::span<const std::uint8_t> prime, std::span<const std::uint8_t> value,
                               std::error_code which) {
  bn_ptr p = to_bn(prime);
  bn_ptr v = to_bn(value);
  ctx_ptr ctx = new_ctx();
  return value_in_range(p.get(), v.get(), ctx.get()) ? std::error_code{} : which;
}

dh_value dh_public_value(std::span<const std::uint8_t> prime, std::uint32_t g, std::span<const std::uint8_t> secret) {
  bn_ptr p = checked_prime(prime);
  bn_ptr base = new_bn();
  if (BN_set_word(base.get(), g) != 1) throw crypto_error(crypto_errc::openssl_failure, "BN_set_word");
  ctx_ptr ctx = new_ctx();
  return to_value(mod_exp_secret(base.get(), secret, p.get(), ctx.get()).get());
}

dh_value dh_shared_key(std::span<const std::uint8_t> prime, std::span<const std::uint8_t> peer,
                       std::span<const std::uint8_t> secret, std::error_code which) {
  bn_ptr p = checked_prime(prime);
  bn_ptr base = to_bn(peer);
  ctx_ptr ctx = new_ctx();
  if (!value_in_range(p.get(), base.get(), ctx.get())) throw crypto_error(which, "DH peer value");
  return to_value(mod_exp_secret(base.get(), secret, p.get(), ctx.get()).get());
}

dh_client_result dh_client_compute(std::span<const std::uint8_t> prime, std::uint32_t g,
                                   std::span<const std::uint8_t> g_a, std::span<const std::uint8_t, 256> b) {
  if (const std::error_code ec = check_dh_group(prime, g)) throw crypto_error(ec, "DH group");
  dh_client_result r;
  r.g_b = dh_public_value(prime, g, b);
  if (const std::error_code ec = check_dh_value(prime, r.g_b, crypto_errc::dh_g_b_out_of_range)) {
    throw crypto_error(ec, "DH g_b");
  }
  r.auth_key = dh_shared_key(prime, g_a, b, crypto_errc::dh_g_a_out_of_range);
  return r;
}

}  // namespace mtproto::crypto
