// Shared by the structured fuzz targets: a cursor that hands out bounded values from one fuzz
// input. Past the end it yields zeros and empty spans, so every input decodes to something and no
// value it returns is larger than the caller asked for.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

namespace mtproto::fuzz {

class fuzz_data {
 public:
  fuzz_data(const std::uint8_t* data, std::size_t size) : data_(data, size) {}
  explicit fuzz_data(std::span<const std::uint8_t> data) : data_(data) {}

  bool empty() const noexcept { return at_ >= data_.size(); }
  std::size_t remaining() const noexcept { return data_.size() - at_; }

  std::uint8_t byte() noexcept { return empty() ? 0 : data_[at_++]; }
  bool boolean() noexcept { return byte() & 1; }

  /// A little-endian integer of sizeof(T) bytes (missing bytes are zero).
  template <class T>
  T integral() noexcept {
    static_assert(std::is_integral_v<T>);
    std::make_unsigned_t<T> v = 0;
    for (std::size_t i = 0; i < sizeof(T); ++i) v |= static_cast<std::make_unsigned_t<T>>(byte()) << (8 * i);
    return static_cast<T>(v);
  }

  /// A value in [0, n) (n > 0), from as few bytes as n needs.
  std::size_t below(std::size_t n) noexcept {
    if (n <= 1) return 0;
    if (n <= 256) return byte() % n;
    if (n <= 65536) return integral<std::uint16_t>() % n;
    return integral<std::uint32_t>() % n;
  }

  /// The next `n` bytes (fewer at the end of the input).
  std::span<const std::uint8_t> bytes(std::size_t n) noexcept {
    n = std::min(n, remaining());
    auto out = data_.subspan(at_, n);
    at_ += n;
    return out;
  }
  /// A length byte (capped at `max`, up to 255) and that many bytes.
  std::span<const std::uint8_t> short_bytes(std::size_t max = 255) noexcept {
    return bytes(std::min<std::size_t>(byte(), max));
  }
  /// A 2-byte length (capped at `max`) and that many bytes.
  std::span<const std::uint8_t> sized_bytes(std::size_t max) noexcept {
    return bytes(std::min<std::size_t>(integral<std::uint16_t>(), max));
  }
  std::vector<std::uint8_t> vector(std::span<const std::uint8_t> s) const { return {s.begin(), s.end()}; }
  std::string string(std::span<const std::uint8_t> s) const { return {s.begin(), s.end()}; }
  /// Everything not consumed yet.
  std::span<const std::uint8_t> rest() noexcept { return bytes(remaining()); }

 private:
  std::span<const std::uint8_t> data_;
  std::size_t at_ = 0;
};

}  // namespace mtproto::fuzz
