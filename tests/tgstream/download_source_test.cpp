// download_source: the remux thread's blocking reads over range downloads on an executor. A fake
// downloader here serves a file from memory in parts, as the real one hands a sink its parts.
#include <catch2/catch.hpp>

#include <asio/io_context.hpp>
#include <asio/post.hpp>

#include <atomic>
#include <thread>
#include <vector>

#include "download_source.h"

using tgstream::download_source;
using tgstream::download_source_limits;
namespace download = mtproto::download;

namespace {

constexpr std::size_t part = 64 * 1024;

std::vector<std::uint8_t> file_of(std::size_t n) {
  std::vector<std::uint8_t> f(n);
  for (std::size_t i = 0; i < n; ++i) f[i] = static_cast<std::uint8_t>((i * 2654435761u) >> 13);
  return f;
}

/// Serves [first, size) part by part, each write waiting for the sink's completion.
struct fake_downloads {
  asio::io_context io;
  std::vector<std::uint8_t> file;
  std::atomic<int> started{0};
  std::atomic<int> ended{0};
  std::atomic<std::int64_t> served{0};
  std::atomic<std::int64_t> most_ahead{0};  // bytes delivered past the read position, at most

  void write_from(std::shared_ptr<download::sink> sink, std::int64_t at) {
    if (at >= static_cast<std::int64_t>(file.size())) {
      sink->async_finish([this](std::error_code) { ++ended; });
      return;
    }
    const auto n = std::min<std::size_t>(part, file.size() - static_cast<std::size_t>(at));
    served += static_cast<std::int64_t>(n);
    sink->async_write_at(at, std::span(file).subspan(static_cast<std::size_t>(at), n),
                         [this, sink, at, n](std::error_code ec) {
                           if (ec) {
                             sink->fail(ec);
                             ++ended;
                             return;
                           }
                           asio::post(io, [this, sink, at, n] { write_from(sink, at + static_cast<std::int64_t>(n)); });
                         });
  }
  download_source::starter starter() {
    return [this](std::int64_t first, std::shared_ptr<download::sink> sink) {
      ++started;
      download::sink_start info;
      sink->async_start(info, [](std::error_code, std::int64_t) {});
      write_from(sink, first);
    };
  }
};

}  // namespace

TEST_CASE("download source: sequential reads ride one download; jumps start new ones; memory stays bounded") {
  fake_downloads d;
  d.file = file_of(3 * 1024 * 1024 + 777);
  auto work = asio::make_work_guard(d.io);
  std::thread io([&] { d.io.run(); });
  {
    download_source_limits limits;
    limits.window = 256 * 1024;
    limits.keep_behind = 64 * 1024;
    limits.max_gap = 128 * 1024;
    download_source src(d.io.get_executor(), static_cast<std::int64_t>(d.file.size()), d.starter(), limits);

    // Straight through, in odd sizes: one download, and the bytes equal the file.
    std::vector<std::uint8_t> got;
    std::vector<std::uint8_t> buf(10000);
    for (std::int64_t at = 0; at < 1024 * 1024;) {
      const auto n = src.read_at(at, buf);
      REQUIRE(n > 0);
      got.insert(got.end(), buf.begin(), buf.begin() + static_cast<std::ptrdiff_t>(n));
      at += static_cast<std::int64_t>(n);
      // The download pauses a window (plus a part in flight) ahead of the reader.
      CHECK(d.served.load() - at <= static_cast<std::int64_t>(limits.window + 2 * part));
    }
    CHECK(std::equal(got.begin(), got.end(), d.file.begin()));
    CHECK(src.downloads_started() == 1);

    // A short step back is served from what is kept; a small step ahead waits for the download.
    CHECK(src.read_at(got.size() - 1000, buf) > 0);
    CHECK(buf[0] == d.file[got.size() - 1000]);
    CHECK(src.read_at(static_cast<std::int64_t>(got.size()) + 50000, buf) > 0);
    CHECK(buf[0] == d.file[got.size() + 50000]);
    CHECK(src.downloads_started() == 1);

    // A jump to the end (an index there) starts a download there; back to the data, another one.
    const auto near_end = static_cast<std::int64_t>(d.file.size()) - 5000;
    REQUIRE(src.read_at(near_end, buf) == 5000);
    CHECK(std::equal(buf.begin(), buf.begin() + 5000, d.file.begin() + near_end));
    CHECK(src.downloads_started() == 2);
    REQUIRE(src.read_at(2 * 1024 * 1024, buf) > 0);
    CHECK(buf[0] == d.file[2 * 1024 * 1024]);
    CHECK(src.downloads_started() == 3);
  }
  // Destroyed mid-file: every download ends (the paused one is failed, not left hanging).
  for (int i = 0; i < 200 && d.ended.load() < d.started.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  CHECK(d.ended.load() == d.started.load());
  work.reset();
  io.join();
}

TEST_CASE("download source: cancel() wakes a blocked read with read_failed; a failed download is an error") {
  fake_downloads d;
  d.file = file_of(100000);
  auto work = asio::make_work_guard(d.io);
  std::thread io([&] { d.io.run(); });
  {
    // A starter that never delivers: the read blocks until cancel().
    download_source src(d.io.get_executor(), 100000, [](std::int64_t, std::shared_ptr<download::sink>) {});
    std::thread canceller([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      src.cancel();
    });
    std::vector<std::uint8_t> buf(100);
    try {
      src.read_at(0, buf);
      FAIL("read");
    } catch (const tgstream::remux_error& e) {
      CHECK(e.code == tgstream::remux_errc::read_failed);
    }
    canceller.join();
  }
  {
    download_source src(d.io.get_executor(), 100000, [](std::int64_t, std::shared_ptr<download::sink> sink) {
      sink->fail(make_error_code(std::errc::connection_reset));
    });
    std::vector<std::uint8_t> buf(100);
    CHECK_THROWS_AS(src.read_at(0, buf), tgstream::remux_error);
    CHECK_THROWS_AS(src.read_at(-1, buf), tgstream::remux_error);
    CHECK_THROWS_AS(src.read_at(100000, buf), tgstream::remux_error);
  }
  work.reset();
  io.join();
}
