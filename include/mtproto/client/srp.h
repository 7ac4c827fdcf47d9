// The SRP-2048 check Telegram uses for two-step verification (account.getPassword ->
// auth.checkPassword), with OpenSSL BIGNUM. Pure: the random exponent `a` is passed in.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

namespace mtproto::client {

/// passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow and the server's B.
struct srp_parameters {
  std::vector<std::uint8_t> salt1;
  std::vector<std::uint8_t> salt2;
  std::int32_t g = 0;
  std::vector<std::uint8_t> p;    // 2048-bit safe prime, big-endian
  std::vector<std::uint8_t> srp_B;
  std::int64_t srp_id = 0;
};

struct srp_answer {
  std::int64_t srp_id = 0;
  std::vector<std::uint8_t> A;   // 256 bytes
  std::vector<std::uint8_t> M1;  // 32 bytes
};

enum class srp_errc {
  bad_group = 1,   // p is not a 2048-bit safe prime or g does not fit it
  bad_server_value,  // B outside (1, p-1) or out of the safe range
  bad_exponent,    // `a` would give an unusable A (retry with other random bytes)
};
const std::error_category& srp_category() noexcept;
inline std::error_code make_error_code(srp_errc e) noexcept { return {static_cast<int>(e), srp_category()}; }

/// PH2(password) = SH(pbkdf2_sha512(PH1, salt1, 100000), salt2), PH1 = SH(SH(pw, salt1), salt2),
/// SH(data, salt) = SHA256(salt | data | salt).
std::vector<std::uint8_t> srp_password_hash(std::string_view password, std::span<const std::uint8_t> salt1,
                                            std::span<const std::uint8_t> salt2);

/// A = g^a, u = H(A|B), x = PH2, k = H(p|g), S = (B - k g^x)^(a + u x), K = H(S),
/// M1 = H(H(p) xor H(g) | H(salt1) | H(salt2) | A | B | K), all values padded to 256 bytes.
/// `a` is 256 random bytes.
std::error_code srp_compute(std::string_view password, const srp_parameters& params,
                            std::span<const std::uint8_t, 256> a, srp_answer& out);

}  // namespace mtproto::client

template <>
struct std::is_error_code_enum<mtproto::client::srp_errc> : std::true_type {};
