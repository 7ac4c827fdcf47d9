// tlgen's id rule against ../shared/vectors/tl_crc32.json: every vector's line normalizes to the
// given text and hashes to the declared id.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string>

#include "crc32.h"

namespace {

// Used only when ../shared is present.
[[maybe_unused]] std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Value of "key": "..." starting the search at `pos`; npos when absent before `limit`.
[[maybe_unused]] std::string string_field(const std::string& doc, const std::string& key, std::size_t pos, std::size_t limit) {
  const auto k = doc.find("\"" + key + "\"", pos);
  if (k == std::string::npos || k >= limit) return {};
  const auto open = doc.find('"', doc.find(':', k) + 1);
  return doc.substr(open + 1, doc.find('"', open + 1) - open - 1);
}

// "resPQ#05162463 a:int = T;" -> "resPQ a:int = T"
[[maybe_unused]] std::string without_id(std::string line) {
  if (!line.empty() && line.back() == ';') line.pop_back();
  const auto hash = line.find('#');
  const auto space = line.find(' ');
  if (hash != std::string::npos && hash < space) line.erase(hash, space - hash);
  return line;
}

}  // namespace

TEST_CASE("CRC32 check values") {
  CHECK(tlgen::crc32("") == 0x00000000u);
  CHECK(tlgen::crc32("123456789") == 0xcbf43926u);
}

#ifdef MTPROTO_SHARED_DIR
TEST_CASE("normalization and ids match every vector of tl_crc32.json") {
  const auto doc = read_file(std::string(MTPROTO_SHARED_DIR) + "/vectors/tl_crc32.json");
  // Each vector starts with its "source" key (lines may contain braces, so no brace matching).
  std::size_t pos = doc.find("\"vectors\"");
  REQUIRE(pos != std::string::npos);
  int checked = 0;
  for (auto start = doc.find("\"source\"", pos); start != std::string::npos;) {
    const auto next = doc.find("\"source\"", start + 1);
    const auto end = next == std::string::npos ? doc.size() : next;
    const auto normalized = string_field(doc, "normalized", start, end);
    const auto crc = string_field(doc, "crc32", start, end);
    const auto declared = string_field(doc, "declared", start, end);
    const auto line = string_field(doc, "line", start, end);
    start = next;
    REQUIRE(!normalized.empty());
    INFO(normalized);
    CHECK(crc == declared);
    CHECK(tlgen::crc32(normalized) == std::stoul(crc, nullptr, 16));
    if (!line.empty()) {
      CHECK(tlgen::normalize_declaration(without_id(line)) == normalized);
      CHECK(tlgen::declaration_id(without_id(line)) == std::stoul(declared, nullptr, 16));
    }
    ++checked;
  }
  CHECK(checked >= 39);
}
#endif
