// SRP-2048 (two-step verification) fed hostile values: the client's srp_compute with the server's
// account.password fields (p, g, salts, srp_B) from the input, and the server's
// srp_server_public / srp_server_check with a hostile verifier or a hostile client (A, M1).
// Values are drawn either raw or from the edges of the accepted ranges (0, 1, p-1, p, p+1,
// 2^1984 +-1, p - 2^1984, 2^2048-1, leading zero bytes), so the range checks are probed where they
// can be wrong. Must hold: every refusal is an srp_errc, never an exception; srp_compute refuses
// exactly the groups check_dh_group refuses (bad_group), then the B values outside the DH safe
// range (bad_server_value), then an `a` whose A = g^a falls outside it (bad_exponent), in that
// order; what srp_server_public accepts is 256 bytes inside the safe range, and it refuses every
// group srp_compute would; a hostile client never passes srp_server_check, and an A outside the
// safe range is refused as bad_client_value.
//
// Not here: the accepted path of srp_compute / srp_make_verifier, which runs PBKDF2 with 100000
// iterations (~0.3 s under ASan) and so would make this target crawl; a parameter set that passes
// every check returns early (tests/crypto/srp_test.cpp covers the genuine exchange). The
// exponentiations that remain keep it at a few ms per input. Inputs are capped at 4 KiB.
#include <openssl/bn.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <vector>

#include "fuzz_data.h"
#include "mtproto/crypto/dh.h"
#include "mtproto/crypto/error.h"
#include "mtproto/crypto/srp.h"

using namespace mtproto::crypto;

namespace {

constexpr std::size_t max_input = 4096;
constexpr std::int32_t telegram_g = 3;  // a generator the spec allows for Telegram's prime

struct bn_free {
  void operator()(BIGNUM* b) const noexcept { BN_free(b); }
};
using bn = std::unique_ptr<BIGNUM, bn_free>;

bn to_bn(std::span<const std::uint8_t> b) { return bn(BN_bin2bn(b.data(), static_cast<int>(b.size()), nullptr)); }
/// Big-endian, left-padded to `size` (or longer when the value needs it).
std::vector<std::uint8_t> to_bytes(const BIGNUM* b, std::size_t size) {
  size = std::max(size, static_cast<std::size_t>(BN_num_bytes(b)));
  std::vector<std::uint8_t> out(size);
  BN_bn2binpad(b, out.data(), static_cast<int>(size));
  return out;
}

std::vector<std::uint8_t> known_prime() {
  const auto p = telegram_dh_prime();
  return {p.begin(), p.end()};
}

/// A value near an edge of the ranges modulo `p`, or raw input bytes.
std::vector<std::uint8_t> edge_value(mtproto::fuzz::fuzz_data& in, std::span<const std::uint8_t> p) {
  const std::uint8_t kind = in.byte();
  if (kind >= 16) return in.vector(in.sized_bytes(300));
  const bn P = to_bn(p);
  bn v(BN_new());
  bn margin(BN_new());
  BN_set_bit(margin.get(), 2048 - 64);
  switch (kind) {
    case 0: BN_zero(v.get()); break;
    case 1: BN_one(v.get()); break;
    case 2: BN_sub(v.get(), P.get(), BN_value_one()); break;
    case 3: BN_copy(v.get(), P.get()); break;
    case 4: BN_add(v.get(), P.get(), BN_value_one()); break;
    case 5: BN_sub(v.get(), margin.get(), BN_value_one()); break;
    case 6: BN_copy(v.get(), margin.get()); break;
    case 7: BN_sub(v.get(), P.get(), margin.get()); break;
    case 8:
      BN_sub(v.get(), P.get(), margin.get());
      BN_add(v.get(), v.get(), BN_value_one());
      break;
    case 9:
      BN_set_bit(v.get(), 2048);
      BN_sub(v.get(), v.get(), BN_value_one());
      break;
    case 10: BN_set_word(v.get(), 2); break;
    default: {  // p plus or minus a small fuzzer-chosen delta
      const auto delta = in.integral<std::uint16_t>();
      BN_copy(v.get(), P.get());
      if (kind & 1) BN_add_word(v.get(), delta);
      else BN_sub_word(v.get(), delta);
      break;
    }
  }
  // 0..3 leading zero bytes on top of the minimal encoding, or left-padded to 256.
  const std::uint8_t pad = in.byte();
  const auto minimal_size = static_cast<std::size_t>(BN_num_bytes(v.get()));
  std::vector<std::uint8_t> out = to_bytes(v.get(), pad & 4 ? srp_value_bytes : minimal_size);
  out.insert(out.begin(), pad & 3, 0);
  return out;
}

/// A prime for the group: Telegram's, a mutation of it, or raw bytes.
std::vector<std::uint8_t> hostile_prime(mtproto::fuzz::fuzz_data& in) {
  std::vector<std::uint8_t> p = known_prime();
  switch (in.byte() % 4) {
    case 0: break;
    case 1:
      for (std::size_t n = in.byte() % 4 + 1; n > 0; --n) p[in.below(p.size())] ^= in.byte();
      break;
    case 2: p.insert(p.begin(), 0); break;
    default: p = in.vector(in.sized_bytes(300)); break;
  }
  return p;
}

std::int32_t hostile_g(mtproto::fuzz::fuzz_data& in) {
  const std::uint8_t b = in.byte();
  return b < 16 ? static_cast<std::int32_t>(b) - 4 : in.integral<std::int32_t>();
}

std::array<std::uint8_t, 256> exponent(mtproto::fuzz::fuzz_data& in) {
  std::array<std::uint8_t, 256> e{};
  const auto raw = in.bytes(e.size());
  std::copy(raw.begin(), raw.end(), e.end() - static_cast<std::ptrdiff_t>(raw.size()));
  return e;
}

bool in_safe_range(std::span<const std::uint8_t> p, std::span<const std::uint8_t> v) {
  return !v.empty() && v.size() <= srp_value_bytes && !check_dh_value(p, v, crypto_errc::dh_g_b_out_of_range);
}

bool group_ok(std::span<const std::uint8_t> p, std::int32_t g) {
  return p.size() == srp_value_bytes && g > 0 && !check_dh_group(p, static_cast<std::uint32_t>(g));
}

/// The server's side of one account, made once (PBKDF2): password "hunter2".
const srp_verifier& account() {
  static const srp_verifier v = [] {
    const std::vector<std::uint8_t> salt1(40, 0x11), salt2(16, 0x22);
    srp_verifier out;
    if (srp_make_verifier("hunter2", salt1, salt2, telegram_g, known_prime(), out)) std::abort();
    return out;
  }();
  return v;
}

void hostile_params(mtproto::fuzz::fuzz_data& in) {
  srp_parameters params;
  params.p = hostile_prime(in);
  params.g = hostile_g(in);
  params.srp_B = edge_value(in, known_prime());
  params.salt1 = in.vector(in.short_bytes());
  params.salt2 = in.vector(in.short_bytes());
  params.srp_id = in.integral<std::int64_t>();
  const auto a = exponent(in);
  const bool bad_group = !group_ok(params.p, params.g);
  const bool bad_B = !bad_group && !in_safe_range(params.p, params.srp_B);
  // With a good group and B, `a` decides: A = g^a outside the safe range is refused before the
  // password is hashed. Otherwise srp_compute would go on to PBKDF2: not fuzzed here.
  bool bad_A = false;
  if (!bad_group && !bad_B) {
    const bn P = to_bn(params.p), G(BN_new()), E = to_bn(a);
    bn A(BN_new());
    std::unique_ptr<BN_CTX, void (*)(BN_CTX*)> ctx(BN_CTX_new(), BN_CTX_free);
    BN_set_word(G.get(), static_cast<BN_ULONG>(params.g));
    if (BN_mod_exp(A.get(), G.get(), E.get(), P.get(), ctx.get()) != 1) std::abort();
    bad_A = !in_safe_range(params.p, to_bytes(A.get(), srp_value_bytes));
    if (!bad_A) return;
  }
  srp_answer out;
  const std::error_code ec = srp_compute("password", params, a, out);
  if (bad_group && ec != srp_errc::bad_group) std::abort();
  if (bad_B && ec != srp_errc::bad_server_value) std::abort();
  if (bad_A && ec != srp_errc::bad_exponent) std::abort();
}

void hostile_client(mtproto::fuzz::fuzz_data& in) {
  const srp_verifier& v = account();
  const auto b = exponent(in);
  std::vector<std::uint8_t> B;
  const bool genuine_B = in.boolean();
  if (genuine_B) {
    if (const auto ec = srp_server_public(v, b, B)) {
      if (ec != srp_errc::bad_exponent) std::abort();
      return;
    }
    if (B.size() != srp_value_bytes || !in_safe_range(v.p, B)) std::abort();
  } else {
    B = edge_value(in, v.p);
  }
  const auto A = edge_value(in, v.p);
  const auto M1 = in.vector(in.short_bytes(64));
  const std::error_code ec = srp_server_check(v, b, B, A, M1);
  if (!ec) std::abort();  // nobody without the password passes
  if (ec.category() != srp_category()) std::abort();
  if (!in_safe_range(v.p, A) && ec != srp_errc::bad_client_value) std::abort();
}

void hostile_verifier(mtproto::fuzz::fuzz_data& in) {
  srp_verifier v;
  v.p = hostile_prime(in);
  v.g = hostile_g(in);
  v.v = edge_value(in, known_prime());
  v.salt1 = in.vector(in.short_bytes());
  v.salt2 = in.vector(in.short_bytes());
  const auto b = exponent(in);
  std::vector<std::uint8_t> B;
  const std::error_code ec = srp_server_public(v, b, B);
  const bool ok_group = group_ok(v.p, v.g);
  if (!ok_group && ec != srp_errc::bad_group) std::abort();
  if (ec) {
    if (ec != srp_errc::bad_group && ec != srp_errc::bad_exponent) std::abort();
  } else if (B.size() != srp_value_bytes || !in_safe_range(v.p, B)) {
    std::abort();
  }
  if (!ok_group) return;
  const auto A = edge_value(in, v.p);
  const auto M1 = in.vector(in.short_bytes(64));
  const std::error_code check = srp_server_check(v, b, B.empty() ? edge_value(in, v.p) : B, A, M1);
  if (check.category() != srp_category()) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > max_input) return 0;
  mtproto::fuzz::fuzz_data in(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: hostile_params(in); break;
    case 1: hostile_client(in); break;
    default: hostile_verifier(in); break;
  }
  return 0;
}
