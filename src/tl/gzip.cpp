#include "mtproto/tl/gzip.h"

#include <stdexcept>

#include <zlib.h>

#include "mtproto/tl/error.h"

namespace mtproto::tl {
namespace {

struct inflate_stream {
  z_stream z{};
  inflate_stream() {
    // 15 + 32: accept gzip and zlib headers alike.
    if (inflateInit2(&z, 15 + 32) != Z_OK) throw std::bad_alloc();
  }
  ~inflate_stream() { inflateEnd(&z); }
};

struct deflate_stream {
  z_stream z{};
  explicit deflate_stream(int level) {
    // 15 + 16: gzip wrapper, as Telegram sends.
    if (deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw std::bad_alloc();
  }
  ~deflate_stream() { deflateEnd(&z); }
};

constexpr std::size_t inflate_chunk = 64 * 1024;

}  // namespace

std::vector<std::uint8_t> gunzip(std::span<const std::uint8_t> packed, std::size_t max_output) {
  if (packed.size() > UINT32_MAX) throw decode_error(decode_errc::gzip_too_large, "input over 4 GiB");
  inflate_stream s;
  s.z.next_in = const_cast<Bytef*>(packed.data());
  s.z.avail_in = static_cast<uInt>(packed.size());
  std::vector<std::uint8_t> out;
  int rc = Z_OK;
  while (rc != Z_STREAM_END) {
    if (out.size() >= max_output) {
      // Output is full: one more byte means the cap is exceeded.
      std::uint8_t probe;
      s.z.next_out = &probe;
      s.z.avail_out = 1;
      rc = inflate(&s.z, Z_NO_FLUSH);
      if (s.z.avail_out == 0) throw decode_error(decode_errc::gzip_too_large, "cap reached");
    } else {
      const std::size_t old = out.size();
      const std::size_t grow = std::min(inflate_chunk, max_output - old);
      out.resize(old + grow);
      s.z.next_out = out.data() + old;
      s.z.avail_out = static_cast<uInt>(grow);
      rc = inflate(&s.z, Z_NO_FLUSH);
      out.resize(old + grow - s.z.avail_out);
    }
    if (rc == Z_STREAM_END) break;
    if (rc == Z_BUF_ERROR && s.z.avail_in == 0)
      throw decode_error(decode_errc::gzip_corrupt, "stream ends early");
    if (rc != Z_OK && rc != Z_BUF_ERROR)
      throw decode_error(decode_errc::gzip_corrupt, s.z.msg ? s.z.msg : "inflate failed");
  }
  return out;
}

std::vector<std::uint8_t> gzip(std::span<const std::uint8_t> data, int level) {
  deflate_stream s(level);
  std::vector<std::uint8_t> out(deflateBound(&s.z, static_cast<uLong>(data.size())) + 32);
  s.z.next_in = const_cast<Bytef*>(data.data());
  s.z.avail_in = static_cast<uInt>(data.size());
  s.z.next_out = out.data();
  s.z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&s.z, Z_FINISH) != Z_STREAM_END) throw std::runtime_error("deflate failed");
  out.resize(s.z.total_out);
  return out;
}

}  // namespace mtproto::tl
