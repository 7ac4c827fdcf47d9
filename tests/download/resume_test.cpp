#include "mtproto/download/resume.h"

#include <catch2/catch.hpp>

#include <cstdint>
#include <cstring>
#include <string_view>

#include "mtproto/crypto/sha.h"

using namespace mtproto::download;

namespace {

constexpr std::uint32_t kib = 1024;

resume_journal sample_journal() {
  resume_journal j;
  j.file.dc_id = 4;
  j.file.kind = location_kind::document;
  j.file.id = 5'871'234'567'890'123'456;
  j.file.access_hash = -7'123'456'789'012'345'678;
  j.file.file_reference = {0x02, 0x4c, 0x9a, 0x00, 0xff, 0x13};
  j.total_size = 10 * 512 * kib + 1000;  // 11 parts, the last one short
  j.part_size = 512 * kib;
  REQUIRE(!reset_progress(j));
  REQUIRE(!mark_done(j, 0, 0x11111111));
  REQUIRE(!mark_done(j, 9, 0x99999999));
  REQUIRE(!mark_done(j, 3, 0x33333333));
  REQUIRE(!mark_done(j, 10, 0xaaaaaaaa));
  j.source_link = "https://t.me/c/1234567890/42";
  j.final_name = "video.mp4";
  return j;
}

// Re-frames `body` as a journal with a right header and checksum, so that a test reaches the field
// checks behind them.
std::vector<std::uint8_t> seal(std::vector<std::uint8_t> body, std::uint32_t version = journal_format_version,
                               std::string_view magic = "MTPDJRNL") {
  std::vector<std::uint8_t> out(magic.begin(), magic.end());
  for (std::uint32_t v : {version, static_cast<std::uint32_t>(body.size())})
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  out.insert(out.end(), body.begin(), body.end());
  const auto digest = mtproto::crypto::sha256(out);
  out.insert(out.end(), digest.begin(), digest.end());
  return out;
}

std::vector<std::uint8_t> body_of(const std::vector<std::uint8_t>& encoded) {
  return {encoded.begin() + 16, encoded.end() - 32};
}

// Body offsets of the fixed fields, for a journal whose file reference is `ref` bytes and whose
// thumb_size is empty.
constexpr std::size_t kind_at = 4;
constexpr std::size_t reference_length_at = 21;
std::size_t part_size_at(std::size_t ref) { return 25 + ref + 4 + 8; }

void put32(std::vector<std::uint8_t>& b, std::size_t at, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
}

bool corrupt(const std::vector<std::uint8_t>& bytes) {
  const auto r = decode_journal(bytes);
  return !r && r.error == download_errc::journal_corrupt && r.journal == resume_journal{};
}

}  // namespace

TEST_CASE("a journal survives encode and decode, byte for byte", "[download][resume]") {
  const resume_journal j = sample_journal();
  const auto bytes = encode_journal(j);
  CHECK(std::memcmp(bytes.data(), "MTPDJRNL", 8) == 0);
  const auto decoded = decode_journal(bytes);
  REQUIRE(decoded);
  CHECK(decoded.journal == j);
  CHECK(encode_journal(decoded.journal) == bytes);

  resume_journal photo = j;
  photo.file.kind = location_kind::photo;
  photo.file.thumb_size = "y";
  photo.source_link.clear();
  photo.final_name.clear();
  const auto p = decode_journal(encode_journal(photo));
  REQUIRE(p);
  CHECK(p.journal == photo);
}

TEST_CASE("the done bitmask and its CRCs stay in step", "[download][resume]") {
  resume_journal j = sample_journal();
  CHECK(j.done.size() == 2);  // 11 parts
  CHECK(j.done[0] == 0b0000'1001);
  CHECK(j.done[1] == 0b0000'0110);
  CHECK(j.part_crc32 == std::vector<std::uint32_t>{0x11111111, 0x33333333, 0x99999999, 0xaaaaaaaa});
  CHECK(is_done(j, 3));
  CHECK_FALSE(is_done(j, 4));
  CHECK_FALSE(is_done(j, 1000));
  CHECK(done_part_crc(j, 9) == 0x99999999u);
  CHECK_FALSE(done_part_crc(j, 4));

  CHECK(!mark_done(j, 3, 0x3333aaaa));  // a part rewritten keeps one CRC
  CHECK(done_part_crc(j, 3) == 0x3333aaaau);
  CHECK(!mark_undone(j, 9));
  CHECK(!mark_undone(j, 9));
  CHECK(j.part_crc32 == std::vector<std::uint32_t>{0x11111111, 0x3333aaaa, 0xaaaaaaaa});
  CHECK(!validate(j));

  CHECK(mark_done(j, 11, 0) == download_errc::bad_range);
  CHECK(mark_done(j, -1, 0) == download_errc::bad_range);
  CHECK(mark_undone(j, 11) == download_errc::bad_range);
  CHECK_FALSE(is_done(j, -1));
  j.part_crc32.pop_back();
  CHECK(mark_done(j, 5, 0) == download_errc::journal_corrupt);
}

TEST_CASE("a journal that would not decode is not encoded", "[download][resume]") {
  CHECK(encode_journal(resume_journal{}).empty());  // part_size 0
  resume_journal j = sample_journal();
  j.part_size += std::int64_t{1} << 32;  // would wrap to a valid u32 on the wire
  CHECK(validate(j) == download_errc::journal_corrupt);
  CHECK(encode_journal(j).empty());
  j = sample_journal();
  j.part_crc32.pop_back();
  CHECK(encode_journal(j).empty());
  j = sample_journal();
  j.file.kind = static_cast<location_kind>(7);
  CHECK(encode_journal(j).empty());
  j = sample_journal();
  j.final_name.assign(max_journal_text + 1, 'x');
  CHECK(encode_journal(j).empty());
}

TEST_CASE("part CRCs are zlib's CRC-32", "[download][resume]") {
  const std::string_view check = "123456789";
  CHECK(part_crc32({reinterpret_cast<const std::uint8_t*>(check.data()), check.size()}) == 0xcbf43926u);
  CHECK(part_crc32({}) == 0u);
}

TEST_CASE("reset_progress sizes the bitmask or refuses sizes no journal holds", "[download][resume]") {
  resume_journal j;
  j.total_size = 4000ull << 20;
  j.part_size = 8 * kib;
  CHECK(!reset_progress(j));
  CHECK(j.done.size() == 512000 / 8);
  CHECK(!validate(j));
  CHECK(decode_journal(encode_journal(j)));
  j.part_size = 4 * kib;  // 2^20 parts
  CHECK(reset_progress(j) == download_errc::journal_corrupt);
  j.part_size = 0;
  CHECK(reset_progress(j) == download_errc::journal_corrupt);
  j.part_size = max_journal_part_size + 1;
  CHECK(reset_progress(j) == download_errc::journal_corrupt);
  CHECK(journal_part_count(0, 512) == 0);
  CHECK(journal_part_count(512, 512) == 1);
  CHECK(journal_part_count(513, 512) == 2);
  CHECK(journal_part_count(INT64_MAX, 1) == INT64_MAX);
  CHECK(journal_part_count(INT64_MAX, max_journal_part_size) == (INT64_MAX >> 20) + 1);
  CHECK(journal_part_count(-1, 512) == 0);
  CHECK(journal_part_count(512, -512) == 0);
  j.part_size = 512;
  j.total_size = -1;
  CHECK(reset_progress(j) == download_errc::journal_corrupt);
}

TEST_CASE("every truncation and every flipped byte is refused", "[download][resume]") {
  const auto bytes = encode_journal(sample_journal());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    INFO("length " << n);
    CHECK(corrupt({bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n)}));
  }
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    INFO("byte " << i);
    auto flipped = bytes;
    flipped[i] ^= 0x20;
    CHECK(corrupt(flipped));
  }
  auto longer = bytes;
  longer.push_back(0);
  CHECK(corrupt(longer));
  CHECK(corrupt(std::vector<std::uint8_t>(max_journal_size + 1, 0)));
}

TEST_CASE("a right checksum does not let malformed fields through", "[download][resume]") {
  const resume_journal j = sample_journal();
  const auto body = body_of(encode_journal(j));
  REQUIRE(decode_journal(seal(body)));
  const std::size_t ref = j.file.file_reference.size();

  CHECK(corrupt(seal(body, journal_format_version + 1)));
  CHECK(corrupt(seal(body, 0)));
  CHECK(corrupt(seal(body, journal_format_version, "MTPCSESS")));

  SECTION("unknown location kind") {
    for (std::uint8_t k : {0, 3, 255}) {
      auto b = body;
      b[kind_at] = k;
      CHECK(corrupt(seal(b)));
    }
  }
  SECTION("lengths past the end or past their limit") {
    for (std::uint32_t n : {std::uint32_t(body.size()), std::uint32_t(max_file_reference_size + 1), 0xffffffffu}) {
      auto b = body;
      put32(b, reference_length_at, n);
      CHECK(corrupt(seal(b)));
    }
    auto b = body;
    b.resize(b.size() - 1);  // final_name one byte short
    CHECK(corrupt(seal(b)));
    b = body;
    b.push_back(0);  // trailing byte
    CHECK(corrupt(seal(b)));
  }
  SECTION("part size and part count must agree with the size") {
    const std::size_t at = part_size_at(ref);
    auto negative = body;
    negative[at - 1] = 0x80;  // total_size's top byte: above INT64_MAX
    CHECK(corrupt(seal(negative)));
    for (std::uint32_t part : {0u, std::uint32_t{max_journal_part_size} + 1, 256 * kib}) {
      auto b = body;
      put32(b, at, part);
      CHECK(corrupt(seal(b)));
    }
    for (std::uint32_t count : {0u, 10u, 12u, 0xffffffffu}) {
      auto b = body;
      put32(b, at + 4, count);
      CHECK(corrupt(seal(b)));
    }
  }
  SECTION("the bitmask is ceil(parts / 8) bytes with no bit past the last part") {
    const std::size_t done_at = part_size_at(ref) + 8;
    auto b = body;
    b[done_at + 4 + 1] |= 0x08;  // part 11 of 11 (0-based): does not exist
    CHECK(corrupt(seal(b)));
    b = body;
    put32(b, done_at, 3);
    CHECK(corrupt(seal(b)));
  }
  SECTION("one CRC per done part") {
    const std::size_t crc_count_at = part_size_at(ref) + 8 + 4 + 2;
    for (std::uint32_t count : {0u, 3u, 5u, std::uint32_t{max_journal_parts}, 0xffffffffu}) {
      auto b = body;
      put32(b, crc_count_at, count);
      CHECK(corrupt(seal(b)));
    }
  }
}

TEST_CASE("a journal of the same file matches even with fresh credentials", "[download][resume]") {
  const resume_journal j = sample_journal();
  file_identity same = j.file;
  CHECK(!check_matches(j, same, j.total_size, j.part_size));
  same.file_reference = {0x03, 0x01};
  same.access_hash = 42;
  CHECK(!check_matches(j, same, j.total_size, j.part_size));

  const auto mismatch = [&](file_identity other, std::uint64_t size, std::uint32_t part) {
    return check_matches(j, other, size, part) == download_errc::journal_mismatch;
  };
  file_identity other = j.file;
  other.id += 1;
  CHECK(mismatch(other, j.total_size, j.part_size));
  other = j.file;
  other.dc_id = 2;
  CHECK(mismatch(other, j.total_size, j.part_size));
  other = j.file;
  other.kind = location_kind::photo;
  CHECK(mismatch(other, j.total_size, j.part_size));
  other = j.file;
  other.thumb_size = "m";
  CHECK(mismatch(other, j.total_size, j.part_size));
  CHECK(mismatch(j.file, j.total_size + 1, j.part_size));
  CHECK(mismatch(j.file, j.total_size, j.part_size / 2));
}
