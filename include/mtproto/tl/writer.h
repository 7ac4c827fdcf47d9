/// \file
/// Appends TL binary encoding to a caller-owned byte vector.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <string_view>
#include <vector>

#include "mtproto/tl/export.h"
#include "mtproto/tl/types.h"

namespace mtproto::tl {

/// Appends TL binary encoding to a caller-owned byte vector. The caller may leave head room
/// in the vector before writing (transport framing, encryption header); the writer only appends.
class MTPROTO_TL_EXPORT writer {
 public:
  /// Appends to `out`, which must outlive the writer.
  explicit writer(std::vector<std::uint8_t>& out) noexcept : out_(&out) {}

  void write_int(std::int32_t v) { put_le(static_cast<std::uint32_t>(v)); }   ///< TL `int`, little-endian.
  void write_uint(std::uint32_t v) { put_le(v); }                             ///< 4 bytes little-endian (ids, flags).
  void write_long(std::int64_t v) { put_le(static_cast<std::uint64_t>(v)); }  ///< TL `long`, little-endian.
  void write_double(double v);  ///< TL `double`: 8 bytes of IEEE 754, little-endian.
  void write_bool(bool v) { put_le(v ? ids::bool_true : ids::bool_false); }  ///< boolTrue or boolFalse.
  void write_int128(const int128& v) { write_raw(v); }  ///< 16 raw bytes.
  void write_int256(const int256& v) { write_raw(v); }  ///< 32 raw bytes.
  /// TL `string` and `bytes` share one encoding: short (below 254 bytes) or 0xfe-prefixed long
  /// form, padded to 4. Throws std::length_error from 16 MiB on (the format's limit).
  void write_bytes(std::span<const std::uint8_t> data);
  /// A TL `string`: the bytes of `s` as write_bytes() encodes them.
  void write_string(std::string_view s) {
    write_bytes({reinterpret_cast<const std::uint8_t*>(s.data()), s.size()});
  }
  /// Boxed vector header: 0x1cb5c415, then `count`; the elements follow.
  void write_vector_header(std::size_t count) {
    put_le(ids::vector);
    write_count(count);
  }
  /// Element count of a bare vector (no 0x1cb5c415 prefix).
  void write_count(std::size_t count) { put_le(static_cast<std::uint32_t>(count)); }
  /// Appends `data` as it is (no length, no padding).
  void write_raw(std::span<const std::uint8_t> data) { out_->insert(out_->end(), data.begin(), data.end()); }

  /// The vector being appended to.
  std::vector<std::uint8_t>& buffer() noexcept { return *out_; }
  /// Size of that vector, head room included.
  std::size_t size() const noexcept { return out_->size(); }

 private:
  template <class U>
  void put_le(U v) {
    const std::size_t at = out_->size();
    out_->resize(at + sizeof(U));
    std::uint8_t* p = out_->data() + at;
    for (std::size_t i = 0; i < sizeof(U); ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
  }

  std::vector<std::uint8_t>* out_;
};

/// The boxed encoding of a generated TL object (constructor id, then fields) in a new vector.
template <class T>
std::vector<std::uint8_t> serialize(const T& object) {
  std::vector<std::uint8_t> out;
  writer w(out);
  object.write(w);
  return out;
}

/// Encoded size of a TL string/bytes value of `n` bytes, padding included.
constexpr std::size_t encoded_bytes_size(std::size_t n) noexcept {
  const std::size_t header = n < 254 ? 1 : 4;
  return (header + n + 3) & ~std::size_t{3};
}

}  // namespace mtproto::tl
