#include "mtproto/download/resume.h"

#include <zlib.h>

#include <algorithm>
#include <bit>
#include <cstring>
#include <string_view>

#include "mtproto/crypto/sha.h"

namespace mtproto::download {
namespace {

constexpr std::string_view magic = "MTPDJRNL";
constexpr std::size_t header_size = 8 + 4 + 4;  // magic, version, body length
constexpr std::size_t checksum_size = 32;

// The largest body a valid journal has; every limit above is checked before allocation, and this
// shows they add up to less than max_journal_size (so a valid journal is never refused for size).
constexpr auto max_bitmask_size = static_cast<std::size_t>(max_journal_parts / 8);
constexpr std::size_t max_body_size = 4 + 1 + 8 + 8 + (4 + max_file_reference_size) + (4 + max_thumb_size_length) +
                                      8 + 4 + 4 + (4 + max_bitmask_size) +
                                      (4 + 4 * static_cast<std::size_t>(max_journal_parts)) +
                                      2 * (4 + max_journal_text);
static_assert(header_size + max_body_size + checksum_size <= max_journal_size);
static_assert(max_journal_parts <= 0xffffffff && max_journal_part_size <= 0xffffffff);  // u32 on the wire

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put_u64(std::vector<std::uint8_t>& out, std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void put_blob(std::vector<std::uint8_t>& out, std::span<const std::uint8_t> bytes) {
  put_u32(out, static_cast<std::uint32_t>(bytes.size()));
  out.insert(out.end(), bytes.begin(), bytes.end());
}
std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

// Bounds-checked reader: the first failure sticks, later reads return zeros, so the decoder checks
// `ok` once per field group instead of after every read.
class cursor {
 public:
  explicit cursor(std::span<const std::uint8_t> in) : in_(in) {}
  bool ok() const noexcept { return ok_; }
  bool at_end() const noexcept { return at_ == in_.size(); }

  std::uint64_t uint(std::size_t bytes) noexcept {
    const std::size_t from = at_;
    if (!take(bytes)) return 0;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < bytes; ++i) v |= std::uint64_t{in_[from + i]} << (8 * i);
    return v;
  }
  std::uint32_t u32() noexcept { return static_cast<std::uint32_t>(uint(4)); }
  // A u32 length then that many bytes; refused above `limit` before anything is copied.
  std::span<const std::uint8_t> blob(std::size_t limit) noexcept {
    const std::uint32_t n = u32();
    if (n > limit) ok_ = false;
    if (!ok_ || !take(n)) return {};
    return in_.subspan(at_ - n, n);
  }
  void fail() noexcept { ok_ = false; }

 private:
  bool take(std::size_t n) noexcept {
    if (!ok_ || in_.size() - at_ < n) return ok_ = false;
    at_ += n;
    return true;
  }
  std::span<const std::uint8_t> in_;
  std::size_t at_ = 0;
  bool ok_ = true;
};

std::uint64_t popcount(std::span<const std::uint8_t> bits) noexcept {
  std::uint64_t n = 0;
  for (std::uint8_t b : bits) n += static_cast<std::uint64_t>(std::popcount(b));
  return n;
}

// Position of part `index` (inside the bitmask) of its CRC in part_crc32: the done parts before it.
std::size_t crc_rank(const resume_journal& j, std::int64_t index) noexcept {
  const auto byte = static_cast<std::size_t>(index / 8);
  const auto below = static_cast<std::uint8_t>((1u << (index % 8)) - 1);
  return static_cast<std::size_t>(popcount(std::span(j.done).first(byte))) +
         static_cast<std::size_t>(std::popcount(static_cast<std::uint8_t>(j.done[byte] & below)));
}

// The common precondition of mark_done / mark_undone.
std::error_code check_index(const resume_journal& j, std::int64_t index) noexcept {
  if (index < 0 || index >= journal_part_count(j.total_size, j.part_size) ||
      static_cast<std::uint64_t>(index / 8) >= j.done.size())
    return download_errc::bad_range;
  if (popcount(j.done) != j.part_crc32.size()) return download_errc::journal_corrupt;
  return {};
}

}  // namespace

std::uint32_t part_crc32(std::span<const std::uint8_t> bytes) noexcept {
  // crc32_z takes a size_t length, so a part of any size is hashed in one call.
  return static_cast<std::uint32_t>(crc32_z(crc32_z(0, nullptr, 0), bytes.data(), bytes.size()));
}

std::error_code reset_progress(resume_journal& journal) {
  if (journal.total_size < 0 || journal.part_size <= 0 || journal.part_size > max_journal_part_size)
    return download_errc::journal_corrupt;
  const std::int64_t parts = journal_part_count(journal.total_size, journal.part_size);
  if (parts > max_journal_parts) return download_errc::journal_corrupt;
  journal.done.assign(static_cast<std::size_t>((parts + 7) / 8), 0);
  journal.part_crc32.clear();
  return {};
}

bool is_done(const resume_journal& journal, std::int64_t index) noexcept {
  if (index < 0 || static_cast<std::uint64_t>(index / 8) >= journal.done.size()) return false;
  return (journal.done[static_cast<std::size_t>(index / 8)] >> (index % 8)) & 1u;
}

std::optional<std::uint32_t> done_part_crc(const resume_journal& journal, std::int64_t index) noexcept {
  if (!is_done(journal, index)) return std::nullopt;
  const std::size_t rank = crc_rank(journal, index);
  if (rank >= journal.part_crc32.size()) return std::nullopt;
  return journal.part_crc32[rank];
}

std::error_code mark_done(resume_journal& journal, std::int64_t index, std::uint32_t crc) {
  if (auto ec = check_index(journal, index)) return ec;
  const std::size_t rank = crc_rank(journal, index);
  if (is_done(journal, index)) {
    journal.part_crc32[rank] = crc;
    return {};
  }
  journal.part_crc32.insert(journal.part_crc32.begin() + static_cast<std::ptrdiff_t>(rank), crc);
  journal.done[static_cast<std::size_t>(index / 8)] |= static_cast<std::uint8_t>(1u << (index % 8));
  return {};
}

std::error_code mark_undone(resume_journal& journal, std::int64_t index) {
  if (auto ec = check_index(journal, index)) return ec;
  if (!is_done(journal, index)) return {};
  journal.part_crc32.erase(journal.part_crc32.begin() + static_cast<std::ptrdiff_t>(crc_rank(journal, index)));
  journal.done[static_cast<std::size_t>(index / 8)] &= static_cast<std::uint8_t>(~(1u << (index % 8)));
  return {};
}

std::error_code validate(const resume_journal& j) noexcept {
  const download_errc bad = download_errc::journal_corrupt;
  if (j.file.kind != location_kind::document && j.file.kind != location_kind::photo) return bad;
  if (j.file.file_reference.size() > max_file_reference_size || j.file.thumb_size.size() > max_thumb_size_length)
    return bad;
  if (j.source_link.size() > max_journal_text || j.final_name.size() > max_journal_text) return bad;
  if (j.total_size < 0 || j.part_size <= 0 || j.part_size > max_journal_part_size) return bad;
  const std::int64_t parts = journal_part_count(j.total_size, j.part_size);
  if (parts > max_journal_parts) return bad;
  if (j.done.size() != static_cast<std::uint64_t>(parts + 7) / 8) return bad;
  // Bits past the last part would make two encodings of one journal, and a resume would trust
  // parts that do not exist.
  if (parts % 8 != 0 && (j.done.back() >> (parts % 8)) != 0) return bad;
  if (popcount(j.done) != j.part_crc32.size()) return bad;
  return {};
}

std::vector<std::uint8_t> encode_journal(const resume_journal& j) {
  // Checked first also because the casts below would wrap an out-of-range size into a valid one.
  if (validate(j)) return {};
  std::vector<std::uint8_t> out(magic.begin(), magic.end());
  put_u32(out, journal_format_version);
  put_u32(out, 0);  // body length, patched below
  put_u32(out, static_cast<std::uint32_t>(j.file.dc_id));
  out.push_back(static_cast<std::uint8_t>(j.file.kind));
  put_u64(out, static_cast<std::uint64_t>(j.file.id));
  put_u64(out, static_cast<std::uint64_t>(j.file.access_hash));
  put_blob(out, j.file.file_reference);
  put_blob(out, as_bytes(j.file.thumb_size));
  put_u64(out, static_cast<std::uint64_t>(j.total_size));
  put_u32(out, static_cast<std::uint32_t>(j.part_size));
  put_u32(out, static_cast<std::uint32_t>(journal_part_count(j.total_size, j.part_size)));
  put_blob(out, j.done);
  put_u32(out, static_cast<std::uint32_t>(j.part_crc32.size()));
  for (std::uint32_t crc : j.part_crc32) put_u32(out, crc);
  put_blob(out, as_bytes(j.source_link));
  put_blob(out, as_bytes(j.final_name));
  const auto body = static_cast<std::uint32_t>(out.size() - header_size);
  for (int i = 0; i < 4; ++i) out[12 + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(body >> (8 * i));
  const auto digest = crypto::sha256(out);
  out.insert(out.end(), digest.begin(), digest.end());
  return out;
}

journal_decode_result decode_journal(std::span<const std::uint8_t> bytes) {
  journal_decode_result result;
  result.error = download_errc::journal_corrupt;
  if (bytes.size() > max_journal_size || bytes.size() < header_size + checksum_size) return result;
  if (std::memcmp(bytes.data(), magic.data(), magic.size()) != 0) return result;
  cursor head(bytes.subspan(magic.size(), 8));
  if (head.u32() != journal_format_version) return result;
  if (head.u32() != bytes.size() - header_size - checksum_size) return result;
  // The checksum guards against torn or edited journals; the caps below guard the decoder itself,
  // so they are checked even when the checksum is right.
  const auto covered = bytes.first(bytes.size() - checksum_size);
  const auto digest = crypto::sha256(covered);
  if (!std::equal(digest.begin(), digest.end(), bytes.end() - checksum_size)) return result;

  cursor in(covered.subspan(header_size));
  resume_journal j;
  j.file.dc_id = static_cast<std::int32_t>(in.u32());
  j.file.kind = static_cast<location_kind>(in.uint(1));
  if (j.file.kind != location_kind::document && j.file.kind != location_kind::photo) in.fail();
  j.file.id = static_cast<std::int64_t>(in.uint(8));
  j.file.access_hash = static_cast<std::int64_t>(in.uint(8));
  const auto reference = in.blob(max_file_reference_size);
  j.file.file_reference.assign(reference.begin(), reference.end());
  const auto thumb = in.blob(max_thumb_size_length);
  j.file.thumb_size.assign(thumb.begin(), thumb.end());
  // Read as unsigned; a total above INT64_MAX becomes negative and is refused here.
  j.total_size = static_cast<std::int64_t>(in.uint(8));
  j.part_size = in.u32();
  const std::int64_t part_count = in.u32();
  if (!in.ok() || j.total_size < 0 || j.part_size <= 0 || j.part_size > max_journal_part_size ||
      journal_part_count(j.total_size, j.part_size) != part_count || part_count > max_journal_parts)
    return result;
  const auto done = in.blob(max_bitmask_size);
  if (done.size() != static_cast<std::size_t>(part_count + 7) / 8) return result;
  j.done.assign(done.begin(), done.end());
  const std::uint32_t crcs = in.u32();
  // Compared with the bitmask before reserving, so the count alone cannot make us allocate.
  if (!in.ok() || crcs != popcount(j.done)) return result;
  j.part_crc32.reserve(crcs);
  for (std::uint32_t i = 0; i < crcs && in.ok(); ++i) j.part_crc32.push_back(in.u32());
  const auto link = in.blob(max_journal_text);
  j.source_link.assign(link.begin(), link.end());
  const auto name = in.blob(max_journal_text);
  j.final_name.assign(name.begin(), name.end());
  if (!in.ok() || !in.at_end() || validate(j)) return result;
  result.error.clear();
  result.journal = std::move(j);
  return result;
}

std::error_code check_matches(const resume_journal& journal, const file_identity& expected, std::int64_t total_size,
                              std::int64_t part_size) noexcept {
  const file_identity& f = journal.file;
  if (f.dc_id != expected.dc_id || f.kind != expected.kind || f.id != expected.id ||
      f.thumb_size != expected.thumb_size || journal.total_size != total_size || journal.part_size != part_size)
    return download_errc::journal_mismatch;
  return {};
}

}  // namespace mtproto::download
