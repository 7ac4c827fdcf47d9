// File layout (little-endian):
//   magic "MTPCSESS" (8) | version u32 | payload length u32 | payload | SHA-256(everything before) (32)
// Encrypted at rest, the whole plain file above is sealed (see encrypted_session.h):
//   magic "MTPCSENC" (8) | version u32 | log2(n) u8 | r u32 | p u32 | salt (16) | nonce (12) |
//   AES-256-GCM(plain file) | tag (16), with everything before the ciphertext as associated data.
// payload (TL-encoded): home_dc int | user_id long | is_bot Bool | count int |
//   count x { dc_id int | auth_key bytes(256) | salt long | time_offset long (s) | authorized Bool }
#include "mtproto/client/session_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cerrno>
#include <cstring>

#include "mtproto/crypto/ct_equal.h"
#include "mtproto/crypto/error.h"
#include "mtproto/crypto/random.h"
#include "mtproto/crypto/sha.h"
#include "mtproto/crypto/wipe.h"
#include "mtproto/tl/error.h"
#include "mtproto/tl/reader.h"
#include "mtproto/tl/writer.h"
#include "encrypted_session.h"

namespace mtproto::client {
namespace {

constexpr std::string_view file_magic = "MTPCSESS";
constexpr std::uint32_t file_version = 1;
constexpr std::size_t header_size = 8 + 4 + 4;
constexpr std::size_t checksum_size = 32;
/// More DCs than any deployment has; a count above it is corruption, not a big file.
constexpr std::size_t max_stored_dcs = 1024;

constexpr std::string_view sealed_magic = "MTPCSENC";
constexpr std::uint32_t sealed_version = 1;
/// scrypt cost bounds, with detail::max_kdf_memory (see kdf_params_allowed).
constexpr unsigned min_kdf_log2_n = 10;
constexpr unsigned max_kdf_log2_n = 24;
constexpr std::uint32_t max_kdf_r = 64;
constexpr std::uint32_t max_kdf_p = 16;

class store_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mtproto.session_store"; }
  std::string message(int value) const override {
    switch (static_cast<store_errc>(value)) {
      case store_errc::not_a_session_file: return "not an mtproto session file (wrong magic)";
      case store_errc::unsupported_version: return "session file version not supported";
      case store_errc::truncated: return "session file is truncated";
      case store_errc::checksum_mismatch: return "session file checksum mismatch (corrupt or modified)";
      case store_errc::malformed: return "session file contents are malformed";
      case store_errc::io_failed: return "session file could not be read or written";
      case store_errc::too_large: return "session file is larger than any session file can be";
      case store_errc::passphrase_required: return "session file is encrypted; a passphrase is needed";
      case store_errc::wrong_passphrase: return "session file does not open with this passphrase (or was modified)";
    }
    return "unknown session store error";
  }
};

void put_u32(std::string& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
std::uint32_t get_u32(std::string_view in, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(static_cast<std::uint8_t>(in[at + i])) << (8 * i);
  return v;
}
std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

std::error_code last_errno() { return {errno, std::generic_category()}; }

/// Writes all of `bytes`, retrying short writes and EINTR.
std::error_code write_all(int fd, std::string_view bytes) {
  std::size_t written = 0;
  while (written < bytes.size()) {
    const auto n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      return last_errno();
    }
    written += static_cast<std::size_t>(n);
  }
  return {};
}

/// fsync of the directory holding `path`, so the rename itself survives a power cut.
std::error_code sync_directory(const std::filesystem::path& path) {
  auto dir = path.parent_path();
  if (dir.empty()) dir = ".";
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return last_errno();
  const int rc = ::fsync(fd);
  const auto ec = rc != 0 ? last_errno() : std::error_code{};
  ::close(fd);
  return ec;
}

std::string hex_suffix() {
  std::array<std::uint8_t, 8> r{};
  crypto::secure_random(r);
  std::string out;
  for (auto b : r) {
    out.push_back("0123456789abcdef"[b >> 4]);
    out.push_back("0123456789abcdef"[b & 15]);
  }
  return out;
}

}  // namespace

const std::error_category& store_category() noexcept {
  static const store_category_impl instance;
  return instance;
}

std::string encode_session_file(const stored_session& state) {
  std::vector<std::uint8_t> payload;
  tl::writer w(payload);
  w.write_int(state.home_dc);
  w.write_long(state.user_id);
  w.write_bool(state.is_bot);
  w.write_int(static_cast<std::int32_t>(state.dcs.size()));
  for (const auto& [id, dc] : state.dcs) {
    w.write_int(id);
    w.write_bytes(dc.key.bytes());
    w.write_long(dc.salt);
    w.write_long(dc.time_offset.count());
    w.write_bool(dc.authorized);
  }
  std::string out(file_magic);
  put_u32(out, file_version);
  put_u32(out, static_cast<std::uint32_t>(payload.size()));
  out.append(payload.begin(), payload.end());
  auto digest = crypto::sha256(as_bytes(out));
  out.append(digest.begin(), digest.end());
  return out;
}

std::error_code decode_session_file(std::string_view bytes, stored_session& out) {
  if (bytes.size() < file_magic.size() || bytes.substr(0, file_magic.size()) != file_magic)
    return store_errc::not_a_session_file;
  if (bytes.size() < header_size) return store_errc::truncated;
  if (get_u32(bytes, 8) != file_version) return store_errc::unsupported_version;
  const std::size_t payload_size = get_u32(bytes, 12);
  if (bytes.size() < header_size + payload_size + checksum_size) return store_errc::truncated;
  if (bytes.size() != header_size + payload_size + checksum_size) return store_errc::malformed;
  auto digest = crypto::sha256(as_bytes(bytes.substr(0, header_size + payload_size)));
  if (!crypto::ct_equal(digest, as_bytes(bytes.substr(header_size + payload_size)))) return store_errc::checksum_mismatch;

  stored_session state;
  try {
    tl::reader r(as_bytes(bytes.substr(header_size, payload_size)));
    state.home_dc = r.read_int();
    state.user_id = r.read_long();
    state.is_bot = r.read_bool();
    const auto count = static_cast<std::uint32_t>(r.read_int());
    if (count > max_stored_dcs) return store_errc::malformed;
    for (std::uint32_t i = 0; i < count; ++i) {
      const int id = r.read_int();
      auto key = r.read_bytes_view();
      core::auth_key::bytes_type raw{};
      if (key.size() != raw.size()) return store_errc::malformed;
      std::memcpy(raw.data(), key.data(), raw.size());
      stored_dc dc;
      dc.key = core::auth_key(raw);
      dc.salt = r.read_long();
      dc.time_offset = std::chrono::seconds(r.read_long());
      dc.authorized = r.read_bool();
      if (!state.dcs.emplace(id, dc).second) return store_errc::malformed;
    }
    r.expect_end();
  } catch (const tl::decode_error&) {
    return store_errc::malformed;
  }
  out = std::move(state);
  return {};
}

namespace detail {

session_key::~session_key() { crypto::secure_wipe(key); }

bool session_key::derived_for(const encrypted_header& header) const noexcept {
  return salt == header.salt && kdf.n == header.kdf.n && kdf.r == header.kdf.r && kdf.p == header.kdf.p;
}

bool is_encrypted_session_file(std::span<const std::uint8_t> file) noexcept {
  return file.size() >= sealed_magic.size() && std::equal(sealed_magic.begin(), sealed_magic.end(), file.begin());
}

bool kdf_params_allowed(const crypto::scrypt_params& kdf) noexcept {
  if (!std::has_single_bit(kdf.n) || kdf.n < (std::uint64_t{1} << min_kdf_log2_n) ||
      kdf.n > (std::uint64_t{1} << max_kdf_log2_n))
    return false;
  if (kdf.r == 0 || kdf.r > max_kdf_r || kdf.p == 0 || kdf.p > max_kdf_p) return false;
  return 128ull * kdf.n * kdf.r * kdf.p <= max_kdf_memory;  // at most 2^7+24+6+4: no overflow
}

std::error_code read_encrypted_header(std::span<const std::uint8_t> file, encrypted_header& out) {
  if (file.size() > file_session_store::max_file_size) return store_errc::too_large;
  if (!is_encrypted_session_file(file)) return store_errc::not_a_session_file;
  if (file.size() < encrypted_header_size + crypto::gcm_tag_size) return store_errc::truncated;
  const std::string_view bytes(reinterpret_cast<const char*>(file.data()), file.size());
  if (get_u32(bytes, 8) != sealed_version) return store_errc::unsupported_version;
  // Bounded before anything is computed from it: 1 << log2_n is never shifted past 63.
  const unsigned log2_n = file[12];
  if (log2_n < min_kdf_log2_n || log2_n > max_kdf_log2_n) return store_errc::malformed;
  encrypted_header h;
  h.kdf.n = std::uint64_t{1} << log2_n;
  h.kdf.r = get_u32(bytes, 13);
  h.kdf.p = get_u32(bytes, 17);
  if (!kdf_params_allowed(h.kdf)) return store_errc::malformed;
  std::memcpy(h.salt.data(), file.data() + 21, h.salt.size());
  std::memcpy(h.nonce.data(), file.data() + 21 + kdf_salt_size, h.nonce.size());
  out = h;
  return {};
}

std::error_code derive_session_key(std::string_view passphrase, std::span<const std::uint8_t, kdf_salt_size> salt,
                                   const crypto::scrypt_params& kdf, session_key& out) {
  if (!kdf_params_allowed(kdf)) return store_errc::malformed;
  try {
    crypto::scrypt(as_bytes(passphrase), salt, kdf, out.key);
  } catch (const crypto::crypto_error&) {
    return store_errc::malformed;  // e.g. r = 1 with n >= 2^16, which scrypt itself refuses
  }
  std::copy(salt.begin(), salt.end(), out.salt.begin());
  out.kdf = kdf;
  return {};
}

std::error_code open_encrypted_session(std::span<const std::uint8_t> file, const session_key& key,
                                       stored_session& out) {
  encrypted_header header;
  if (auto ec = read_encrypted_header(file, header)) return ec;
  if (!key.derived_for(header)) return store_errc::wrong_passphrase;
  auto plain = crypto::gcm_open(key.key, header.nonce, file.first(encrypted_header_size),
                                file.subspan(encrypted_header_size));
  if (!plain) return store_errc::wrong_passphrase;
  const auto ec = decode_session_file(std::string_view(reinterpret_cast<const char*>(plain->data()), plain->size()), out);
  crypto::secure_wipe(*plain);  // the auth keys in the clear
  return ec;
}

std::string seal_session_file(std::string_view plain_file, const session_key& key,
                              std::span<const std::uint8_t, crypto::gcm_nonce_size> nonce) {
  std::string out(sealed_magic);
  put_u32(out, sealed_version);
  out.push_back(static_cast<char>(std::countr_zero(key.kdf.n)));  // n is a power of two (derive_session_key)
  put_u32(out, key.kdf.r);
  put_u32(out, key.kdf.p);
  out.append(key.salt.begin(), key.salt.end());
  out.append(nonce.begin(), nonce.end());
  const auto sealed = crypto::gcm_seal(key.key, nonce, as_bytes(out), as_bytes(plain_file));
  out.append(sealed.begin(), sealed.end());
  return out;
}

}  // namespace detail

struct session_codec::derived_key : detail::session_key {};

session_codec::session_codec(file_store_options options) : options_(std::move(options)) {}

session_codec::~session_codec() {
  crypto::secure_wipe(std::span(reinterpret_cast<std::uint8_t*>(options_.passphrase.data()), options_.passphrase.size()));
}

std::error_code session_codec::decode(std::string_view bytes, stored_session& out) {
  if (bytes.size() > file_session_store::max_file_size) return store_errc::too_large;
  if (!detail::is_encrypted_session_file(as_bytes(bytes))) return decode_session_file(bytes, out);
  if (options_.passphrase.empty()) return store_errc::passphrase_required;
  detail::encrypted_header header;
  if (auto ec = detail::read_encrypted_header(as_bytes(bytes), header)) return ec;
  // scrypt runs once per salt and parameters: a codec that decodes and encodes keeps one key.
  if (!key_ || !key_->derived_for(header)) {
    auto k = std::make_unique<derived_key>();
    if (auto ec = detail::derive_session_key(options_.passphrase, header.salt, header.kdf, *k)) return ec;
    key_ = std::move(k);
  }
  return detail::open_encrypted_session(as_bytes(bytes), *key_, out);
}

std::error_code session_codec::encode(const stored_session& state, std::string& out) {
  std::string bytes = encode_session_file(state);
  if (options_.passphrase.empty()) {
    out = std::move(bytes);
    return {};
  }
  if (!key_) {
    // Checked here, not only on decode: bytes sealed with parameters decode refuses (n below
    // 2^10, or costlier than max_kdf_memory) would lock the session out on the next run.
    if (!detail::kdf_params_allowed(options_.kdf)) return std::make_error_code(std::errc::invalid_argument);
    auto k = std::make_unique<derived_key>();
    std::array<std::uint8_t, detail::kdf_salt_size> salt{};
    crypto::secure_random(salt);
    if (detail::derive_session_key(options_.passphrase, salt, options_.kdf, *k))
      return std::make_error_code(std::errc::invalid_argument);
    key_ = std::move(k);
  }
  std::array<std::uint8_t, crypto::gcm_nonce_size> nonce{};
  crypto::secure_random(nonce);  // fresh per encode: a nonce never repeats under the key
  out = detail::seal_session_file(bytes, *key_, nonce);
  crypto::secure_wipe(std::span(reinterpret_cast<std::uint8_t*>(bytes.data()), bytes.size()));
  return {};
}

file_session_store::file_session_store(std::filesystem::path path, file_store_options options)
    : path_(std::move(path)), codec_(std::move(options)) {}

std::error_code file_session_store::load(stored_session& out) {
  const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) {
      out = stored_session{};
      return {};
    }
    return store_errc::io_failed;
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return store_errc::io_failed;
  }
  if (static_cast<std::uint64_t>(st.st_size) > max_file_size) {
    ::close(fd);
    return store_errc::too_large;
  }
  std::string bytes(static_cast<std::size_t>(st.st_size), '\0');
  std::size_t got = 0;
  while (got < bytes.size()) {
    const auto n = ::read(fd, bytes.data() + got, bytes.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  bytes.resize(got);
  const auto ec = codec_.decode(bytes, out);
  crypto::secure_wipe(std::span(reinterpret_cast<std::uint8_t*>(bytes.data()), bytes.size()));
  return ec;
}

std::error_code file_session_store::save(const stored_session& state) {
  std::string bytes;
  if (auto ec = codec_.encode(state, bytes)) return ec;
  // A new name each time, created exclusively and without following links: a file or symlink
  // planted at a predictable PATH.tmp can neither be written through nor reused.
  std::filesystem::path tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 8 && fd < 0; ++attempt) {
    tmp = path_;
    tmp += ".tmp-" + hex_suffix();
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, S_IRUSR | S_IWUSR);
    if (fd < 0 && errno != EEXIST) return last_errno();
  }
  if (fd < 0) return std::make_error_code(std::errc::file_exists);
  auto fail = [&](std::error_code ec) {
    ::close(fd);
    ::unlink(tmp.c_str());
    return ec;
  };
  // The umask may have narrowed the mode, never widened it; make it exactly 0600 and check.
  if (::fchmod(fd, S_IRUSR | S_IWUSR) != 0) return fail(last_errno());
  if (auto ec = write_all(fd, bytes)) return fail(ec);
  if (::fsync(fd) != 0) return fail(last_errno());
  if (::close(fd) != 0) {
    const auto ec = last_errno();
    ::unlink(tmp.c_str());
    return ec;
  }
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    const auto ec = last_errno();
    ::unlink(tmp.c_str());
    return ec;
  }
  return sync_directory(path_);
}

}  // namespace mtproto::client
