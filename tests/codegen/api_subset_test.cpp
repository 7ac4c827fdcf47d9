// tl-schema/api.tl is a subset of the official layer 228: every declaration in it appears
// character for character (after collapsing runs of blanks) in ../shared/tl/api-layer-228.tl.
// The one exception is the builtin `vector` line, which gotd's copy of the layer leaves out.
#include <catch2/catch.hpp>

#include <fstream>
#include <map>
#include <sstream>
#include <string>

namespace {

// name#id -> whole declaration, for every declaration line of a schema file (used when ../shared
// is present).
[[maybe_unused]] std::map<std::string, std::string> declarations(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::map<std::string, std::string> out;
  for (std::string line; std::getline(in, line);) {
    if (const auto c = line.find("//"); c != std::string::npos) line.erase(c);
    std::istringstream words(line);
    std::string collapsed;
    for (std::string w; words >> w;) collapsed += (collapsed.empty() ? "" : " ") + w;
    if (collapsed.empty() || collapsed.back() != ';') continue;
    out.emplace(collapsed.substr(0, collapsed.find(' ')), collapsed);
  }
  return out;
}

}  // namespace

#ifdef MTPROTO_SHARED_DIR
TEST_CASE("every tl-schema/api.tl entry is identical to layer 228") {
  const auto ours = declarations(MTPROTO_SOURCE_DIR "/tl-schema/api.tl");
  const auto official = declarations(std::string(MTPROTO_SHARED_DIR) + "/tl/api-layer-228.tl");
  REQUIRE(ours.size() > 500);
  int compared = 0;
  for (const auto& [head, decl] : ours) {
    if (head == "vector#1cb5c415") continue;  // builtin, not in gotd's copy of the layer
    INFO(decl);
    const auto it = official.find(head);
    REQUIRE(it != official.end());
    CHECK(it->second == decl);
    ++compared;
  }
  CHECK(compared + 1 == static_cast<int>(ours.size()));
}
#endif
