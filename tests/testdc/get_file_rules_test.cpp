#include <catch2/catch.hpp>

#include <limits>

#include "mtproto/testdc/get_file_rules.h"

using mtproto::testdc::check_get_file_request;

TEST_CASE("getFile without precise: multiples of 4096 dividing 1 MiB") {
  CHECK_FALSE(check_get_file_request(0, 4096, false));
  CHECK_FALSE(check_get_file_request(0, 1048576, false));
  CHECK_FALSE(check_get_file_request(3 * 131072, 131072, false));
  CHECK_FALSE(check_get_file_request(4096, 4096, false));
  CHECK(check_get_file_request(0, 0, false) == "LIMIT_INVALID");
  CHECK(check_get_file_request(0, 1048576 + 4096, false) == "LIMIT_INVALID");
  CHECK(check_get_file_request(0, 3 * 4096, false) == "LIMIT_INVALID");   // does not divide 1 MiB
  CHECK(check_get_file_request(0, 5000, false) == "LIMIT_INVALID");
  CHECK(check_get_file_request(1024, 4096, false) == "OFFSET_INVALID");
  CHECK(check_get_file_request(-4096, 4096, false) == "OFFSET_INVALID");
}

TEST_CASE("getFile never crosses a 1 MiB boundary") {
  CHECK(check_get_file_request(1048576 - 4096, 8192, false) == "LIMIT_INVALID");
  CHECK(check_get_file_request(512 * 1024, 1048576, false) == "LIMIT_INVALID");
  CHECK_FALSE(check_get_file_request(1048576 - 8192, 8192, false));
}

TEST_CASE("getFile with precise: multiples of 1024 up to 1 MiB") {
  CHECK_FALSE(check_get_file_request(1024, 3 * 1024, true));
  CHECK_FALSE(check_get_file_request(0, 1048576, true));
  CHECK(check_get_file_request(0, 1000, true) == "LIMIT_INVALID");
  CHECK(check_get_file_request(512, 1024, true) == "OFFSET_INVALID");
  CHECK(check_get_file_request(1048576 - 1024, 2048, true) == "LIMIT_INVALID");
  CHECK(check_get_file_request(0, 2 * 1048576, true) == "LIMIT_INVALID");
}

TEST_CASE("getFile rules: an offset near INT64_MAX is judged without overflow") {
  // 2^63 - 4096: the last 4 KiB of the last 1 MiB window below 2^63.
  const std::int64_t top = std::numeric_limits<std::int64_t>::max() / 4096 * 4096;
  CHECK_FALSE(check_get_file_request(top, 4096, false));
  CHECK(check_get_file_request(top, 8192, false) == "LIMIT_INVALID");  // would cross the window
  CHECK_FALSE(check_get_file_request(top - top % (1 << 20), 1 << 20, false));
  CHECK_FALSE(check_get_file_request(std::numeric_limits<std::int64_t>::max() - 1023, 1024, true));
  CHECK(check_get_file_request(std::numeric_limits<std::int64_t>::max() - 1023, 2048, true) == "LIMIT_INVALID");
}
