#include "mtproto/tl/writer.h"

#include <bit>
#include <stdexcept>

namespace mtproto::tl {

void writer::write_double(double v) { put_le(std::bit_cast<std::uint64_t>(v)); }

void writer::write_bytes(std::span<const std::uint8_t> data) {
  const std::size_t n = data.size();
  if (n >= (1u << 24)) throw std::length_error("TL bytes value longer than 16 MiB");
  std::size_t header;
  if (n < 254) {
    out_->push_back(static_cast<std::uint8_t>(n));
    header = 1;
  } else {
    const std::uint8_t h[4] = {254, static_cast<std::uint8_t>(n), static_cast<std::uint8_t>(n >> 8),
                               static_cast<std::uint8_t>(n >> 16)};
    out_->insert(out_->end(), h, h + 4);
    header = 4;
  }
  out_->insert(out_->end(), data.begin(), data.end());
  const std::size_t pad = (4 - (header + n) % 4) % 4;
  out_->insert(out_->end(), pad, 0);
}

}  // namespace mtproto::tl
