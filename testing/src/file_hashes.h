// upload.getFileHashes / getCdnFileHashes / reuploadCdnFile answers: SHA-256 of the 128 KiB
// parts of a file from an offset on, one answer's worth (internal).
#pragma once

#include <cstdint>
#include <vector>

#include "mtproto/api/FileHash.h"
#include "mtproto/testdc/file_content.h"

namespace mtproto::testdc::detail {

std::vector<api::fileHash> hash_list(const file_content& content, std::int64_t offset);
/// The serialized Vector<FileHash>.
std::vector<std::uint8_t> file_hashes(const file_content& content, std::int64_t offset);

}  // namespace mtproto::testdc::detail
