// What a client remembers between runs: the auth key, salt and clock offset of every DC it has a
// key for, the home DC, and who is logged in. Behind a small interface; the default store is a
// file written atomically with 0600 permissions, refused with a clear error when it is corrupt,
// truncated or not ours (magic + version + checksum), never silently reused.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>

#include "mtproto/core/auth_key.h"

namespace mtproto::client {

struct stored_dc {
  core::auth_key key;
  std::int64_t salt = 0;
  /// server time - local time, learned from the handshake and bad_msg 16/17.
  std::chrono::seconds time_offset{0};
  /// A user or bot is logged in with this key (imported or signed in here).
  bool authorized = false;

  friend bool operator==(const stored_dc& a, const stored_dc& b) {
    return a.key.bytes() == b.key.bytes() && a.salt == b.salt && a.time_offset == b.time_offset &&
           a.authorized == b.authorized;
  }
};

struct stored_session {
  int home_dc = 0;  // 0: not chosen yet
  std::int64_t user_id = 0;
  bool is_bot = false;
  std::map<int, stored_dc> dcs;

  friend bool operator==(const stored_session&, const stored_session&) = default;
};

enum class store_errc {
  not_a_session_file = 1,  // wrong magic: some other file
  unsupported_version,     // written by a newer (or older, incompatible) library
  truncated,               // shorter than its header says
  checksum_mismatch,       // contents changed after writing
  malformed,               // checksum fine but the contents do not decode
  io_failed,               // the file could not be read or written (see the detail)
};
const std::error_category& store_category() noexcept;
inline std::error_code make_error_code(store_errc e) noexcept { return {static_cast<int>(e), store_category()}; }

class session_store {
 public:
  virtual ~session_store() = default;
  /// The stored state; an empty state when nothing was stored yet; an error when what is stored
  /// cannot be used.
  virtual std::error_code load(stored_session& out) = 0;
  virtual std::error_code save(const stored_session& state) = 0;
};

/// Keeps the state in memory only (the default: nothing touches the disk unless asked).
class memory_session_store final : public session_store {
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

class file_session_store final : public session_store {
 public:
  explicit file_session_store(std::filesystem::path path) : path_(std::move(path)) {}
  /// A missing file is an empty state; anything else that fails is an error.
  std::error_code load(stored_session& out) override;
  /// Writes PATH.tmp (0600), fsyncs it, and renames it over PATH.
  std::error_code save(const stored_session& state) override;
  const std::filesystem::path& path() const noexcept { return path_; }

 private:
  std::filesystem::path path_;
};

/// The file format, exposed for tests: encode then decode gives back the same state.
std::string encode_session_file(const stored_session& state);
std::error_code decode_session_file(std::string_view bytes, stored_session& out);

}  // namespace mtproto::client

template <>
struct std::is_error_code_enum<mtproto::client::store_errc> : std::true_type {};
