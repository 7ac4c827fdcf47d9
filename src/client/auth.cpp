#include "mtproto/client/auth.h"

#include <asio/use_awaitable.hpp>

#include "mtproto/api/InputCheckPasswordSRP.h"
#include "mtproto/api/PasswordKdfAlgo.h"
#include "mtproto/api/User.h"
#include "mtproto/api/account/Password.h"
#include "mtproto/api/auth/Authorization.h"
#include "mtproto/api/auth/SentCode.h"
#include "mtproto/api/CodeSettings.h"
#include "mtproto/api/fn/account/getPassword.h"
#include "mtproto/api/fn/auth/checkPassword.h"
#include "mtproto/api/fn/auth/importBotAuthorization.h"
#include "mtproto/api/fn/auth/sendCode.h"
#include "mtproto/api/fn/auth/signIn.h"
#include "mtproto/crypto/srp.h"
#include "mtproto/crypto/random.h"

namespace mtproto::client {
namespace {

/// A login step is retried at most this often on a *_MIGRATE answer (each names the right DC).
constexpr int max_migrations = 3;

call_error unexpected() { return {make_error_code(client_errc::unexpected_answer)}; }

/// The logged-in user of an auth.Authorization, recorded in the client.
call_result<api::User> accept(client& c, const api::auth::Authorization& a) {
  const auto* auth = a.get_if<api::auth::authorization>();
  if (!auth) return unexpected();  // authorizationSignUpRequired: sign-up is not supported
  const auto* user = auth->user.get_if<api::user>();
  if (!user) return unexpected();
  c.set_logged_in(c.login().home_dc, user->id, user->bot);
  return auth->user;
}

/// Invokes on the home DC; a PHONE/USER/NETWORK_MIGRATE moves the home DC and tries again.
template <class Fn>
asio::awaitable<call_result<typename Fn::result_type>> invoke_following_migrations(client& c, const Fn& fn) {
  for (int attempt = 0;; ++attempt) {
    auto r = co_await c.async_invoke(fn, asio::use_awaitable);
    const auto* rpc = r.rpc();
    if (!rpc || attempt >= max_migrations) co_return r;
    auto dc = rpc->migrate_to_dc();
    if (!dc || rpc->type == "FILE_MIGRATE" || rpc->type == "STATS_MIGRATE") co_return r;
    c.set_home_dc(*dc);
  }
}

}  // namespace

asio::awaitable<call_result<api::User>> sign_in_bot(client& c, std::string bot_token) {
  api::auth::importBotAuthorization fn;
  fn.flags = 0;
  fn.api_id = c.api_id();
  fn.api_hash = c.api_hash();
  fn.bot_auth_token = std::move(bot_token);
  auto r = co_await invoke_following_migrations(c, fn);
  if (!r) co_return r.error();
  co_return accept(c, *r);
}

asio::awaitable<call_result<sent_code>> send_code(client& c, std::string phone) {
  api::auth::sendCode fn;
  fn.phone_number = phone;
  fn.api_id = c.api_id();
  fn.api_hash = c.api_hash();
  fn.settings = api::codeSettings{};
  auto r = co_await invoke_following_migrations(c, fn);
  if (!r) co_return r.error();
  const auto* sent = r->get_if<api::auth::sentCode>();
  if (!sent) co_return unexpected();
  co_return sent_code{std::move(phone), sent->phone_code_hash};
}

asio::awaitable<call_result<api::User>> sign_in(client& c, sent_code code, std::string phone_code) {
  api::auth::signIn fn;
  fn.phone_number = code.phone;
  fn.phone_code_hash = code.phone_code_hash;
  fn.phone_code = std::move(phone_code);
  auto r = co_await invoke_following_migrations(c, fn);
  if (!r) co_return r.error();
  co_return accept(c, *r);
}

asio::awaitable<call_result<api::User>> check_password(client& c, std::string password) {
  auto pw = co_await c.async_invoke(api::account::getPassword{}, asio::use_awaitable);
  if (!pw) co_return pw.error();
  const auto* state = pw->get_if<api::account::password>();
  if (!state || !state->current_algo || !state->srp_B || !state->srp_id) co_return unexpected();
  const auto* algo =
      state->current_algo->get_if<api::passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow>();
  if (!algo) co_return unexpected();

  crypto::srp_parameters params{algo->salt1, algo->salt2, algo->g, algo->p, *state->srp_B, *state->srp_id};
  crypto::srp_answer answer;
  std::error_code ec;
  // A random `a` that makes A fall outside the safe range is vanishingly rare; draw again then.
  for (int tries = 0; tries < 4; ++tries) {
    std::array<std::uint8_t, 256> a{};
    crypto::secure_random(a);
    ec = crypto::srp_compute(password, params, a, answer);
    if (ec != crypto::srp_errc::bad_exponent) break;
  }
  if (ec) co_return call_error{ec};

  api::inputCheckPasswordSRP check;
  check.srp_id = answer.srp_id;
  check.A = std::move(answer.A);
  check.M1 = std::move(answer.M1);
  // A named request: g++ 12 destroys a nested boxed temporary inside a co_await expression twice
  // (heap-use-after-free under ASan, found by the 2FA end-to-end test).
  const api::auth::checkPassword fn{api::InputCheckPasswordSRP(std::move(check))};
  auto r = co_await c.async_invoke(fn, asio::use_awaitable);
  if (!r) co_return r.error();
  co_return accept(c, *r);
}

}  // namespace mtproto::client
