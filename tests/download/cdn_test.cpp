// Files Telegram keeps on a CDN DC, end to end against mtproto-testdc: the file's DC redirects,
// the client fetches the CDN DC's address and RSA key (help.getConfig, help.getCdnConfig; the CDN
// DC refuses the regular DCs' key), the CDN asks for reuploadCdnFile first, every part is AES-CTR
// decrypted and checked against the CDN hashes; a tampered part is fetched again, one tampered
// twice fails the download with integrity_failed.
#include <catch2/catch.hpp>

#include "download/download_support.h"
#include "mtproto/download/error.h"
#include "mtproto/download/memory_sink.h"

using namespace mtproto;
using namespace mtproto::test;
using download::download_errc;

TEST_CASE("cdn: a file on a CDN DC is fetched there, reuploaded first, every part checked", "[download][e2e][cdn]") {
  testdc::options opts;
  opts.files = {testdc::parse_file_spec("c.bin:2500017:1:cdn")};
  emulator dc(opts);
  logged_in s(dc);
  auto& f = dc.catalog().files().front();
  download::memory_sink out;
  download::download_options o;
  o.sha256 = true;
  SECTION("whole file") {
    auto [ec, r] = s.get(remote_of(f), out, o);
    REQUIRE_FALSE(ec);
    CHECK(hex(*r.sha256) == sha_of(f));
    CHECK(r.cdn_requests > 0);
    CHECK(r.cdn_reuploads >= 1);
    CHECK(r.hash_mismatches == 0);
    const auto stats = s.c->stats();
    CHECK(stats.sessions_per_dc.contains(testdc::cdn_dc_id));
  }
  SECTION("a range, with small parts (each request a whole hash block, cut to the part)") {
    o.range = {{300'001, 1'700'003}};
    o.part_size = 32 * 1024;
    auto [ec, r] = s.get(remote_of(f), out, o);
    REQUIRE_FALSE(ec);
    CHECK(out.bytes() == content_of(f, 300'001, 1'700'003));
    CHECK(r.cdn_requests > 0);
  }
}

TEST_CASE("cdn: a tampered CDN part is fetched again; tampered every time, the download fails", "[download][e2e][cdn]") {
  testdc::options opts;
  opts.files = {testdc::parse_file_spec("t.bin:3M:1:cdn")};
  SECTION("every 3rd CDN part tampered") {
    opts.faults.corrupt_every = 3;
    emulator dc(opts);
    logged_in s(dc);
    auto& f = dc.catalog().files().front();
    download::memory_sink out;
    download::download_options o;
    o.sha256 = true;
    auto [ec, r] = s.get(remote_of(f), out, o);
    REQUIRE_FALSE(ec);
    CHECK(hex(*r.sha256) == sha_of(f));
    CHECK(r.hash_mismatches >= 1);
  }
  SECTION("every CDN part tampered") {
    opts.faults.corrupt_every = 1;
    emulator dc(opts);
    logged_in s(dc);
    download::memory_sink out;
    auto [ec, r] = s.get(remote_of(dc.catalog().files().front()), out);
    CHECK(ec == download_errc::integrity_failed);
    CHECK(out.bytes().empty());
  }
}
