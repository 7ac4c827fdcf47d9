#include "mtproto/download/part_planner.h"

#include <algorithm>

#include "mtproto/download/error.h"

// Every value below is at most max_planned_file_size + max_part_size (validated on entry), so
// plain int64 arithmetic cannot overflow anywhere in this file.

namespace mtproto::download {
namespace {

constexpr std::int64_t round_down(std::int64_t value, std::int64_t step) noexcept { return value - value % step; }

constexpr std::int64_t round_up(std::int64_t value, std::int64_t step) noexcept {
  return round_down(value + step - 1, step);
}

std::error_code check_sizes(std::int64_t file_size, std::int64_t part_size) noexcept {
  if (!is_valid_part_size(part_size) || file_size < 0) return std::make_error_code(std::errc::invalid_argument);
  if (file_size > max_planned_file_size) return std::make_error_code(std::errc::file_too_large);
  return {};
}

}  // namespace

part_planner::part_planner(std::int64_t file_size, std::int64_t begin, std::int64_t end,
                           std::int64_t part_size) noexcept
    : file_size_(file_size), begin_(begin), end_(end), part_size_(part_size), first_cell_(begin / part_size) {
  part_count_ = end > begin ? (end - 1) / part_size - first_cell_ + 1 : 0;
}

std::error_code part_planner::for_file(std::int64_t file_size, std::int64_t part_size, part_planner& out) {
  if (auto ec = check_sizes(file_size, part_size)) return ec;
  out = part_planner(file_size, 0, file_size, part_size);
  return {};
}

std::error_code part_planner::for_range(std::int64_t file_size, std::int64_t first, std::int64_t last,
                                        std::int64_t part_size, part_planner& out, bool allow_precise) {
  if (auto ec = check_sizes(file_size, part_size)) return ec;
  if (first < 0 || last > file_size || first >= last) return download_errc::bad_range;
  out = part_planner(file_size, first, last, part_size);
  out.allow_precise_ = allow_precise;
  return {};
}

std::optional<planned_part> part_planner::part(std::int64_t index) const noexcept {
  if (index < 0 || index >= part_count_) return std::nullopt;
  const std::int64_t cell_begin = (first_cell_ + index) * part_size_;
  const std::int64_t cell_end = cell_begin + part_size_;
  const std::int64_t wanted_begin = std::max(begin_, cell_begin);
  const std::int64_t wanted_end = std::min(end_, cell_end);

  // The server answers up to the file's end, so that is what either request costs on the wire.
  const std::int64_t aligned_answer = std::min(cell_end, file_size_) - cell_begin;
  // cell_end is a multiple of 1 KiB, so rounding up stays inside the cell and hence inside its
  // 1 MiB window.
  const std::int64_t precise_begin = round_down(wanted_begin, get_file_precise_alignment);
  const std::int64_t precise_end = round_up(wanted_end, get_file_precise_alignment);
  const std::int64_t precise_answer = std::min(precise_end, file_size_) - precise_begin;

  planned_part p;
  p.index = index;
  // `precise` only relaxes the server's alignment checks; where it saves no bytes, keep to the
  // aligned request every client sends.
  if (allow_precise_ && precise_answer < aligned_answer) {
    p.offset = precise_begin;
    p.limit = static_cast<std::int32_t>(precise_end - precise_begin);
    p.precise = true;
    p.expected_size = static_cast<std::int32_t>(precise_answer);
  } else {
    p.offset = cell_begin;
    p.limit = static_cast<std::int32_t>(part_size_);
    p.expected_size = static_cast<std::int32_t>(aligned_answer);
  }
  p.skip = static_cast<std::int32_t>(wanted_begin - p.offset);
  p.count = static_cast<std::int32_t>(wanted_end - wanted_begin);
  p.file_offset = wanted_begin;
  return p;
}

std::optional<std::int64_t> part_planner::part_index_at(std::int64_t file_offset) const noexcept {
  if (file_offset < begin_ || file_offset >= end_) return std::nullopt;
  return file_offset / part_size_ - first_cell_;
}

}  // namespace mtproto::download
