// Bytes of an emulated file. A generated fixture (--file) is a deterministic function of
// (seed, file name, offset), so a multi-GB fixture costs neither disk nor memory: the AES-256-CTR
// keystream under a key derived from the seed and the name, any range computed directly at AES
// speed. A media fixture (--media) is a real file on disk, read where a range is asked for.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "mtproto/crypto/sha.h"

namespace mtproto::testdc {

class file_content {
 public:
  file_content(std::uint64_t seed, std::string_view name, std::int64_t size);
  /// The file at `path`, opened now (its size is taken now; it must not change while served).
  /// Throws std::system_error naming the path when it cannot be opened or is not a regular file.
  static file_content from_disk(const std::string& path);

  std::int64_t size() const noexcept { return size_; }
  /// Fills `out` with the bytes at [offset, offset + out.size()); the range must lie in the file.
  /// A disk file that shrank or cannot be read throws std::system_error.
  void read(std::int64_t offset, std::span<std::uint8_t> out) const;
  /// SHA-256 of the whole file, streamed (seconds per GB; call off the I/O thread for big files).
  crypto::sha256_digest sha256() const;

 private:
  class disk_file;
  file_content() = default;

  std::array<std::uint8_t, 32> key_{};
  std::int64_t size_ = 0;
  std::shared_ptr<const disk_file> disk_;  // set: bytes come from here
};

}  // namespace mtproto::testdc
