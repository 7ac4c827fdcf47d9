#include "file_hashes.h"

#include <algorithm>

#include "mtproto/testdc/api_handler.h"
#include "mtproto/tl/writer.h"

namespace mtproto::testdc::detail {

std::vector<api::fileHash> hash_list(const file_content& content, std::int64_t offset) {
  const std::int64_t size = content.size();
  std::int64_t first = std::clamp<std::int64_t>(offset, 0, size) / file_hash_part * file_hash_part;
  std::vector<api::fileHash> hashes;
  std::vector<std::uint8_t> part;
  for (std::int64_t i = 0; i < file_hash_parts_per_answer && first < size; ++i, first += file_hash_part) {
    const auto n = static_cast<std::size_t>(std::min(file_hash_part, size - first));
    part.resize(n);
    content.read(first, part);
    const auto digest = crypto::sha256(part);
    api::fileHash h{};
    h.offset = first;
    h.limit = static_cast<std::int32_t>(n);
    h.hash.assign(digest.begin(), digest.end());
    hashes.push_back(std::move(h));
  }
  return hashes;
}

std::vector<std::uint8_t> file_hashes(const file_content& content, std::int64_t offset) {
  std::vector<std::uint8_t> out;
  tl::writer w(out);
  const auto hashes = hash_list(content, offset);
  w.write_vector_header(hashes.size());
  for (const auto& h : hashes) h.write(w);
  return out;
}

}  // namespace mtproto::testdc::detail
