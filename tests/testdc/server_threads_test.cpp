// mtproto-testdc with its own I/O threads (--threads): connections spread over the lanes download
// the same fixture at once, several requests in flight each, and every byte is checked; stopping
// closes connections that live on other threads. Built on its own so the ThreadSanitizer pass of
// scripts/test.sh runs it too.
#include <catch2/catch.hpp>

#include <atomic>
#include <map>
#include <thread>
#include <vector>

#include "mtproto/api/upload/File.h"
#include "mtproto/crypto/sha.h"
#include "mtproto/testdc/loopback_client.h"
#include "running_server.h"
#include "support.h"

using namespace mtproto;
using namespace mtproto::testdc;
using namespace mtproto::testdc::test;

namespace {

constexpr std::int32_t part = 128 * 1024;

options threaded_options(std::int32_t threads) {
  options o;
  o.dcs = 1;
  o.threads = threads;
  o.files = {{"lanes.bin", 3 * 1048576 + 777, 1, false}};
  return o;
}

/// Downloads `f` keeping `in_flight` requests outstanding; answers may come in any order.
crypto::sha256_digest pipelined_download(loopback_client& client, const published_file& f, int in_flight) {
  const auto size = f.content.size();
  std::vector<std::uint8_t> file(static_cast<std::size_t>(size));
  std::map<session::request_id, std::int64_t> offset_of;
  std::int64_t next = 0;
  auto send_next = [&] {
    if (next >= size) return;
    offset_of[client.submit(get_file_request(f, next, part))] = next;
    next += part;
  };
  for (int i = 0; i < in_flight; ++i) send_next();
  while (!offset_of.empty()) {
    auto [id, r] = client.next_answer();
    REQUIRE_FALSE(r.error);
    const auto it = offset_of.find(id);
    REQUIRE(it != offset_of.end());
    tl::reader reader(r.result);
    auto answer = api::upload::File::read(reader);
    const auto* bytes = answer.get_if<api::upload::file>();
    REQUIRE(bytes);
    REQUIRE(it->second + static_cast<std::int64_t>(bytes->bytes.size()) <= size);
    std::copy(bytes->bytes.begin(), bytes->bytes.end(), file.begin() + it->second);
    offset_of.erase(it);
    send_next();
  }
  return crypto::sha256(file);
}

}  // namespace

TEST_CASE("testdc threads: eight connections over four lanes download the same file at once") {
  running_server s(threaded_options(4));
  const auto& f = s.published.files()[0];
  const auto expected = f.content.sha256();
  constexpr int clients = 8;
  std::atomic<int> matched{0};
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < clients; ++i)
    threads.emplace_back([&, i] {
      try {
        loopback_client client(s.port(1), {}, s.key->public_key());
        if (client.call(bot_login_request(s.published)).error) {
          ++failed;
          return;
        }
        if (pipelined_download(client, f, 1 + i % 4 * 3) == expected) ++matched;
      } catch (...) {
        ++failed;
      }
    });
  for (auto& t : threads) t.join();
  CHECK(failed == 0);
  CHECK(matched == clients);
  const auto c = s.srv->counters();
  CHECK(c.connections == clients);
  CHECK(c.handshakes == clients);
  const auto parts_per_file = (f.content.size() + part - 1) / part;
  CHECK(c.requests == static_cast<std::uint64_t>(clients * (parts_per_file + 1)));
}

TEST_CASE("testdc threads: stopping closes connections that live on the server's own threads") {
  auto s = std::make_unique<running_server>(threaded_options(2));
  std::vector<std::unique_ptr<loopback_client>> idle;
  for (int i = 0; i < 3; ++i) idle.push_back(std::make_unique<loopback_client>(s->port(1), transport::client_options{}, s->key->public_key()));
  const auto& f = s->published.files()[0];
  const auto id = idle[0]->submit(get_file_request(f, 0, part));  // not logged in: answered with an error
  auto [answered, r] = idle[0]->next_answer();
  CHECK(answered == id);
  REQUIRE(r.error);
  CHECK(r.error->code == 401);
  s.reset();  // stops and joins with the connections still open
  for (auto& c : idle) CHECK_THROWS(c->next_answer());
}
