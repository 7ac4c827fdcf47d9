// tlgen's output writer: unchanged files are left alone (so builds recompile only what changed)
// and files of an earlier run that are no longer generated are removed.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <string>

#include <unistd.h>

#include "output.h"

namespace fs = std::filesystem;

TEST_CASE("write_outputs rewrites only changed files and removes stale ones") {
  const auto dir = fs::temp_directory_path() / ("tlgen_output_test_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  auto st = tlgen::write_outputs(dir, {{"include/a.h", "a"}, {"src/b.cpp", "b"}});
  CHECK(st.written == 2);
  CHECK(fs::exists(dir / "include/a.h"));
  const auto stamp = fs::last_write_time(dir / "include/a.h");

  st = tlgen::write_outputs(dir, {{"include/a.h", "a"}, {"src/c.cpp", "c"}});
  CHECK(st.unchanged == 1);
  CHECK(st.written == 1);
  CHECK(st.removed == 1);
  CHECK_FALSE(fs::exists(dir / "src/b.cpp"));
  CHECK(fs::last_write_time(dir / "include/a.h") == stamp);
  std::ifstream c(dir / "src/c.cpp");
  std::string content;
  c >> content;
  CHECK(content == "c");
  fs::remove_all(dir);
}
