// async_download end to end against mtproto-testdc: every size class, ranges, FILE_MIGRATE, flood
// storms, drops, expiring references, cancellation, the file sink's resume after an interrupted
// run, and the errors a download can end with. Every successful download is checked byte for
// byte against the emulator's content (SHA-256 of the whole file or exact range bytes).
#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>

#include "download/download_support.h"
#include "mtproto/client/auth.h"
#include "mtproto/download/downloader.h"
#include "mtproto/download/error.h"
#include "mtproto/download/file_sink.h"
#include "mtproto/download/memory_sink.h"

using namespace mtproto;
using namespace mtproto::test;
using download::download_errc;

TEST_CASE("every size class downloads byte-exact with the SHA-256 of the file", "[download][e2e]") {
  testdc::options opts;
  for (const char* spec : {"s1.bin:1:1", "s4095.bin:4095:1", "s4096.bin:4096:1", "s524287.bin:524287:1",
                           "s524288.bin:524288:1", "s1048577.bin:1048577:1", "s3000017.bin:3000017:1",
                           "far.bin:1300K:2"})
    opts.files.push_back(testdc::parse_file_spec(spec));
  emulator dc(opts);
  logged_in s(dc);
  for (const std::int64_t part : {download::download_options{}.part_size, std::int64_t{64 * 1024}})
  for (auto& f : dc.catalog().files()) {
    INFO(f.spec.name << " in parts of " << part);
    download::memory_sink out;
    download::download_options o;
    o.sha256 = true;
    o.part_size = part;
    auto [ec, r] = s.get(remote_of(f), out, o);
    REQUIRE_FALSE(ec);
    CHECK(out.finished());
    CHECK(r.bytes == f.spec.size);
    REQUIRE(r.sha256);
    CHECK(hex(*r.sha256) == sha_of(f));
    CHECK(out.bytes() == content_of(f, 0, f.spec.size));
    CHECK(r.dc == f.spec.dc);
    CHECK(r.requests >= static_cast<std::uint64_t>((f.spec.size + part - 1) / part));
  }
}

TEST_CASE("range downloads deliver exactly the bytes asked for", "[download][e2e]") {
  testdc::options opts;
  opts.files = {testdc::parse_file_spec("r.bin:3000017:1")};
  emulator dc(opts);
  logged_in s(dc);
  auto& f = dc.catalog().files().front();
  const std::int64_t size = f.spec.size;
  const std::pair<std::int64_t, std::int64_t> ranges[] = {
      {0, 1}, {0, 100'000}, {1'000'000, 1'000'001}, {524'287, 524'289}, {777'777, 2'222'222},
      {size - 1, size}, {size - 600'000, size}, {0, size}};
  for (auto [a, b] : ranges) {
    INFO(a << ".." << b);
    download::memory_sink out;
    download::download_options o;
    o.range = {a, b};
    auto [ec, r] = s.get(remote_of(f), out, o);
    REQUIRE_FALSE(ec);
    CHECK(out.bytes() == content_of(f, a, b));
    // Seeking costs the parts that hold the range, not the prefix.
    const auto part = download::download_options{}.part_size;
    CHECK(r.requests <= static_cast<std::uint64_t>((b - a) / part + 2));
  }
  download::memory_sink out;
  download::download_options o;
  o.range = {size, size + 1};
  CHECK(s.get(remote_of(f), out, o).first == download_errc::bad_range);
}

TEST_CASE("FILE_MIGRATE moves the download to the file's DC", "[download][e2e]") {
  testdc::options opts;
  opts.files = {testdc::parse_file_spec("m.bin:1500K:2")};
  emulator dc(opts);
  logged_in s(dc);
  auto& f = dc.catalog().files().front();
  auto remote = remote_of(f);
  remote.location.dc_id = 1;  // as if the message named the wrong DC
  download::memory_sink out;
  auto [ec, r] = s.get(remote, out);
  REQUIRE_FALSE(ec);
  CHECK(r.migrations == 1);
  CHECK(r.dc == 2);
  CHECK(out.bytes() == content_of(f, 0, f.spec.size));
}

TEST_CASE("a flood storm slows the download down but it completes intact", "[download][e2e]") {
  testdc::options opts;
  opts.files = {testdc::parse_file_spec("f.bin:9M:1")};
  opts.faults.flood_every = 4;
  opts.faults.flood_seconds = 2;
  opts.faults.rate_per_connection = 3'000'000;  // slow enough that requests are still due inside the waits
  const auto dir = temp_dir("storm");
  opts.request_log = (dir / "requests.log").string();
  emulator dc(opts);
  logged_in s(dc);
  auto& f = dc.catalog().files().front();
  download::memory_sink out;
  download::download_options o;
  o.sha256 = true;
  auto [ec, r] = s.get(remote_of(f), out, o);
  REQUIRE_FALSE(ec);
  CHECK(r.flood_waits > 0);
  CHECK(hex(*r.sha256) == sha_of(f));
  // From the emulator's side: no request of this account reached the DC inside a wait.
  const auto log = read_request_log(opts.request_log);
  const auto floods = std::count_if(log.begin(), log.end(), [](const auto& l) { return l.answer.starts_with("FLOOD_WAIT_"); });
  CHECK(static_cast<std::uint64_t>(floods) == r.flood_waits);
  CHECK(log.size() >= r.requests);
  const auto violations = wait_violations(log, 500);
  for (const auto& v : violations) UNSCOPED_INFO(v);
  CHECK(violations.empty());
  std::filesystem::remove_all(dir);
}

TEST_CASE("a request-rate limit is paced, and nothing is sent inside its waits", "[download][e2e]") {
  testdc::options opts;
  opts.files = {testdc::parse_file_spec("p.bin:40M:1")};
  opts.faults.flood_rps = 8;
  const auto dir = temp_dir("paced");
  opts.request_log = (dir / "requests.log").string();
  emulator dc(opts);
  logged_in s(dc);
  auto& f = dc.catalog().files().front();
  download::memory_sink out;
  download::download_options o;
  o.sha256 = true;
  auto [ec, r] = s.get(remote_of(f), out, o);
  REQUIRE_FALSE(ec);
  CHECK(hex(*r.sha256) == sha_of(f));
  const auto log = read_request_log(opts.request_log);
  CHECK(wait_violations(log, 500).empty());
  // Slow start floods once or a few times; the pace then keeps the rest of the file below the
  // limit: the last floods come early.
  CHECK(r.flood_waits >= 1);
  std::int64_t last_flood = 0, last = 0;
  for (const auto& l : log) {
    if (l.answer.starts_with("FLOOD_WAIT_")) last_flood = l.arrived_ms;
    last = std::max(last, l.arrived_ms);
  }
  INFO("flood waits " << r.flood_waits << ", last at " << last - last_flood << " ms before the end, " << r.requests
                      << " requests in " << std::chrono::duration<double>(r.elapsed).count() << " s");
  CHECK(last - last_flood >= 1000);
  std::filesystem::remove_all(dir);
}

TEST_CASE("a wait longer than the auto-sleep limit ends the download", "[download][e2e]") {
  testdc::options opts;
  opts.files = {testdc::parse_file_spec("f.bin:1M:1")};
  opts.faults.flood_every = 1;
  opts.faults.flood_seconds = 30;
  emulator dc(opts);
  logged_in s(dc);
  download::memory_sink out;
  download::download_options o;
  o.flood.auto_sleep_limit = std::chrono::seconds(5);
  auto [ec, r] = s.get(remote_of(dc.catalog().files().front()), out, o);
  CHECK(ec == download_errc::flood_wait_too_long);
  REQUIRE(r.last_error);
  CHECK(r.last_error->is_rpc("FLOOD_WAIT"));
  CHECK(out.failure() == download_errc::flood_wait_too_long);
  CHECK_FALSE(out.finished());
}

TEST_CASE("a file Telegram keeps on a CDN comes from its DC while CDN support is off", "[download][e2e]") {
  // Without cdn_supported the server must answer with the bytes, as Telegram does, never a
  // redirect the client cannot follow.
  testdc::options opts;
  opts.files = {testdc::parse_file_spec("c.bin:2500K:1:cdn")};
  emulator dc(opts);
  logged_in s(dc);
  auto& f = dc.catalog().files().front();
  download::memory_sink out;
  download::download_options o;
  o.sha256 = true;
  o.cdn_supported = false;
  auto [ec, r] = s.get(remote_of(f), out, o);
  REQUIRE_FALSE(ec);
  CHECK(hex(*r.sha256) == sha_of(f));
  CHECK(r.dc == 1);
  CHECK(r.cdn_requests == 0);
}

TEST_CASE("dropped connections cost retries, never a corrupt, missing or duplicated byte", "[download][e2e]") {
  testdc::options opts;
  opts.files = {testdc::parse_file_spec("d.bin:4M:1")};
  opts.faults.drop_every = 5;
  emulator dc(opts);
  logged_in s(dc);
  auto& f = dc.catalog().files().front();
  download::memory_sink out;
  download::download_options o;
  o.sha256 = true;
  o.max_part_retries = 20;
  auto [ec, r] = s.get(remote_of(f), out, o);
  REQUIRE_FALSE(ec);
  CHECK(r.bytes == f.spec.size);
  CHECK(hex(*r.sha256) == sha_of(f));
  // The sessions say what happened to them: each download session the engine used, by index,
  // nothing left in flight, and the drops recorded.
  auto states = s.session_states(1);
  REQUIRE(states.size() >= 2);
  CHECK(states.front().kind == client::session_kind::main);
  int downloads = 0, dropped = 0;
  std::set<int> indexes;
  for (const auto& st : states) {
    if (st.kind != client::session_kind::download) continue;
    ++downloads;
    // Each its own index, within the client's sessions (downloads side by side start at
    // different ones, so they need not begin at 0).
    CHECK(indexes.insert(st.index).second);
    CHECK(st.index < s.c->max_download_sessions());
    CHECK(st.in_flight == 0);
    CHECK(st.queued == 0);
    dropped += static_cast<bool>(st.last_error);
  }
  CHECK(downloads == r.max_sessions);
  CHECK(dropped >= 1);
}

TEST_CASE("an expiring file reference is refreshed and the download continues", "[download][e2e]") {
  testdc::options opts;
  opts.files = {testdc::parse_file_spec("ref.bin:5M:1")};
  opts.faults.file_ref_ttl = 3;
  emulator dc(opts);
  logged_in s(dc);
  auto& f = dc.catalog().files().front();
  download::memory_sink out;
  download::download_options o;
  o.sha256 = true;
  int asked = 0;
  o.refresh_reference = [&](auto done) {
    ++asked;
    done({}, dc.current_reference(f.post.document.id));
  };
  auto [ec, r] = s.get(remote_of(f), out, o);
  REQUIRE_FALSE(ec);
  CHECK(asked > 0);
  CHECK(r.reference_refreshes > 0);
  CHECK(hex(*r.sha256) == sha_of(f));

  // Without a way to refresh, the expiry is the download's typed error.
  download::memory_sink again;
  download::download_options plain;
  auto [ec2, r2] = s.get(remote_of(f), again, plain);
  CHECK(ec2 == download_errc::reference_expired);
}

TEST_CASE("a location the server refuses fails with file_invalid, not a retry loop", "[download][e2e]") {
  emulator dc;
  logged_in s(dc);
  auto remote = remote_of(dc.catalog().files().front());
  remote.location.access_hash ^= 1;
  download::memory_sink out;
  auto [ec, r] = s.get(remote, out);
  CHECK(ec == download_errc::file_invalid);
  REQUIRE(r.last_error);
  CHECK(r.last_error->is_rpc("FILE_ID_INVALID"));
  CHECK(r.retries == 0);
}

TEST_CASE("cancellation through the completion token ends the download promptly", "[download][e2e]") {
  testdc::options opts;
  opts.files = {testdc::parse_file_spec("c.bin:8M:1")};
  opts.faults.rate_per_connection = 2'000'000;  // slow enough to cancel in the middle
  emulator dc(opts);
  logged_in s(dc);
  download::memory_sink out;
  asio::cancellation_signal signal;
  asio::steady_timer t(s.io, 300ms);
  t.async_wait([&](auto) { signal.emit(asio::cancellation_type::terminal); });
  // Named, not temporaries: GCC 12 copies temporaries of a co_await expression into the frame
  // bitwise (a std::string inside then points into a dead frame).
  const auto remote = remote_of(dc.catalog().files().front());
  const download::download_options options;
  auto [ec, r] = run(s.io, [&]() -> asio::awaitable<std::tuple<std::error_code, download::download_result>> {
    co_return co_await download::async_download(*s.c, remote, out, options,
                                                asio::bind_cancellation_slot(signal.slot(), as_tuple));
  }());
  CHECK(ec == download_errc::cancelled);
  CHECK(r.elapsed < 5s);
  CHECK_FALSE(out.finished());
}

TEST_CASE("the file sink resumes an interrupted download from its journal", "[download][e2e]") {
  testdc::options opts;
  opts.files = {testdc::parse_file_spec("big.bin:6M:1"), testdc::parse_file_spec("other.bin:6M:1")};
  opts.faults.rate_per_connection = 4'000'000;
  emulator dc(opts);
  logged_in s(dc);
  auto& f = file_named(dc, "big.bin");
  const auto remote = remote_of(f);
  const auto dir = temp_dir("resume");
  const auto target = dir / "big.bin";

  {  // first run: cancelled once a few MiB are on disk
    download::file_sink_options so;
    so.journal_every_bytes = 512 * 1024;
    download::file_sink out(target, so);
    auto [ec, r] = s.get_until(remote, out, 2 * 1024 * 1024);
    REQUIRE(ec == download_errc::cancelled);
    CHECK_FALSE(std::filesystem::exists(target));
    CHECK(std::filesystem::exists(out.part_path()));
    CHECK(std::filesystem::exists(out.journal_path()));
  }
  {  // a journal of another file is refused, and the partial file is kept
    download::file_sink_options so;
    so.resume = true;
    download::file_sink out(target, so);
    auto [ec, r] = s.get(remote_of(file_named(dc, "other.bin")), out);
    CHECK(ec == download_errc::journal_mismatch);
    CHECK(std::filesystem::exists(out.part_path()));
  }
  {  // second run: continues after the verified prefix; the whole file hashes right
    download::file_sink_options so;
    so.resume = true;
    download::file_sink out(target, so);
    download::download_options o;
    o.sha256 = true;
    auto [ec, r] = s.get(remote_of(f), out, o);
    REQUIRE_FALSE(ec);
    CHECK(r.resumed_bytes >= 512 * 1024);
    CHECK(r.resumed_bytes < f.spec.size);
    CHECK(hex(*r.sha256) == sha_of(f));
    CHECK(std::filesystem::exists(target));
    CHECK_FALSE(std::filesystem::exists(out.part_path()));
    CHECK_FALSE(std::filesystem::exists(out.journal_path()));
    std::ifstream in(target, std::ios::binary);
    std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(bytes == content_of(f, 0, f.spec.size));
  }
  {  // a corrupted part is detected by its CRC and fetched again
    download::file_sink_options so;
    so.journal_every_bytes = 512 * 1024;
    download::file_sink first(target, so);
    std::filesystem::remove(target);
    auto [ec, r] = s.get_until(remote, first, 3 * 1024 * 1024);
    REQUIRE(ec == download_errc::cancelled);
    {
      std::fstream part(first.part_path(), std::ios::in | std::ios::out | std::ios::binary);
      part.seekp(1000);
      part.put('\x5a');
      part.put('\xa5');
    }
    download::file_sink_options again;
    again.resume = true;
    download::file_sink out(target, again);
    download::download_options o2;
    o2.sha256 = true;
    auto [ec2, r2] = s.get(remote_of(f), out, o2);
    REQUIRE_FALSE(ec2);
    CHECK(r2.resumed_bytes == 0);  // the first part failed its CRC: nothing after it is trusted
    CHECK(hex(*r2.sha256) == sha_of(f));
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("an unwritable output path is a local I/O error", "[download][e2e]") {
  emulator dc;
  logged_in s(dc);
  download::file_sink out("/nonexistent-dir-for-mtproto-tests/x.bin");
  auto [ec, r] = s.get(remote_of(dc.catalog().files().front()), out);
  CHECK(ec == download_errc::local_io);
  CHECK(out.last_os_error() == std::errc::no_such_file_or_directory);
}
