#include "mtproto/crypto/pq.h"

#include <numeric>

#include "mtproto/crypto/error.h"

namespace mtproto::crypto {
namespace {

__extension__ typedef unsigned __int128 u128;  // GCC/Clang extension; -Wpedantic otherwise

// Bounds the work a hostile server can demand: a 64-bit semiprime needs ~2^16 steps on average.
constexpr std::uint64_t max_steps_per_seed = std::uint64_t{1} << 22;
constexpr std::uint64_t seeds_to_try = 8;
constexpr std::uint64_t batch = 128;  // gcd once per batch of products (Brent's improvement)

std::uint64_t mulmod(std::uint64_t a, std::uint64_t b, std::uint64_t m) noexcept {
  return static_cast<std::uint64_t>(static_cast<u128>(a) * b % m);
}

std::uint64_t powmod(std::uint64_t b, std::uint64_t e, std::uint64_t m) noexcept {
  std::uint64_t r = 1 % m;
  for (b %= m; e != 0; e >>= 1, b = mulmod(b, b, m)) {
    if (e & 1) r = mulmod(r, b, m);
  }
  return r;
}

// Deterministic Miller-Rabin for all 64-bit n (these bases suffice below 3.3e24).
bool is_prime(std::uint64_t n) noexcept {
  if (n < 2) return false;
  static constexpr std::uint64_t bases[] = {2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37};
  for (std::uint64_t b : bases) {
    if (n % b == 0) return n == b;
  }
  std::uint64_t d = n - 1;
  int s = 0;
  while ((d & 1) == 0) d >>= 1, ++s;
  for (std::uint64_t a : bases) {
    std::uint64_t x = powmod(a, d, n);
    if (x == 1 || x == n - 1) continue;
    bool composite = true;
    for (int i = 1; i < s && composite; ++i) {
      x = mulmod(x, x, n);
      if (x == n - 1) composite = false;
    }
    if (composite) return false;
  }
  return true;
}

// One Pollard-Brent run with f(x) = x^2 + c; returns a non-trivial factor or 0.
std::uint64_t brent(std::uint64_t n, std::uint64_t c) noexcept {
  std::uint64_t y = 2, x = 2, ys = 2, q = 1, g = 1, steps = 0;
  auto f = [n, c](std::uint64_t v) { return static_cast<std::uint64_t>((static_cast<u128>(v) * v + c) % n); };
  for (std::uint64_t r = 1; g == 1; r <<= 1) {
    x = y;
    for (std::uint64_t i = 0; i < r; ++i) y = f(y);
    for (std::uint64_t k = 0; k < r && g == 1; k += batch) {
      ys = y;
      const std::uint64_t m = std::min(batch, r - k);
      for (std::uint64_t i = 0; i < m; ++i) {
        y = f(y);
        q = mulmod(q, x > y ? x - y : y - x, n);
      }
      g = std::gcd(q, n);
      steps += m;
    }
    if (steps > max_steps_per_seed) return 0;
  }
  if (g == n) {  // the batch overshot: redo it one step at a time
    do {
      ys = f(ys);
      g = std::gcd(x > ys ? x - ys : ys - x, n);
    } while (g == 1);
  }
  return g == n ? 0 : g;
}

}  // namespace

pq_factors factorize_pq(std::uint64_t pq) {
  if (pq < 4) throw crypto_error(crypto_errc::pq_not_factorable, "pq too small");
  std::uint64_t factor = 0;
  if (pq % 2 == 0) {
    factor = 2;
  } else if (!is_prime(pq)) {
    for (std::uint64_t c = 1; c <= seeds_to_try && factor == 0; ++c) factor = brent(pq, c);
  }
  if (factor == 0) throw crypto_error(crypto_errc::pq_not_factorable, "no factor found");
  std::uint64_t p = factor, q = pq / factor;
  if (p > q) std::swap(p, q);
  if (!is_prime(p) || !is_prime(q)) throw crypto_error(crypto_errc::pq_not_factorable, "factors are not both prime");
  return {p, q};
}

std::uint64_t pq_from_bytes(std::span<const std::uint8_t> be) {
  if (be.size() > 8) throw crypto_error(crypto_errc::pq_not_factorable, "pq longer than 8 bytes");
  std::uint64_t v = 0;
  for (std::uint8_t b : be) v = v << 8 | b;
  return v;
}

std::vector<std::uint8_t> minimal_be_bytes(std::uint64_t v) {
  std::vector<std::uint8_t> out;
  for (int shift = 56; shift >= 0; shift -= 8) {
    const auto b = static_cast<std::uint8_t>(v >> shift);
    if (b != 0 || !out.empty()) out.push_back(b);
  }
  if (out.empty()) out.push_back(0);
  return out;
}

}  // namespace mtproto::crypto
