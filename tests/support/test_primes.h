// A 2048-bit prime that is not a safe prime ((p-1)/2 composite), for tests of the DH group check.
#pragma once

#include <memory>
#include <stdexcept>
#include <vector>

#include <openssl/bn.h>

namespace mtproto::test {

inline std::vector<std::uint8_t> non_safe_prime_2048() {
  std::unique_ptr<BN_CTX, decltype(&BN_CTX_free)> ctx(BN_CTX_new(), BN_CTX_free);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> p(BN_new(), BN_free), q(BN_new(), BN_free);
  for (int attempt = 0; attempt < 64; ++attempt) {
    if (!BN_generate_prime_ex2(p.get(), 2048, /*safe=*/0, nullptr, nullptr, nullptr, ctx.get()))
      throw std::runtime_error("BN_generate_prime_ex2 failed");
    BN_rshift1(q.get(), p.get());  // (p-1)/2 for odd p
    if (BN_check_prime(q.get(), ctx.get(), nullptr) == 0) {
      std::vector<std::uint8_t> out(256);
      BN_bn2binpad(p.get(), out.data(), static_cast<int>(out.size()));
      return out;
    }
  }
  throw std::runtime_error("no non-safe prime found");
}

}  // namespace mtproto::test
