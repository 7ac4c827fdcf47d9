// Downloads through an account pool and with per-part verification, end to end against
// mtproto-testdc: a per-account bandwidth cap is beaten by spreading one file over three bots; a
// flooded bot rests while the others carry the download (checked from the emulator's request
// log); upload.getFileHashes catches corrupted parts, which are fetched again, and a part that
// stays corrupt fails the download with a typed error.
#include <catch2/catch.hpp>

#include "download/download_support.h"
#include "mtproto/download/error.h"
#include "mtproto/download/memory_sink.h"

using namespace mtproto;
using namespace mtproto::test;
using download::download_errc;

namespace {

/// Bots logged in on one io_context (a pool's clients share the executor that runs it).
struct bot_pool {
  asio::io_context io;
  std::vector<std::unique_ptr<client::client>> clients;
  std::vector<std::string> names;

  bot_pool(emulator& dc, int bots, int first_id = 5001) {
    for (int i = 0; i < bots; ++i) {
      auto o = dc.client_options();
      clients.push_back(std::make_unique<client::client>(io.get_executor(), o));
      const auto token = fmt::format("{}:pool{}", first_id + i, i);
      REQUIRE(run(io, client::sign_in_bot(*clients.back(), token)));
      names.push_back(fmt::format("bot{}", first_id + i));
    }
  }
  ~bot_pool() {
    for (auto& c : clients) c->shutdown();
  }

  std::vector<download::pool_member> members(const testdc::published_file& f) {
    std::vector<download::pool_member> m;
    for (std::size_t i = 0; i < clients.size(); ++i) m.push_back({clients[i].get(), names[i], remote_of(f), {}});
    return m;
  }

  std::pair<std::error_code, download::download_result> get(std::vector<download::pool_member> m, download::sink& out,
                                                            download::download_options o = {}) {
    auto [ec, r] = run(io, [&]() -> asio::awaitable<std::tuple<std::error_code, download::download_result>> {
      co_return co_await download::async_download(std::move(m), out, o, as_tuple);
    }());
    return {ec, std::move(r)};
  }
};


}  // namespace

TEST_CASE("pool: three accounts under a per-account cap move one file at close to three caps", "[download][e2e][pool]") {
  constexpr std::int64_t cap = 3'000'000;  // bytes per second per account
  testdc::options opts;
  opts.files = {testdc::parse_file_spec("pool.bin:40M:1")};
  opts.faults.account_rate = cap;
  emulator dc(opts);
  bot_pool pool(dc, 3);
  auto& f = dc.catalog().files().front();
  download::memory_sink out;
  download::download_options o;
  o.sha256 = true;
  auto [ec, r] = pool.get(pool.members(f), out, o);
  REQUIRE_FALSE(ec);
  CHECK(hex(*r.sha256) == sha_of(f));
  const double rate = static_cast<double>(f.spec.size) / seconds(r.elapsed);
  INFO("pool rate " << rate / 1e6 << " MB/s = " << rate / cap << " caps in " << seconds(r.elapsed) << " s");
  CHECK(rate >= 2.7 * cap);
  REQUIRE(r.accounts.size() == 3);
  std::int64_t bytes = 0;
  for (const auto& a : r.accounts) {
    INFO(a.account << ": " << a.bytes << " bytes in " << a.requests << " requests");
    CHECK(a.bytes > f.spec.size / 5);  // every account carried a share
    CHECK_FALSE(a.dropped);
    bytes += a.bytes;
  }
  CHECK(bytes == f.spec.size);
}

TEST_CASE("pool: a flooded account rests inside its waits while the others carry the download", "[download][e2e][pool]") {
  testdc::options opts;
  opts.files = {testdc::parse_file_spec("flooded.bin:12M:1")};
  opts.faults.flood_account = 5002;  // the second bot only
  opts.faults.flood_every = 2;
  opts.faults.flood_seconds = 2;
  opts.faults.rate_per_connection = 4'000'000;
  const auto dir = temp_dir("pool-flood");
  opts.request_log = (dir / "requests.log").string();
  emulator dc(opts);
  bot_pool pool(dc, 3);
  auto& f = dc.catalog().files().front();
  download::memory_sink out;
  download::download_options o;
  o.sha256 = true;
  auto [ec, r] = pool.get(pool.members(f), out, o);
  REQUIRE_FALSE(ec);
  CHECK(hex(*r.sha256) == sha_of(f));
  REQUIRE(r.accounts.size() == 3);
  CHECK(r.accounts[1].flood_waits > 0);
  CHECK(r.accounts[0].flood_waits == 0);
  CHECK(r.accounts[2].flood_waits == 0);
  CHECK(r.accounts[0].bytes > r.accounts[1].bytes);
  CHECK(r.accounts[2].bytes > r.accounts[1].bytes);
  const auto log = read_request_log(opts.request_log);
  const auto floods = std::count_if(log.begin(), log.end(), [](const auto& l) { return l.answer.starts_with("FLOOD_WAIT_"); });
  CHECK(static_cast<std::uint64_t>(floods) == r.flood_waits);
  for (const auto& l : log)
    if (l.answer.starts_with("FLOOD_WAIT_")) CHECK(l.account == 5002);
  const auto violations = wait_violations(log, 500);
  for (const auto& v : violations) UNSCOPED_INFO(v);
  CHECK(violations.empty());
  std::filesystem::remove_all(dir);
}

TEST_CASE("pool: an account told to wait too long leaves the file to the others", "[download][e2e][pool]") {
  testdc::options opts;
  opts.files = {testdc::parse_file_spec("long.bin:6M:1")};
  opts.faults.flood_account = 5001;
  opts.faults.flood_every = 1;
  opts.faults.flood_seconds = 60;
  emulator dc(opts);
  bot_pool pool(dc, 2);
  auto& f = dc.catalog().files().front();
  download::memory_sink out;
  download::download_options o;
  o.sha256 = true;
  o.flood.auto_sleep_limit = std::chrono::seconds(5);
  auto [ec, r] = pool.get(pool.members(f), out, o);
  REQUIRE_FALSE(ec);
  CHECK(hex(*r.sha256) == sha_of(f));
  CHECK(r.accounts[0].bytes == 0);
  CHECK(r.accounts[1].bytes == f.spec.size);
  CHECK(seconds(r.elapsed) < 30);  // nobody slept through the 60 s
}

TEST_CASE("pool: members that cannot form a pool fail with invalid_argument", "[download][e2e][pool]") {
  emulator dc;
  bot_pool pool(dc, 2);
  auto& f = dc.catalog().files().front();
  download::memory_sink out;
  auto same_name = pool.members(f);
  same_name[1].account = same_name[0].account;
  CHECK(pool.get(same_name, out).first == std::errc::invalid_argument);
  auto other_size = pool.members(f);
  other_size[1].file.size += 1;
  download::memory_sink out2;
  CHECK(pool.get(other_size, out2).first == std::errc::invalid_argument);
  auto no_client = pool.members(f);
  no_client[1].client = nullptr;
  download::memory_sink out3;
  CHECK(pool.get(no_client, out3).first == std::errc::invalid_argument);
  CHECK_THROWS_AS(download::download_job::create(std::vector<download::pool_member>{}, out3, {}, {}),
                  std::invalid_argument);
}

TEST_CASE("verify: every part is checked against upload.getFileHashes", "[download][e2e][verify]") {
  testdc::options opts;
  opts.files = {testdc::parse_file_spec("v.bin:5000017:1")};
  emulator dc(opts);
  logged_in s(dc);
  auto& f = dc.catalog().files().front();
  download::download_options o;
  o.sha256 = true;
  o.verify = true;
  SECTION("a whole file") {
    download::memory_sink out;
    auto [ec, r] = s.get(remote_of(f), out, o);
    REQUIRE_FALSE(ec);
    CHECK(hex(*r.sha256) == sha_of(f));
    CHECK(r.hash_requests > 0);
    CHECK(r.hash_mismatches == 0);
  }
  SECTION("a range whose ends lie inside hash blocks") {
    o.range = {{1'000'003, 3'333'333}};
    download::memory_sink out;
    auto [ec, r] = s.get(remote_of(f), out, o);
    REQUIRE_FALSE(ec);
    CHECK(out.bytes() == content_of(f, 1'000'003, 3'333'333));
    CHECK(r.hash_mismatches == 0);
  }
  SECTION("small parts are raised to a whole hash block") {
    o.part_size = 16 * 1024;
    download::memory_sink out;
    auto [ec, r] = s.get(remote_of(f), out, o);
    REQUIRE_FALSE(ec);
    CHECK(hex(*r.sha256) == sha_of(f));
  }
}

TEST_CASE("verify: a corrupted part is fetched again; one corrupt twice fails the download", "[download][e2e][verify]") {
  testdc::options opts;
  opts.files = {testdc::parse_file_spec("c.bin:6M:1")};
  SECTION("every 4th part served is corrupt: refetched, the file arrives intact") {
    opts.faults.corrupt_every = 4;
    emulator dc(opts);
    logged_in s(dc);
    auto& f = dc.catalog().files().front();
    download::download_options o;
    o.sha256 = true;
    o.verify = true;
    download::memory_sink out;
    auto [ec, r] = s.get(remote_of(f), out, o);
    REQUIRE_FALSE(ec);
    CHECK(hex(*r.sha256) == sha_of(f));
    CHECK(r.hash_mismatches >= 1);
    // Without the check the same fault gets through: the fault is real.
    download::memory_sink unchecked;
    download::download_options plain;
    plain.sha256 = true;
    auto [ec2, r2] = s.get(remote_of(f), unchecked, plain);
    REQUIRE_FALSE(ec2);
    CHECK(hex(*r2.sha256) != sha_of(f));
  }
  SECTION("every part served is corrupt: integrity_failed, nothing written") {
    opts.faults.corrupt_every = 1;
    emulator dc(opts);
    logged_in s(dc);
    download::download_options o;
    o.verify = true;
    download::memory_sink out;
    auto [ec, r] = s.get(remote_of(dc.catalog().files().front()), out, o);
    CHECK(ec == download_errc::integrity_failed);
    CHECK(out.bytes().empty());
    CHECK(out.failure() == download_errc::integrity_failed);
  }
}
