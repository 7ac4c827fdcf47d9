#include "mtproto/tl/reader.h"

#include <bit>
#include <cstring>

#include <fmt/format.h>

namespace mtproto::tl {

void reader::need(std::size_t n) const {
  if (n > size_ - pos_)
    throw decode_error(decode_errc::truncated,
                       fmt::format("need {} bytes at offset {}, have {}", n, pos_, size_ - pos_));
}

double reader::read_double() { return std::bit_cast<double>(get_le<std::uint64_t>()); }

bool reader::read_bool() {
  const std::uint32_t id = read_uint();
  if (id == ids::bool_true) return true;
  if (id == ids::bool_false) return false;
  throw decode_error(decode_errc::invalid_bool, fmt::format("got {:#010x}", id));
}

std::span<const std::uint8_t> reader::read_bytes_view() {
  need(1);
  std::size_t len = data_[pos_];
  std::size_t header = 1;
  if (len == 254) {
    need(4);
    len = data_[pos_ + 1] | (std::size_t{data_[pos_ + 2]} << 8) | (std::size_t{data_[pos_ + 3]} << 16);
    header = 4;
  } else if (len == 255) {
    throw decode_error(decode_errc::invalid_value, "string length prefix 0xff");
  }
  const std::size_t total = (header + len + 3) & ~std::size_t{3};
  if (total > size_ - pos_)
    throw decode_error(decode_errc::length_exceeds_input,
                       fmt::format("string of {} bytes, {} remain", len, size_ - pos_ - header));
  std::span<const std::uint8_t> out(data_ + pos_ + header, len);
  pos_ += total;
  return out;
}

std::size_t reader::read_count(std::size_t min_element_size) {
  const std::uint32_t n = read_uint();
  if (min_element_size == 0) min_element_size = 1;
  if (n > remaining() / min_element_size)
    throw decode_error(decode_errc::length_exceeds_input,
                       fmt::format("vector of {} elements, {} bytes remain", n, remaining()));
  return n;
}

std::size_t reader::read_vector_header(std::size_t min_element_size) {
  expect_id(read_uint(), ids::vector);
  return read_count(min_element_size);
}

std::span<const std::uint8_t> reader::read_raw(std::size_t n) {
  need(n);
  std::span<const std::uint8_t> out(data_ + pos_, n);
  pos_ += n;
  return out;
}

void reader::expect_id(std::uint32_t got, std::uint32_t expected) {
  if (got != expected)
    throw decode_error(decode_errc::unexpected_constructor,
                       fmt::format("expected {:#010x}, got {:#010x}", expected, got));
}

std::uint32_t reader::peek_uint() const {
  need(4);
  std::uint32_t v;
  std::memcpy(&v, data_ + pos_, 4);
  return v;  // little-endian hosts only; checked in CMake
}

void reader::expect_end() const {
  if (!at_end())
    throw decode_error(decode_errc::trailing_data, fmt::format("{} bytes left", remaining()));
}

reader::depth_guard::depth_guard(reader& r) : r_(r) {
  if (r_.depth_ >= r_.limits_.max_depth)
    throw decode_error(decode_errc::depth_exceeded, fmt::format("limit {}", r_.limits_.max_depth));
  ++r_.depth_;
}

}  // namespace mtproto::tl
