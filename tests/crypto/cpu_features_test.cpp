#include "mtproto/crypto/cpu_features.h"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

using namespace mtproto::crypto;

TEST_CASE("MTPROTO_DISABLE_CPU_FEATURES turns the named extensions off", "[crypto][cpu]") {
  // ctest runs this binary once more with the variable set (test_crypto_portable): there the
  // fast paths must really be off, or that run would test them a second time instead.
  const char* off = std::getenv("MTPROTO_DISABLE_CPU_FEATURES");
  const std::string list = off ? off : "";
  const auto& f = detected_cpu_features();
  if (list.find("aesni") != std::string::npos) CHECK_FALSE(f.aesni);
  if (list.find("sha_ni") != std::string::npos) CHECK_FALSE(f.sha_ni);
  CHECK(&f == &detected_cpu_features());
}
