// What the downloader's end-to-end tests share: a logged-in client on its own io_context, the
// remote_file of an emulator fixture, the emulator's request log and its flood-wait check.
#pragma once

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

#include <catch2/catch.hpp>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string_view>

#include "client/testdc_fixture.h"
#include "mtproto/client/auth.h"
#include "mtproto/download/downloader.h"

namespace mtproto::test {

inline constexpr auto as_tuple = asio::experimental::as_tuple(asio::use_awaitable);

inline double seconds(std::chrono::duration<double> d) { return d.count(); }

inline download::remote_file remote_of(const testdc::published_file& f) {
  download::remote_file r;
  r.location.dc_id = f.spec.dc;
  r.location.kind = download::location_kind::document;
  r.location.id = f.post.document.id;
  r.location.access_hash = f.post.document.access_hash;
  r.location.file_reference = f.post.document.file_reference;
  r.size = f.spec.size;
  r.file_name = f.spec.name;
  return r;
}

inline std::vector<std::uint8_t> content_of(const testdc::published_file& f, std::int64_t first, std::int64_t last) {
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(last - first));
  f.content.read(first, bytes);
  return bytes;
}

inline std::string hex(std::span<const std::uint8_t> d) {
  std::string s;
  for (auto b : d) s += fmt::format("{:02x}", b);
  return s;
}

struct logged_in {
  asio::io_context io;
  std::unique_ptr<client::client> c;
  explicit logged_in(emulator& dc, int max_sessions = 8) {
    auto o = dc.client_options();
    o.max_download_sessions = max_sessions;
    c = std::make_unique<client::client>(io.get_executor(), o);
    auto login = run(io, client::sign_in_bot(*c, dc.catalog().bot_token()));
    REQUIRE(login);
  }
  ~logged_in() { c->shutdown(); }

  std::vector<client::session_state> session_states(int dc_id) {
    return run(io, [&]() -> asio::awaitable<std::vector<client::session_state>> {
      co_return co_await c->async_session_states(dc_id, asio::use_awaitable);
    }());
  }

  std::pair<std::error_code, download::download_result> get(download::remote_file f, download::sink& out,
                                                            download::download_options opts = {}) {
    auto [ec, r] = run(io, [&]() -> asio::awaitable<std::tuple<std::error_code, download::download_result>> {
      co_return co_await download::async_download(*c, f, out, opts, as_tuple);
    }());
    return {ec, std::move(r)};
  }

  /// Downloads into `out` and cancels once `bytes` are written (an interruption mid-file).
  std::pair<std::error_code, download::download_result> get_until(const download::remote_file& f, download::sink& out,
                                                                  std::int64_t bytes) {
    download::download_options o;
    asio::cancellation_signal signal;
    o.on_progress = [&](const download::download_progress& p) {
      if (p.bytes_done >= bytes) signal.emit(asio::cancellation_type::terminal);
    };
    o.progress_interval = 10ms;
    auto [ec, r] = run(io, [&]() -> asio::awaitable<std::tuple<std::error_code, download::download_result>> {
      co_return co_await download::async_download(*c, f, out, o, asio::bind_cancellation_slot(signal.slot(), as_tuple));
    }());
    return {ec, std::move(r)};
  }
};

inline testdc::published_file& file_named(emulator& dc, std::string_view name) {
  for (auto& f : dc.catalog().files())
    if (f.spec.name == name) return f;
  throw std::runtime_error("no such fixture");
}

inline std::filesystem::path temp_dir(const std::string& name) {
  auto p = std::filesystem::temp_directory_path() / fmt::format("mtproto-dl-{}-{}", name, ::getpid());
  std::filesystem::remove_all(p);
  std::filesystem::create_directories(p);
  return p;
}

struct logged_request {
  std::int64_t arrived_ms = 0;
  std::int64_t account = 0;
  std::int32_t dc = 0;
  std::int64_t sent_ms = 0;
  std::string answer;
};

inline std::vector<logged_request> read_request_log(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string header;
  std::getline(in, header);
  std::vector<logged_request> out;
  logged_request r;
  std::string method;
  while (in >> r.arrived_ms >> r.account >> r.dc >> method >> r.sent_ms >> r.answer) out.push_back(r);
  return out;
}

/// FLOOD_WAIT_X / FLOOD_PREMIUM_WAIT_X: X, or nothing for other answers.
inline std::optional<std::int64_t> flood_wait_seconds(const std::string& answer) {
  for (const std::string_view prefix : {"FLOOD_WAIT_", "FLOOD_PREMIUM_WAIT_"})
    if (answer.starts_with(prefix)) return std::stoll(answer.substr(prefix.size()));
  return std::nullopt;
}

/// Requests that reached a DC for an account while a flood wait it had been told was running,
/// later than `grace` after it was told (requests already on their way by then are not the
/// client's fault).
inline std::vector<std::string> wait_violations(const std::vector<logged_request>& log, std::int64_t grace_ms) {
  std::vector<std::string> found;
  for (const auto& flood : log) {
    const auto seconds = flood_wait_seconds(flood.answer);
    if (!seconds) continue;
    const std::int64_t until = flood.arrived_ms + 1000 * *seconds;
    for (const auto& r : log)
      if (r.account == flood.account && r.dc == flood.dc && r.arrived_ms > flood.arrived_ms + grace_ms &&
          r.arrived_ms < until)
        found.push_back(fmt::format("request at {} ms inside the wait told at {} ms until {} ms", r.arrived_ms,
                                    flood.arrived_ms, until));
  }
  return found;
}

}  // namespace mtproto::test
