// How server answers and failures reach a caller: typed results, rpc_error detail, error codes.
#include <catch2/catch.hpp>

#include "mtproto/api/Config.h"
#include "mtproto/api/fn/help/getConfig.h"
#include "mtproto/client/client.h"
#include "mtproto/tl/writer.h"

using namespace mtproto;
using namespace mtproto::client;

TEST_CASE("call_result: rpc errors keep their type and argument", "[call]") {
  call_result<int> r = call_error::from_rpc(rpc_error::parse(420, "FLOOD_WAIT_31"));
  REQUIRE_FALSE(r.has_value());
  CHECK(r.code() == client_errc::rpc_failed);
  REQUIRE(r.rpc());
  CHECK(r.rpc()->type == "FLOOD_WAIT");
  CHECK(r.rpc()->argument == 31);
  CHECK(r.rpc()->wait() == std::chrono::seconds(31));
  CHECK(r.error().message() == "FLOOD_WAIT_31 (420)");
  CHECK(r.error().is_rpc("FLOOD_WAIT"));
  try {
    (void)r.value();
    FAIL("value() must throw");
  } catch (const call_exception& e) {
    CHECK(e.code() == client_errc::rpc_failed);
    REQUIRE(e.error().rpc);
    CHECK(e.error().rpc->message == "FLOOD_WAIT_31");
  }
}

TEST_CASE("call_result: migrations carry the DC", "[call]") {
  call_result<int> r = call_error::from_rpc(rpc_error::parse(303, "FILE_MIGRATE_4"));
  REQUIRE(r.rpc());
  CHECK(r.rpc()->migrate_to_dc() == 4);
}

TEST_CASE("call_result: client errors are plain error codes", "[call]") {
  call_result<int> r = make_error_code(client_errc::timeout);
  CHECK(r.code() == client_errc::timeout);
  CHECK(r.rpc() == nullptr);
  CHECK(r.code().category().name() == std::string("mtproto.client"));
  CHECK_FALSE(r.code().message().empty());
  call_result<int> ok = 5;
  CHECK(ok.value() == 5);
  CHECK_FALSE(ok.code());
}

TEST_CASE("decode_result: typed answer, or a TL decoding error code", "[call]") {
  api::config cfg;
  cfg.this_dc = 2;
  cfg.test_mode = true;
  cfg.dc_txt_domain_name = "x";
  cfg.me_url_prefix = "https://t.me/";
  std::vector<std::uint8_t> bytes;
  tl::writer w(bytes);
  cfg.write(w);
  auto r = decode_result<api::help::getConfig>(nullptr, bytes);
  REQUIRE(r.has_value());
  REQUIRE(r->get_if<api::config>());
  CHECK(r->get_if<api::config>()->this_dc == 2);

  bytes.resize(bytes.size() / 2);
  auto bad = decode_result<api::help::getConfig>(nullptr, bytes);
  REQUIRE_FALSE(bad.has_value());
  CHECK(bad.code().category() == tl::decode_category());

  const call_error timeout{make_error_code(client_errc::timeout), std::nullopt};
  CHECK(decode_result<api::help::getConfig>(&timeout, {}).code() == client_errc::timeout);
}
