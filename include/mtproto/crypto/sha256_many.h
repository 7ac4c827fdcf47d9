/// \file
/// SHA-256 of several independent inputs at once: the msg_key hashes of a batch of packets, each
/// `SHA-256(auth_key part || plaintext)`. One hash is a serial chain of compressions bound by the
/// latency of SHA-NI's rounds; with SHA-NI up to four chains run interleaved.
#pragma once

#include <cstdint>
#include <span>

#include "mtproto/crypto/export.h"
#include "mtproto/crypto/sha.h"

namespace mtproto::crypto {

/// One input of sha256_prefixed_many: SHA-256(prefix || data), written to *out.
struct sha256_prefixed_input {
  std::span<const std::uint8_t, 32> prefix;  ///< Hashed first (msg_key_hash_prefix for a msg_key).
  std::span<const std::uint8_t> data;        ///< Hashed after the prefix.
  sha256_digest* out;                        ///< Where the digest goes.
};

/// Hashes every input. Inputs whose data is a whole number of 16-byte blocks (every MTProto 2.0
/// plaintext) take the interleaved SHA-NI path when the CPU has it; the others, and every input
/// without SHA-NI, are hashed one by one. The results are the same either way.
MTPROTO_CRYPTO_EXPORT void sha256_prefixed_many(std::span<const sha256_prefixed_input> inputs);

}  // namespace mtproto::crypto
