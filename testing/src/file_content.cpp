#include "mtproto/testdc/file_content.h"

#include <algorithm>
#include <stdexcept>
#include <string>
#include <vector>

#include "mtproto/crypto/aes_ctr.h"

namespace mtproto::testdc {
namespace {

constexpr std::size_t aes_block = 16;
constexpr std::size_t hash_chunk = 1 << 20;

}  // namespace

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
