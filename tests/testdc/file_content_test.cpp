#include <catch2/catch.hpp>

#include <vector>

#include "mtproto/crypto/sha.h"
#include "mtproto/testdc/file_content.h"

using mtproto::testdc::file_content;

TEST_CASE("file content is a function of seed, name and offset") {
  const file_content a(1, "x.bin", 100000), same(1, "x.bin", 100000), other_seed(2, "x.bin", 100000),
      other_name(1, "y.bin", 100000);
  std::vector<std::uint8_t> whole(100000), again(100000), b(100000), c(100000);
  a.read(0, whole);
  same.read(0, again);
  other_seed.read(0, b);
  other_name.read(0, c);
  CHECK(whole == again);
  CHECK(whole != b);
  CHECK(whole != c);

  // Any range equals the same bytes of the whole, at unaligned offsets too.
  for (std::int64_t offset : {0, 1, 15, 16, 17, 4095, 65536, 99990}) {
    std::vector<std::uint8_t> part(static_cast<std::size_t>(std::min<std::int64_t>(333, 100000 - offset)));
    a.read(offset, part);
    CHECK(std::equal(part.begin(), part.end(), whole.begin() + offset));
  }
  // Not trivially zero or repeating.
  CHECK(std::count(whole.begin(), whole.end(), 0) < 1000);
  CHECK(!std::equal(whole.begin(), whole.begin() + 4096, whole.begin() + 4096));
}

TEST_CASE("file content: streamed SHA-256 equals the hash of the bytes; reads outside throw") {
  const file_content f(9, "h.bin", 3 * 1048576 + 5);
  std::vector<std::uint8_t> all(static_cast<std::size_t>(f.size()));
  f.read(0, all);
  CHECK(f.sha256() == mtproto::crypto::sha256(all));
  std::vector<std::uint8_t> one(1);
  CHECK_THROWS(f.read(f.size(), one));
  CHECK_THROWS(f.read(-1, one));
  std::vector<std::uint8_t> none;
  CHECK_NOTHROW(f.read(f.size(), none));
}
