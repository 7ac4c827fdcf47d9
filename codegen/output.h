// Writes generated files into the output directory. Files whose content did not change are left
// untouched (so the build recompiles only what changed), and files a previous run wrote but
// this run did not are deleted, using a manifest kept in the output directory.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "emitter.h"

namespace tlgen {

struct write_stats {
  int written = 0;    // new or changed
  int unchanged = 0;
  int removed = 0;    // stale files of an earlier run
};

/// Throws std::runtime_error when a file cannot be written.
write_stats write_outputs(const std::filesystem::path& dir, const std::vector<generated_file>& files);

}  // namespace tlgen
