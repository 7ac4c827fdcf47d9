// Internal: hand-written x86 kernels (AES-NI, SHA-NI). Each is compiled with a function-level
// target attribute, so the rest of the build needs no -maes/-msha; callers must check
// detected_cpu_features() first. On other architectures these are not built.
#pragma once

#include <cstddef>
#include <cstdint>

namespace mtproto::crypto::detail {

constexpr std::size_t aes256_schedule_bytes = 15 * 16;

void aesni_expand_key(const std::uint8_t* key32, std::uint8_t* enc_schedule, std::uint8_t* dec_schedule) noexcept;
void aesni_ige_encrypt(const std::uint8_t* enc_schedule, const std::uint8_t* iv32, const std::uint8_t* in,
                       std::uint8_t* out, std::size_t blocks) noexcept;
void aesni_ige_decrypt(const std::uint8_t* dec_schedule, const std::uint8_t* iv32, const std::uint8_t* in,
                       std::uint8_t* out, std::size_t blocks) noexcept;

/// SHA-256 compression of `blocks` 64-byte blocks into state (a..h, host order).
void shani_sha256_blocks(std::uint32_t* state8, const std::uint8_t* data, std::size_t blocks) noexcept;

/// IGE decrypt fused with SHA-256(prefix32 || plaintext); writes the digest.
void aesni_shani_ige_decrypt_sha256(const std::uint8_t* dec_schedule, const std::uint8_t* iv32,
                                    const std::uint8_t* prefix32, const std::uint8_t* in, std::uint8_t* out,
                                    std::size_t blocks, std::uint8_t* digest32) noexcept;

/// One message of the interleaved kernels: `schedule` is the decryption schedule for
/// aesni_ige_decrypt_x4, the encryption one for aesni_ige_encrypt_x4.
struct ige_stream {
  const std::uint8_t* schedule;
  const std::uint8_t* iv32;
  const std::uint8_t* in;
  std::uint8_t* out;
  std::size_t blocks;
};
/// Decrypts up to 4 independent messages at once, interleaving their AES chains so the CPU's
/// AES units stay busy (each chain alone is latency bound).
void aesni_ige_decrypt_x4(const ige_stream* streams, std::size_t count) noexcept;
/// Decrypts up to 8 messages at once with VAES: two chains per ymm register, four registers
/// interleaved (callers check cpu_features::vaes).
void vaes_ige_decrypt_x8(const ige_stream* streams, std::size_t count) noexcept;
/// The same for encryption (`schedule`: the encryption one).
void vaes_ige_encrypt_x8(const ige_stream* streams, std::size_t count) noexcept;
/// The same for encryption (the send path: several answers sealed at once).
void aesni_ige_encrypt_x4(const ige_stream* streams, std::size_t count) noexcept;

/// One input of shani_sha256_prefixed_x4: SHA-256(prefix32 || data[0 : 16 * blocks16]).
struct sha256_stream {
  const std::uint8_t* prefix32;
  const std::uint8_t* data;
  std::size_t blocks16;
  std::uint8_t* digest32;
};
/// Up to four such hashes at once: one SHA-256 chain is bound by the latency of its rounds, so the
/// compressions of independent inputs are interleaved block by block.
void shani_sha256_prefixed_x4(const sha256_stream* streams, std::size_t count) noexcept;

}  // namespace mtproto::crypto::detail
