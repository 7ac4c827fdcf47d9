// Range headers against a file of known size (RFC 9110 §14.1.2): every form, clamping, and the
// refusals.
#include <catch2/catch.hpp>

#include "byte_range.h"

using tgstream::parse_range;
using kind = tgstream::range_request::kind;

TEST_CASE("the three byte-range forms", "[tgstream][range]") {
  auto r = parse_range("bytes=0-99", 1000);
  CHECK(r.what == kind::satisfiable);
  CHECK(r.first == 0);
  CHECK(r.end == 100);
  r = parse_range("bytes=500-", 1000);
  CHECK(r.what == kind::satisfiable);
  CHECK(r.first == 500);
  CHECK(r.end == 1000);
  r = parse_range("bytes=-100", 1000);
  CHECK(r.what == kind::satisfiable);
  CHECK(r.first == 900);
  CHECK(r.end == 1000);
  r = parse_range(" Bytes = 10 - 19 ", 1000);
  CHECK(r.what == kind::satisfiable);
  CHECK(r.first == 10);
  CHECK(r.end == 20);
}

TEST_CASE("ranges past the end are clamped; ranges outside the file are unsatisfiable", "[tgstream][range]") {
  auto r = parse_range("bytes=900-5000", 1000);
  CHECK(r.what == kind::satisfiable);
  CHECK(r.end == 1000);
  r = parse_range("bytes=-5000", 1000);
  CHECK(r.what == kind::satisfiable);
  CHECK(r.first == 0);
  r = parse_range("bytes=0-99999999999999999999999", 1000);  // saturates instead of overflowing
  CHECK(r.what == kind::satisfiable);
  CHECK(r.end == 1000);
  CHECK(parse_range("bytes=1000-", 1000).what == kind::unsatisfiable);
  CHECK(parse_range("bytes=99999999999999999999-", 1000).what == kind::unsatisfiable);
  CHECK(parse_range("bytes=-0", 1000).what == kind::unsatisfiable);
  CHECK(parse_range("bytes=0-", 0).what == kind::unsatisfiable);
}

TEST_CASE("malformed ranges, several ranges and other units", "[tgstream][range]") {
  for (const char* bad : {"bytes=", "bytes=-", "bytes=a-b", "bytes=5-1", "bytes=1-2-3", "bytes 0-1", "bytes=+1-2", "bytes=0x1-"})
    CHECK(parse_range(bad, 1000).what == kind::invalid);
  CHECK(parse_range("bytes=0-1,5-6", 1000).what == kind::multiple);
  CHECK(parse_range("items=0-1", 1000).what == kind::whole);
}
