// The application layer in process: login, getFile rules and faults, migration, layers.
#include <catch2/catch.hpp>

#include "mtproto/api/Config.h"
#include "mtproto/api/User.h"
#include "mtproto/api/auth/Authorization.h"
#include "mtproto/api/auth/ExportedAuthorization.h"
#include "mtproto/api/fn/auth/exportAuthorization.h"
#include "mtproto/api/fn/auth/importAuthorization.h"
#include "mtproto/api/fn/help/getConfig.h"
#include "mtproto/api/fn/updates/getState.h"
#include "mtproto/api/upload/File.h"
#include "mtproto/crypto/sha.h"
#include "mtproto/testdc/l144/Config.h"
#include "support.h"

using namespace mtproto;
using namespace mtproto::testdc;
using namespace mtproto::testdc::test;

namespace {

std::vector<std::uint8_t> file_bytes(const rpc_answer& a) {
  REQUIRE_FALSE(a.is_error());
  tl::reader r(a.result);
  auto f = api::upload::File::read(r);
  const auto* file = f.get_if<api::upload::file>();
  REQUIRE(file);
  return file->bytes;
}

std::vector<std::uint8_t> wrapped_get_config(std::int32_t layer) {
  std::vector<std::uint8_t> out;
  tl::writer w(out);
  w.write_uint(0xda9b0d0d);  // invokeWithLayer
  w.write_int(layer);
  w.write_uint(0xc1cd5ea9);  // initConnection, flags 0
  w.write_uint(0);
  w.write_int(1);
  for (const char* s : {"device", "1.0", "app", "en", "", "en"}) w.write_string(s);
  w.write_uint(api::help::getConfig::constructor_id);
  return out;
}

std::uint32_t result_id(const rpc_answer& a) {
  REQUIRE_FALSE(a.is_error());
  tl::reader r(a.result);
  return r.read_uint();
}

}  // namespace

TEST_CASE("testdc api: requests before login get 401, as clients expect when probing") {
  harness h;
  const auto& f = h.published.files()[0];
  auto a = h.call(h.get_file(f, 0, 4096));
  CHECK(a.error_code == 401);
  CHECK(a.error_message == "AUTH_KEY_UNREGISTERED");
  CHECK(h.call(encode(api::updates::getState{})).error_code == 401);
  CHECK_FALSE(h.call(encode(api::help::getConfig{})).is_error());  // no login needed
}

TEST_CASE("testdc api: bot login with the printed token or any digits:letters token") {
  harness h;
  auto a = h.login();
  REQUIRE_FALSE(a.is_error());
  tl::reader r(a.result);
  auto auth = api::auth::Authorization::read(r);
  const auto* ok = auth.get_if<api::auth::authorization>();
  REQUIRE(ok);
  const auto* user = ok->user.get_if<api::user>();
  REQUIRE(user);
  CHECK(user->bot);
  CHECK(user->id == h.published.bot().id);
  CHECK(std::to_string(user->id) == h.published.bot_token().substr(0, h.published.bot_token().find(':')));
  CHECK(h.published.bot_for_token("123:abcDEF")->id == 123);
  CHECK_FALSE(h.published.bot_for_token("abc:def"));
  CHECK_FALSE(h.published.bot_for_token("123:"));
  CHECK_FALSE(h.published.bot_for_token("123:a b"));
}

TEST_CASE("testdc api: getFile serves the deterministic content and an empty part at the end") {
  harness h;
  REQUIRE_FALSE(h.login().is_error());
  const auto& f = h.published.files()[0];
  crypto::sha256_hasher hasher;
  std::int64_t got = 0;
  for (std::int64_t offset = 0;; offset += 524288) {
    const auto part = file_bytes(h.call(h.get_file(f, offset, 524288)));
    std::vector<std::uint8_t> expected(part.size());
    f.content.read(offset, expected);
    REQUIRE(part == expected);
    hasher.update(part);
    got += static_cast<std::int64_t>(part.size());
    if (part.size() < 524288) break;
  }
  CHECK(got == f.content.size());
  CHECK(hasher.finish() == f.content.sha256());
  // offset == size (clients that do not know the size ask once more)
  const auto aligned = (f.content.size() + 4095) / 4096 * 4096;
  CHECK(file_bytes(h.call(h.get_file(f, aligned, 4096))).empty());
}

TEST_CASE("testdc api: getFile rules, bad locations and file references") {
  harness h({{"a.bin", 3000000, 1, false}}, fault_options{.file_ref_ttl = 3});
  REQUIRE_FALSE(h.login().is_error());
  auto& f = h.published.files()[0];
  CHECK(h.call(h.get_file(f, 0, 3 * 4096)).error_message == "LIMIT_INVALID");
  CHECK(h.call(h.get_file(f, 1024, 4096)).error_message == "OFFSET_INVALID");
  CHECK(h.call(h.get_file(f, 1048576 - 4096, 8192)).error_message == "LIMIT_INVALID");
  CHECK_FALSE(h.call(h.get_file(f, 1024, 1024, /*precise=*/true)).is_error());

  auto bad_hash = h.get_file(f, 0, 4096);
  bad_hash[4 + 4 + 4 + 8] ^= 1;  // getFile id, flags, location id, id: then access_hash
  CHECK(h.call(bad_hash).error_message == "FILE_ID_INVALID");

  // --file-ref-ttl 3: the reference expires after 3 served calls (the precise one above was the first).
  const auto old_request = h.get_file(f, 0, 4096);
  CHECK_FALSE(h.call(old_request).is_error());
  CHECK_FALSE(h.call(old_request).is_error());
  CHECK(h.call(old_request).error_message == "FILE_REFERENCE_EXPIRED");
  CHECK_FALSE(h.call(h.get_file(f, 0, 4096)).is_error());  // the current reference from the catalog
  auto forged = h.get_file(f, 0, 4096);
  forged[forged.size() - 8 - 4 - 4 - 4 - 2] ^= 0xff;  // inside the reference's tag
  CHECK(h.call(forged).error_message.starts_with("FILE_REFERENCE_"));
}

TEST_CASE("testdc api: FILE_MIGRATE to the file's DC, then export/import authorization") {
  harness h;
  REQUIRE_FALSE(h.login().is_error());
  const auto& far = h.published.files()[1];
  auto a = h.call(h.get_file(far, 0, 65536));
  CHECK(a.error_code == 303);
  CHECK(a.error_message == "FILE_MIGRATE_2");
  CHECK(h.call(h.get_file(far, 0, 65536), 2).error_code == 401);  // DC 2's key is not logged in

  api::auth::exportAuthorization ex{};
  ex.dc_id = 2;
  auto exported = h.call(encode(ex));
  REQUIRE_FALSE(exported.is_error());
  tl::reader r(exported.result);
  auto e = api::auth::ExportedAuthorization::read(r);
  const auto* token = e.get_if<api::auth::exportedAuthorization>();
  REQUIRE(token);
  api::auth::importAuthorization im{};
  im.id = token->id;
  im.bytes = token->bytes;
  im.bytes[0] ^= 1;
  CHECK(h.call(encode(im), 2).error_message == "AUTH_BYTES_INVALID");
  im.bytes[0] ^= 1;
  CHECK(h.call(encode(im), 1).error_message == "AUTH_BYTES_INVALID");  // issued for DC 2
  REQUIRE_FALSE(h.call(encode(im), 2).is_error());
  const auto part = file_bytes(h.call(h.get_file(far, 0, 65536), 2));
  std::vector<std::uint8_t> expected(65536);
  far.content.read(0, expected);
  CHECK(part == expected);
  ex.dc_id = 1;
  CHECK(h.call(encode(ex)).error_message == "DC_ID_INVALID");  // own DC
}

TEST_CASE("testdc api: --flood-every answers FLOOD_WAIT on every N-th getFile") {
  harness h({{"a.bin", 3000000, 1, false}}, fault_options{.flood_every = 4, .flood_seconds = 3});
  REQUIRE_FALSE(h.login().is_error());
  const auto& f = h.published.files()[0];
  int waits = 0;
  for (int i = 1; i <= 12; ++i) {
    auto a = h.call(h.get_file(f, 0, 4096));
    if (i % 4 == 0) {
      CHECK(a.error_code == 420);
      CHECK(a.error_message == "FLOOD_WAIT_3");
      ++waits;
    } else {
      CHECK_FALSE(a.is_error());
    }
  }
  CHECK(waits == 3);
  CHECK(h.handler.flood_waits() == 3);
}

TEST_CASE("testdc api: --flood-rps limits requests per account and DC") {
  harness h({{"a.bin", 100000, 1, false}}, fault_options{.flood_rps = 5});
  int refused = 0;
  for (int i = 0; i < 8; ++i) {
    auto a = h.call(encode(api::help::getConfig{}));
    if (a.is_error()) {
      CHECK(a.error_message == "FLOOD_WAIT_1");
      ++refused;
    }
  }
  CHECK(refused == 3);
  CHECK_FALSE(h.call(encode(api::help::getConfig{}), 2).is_error());
}

TEST_CASE("testdc api: answers in the layer the client announced, remembered per auth key") {
  harness h;
  CHECK(result_id(h.call(encode(api::help::getConfig{}))) == api::config::constructor_id);  // none yet: 228
  const auto a = h.call(wrapped_get_config(144));
  CHECK(result_id(a) == testdc::l144::config::constructor_id);
  {
    tl::reader r(a.result);
    auto c = testdc::l144::Config::read(r);
    const auto* config = c.get_if<testdc::l144::config>();
    REQUIRE(config);
    CHECK(config->this_dc == 1);
    CHECK(config->dc_options.size() == 2);
    CHECK(r.at_end());
  }
  // A later request on the same key without invokeWithLayer (gram.js's second connection).
  CHECK(result_id(h.call(encode(api::help::getConfig{}))) == testdc::l144::config::constructor_id);
  CHECK(result_id(h.call(wrapped_get_config(198))) == 0xcc1a241e);
  CHECK(result_id(h.call(wrapped_get_config(228))) == api::config::constructor_id);
  CHECK(result_id(h.call(wrapped_get_config(1000))) == api::config::constructor_id);
  CHECK(h.call(wrapped_get_config(-1)).error_message == "LAYER_INVALID");
}

TEST_CASE("testdc api: a layer its schemas cannot pin down is refused, not answered in another layer") {
  harness h;
  // 147 lies between gram.js's 146 and 148, which define user and channel differently.
  REQUIRE_FALSE(layer_writer_for(147).writer);
  CHECK(layer_writer_for(147).reason.find("user") != std::string::npos);
  const auto refused = h.call(wrapped_get_config(147));
  CHECK(refused.error_code == 400);
  CHECK(refused.error_message == "LAYER_INVALID");
  CHECK(h.call(wrapped_get_config(143)).error_message == "LAYER_INVALID");  // older than any known
  // The key keeps the layer it had (none: 228); a served layer afterwards is answered in its own.
  CHECK(result_id(h.call(encode(api::help::getConfig{}))) == api::config::constructor_id);
  CHECK(result_id(h.call(wrapped_get_config(145))) == 0x232566ac);  // gram.js 2.12's layer
  CHECK(result_id(h.call(wrapped_get_config(214))) == 0xcc1a241e);
}

TEST_CASE("testdc api: malformed or unknown requests are rpc errors, never exceptions") {
  harness h;
  REQUIRE_FALSE(h.login().is_error());
  std::vector<std::uint8_t> body = h.get_file(h.published.files()[0], 0, 4096);
  for (std::size_t cut = 0; cut < body.size(); ++cut) {
    auto a = h.call(std::span(body).first(cut));
    CHECK(a.is_error());
  }
  CHECK(h.call(std::vector<std::uint8_t>{1, 2, 3, 4}).error_message.starts_with("INPUT_METHOD_INVALID"));
  // Wrappers nested too deep.
  std::vector<std::uint8_t> nested;
  tl::writer w(nested);
  for (int i = 0; i < 20; ++i) w.write_uint(0xbf9459b7);
  w.write_uint(api::help::getConfig::constructor_id);
  CHECK(h.call(nested).error_message == "INPUT_FETCH_ERROR");
}
