#include <catch2/catch.hpp>

#include <asio/ip/tcp.hpp>

#include "shared_sessions.h"

using namespace tgstream;
namespace client = mtproto::client;

TEST_CASE("redis session store: a Redis that cannot be reached is an error, never an empty session", "[tgstream]") {
  // A port nothing listens on: bound, then closed.
  asio::io_context io;
  asio::ip::tcp::acceptor a(io, asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  redis_endpoint e;
  e.port = a.local_endpoint().port();
  a.close();
  client::file_store_options protection;
  protection.passphrase = "pw";
  protection.kdf.n = 1u << 10;
  redis_session_store store(e, session_key("tgstream:", "bot1"), protection, std::chrono::milliseconds(500));
  client::stored_session out;
  out.user_id = 42;
  CHECK(store.load(out) == client::store_errc::io_failed);
  CHECK(out.user_id == 42);
  CHECK(store.last_problem().find("cannot be reached") != std::string::npos);
  CHECK(store.save(out) == client::store_errc::io_failed);
  CHECK(session_key("tgstream:", "bot1") == "tgstream:session:bot1");
}
