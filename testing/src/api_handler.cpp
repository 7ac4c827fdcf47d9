#include "mtproto/testdc/api_handler.h"

#include <algorithm>
#include <system_error>

#include <fmt/format.h>

#include "mtproto/api/CdnConfig.h"
#include "mtproto/api/CdnPublicKey.h"
#include "mtproto/api/FileHash.h"
#include "mtproto/api/InputChannel.h"
#include "mtproto/api/InputCheckPasswordSRP.h"
#include "mtproto/api/InputClientProxy.h"
#include "mtproto/api/InputFileLocation.h"
#include "mtproto/api/InputMessage.h"
#include "mtproto/api/InputUser.h"
#include "mtproto/api/JSONValue.h"
#include "mtproto/api/NearestDc.h"
#include "mtproto/api/PasswordKdfAlgo.h"
#include "mtproto/api/SecurePasswordKdfAlgo.h"
#include "mtproto/api/account/Password.h"
#include "mtproto/api/auth/ExportedAuthorization.h"
#include "mtproto/api/auth/SentCode.h"
#include "mtproto/api/auth/SentCodeType.h"
#include "mtproto/api/fn/account/getPassword.h"
#include "mtproto/api/fn/auth/bindTempAuthKey.h"
#include "mtproto/api/fn/auth/checkPassword.h"
#include "mtproto/api/fn/auth/exportAuthorization.h"
#include "mtproto/api/fn/auth/importAuthorization.h"
#include "mtproto/api/fn/auth/importBotAuthorization.h"
#include "mtproto/api/fn/auth/sendCode.h"
#include "mtproto/api/fn/auth/signIn.h"
#include "mtproto/api/fn/channels/getMessages.h"
#include "mtproto/api/fn/contacts/resolveUsername.h"
#include "mtproto/api/fn/help/getCdnConfig.h"
#include "mtproto/api/fn/help/getConfig.h"
#include "mtproto/api/fn/help/getNearestDc.h"
#include "mtproto/api/fn/initConnection.h"
#include "mtproto/api/fn/invokeAfterMsg.h"
#include "mtproto/api/fn/invokeWithLayer.h"
#include "mtproto/api/fn/invokeWithoutUpdates.h"
#include "mtproto/api/fn/messages/getMessages.h"
#include "mtproto/api/fn/updates/getState.h"
#include "mtproto/api/fn/upload/getCdnFile.h"
#include "mtproto/api/fn/upload/getCdnFileHashes.h"
#include "mtproto/api/fn/upload/getFile.h"
#include "mtproto/api/fn/upload/getFileHashes.h"
#include "mtproto/api/fn/upload/reuploadCdnFile.h"
#include "mtproto/api/fn/users/getUsers.h"
#include "mtproto/api/storage/FileType.h"
#include "mtproto/api/updates/State.h"
#include "mtproto/api/upload/CdnFile.h"
#include "mtproto/api/upload/File.h"
#include "mtproto/crypto/aes_ctr.h"
#include "mtproto/crypto/ct_equal.h"
#include "mtproto/crypto/dh.h"
#include "mtproto/handshake/bind_temp_key.h"
#include "mtproto/testdc/get_file_rules.h"
#include "mtproto/testdc/ready_file.h"
#include "mtproto/testdc/l144/fn/contacts/resolveUsername.h"
#include "mtproto/tl/error.h"

namespace mtproto::testdc {
namespace {

namespace api = ::mtproto::api;

// The wrappers are generic functions (query:!X); only their ids are needed here, taken from the
// generated templates (any query type will do). invokeAfterMsgs is not in tl-schema/api.tl.
using any_query = api::help::getConfig;
constexpr std::uint32_t invoke_with_layer_id = api::invokeWithLayer<any_query>::constructor_id;
constexpr std::uint32_t init_connection_id = api::initConnection<any_query>::constructor_id;
constexpr std::uint32_t invoke_without_updates_id = api::invokeWithoutUpdates<any_query>::constructor_id;
constexpr std::uint32_t invoke_after_msg_id = api::invokeAfterMsg<any_query>::constructor_id;
constexpr std::uint32_t invoke_after_msgs_id = 0x3dc4b4f0;
constexpr std::int32_t config_lifetime_seconds = 3600;
constexpr std::size_t exported_bytes_size = 64;
constexpr std::size_t max_exported = 1024;
constexpr std::size_t max_wrappers = 8;  // invokeWithLayer(initConnection(invokeWithoutUpdates(...)))
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
/// account.password of layer 144 (Telethon 1.25): the same fields without login_email_pattern
/// (flag 6), which the emulator never sets, so only the constructor id differs.
constexpr std::uint32_t account_password_layer144_id = 0x185b184f;

rpc_answer not_logged_in() { return rpc_answer::error(401, "AUTH_KEY_UNREGISTERED"); }
rpc_answer bad_request(std::string message) { return rpc_answer::error(400, std::move(message)); }

template <class T>
rpc_answer answer_with(const T& value) {
  rpc_answer a;
  tl::writer w(a.result);
  value.write(w);
  return a;
}

std::string digits_only(std::string_view phone) {
  std::string s;
  for (char c : phone)
    if (c >= '0' && c <= '9') s += c;
  return s;
}

}  // namespace

api_handler::api_handler(catalog& published, handler_config config, crypto::random_source random)
    : catalog_(published),
      config_(std::move(config)),
      random_(std::move(random)),
      flood_every_(config_.faults.flood_every, config_.faults.flood_seconds),
      flood_rps_(config_.faults.flood_rps) {}

void api_handler::set_endpoints(std::vector<dc_endpoint> dcs, std::optional<dc_endpoint> cdn) {
  config_.dcs = std::move(dcs);
  config_.cdn = std::move(cdn);
}

rpc_answer api_handler::handle(request_context& ctx, std::span<const std::uint8_t> body) {
  try {
    tl::reader r(body);
    // A bound temporary key acts as its permanent key (login, layer), except to bind again.
    const bool binding = body.size() >= 4 && tl::reader(body).read_uint() == api::auth::bindTempAuthKey::constructor_id;
    if (ctx.key.bound_perm_key_id && ctx.keys && !binding) {
      key_record* perm = ctx.keys->find(ctx.dc_id, *ctx.key.bound_perm_key_id);
      if (!perm) return rpc_answer::error(401, "AUTH_KEY_PERM_EMPTY");  // the permanent key is gone
      request_context acting{ctx.dc_id, *perm, ctx.now, ctx.unix_time, ctx.session_id, ctx.msg_id, ctx.keys};
      return dispatch(acting, r, body);
    }
    return dispatch(ctx, r, body);
  } catch (const tl::decode_error&) {
    return bad_request("INPUT_FETCH_ERROR");
  } catch (const std::length_error&) {
    return bad_request("INPUT_FETCH_ERROR");
  }
}

rpc_answer api_handler::dispatch(request_context& ctx, tl::reader& r, std::span<const std::uint8_t> body) {
  // Wrappers first: they only change how the inner query is answered.
  std::uint32_t id = r.read_uint();
  for (std::size_t depth = 0;; ++depth) {
    if (depth > max_wrappers) return bad_request("INPUT_FETCH_ERROR");
    if (id == invoke_with_layer_id) {
      const std::int32_t layer = r.read_int();
      if (layer <= 0) return bad_request("LAYER_INVALID");
      ctx.key.layer = layer;
      last_announced_layer_ = layer;
    } else if (id == init_connection_id) {
      const std::uint32_t flags = r.read_uint();
      r.read_int();  // api_id
      for (int i = 0; i < 6; ++i) r.read_bytes_view();  // device_model .. lang_code
      if (flags & (1u << 0)) api::InputClientProxy::read(r);
      if (flags & (1u << 1)) api::JSONValue::read(r);
    } else if (id == invoke_without_updates_id) {
    } else if (id == invoke_after_msg_id) {
      r.read_long();
    } else if (id == invoke_after_msgs_id) {
      const auto n = r.read_vector_header(8);
      for (std::size_t i = 0; i < n; ++i) r.read_long();
    } else {
      break;
    }
    id = r.read_uint();
  }
  // Re-read the query from its constructor id with the generated readers.
  const std::size_t query_at = r.position() - 4;
  tl::reader q(body.subspan(query_at));

  if (auto wait = flood_rps_.on_request(ctx.key.user ? ctx.key.user->id : ctx.key.key.id(), ctx.dc_id, ctx.now))
    return rpc_answer::error(420, fmt::format("FLOOD_WAIT_{}", *wait));

  switch (id) {
    case api::help::getConfig::constructor_id:
      return get_config(ctx);
    case api::help::getNearestDc::constructor_id: {
      api::nearestDc n{};
      n.country = "ZZ";
      n.this_dc = ctx.dc_id;
      n.nearest_dc = ctx.dc_id;
      return answer_with(n);
    }
    case api::help::getCdnConfig::constructor_id: {
      api::cdnConfig c{};
      if (config_.cdn) {
        api::cdnPublicKey k{};
        k.dc_id = config_.cdn->id;
        k.public_key = config_.cdn_public_key_pem;
        c.public_keys.push_back(std::move(k));
      }
      return answer_with(c);
    }
    case api::upload::getFile::constructor_id: return get_file(ctx, q);
    case api::upload::getFileHashes::constructor_id: return get_file_hashes(ctx, q);
    case api::upload::getCdnFile::constructor_id: return get_cdn_file(ctx, q);
    case api::upload::getCdnFileHashes::constructor_id: return get_cdn_file_hashes(ctx, q);
    case api::upload::reuploadCdnFile::constructor_id: return reupload_cdn_file(ctx, q);
    case api::auth::importBotAuthorization::constructor_id: return import_bot_authorization(ctx, q);
    case api::auth::sendCode::constructor_id: return send_code(ctx, q);
    case api::auth::signIn::constructor_id: return sign_in(ctx, q);
    case api::account::getPassword::constructor_id: return get_password(ctx);
    case api::auth::bindTempAuthKey::constructor_id: return bind_temp_auth_key(ctx, q);
    case api::auth::checkPassword::constructor_id: return check_password(ctx, q);
    case api::auth::exportAuthorization::constructor_id: return export_authorization(ctx, q);
    case api::auth::importAuthorization::constructor_id: return import_authorization(ctx, q);
    case api::contacts::resolveUsername::constructor_id: return resolve_username(ctx, q, false);
    case l144::contacts::resolveUsername::constructor_id: return resolve_username(ctx, q, true);
    case api::channels::getMessages::constructor_id: return get_channel_messages(ctx, q);
    case api::messages::getMessages::constructor_id: return get_messages(ctx, q);
    case api::users::getUsers::constructor_id: return get_users(ctx, q);
    case api::updates::getState::constructor_id: {
      if (!ctx.key.user) return not_logged_in();
      api::updates::state s{};
      s.pts = 1;
      s.seq = 1;
      s.date = ctx.unix_time;
      auto answer = answer_with(s);
      if (!config_.faults.push_updates) return answer;
      // Then an update, as a real DC starts pushing them to a session that asked for its state:
      // updatesTooLong, the one Updates constructor without fields (it asks for getDifference).
      constexpr std::uint32_t updates_too_long_id = 0xe317af7e;  // updatesTooLong#e317af7e = Updates
      answer.pushes.emplace_back();
      tl::writer(answer.pushes.back()).write_uint(updates_too_long_id);
      return answer;
    }
    default:
      return bad_request(fmt::format("INPUT_METHOD_INVALID_{:08x}", id));
  }
}

rpc_answer api_handler::get_config(request_context& ctx) {
  config_info info;
  info.dcs = config_.dcs;
  info.this_dc = ctx.dc_id;
  info.date = ctx.unix_time;
  info.expires = ctx.unix_time + config_lifetime_seconds;
  // The CDN DC goes last, flagged cdn: clients take the first option with an id.
  if (config_.cdn) info.dcs.push_back(*config_.cdn);
  rpc_answer a;
  tl::writer w(a.result);
  writer(ctx).config(w, info);
  return a;
}

namespace {

std::vector<api::fileHash> hash_list(const published_file& f, std::int64_t offset) {
  const std::int64_t size = f.content.size();
  std::int64_t first = std::clamp<std::int64_t>(offset, 0, size) / file_hash_part * file_hash_part;
  std::vector<api::fileHash> hashes;
  std::vector<std::uint8_t> part;
  for (std::int64_t i = 0; i < file_hash_parts_per_answer && first < size; ++i, first += file_hash_part) {
    const auto n = static_cast<std::size_t>(std::min(file_hash_part, size - first));
    part.resize(n);
    f.content.read(first, part);
    const auto digest = crypto::sha256(part);
    api::fileHash h{};
    h.offset = first;
    h.limit = static_cast<std::int32_t>(n);
    h.hash.assign(digest.begin(), digest.end());
    hashes.push_back(std::move(h));
  }
  return hashes;
}

std::vector<std::uint8_t> file_hashes(const published_file& f, std::int64_t offset) {
  std::vector<std::uint8_t> out;
  tl::writer w(out);
  const auto hashes = hash_list(f, offset);
  w.write_vector_header(hashes.size());
  for (const auto& h : hashes) h.write(w);
  return out;
}

}  // namespace

rpc_answer api_handler::get_file(request_context& ctx, tl::reader& r) {
  const auto req = api::upload::getFile::read(r);
  if (!ctx.key.user) return not_logged_in();
  if (auto wait = flood_every_.on_call()) {
    ++flood_waits_;
    return rpc_answer::error(420, fmt::format("FLOOD_WAIT_{}", *wait));
  }
  const auto* loc = req.location.get_if<api::inputDocumentFileLocation>();
  if (!loc) return bad_request("LOCATION_INVALID");
  published_file* f = catalog_.find_document(loc->id);
  if (!f || f->post.document.access_hash != loc->access_hash) return bad_request("FILE_ID_INVALID");
  if (!loc->thumb_size.empty()) return bad_request("LOCATION_INVALID");
  switch (catalog_.check_reference(*f, loc->file_reference)) {
    case reference_check::valid: break;
    case reference_check::expired: return bad_request("FILE_REFERENCE_EXPIRED");
    case reference_check::invalid: return bad_request("FILE_REFERENCE_INVALID");
  }
  if (f->spec.dc != ctx.dc_id) return rpc_answer::error(303, fmt::format("FILE_MIGRATE_{}", f->spec.dc));
  if (auto problem = check_get_file_request(req.offset, req.limit, req.precise)) return bad_request(std::string(*problem));
  catalog_.count_call(*f, config_.faults.file_ref_ttl);

  if (f->spec.cdn && req.cdn_supported && config_.cdn) {
    api::upload::fileCdnRedirect redirect{};
    redirect.dc_id = config_.cdn->id;
    redirect.file_token = f->cdn_token;
    redirect.encryption_key.assign(f->cdn_key.begin(), f->cdn_key.end());
    redirect.encryption_iv.assign(f->cdn_iv.begin(), f->cdn_iv.end());
    for (auto& h : hash_list(*f, 0)) redirect.file_hashes.push_back(std::move(h));
    return answer_with(redirect);
  }

  const std::int64_t size = f->content.size();
  const std::int64_t begin = std::min(req.offset, size);
  const auto n = static_cast<std::size_t>(std::min<std::int64_t>(req.limit, size - begin));
  std::vector<std::uint8_t> data(n);
  f->content.read(begin, data);
  rpc_answer a;
  a.result.reserve(16 + n + 4);
  tl::writer w(a.result);
  w.write_uint(api::upload::file::constructor_id);
  w.write_uint(api::storage::filePartial::constructor_id);
  w.write_int(0);  // mtime
  w.write_bytes(data);
  return a;
}



rpc_answer api_handler::get_file_hashes(request_context& ctx, tl::reader& r) {
  const auto req = api::upload::getFileHashes::read(r);
  if (!ctx.key.user) return not_logged_in();
  const auto* loc = req.location.get_if<api::inputDocumentFileLocation>();
  if (!loc) return bad_request("LOCATION_INVALID");
  published_file* f = catalog_.find_document(loc->id);
  if (!f || f->post.document.access_hash != loc->access_hash) return bad_request("FILE_ID_INVALID");
  if (f->spec.dc != ctx.dc_id) return rpc_answer::error(303, fmt::format("FILE_MIGRATE_{}", f->spec.dc));
  if (req.offset < 0) return bad_request("OFFSET_INVALID");
  rpc_answer a;
  a.result = file_hashes(*f, req.offset);
  return a;
}

rpc_answer api_handler::get_cdn_file(request_context& ctx, tl::reader& r) {
  const auto req = api::upload::getCdnFile::read(r);
  if (!config_.cdn || ctx.dc_id != config_.cdn->id) return bad_request("CDN_METHOD_INVALID");
  published_file* f = catalog_.find_cdn_token(req.file_token);
  if (!f) return bad_request("FILE_TOKEN_INVALID");
  if (auto problem = check_get_file_request(req.offset, req.limit, false)) return bad_request(std::string(*problem));
  if (!cdn_cached_[f->spec.name]) {
    // Not on the CDN yet: the client must ask the file's DC to upload it (reuploadCdnFile).
    api::upload::cdnFileReuploadNeeded reupload{};
    reupload.request_token = f->cdn_token;
    reupload.request_token.push_back(0x52);  // distinct from the file token
    return answer_with(reupload);
  }
  const std::int64_t size = f->content.size();
  const std::int64_t begin = std::min(req.offset, size);
  const auto n = static_cast<std::size_t>(std::min<std::int64_t>(req.limit, size - begin));
  std::vector<std::uint8_t> data(n);
  f->content.read(begin, data);
  // AES-256-CTR with the redirect's iv, its last 4 bytes replaced by offset / 16 (big-endian).
  auto iv = f->cdn_iv;
  const auto block = static_cast<std::uint32_t>(begin / 16);
  for (int i = 0; i < 4; ++i) iv[static_cast<std::size_t>(15 - i)] = static_cast<std::uint8_t>(block >> (8 * i));
  crypto::aes256_ctr ctr(f->cdn_key, iv);
  ctr.apply(data);
  rpc_answer a;
  tl::writer w(a.result);
  w.write_uint(api::upload::cdnFile::constructor_id);
  w.write_bytes(data);
  return a;
}

rpc_answer api_handler::get_cdn_file_hashes(request_context& ctx, tl::reader& r) {
  const auto req = api::upload::getCdnFileHashes::read(r);
  if (!ctx.key.user) return not_logged_in();
  published_file* f = catalog_.find_cdn_token(req.file_token);
  if (!f) return bad_request("FILE_TOKEN_INVALID");
  if (f->spec.dc != ctx.dc_id) return rpc_answer::error(303, fmt::format("FILE_MIGRATE_{}", f->spec.dc));
  if (req.offset < 0) return bad_request("OFFSET_INVALID");
  rpc_answer a;
  a.result = file_hashes(*f, req.offset);
  return a;
}

rpc_answer api_handler::reupload_cdn_file(request_context& ctx, tl::reader& r) {
  const auto req = api::upload::reuploadCdnFile::read(r);
  if (!ctx.key.user) return not_logged_in();
  published_file* f = catalog_.find_cdn_token(req.file_token);
  if (!f) return bad_request("FILE_TOKEN_INVALID");
  if (f->spec.dc != ctx.dc_id) return rpc_answer::error(303, fmt::format("FILE_MIGRATE_{}", f->spec.dc));
  auto expected = f->cdn_token;
  expected.push_back(0x52);
  if (req.request_token != expected) return bad_request("REQUEST_TOKEN_INVALID");
  cdn_cached_[f->spec.name] = true;
  rpc_answer a;
  a.result = file_hashes(*f, 0);
  return a;
}

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

rpc_answer api_handler::sign_in(request_context& ctx, tl::reader& r) {
  const auto req = api::auth::signIn::read(r);
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
  api::account::password out{};
  api::passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow new_algo{};
  new_algo.salt1.resize(srp_new_salt1_bytes);
  new_algo.salt2.resize(srp_salt2_bytes);
  random_(new_algo.salt1);
  random_(new_algo.salt2);
  new_algo.g = srp_generator;
  new_algo.p.assign(prime.begin(), prime.end());
  out.new_algo = std::move(new_algo);
  api::securePasswordKdfAlgoPBKDF2HMACSHA512iter100000 secure{};
  secure.salt.resize(secure_salt_bytes);
  random_(secure.salt);
  out.new_secure_algo = std::move(secure);
  out.secure_random.resize(secure_random_bytes);
  random_(out.secure_random);

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
    api::passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow current{};
    current.salt1 = verifier.salt1;
    current.salt2 = verifier.salt2;
    current.g = verifier.g;
    current.p = verifier.p;
    out.has_password = true;
    out.current_algo = std::move(current);
    out.srp_B = challenge.B;
    out.srp_id = challenge.srp_id;
    ctx.key.srp = std::move(challenge);  // any earlier srp_id is stale from now on
  }
  rpc_answer a;
  tl::writer w(a.result);
  if (writer(ctx).layer() < layer_gramjs_2_26) {
    w.write_uint(account_password_layer144_id);
    out.write_bare(w);
  } else {
    out.write(w);
  }
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

rpc_answer api_handler::resolve_username(request_context& ctx, tl::reader& r, bool layer144_form) {
  std::string username;
  if (layer144_form) username = l144::contacts::resolveUsername::read(r).username;
  else username = api::contacts::resolveUsername::read(r).username;
  if (!ctx.key.user) return not_logged_in();
  std::transform(username.begin(), username.end(), username.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (username != catalog_.channel().username) return bad_request("USERNAME_NOT_OCCUPIED");
  rpc_answer a;
  tl::writer w(a.result);
  writer(ctx).resolved_channel(w, catalog_.channel());
  return a;
}

namespace {

std::vector<channel_post> posts_for(catalog& c, const std::vector<api::InputMessage>& ids) {
  std::vector<channel_post> posts;
  for (const auto& m : ids) {
    const auto* by_id = m.get_if<api::inputMessageID>();
    if (!by_id) continue;
    if (const published_file* f = c.find_message(by_id->id)) posts.push_back(f->post);
  }
  return posts;
}

}  // namespace

rpc_answer api_handler::get_channel_messages(request_context& ctx, tl::reader& r) {
  const auto req = api::channels::getMessages::read(r);
  if (!ctx.key.user) return not_logged_in();
  const auto* ch = req.channel.get_if<api::inputChannel>();
  if (!ch || ch->channel_id != catalog_.channel().id || ch->access_hash != catalog_.channel().access_hash)
    return bad_request("CHANNEL_INVALID");
  const auto posts = posts_for(catalog_, req.id);
  rpc_answer a;
  tl::writer w(a.result);
  writer(ctx).channel_messages(w, catalog_.channel(), posts);
  return a;
}

rpc_answer api_handler::get_messages(request_context& ctx, tl::reader& r) {
  const auto req = api::messages::getMessages::read(r);
  if (!ctx.key.user) return not_logged_in();
  const auto posts = posts_for(catalog_, req.id);
  rpc_answer a;
  tl::writer w(a.result);
  writer(ctx).messages(w, catalog_.channel(), posts);
  return a;
}

rpc_answer api_handler::get_users(request_context& ctx, tl::reader& r) {
  const auto req = api::users::getUsers::read(r);
  // Telethon and gram.js probe login state with this: only 401 means "not logged in".
  if (!ctx.key.user) return not_logged_in();
  std::vector<account> found;
  for (const auto& u : req.id) {
    if (u.is<api::inputUserSelf>()) found.push_back(*ctx.key.user);
    else if (const auto* by_id = u.get_if<api::inputUser>()) {
      for (const account* known : std::initializer_list<const account*>{&catalog_.bot(), &catalog_.test_user(), &*ctx.key.user})
        if (known->id == by_id->user_id) {
          found.push_back(*known);
          break;
        }
    }
  }
  rpc_answer a;
  tl::writer w(a.result);
  writer(ctx).users(w, found, ctx.key.user->id);
  return a;
}

}  // namespace mtproto::testdc
