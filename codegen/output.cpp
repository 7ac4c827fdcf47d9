#include "output.h"

#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>

namespace tlgen {
namespace {

constexpr const char* manifest_name = "tlgen_manifest.txt";

bool same_content(const std::filesystem::path& p, const std::string& content) {
  std::ifstream in(p, std::ios::binary);
  if (!in) return false;
  std::string existing((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return existing == content;
}

void write_file(const std::filesystem::path& p, const std::string& content) {
  std::filesystem::create_directories(p.parent_path());
  // Write to a temporary and rename, so an interrupted run never leaves a half-written file.
  auto tmp = p;
  tmp += ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << content;
    if (!out) throw std::runtime_error("cannot write " + tmp.string());
  }
  std::filesystem::rename(tmp, p);
}

}  // namespace

write_stats write_outputs(const std::filesystem::path& dir, const std::vector<generated_file>& files) {
  write_stats stats;
  std::set<std::string> now;
  for (const auto& f : files) {
    now.insert(f.path);
    const auto p = dir / f.path;
    if (same_content(p, f.content)) {
      ++stats.unchanged;
      continue;
    }
    write_file(p, f.content);
    ++stats.written;
  }
  const auto manifest = dir / manifest_name;
  if (std::ifstream old(manifest); old) {
    for (std::string line; std::getline(old, line);) {
      if (line.empty() || now.count(line)) continue;
      std::error_code ec;
      if (std::filesystem::remove(dir / line, ec)) ++stats.removed;
    }
  }
  std::ostringstream list;
  for (const auto& p : now) list << p << '\n';
  if (!same_content(manifest, list.str())) write_file(manifest, list.str());
  return stats;
}

}  // namespace tlgen
