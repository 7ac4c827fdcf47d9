#include "mtproto/testdc/file_content.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "mtproto/crypto/aes_ctr.h"

namespace mtproto::testdc {
namespace {

constexpr std::size_t aes_block = 16;
constexpr std::size_t hash_chunk = 1 << 20;

}  // namespace

/// An open descriptor, read with pread so the emulator's I/O threads share it without a lock.
class file_content::disk_file {
 public:
  explicit disk_file(const std::string& path) : path_(path), fd_(::open(path.c_str(), O_RDONLY | O_CLOEXEC)) {
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "--media " + path);
    struct stat st {};
    const bool stated = ::fstat(fd_, &st) == 0;
    if (!stated || !S_ISREG(st.st_mode)) {
      const int e = stated ? EINVAL : errno;
      ::close(fd_);
      throw std::system_error(e, std::generic_category(), "--media " + path + " (not a regular file)");
    }
    size_ = st.st_size;
  }
  ~disk_file() { ::close(fd_); }
  disk_file(const disk_file&) = delete;
  disk_file& operator=(const disk_file&) = delete;

  std::int64_t size() const noexcept { return size_; }

  void read(std::int64_t offset, std::span<std::uint8_t> out) const {
    while (!out.empty()) {
      const auto n = ::pread(fd_, out.data(), out.size(), static_cast<off_t>(offset));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw std::system_error(errno, std::generic_category(), "--media " + path_);
      if (n == 0) throw std::system_error(EIO, std::generic_category(), "--media " + path_ + " shrank while served");
      out = out.subspan(static_cast<std::size_t>(n));
      offset += n;
    }
  }

 private:
  std::string path_;
  int fd_ = -1;
  std::int64_t size_ = 0;
};

file_content file_content::from_disk(const std::string& path) {
  file_content c;
  c.disk_ = std::make_shared<const disk_file>(path);
  c.size_ = c.disk_->size();
  return c;
}

file_content::file_content(std::uint64_t seed, std::string_view name, std::int64_t size) : size_(size) {
  std::array<std::uint8_t, 8> seed_bytes{};
  for (std::size_t i = 0; i < seed_bytes.size(); ++i) seed_bytes[i] = static_cast<std::uint8_t>(seed >> (8 * i));
  const std::string_view domain = "mtproto-testdc file content";
  key_ = crypto::sha256({std::span(reinterpret_cast<const std::uint8_t*>(domain.data()), domain.size()), seed_bytes,
                         std::span(reinterpret_cast<const std::uint8_t*>(name.data()), name.size())});
}

void file_content::read(std::int64_t offset, std::span<std::uint8_t> out) const {
  if (offset < 0 || offset > size_ || static_cast<std::int64_t>(out.size()) > size_ - offset)
    throw std::out_of_range("file_content::read outside the file");
  if (out.empty()) return;
  if (disk_) return disk_->read(offset, out);
  // The counter block of the 16-byte block holding `offset`, as a big-endian 128-bit integer.
  const auto block = static_cast<std::uint64_t>(offset) / aes_block;
  std::array<std::uint8_t, 16> iv{};
  for (std::size_t i = 0; i < 8; ++i) iv[15 - i] = static_cast<std::uint8_t>(block >> (8 * i));
  crypto::aes256_ctr ctr(key_, iv);
  if (const auto skip = static_cast<std::size_t>(offset) % aes_block) {
    std::array<std::uint8_t, aes_block> discard{};
    ctr.apply(std::span(discard).first(skip));
  }
  std::fill(out.begin(), out.end(), std::uint8_t{0});
  ctr.apply(out);
}

crypto::sha256_digest file_content::sha256() const {
  crypto::sha256_hasher hasher;
  std::vector<std::uint8_t> chunk(hash_chunk);
  for (std::int64_t offset = 0; offset < size_;) {
    const auto n = static_cast<std::size_t>(std::min<std::int64_t>(static_cast<std::int64_t>(chunk.size()), size_ - offset));
    read(offset, std::span(chunk).first(n));
    hasher.update(std::span(chunk).first(n));
    offset += static_cast<std::int64_t>(n);
  }
  return hasher.finish();
}

}  // namespace mtproto::testdc
