/// \file
/// Diffie-Hellman for the auth-key handshake (2048-bit MODP group chosen by the server), with
/// every check the MTProto spec requires. Secret exponents are passed in (sans-IO).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <system_error>

#include "mtproto/crypto/export.h"

namespace mtproto::crypto {

/// Size of the 2048-bit prime and of every value modulo it, in bytes.
constexpr std::size_t dh_prime_bytes = 256;
using dh_value = std::array<std::uint8_t, dh_prime_bytes>;  ///< A value mod p: big-endian, left-padded.

/// The 2048-bit safe prime Telegram servers use (checked by value, no primality test needed).
MTPROTO_CRYPTO_EXPORT std::span<const std::uint8_t, dh_prime_bytes> telegram_dh_prime() noexcept;

/// dh_prime is a 2048-bit safe prime (the known one, or p and (p-1)/2 both pass a probabilistic
/// primality test; results cached per prime) and g in 2..7 generates the subgroup of order
/// (p-1)/2 as the spec's residue conditions say. Returns dh_prime_invalid / dh_generator_invalid.
MTPROTO_CRYPTO_EXPORT std::error_code check_dh_group(std::span<const std::uint8_t> prime, std::uint32_t g);

/// 1 < value < p - 1 and 2^(2048-64) <= value <= p - 2^(2048-64). `which` is the error to report
/// (dh_g_a_out_of_range or dh_g_b_out_of_range).
MTPROTO_CRYPTO_EXPORT std::error_code check_dh_value(std::span<const std::uint8_t> prime,
                                                     std::span<const std::uint8_t> value, std::error_code which);

/// The client's half of the exchange.
struct dh_client_result {
  dh_value g_b;       ///< g^b mod p, sent in client_DH_inner_data.
  dh_value auth_key;  ///< g_a^b mod p: the new auth key (secret).
};

/// Client side: checks the group and g_a, computes g_b and the shared key, and checks g_b.
/// `b` is 256 random bytes read as a big-endian integer. Throws crypto_error with the failed check.
MTPROTO_CRYPTO_EXPORT dh_client_result dh_client_compute(std::span<const std::uint8_t> prime, std::uint32_t g,
                                                         std::span<const std::uint8_t> g_a,
                                                         std::span<const std::uint8_t, 256> b);

/// g^secret mod p (the server's g_a, or any side's public value), constant-time in the secret.
MTPROTO_CRYPTO_EXPORT dh_value dh_public_value(std::span<const std::uint8_t> prime, std::uint32_t g,
                                               std::span<const std::uint8_t> secret);
/// peer^secret mod p, after check_dh_value on peer (throws with `which` on failure).
MTPROTO_CRYPTO_EXPORT dh_value dh_shared_key(std::span<const std::uint8_t> prime, std::span<const std::uint8_t> peer,
                                             std::span<const std::uint8_t> secret, std::error_code which);

}  // namespace mtproto::crypto
