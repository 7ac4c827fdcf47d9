#include "mtproto/download/part_tracker.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <vector>

#include "mtproto/download/error.h"

using mtproto::download::download_errc;
using mtproto::download::part_planner;
using mtproto::download::part_state;
using mtproto::download::part_tracker;

namespace {

constexpr std::int64_t KiB = 1024;
constexpr std::int64_t MiB = 1024 * KiB;
constexpr std::int64_t GiB = 1024 * MiB;

part_tracker track(std::int64_t size, std::int64_t first, std::int64_t last, std::int64_t step) {
  part_planner plan;
  REQUIRE_FALSE(part_planner::for_range(size, first, last, step, plan));
  part_tracker t;
  REQUIRE_FALSE(part_tracker::create(plan, t));
  return t;
}

part_tracker track_file(std::int64_t size, std::int64_t step) {
  part_planner plan;
  REQUIRE_FALSE(part_planner::for_file(size, step, plan));
  part_tracker t;
  REQUIRE_FALSE(part_tracker::create(plan, t));
  return t;
}

}  // namespace

TEST_CASE("a new tracker has every part planned", "[download]") {
  auto t = track_file(10 * MiB + 1, MiB);
  CHECK(t.part_count() == 11);
  CHECK(t.done_count() == 0);
  CHECK(t.in_flight_count() == 0);
  CHECK_FALSE(t.all_done());
  CHECK(t.first_not_done() == 0);
  CHECK(t.bytes_done() == 0);
  CHECK(t.bytes_total() == 10 * MiB + 1);
  CHECK(t.next() == 0);
  for (std::int64_t i = 0; i < t.part_count(); ++i) CHECK(t.state(i) == part_state::planned);
  CHECK_FALSE(t.state(-1));
  CHECK_FALSE(t.state(11));
}

TEST_CASE("parts move planned → in flight → done, and wrong moves change nothing", "[download]") {
  auto t = track_file(4 * MiB, MiB);
  CHECK_FALSE(t.mark_failed(0));  // not in flight
  CHECK(t.mark_in_flight(0));
  CHECK_FALSE(t.mark_in_flight(0));  // already in flight
  CHECK(t.state(0) == part_state::in_flight);
  CHECK(t.in_flight_count() == 1);
  CHECK(t.next() == 1);

  CHECK(t.mark_done(0));
  CHECK(t.state(0) == part_state::done);
  CHECK(t.in_flight_count() == 0);
  CHECK(t.done_count() == 1);
  CHECK(t.bytes_done() == MiB);
  CHECK_FALSE(t.mark_done(0));  // a duplicate answer is not counted twice
  CHECK_FALSE(t.mark_in_flight(0));
  CHECK_FALSE(t.mark_failed(0));
  CHECK(t.done_count() == 1);
  CHECK(t.bytes_done() == MiB);

  for (std::int64_t bad : {std::int64_t{-1}, std::int64_t{4}, INT64_MAX, INT64_MIN}) {
    CHECK_FALSE(t.mark_in_flight(bad));
    CHECK_FALSE(t.mark_done(bad));
    CHECK_FALSE(t.mark_failed(bad));
    CHECK(t.failures(bad) == 0);
  }
}

TEST_CASE("failures send a part back and are counted per part", "[download]") {
  auto t = track_file(4 * MiB, MiB);
  for (std::int64_t i = 0; i < 4; ++i) REQUIRE(t.mark_in_flight(i));
  CHECK_FALSE(t.next());
  CHECK(t.mark_failed(2));
  CHECK(t.mark_failed(1));
  CHECK(t.failures(1) == 1);
  CHECK(t.failures(2) == 1);
  CHECK(t.failures(0) == 0);
  CHECK(t.next() == 1);  // the lowest planned part is retried first
  CHECK(t.mark_in_flight(1));
  CHECK(t.next() == 2);
  CHECK(t.mark_in_flight(2));
  CHECK(t.mark_failed(2));
  CHECK(t.failures(2) == 2);
  CHECK(t.in_flight_count() == 3);
  CHECK(t.state(2) == part_state::planned);
}

TEST_CASE("a late answer for a given-up part still counts once", "[download]") {
  auto t = track_file(2 * MiB, MiB);
  REQUIRE(t.mark_in_flight(0));
  REQUIRE(t.mark_failed(0));  // timed out, back to planned
  CHECK(t.mark_done(0));      // then the answer arrived anyway
  CHECK(t.in_flight_count() == 0);
  CHECK(t.next() == 1);
  CHECK_FALSE(t.mark_done(0));
  CHECK(t.done_count() == 1);
}

TEST_CASE("next() keeps to the window", "[download]") {
  auto t = track_file(10 * MiB, MiB);
  CHECK(t.next(0) == 0);
  CHECK(t.next(-1) == std::nullopt);
  REQUIRE(t.mark_in_flight(0));
  REQUIRE(t.mark_in_flight(1));
  CHECK(t.next(1) == std::nullopt);
  CHECK(t.next(2) == 2);
  REQUIRE(t.mark_failed(0));
  CHECK(t.next(1) == 0);
}

TEST_CASE("first_not_done is the end of the contiguous done prefix", "[download]") {
  auto t = track_file(6 * MiB, MiB);
  for (std::int64_t i = 0; i < 6; ++i) REQUIRE(t.mark_in_flight(i));
  REQUIRE(t.mark_done(2));
  REQUIRE(t.mark_done(1));
  CHECK(t.first_not_done() == 0);
  REQUIRE(t.mark_done(0));
  CHECK(t.first_not_done() == 3);
  REQUIRE(t.mark_done(5));
  CHECK(t.first_not_done() == 3);
  REQUIRE(t.mark_done(3));
  REQUIRE(t.mark_done(4));
  CHECK(t.first_not_done() == 6);
  CHECK(t.all_done());
  CHECK_FALSE(t.next());
}

TEST_CASE("bytes done count the wanted bytes of a range", "[download]") {
  const std::int64_t a = MiB + 100, b = 5 * MiB - 7;
  auto t = track(10 * MiB, a, b, MiB);
  REQUIRE(t.part_count() == 4);
  REQUIRE(t.mark_done(3));
  CHECK(t.bytes_done() == MiB - 7);
  REQUIRE(t.mark_done(0));
  CHECK(t.bytes_done() == 2 * MiB - 107);
  REQUIRE(t.mark_done(1));
  REQUIRE(t.mark_done(2));
  CHECK(t.bytes_done() == b - a);
  CHECK(t.bytes_done() == t.bytes_total());
}

TEST_CASE("the empty plan is done from the start", "[download]") {
  part_tracker t;
  CHECK(t.all_done());
  CHECK_FALSE(t.next());
  CHECK(t.export_done().empty());
  CHECK_FALSE(t.import_done({}));
  const std::vector<std::uint8_t> one{0};
  CHECK(t.import_done(one) == download_errc::journal_mismatch);
  auto empty_file = track_file(0, 4 * KiB);
  CHECK(empty_file.all_done());
}

TEST_CASE("the done bitmask is LSB first, one bit per part", "[download]") {
  auto t = track_file(10 * MiB, MiB);
  CHECK(t.bitmask_size() == 2);
  REQUIRE(t.mark_done(0));
  REQUIRE(t.mark_done(9));
  REQUIRE(t.mark_done(3));
  CHECK(t.export_done() == std::vector<std::uint8_t>{0x09, 0x02});
}

TEST_CASE("the done bitmask round-trips for every length", "[download]") {
  std::mt19937_64 rng(99);
  for (std::int64_t parts = 1; parts <= 70; ++parts) {
    auto t = track_file(parts * 4 * KiB - 1, 4 * KiB);
    REQUIRE(t.part_count() == parts);
    for (std::int64_t i = 0; i < parts; ++i)
      if (rng() % 2) REQUIRE(t.mark_done(i));
    if (const auto n = t.next()) REQUIRE(t.mark_in_flight(*n));  // in flight is not done
    const auto bits = t.export_done();
    CHECK(bits.size() == static_cast<std::size_t>((parts + 7) / 8));

    auto fresh = track_file(parts * 4 * KiB - 1, 4 * KiB);
    REQUIRE_FALSE(fresh.import_done(bits));
    CHECK(fresh.export_done() == bits);
    CHECK(fresh.done_count() == t.done_count());
    CHECK(fresh.bytes_done() == t.bytes_done());
    CHECK(fresh.first_not_done() == t.first_not_done());
    CHECK(fresh.in_flight_count() == 0);
    for (std::int64_t i = 0; i < parts; ++i)
      CHECK((fresh.state(i) == part_state::done) == (t.state(i) == part_state::done));
  }
}

TEST_CASE("a bitmask of another plan or with stray bits is refused", "[download]") {
  auto t = track_file(10 * MiB, MiB);  // 10 parts: 2 bytes, 6 padding bits
  REQUIRE(t.mark_in_flight(4));
  REQUIRE(t.mark_failed(4));
  REQUIRE(t.mark_done(1));
  const auto before = t.export_done();

  CHECK(t.import_done(std::vector<std::uint8_t>{0xff}) == download_errc::journal_mismatch);
  CHECK(t.import_done(std::vector<std::uint8_t>{0xff, 0x03, 0x00}) == download_errc::journal_mismatch);
  CHECK(t.import_done(std::vector<std::uint8_t>{0xff, 0x04}) == download_errc::journal_corrupt);
  CHECK(t.import_done(std::vector<std::uint8_t>{0x00, 0x80}) == download_errc::journal_corrupt);
  CHECK(t.export_done() == before);  // refused imports change nothing
  CHECK(t.failures(4) == 1);

  REQUIRE_FALSE(t.import_done(std::vector<std::uint8_t>{0xff, 0x03}));
  CHECK(t.all_done());
  CHECK(t.failures(4) == 0);  // a resumed download starts its retry budget afresh
  CHECK(t.bytes_done() == 10 * MiB);
}

TEST_CASE("the tracker is bounded to max_tracked_parts", "[download]") {
  using mtproto::download::max_tracked_parts;
  STATIC_REQUIRE(max_tracked_parts == 8 * GiB / (4 * KiB));
  part_planner plan;
  part_tracker t = track_file(MiB, MiB);
  REQUIRE_FALSE(part_planner::for_file(8 * GiB + 1, 4 * KiB, plan));
  CHECK(part_tracker::create(plan, t) == std::errc::value_too_large);
  CHECK(t.part_count() == 1);  // unchanged

  REQUIRE_FALSE(part_planner::for_file(8 * GiB, 4 * KiB, plan));
  REQUIRE_FALSE(part_tracker::create(plan, t));
  CHECK(t.part_count() == max_tracked_parts);
  CHECK(t.bitmask_size() == static_cast<std::size_t>(max_tracked_parts / 8));
}

TEST_CASE("property: a random engine keeps every count consistent", "[download]") {
  std::mt19937_64 rng(4242);
  for (int round = 0; round < 200; ++round) {
    const std::int64_t size = 1 + static_cast<std::int64_t>(rng() % (40 * MiB));
    auto t = track_file(size, 256 * KiB);
    const std::int64_t depth = 1 + static_cast<std::int64_t>(rng() % 8);
    std::vector<std::int64_t> in_flight;
    for (int step = 0; step < 100000 && !t.all_done(); ++step) {
      // Request within a window of `depth` parts past the done prefix, like the engine will.
      const auto next = t.next(t.first_not_done() + depth - 1);
      if (next && (in_flight.empty() || rng() % 2)) {
        REQUIRE(t.mark_in_flight(*next));
        in_flight.push_back(*next);
        continue;
      }
      REQUIRE_FALSE(in_flight.empty());
      const auto pick = rng() % in_flight.size();
      const auto index = in_flight[pick];
      in_flight.erase(in_flight.begin() + static_cast<std::ptrdiff_t>(pick));
      if (rng() % 5 == 0) REQUIRE(t.mark_failed(index));
      else REQUIRE(t.mark_done(index));

      std::int64_t done = 0, flying = 0, prefix = 0, lowest_planned = -1;
      bool contiguous = true;
      for (std::int64_t i = 0; i < t.part_count(); ++i) {
        const auto s = *t.state(i);
        done += s == part_state::done;
        flying += s == part_state::in_flight;
        contiguous = contiguous && s == part_state::done;
        prefix += contiguous;
        if (s == part_state::planned && lowest_planned < 0) lowest_planned = i;
      }
      REQUIRE(t.done_count() == done);
      REQUIRE(t.in_flight_count() == flying);
      REQUIRE(t.first_not_done() == prefix);
      REQUIRE(t.next() == (lowest_planned < 0 ? std::nullopt : std::optional<std::int64_t>(lowest_planned)));
    }
    REQUIRE(t.all_done());
    CHECK(t.bytes_done() == size);
  }
}
