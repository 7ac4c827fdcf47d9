#include "mtproto/download/reorder.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <random>
#include <vector>

using mtproto::download::chunk;
using mtproto::download::push_result;
using mtproto::download::reorder_window;

namespace {

std::vector<std::uint8_t> bytes_of(std::int64_t offset, std::size_t size) {
  std::vector<std::uint8_t> v(size);
  for (std::size_t i = 0; i < size; ++i) v[i] = static_cast<std::uint8_t>((offset + static_cast<std::int64_t>(i)) * 31 + 7);
  return v;
}

struct piece {
  std::int64_t offset;
  std::size_t size;
};

// Cuts [start, start + total) into pieces of 1..max_piece bytes.
std::vector<piece> cut(std::mt19937_64& rng, std::int64_t start, std::int64_t total, std::size_t max_piece) {
  std::vector<piece> pieces;
  for (std::int64_t at = start; at < start + total;) {
    const auto size = std::min<std::size_t>(1 + rng() % max_piece, static_cast<std::size_t>(start + total - at));
    pieces.push_back({at, size});
    at += static_cast<std::int64_t>(size);
  }
  return pieces;
}

}  // namespace

TEST_CASE("parts in order come straight out", "[download]") {
  reorder_window w(100, 64);
  CHECK(w.front().empty());
  CHECK_FALSE(w.pop());
  REQUIRE(w.push(100, bytes_of(100, 10)) == push_result::accepted);
  CHECK(w.buffered_bytes() == 10);
  auto c = w.pop();
  REQUIRE(c);
  CHECK(c->offset == 100);
  CHECK(std::vector<std::uint8_t>(c->bytes().begin(), c->bytes().end()) == bytes_of(100, 10));
  CHECK(w.position() == 110);
  CHECK(w.buffered_bytes() == 0);
}

TEST_CASE("a part waits for the bytes before it", "[download]") {
  reorder_window w(0, 100);
  REQUIRE(w.push(10, bytes_of(10, 10)) == push_result::accepted);
  CHECK(w.front().empty());
  CHECK_FALSE(w.pop());
  REQUIRE(w.push(0, bytes_of(0, 10)) == push_result::accepted);
  CHECK(w.buffered_parts() == 2);
  CHECK(w.pop()->offset == 0);
  CHECK(w.pop()->offset == 10);
  CHECK_FALSE(w.pop());
  CHECK(w.position() == 20);
}

TEST_CASE("admits() is the window [position, position + capacity)", "[download]") {
  reorder_window w(1000, 100);
  CHECK(w.admits(1000, 100));
  CHECK(w.admits(1050, 50));
  CHECK_FALSE(w.admits(1050, 51));
  CHECK_FALSE(w.admits(999, 1));
  CHECK_FALSE(w.admits(1000, 101));
  CHECK_FALSE(w.admits(1000, -1));
  CHECK_FALSE(w.admits(INT64_MAX, 1));
  CHECK_FALSE(w.admits(INT64_MIN, 1));
  CHECK_FALSE(w.admits(1000, INT64_MAX));
  REQUIRE(w.push(1000, bytes_of(1000, 40)) == push_result::accepted);
  CHECK(w.admits(1050, 50));  // buffered parts do not shrink the window; only releasing moves it
  REQUIRE(w.consume(40));
  CHECK(w.admits(1090, 50));
}

TEST_CASE("refusals are named and leave the buffer with the caller", "[download]") {
  reorder_window w(0, 100);
  REQUIRE(w.push(20, bytes_of(20, 10)) == push_result::accepted);

  auto refused = [&](std::int64_t offset, std::size_t size) {
    auto v = bytes_of(offset, size);
    const auto r = w.push(offset, std::move(v));
    if (r != push_result::accepted) CHECK(v == bytes_of(offset, size));  // not moved from
    return r;
  };
  CHECK(refused(20, 10) == push_result::duplicate);
  CHECK(refused(20, 5) == push_result::overlaps);
  CHECK(refused(15, 6) == push_result::overlaps);   // reaches into the part's first byte
  CHECK(refused(29, 5) == push_result::overlaps);   // starts on the part's last byte
  CHECK(refused(10, 40) == push_result::overlaps);  // covers it
  CHECK(refused(22, 2) == push_result::overlaps);   // inside it
  CHECK(refused(95, 6) == push_result::beyond_window);
  CHECK(refused(0, 101) == push_result::beyond_window);
  CHECK(refused(INT64_MAX, 1) == push_result::beyond_window);
  CHECK(refused(-1, 1) == push_result::before_window);
  CHECK(refused(5, 0) == push_result::empty);
  CHECK(w.buffered_bytes() == 10);
  CHECK(w.buffered_parts() == 1);

  CHECK(refused(15, 5) == push_result::accepted);  // touching is not overlapping
  CHECK(refused(30, 5) == push_result::accepted);

  REQUIRE(w.push(0, bytes_of(0, 15)) == push_result::accepted);
  while (w.pop()) {
  }
  CHECK(w.position() == 35);
  CHECK(refused(20, 10) == push_result::before_window);  // a late duplicate of released bytes
  CHECK(refused(34, 2) == push_result::before_window);
}

TEST_CASE("a slice of an answer is buffered without copying", "[download]") {
  reorder_window w(5000, 4096);
  std::vector<std::uint8_t> answer = bytes_of(4096, 2048);  // an answer from offset 4096
  const std::uint8_t* data = answer.data();

  auto bad = answer;
  CHECK(w.push(5000, std::move(bad), 2049, 0) == push_result::bad_slice);
  CHECK(w.push(5000, std::move(bad), 1000, 1049) == push_result::bad_slice);
  CHECK(w.push(5000, std::move(bad), 1, SIZE_MAX) == push_result::bad_slice);
  CHECK(w.push(5000, std::move(bad), 1000, 0) == push_result::empty);

  REQUIRE(w.push(5000, std::move(answer), 5000 - 4096, 1000) == push_result::accepted);
  CHECK(w.buffered_bytes() == 1000);
  auto c = w.pop();
  REQUIRE(c);
  CHECK(c->storage.data() == data);
  CHECK(c->offset == 5000);
  CHECK(std::vector<std::uint8_t>(c->bytes().begin(), c->bytes().end()) == bytes_of(5000, 1000));
}

TEST_CASE("front() and consume() release part of a part", "[download]") {
  reorder_window w(0, 64);
  REQUIRE(w.push(0, bytes_of(0, 10)) == push_result::accepted);
  REQUIRE(w.push(10, bytes_of(10, 6)) == push_result::accepted);
  const std::uint8_t* first_byte = w.front().data();
  CHECK(w.front().size() == 10);  // one part at a time
  CHECK_FALSE(w.consume(11));
  CHECK(w.position() == 0);
  CHECK(w.consume(0));
  REQUIRE(w.consume(4));
  CHECK(w.position() == 4);
  CHECK(w.buffered_bytes() == 12);
  CHECK(w.front().data() == first_byte + 4);  // the same buffer, re-keyed
  CHECK(w.push(2, bytes_of(2, 4)) == push_result::before_window);
  CHECK(w.push(4, bytes_of(4, 6)) == push_result::duplicate);

  auto rest = w.pop();
  REQUIRE(rest);
  CHECK(rest->offset == 4);
  CHECK(rest->first == 4);
  CHECK(std::vector<std::uint8_t>(rest->bytes().begin(), rest->bytes().end()) == bytes_of(4, 6));
  REQUIRE(w.consume(6));
  CHECK(w.position() == 16);
  CHECK(w.buffered_bytes() == 0);
  CHECK(w.buffered_parts() == 0);
}

TEST_CASE("bad construction values are clamped, not trusted", "[download]") {
  reorder_window none(-5, -5);
  CHECK(none.position() == 0);
  CHECK(none.capacity() == 0);
  CHECK_FALSE(none.admits(0, 1));
  CHECK(none.push(0, bytes_of(0, 1)) == push_result::beyond_window);

  using mtproto::download::max_stream_offset;
  reorder_window far(INT64_MAX, INT64_MAX);
  CHECK(far.position() == max_stream_offset);
  CHECK(far.capacity() == max_stream_offset);
  CHECK_FALSE(far.admits(max_stream_offset, 1));  // nothing ends past max_stream_offset

  reorder_window edge(max_stream_offset - 10, 100);
  CHECK(edge.push(max_stream_offset - 10, bytes_of(0, 10)) == push_result::accepted);
  CHECK(edge.push(max_stream_offset, bytes_of(0, 1)) == push_result::beyond_window);
}

TEST_CASE("random arrival orders give the original bytes in order", "[download]") {
  std::mt19937_64 rng(31337);
  for (int round = 0; round < 2000; ++round) {
    const std::int64_t start = static_cast<std::int64_t>(rng() % 100000);
    const std::int64_t total = 1 + static_cast<std::int64_t>(rng() % 5000);
    const std::size_t max_piece = 1 + rng() % 300;
    const auto pieces = cut(rng, start, total, max_piece);
    // At least one piece must fit, or nothing could ever be admitted.
    const std::int64_t capacity = static_cast<std::int64_t>(max_piece + rng() % 1000);
    reorder_window w(start, capacity);

    std::vector<std::uint8_t> out;
    std::vector<piece> requested;  // in flight, arriving in random order
    std::size_t next_piece = 0;
    while (w.position() < start + total) {
      // The engine requests while the window admits: back-pressure, not growth.
      while (next_piece < pieces.size() && w.admits(pieces[next_piece].offset, static_cast<std::int64_t>(pieces[next_piece].size)))
        requested.push_back(pieces[next_piece++]);
      const auto action = rng() % 3;
      if (action == 0 && !requested.empty()) {
        const auto pick = rng() % requested.size();
        const piece p = requested[pick];
        requested.erase(requested.begin() + static_cast<std::ptrdiff_t>(pick));
        REQUIRE(w.push(p.offset, bytes_of(p.offset, p.size)) == push_result::accepted);
        if (rng() % 8 == 0) CHECK(w.push(p.offset, bytes_of(p.offset, p.size)) == push_result::duplicate);
      } else if (action == 1) {
        if (auto c = w.pop()) out.insert(out.end(), c->bytes().begin(), c->bytes().end());
      } else {
        const auto f = w.front();
        if (!f.empty()) {
          const std::size_t n = 1 + rng() % f.size();
          out.insert(out.end(), f.begin(), f.begin() + static_cast<std::ptrdiff_t>(n));
          REQUIRE(w.consume(n));
        }
      }
      REQUIRE(w.buffered_bytes() <= w.capacity());
      REQUIRE(w.buffered_bytes() >= 0);
    }
    CHECK(requested.empty());
    CHECK(w.buffered_bytes() == 0);
    const bool same = out == bytes_of(start, static_cast<std::size_t>(total));
    REQUIRE(same);
  }
}

TEST_CASE("any order of a stream that fits comes out whole", "[download]") {
  std::mt19937_64 rng(5);
  for (int round = 0; round < 500; ++round) {
    const std::int64_t total = 1 + static_cast<std::int64_t>(rng() % 3000);
    auto pieces = cut(rng, 0, total, 1 + rng() % 200);
    std::shuffle(pieces.begin(), pieces.end(), rng);
    reorder_window w(0, total);
    std::vector<std::uint8_t> out;
    for (const auto& p : pieces) {
      REQUIRE(w.push(p.offset, bytes_of(p.offset, p.size)) == push_result::accepted);
      while (auto c = w.pop()) out.insert(out.end(), c->bytes().begin(), c->bytes().end());
    }
    CHECK(w.push(2 * total, bytes_of(0, 1)) == push_result::beyond_window);
    const bool same = out == bytes_of(0, static_cast<std::size_t>(total));
    REQUIRE(same);
  }
}
