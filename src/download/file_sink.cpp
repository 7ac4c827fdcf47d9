#include "mtproto/download/file_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <vector>

#include "mtproto/crypto/random.h"
#include "mtproto/download/error.h"

namespace mtproto::download {
namespace {

constexpr int new_file_mode = 0644;  // a downloaded file, as any program would create it (umask applies)
constexpr std::size_t verify_chunk = std::size_t{1} << 20;

std::uint32_t crc_update(std::uint32_t crc, std::span<const std::uint8_t> bytes) {
  return static_cast<std::uint32_t>(crc32_z(crc, bytes.data(), bytes.size()));
}

std::uint32_t crc_initial() { return static_cast<std::uint32_t>(crc32_z(0, nullptr, 0)); }

// Reads exactly into.size() bytes at `offset`; false on error or end of file.
bool read_exact(int fd, std::int64_t offset, std::span<std::uint8_t> into) {
  std::size_t done = 0;
  while (done < into.size()) {
    const ssize_t n = ::pread(fd, into.data() + done, into.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

bool write_all(int fd, std::int64_t offset, std::span<const std::uint8_t> bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::pwrite(fd, bytes.data() + done, bytes.size() - done, static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (n == 0) errno = ENOSPC;
      return false;
    }
    done += static_cast<std::size_t>(n);
  }
  return true;
}

std::filesystem::path with_suffix(const std::filesystem::path& p, const char* suffix) {
  std::filesystem::path out = p;
  out += suffix;
  return out;
}

}  // namespace

file_sink::file_sink(std::filesystem::path final_path, file_sink_options options)
    : final_(std::move(final_path)),
      part_(with_suffix(final_, ".part")),
      journal_path_(with_suffix(final_, ".part.resume")),
      options_(std::move(options)) {}

file_sink::~file_sink() {
  if (fd_ >= 0 && !finished_) fail(download_errc::cancelled);
  close_file();
}

std::error_code file_sink::io_error(int errno_value) {
  os_error_ = std::error_code(errno_value, std::system_category());
  return download_errc::local_io;
}

void file_sink::close_file() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

void file_sink::async_start(const sink_start& info, sink_start_handler done) {
  close_file();
  finished_ = false;
  resumed_ = 0;
  first_ = info.first;
  whole_file_ = info.file && info.first == 0 && info.last == info.file->size;
  journal_ = {};
  if (info.file) {
    journal_.file = info.file->location;
    journal_.total_size = info.file->size;
  }
  journal_.part_size = info.part_size;
  journal_.source_link = options_.source_link;
  journal_.final_name = final_.filename().string();
  // A range, or a file with more parts than a journal holds, is downloaded without one.
  if (!whole_file_ || reset_progress(journal_)) whole_file_ = false;

  std::int64_t resume_from = info.first;
  std::error_code ec;
  if (options_.resume && whole_file_ && std::filesystem::exists(journal_path_))
    ec = open_resumed(info, resume_from);
  else
    ec = open_fresh();
  if (ec) {
    close_file();
    return done(ec, 0);
  }
  part_crc_index_ = -1;
  since_journal_ = 0;
  journal_at_ = std::chrono::steady_clock::now();
  done({}, resume_from);
}

std::error_code file_sink::open_fresh() {
  fd_ = ::open(part_.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, new_file_mode);
  if (fd_ < 0) return io_error(errno);
  std::error_code ignored;
  std::filesystem::remove(journal_path_, ignored);
  return {};
}

std::error_code file_sink::open_resumed(const sink_start& info, std::int64_t& resume_from) {
  std::vector<std::uint8_t> encoded;
  {
    const int jfd = ::open(journal_path_.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (jfd < 0) return io_error(errno);
    struct stat st {};
    if (::fstat(jfd, &st) != 0 || st.st_size < 0 || static_cast<std::uint64_t>(st.st_size) > max_journal_size) {
      ::close(jfd);
      return download_errc::journal_corrupt;
    }
    encoded.resize(static_cast<std::size_t>(st.st_size));
    const bool ok = read_exact(jfd, 0, encoded);
    ::close(jfd);
    if (!ok) return download_errc::journal_corrupt;
  }
  auto decoded = decode_journal(encoded);
  if (!decoded) return decoded.error;
  if (auto ec = check_matches(decoded.journal, info.file->location, info.file->size, info.part_size)) return ec;

  fd_ = ::open(part_.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
  if (fd_ < 0) return errno == ENOENT ? std::error_code(download_errc::journal_mismatch) : io_error(errno);

  // Keep the parts from the start that hold what the journal says; the first bad or missing one
  // and everything after it are fetched again.
  resume_journal& old = decoded.journal;
  const std::int64_t parts = journal_part_count(old.total_size, old.part_size);
  std::vector<std::uint8_t> buffer;
  auto holds_its_bytes = [&](std::int64_t index, std::uint32_t& crc) {
    const std::int64_t offset = index * old.part_size;
    const std::int64_t size = std::min(old.part_size, old.total_size - offset);
    crc = crc_initial();
    for (std::int64_t at = 0; at < size;) {
      const auto n = static_cast<std::size_t>(std::min<std::int64_t>(size - at, verify_chunk));
      buffer.resize(n);
      if (!read_exact(fd_, offset + at, buffer)) return false;
      crc = crc_update(crc, buffer);
      at += static_cast<std::int64_t>(n);
    }
    return done_part_crc(old, index) == crc;
  };
  std::int64_t good = 0;
  for (std::uint32_t crc = 0; good < parts && is_done(old, good) && holds_its_bytes(good, crc); ++good)
    if (mark_done(journal_, good, crc)) break;
  // The fresh credentials go into the journal; the file's identity is the same.
  resumed_ = std::min(good * old.part_size, old.total_size);
  resume_from = resumed_;
  return {};
}

void file_sink::async_write_at(std::int64_t offset, std::span<const std::uint8_t> bytes, sink_handler done) {
  if (fd_ < 0) return done(download_errc::local_io);
  if (!write_all(fd_, offset - first_, bytes)) return done(io_error(errno));
  if (whole_file_) {
    // CRC of each journal part as its bytes go by (writes arrive in order).
    std::int64_t at = offset;
    auto rest = bytes;
    while (!rest.empty()) {
      const std::int64_t index = at / journal_.part_size;
      if (index != part_crc_index_) {
        part_crc_index_ = index;
        part_crc_ = crc_initial();
      }
      const std::int64_t part_end = std::min((index + 1) * journal_.part_size, journal_.total_size);
      const auto n = static_cast<std::size_t>(std::min<std::int64_t>(part_end - at, static_cast<std::int64_t>(rest.size())));
      part_crc_ = crc_update(part_crc_, rest.first(n));
      at += static_cast<std::int64_t>(n);
      rest = rest.subspan(n);
      if (at == part_end) mark_done(journal_, index, part_crc_);
    }
    since_journal_ += static_cast<std::int64_t>(bytes.size());
    if (since_journal_ >= options_.journal_every_bytes ||
        std::chrono::steady_clock::now() - journal_at_ >= options_.journal_every) {
      if (auto ec = sync_and_journal()) return done(ec);
    }
  }
  done({});
}

std::error_code file_sink::sync_and_journal() {
  since_journal_ = 0;
  journal_at_ = std::chrono::steady_clock::now();
  // Data first: the journal must never claim bytes that are not on disk.
  if (::fdatasync(fd_) != 0) return io_error(errno);
  return write_journal();
}

std::error_code file_sink::write_journal() {
  const auto encoded = encode_journal(journal_);
  if (encoded.empty()) return {};  // nothing a later run could use
  std::array<std::uint8_t, 8> nonce{};
  crypto::secure_random(nonce);
  std::string suffix = ".tmp";
  for (auto b : nonce) suffix += "0123456789abcdef"[b & 15];
  const auto temp = with_suffix(journal_path_, suffix.c_str());
  const int jfd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (jfd < 0) return io_error(errno);
  const bool ok = write_all(jfd, 0, encoded) && ::fsync(jfd) == 0;
  const int saved = errno;
  ::close(jfd);
  if (!ok || ::rename(temp.c_str(), journal_path_.c_str()) != 0) {
    const int e = ok ? errno : saved;
    ::unlink(temp.c_str());
    return io_error(e);
  }
  return {};
}

void file_sink::async_finish(sink_handler done) {
  if (fd_ < 0) return done(download_errc::local_io);
  if (::fsync(fd_) != 0) return done(io_error(errno));
  close_file();
  if (::rename(part_.c_str(), final_.c_str()) != 0) return done(io_error(errno));
  finished_ = true;
  std::error_code ignored;
  std::filesystem::remove(journal_path_, ignored);
  done({});
}

void file_sink::fail(std::error_code) noexcept {
  if (fd_ < 0) return;
  if (whole_file_) (void)sync_and_journal();  // what is on disk stays resumable
  close_file();
}

void file_sink::async_read_at(std::int64_t offset, std::span<std::uint8_t> into, sink_handler done) {
  if (fd_ < 0) return done(download_errc::local_io);
  if (!read_exact(fd_, offset - first_, into)) return done(io_error(errno ? errno : EIO));
  done({});
}

}  // namespace mtproto::download
