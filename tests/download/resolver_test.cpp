// resolver end to end against mtproto-testdc: links to the emulator's posts resolve to their
// documents, then download intact; each way a link can lead nowhere is its own error.
#include <asio/experimental/as_tuple.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <catch2/catch.hpp>

#include "client/testdc_fixture.h"
#include "mtproto/client/auth.h"
#include "mtproto/download/downloader.h"
#include "mtproto/download/error.h"
#include "mtproto/download/memory_sink.h"
#include "mtproto/download/resolver.h"

using namespace mtproto;
using namespace mtproto::test;
using download::download_errc;

namespace {

struct resolving {
  asio::io_context io;
  std::unique_ptr<client::client> c;
  std::unique_ptr<download::resolver> r;
  explicit resolving(emulator& dc) {
    c = std::make_unique<client::client>(io.get_executor(), dc.client_options());
    REQUIRE(run(io, client::sign_in_bot(*c, dc.catalog().bot_token())));
    r = std::make_unique<download::resolver>(*c);
  }
  ~resolving() { c->shutdown(); }

  std::pair<std::error_code, download::resolved_link> resolve(const std::string& text) {
    auto parsed = download::parse_link(text);
    REQUIRE(parsed);
    const download::message_link link = parsed.link();
    // Through the completion-token form, so every case here exercises it.
    return run(io, [&]() -> asio::awaitable<std::pair<std::error_code, download::resolved_link>> {
      auto [ec, l] = co_await download::async_resolve(*r, link, asio::experimental::as_tuple(asio::use_awaitable));
      co_return std::pair{ec, std::move(l)};
    }());
  }
};

}  // namespace

TEST_CASE("a link to a post resolves to its document, which downloads intact", "[download][resolver]") {
  emulator dc;
  resolving s(dc);
  for (auto& f : dc.catalog().files()) {
    const std::string link = fmt::format("https://t.me/{}/{}", dc.catalog().channel().username, f.post.id);
    INFO(link);
    auto [ec, resolved] = s.resolve(link);
    REQUIRE_FALSE(ec);
    REQUIRE(resolved.items.size() == 1);
    const auto& item = resolved.items.front();
    CHECK(item.file.size == f.spec.size);
    CHECK(item.file.file_name == f.spec.name);
    CHECK(item.file.location.dc_id == f.spec.dc);
    CHECK(item.message_id == f.post.id);
    CHECK(item.date == f.post.document.date);
    CHECK(item.date > 0);

    download::memory_sink out;
    download::download_options o;
    o.sha256 = true;
    o.refresh_reference = s.r->refresher(resolved, item);
    auto [dec, result] = run(s.io, [&]() -> asio::awaitable<std::tuple<std::error_code, download::download_result>> {
      co_return co_await download::async_download(*s.c, item.file, out, o,
                                                  asio::experimental::as_tuple(asio::use_awaitable));
    }());
    REQUIRE_FALSE(dec);
    std::string hex;
    for (auto b : *result.sha256) hex += fmt::format("{:02x}", b);
    CHECK(hex == sha_of(f));
  }
  // The username is resolved once and cached.
  auto [ec, again] = s.resolve(fmt::format("t.me/{}/{}", dc.catalog().channel().username, dc.catalog().files()[0].post.id));
  CHECK_FALSE(ec);
}

TEST_CASE("links that lead nowhere fail with distinct errors", "[download][resolver]") {
  emulator dc;
  resolving s(dc);
  CHECK(s.resolve("https://t.me/nosuchchannel/10").first == download_errc::peer_not_found);
  CHECK(s.resolve(fmt::format("https://t.me/{}/999999", dc.catalog().channel().username)).first ==
        download_errc::message_not_found);
}

TEST_CASE("a resolved link adopted by another resolver of the account: no username lookup, refreshes work",
          "[download][resolver]") {
  emulator dc;
  const auto& f = dc.catalog().files()[0];
  const std::string link = fmt::format("https://t.me/{}/{}", dc.catalog().channel().username, f.post.id);
  resolving first(dc);
  auto [ec, resolved] = first.resolve(link);
  REQUIRE_FALSE(ec);
  CHECK(resolved.channel_access_hash == dc.catalog().channel().access_hash);

  // Another process of the same account (a second tgstream node) takes it from a shared cache.
  resolving adopted(dc), control(dc);
  adopted.r->adopt(resolved);
  const auto requests = [&] { return dc.counters().requests; };
  auto before = requests();
  auto [cec, fresh] = control.resolve(link);
  REQUIRE_FALSE(cec);
  const auto control_requests = requests() - before;
  before = requests();
  auto [aec, again] = adopted.resolve(link);
  REQUIRE_FALSE(aec);
  CHECK(requests() - before == control_requests - 1);  // no contacts.resolveUsername
  CHECK(again.items.front().file.location == resolved.items.front().file.location);

  // Its refresher fetches the message through the adopted channel.
  auto refresh = adopted.r->refresher(resolved, resolved.items.front());
  std::error_code rec = make_error_code(std::errc::io_error);
  std::vector<std::uint8_t> reference;
  bool done = false;
  refresh([&](std::error_code e, std::vector<std::uint8_t> r) {
    rec = e;
    reference = std::move(r);
    done = true;
  });
  for (int i = 0; i < 2000 && !done; ++i) adopted.io.run_one_for(std::chrono::milliseconds(10));
  REQUIRE(done);
  CHECK_FALSE(rec);
  CHECK(reference == f.post.document.file_reference);

  // Nothing to adopt from an empty result.
  adopted.r->adopt(download::resolved_link{});
}
