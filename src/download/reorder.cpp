#include "mtproto/download/reorder.h"

#include <algorithm>
#include <iterator>

namespace mtproto::download {
namespace {

constexpr std::int64_t clamp_to_stream(std::int64_t value) noexcept {
  return std::clamp<std::int64_t>(value, 0, max_stream_offset);
}

}  // namespace

reorder_window::reorder_window(std::int64_t start_offset, std::int64_t capacity_bytes) noexcept
    : position_(clamp_to_stream(start_offset)), capacity_(clamp_to_stream(capacity_bytes)) {}

bool reorder_window::admits(std::int64_t offset, std::int64_t size) const noexcept {
  // Differences of non-negative values only: offset + size could overflow for a hostile offset.
  return size >= 0 && offset >= position_ && size <= capacity_ && offset - position_ <= capacity_ - size &&
         offset <= max_stream_offset - size;
}

push_result reorder_window::push(std::int64_t offset, std::vector<std::uint8_t>&& storage) {
  const std::size_t size = storage.size();
  return push(offset, std::move(storage), 0, size);
}

push_result reorder_window::push(std::int64_t offset, std::vector<std::uint8_t>&& storage, std::size_t first,
                                 std::size_t size) {
  if (first > storage.size() || size > storage.size() - first) return push_result::bad_slice;
  if (size == 0) return push_result::empty;
  if (offset < position_) return push_result::before_window;
  // A size above the capacity can never be admitted; checking it first keeps the cast exact.
  if (size > static_cast<std::uint64_t>(capacity_)) return push_result::beyond_window;
  const auto length = static_cast<std::int64_t>(size);
  if (!admits(offset, length)) return push_result::beyond_window;

  // Only the neighbours can overlap: buffered parts are disjoint and sorted by offset.
  const auto after = parts_.lower_bound(offset);
  if (after != parts_.end()) {
    if (after->first == offset && after->second.size == size) return push_result::duplicate;
    if (after->first - offset < length) return push_result::overlaps;
  }
  if (after != parts_.begin()) {
    const auto& before = *std::prev(after);
    if (offset - before.first < static_cast<std::int64_t>(before.second.size)) return push_result::overlaps;
  }

  parts_.emplace_hint(after, offset, chunk{offset, std::move(storage), first, size});
  buffered_ += length;
  return push_result::accepted;
}

std::span<const std::uint8_t> reorder_window::front() const noexcept {
  if (parts_.empty() || parts_.begin()->first != position_) return {};
  return parts_.begin()->second.bytes();
}

bool reorder_window::consume(std::size_t n) {
  if (n > front().size()) return false;
  if (n == 0) return true;
  const auto length = static_cast<std::int64_t>(n);
  auto node = parts_.extract(parts_.begin());
  chunk& c = node.mapped();
  if (n < c.size) {
    // Re-key the same node rather than copying the remainder: the buffer stays where it is.
    c.first += n;
    c.size -= n;
    c.offset += length;
    node.key() = c.offset;
    parts_.insert(parts_.begin(), std::move(node));
  }
  position_ += length;
  buffered_ -= length;
  return true;
}

std::optional<chunk> reorder_window::pop() {
  if (front().empty()) return std::nullopt;
  auto node = parts_.extract(parts_.begin());
  const auto length = static_cast<std::int64_t>(node.mapped().size);
  position_ += length;
  buffered_ -= length;
  return std::move(node.mapped());
}

}  // namespace mtproto::download
