#include <catch2/catch.hpp>

#include "mtproto/session/rpc_error.h"

using mtproto::rpc_error;
using namespace std::chrono_literals;

TEST_CASE("wait-shaped errors parse to a type, an argument and a clamped wait") {
  auto e = rpc_error::parse(420, "FLOOD_WAIT_31");
  CHECK(e.type == "FLOOD_WAIT");
  CHECK(e.argument == 31);
  CHECK(e.wait() == 31s);
  CHECK_FALSE(e.migrate_to_dc());
  CHECK(rpc_error::parse(420, "FLOOD_PREMIUM_WAIT_5").wait() == 5s);
  CHECK(rpc_error::parse(420, "SLOWMODE_WAIT_60").wait() == 60s);
  CHECK(rpc_error::parse(420, "2FA_CONFIRM_WAIT_86400").wait() == 86400s);
  CHECK(rpc_error::parse(420, "TAKEOUT_INIT_DELAY_3").wait() == 3s);
  CHECK(rpc_error::parse(420, "FLOOD_WAIT_0").wait() == 1s);
  CHECK(rpc_error::parse(420, "FLOOD_WAIT_999999999999").wait() == rpc_error::max_wait);
}

TEST_CASE("migrations name the DC") {
  CHECK(rpc_error::parse(303, "FILE_MIGRATE_4").migrate_to_dc() == 4);
  CHECK(rpc_error::parse(303, "USER_MIGRATE_2").migrate_to_dc() == 2);
  CHECK(rpc_error::parse(303, "PHONE_MIGRATE_5").migrate_to_dc() == 5);
  CHECK(rpc_error::parse(303, "NETWORK_MIGRATE_1").migrate_to_dc() == 1);
  CHECK(rpc_error::parse(303, "STATS_MIGRATE_3").migrate_to_dc() == 3);
  CHECK_FALSE(rpc_error::parse(303, "FILE_MIGRATE_0").migrate_to_dc());
  CHECK_FALSE(rpc_error::parse(303, "FILE_MIGRATE_99999999").migrate_to_dc());
  CHECK_FALSE(rpc_error::parse(420, "FLOOD_WAIT_4").migrate_to_dc());
}

TEST_CASE("errors without an argument keep their whole message as type") {
  auto e = rpc_error::parse(400, "FILE_REFERENCE_EXPIRED");
  CHECK(e.type == "FILE_REFERENCE_EXPIRED");
  CHECK_FALSE(e.argument);
  CHECK_FALSE(e.wait());
  CHECK(e.is("FILE_REFERENCE_EXPIRED"));
  CHECK(rpc_error::parse(400, "").type.empty());
  CHECK(rpc_error::parse(400, "X_").type == "X_");
  CHECK(rpc_error::parse(400, "_5").type == "");
  CHECK(rpc_error::parse(400, "_5").argument == 5);
}
