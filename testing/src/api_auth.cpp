// The API handler's logins: bot tokens, the test user's code and two-step password (SRP),
// temporary keys bound to permanent ones, and authorizations exported to other DCs.
#include <algorithm>
#include <optional>
#include <system_error>

#include "api_answers.h"
#include "mtproto/api/InputCheckPasswordSRP.h"
#include "mtproto/api/auth/ExportedAuthorization.h"
#include "mtproto/api/auth/SentCode.h"
#include "mtproto/api/auth/SentCodeType.h"
#include "mtproto/api/fn/auth/bindTempAuthKey.h"
#include "mtproto/api/fn/auth/checkPassword.h"
#include "mtproto/api/fn/auth/exportAuthorization.h"
#include "mtproto/api/fn/auth/importAuthorization.h"
#include "mtproto/api/fn/auth/importBotAuthorization.h"
#include "mtproto/api/fn/auth/sendCode.h"
#include "mtproto/api/fn/auth/signIn.h"
#include "mtproto/crypto/ct_equal.h"
#include "mtproto/crypto/dh.h"
#include "mtproto/handshake/bind_temp_key.h"
#include "mtproto/testdc/layer_objects.h"
#include "mtproto/testdc/ready_file.h"

namespace mtproto::testdc {
namespace {

namespace api = ::mtproto::api;
using detail::answer_with;
using detail::bad_request;
using detail::not_logged_in;

constexpr std::size_t exported_bytes_size = 64;
constexpr std::size_t max_exported = 1024;
constexpr std::int32_t login_code_length = 5;
// Two-step verification, sized as Telegram's answers are: salt1 of the current algorithm is the
// server's 8 bytes plus the 32 the client added when it set the password; new_algo carries only
// the server's 8 (a client setting a password appends its own).
constexpr std::int32_t srp_generator = 3;
constexpr std::size_t srp_salt1_bytes = 40;
constexpr std::size_t srp_new_salt1_bytes = 8;
constexpr std::size_t srp_salt2_bytes = 16;
constexpr std::size_t secure_salt_bytes = 8;
constexpr std::size_t secure_random_bytes = 32;
/// A random `b` whose B leaves the safe range is rare (~2^-64); a few draws always suffice.
constexpr int srp_b_attempts = 8;

std::string digits_only(std::string_view phone) {
  std::string s;
  for (char c : phone)
    if (c >= '0' && c <= '9') s += c;
  return s;
}

}  // namespace

rpc_answer api_handler::logged_in(request_context& ctx, const account& user) {
  ctx.key.user = user;
  ctx.key.awaiting_password.reset();
  rpc_answer a;
  tl::writer w(a.result);
  writer(ctx).authorization(w, user);
  return a;
}

rpc_answer api_handler::import_bot_authorization(request_context& ctx, tl::reader& r) {
  const auto req = api::auth::importBotAuthorization::read(r);
  auto bot = catalog_.bot_for_token(req.bot_auth_token);
  if (!bot) return bad_request("ACCESS_TOKEN_INVALID");
  return logged_in(ctx, *bot);
}

rpc_answer api_handler::send_code(request_context& ctx, tl::reader& r) {
  const auto req = api::auth::sendCode::read(r);
  if (digits_only(req.phone_number) != test_user_phone) return bad_request("PHONE_NUMBER_INVALID");
  std::array<std::uint8_t, 8> hash{};
  random_(hash);
  ctx.key.phone_code_hash = to_hex(hash);
  api::auth::sentCode sent{};
  api::auth::sentCodeTypeApp type{};
  type.length = login_code_length;
  sent.type = type;
  sent.phone_code_hash = ctx.key.phone_code_hash;
  return answer_with(sent);
}

rpc_answer api_handler::sign_in(request_context& ctx, tl::reader& r, bool layer144_form) {
  api::auth::signIn req;
  if (layer144_form) {
    req.phone_number = r.read_string();
    req.phone_code_hash = r.read_string();
    req.phone_code = r.read_string();
  } else {
    req = api::auth::signIn::read(r);
  }
  if (digits_only(req.phone_number) != test_user_phone) return bad_request("PHONE_NUMBER_INVALID");
  if (ctx.key.phone_code_hash.empty() || req.phone_code_hash != ctx.key.phone_code_hash)
    return bad_request("PHONE_CODE_HASH_EMPTY");
  if (!req.phone_code || req.phone_code->empty()) return bad_request("PHONE_CODE_EMPTY");
  if (*req.phone_code != test_user_code) return bad_request("PHONE_CODE_INVALID");
  if (!config_.user_password.empty()) {
    ctx.key.awaiting_password = catalog_.test_user();
    return rpc_answer::error(401, "SESSION_PASSWORD_NEEDED");
  }
  return logged_in(ctx, catalog_.test_user());
}

rpc_answer api_handler::bind_temp_auth_key(request_context& ctx, tl::reader& r) {
  const auto req = api::auth::bindTempAuthKey::read(r);
  if (!ctx.key.expires_at) return bad_request("TEMP_AUTH_KEY_EMPTY");  // a permanent key
  key_record* perm = ctx.keys ? ctx.keys->find(ctx.dc_id, req.perm_auth_key_id) : nullptr;
  if (!perm || perm->expires_at) return bad_request("ENCRYPTED_MESSAGE_INVALID");
  const handshake::temp_key_binding binding{.perm_auth_key_id = req.perm_auth_key_id,
                                            .nonce = req.nonce,
                                            .expires_at = req.expires_at,
                                            .encrypted_message = req.encrypted_message};
  if (handshake::verify_bind_temp_auth_key(binding, perm->key, ctx.key.key.id(), ctx.session_id, ctx.msg_id))
    return bad_request("ENCRYPTED_MESSAGE_INVALID");
  // The binding cannot outlive the temp key, and a temp key has one permanent key for life.
  if (req.expires_at > *ctx.key.expires_at) return bad_request("ENCRYPTED_MESSAGE_INVALID");
  if (ctx.key.bound_perm_key_id && *ctx.key.bound_perm_key_id != req.perm_auth_key_id)
    return bad_request("TEMP_AUTH_KEY_ALREADY_BOUND");
  ctx.key.bound_perm_key_id = req.perm_auth_key_id;
  rpc_answer a;
  tl::writer w(a.result);
  api::auth::bindTempAuthKey::write_result(w, true);
  return a;
}

const crypto::srp_verifier& api_handler::password_verifier() {
  if (!password_verifier_) {
    std::vector<std::uint8_t> salt1(srp_salt1_bytes), salt2(srp_salt2_bytes);
    random_(salt1);
    random_(salt2);
    crypto::srp_verifier v;
    if (auto ec = crypto::srp_make_verifier(config_.user_password, salt1, salt2, srp_generator,
                                            crypto::telegram_dh_prime(), v))
      throw std::system_error(ec, "SRP verifier");  // the built-in group: cannot happen
    password_verifier_ = std::move(v);
  }
  return *password_verifier_;
}

rpc_answer api_handler::get_password(request_context& ctx) {
  // Asked between auth.signIn's SESSION_PASSWORD_NEEDED and auth.checkPassword, or when logged in.
  if (!ctx.key.user && !ctx.key.awaiting_password) return not_logged_in();
  const auto prime = crypto::telegram_dh_prime();
  const auto random_text = [&](std::size_t size) {
    std::vector<std::uint8_t> raw(size);
    random_(raw);
    return std::string(raw.begin(), raw.end());
  };
  const std::string p(prime.begin(), prime.end());
  const objects::password_algo new_algo{
      .salt1 = random_text(srp_new_salt1_bytes), .salt2 = random_text(srp_salt2_bytes), .g = srp_generator, .p = p};
  auto secure_salt = random_text(secure_salt_bytes);
  auto secure_random = random_text(secure_random_bytes);

  std::optional<objects::srp_offer> offer;
  if (!config_.user_password.empty()) {
    const auto& verifier = password_verifier();
    key_record::srp_challenge challenge;
    std::error_code ec = crypto::srp_errc::bad_exponent;
    for (int i = 0; i < srp_b_attempts && ec == crypto::srp_errc::bad_exponent; ++i) {
      random_(challenge.b);
      ec = crypto::srp_server_public(verifier, challenge.b, challenge.B);
    }
    if (ec) return rpc_answer::error(500, "SRP_B_UNAVAILABLE");
    random_(std::span(reinterpret_cast<std::uint8_t*>(&challenge.srp_id), sizeof challenge.srp_id));
    offer = objects::srp_offer{
        .algo = {.salt1 = std::string(verifier.salt1.begin(), verifier.salt1.end()),
                 .salt2 = std::string(verifier.salt2.begin(), verifier.salt2.end()),
                 .g = verifier.g,
                 .p = std::string(verifier.p.begin(), verifier.p.end())},
        .srp_B = std::string(challenge.B.begin(), challenge.B.end()),
        .srp_id = challenge.srp_id};
    ctx.key.srp = std::move(challenge);  // any earlier srp_id is stale from now on
  }
  rpc_answer a;
  tl::writer w(a.result);
  writer(ctx).write(w, objects::account_password(new_algo, std::move(secure_salt), std::move(secure_random),
                                                 offer ? &*offer : nullptr));
  return a;
}

rpc_answer api_handler::check_password(request_context& ctx, tl::reader& r) {
  const auto req = api::auth::checkPassword::read(r);
  if (!ctx.key.user && !ctx.key.awaiting_password) return not_logged_in();
  const auto* proof = req.password.get_if<api::inputCheckPasswordSRP>();
  if (!proof) return bad_request("PASSWORD_HASH_INVALID");  // inputCheckPasswordEmpty
  if (!ctx.key.srp || ctx.key.srp->srp_id != proof->srp_id) return bad_request("SRP_ID_INVALID");
  const auto challenge = std::move(*ctx.key.srp);
  ctx.key.srp.reset();
  // A wrong proof and an unusable A look the same to the client: the password did not check out.
  if (crypto::srp_server_check(password_verifier(), challenge.b, challenge.B, proof->A, proof->M1))
    return bad_request("PASSWORD_HASH_INVALID");
  const account user = ctx.key.awaiting_password ? *ctx.key.awaiting_password : *ctx.key.user;
  return logged_in(ctx, user);
}

rpc_answer api_handler::export_authorization(request_context& ctx, tl::reader& r) {
  const auto req = api::auth::exportAuthorization::read(r);
  if (!ctx.key.user) return not_logged_in();
  const bool known = std::any_of(config_.dcs.begin(), config_.dcs.end(), [&](const dc_endpoint& d) { return d.id == req.dc_id; });
  if (!known || req.dc_id == ctx.dc_id) return bad_request("DC_ID_INVALID");
  if (exported_.size() >= max_exported) exported_.erase(exported_.begin());
  exported_authorization e{*ctx.key.user, req.dc_id, std::vector<std::uint8_t>(exported_bytes_size)};
  random_(e.bytes);
  std::int64_t id = 0;
  random_(std::span(reinterpret_cast<std::uint8_t*>(&id), sizeof id));
  api::auth::exportedAuthorization answer{};
  answer.id = id;
  answer.bytes = e.bytes;
  exported_[id] = std::move(e);
  return answer_with(answer);
}

rpc_answer api_handler::import_authorization(request_context& ctx, tl::reader& r) {
  const auto req = api::auth::importAuthorization::read(r);
  auto it = exported_.find(req.id);
  if (it == exported_.end() || it->second.dc_id != ctx.dc_id || !crypto::ct_equal(it->second.bytes, req.bytes))
    return bad_request("AUTH_BYTES_INVALID");
  return logged_in(ctx, it->second.user);
}

}  // namespace mtproto::testdc
