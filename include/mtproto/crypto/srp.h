/// \file
/// SRP-2048 as Telegram uses it for two-step verification (account.getPassword ->
/// auth.checkPassword, core.telegram.org/api/srp), both halves: the client's proof (A, M1) and the
/// server's check of it. One implementation of the hash chain (x, k, u, M1) serves both, so a
/// server built on this library cannot silently agree with its own client on a wrong reading.
/// OpenSSL BIGNUM; pure: the random exponents `a` and `b` are passed in.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

#include "mtproto/crypto/export.h"

namespace mtproto::crypto {

/// Size of p and of every value that enters a hash (left-padded with zeros).
inline constexpr std::size_t srp_value_bytes = 256;

/// passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow and the server's B.
/// Copied from account.password (its current_algo and srp_B, srp_id).
struct srp_parameters {
  std::vector<std::uint8_t> salt1;  ///< First salt of the KDF, as received.
  std::vector<std::uint8_t> salt2;  ///< Second salt of the KDF.
  std::int32_t g = 0;               ///< Generator.
  std::vector<std::uint8_t> p;      ///< 2048-bit safe prime, big-endian.
  std::vector<std::uint8_t> srp_B;  ///< The server's public value B, big-endian.
  std::int64_t srp_id = 0;          ///< Identifies this B; echoed in the answer.
};

/// What auth.checkPassword sends (inputCheckPasswordSRP).
struct srp_answer {
  std::int64_t srp_id = 0;       ///< srp_parameters::srp_id.
  std::vector<std::uint8_t> A;   ///< The client's public value, 256 bytes.
  std::vector<std::uint8_t> M1;  ///< The proof, 32 bytes.
};

/// Why an SRP step refused its input; converts implicitly to std::error_code in srp_category().
enum class srp_errc {
  bad_group = 1,     ///< p is not a 2048-bit safe prime or g does not fit it.
  bad_server_value,  ///< B outside (1, p-1) or out of the safe range.
  bad_exponent,      ///< `a` (or `b`) would give an unusable A (B): retry with other random bytes.
  bad_client_value,  ///< Server side: A outside (1, p-1) or out of the safe range.
  proof_mismatch,    ///< Server side: M1 is not the proof of the stored password.
};
/// The category of srp_errc values, named "mtproto.srp"; one instance for the program.
MTPROTO_CRYPTO_EXPORT const std::error_category& srp_category() noexcept;
/// Makes srp_errc usable as std::error_code (found by argument-dependent lookup).
inline std::error_code make_error_code(srp_errc e) noexcept { return {static_cast<int>(e), srp_category()}; }

/// x = PH2(password) = SH(pbkdf2_sha512(PH1, salt1, 100000), salt2), PH1 = SH(SH(pw, salt1), salt2),
/// SH(data, salt) = SHA256(salt | data | salt).
MTPROTO_CRYPTO_EXPORT std::vector<std::uint8_t> srp_password_hash(std::string_view password,
                                                                  std::span<const std::uint8_t> salt1,
                                                                  std::span<const std::uint8_t> salt2);

/// Client: A = g^a, u = H(A|B), x = PH2, k = H(p|g), S = (B - k g^x)^(a + u x), K = H(S),
/// M1 = H(H(p) xor H(g) | H(salt1) | H(salt2) | A | B | K), all values padded to 256 bytes.
/// `a` is 256 random bytes. Fills `out` and returns no error, or bad_group, bad_server_value or
/// bad_exponent (then `out` is unspecified).
MTPROTO_CRYPTO_EXPORT std::error_code srp_compute(std::string_view password, const srp_parameters& params,
                                                  std::span<const std::uint8_t, 256> a, srp_answer& out);

/// What a server stores for an account's password instead of the password: the algorithm's
/// parameters and the verifier v = g^x mod p.
struct srp_verifier {
  std::vector<std::uint8_t> salt1;  ///< First salt of the KDF.
  std::vector<std::uint8_t> salt2;  ///< Second salt of the KDF.
  std::int32_t g = 0;               ///< Generator.
  std::vector<std::uint8_t> p;      ///< 2048-bit safe prime, big-endian.
  std::vector<std::uint8_t> v;      ///< The verifier g^x mod p, 256 bytes.
};

/// Checks the group and derives v from the password (the PBKDF2 costs ~100k SHA-512 HMACs).
/// bad_group if p and g are not acceptable.
MTPROTO_CRYPTO_EXPORT std::error_code srp_make_verifier(std::string_view password, std::span<const std::uint8_t> salt1,
                                                        std::span<const std::uint8_t> salt2, std::int32_t g,
                                                        std::span<const std::uint8_t> p, srp_verifier& out);

/// Server: B = (k v + g^b) mod p for a fresh random `b` (256 bytes), padded to 256 bytes.
/// bad_exponent when B falls outside the safe range (draw another `b`).
MTPROTO_CRYPTO_EXPORT std::error_code srp_server_public(const srp_verifier& verifier,
                                                        std::span<const std::uint8_t, 256> b,
                                                        std::vector<std::uint8_t>& B);

/// Server: checks the client's A and M1 against the B made from `b`: S = (A v^u)^b, K = H(S),
/// M1 as the client computes it, compared in constant time. bad_client_value or proof_mismatch.
MTPROTO_CRYPTO_EXPORT std::error_code srp_server_check(const srp_verifier& verifier,
                                                       std::span<const std::uint8_t, 256> b,
                                                       std::span<const std::uint8_t> B, std::span<const std::uint8_t> A,
                                                       std::span<const std::uint8_t> M1);

}  // namespace mtproto::crypto

namespace std {
/// Lets an srp_errc convert implicitly to std::error_code and compare with one.
template <>
struct is_error_code_enum<mtproto::crypto::srp_errc> : true_type {};
}  // namespace std
