// File layout (little-endian):
//   magic "MTPCSESS" (8) | version u32 | payload length u32 | payload | SHA-256(everything before) (32)
// payload (TL-encoded): home_dc int | user_id long | is_bot Bool | count int |
//   count x { dc_id int | auth_key bytes(256) | salt long | time_offset long (s) | authorized Bool }
#include "mtproto/client/session_store.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "mtproto/crypto/ct_equal.h"
#include "mtproto/crypto/sha.h"
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

std::error_code file_session_store::load(stored_session& out) {
  std::ifstream in(path_, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!std::filesystem::exists(path_, ec) && !ec) {
      out = stored_session{};
      return {};
    }
    return store_errc::io_failed;
  }
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return store_errc::io_failed;
  return decode_session_file(bytes, out);
}

std::error_code file_session_store::save(const stored_session& state) {
  const std::string bytes = encode_session_file(state);
  auto tmp = path_;
  tmp += ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, S_IRUSR | S_IWUSR);
  if (fd < 0) return {errno, std::generic_category()};
  // O_CREAT's mode is ignored for an existing file: force 0600 either way.
  ::fchmod(fd, S_IRUSR | S_IWUSR);
  std::size_t written = 0;
  while (written < bytes.size()) {
    const auto n = ::write(fd, bytes.data() + written, bytes.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      ::unlink(tmp.c_str());
      return {err, std::generic_category()};
    }
    written += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return {err, std::generic_category()};
  }
  if (::rename(tmp.c_str(), path_.c_str()) != 0) {
    const int err = errno;
    ::unlink(tmp.c_str());
    return {err, std::generic_category()};
  }
  return {};
}

}  // namespace mtproto::client
