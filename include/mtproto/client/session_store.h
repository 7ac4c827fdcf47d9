/// \file
/// What a client remembers between runs: the auth key, salt and clock offset of every DC it has a
/// key for, the home DC, and who is logged in. Behind a small interface; the file store writes
/// atomically with 0600 permissions and refuses, with a clear error, a file that is corrupt,
/// truncated or not ours (magic + version + checksum): it is never silently reused.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "mtproto/client/export.h"
#include "mtproto/core/auth_key.h"
#include "mtproto/crypto/aead.h"

namespace mtproto::client {

/// What is kept per DC. The key is a secret: whoever has it acts as this client.
struct stored_dc {
  core::auth_key key;     ///< The permanent auth key.
  std::int64_t salt = 0;  ///< The last server salt in use.
  /// server time - local time, learned from the handshake and bad_msg 16/17.
  std::chrono::seconds time_offset{0};
  /// A user or bot is logged in with this key (imported or signed in here).
  bool authorized = false;

  /// Field-wise equality (key bytes compared, not just the id).
  friend bool operator==(const stored_dc& a, const stored_dc& b) {
    return a.key.bytes() == b.key.bytes() && a.salt == b.salt && a.time_offset == b.time_offset &&
           a.authorized == b.authorized;
  }
};

/// Everything a client keeps between runs.
struct stored_session {
  int home_dc = 0;           ///< The DC the account lives on; 0: not chosen yet.
  std::int64_t user_id = 0;  ///< The logged-in user or bot; 0 when nobody is.
  bool is_bot = false;       ///< The login is a bot's.
  std::map<int, stored_dc> dcs;  ///< Keys by DC id.

  /// Field-wise equality.
  friend bool operator==(const stored_session&, const stored_session&) = default;
};

/// Why a stored session could not be loaded or saved; converts implicitly to std::error_code in
/// store_category().
enum class store_errc {
  not_a_session_file = 1,  ///< Wrong magic: some other file.
  unsupported_version,     ///< Written by a newer (or older, incompatible) library.
  truncated,               ///< Shorter than its header says.
  checksum_mismatch,       ///< Contents changed after writing.
  malformed,               ///< Checksum fine but the contents do not decode.
  io_failed,               ///< The file could not be read or written (see the detail).
  too_large,               ///< Larger than any session file can be (refused before reading).
  passphrase_required,     ///< The file is encrypted and no passphrase was given.
  wrong_passphrase,        ///< The encrypted file does not open with this passphrase (or was modified).
};
/// The category of store_errc values, named "mtproto.session_store"; one instance for the program.
MTPROTO_CLIENT_EXPORT const std::error_category& store_category() noexcept;
/// Makes store_errc usable as std::error_code (found by argument-dependent lookup).
inline std::error_code make_error_code(store_errc e) noexcept { return {static_cast<int>(e), store_category()}; }

/// Where a client keeps its stored_session (client_options::store).
class MTPROTO_CLIENT_EXPORT session_store {
 public:
  virtual ~session_store() = default;
  /// The stored state; an empty state when nothing was stored yet; an error when what is stored
  /// cannot be used.
  virtual std::error_code load(stored_session& out) = 0;
  /// Replaces what is stored with `state`; an error when it could not be kept.
  virtual std::error_code save(const stored_session& state) = 0;
};

/// Keeps the state in memory only (the default: nothing touches the disk unless asked).
class MTPROTO_CLIENT_EXPORT memory_session_store final : public session_store {
 public:
  std::error_code load(stored_session& out) override {
    out = state_;
    return {};
  }
  std::error_code save(const stored_session& state) override {
    state_ = state;
    return {};
  }

 private:
  stored_session state_;
};

/// Keeps the state in one file (see the file description for the guarantees).
/// How a file_session_store protects the file.
struct file_store_options {
  /// Encrypts the file at rest (AES-256-GCM under a key derived from this passphrase with scrypt).
  /// Empty: the auth keys are stored in the clear, protected only by the file's 0600 mode.
  std::string passphrase;
  /// scrypt cost for new files (an existing file keeps the parameters it was written with). The
  /// bounds that load accepts from a file apply: n a power of two in [2^10, 2^24], r <= 64,
  /// p <= 16, 128 * n * r * p <= 256 MiB; outside them save fails with invalid_argument.
  crypto::scrypt_params kdf{};
};

/// Turns a stored_session into the bytes a store keeps and back: the session file format, sealed
/// under a passphrase when one is set. file_session_store keeps these bytes in a file; a store that
/// keeps them elsewhere (a database, a Redis shared by several processes) uses the same codec, so
/// its records are encrypted at rest alike and open with the same passphrase. It holds the key the
/// passphrase derives (scrypt runs once per salt and parameters, not on every save); not
/// thread-safe.
class MTPROTO_CLIENT_EXPORT session_codec {
 public:
  /// The passphrase and scrypt cost of `options`; no passphrase: plain bytes.
  explicit session_codec(file_store_options options = {});
  ~session_codec();
  session_codec(const session_codec&) = delete;
  session_codec& operator=(const session_codec&) = delete;

  /// The bytes of `state`: the session file, sealed (AES-256-GCM, a fresh nonce each time) when
  /// there is a passphrase. invalid_argument when the scrypt options are outside load's bounds.
  std::error_code encode(const stored_session& state, std::string& out);
  /// Parses bytes encode() made (here or in another process with the same passphrase). Plain bytes
  /// always open; sealed ones need the passphrase (passphrase_required, wrong_passphrase). Any
  /// other store_errc when they are no session; `out` is left as it was on error.
  std::error_code decode(std::string_view bytes, stored_session& out);
  /// Whether encode() seals.
  bool encrypts() const noexcept { return !options_.passphrase.empty(); }

 private:
  struct derived_key;
  file_store_options options_;
  std::unique_ptr<derived_key> key_;  // the passphrase's key and the salt it was derived with
};

/// The default store: one file, replaced atomically on every save.
class MTPROTO_CLIENT_EXPORT file_session_store final : public session_store {
 public:
  /// Uses the file at `path`; nothing is read or written until load() or save().
  explicit file_session_store(std::filesystem::path path, file_store_options options = {});
  file_session_store(const file_session_store&) = delete;
  file_session_store& operator=(const file_session_store&) = delete;

  /// A missing file is an empty state; anything else that fails is an error. With a passphrase, a
  /// plain file still loads (and is encrypted by the next save); without one, an encrypted file is
  /// refused with passphrase_required.
  std::error_code load(stored_session& out) override;
  /// Creates a new temporary file in the same directory (O_EXCL | O_NOFOLLOW, mode 0600, so never
  /// an existing file or a planted link), writes and fsyncs it, renames it over the path and
  /// fsyncs the directory.
  std::error_code save(const stored_session& state) override;
  /// The file's path.
  const std::filesystem::path& path() const noexcept { return path_; }

  /// Session files are never larger than this; a bigger file is refused without being read.
  static constexpr std::size_t max_file_size = 1u << 20;

 private:
  std::filesystem::path path_;
  session_codec codec_;
};

/// The file format, exposed for tests: encode then decode gives back the same state.
MTPROTO_CLIENT_EXPORT std::string encode_session_file(const stored_session& state);
/// Parses file contents into `out`; a store_errc when they are not a valid session file.
MTPROTO_CLIENT_EXPORT std::error_code decode_session_file(std::string_view bytes, stored_session& out);

}  // namespace mtproto::client

namespace std {
/// Lets a store_errc convert implicitly to std::error_code and compare with one.
template <>
struct is_error_code_enum<mtproto::client::store_errc> : true_type {};
}  // namespace std
