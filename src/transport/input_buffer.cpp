#include "mtproto/transport/input_buffer.h"

#include <algorithm>
#include <cstring>

namespace mtproto::transport {

std::span<std::uint8_t> input_buffer::prepare(std::size_t n) {
  if (begin_ != 0) {
    // Move the unconsumed tail (at most one partial frame) to the front; happens once per frame.
    const std::size_t live = end_ - begin_;
    if (live != 0) std::memmove(storage_.data(), storage_.data() + begin_, live);
    begin_ = 0;
    end_ = live;
  }
  if (storage_.size() - end_ < n) storage_.resize(std::max(end_ + n, storage_.size() * 2));
  prepared_ = n;
  return {storage_.data() + end_, n};
}

std::span<std::uint8_t> input_buffer::commit(std::size_t n) noexcept {
  n = std::min(n, prepared_);
  prepared_ = 0;
  std::span<std::uint8_t> fresh{storage_.data() + end_, n};
  end_ += n;
  return fresh;
}

}  // namespace mtproto::transport
