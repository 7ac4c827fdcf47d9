// SRP-2048 as core.telegram.org/api/srp describes it. Every value that enters a hash is padded to
// the 256-byte size of p, as Telegram's server computes them.
#include "mtproto/crypto/srp.h"

#include <openssl/bn.h>
#include <openssl/evp.h>

#include <array>
#include <memory>

#include "mtproto/crypto/ct_equal.h"
#include "mtproto/crypto/dh.h"
#include "mtproto/crypto/error.h"
#include "mtproto/crypto/sha.h"

namespace mtproto::crypto {
namespace {

constexpr int pbkdf2_iterations = 100000;
constexpr std::size_t pbkdf2_output_bytes = 64;

class srp_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mtproto.srp"; }
  std::string message(int value) const override {
    switch (static_cast<srp_errc>(value)) {
      case srp_errc::bad_group: return "SRP group (p, g) is not acceptable";
      case srp_errc::bad_server_value: return "SRP server value B is out of range";
      case srp_errc::bad_exponent: return "SRP secret exponent gives an unusable public value";
      case srp_errc::bad_client_value: return "SRP client value A is out of range";
      case srp_errc::proof_mismatch: return "SRP proof M1 does not match the password";
    }
    return "unknown SRP error";
  }
};

struct bn_free {
  void operator()(BIGNUM* b) const noexcept { BN_clear_free(b); }
};
struct ctx_free {
  void operator()(BN_CTX* c) const noexcept { BN_CTX_free(c); }
};
using bn = std::unique_ptr<BIGNUM, bn_free>;

bn make_bn() {
  bn b(BN_new());
  if (!b) throw crypto_error(crypto_errc::openssl_failure, "BN_new");
  return b;
}
bn from_bytes(std::span<const std::uint8_t> bytes) {
  bn b(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  if (!b) throw crypto_error(crypto_errc::openssl_failure, "BN_bin2bn");
  return b;
}
/// r = base^exp mod p with timing independent of exp: the exponents here are secrets (a, x, b,
/// a + u*x), as the DH code treats its own.
int mod_exp_secret(BIGNUM* r, const BIGNUM* base, const BIGNUM* exp, const BIGNUM* p, BN_CTX* ctx) {
  bn e(BN_dup(exp));
  if (!e) return 0;
  BN_set_flags(e.get(), BN_FLG_CONSTTIME);
  return BN_mod_exp_mont_consttime(r, base, e.get(), p, ctx, nullptr);
}
std::vector<std::uint8_t> to_padded(const BIGNUM* b) {
  std::vector<std::uint8_t> out(srp_value_bytes);
  if (BN_bn2binpad(b, out.data(), static_cast<int>(out.size())) < 0)
    throw crypto_error(crypto_errc::openssl_failure, "BN_bn2binpad");
  return out;
}
std::vector<std::uint8_t> pad(std::span<const std::uint8_t> value) { return to_padded(from_bytes(value).get()); }
void check(int ok, const char* what) {
  if (ok != 1) throw crypto_error(crypto_errc::openssl_failure, what);
}

sha256_digest salted_hash(std::span<const std::uint8_t> data, std::span<const std::uint8_t> salt) {
  return sha256({salt, data, salt});
}

}  // namespace

const std::error_category& srp_category() noexcept {
  static const srp_category_impl instance;
  return instance;
}

std::vector<std::uint8_t> srp_password_hash(std::string_view password, std::span<const std::uint8_t> salt1,
                                            std::span<const std::uint8_t> salt2) {
  const std::span<const std::uint8_t> pw(reinterpret_cast<const std::uint8_t*>(password.data()), password.size());
  const auto ph1 = salted_hash(salted_hash(pw, salt1), salt2);
  std::array<std::uint8_t, pbkdf2_output_bytes> stretched{};
  check(PKCS5_PBKDF2_HMAC(reinterpret_cast<const char*>(ph1.data()), static_cast<int>(ph1.size()), salt1.data(),
                          static_cast<int>(salt1.size()), pbkdf2_iterations, EVP_sha512(),
                          static_cast<int>(stretched.size()), stretched.data()),
        "PKCS5_PBKDF2_HMAC");
  const auto ph2 = salted_hash(stretched, salt2);
  return {ph2.begin(), ph2.end()};
}

namespace {

struct bn_ctx_owner {
  std::unique_ptr<BN_CTX, ctx_free> ctx{BN_CTX_new()};
  bn_ctx_owner() {
    if (!ctx) throw crypto_error(crypto_errc::openssl_failure, "BN_CTX_new");
  }
  BN_CTX* get() const noexcept { return ctx.get(); }
};

std::error_code check_group(std::span<const std::uint8_t> p, std::int32_t g) {
  if (p.size() != srp_value_bytes || g <= 0) return srp_errc::bad_group;
  if (check_dh_group(p, static_cast<std::uint32_t>(g))) return srp_errc::bad_group;
  return {};
}

/// A value the peer sent: at most 256 bytes and inside the DH safe range.
bool acceptable_value(std::span<const std::uint8_t> p, std::span<const std::uint8_t> value) {
  return !value.empty() && value.size() <= srp_value_bytes &&
         !check_dh_value(p, value, crypto_errc::dh_g_b_out_of_range);
}

bn generator(std::int32_t g) {
  bn out = make_bn();
  check(BN_set_word(out.get(), static_cast<BN_ULONG>(g)), "BN_set_word");
  return out;
}

/// k = H(p | g)
sha256_digest multiplier_k(std::span<const std::uint8_t> p_padded, std::span<const std::uint8_t> g_padded) {
  return sha256({p_padded, g_padded});
}

/// M1 = H(H(p) xor H(g) | H(salt1) | H(salt2) | A | B | K), every value padded.
sha256_digest proof_m1(std::span<const std::uint8_t> p_padded, std::span<const std::uint8_t> g_padded,
                       std::span<const std::uint8_t> salt1, std::span<const std::uint8_t> salt2,
                       std::span<const std::uint8_t> A_padded, std::span<const std::uint8_t> B_padded,
                       const sha256_digest& K) {
  const auto hp = sha256(p_padded);
  const auto hg = sha256(g_padded);
  sha256_digest hp_xor_hg{};
  for (std::size_t i = 0; i < hp.size(); ++i) hp_xor_hg[i] = hp[i] ^ hg[i];
  return sha256({hp_xor_hg, sha256(salt1), sha256(salt2), A_padded, B_padded, K});
}

}  // namespace

std::error_code srp_compute(std::string_view password, const srp_parameters& params,
                            std::span<const std::uint8_t, 256> a_bytes, srp_answer& out) {
  if (auto ec = check_group(params.p, params.g)) return ec;
  if (!acceptable_value(params.p, params.srp_B)) return srp_errc::bad_server_value;

  bn_ctx_owner ctx;
  const bn p = from_bytes(params.p);
  const bn g = generator(params.g);
  const bn B = from_bytes(params.srp_B);
  const bn a = from_bytes(a_bytes);

  // A = g^a mod p, subject to the same range check as any DH value.
  bn A = make_bn();
  check(mod_exp_secret(A.get(), g.get(), a.get(), p.get(), ctx.get()), "BN_mod_exp");
  const auto A_bytes = to_padded(A.get());
  if (check_dh_value(params.p, A_bytes, crypto_errc::dh_g_a_out_of_range)) return srp_errc::bad_exponent;

  const auto p_bytes = pad(params.p);
  const auto g_bytes = to_padded(g.get());
  const auto B_bytes = pad(params.srp_B);

  const bn k = from_bytes(multiplier_k(p_bytes, g_bytes));
  const bn u = from_bytes(sha256({A_bytes, B_bytes}));
  const bn x = from_bytes(srp_password_hash(password, params.salt1, params.salt2));

  // t = (B - k * g^x) mod p, kept non-negative.
  bn v = make_bn();
  check(mod_exp_secret(v.get(), g.get(), x.get(), p.get(), ctx.get()), "BN_mod_exp");
  bn kv = make_bn();
  check(BN_mod_mul(kv.get(), k.get(), v.get(), p.get(), ctx.get()), "BN_mod_mul");
  bn t = make_bn();
  check(BN_mod_sub(t.get(), B.get(), kv.get(), p.get(), ctx.get()), "BN_mod_sub");

  // S = t^(a + u x) mod p; the exponent is not reduced (the server does not reduce it either).
  bn ux = make_bn();
  check(BN_mul(ux.get(), u.get(), x.get(), ctx.get()), "BN_mul");
  bn exponent = make_bn();
  check(BN_add(exponent.get(), a.get(), ux.get()), "BN_add");
  bn S = make_bn();
  check(mod_exp_secret(S.get(), t.get(), exponent.get(), p.get(), ctx.get()), "BN_mod_exp");
  const auto K = sha256(to_padded(S.get()));
  const auto M1 = proof_m1(p_bytes, g_bytes, params.salt1, params.salt2, A_bytes, B_bytes, K);

  out.srp_id = params.srp_id;
  out.A = A_bytes;
  out.M1.assign(M1.begin(), M1.end());
  return {};
}

std::error_code srp_make_verifier(std::string_view password, std::span<const std::uint8_t> salt1,
                                  std::span<const std::uint8_t> salt2, std::int32_t g,
                                  std::span<const std::uint8_t> p, srp_verifier& out) {
  if (auto ec = check_group(p, g)) return ec;
  bn_ctx_owner ctx;
  const bn x = from_bytes(srp_password_hash(password, salt1, salt2));
  bn v = make_bn();
  check(mod_exp_secret(v.get(), generator(g).get(), x.get(), from_bytes(p).get(), ctx.get()), "BN_mod_exp");
  out.salt1.assign(salt1.begin(), salt1.end());
  out.salt2.assign(salt2.begin(), salt2.end());
  out.g = g;
  out.p.assign(p.begin(), p.end());
  out.v = to_padded(v.get());
  return {};
}

std::error_code srp_server_public(const srp_verifier& verifier, std::span<const std::uint8_t, 256> b_bytes,
                                  std::vector<std::uint8_t>& B_out) {
  if (auto ec = check_group(verifier.p, verifier.g)) return ec;
  bn_ctx_owner ctx;
  const bn p = from_bytes(verifier.p);
  const bn g = generator(verifier.g);
  const auto g_bytes = to_padded(g.get());
  const bn k = from_bytes(multiplier_k(pad(verifier.p), g_bytes));
  const bn v = from_bytes(verifier.v);
  const bn b = from_bytes(b_bytes);

  // B = (k v + g^b) mod p
  bn kv = make_bn();
  check(BN_mod_mul(kv.get(), k.get(), v.get(), p.get(), ctx.get()), "BN_mod_mul");
  bn gb = make_bn();
  check(mod_exp_secret(gb.get(), g.get(), b.get(), p.get(), ctx.get()), "BN_mod_exp");
  bn B = make_bn();
  check(BN_mod_add(B.get(), kv.get(), gb.get(), p.get(), ctx.get()), "BN_mod_add");
  auto B_bytes = to_padded(B.get());
  // The client refuses a B outside the DH safe range, so such a `b` is useless.
  if (check_dh_value(verifier.p, B_bytes, crypto_errc::dh_g_b_out_of_range)) return srp_errc::bad_exponent;
  B_out = std::move(B_bytes);
  return {};
}

std::error_code srp_server_check(const srp_verifier& verifier, std::span<const std::uint8_t, 256> b_bytes,
                                 std::span<const std::uint8_t> B_value, std::span<const std::uint8_t> A_value,
                                 std::span<const std::uint8_t> M1) {
  if (auto ec = check_group(verifier.p, verifier.g)) return ec;
  if (!acceptable_value(verifier.p, A_value)) return srp_errc::bad_client_value;
  if (B_value.empty() || B_value.size() > srp_value_bytes) return srp_errc::bad_server_value;
  bn_ctx_owner ctx;
  const bn p = from_bytes(verifier.p);
  const bn g = generator(verifier.g);
  const auto p_bytes = pad(verifier.p);
  const auto g_bytes = to_padded(g.get());
  const auto A_bytes = pad(A_value);
  const auto B_bytes = pad(B_value);
  const bn u = from_bytes(sha256({A_bytes, B_bytes}));
  const bn v = from_bytes(verifier.v);
  const bn A = from_bytes(A_bytes);
  const bn b = from_bytes(b_bytes);

  // S = (A v^u)^b mod p: equal to the client's (B - k v)^(a + u x) = g^(b (a + u x)).
  bn vu = make_bn();
  check(mod_exp_secret(vu.get(), v.get(), u.get(), p.get(), ctx.get()), "BN_mod_exp");
  bn base = make_bn();
  check(BN_mod_mul(base.get(), A.get(), vu.get(), p.get(), ctx.get()), "BN_mod_mul");
  bn S = make_bn();
  check(mod_exp_secret(S.get(), base.get(), b.get(), p.get(), ctx.get()), "BN_mod_exp");
  const auto K = sha256(to_padded(S.get()));
  const auto expected = proof_m1(p_bytes, g_bytes, verifier.salt1, verifier.salt2, A_bytes, B_bytes, K);
  if (!ct_equal(expected, M1)) return srp_errc::proof_mismatch;
  return {};
}

}  // namespace mtproto::crypto
