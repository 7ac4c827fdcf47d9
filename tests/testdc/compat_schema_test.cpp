// testing/compat/layerNNN.tl are our extracts of the official layers: every entry must be the
// official text, byte for byte, or the emulator would answer in a layer that does not exist.
#include <catch2/catch.hpp>

#include <fstream>
#include <set>
#include <string>

namespace {

#ifdef MTPROTO_SHARED_DIR
std::set<std::string> lines_of(const std::string& path) {
  std::ifstream in(path);
  REQUIRE(in);
  std::set<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.insert(line);
  return lines;
}
#endif

void check_layer(int layer) {
#ifdef MTPROTO_SHARED_DIR
  const auto official = lines_of(std::string(MTPROTO_SHARED_DIR) + "/tl/api-layer-" + std::to_string(layer) + ".tl");
  std::ifstream ours(std::string(MTPROTO_TESTDC_COMPAT_DIR) + "/layer" + std::to_string(layer) + ".tl");
  REQUIRE(ours);
  int entries = 0;
  for (std::string line; std::getline(ours, line);) {
    if (line.empty() || line.starts_with("//") || line == "---functions---") continue;
    INFO(line);
    CHECK(official.count(line) == 1);
    ++entries;
  }
  CHECK(entries > 20);
#else
  // Tagged [vectors]: ctest leaves these cases out, visibly, when ../shared is absent.
  FAIL("compat schema layer " << layer << " needs the official layers in ../shared");
#endif
}

}  // namespace

TEST_CASE("compat schema layer 144 is verbatim from the official layer 144", "[vectors]") { check_layer(144); }
TEST_CASE("compat schema layer 198 is verbatim from the official layer 198", "[vectors]") { check_layer(198); }
