#include "mtproto/crypto/sha.h"

#include <catch2/catch.hpp>
#include <string>

#include "support/hex.h"

using namespace mtproto::crypto;
using mtproto::test::as_bytes;
using mtproto::test::to_hex;

TEST_CASE("SHA-1 and SHA-256 known answers (FIPS 180)", "[crypto][sha]") {
  CHECK(to_hex(sha1(as_bytes("abc"))) == "a9993e364706816aba3e25717850c26c9cd0d89d");
  CHECK(to_hex(sha256(as_bytes("abc"))) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(to_hex(sha1(as_bytes(""))) == "da39a3ee5e6b4b0d3255bfef95601890afd80709");
  CHECK(to_hex(sha256(as_bytes(""))) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  const std::string two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  CHECK(to_hex(sha1(as_bytes(two_blocks))) == "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
  CHECK(to_hex(sha256(as_bytes(two_blocks))) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

TEST_CASE("SHA incremental and multi-part equal one shot", "[crypto][sha]") {
  const std::string million(1000000, 'a');
  sha256_hasher h256;
  sha1_hasher h1;
  for (std::size_t pos = 0, step = 1; pos < million.size(); pos += step, step = step * 3 % 997 + 1) {
    const auto piece = as_bytes(std::string_view(million).substr(pos, step));
    h256.update(piece);
    h1.update(piece);
  }
  CHECK(to_hex(h256.finish()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  CHECK(to_hex(h1.finish()) == "34aa973cd4c4daa4f61eeb2bdbad27316534016f");

  CHECK(sha256({as_bytes("ab"), as_bytes(""), as_bytes("c")}) == sha256(as_bytes("abc")));
  CHECK(sha1({as_bytes("a"), as_bytes("bc")}) == sha1(as_bytes("abc")));
}
