// Bytes of an emulated file: a deterministic function of (seed, file name, offset), so a multi-GB
// fixture costs neither disk nor memory. The content is the AES-256-CTR keystream under a key
// derived from the seed and the name, so any range is computed directly, at AES speed.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string_view>

#include "mtproto/crypto/sha.h"

namespace mtproto::testdc {

class file_content {
 public:
  file_content(std::uint64_t seed, std::string_view name, std::int64_t size);

  std::int64_t size() const noexcept { return size_; }
  /// Fills `out` with the bytes at [offset, offset + out.size()); the range must lie in the file.
  void read(std::int64_t offset, std::span<std::uint8_t> out) const;
  /// SHA-256 of the whole file, streamed (seconds per GB; call off the I/O thread for big files).
  crypto::sha256_digest sha256() const;

 private:
  std::array<std::uint8_t, 32> key_{};
  std::int64_t size_ = 0;
};

}  // namespace mtproto::testdc
