// File layout (little-endian):
//   magic "MTPCSESS" (8) | version u32 | payload length u32 | payload | SHA-256(everything before) (32)
// Encrypted at rest, the whole plain file above is sealed:
//   magic "MTPCSENC" (8) | version u32 | log2(n) u8 | r u32 | p u32 | salt (16) | nonce (12) |
//   AES-256-GCM(plain file) | tag (16), with everything before the ciphertext as associated data.
// payload (TL-encoded): home_dc int | user_id long | is_bot Bool | count int |
//   count x { dc_id int | auth_key bytes(256) | salt long | time_offset long (s) | authorized Bool }
#include "mtproto/client/session_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
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
constexpr std::size_t kdf_salt_size = 16;
constexpr std::size_t sealed_header_size = 8 + 4 + 1 + 4 + 4 + kdf_salt_size + crypto::gcm_nonce_size;
/// What a file may ask scrypt for: a hostile file must not make loading take a gigabyte.
constexpr std::uint64_t max_kdf_memory = 256u << 20;

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

struct file_session_store::derived_key {
  std::array<std::uint8_t, kdf_salt_size> salt{};
  crypto::scrypt_params params;
  std::array<std::uint8_t, crypto::gcm_key_size> key{};
  ~derived_key() { crypto::secure_wipe(key); }
};

file_session_store::file_session_store(std::filesystem::path path, file_store_options options)
    : path_(std::move(path)), options_(std::move(options)) {}

file_session_store::~file_session_store() {
  crypto::secure_wipe(std::span(reinterpret_cast<std::uint8_t*>(options_.passphrase.data()), options_.passphrase.size()));
}

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
  if (bytes.size() >= sealed_magic.size() && bytes.substr(0, sealed_magic.size()) == sealed_magic) {
    if (options_.passphrase.empty()) return store_errc::passphrase_required;
    if (auto ec = decrypt(bytes)) return ec;
  }
  return decode_session_file(bytes, out);
}

std::error_code file_session_store::decrypt(std::string& bytes) {
  if (bytes.size() < sealed_header_size + crypto::gcm_tag_size) return store_errc::truncated;
  if (get_u32(bytes, 8) != sealed_version) return store_errc::unsupported_version;
  const auto log2_n = static_cast<std::uint8_t>(bytes[12]);
  crypto::scrypt_params params;
  params.r = get_u32(bytes, 13);
  params.p = get_u32(bytes, 17);
  if (log2_n < 10 || log2_n > 24 || params.r == 0 || params.r > 64 || params.p == 0 || params.p > 16)
    return store_errc::malformed;
  params.n = std::uint64_t{1} << log2_n;
  if (128ull * params.n * params.r * params.p > max_kdf_memory) return store_errc::malformed;
  std::array<std::uint8_t, kdf_salt_size> salt{};
  std::memcpy(salt.data(), bytes.data() + 21, salt.size());
  std::array<std::uint8_t, crypto::gcm_nonce_size> nonce{};
  std::memcpy(nonce.data(), bytes.data() + 21 + kdf_salt_size, nonce.size());

  if (!key_ || key_->salt != salt || key_->params.n != params.n || key_->params.r != params.r ||
      key_->params.p != params.p) {
    auto k = std::make_unique<derived_key>();
    k->salt = salt;
    k->params = params;
    try {
      crypto::scrypt(as_bytes(options_.passphrase), salt, params, k->key);
    } catch (const crypto::crypto_error&) {
      return store_errc::malformed;
    }
    key_ = std::move(k);
  }
  const auto all = as_bytes(bytes);
  auto plain = crypto::gcm_open(key_->key, nonce, all.first(sealed_header_size), all.subspan(sealed_header_size));
  if (!plain) return store_errc::wrong_passphrase;
  std::string out(plain->begin(), plain->end());
  crypto::secure_wipe(*plain);
  crypto::secure_wipe(std::span(reinterpret_cast<std::uint8_t*>(bytes.data()), bytes.size()));
  bytes = std::move(out);
  return {};
}

std::error_code file_session_store::encrypt(std::string& bytes) {
  if (!key_) {
    auto k = std::make_unique<derived_key>();
    crypto::secure_random(k->salt);
    k->params = options_.kdf;
    try {
      crypto::scrypt(as_bytes(options_.passphrase), k->salt, k->params, k->key);
    } catch (const crypto::crypto_error&) {
      return std::make_error_code(std::errc::invalid_argument);
    }
    key_ = std::move(k);
  }
  std::uint8_t log2_n = 0;
  while ((std::uint64_t{1} << log2_n) < key_->params.n) ++log2_n;
  std::string header(sealed_magic);
  put_u32(header, sealed_version);
  header.push_back(static_cast<char>(log2_n));
  put_u32(header, key_->params.r);
  put_u32(header, key_->params.p);
  header.append(key_->salt.begin(), key_->salt.end());
  std::array<std::uint8_t, crypto::gcm_nonce_size> nonce{};
  crypto::secure_random(nonce);  // fresh per save: a nonce never repeats under the key
  header.append(nonce.begin(), nonce.end());
  const auto sealed = crypto::gcm_seal(key_->key, nonce, as_bytes(header), as_bytes(bytes));
  crypto::secure_wipe(std::span(reinterpret_cast<std::uint8_t*>(bytes.data()), bytes.size()));
  bytes = std::move(header);
  bytes.append(sealed.begin(), sealed.end());
  return {};
}

std::error_code file_session_store::save(const stored_session& state) {
  std::string bytes = encode_session_file(state);
  if (!options_.passphrase.empty()) {
    if (auto ec = encrypt(bytes)) return ec;
  }
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
