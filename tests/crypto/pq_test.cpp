#include "mtproto/crypto/pq.h"

#include <catch2/catch.hpp>

#include "mtproto/crypto/ct_equal.h"
#include "mtproto/crypto/error.h"
#include "test_util.h"

using namespace mtproto::crypto;
using namespace mtproto::test;

TEST_CASE("pq factorization of every vector, including pq >= 2^63", "[crypto][pq][vectors]") {
  const json doc = load_vectors("pq_factorization.json");
  for (const json& v : doc["vectors"].items()) {
    INFO("pq " << v["pq"].str());
    const std::uint64_t pq = pq_from_bytes(from_hex(v["pq_bytes_be"].str()));
    REQUIRE(pq == v["pq"].u64());
    const auto f = factorize_pq(pq);
    CHECK(f.p == v["p"].u64());
    CHECK(f.q == v["q"].u64());
    CHECK(to_hex(minimal_be_bytes(f.p)) == v["p_bytes_be"].str());
    CHECK(to_hex(minimal_be_bytes(f.q)) == v["q_bytes_be"].str());
  }
}

TEST_CASE("pq that is not a product of two primes is a typed error", "[crypto][pq]") {
  auto not_factorable = Catch::Predicate<crypto_error>([](const crypto_error& e) {
    return e.code() == crypto_errc::pq_not_factorable;
  });
  CHECK_THROWS_MATCHES(factorize_pq(0), crypto_error, not_factorable);
  CHECK_THROWS_MATCHES(factorize_pq(1), crypto_error, not_factorable);
  CHECK_THROWS_MATCHES(factorize_pq(18446744073709551557ULL), crypto_error, not_factorable);  // prime
  CHECK_THROWS_MATCHES(factorize_pq(3ULL * 5 * 7), crypto_error, not_factorable);            // three primes
  CHECK_THROWS_MATCHES(factorize_pq(1ULL << 63), crypto_error, not_factorable);
  CHECK_THROWS_MATCHES(pq_from_bytes(std::vector<std::uint8_t>(9, 1)), crypto_error, not_factorable);
  CHECK(factorize_pq(4).p == 2);
}

TEST_CASE("ct_equal", "[crypto][ct]") {
  const std::vector<std::uint8_t> a = {1, 2, 3}, b = {1, 2, 3}, c = {1, 2, 4}, d = {1, 2};
  CHECK(ct_equal(a, b));
  CHECK_FALSE(ct_equal(a, c));
  CHECK_FALSE(ct_equal(a, d));
  CHECK(ct_equal({}, {}));
}
