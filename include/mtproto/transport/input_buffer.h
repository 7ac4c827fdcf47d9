/// \file
/// The receive buffer of a connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "mtproto/core/export.h"

namespace mtproto::transport {

/// The receive buffer of a connection: the runtime reads from the socket straight into prepare()'s
/// span and commit()s what arrived, so received bytes are copied by nobody but the kernel. Decoded
/// frames are spans into this buffer; compaction happens only in prepare(), which is why a frame
/// stays valid until the next prepare()/commit()/feed()/next().
class MTPROTO_CORE_EXPORT input_buffer {
 public:
  /// Writable space for at least `n` more bytes at the end of the buffered data.
  std::span<std::uint8_t> prepare(std::size_t n);
  /// Marks `n` bytes of the last prepare() as received. Returns them (for in-place decryption).
  std::span<std::uint8_t> commit(std::size_t n) noexcept;
  /// Received bytes not yet consumed.
  std::span<std::uint8_t> data() noexcept { return {storage_.data() + begin_, end_ - begin_}; }
  /// Bytes received and not yet consumed.
  std::size_t size() const noexcept { return end_ - begin_; }
  /// Drops `n` bytes from the front (does not move memory).
  void consume(std::size_t n) noexcept { begin_ += n; }

 private:
  std::vector<std::uint8_t> storage_;
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  std::size_t prepared_ = 0;
};

}  // namespace mtproto::transport
