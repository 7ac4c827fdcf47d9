/// \file
/// Factorisation of the handshake's pq (a product of two primes below 2^32, so pq < 2^64).
#pragma once

#include <cstdint>
#include <span>
#include <system_error>
#include <vector>

#include "mtproto/crypto/export.h"

namespace mtproto::crypto {

/// The two prime factors of pq.
struct pq_factors {
  std::uint64_t p;  ///< The smaller factor (p < q).
  std::uint64_t q;  ///< The larger factor.
};

/// Pollard-Brent with 128-bit modular multiplication, bounded work. Throws
/// crypto_error(pq_not_factorable) unless pq = p * q with p < q both prime.
MTPROTO_CRYPTO_EXPORT pq_factors factorize_pq(std::uint64_t pq);

/// pq as the big-endian bytes of resPQ (at most 8). Throws crypto_error(pq_not_factorable) if longer.
MTPROTO_CRYPTO_EXPORT std::uint64_t pq_from_bytes(std::span<const std::uint8_t> be);
/// Minimal big-endian bytes (what p_q_inner_data carries for p and q).
MTPROTO_CRYPTO_EXPORT std::vector<std::uint8_t> minimal_be_bytes(std::uint64_t v);

}  // namespace mtproto::crypto
