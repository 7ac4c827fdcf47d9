/// \file
/// The resume journal kept beside NAME.part: which file the partial file belongs to, how it is cut
/// into parts, which parts are done and a CRC-32 of each done part, so that a download killed
/// mid-write (SIGKILL, power loss) resumes without trusting a part whose bytes never reached the
/// disk. Pure: encoding and decoding only; the engine reads and writes the journal (atomically).
///
/// Encoded form, all integers little-endian:
///
///     magic "MTPDJRNL" (8) | version u32 | body length u32 | body | SHA-256 of everything before (32)
///     body: dc_id i32 | kind u8 | id i64 | access_hash i64 | file_reference (u32 n, n bytes)
///           | thumb_size (u32 n, n bytes) | total_size u64 | part_size u32 | part_count u32
///           | done bitmask (u32 n, n bytes) | crc count u32 | crc u32 × count
///           | source_link (u32 n, n bytes) | final_name (u32 n, n bytes)
///
/// The encoding is canonical: a journal has exactly one encoding, and decode_journal accepts only
/// that one (unused bitmask bits must be zero), so encode_journal(decode_journal(b)) == b.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

#include "mtproto/download/error.h"
#include "mtproto/download/export.h"
#include "mtproto/download/location.h"

namespace mtproto::download {

/// What the engine keeps beside NAME.part to resume it.
struct resume_journal {
  file_identity file;           ///< Which file the partial file holds.
  std::int64_t total_size = 0;  ///< The file's size in bytes (the TL `size`).
  std::int64_t part_size = 0;   ///< Bytes per part (the last part may be shorter).
  /// Part i is done when bit (i % 8) of done[i / 8] is set (LSB first); ceil(parts / 8) bytes.
  std::vector<std::uint8_t> done;
  /// part_crc32(bytes of the part) for each done part, in ascending part order: the k-th entry
  /// belongs to the k-th set bit of `done`.
  std::vector<std::uint32_t> part_crc32;
  std::string source_link;  ///< The link the download started from; empty if not recorded.
  std::string final_name;   ///< The name NAME.part is renamed to when complete; empty if not recorded.

  /// Field-wise equality.
  friend bool operator==(const resume_journal&, const resume_journal&) = default;
};

/// Version written by encode_journal; decode_journal refuses any other.
inline constexpr std::uint32_t journal_format_version = 1;
/// Largest encoded journal decode_journal looks at, in bytes (4 MiB), so the engine can refuse a
/// bigger file before reading it; every valid journal fits well within it.
inline constexpr std::size_t max_journal_size = std::size_t{4} << 20;
/// Most parts a journal describes: 2^19, which covers a 4000 MiB file in parts of 8 KiB (the
/// engine's resumable downloads use parts of 128 KiB to 1 MiB).
inline constexpr std::int64_t max_journal_parts = std::int64_t{1} << 19;
/// Largest part size in bytes (1 MiB, upload.getFile's largest limit).
inline constexpr std::int64_t max_journal_part_size = std::int64_t{1} << 20;
/// Longest file reference in bytes (the server's are a few dozen).
inline constexpr std::size_t max_file_reference_size = 1024;
/// Longest thumb_size string in bytes.
inline constexpr std::size_t max_thumb_size_length = 64;
/// Longest source_link and final_name each, in bytes.
inline constexpr std::size_t max_journal_text = 4096;

/// Parts of `part_size` bytes a file of `total_size` bytes has: ceil(total_size / part_size);
/// 0 when part_size is not positive or total_size is negative.
constexpr std::int64_t journal_part_count(std::int64_t total_size, std::int64_t part_size) noexcept {
  return part_size <= 0 || total_size < 0 ? 0 : total_size / part_size + (total_size % part_size != 0 ? 1 : 0);
}

/// The CRC-32 (zlib's, the polynomial of gzip and PNG) of one part's bytes, as the journal records
/// it. A resume recomputes it over the part as read back from NAME.part. A CRC rather than a
/// cryptographic hash: what it must catch is a torn write (zeros, stale or half-written bytes),
/// which CRC-32 misses with odds of 2^-32 at 4 bytes a part and several GB/s; whoever can forge a
/// part can rewrite the journal beside it too, so a SHA-256 per part would buy nothing here.
MTPROTO_DOWNLOAD_EXPORT std::uint32_t part_crc32(std::span<const std::uint8_t> bytes) noexcept;

/// Sizes `journal.done` for its total_size and part_size with no part done, and clears part_crc32.
/// journal_corrupt, leaving the journal unchanged, when those sizes are outside what a journal
/// holds (a negative size, part_size not in [1, max_journal_part_size], more than
/// max_journal_parts parts).
MTPROTO_DOWNLOAD_EXPORT std::error_code reset_progress(resume_journal& journal);

/// Whether part `index` is marked done (false outside the bitmask).
MTPROTO_DOWNLOAD_EXPORT bool is_done(const resume_journal& journal, std::int64_t index) noexcept;

/// The CRC-32 recorded for part `index`; nullopt when it is not done or the journal has fewer CRCs
/// than done parts.
MTPROTO_DOWNLOAD_EXPORT std::optional<std::uint32_t> done_part_crc(const resume_journal& journal,
                                                                   std::int64_t index) noexcept;

/// Marks part `index` done with the CRC-32 of its bytes (replacing the CRC if it was done).
/// bad_range outside the parts; journal_corrupt if the CRC list does not match the bitmask.
MTPROTO_DOWNLOAD_EXPORT std::error_code mark_done(resume_journal& journal, std::int64_t index, std::uint32_t crc);

/// Marks part `index` not done, dropping its CRC (a part whose bytes failed verification).
/// bad_range outside the parts; journal_corrupt if the CRC list does not match the bitmask.
MTPROTO_DOWNLOAD_EXPORT std::error_code mark_undone(resume_journal& journal, std::int64_t index);

/// Whether the journal is one decode_journal would accept: journal_corrupt when a size or count is
/// negative or outside the limits above, the kind is unknown, the bitmask is not ceil(parts / 8) bytes or has
/// bits set past the last part, or the CRC count differs from the number of done parts.
MTPROTO_DOWNLOAD_EXPORT std::error_code validate(const resume_journal& journal) noexcept;

/// The journal's encoded form (see the file comment); empty when the journal does not pass
/// validate(), so that nothing decode_journal would refuse is ever written.
MTPROTO_DOWNLOAD_EXPORT std::vector<std::uint8_t> encode_journal(const resume_journal& journal);

/// Outcome of decode_journal.
struct journal_decode_result {
  std::error_code error;   ///< Empty on success; download_errc::journal_corrupt otherwise.
  resume_journal journal;  ///< The decoded journal; default-constructed when `error` is set.

  /// True on success.
  explicit operator bool() const noexcept { return !error; }
};

/// Decodes an encoded journal. Refuses, with journal_corrupt, anything above max_journal_size, a
/// wrong magic, version, length or checksum, a field running past its end or past its limit,
/// trailing bytes, and a journal that fails validate() (e.g. part_count != ceil(size / part size)).
MTPROTO_DOWNLOAD_EXPORT journal_decode_result decode_journal(std::span<const std::uint8_t> bytes);

/// Whether `journal` describes the file the engine is about to download: journal_mismatch when
/// dc_id, kind, id, thumb_size, total_size or part_size differ, so the partial file must be
/// discarded. access_hash and file_reference may differ: they are credentials that expire and are
/// refreshed (or come from another account), not the file's identity, and the engine stores the
/// fresh ones.
MTPROTO_DOWNLOAD_EXPORT std::error_code check_matches(const resume_journal& journal, const file_identity& expected,
                                                      std::int64_t total_size, std::int64_t part_size) noexcept;

}  // namespace mtproto::download
