#include "mtproto/download/sink.h"

#include "mtproto/download/error.h"
#include "mtproto/download/memory_sink.h"

namespace mtproto::download {

sink::~sink() = default;

void sink::async_read_at(std::int64_t, std::span<std::uint8_t>, sink_handler done) {
  done(std::make_error_code(std::errc::operation_not_supported));
}

void memory_sink::async_start(const sink_start& info, sink_start_handler done) {
  if (info.last - info.first > max_bytes_) return done(download_errc::local_io, 0);
  bytes_.clear();
  bytes_.reserve(static_cast<std::size_t>(info.last - info.first));
  next_ = info.first;
  finished_ = false;
  done({}, info.first);
}

void memory_sink::async_write_at(std::int64_t offset, std::span<const std::uint8_t> bytes, sink_handler done) {
  if (offset != next_) return done(std::make_error_code(std::errc::invalid_argument));
  if (static_cast<std::int64_t>(bytes_.size() + bytes.size()) > max_bytes_) return done(download_errc::local_io);
  bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
  next_ += static_cast<std::int64_t>(bytes.size());
  done({});
}

void memory_sink::async_finish(sink_handler done) {
  finished_ = true;
  done({});
}

}  // namespace mtproto::download
