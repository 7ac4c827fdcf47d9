/// \file
/// A bounded reorder buffer for sinks that take bytes only in order (an HTTP body, a pipe).
/// Parts arrive in any order; the window hands them on strictly in order and holds at most its
/// capacity. The engine requests a part only when the window admits() it, so a slow consumer
/// stops the download instead of growing memory. Pure: no I/O, no clocks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <vector>

#include "mtproto/download/export.h"

namespace mtproto::download {

/// The largest stream offset a window handles (2^53 bytes): no accepted part ends past it, which
/// keeps every sum of an offset and a size inside std::int64_t.
inline constexpr std::int64_t max_stream_offset = std::int64_t{1} << 53;

/// What reorder_window::push decided about a part. Anything but `accepted` leaves the window and
/// the caller's buffer unchanged.
enum class push_result {
  accepted,       ///< Buffered; released once every byte before it has been.
  empty,          ///< The part has no bytes.
  bad_slice,      ///< `first` and `size` do not lie inside the buffer passed.
  before_window,  ///< Starts before position(): its bytes were released already.
  beyond_window,  ///< Ends past position() + capacity(), or past max_stream_offset.
  duplicate,      ///< The same offset and size as a buffered part.
  overlaps,       ///< Shares bytes with a buffered part (other than as an exact duplicate).
};

/// Bytes of the stream: `size` bytes of `storage` from index `first`, belonging at stream offset
/// `offset`. Keeps the buffer it was pushed in, so trimming an answer costs no copy.
struct chunk {
  std::int64_t offset = 0;            ///< Stream offset of bytes()[0].
  std::vector<std::uint8_t> storage;  ///< The buffer the part arrived in.
  std::size_t first = 0;              ///< Index in `storage` of the first byte of the chunk.
  std::size_t size = 0;               ///< Bytes of the chunk.

  /// The chunk's bytes: storage[first, first + size).
  std::span<const std::uint8_t> bytes() const noexcept { return std::span(storage).subspan(first, size); }
};

/// Parts of a stream in, contiguous bytes out, never more than capacity() buffered.
///
/// The window is [position(), position() + capacity()); position() is the next byte to release.
/// Release either by pop(), which hands over the buffer of the next part (nothing copied), or by
/// front() and consume(), for a consumer that takes part of a span at a time. A popped chunk is
/// the caller's and no longer counts against capacity: to keep memory bounded, pop only when the
/// consumer can take the chunk. Capacity counts stream bytes; a buffered slice's vector also
/// holds the unwanted bytes of its answer (under 2 KiB per planned part). Not thread-safe.
class MTPROTO_DOWNLOAD_EXPORT reorder_window {
 public:
  /// A window starting at stream offset `start_offset` holding at most `capacity_bytes` bytes.
  /// Both are clamped into [0, max_stream_offset]. The capacity should be at least the engine's
  /// part size times its depth: a part larger than the capacity is never admitted.
  reorder_window(std::int64_t start_offset, std::int64_t capacity_bytes) noexcept;

  /// Stream offset of the next byte to release.
  std::int64_t position() const noexcept { return position_; }
  /// The most bytes the window buffers.
  std::int64_t capacity() const noexcept { return capacity_; }
  /// Bytes buffered now; never more than capacity().
  std::int64_t buffered_bytes() const noexcept { return buffered_; }
  /// Parts (or remainders of parts) buffered now.
  std::size_t buffered_parts() const noexcept { return parts_.size(); }

  /// Whether a part of `size` bytes at stream offset `offset` lies inside the window:
  /// position() <= offset and offset + size <= position() + capacity() (and <= max_stream_offset).
  /// The engine requests a part only when this holds. Does not look at buffered parts.
  bool admits(std::int64_t offset, std::int64_t size) const noexcept;

  /// Buffers all of `storage` as the bytes at stream offset `offset`. Moves from `storage` only
  /// when the result is push_result::accepted.
  push_result push(std::int64_t offset, std::vector<std::uint8_t>&& storage);
  /// Buffers storage[first, first + size) as the bytes at stream offset `offset` (the wanted
  /// bytes of an answer, planned_part::skip and planned_part::count). Moves from `storage` only
  /// when the result is push_result::accepted.
  push_result push(std::int64_t offset, std::vector<std::uint8_t>&& storage, std::size_t first, std::size_t size);

  /// The bytes at position() that can be released now, from one buffered part; empty when the
  /// part at position() has not arrived. Valid until the next consume() or pop(); push() does not
  /// invalidate it.
  std::span<const std::uint8_t> front() const noexcept;
  /// Releases the first `n` bytes of front(). False (nothing changed) if n > front().size().
  bool consume(std::size_t n);
  /// Releases all of front() with the buffer that holds it; std::nullopt when front() is empty.
  std::optional<chunk> pop();

 private:
  std::int64_t position_;
  std::int64_t capacity_;
  std::int64_t buffered_ = 0;
  // Keyed by stream offset; parts never overlap. Map nodes stay put, so front() survives pushes.
  std::map<std::int64_t, chunk> parts_;
};

}  // namespace mtproto::download
