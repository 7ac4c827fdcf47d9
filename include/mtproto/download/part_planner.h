/// \file
/// Which upload.getFile requests fetch a file, or a byte range of it, and which bytes of each
/// answer belong to the result. Pure: no I/O, no clocks. A part is computed from its index, so a
/// plan of a 4 GiB file costs a few integers, not a list.
///
/// The server's rules for a request (core.telegram.org/api/files):
///   - without `precise`: offset and limit are multiples of 4 KiB and the limit divides 1 MiB;
///   - with `precise`: offset and limit are multiples of 1 KiB and the limit is at most 1 MiB;
///   - either way the requested bytes stay inside one 1 MiB-aligned window.
#pragma once

#include <cstdint>
#include <optional>
#include <system_error>

#include "mtproto/download/export.h"

namespace mtproto::download {

/// One kibibyte, in bytes.
inline constexpr std::int64_t kibibyte = 1024;
/// One mebibyte, in bytes.
inline constexpr std::int64_t mebibyte = 1024 * kibibyte;

/// Offset and limit of a request without `precise` are multiples of this many bytes.
inline constexpr std::int64_t get_file_alignment = 4 * kibibyte;
/// Offset and limit of a `precise` request are multiples of this many bytes.
inline constexpr std::int64_t get_file_precise_alignment = kibibyte;
/// The largest limit, in bytes, and the size of the aligned window a request must not cross.
inline constexpr std::int64_t get_file_max_limit = mebibyte;

/// The smallest part size the planner accepts, in bytes.
inline constexpr std::int64_t min_part_size = get_file_alignment;
/// The largest part size the planner accepts, in bytes.
inline constexpr std::int64_t max_part_size = get_file_max_limit;
/// The largest file the planner accepts, in bytes (2^53). Far above Telegram's 4 GiB, and low
/// enough that no sum of an offset and a part size can overflow std::int64_t.
inline constexpr std::int64_t max_planned_file_size = std::int64_t{1} << 53;

/// Whether `part_size` (bytes) is a legal request size without `precise`: a multiple of 4 KiB
/// that divides 1 MiB, which means a power of two from 4 KiB to 1 MiB.
constexpr bool is_valid_part_size(std::int64_t part_size) noexcept {
  return part_size >= min_part_size && part_size <= max_part_size && max_part_size % part_size == 0;
}

/// One upload.getFile request of a plan and what to do with its answer.
///
/// The answer holds `expected_size` bytes starting at file offset `offset`; the result wants the
/// `count` bytes after the first `skip` of them, which belong at file offset `file_offset`.
struct planned_part {
  std::int64_t index = 0;          ///< Position in the plan, 0 for the first part.
  std::int64_t offset = 0;         ///< The request's `offset`: file offset of the answer's first byte.
  std::int32_t limit = 0;          ///< The request's `limit`, in bytes.
  bool precise = false;            ///< The request's `precise` flag.
  std::int32_t expected_size = 0;  ///< Bytes a correct answer holds; fewer means the file ended early.
  std::int32_t skip = 0;           ///< Answer bytes before the wanted ones, dropped.
  std::int32_t count = 0;          ///< Answer bytes wanted, after `skip`; never 0.
  std::int64_t file_offset = 0;    ///< Where the wanted bytes belong: `offset + skip`.
};

/// The requests for a whole file or for the byte range [range_begin(), range_end()) of it.
///
/// Parts lie on a grid of part_size() bytes from the start of the file: part `i` of the plan is
/// the grid cell that holds its bytes, so a range starting mid-file costs at most one part before
/// its first byte, not the file's prefix. A cell only partly wanted (the first or last of a range)
/// is fetched with `precise`, trimmed to the 1 KiB blocks that hold wanted bytes, but only when
/// that makes the answer smaller: at the file's end the server stops anyway, so a tail cell wanted
/// to the end keeps the aligned request. Requests never leave their cell, and a cell never crosses
/// a 1 MiB boundary, so every request obeys the server's rules.
///
/// A default-constructed planner is the empty plan of an empty file.
class MTPROTO_DOWNLOAD_EXPORT part_planner {
 public:
  /// The plan of an empty file: no parts.
  part_planner() = default;

  /// Plans all of a `file_size`-byte file (0 allowed: no parts) in parts of `part_size` bytes.
  /// Errors, leaving `out` unchanged: std::errc::invalid_argument for a part size that
  /// is_valid_part_size() refuses or a negative file size; std::errc::file_too_large above
  /// max_planned_file_size.
  static std::error_code for_file(std::int64_t file_size, std::int64_t part_size, part_planner& out);

  /// Plans bytes [first, last) of a `file_size`-byte file in parts of `part_size` bytes.
  /// Errors as for_file(), and download_errc::bad_range when the range is empty, reversed or not
  /// inside the file (first < 0, last > file_size, first >= last); `out` is unchanged then.
  /// Without `allow_precise` the range's end cells are fetched whole too (aligned requests), so
  /// every answer covers whole cells: what checking answers against per-block hashes needs.
  static std::error_code for_range(std::int64_t file_size, std::int64_t first, std::int64_t last,
                                   std::int64_t part_size, part_planner& out, bool allow_precise = true);

  /// The file's size in bytes.
  std::int64_t file_size() const noexcept { return file_size_; }
  /// The grid step and the limit of every request without `precise`, in bytes.
  std::int64_t part_size() const noexcept { return part_size_; }
  /// File offset of the first wanted byte.
  std::int64_t range_begin() const noexcept { return begin_; }
  /// File offset just past the last wanted byte.
  std::int64_t range_end() const noexcept { return end_; }
  /// Wanted bytes: range_end() - range_begin(), the sum of every part's `count`.
  std::int64_t range_size() const noexcept { return end_ - begin_; }
  /// Number of parts; 0 only for an empty file.
  std::int64_t part_count() const noexcept { return part_count_; }

  /// Part `index` of the plan, computed in O(1); std::nullopt unless 0 <= index < part_count().
  std::optional<planned_part> part(std::int64_t index) const noexcept;

  /// The plan's part holding the byte at file offset `file_offset`; std::nullopt when that byte
  /// is not wanted (outside [range_begin(), range_end())).
  std::optional<std::int64_t> part_index_at(std::int64_t file_offset) const noexcept;

 private:
  part_planner(std::int64_t file_size, std::int64_t begin, std::int64_t end, std::int64_t part_size) noexcept;

  std::int64_t file_size_ = 0;
  std::int64_t begin_ = 0;
  std::int64_t end_ = 0;
  std::int64_t part_size_ = max_part_size;
  std::int64_t first_cell_ = 0;  // grid cell of part 0
  std::int64_t part_count_ = 0;
  bool allow_precise_ = true;
};

}  // namespace mtproto::download
