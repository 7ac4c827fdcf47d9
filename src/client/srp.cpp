// SRP-2048 as core.telegram.org/api/srp describes it. Every value that enters a hash is padded to
// the 256-byte size of p, as the server computes them.
#include "mtproto/client/srp.h"

#include <openssl/bn.h>
#include <openssl/evp.h>

#include <memory>

#include "mtproto/crypto/dh.h"
#include "mtproto/crypto/error.h"
#include "mtproto/crypto/sha.h"

namespace mtproto::client {
namespace {

constexpr std::size_t srp_value_bytes = 256;
constexpr int pbkdf2_iterations = 100000;
constexpr std::size_t pbkdf2_output_bytes = 64;

class srp_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mtproto.srp"; }
  std::string message(int value) const override {
    switch (static_cast<srp_errc>(value)) {
      case srp_errc::bad_group: return "SRP group (p, g) is not acceptable";
      case srp_errc::bad_server_value: return "SRP server value B is out of range";
      case srp_errc::bad_exponent: return "SRP client exponent gives an unusable A";
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
  if (!b) throw crypto::crypto_error(crypto::crypto_errc::openssl_failure, "BN_new");
  return b;
}
bn from_bytes(std::span<const std::uint8_t> bytes) {
  bn b(BN_bin2bn(bytes.data(), static_cast<int>(bytes.size()), nullptr));
  if (!b) throw crypto::crypto_error(crypto::crypto_errc::openssl_failure, "BN_bin2bn");
  return b;
}
std::vector<std::uint8_t> to_padded(const BIGNUM* b) {
  std::vector<std::uint8_t> out(srp_value_bytes);
  if (BN_bn2binpad(b, out.data(), static_cast<int>(out.size())) < 0)
    throw crypto::crypto_error(crypto::crypto_errc::openssl_failure, "BN_bn2binpad");
  return out;
}
std::vector<std::uint8_t> pad(std::span<const std::uint8_t> value) { return to_padded(from_bytes(value).get()); }
void check(int ok, const char* what) {
  if (ok != 1) throw crypto::crypto_error(crypto::crypto_errc::openssl_failure, what);
}

crypto::sha256_digest salted_hash(std::span<const std::uint8_t> data, std::span<const std::uint8_t> salt) {
  return crypto::sha256({salt, data, salt});
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

std::error_code srp_compute(std::string_view password, const srp_parameters& params,
                            std::span<const std::uint8_t, 256> a_bytes, srp_answer& out) {
  if (params.p.size() != srp_value_bytes || params.g <= 0) return srp_errc::bad_group;
  if (crypto::check_dh_group(params.p, static_cast<std::uint32_t>(params.g))) return srp_errc::bad_group;
  if (params.srp_B.empty() || params.srp_B.size() > srp_value_bytes) return srp_errc::bad_server_value;
  if (crypto::check_dh_value(params.p, params.srp_B, crypto::crypto_errc::dh_g_b_out_of_range))
    return srp_errc::bad_server_value;

  std::unique_ptr<BN_CTX, ctx_free> ctx(BN_CTX_new());
  if (!ctx) throw crypto::crypto_error(crypto::crypto_errc::openssl_failure, "BN_CTX_new");
  const bn p = from_bytes(params.p);
  const bn g = make_bn();
  check(BN_set_word(g.get(), static_cast<BN_ULONG>(params.g)), "BN_set_word");
  const bn B = from_bytes(params.srp_B);
  const bn a = from_bytes(a_bytes);

  // A = g^a mod p, subject to the same range check as any DH value.
  bn A = make_bn();
  check(BN_mod_exp(A.get(), g.get(), a.get(), p.get(), ctx.get()), "BN_mod_exp");
  const auto A_bytes = to_padded(A.get());
  if (crypto::check_dh_value(params.p, A_bytes, crypto::crypto_errc::dh_g_a_out_of_range)) return srp_errc::bad_exponent;

  const auto p_bytes = pad(params.p);
  const auto g_bytes = to_padded(g.get());
  const auto B_bytes = pad(params.srp_B);

  const auto k_hash = crypto::sha256({p_bytes, g_bytes});
  const auto u_hash = crypto::sha256({A_bytes, B_bytes});
  const auto x_hash = srp_password_hash(password, params.salt1, params.salt2);
  const bn k = from_bytes(k_hash);
  const bn u = from_bytes(u_hash);
  const bn x = from_bytes(x_hash);

  // t = (B - k * g^x) mod p, kept non-negative.
  bn v = make_bn();
  check(BN_mod_exp(v.get(), g.get(), x.get(), p.get(), ctx.get()), "BN_mod_exp");
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
  check(BN_mod_exp(S.get(), t.get(), exponent.get(), p.get(), ctx.get()), "BN_mod_exp");
  const auto K = crypto::sha256(to_padded(S.get()));

  const auto hp = crypto::sha256(p_bytes);
  const auto hg = crypto::sha256(g_bytes);
  crypto::sha256_digest hp_xor_hg{};
  for (std::size_t i = 0; i < hp.size(); ++i) hp_xor_hg[i] = hp[i] ^ hg[i];
  const auto M1 = crypto::sha256(
      {hp_xor_hg, crypto::sha256(params.salt1), crypto::sha256(params.salt2), A_bytes, B_bytes, K});

  out.srp_id = params.srp_id;
  out.A = A_bytes;
  out.M1.assign(M1.begin(), M1.end());
  return {};
}

}  // namespace mtproto::client
