// What the emulator publishes, as the ready file describes it: the DCs and key it listens with,
// the catalog's bot, channel and --file posts, and (with --ready-messages) the link fixtures.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "mtproto/testdc/catalog.h"
#include "mtproto/testdc/model.h"
#include "mtproto/testdc/ready_file.h"

namespace mtproto::testdc {

struct ready_info {
  std::vector<dc_endpoint> dcs;
  std::string rsa_public_key_pem;
  std::int64_t rsa_fingerprint = 0;
  /// The SHA-256 of each file of the catalog, in its order (computed off the I/O thread: they take
  /// seconds for multi-GB fixtures).
  std::vector<sha256_bytes> file_sha256;
  /// Adds the `messages` array (the link fixtures).
  bool describe_messages = false;
};

/// Throws std::invalid_argument when `info.file_sha256` does not have one digest per file.
ready_file make_ready_file(const ready_info& info, const catalog& published);

}  // namespace mtproto::testdc
