// Two-step verification on the emulator: account.getPassword hands out an SRP challenge and
// auth.checkPassword accepts exactly the proof the client's SRP (mtproto/crypto/srp.h, what
// mtproto::client::check_password sends) computes for the right password.
#include <catch2/catch.hpp>

#include "mtproto/api/InputCheckPasswordSRP.h"
#include "mtproto/api/PasswordKdfAlgo.h"
#include "mtproto/api/User.h"
#include "mtproto/api/account/Password.h"
#include "mtproto/api/auth/Authorization.h"
#include "mtproto/api/auth/SentCode.h"
#include "mtproto/api/CodeSettings.h"
#include "mtproto/api/fn/account/getPassword.h"
#include "mtproto/api/fn/auth/checkPassword.h"
#include "mtproto/api/fn/auth/sendCode.h"
#include "mtproto/api/fn/auth/signIn.h"
#include "mtproto/api/fn/updates/getState.h"
#include "mtproto/crypto/dh.h"
#include "mtproto/crypto/srp.h"
#include "support.h"

using namespace mtproto;
using namespace mtproto::testdc;
using namespace mtproto::testdc::test;

namespace {

constexpr const char* password = "correct horse battery staple";

/// auth.sendCode + auth.signIn with the right code; returns signIn's answer.
rpc_answer sign_in_with_code(harness& h) {
  api::auth::sendCode send{};
  send.phone_number = std::string(test_user_phone);
  send.api_id = 1;
  send.api_hash = "x";
  send.settings = api::codeSettings{};
  auto sent = h.call(encode(send));
  REQUIRE_FALSE(sent.is_error());
  tl::reader r(sent.result);
  const auto code = api::auth::SentCode::read(r);
  REQUIRE(code.get_if<api::auth::sentCode>());
  api::auth::signIn in{};
  in.phone_number = std::string(test_user_phone);
  in.phone_code_hash = code.get_if<api::auth::sentCode>()->phone_code_hash;
  in.phone_code = std::string(test_user_code);
  return h.call(encode(in));
}

api::account::password get_password(harness& h) {
  auto a = h.call(encode(api::account::getPassword{}));
  REQUIRE_FALSE(a.is_error());
  tl::reader r(a.result);
  auto p = api::account::Password::read(r);
  CHECK(r.at_end());
  REQUIRE(p.get_if<api::account::password>());
  return *p.get_if<api::account::password>();
}

/// What the client sends for `pw` against this challenge (fixed `a`: the test is repeatable).
std::vector<std::uint8_t> check_password_request(const api::account::password& state, std::string_view pw) {
  REQUIRE(state.current_algo);
  const auto* algo =
      state.current_algo->get_if<api::passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow>();
  REQUIRE(algo);
  crypto::srp_parameters params{algo->salt1, algo->salt2, algo->g, algo->p, *state.srp_B, *state.srp_id};
  std::array<std::uint8_t, 256> a{};
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::uint8_t>(i * 7 + 3);
  crypto::srp_answer answer;
  REQUIRE_FALSE(crypto::srp_compute(pw, params, a, answer));
  api::inputCheckPasswordSRP proof{};
  proof.srp_id = answer.srp_id;
  proof.A = answer.A;
  proof.M1 = answer.M1;
  return encode(api::auth::checkPassword{api::InputCheckPasswordSRP(proof)});
}

}  // namespace

TEST_CASE("testdc 2FA: SESSION_PASSWORD_NEEDED, then the SRP proof of the right password logs in") {
  harness h({{"a.bin", 100000, 1, false}}, {}, password);
  CHECK(h.call(encode(api::account::getPassword{})).error_code == 401);  // nothing signed in yet

  auto in = sign_in_with_code(h);
  CHECK(in.error_code == 401);
  CHECK(in.error_message == "SESSION_PASSWORD_NEEDED");
  CHECK(h.call(encode(api::updates::getState{})).error_code == 401);  // not logged in yet

  const auto state = get_password(h);
  CHECK(state.has_password);
  REQUIRE(state.srp_B);
  CHECK(state.srp_B->size() == crypto::srp_value_bytes);
  const auto* algo =
      state.current_algo->get_if<api::passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow>();
  REQUIRE(algo);
  CHECK(algo->g == 3);
  CHECK(std::equal(algo->p.begin(), algo->p.end(), crypto::telegram_dh_prime().begin(), crypto::telegram_dh_prime().end()));
  CHECK(algo->salt1.size() == 40);
  CHECK(algo->salt2.size() == 16);
  CHECK(state.new_algo.is<api::passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow>());
  CHECK(state.secure_random.size() == 32);

  auto ok = h.call(check_password_request(state, password));
  REQUIRE_FALSE(ok.is_error());
  tl::reader r(ok.result);
  const auto auth = api::auth::Authorization::read(r);
  REQUIRE(auth.get_if<api::auth::authorization>());
  CHECK(auth.get_if<api::auth::authorization>()->user.get_if<api::user>()->id == h.published.test_user().id);
  REQUIRE(h.key->user);
  CHECK(h.key->user->id == h.published.test_user().id);
  CHECK_FALSE(h.call(encode(api::updates::getState{})).is_error());
}

TEST_CASE("testdc 2FA: a wrong password, a reused and a stale srp_id are refused") {
  harness h({{"a.bin", 100000, 1, false}}, {}, password);
  REQUIRE(sign_in_with_code(h).error_message == "SESSION_PASSWORD_NEEDED");

  const auto first = get_password(h);
  const auto wrong = check_password_request(first, "correct horse battery stapler");
  CHECK(h.call(wrong).error_message == "PASSWORD_HASH_INVALID");
  CHECK_FALSE(h.key->user);
  // One attempt per challenge: the same srp_id, even with the right proof, is spent.
  CHECK(h.call(check_password_request(first, password)).error_message == "SRP_ID_INVALID");

  const auto second = get_password(h);
  const auto third = get_password(h);
  CHECK(*second.srp_id != *third.srp_id);
  CHECK(*second.srp_B != *third.srp_B);
  CHECK(h.call(check_password_request(second, password)).error_message == "SRP_ID_INVALID");  // stale
  CHECK_FALSE(h.key->user);

  // A tampered proof of the right password is still wrong.
  auto tampered = check_password_request(third, password);
  tampered[tampered.size() - 5] ^= 1;  // inside M1
  CHECK(h.call(tampered).error_message == "PASSWORD_HASH_INVALID");

  const auto fourth = get_password(h);
  REQUIRE_FALSE(h.call(check_password_request(fourth, password)).is_error());
  CHECK(h.key->user);
}

TEST_CASE("testdc 2FA: without --password the account has none and checkPassword has nothing to check") {
  harness h({{"a.bin", 100000, 1, false}});
  REQUIRE_FALSE(sign_in_with_code(h).is_error());  // logged in by the code alone
  const auto state = get_password(h);
  CHECK_FALSE(state.has_password);
  CHECK_FALSE(state.current_algo);
  api::inputCheckPasswordSRP proof{};
  proof.srp_id = 1;
  proof.A = std::vector<std::uint8_t>(256, 7);
  proof.M1 = std::vector<std::uint8_t>(32, 7);
  CHECK(h.call(encode(api::auth::checkPassword{api::InputCheckPasswordSRP(proof)})).error_message == "SRP_ID_INVALID");
}

TEST_CASE("crypto srp: the server side agrees with the client side, for any b, and refuses bad A") {
  std::vector<std::uint8_t> salt1(40, 0x11), salt2(16, 0x22);
  const auto prime = crypto::telegram_dh_prime();
  crypto::srp_verifier v;
  REQUIRE_FALSE(crypto::srp_make_verifier("pw", salt1, salt2, 3, prime, v));
  std::array<std::uint8_t, 256> b{}, a{};
  for (std::size_t i = 0; i < b.size(); ++i) {
    b[i] = static_cast<std::uint8_t>(0xa5 ^ i);
    a[i] = static_cast<std::uint8_t>(i * 13);
  }
  std::vector<std::uint8_t> B;
  REQUIRE_FALSE(crypto::srp_server_public(v, b, B));
  crypto::srp_parameters params{salt1, salt2, 3, v.p, B, 99};
  crypto::srp_answer answer;
  REQUIRE_FALSE(crypto::srp_compute("pw", params, a, answer));
  CHECK_FALSE(crypto::srp_server_check(v, b, B, answer.A, answer.M1));
  CHECK(crypto::srp_server_check(v, b, B, answer.A, std::vector<std::uint8_t>(answer.M1.begin(), answer.M1.end() - 1)) ==
        crypto::srp_errc::proof_mismatch);
  std::vector<std::uint8_t> one{1};
  CHECK(crypto::srp_server_check(v, b, B, one, answer.M1) == crypto::srp_errc::bad_client_value);
  std::vector<std::uint8_t> too_long(257, 1);
  CHECK(crypto::srp_server_check(v, b, B, too_long, answer.M1) == crypto::srp_errc::bad_client_value);
  b[0] ^= 1;  // another b: the same proof no longer matches
  CHECK(crypto::srp_server_check(v, b, B, answer.A, answer.M1) == crypto::srp_errc::proof_mismatch);
}
