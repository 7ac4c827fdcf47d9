#include "mtproto/download/part_planner.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "mtproto/download/error.h"

using mtproto::download::download_errc;
using mtproto::download::part_planner;
using mtproto::download::planned_part;

namespace {

constexpr std::int64_t KiB = 1024;
constexpr std::int64_t MiB = 1024 * KiB;
constexpr std::int64_t GiB = 1024 * MiB;

// upload.getFile's rules as core.telegram.org/api/files states them, written here on purpose
// rather than shared with the planner or the emulator: a test that reuses the code under test's
// reading of the rules cannot catch a misreading.
std::string rule_violation(std::int64_t offset, std::int32_t limit, bool precise) {
  if (limit <= 0 || limit > MiB) return "limit outside (0, 1 MiB]";
  if (offset < 0) return "negative offset";
  const std::int64_t alignment = precise ? KiB : 4 * KiB;
  if (offset % alignment != 0) return "offset not aligned";
  if (limit % alignment != 0) return "limit not aligned";
  if (!precise && MiB % limit != 0) return "limit does not divide 1 MiB";
  if (offset / MiB != (offset + limit - 1) / MiB) return "request crosses a 1 MiB boundary";
  return {};
}

std::vector<std::int64_t> legal_part_sizes() {
  std::vector<std::int64_t> sizes;
  for (std::int64_t s = 4 * KiB; s <= MiB; s *= 2) sizes.push_back(s);
  return sizes;
}

// Everything a plan promises, checked part by part; returns the first broken promise, empty if none.
std::string verify(const part_planner& plan) {
  const std::int64_t size = plan.file_size(), step = plan.part_size();
  const std::int64_t a = plan.range_begin(), b = plan.range_end();
  const std::int64_t want_parts = b > a ? (b - 1) / step - a / step + 1 : 0;
  if (plan.part_count() != want_parts) return "part count " + std::to_string(plan.part_count());
  if (plan.part(-1) || plan.part(plan.part_count())) return "a part outside the plan exists";
  std::int64_t cursor = a;
  for (std::int64_t i = 0; i < plan.part_count(); ++i) {
    const auto at = "part " + std::to_string(i) + ": ";
    const auto maybe = plan.part(i);
    if (!maybe) return at + "missing";
    const planned_part& p = *maybe;
    if (p.index != i) return at + "wrong index";
    if (auto why = rule_violation(p.offset, p.limit, p.precise); !why.empty()) return at + why;
    if (p.file_offset != cursor) return at + "gap or overlap at " + std::to_string(cursor);
    if (p.count <= 0 || p.skip < 0) return at + "empty or negative slice";
    if (p.offset + p.skip != p.file_offset) return at + "skip does not reach file_offset";
    if (p.expected_size != std::min<std::int64_t>(p.limit, size - p.offset)) return at + "wrong expected size";
    if (p.skip + p.count > p.expected_size) return at + "slice past the answer";
    const std::int64_t cell = p.file_offset / step;
    if (p.offset / step != cell || (p.offset + p.limit - 1) / step != cell) return at + "leaves its grid cell";
    if (i == 0 && cell != a / step) return at + "first part is not the cell holding the range start";
    const std::int64_t aligned_answer = std::min(step, size - cell * step);
    // Whether the answer's first and last KiB blocks both hold wanted bytes: then no request of
    // whole KiB blocks could be smaller.
    const std::int64_t answer_end = p.offset + p.expected_size, wanted_end = p.file_offset + p.count;
    const bool tight = p.skip < KiB && (answer_end - 1) / KiB == (wanted_end - 1) / KiB;
    if (p.precise) {
      if (p.expected_size >= aligned_answer) return at + "precise without saving bytes";
      if (!tight) return at + "precise request carries a whole unwanted KiB block";
    } else {
      if (p.offset != cell * step || p.limit != step) return at + "aligned request is not its cell";
      if (!tight) return at + "precise would have saved bytes";
    }
    if (plan.part_index_at(p.file_offset) != i || plan.part_index_at(p.file_offset + p.count - 1) != i)
      return at + "part_index_at disagrees";
    cursor += p.count;
  }
  if (cursor != b) return "parts end at " + std::to_string(cursor);
  if (plan.part_index_at(a - 1) || plan.part_index_at(b)) return "part_index_at outside the range";
  return {};
}

part_planner file_plan(std::int64_t size, std::int64_t step) {
  part_planner plan;
  REQUIRE_FALSE(part_planner::for_file(size, step, plan));
  return plan;
}

part_planner range_plan(std::int64_t size, std::int64_t first, std::int64_t last, std::int64_t step) {
  part_planner plan;
  const auto ec = part_planner::for_range(size, first, last, step, plan);
  INFO("size " << size << " range [" << first << ", " << last << ") part " << step);
  REQUIRE_FALSE(ec);
  return plan;
}

}  // namespace

TEST_CASE("part sizes are the powers of two from 4 KiB to 1 MiB", "[download]") {
  using mtproto::download::is_valid_part_size;
  for (auto s : legal_part_sizes()) CHECK(is_valid_part_size(s));
  for (std::int64_t s : {std::int64_t{0}, -4 * KiB, KiB, 2 * KiB, 4 * KiB + 1, 12 * KiB, 3 * 4 * KiB, 2 * MiB})
    CHECK_FALSE(is_valid_part_size(s));

  part_planner plan;
  CHECK(part_planner::for_file(10, 12 * KiB, plan) == std::errc::invalid_argument);
  CHECK(part_planner::for_range(10, 0, 5, 2 * MiB, plan) == std::errc::invalid_argument);
}

TEST_CASE("whole files of awkward sizes tile exactly at every part size", "[download]") {
  const std::int64_t sizes[] = {0, 1, 4095, 4096, 524287, 524288, 1048577, 3000017, 4 * GiB + 1};
  for (auto size : sizes) {
    for (auto step : legal_part_sizes()) {
      INFO("size " << size << " part " << step);
      const auto plan = file_plan(size, step);
      CHECK(plan.range_begin() == 0);
      CHECK(plan.range_end() == size);
      CHECK(verify(plan).empty());
      CHECK(plan.part_count() == (size + step - 1) / step);
      if (plan.part_count() == 0) continue;
      // A whole file never needs `precise`: each part wants its cell up to the file's end.
      const auto last = *plan.part(plan.part_count() - 1);
      CHECK_FALSE(last.precise);
      CHECK(last.expected_size == size - (plan.part_count() - 1) * step);
      CHECK_FALSE(plan.part(0)->precise);
    }
  }
}

TEST_CASE("ranges at the start, middle and end tile exactly", "[download]") {
  for (std::int64_t size : {std::int64_t{3000017}, 4 * GiB + 1}) {
    const std::int64_t mid = size / 2 + 777;
    const std::vector<std::pair<std::int64_t, std::int64_t>> ranges = {
        {0, 1},                      // first byte
        {0, 5000},                   // start of the file
        {mid, mid + 1},              // one byte in the middle
        {mid, mid + size / 3},       // middle, across 1 MiB boundaries
        {4095, 4097},                // two bytes across a 4 KiB boundary
        {MiB - 1, MiB + 1},          // two bytes across a 1 MiB boundary
        {size - 1, size},            // last byte
        {size - 70000, size},        // ending at the file end
        {MiB, size},                 // from a boundary to the end
        {100, size - 100},           // nearly everything
    };
    for (auto [a, b] : ranges) {
      for (auto step : legal_part_sizes()) {
        INFO("size " << size << " range [" << a << ", " << b << ") part " << step);
        const auto plan = range_plan(size, a, b, step);
        CHECK(plan.range_size() == b - a);
        CHECK(verify(plan).empty());
      }
    }
  }
}

TEST_CASE("a range inside one part is one precise request of whole KiB blocks", "[download]") {
  const std::int64_t size = 3000017, step = 512 * KiB;
  const auto plan = range_plan(size, step + 5000, step + 9000, step);
  REQUIRE(plan.part_count() == 1);
  const auto p = *plan.part(0);
  CHECK(p.precise);
  CHECK(p.offset == step + 4 * KiB);
  CHECK(p.limit == 5 * KiB);  // blocks [4 KiB, 9 KiB) of the cell hold bytes 5000..8999
  CHECK(p.expected_size == p.limit);
  CHECK(p.skip == 5000 - 4 * KiB);
  CHECK(p.count == 4000);
  CHECK(p.file_offset == step + 5000);
}

TEST_CASE("seeking costs at most one part, not the prefix", "[download]") {
  const std::int64_t size = 4 * GiB + 1, step = MiB;
  const std::int64_t a = 3 * GiB + 123456;
  const auto plan = range_plan(size, a, size, step);
  const auto first = *plan.part(0);
  CHECK(first.offset <= a);
  CHECK(a - first.offset < KiB);  // precise trims the cell to the KiB block holding a
  CHECK(first.precise);
  CHECK(plan.part_count() == (size - 1) / step - a / step + 1);
  // The tail cell is wanted up to the file's end: the server stops there anyway.
  CHECK_FALSE(plan.part(plan.part_count() - 1)->precise);
  CHECK(plan.part(plan.part_count() - 1)->expected_size == 1);
}

TEST_CASE("middle parts are aligned; only trimmed edges are precise", "[download]") {
  const std::int64_t size = 10 * MiB, step = 256 * KiB, margin = 5000;
  const auto plan = range_plan(size, margin, size - margin, step);
  REQUIRE(plan.part_count() == size / step);
  const auto first = *plan.part(0);
  CHECK(first.precise);
  CHECK(first.offset == 4 * KiB);
  CHECK(first.skip == margin - 4 * KiB);
  for (std::int64_t i = 1; i + 1 < plan.part_count(); ++i) CHECK_FALSE(plan.part(i)->precise);
  const auto last = *plan.part(plan.part_count() - 1);
  CHECK(last.precise);
  CHECK(last.offset == size - step);
  CHECK(last.limit == step - 4 * KiB);  // the last 4 KiB blocks hold no wanted byte
  CHECK(last.count == step - margin);

  // Trimming less than one KiB block saves nothing: the edges stay aligned.
  const auto loose = range_plan(size, 100, size - 100, step);
  CHECK_FALSE(loose.part(0)->precise);
  CHECK_FALSE(loose.part(loose.part_count() - 1)->precise);
}

TEST_CASE("bad ranges and sizes are typed errors and leave the plan alone", "[download]") {
  const std::int64_t size = 3000017, step = 64 * KiB;
  const auto before = range_plan(size, 10, 20, step);
  auto plan = before;
  auto unchanged = [&] {
    return plan.range_begin() == before.range_begin() && plan.range_end() == before.range_end() &&
           plan.part_count() == before.part_count();
  };
  CHECK(part_planner::for_range(size, 20, 10, step, plan) == download_errc::bad_range);
  CHECK(part_planner::for_range(size, 10, 10, step, plan) == download_errc::bad_range);
  CHECK(part_planner::for_range(size, 0, size + 1, step, plan) == download_errc::bad_range);
  CHECK(part_planner::for_range(size, -1, 10, step, plan) == download_errc::bad_range);
  CHECK(part_planner::for_range(size, size, size, step, plan) == download_errc::bad_range);
  CHECK(part_planner::for_range(0, 0, 0, step, plan) == download_errc::bad_range);
  CHECK(part_planner::for_range(size, INT64_MIN, INT64_MAX, step, plan) == download_errc::bad_range);
  CHECK(part_planner::for_file(-1, step, plan) == std::errc::invalid_argument);
  CHECK(part_planner::for_file(INT64_MAX, step, plan) == std::errc::file_too_large);
  CHECK(part_planner::for_range(INT64_MAX, 0, 1, step, plan) == std::errc::file_too_large);
  CHECK(unchanged());

  const auto biggest = file_plan(mtproto::download::max_planned_file_size, step);
  CHECK(verify(range_plan(biggest.file_size(), biggest.file_size() - 3 * MiB, biggest.file_size(), step)).empty());
}

TEST_CASE("the empty file has an empty plan", "[download]") {
  const auto plan = file_plan(0, 4 * KiB);
  CHECK(plan.part_count() == 0);
  CHECK_FALSE(plan.part(0));
  CHECK_FALSE(plan.part_index_at(0));
  CHECK(part_planner{}.part_count() == 0);
}

TEST_CASE("answers sliced as planned give exactly the range's bytes", "[download]") {
  const std::int64_t size = 3 * MiB + 12345;
  auto byte_at = [](std::int64_t offset) { return static_cast<std::uint8_t>((offset * 2654435761U) >> 13); };
  std::mt19937_64 rng(7);
  for (int round = 0; round < 60; ++round) {
    const std::int64_t a = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(size));
    const std::int64_t b = a + 1 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(size - a));
    const auto steps = legal_part_sizes();
    const auto plan = range_plan(size, a, b, steps[rng() % steps.size()]);
    std::vector<std::uint8_t> got;
    for (std::int64_t i = 0; i < plan.part_count(); ++i) {
      const auto p = *plan.part(i);
      // What a server returns: the requested bytes, cut at the file's end.
      const std::int64_t answer_end = std::min(p.offset + p.limit, size);
      std::vector<std::uint8_t> answer;
      for (std::int64_t o = p.offset; o < answer_end; ++o) answer.push_back(byte_at(o));
      REQUIRE(static_cast<std::int64_t>(answer.size()) == p.expected_size);
      got.insert(got.end(), answer.begin() + p.skip, answer.begin() + p.skip + p.count);
    }
    std::vector<std::uint8_t> want;
    for (std::int64_t o = a; o < b; ++o) want.push_back(byte_at(o));
    // Compared as a bool: Catch would print megabytes of both vectors on a failure.
    REQUIRE(got.size() == want.size());
    const bool same = got == want;
    CHECK(same);
  }
}

TEST_CASE("property: random sizes and ranges obey every rule", "[download]") {
  std::mt19937_64 rng(20240611);
  const auto steps = legal_part_sizes();
  constexpr int rounds = 5000;
  constexpr std::int64_t max_size = 8 * GiB;
  constexpr int max_length_bits = 27;  // ranges up to 128 MiB keep the run short
  int failures = 0;
  for (int round = 0; round < rounds && failures < 5; ++round) {
    // Log-uniform sizes, so small files and edges near 0 are as common as huge ones.
    const int size_bits = static_cast<int>(rng() % 34);
    const std::int64_t size =
        std::min<std::int64_t>(max_size, 1 + static_cast<std::int64_t>(rng() % (std::uint64_t{1} << size_bits)));
    const std::int64_t a = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(size));
    const int length_bits = static_cast<int>(rng() % (max_length_bits + 1));
    const std::int64_t room = size - a;
    const std::int64_t length =
        1 + static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(std::min(room, std::int64_t{1} << length_bits)));
    const auto step = steps[rng() % steps.size()];
    part_planner plan;
    REQUIRE_FALSE(part_planner::for_range(size, a, a + length, step, plan));
    const auto problem = verify(plan);
    if (!problem.empty()) {
      ++failures;
      FAIL_CHECK("size " << size << " range [" << a << ", " << a + length << ") part " << step << ": " << problem);
    }
  }
  CHECK(failures == 0);
}
