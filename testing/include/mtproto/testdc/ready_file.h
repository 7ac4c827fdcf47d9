// The ready file: JSON telling test clients where the emulator listens and what it serves,
// with exactly the keys issue 4 lists, plus (with --ready-messages) the `messages` array that
// describes the link fixtures of issue 10. The interop clients of issue 4 refuse extra keys, hence
// opt-in. Written atomically (temporary file + rename), so a reader polling for it never sees
// half a file.
#pragma once

#include <string>
#include <vector>

#include "mtproto/testdc/catalog.h"
#include "mtproto/testdc/model.h"

namespace mtproto::testdc {

struct ready_info {
  std::vector<dc_endpoint> dcs;
  std::string rsa_public_key_pem;
  std::int64_t rsa_fingerprint = 0;
  /// Lowercase hex SHA-256 per file of the catalog, in its order.
  std::vector<std::string> sha256_hex;
  /// Adds the `messages` array (the link fixtures).
  bool describe_messages = false;
};

std::string ready_json(const ready_info& info, const catalog& published);
/// Writes `content` to `path` via `path.tmp` and rename(); throws std::system_error.
void write_file_atomically(const std::string& path, const std::string& content);

std::string to_hex(std::span<const std::uint8_t> bytes);

}  // namespace mtproto::testdc
