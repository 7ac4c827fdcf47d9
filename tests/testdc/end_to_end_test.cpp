// mtproto-testdc over real loopback sockets, driven by this library's own protocol core: handshake,
// bot login, a fixture downloaded with upload.getFile and checked against its SHA-256, FILE_MIGRATE
// followed by export/import authorization, an unknown auth key refused with -404, and temporary
// keys bound to permanent ones with auth.bindTempAuthKey.
#include <catch2/catch.hpp>

#include <thread>

#include "mtproto/api/auth/ExportedAuthorization.h"
#include "mtproto/api/fn/auth/bindTempAuthKey.h"
#include "mtproto/api/fn/auth/exportAuthorization.h"
#include "mtproto/api/fn/auth/importAuthorization.h"
#include "mtproto/api/fn/help/getConfig.h"
#include "mtproto/api/Config.h"
#include "mtproto/api/DcOption.h"
#include "mtproto/api/upload/File.h"
#include "mtproto/crypto/sha.h"
#include "mtproto/handshake/bind_temp_key.h"
#include "mtproto/testdc/loopback_client.h"
#include "running_server.h"
#include "support.h"

using namespace mtproto;
using namespace mtproto::testdc;
using namespace mtproto::testdc::test;

namespace {

options test_options() {
  options o;
  o.dcs = 2;
  o.files = {{"e2e.bin", 2 * 1048576 + 4321, 1, false}, {"far.bin", 300000, 2, false}};
  o.seed = 77;
  return o;
}

std::vector<std::uint8_t> import_bot(const catalog& c) { return bot_login_request(c); }

std::vector<std::uint8_t> get_file(const published_file& f, std::int64_t offset, std::int32_t limit) {
  return get_file_request(f, offset, limit);
}

crypto::sha256_digest download(loopback_client& client, const published_file& f, std::int32_t part) {
  crypto::sha256_hasher hasher;
  for (std::int64_t offset = 0;; offset += part) {
    auto r = client.call(get_file(f, offset, part));
    REQUIRE_FALSE(r.error);
    tl::reader reader(r.result);
    auto file = api::upload::File::read(reader);
    const auto* bytes = file.get_if<api::upload::file>();
    REQUIRE(bytes);
    hasher.update(bytes->bytes);
    if (static_cast<std::int32_t>(bytes->bytes.size()) < part) break;
  }
  return hasher.finish();
}

}  // namespace

TEST_CASE("testdc end to end: our core downloads a fixture over each transport") {
  running_server s(test_options());
  const auto& f = s.published.files()[0];
  const auto expected = f.content.sha256();
  struct transport_case {
    transport::protocol framing;
    bool obfuscated;
  };
  for (auto t : {transport_case{transport::protocol::full, false}, transport_case{transport::protocol::abridged, true},
                 transport_case{transport::protocol::intermediate, false},
                 transport_case{transport::protocol::padded_intermediate, true}}) {
    transport::client_options o;
    o.framing = t.framing;
    o.obfuscated = t.obfuscated;
    loopback_client client(s.port(1), o, s.key->public_key());
    auto before = client.call(get_file(f, 0, 4096));
    REQUIRE(before.error);
    CHECK(before.error->code == 401);
    REQUIRE_FALSE(client.call(import_bot(s.published)).error);
    CHECK(download(client, f, 524288) == expected);
  }
}

TEST_CASE("testdc end to end: FILE_MIGRATE, then export/import authorization on the file's DC") {
  running_server s(test_options());
  const auto& far = s.published.files()[1];
  loopback_client home(s.port(1), {}, s.key->public_key());
  REQUIRE_FALSE(home.call(import_bot(s.published)).error);
  auto migrate = home.call(get_file(far, 0, 65536));
  REQUIRE(migrate.error);
  CHECK(migrate.error->code == 303);
  CHECK(migrate.error->type == "FILE_MIGRATE");
  CHECK(migrate.error->argument == 2);

  api::auth::exportAuthorization ex{};
  ex.dc_id = 2;
  auto exported = home.call(encode(ex));
  REQUIRE_FALSE(exported.error);
  tl::reader r(exported.result);
  auto token = api::auth::ExportedAuthorization::read(r);
  const auto* t = token.get_if<api::auth::exportedAuthorization>();
  REQUIRE(t);

  loopback_client dc2(s.port(2), {}, s.key->public_key());
  api::auth::importAuthorization im{};
  im.id = t->id;
  im.bytes = t->bytes;
  REQUIRE_FALSE(dc2.call(encode(im)).error);
  CHECK(download(dc2, far, 131072) == far.content.sha256());

  // help.getConfig lists both DCs at their real ports.
  auto config = dc2.call(encode(api::help::getConfig{}));
  REQUIRE_FALSE(config.error);
  tl::reader cr(config.result);
  auto c = api::Config::read(cr);
  const auto* cfg = c.get_if<api::config>();
  REQUIRE(cfg);
  CHECK(cfg->this_dc == 2);
  REQUIRE(cfg->dc_options.size() == 2);
  const auto* dc1 = cfg->dc_options[0].get_if<api::dcOption>();
  REQUIRE(dc1);
  CHECK(dc1->port == s.port(1));
}

TEST_CASE("testdc end to end: an unknown auth key is refused with transport error -404") {
  running_server s(test_options());
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.connect({asio::ip::make_address("127.0.0.1"), s.port(1)});
  auto codec = transport::stream_codec::client({}, crypto::secure_random);
  asio::write(socket, asio::buffer(codec.preamble().data(), codec.preamble().size()));
  std::vector<std::uint8_t> packet(8 + 16 + 48, 0x5a);  // auth_key_id 0x5a5a..., never created
  const auto wire = codec.encode(packet);
  asio::write(socket, asio::buffer(wire));
  std::optional<std::int32_t> code;
  while (!code) {
    auto space = codec.prepare(64);
    std::error_code ec;
    const auto n = socket.read_some(asio::buffer(space.data(), space.size()), ec);
    if (ec) break;
    codec.commit(n);
    while (auto ev = codec.next())
      if (auto* e = std::get_if<transport::transport_error_received>(&*ev)) code = e->code;
  }
  REQUIRE(code);
  CHECK(*code == -404);
}

TEST_CASE("testdc end to end: --drop-every closes the connection after every N-th answer") {
  auto o = test_options();
  o.faults.drop_every = 3;
  running_server s(o);
  loopback_client client(s.port(1), {}, s.key->public_key());
  REQUIRE_FALSE(client.call(import_bot(s.published)).error);           // answer 1
  REQUIRE_FALSE(client.call(encode(api::help::getConfig{})).error);  // answer 2
  // Answer 3 is delivered, then the server closes the connection.
  REQUIRE_FALSE(client.call(encode(api::help::getConfig{})).error);
  CHECK_THROWS(client.call(encode(api::help::getConfig{})));
}

TEST_CASE("testdc end to end: --rate-per-connection paces what one connection receives") {
  auto o = test_options();
  o.faults.rate_per_connection = 4 << 20;  // 4 MiB/s
  running_server s(o);
  loopback_client client(s.port(1), {}, s.key->public_key());
  REQUIRE_FALSE(client.call(import_bot(s.published)).error);
  const auto& f = s.published.files()[0];  // 2 MiB + 4321 bytes
  const auto start = std::chrono::steady_clock::now();
  CHECK(download(client, f, 524288) == f.content.sha256());
  const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  CHECK(took.count() >= 0.45);  // ~2 MiB at 4 MiB/s, from the connection's start
}

namespace {

/// auth.bindTempAuthKey for `temp` onto `perm`'s key, encrypted for message `msg_id` (0: the one
/// it is sent in).
call_result bind(loopback_client& temp, const loopback_client& perm, std::int64_t encrypted_for = 0) {
  const auto msg_id = temp.next_msg_id();
  REQUIRE(temp.expires_at());
  auto b = handshake::make_bind_temp_auth_key(perm.auth_key(), temp.auth_key(), temp.session_id(), *temp.expires_at(),
                                              encrypted_for ? encrypted_for : msg_id, crypto::secure_random);
  const api::auth::bindTempAuthKey req{.perm_auth_key_id = b.perm_auth_key_id,
                                       .nonce = b.nonce,
                                       .expires_at = b.expires_at,
                                       .encrypted_message = std::move(b.encrypted_message)};
  return temp.call(encode(req), msg_id);
}

bool is_bool_true(const call_result& r) {
  if (r.error || r.result.size() != 4) return false;
  tl::reader reader(r.result);
  return api::auth::bindTempAuthKey::read_result(reader);
}

}  // namespace

TEST_CASE("testdc end to end: a temporary key bound with auth.bindTempAuthKey acts as its permanent key") {
  running_server s(test_options());
  const auto& f = s.published.files()[0];
  constexpr std::int32_t one_day = 86400;
  loopback_client perm(s.port(1), {}, s.key->public_key());
  REQUIRE_FALSE(perm.call(import_bot(s.published)).error);

  loopback_client temp(s.port(1), {}, s.key->public_key(), one_day);
  REQUIRE(temp.expires_at());
  CHECK(temp.auth_key().id() != perm.auth_key().id());
  auto before = temp.call(get_file(f, 0, 4096));
  REQUIRE(before.error);
  CHECK(before.error->code == 401);  // unbound: a key of its own, not logged in

  // A binding encrypted for another message, or a permanent key posing as temporary, is refused.
  auto wrong_message = bind(temp, perm, temp.next_msg_id());
  REQUIRE(wrong_message.error);
  CHECK(wrong_message.error->type == "ENCRYPTED_MESSAGE_INVALID");
  {
    api::auth::bindTempAuthKey as_perm{};
    as_perm.perm_auth_key_id = perm.auth_key().id();
    as_perm.expires_at = *temp.expires_at();
    as_perm.encrypted_message = std::vector<std::uint8_t>(64, 1);
    auto r = perm.call(encode(as_perm));
    REQUIRE(r.error);
    CHECK(r.error->type == "TEMP_AUTH_KEY_EMPTY");
  }

  CHECK(is_bool_true(bind(temp, perm)));
  CHECK(is_bool_true(bind(temp, perm)));  // binding again to the same key is harmless
  CHECK(download(temp, f, 524288) == f.content.sha256());  // the bot's login, through the temp key

  // One permanent key per temporary key.
  loopback_client other_perm(s.port(1), {}, s.key->public_key());
  auto rebind = bind(temp, other_perm);
  REQUIRE(rebind.error);
  CHECK(rebind.error->type == "TEMP_AUTH_KEY_ALREADY_BOUND");

  // A login made through a bound temp key belongs to the permanent key.
  loopback_client fresh_perm(s.port(1), {}, s.key->public_key());
  loopback_client fresh_temp(s.port(1), {}, s.key->public_key(), one_day);
  CHECK(is_bool_true(bind(fresh_temp, fresh_perm)));
  REQUIRE(fresh_perm.call(get_file(f, 0, 4096)).error);
  REQUIRE_FALSE(fresh_temp.call(import_bot(s.published)).error);
  CHECK_FALSE(fresh_perm.call(get_file(f, 0, 4096)).error);

  // A key bound on DC 1 means nothing on DC 2 (keys belong to their DC).
  loopback_client temp_dc2(s.port(2), {}, s.key->public_key(), one_day);
  auto cross = bind(temp_dc2, perm);
  REQUIRE(cross.error);
  CHECK(cross.error->type == "ENCRYPTED_MESSAGE_INVALID");
}

TEST_CASE("testdc end to end: an expired temporary key is refused like an unknown one") {
  running_server s(test_options());
  loopback_client temp(s.port(1), {}, s.key->public_key(), /*expires_in=*/1);
  REQUIRE_FALSE(temp.call(encode(api::help::getConfig{})).error);
  std::this_thread::sleep_for(std::chrono::milliseconds(2100));
  CHECK_THROWS_WITH(temp.call(encode(api::help::getConfig{})), "transport error -404");
}
