/// \file
/// The encrypted session file under file_session_store: its cleartext header, the key a passphrase
/// derives for it, and opening or sealing with a key already derived. Internal. Split out of the
/// store so that scrypt (the slow step, once per salt and parameters) is apart from the parsing
/// that every load does: fuzz/client/encrypted_session_fuzz.cpp derives one key at startup and
/// then drives the same container parser, AES-GCM open and inner decode as load().
///
/// Layout (little-endian): magic "MTPCSENC" (8) | version u32 | log2(n) u8 | r u32 | p u32 |
/// salt (16) | nonce (12) | AES-256-GCM(plain session file) | tag (16); everything before the
/// ciphertext is the associated data, so a changed header byte fails authentication too.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <system_error>

#include "mtproto/client/session_store.h"
#include "mtproto/crypto/aead.h"

namespace mtproto::client::detail {

inline constexpr std::size_t kdf_salt_size = 16;
/// Magic, version, log2(n), r, p, salt, nonce: the cleartext before the ciphertext.
inline constexpr std::size_t encrypted_header_size = 8 + 4 + 1 + 4 + 4 + kdf_salt_size + crypto::gcm_nonce_size;
/// The most memory scrypt may be asked for (128 * n * r * p bytes), by a file being loaded or by
/// the options of a save: 8x the default parameters' 32 MiB. A hostile file cannot make loading
/// take more, and a save cannot write a file that load would refuse.
inline constexpr std::uint64_t max_kdf_memory = 256u << 20;

/// The cleartext header of an encrypted session file, its scrypt parameters within bounds.
struct encrypted_header {
  crypto::scrypt_params kdf;
  std::array<std::uint8_t, kdf_salt_size> salt{};
  std::array<std::uint8_t, crypto::gcm_nonce_size> nonce{};
};

/// A passphrase's AES key for one salt and set of scrypt parameters; wiped when destroyed.
struct session_key {
  std::array<std::uint8_t, kdf_salt_size> salt{};
  crypto::scrypt_params kdf;
  std::array<std::uint8_t, crypto::gcm_key_size> key{};

  session_key() = default;
  session_key(const session_key&) = delete;
  session_key& operator=(const session_key&) = delete;
  ~session_key();
  /// Whether this key was derived with the salt and parameters `header` names.
  bool derived_for(const encrypted_header& header) const noexcept;
};

/// Whether `file` starts with the encrypted format's magic.
bool is_encrypted_session_file(std::span<const std::uint8_t> file) noexcept;

/// The scrypt parameters a file may ask for and a save may write: n a power of two in
/// [2^10, 2^24], r in [1, 64], p in [1, 16], and 128 * n * r * p <= max_kdf_memory.
bool kdf_params_allowed(const crypto::scrypt_params& kdf) noexcept;

/// Parses and bounds-checks the cleartext header. Errors: too_large (over
/// file_session_store::max_file_size), not_a_session_file, truncated (no room for header and tag),
/// unsupported_version, malformed (scrypt parameters not allowed).
std::error_code read_encrypted_header(std::span<const std::uint8_t> file, encrypted_header& out);

/// Runs scrypt: the key for `passphrase` under `salt` and `kdf`. malformed when the parameters
/// are not allowed (checked before scrypt runs) or OpenSSL refuses them.
std::error_code derive_session_key(std::string_view passphrase, std::span<const std::uint8_t, kdf_salt_size> salt,
                                   const crypto::scrypt_params& kdf, session_key& out);

/// Opens an encrypted session file with `key` and decodes the session inside: the header as
/// read_encrypted_header checks it, then AES-256-GCM, then decode_session_file on the plaintext
/// (which is wiped afterwards). wrong_passphrase when `key` was derived for another salt or other
/// parameters, or the tag does not verify. On any error `out` is left as it was.
std::error_code open_encrypted_session(std::span<const std::uint8_t> file, const session_key& key,
                                       stored_session& out);

/// The encrypted file holding `plain_file` (an encode_session_file result) under `key`, with
/// `nonce`, which must be fresh for every file sealed under the key.
std::string seal_session_file(std::string_view plain_file, const session_key& key,
                              std::span<const std::uint8_t, crypto::gcm_nonce_size> nonce);

}  // namespace mtproto::client::detail
