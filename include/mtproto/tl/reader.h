/// \file
/// Bounds-checked reader of TL binary encoding.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "mtproto/tl/error.h"
#include "mtproto/tl/export.h"
#include "mtproto/tl/types.h"

namespace mtproto::tl {

/// Caps on what one reader accepts, against hostile input.
struct reader_limits {
  /// Deepest nesting of boxed objects and vectors accepted.
  unsigned max_depth = 64;
  /// Largest decompressed size of one gzip_packed value.
  std::size_t max_gzip_output = 16u << 20;
};

/// Reads TL binary encoding from a borrowed buffer. Every read checks the remaining input;
/// lengths are validated against the remaining input before anything is allocated; nesting is
/// limited. Failures throw tl::decode_error (truncated unless said otherwise); generated code
/// adds the constructor/field path.
class MTPROTO_TL_EXPORT reader {
 public:
  /// Reads from `input`, which must outlive the reader and every view it returns.
  explicit reader(std::span<const std::uint8_t> input, reader_limits limits = {}) noexcept
      : data_(input.data()), size_(input.size()), limits_(limits) {}

  std::int32_t read_int() { return static_cast<std::int32_t>(get_le<std::uint32_t>()); }   ///< TL `int`, little-endian.
  std::uint32_t read_uint() { return get_le<std::uint32_t>(); }                            ///< 4 bytes little-endian (ids, flags).
  std::int64_t read_long() { return static_cast<std::int64_t>(get_le<std::uint64_t>()); }  ///< TL `long`, little-endian.
  double read_double();  ///< TL `double`: 8 bytes of IEEE 754, little-endian.
  /// TL `Bool`: boolTrue or boolFalse; throws decode_error(invalid_bool) on any other id.
  bool read_bool();
  int128 read_int128() { return read_array<16>(); }  ///< 16 raw bytes.
  int256 read_int256() { return read_array<32>(); }  ///< 32 raw bytes.
  /// A string/bytes value as a view into the input (valid while the input lives).
  std::span<const std::uint8_t> read_bytes_view();
  /// A TL `bytes` value, copied.
  bytes read_bytes() {
    auto v = read_bytes_view();
    return bytes(v.begin(), v.end());
  }
  /// A TL `string` value, copied byte for byte (not checked to be UTF-8).
  std::string read_string() {
    auto v = read_bytes_view();
    return std::string(reinterpret_cast<const char*>(v.data()), v.size());
  }
  /// Reads 0x1cb5c415 and a count; the count is checked against the remaining input assuming
  /// every element takes at least `min_element_size` bytes, so callers may reserve() it safely.
  std::size_t read_vector_header(std::size_t min_element_size = 4);
  /// Count of a bare vector (no constructor id).
  std::size_t read_count(std::size_t min_element_size = 4);
  /// The next `n` bytes as a view into the input.
  std::span<const std::uint8_t> read_raw(std::size_t n);

  /// Throws decode_error(unexpected_constructor) unless the constructor id just read (`got`)
  /// equals `expected`.
  static void expect_id(std::uint32_t got, std::uint32_t expected);

  /// The next 4 bytes as read_uint() would return them, without consuming them.
  std::uint32_t peek_uint() const;
  /// Bytes not yet consumed.
  std::size_t remaining() const noexcept { return size_ - pos_; }
  /// Bytes consumed so far.
  std::size_t position() const noexcept { return pos_; }
  /// True when all input was consumed.
  bool at_end() const noexcept { return pos_ == size_; }
  /// Throws trailing_data unless all input was consumed.
  void expect_end() const;
  /// The limits given at construction (nested readers inherit them).
  const reader_limits& limits() const noexcept { return limits_; }

  /// RAII guard for one level of nesting; throws depth_exceeded past reader_limits::max_depth.
  class depth_guard {
   public:
    /// Enters one level; `r` must outlive the guard.
    explicit depth_guard(reader& r);
    /// Leaves the level.
    ~depth_guard() { --r_.depth_; }
    depth_guard(const depth_guard&) = delete;
    depth_guard& operator=(const depth_guard&) = delete;

   private:
    reader& r_;
  };

 private:
  void need(std::size_t n) const;

  template <class U>
  U get_le() {
    need(sizeof(U));
    U v = 0;
    for (std::size_t i = 0; i < sizeof(U); ++i) v |= static_cast<U>(data_[pos_ + i]) << (8 * i);
    pos_ += sizeof(U);
    return v;
  }

  template <std::size_t N>
  std::array<std::uint8_t, N> read_array() {
    need(N);
    std::array<std::uint8_t, N> a;
    for (std::size_t i = 0; i < N; ++i) a[i] = data_[pos_ + i];
    pos_ += N;
    return a;
  }

  const std::uint8_t* data_;
  std::size_t size_;
  std::size_t pos_ = 0;
  unsigned depth_ = 0;
  reader_limits limits_;
};

}  // namespace mtproto::tl
