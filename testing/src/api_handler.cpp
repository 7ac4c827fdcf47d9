// The API handler's core: the invoke* / initConnection wrappers, the dispatch to each method, the
// config and users. The methods live by subject in api_auth.cpp, api_upload.cpp, api_cdn.cpp and
// api_chats.cpp.
#include "mtproto/testdc/api_handler.h"

#include <algorithm>

#include <fmt/format.h>

#include "api_answers.h"
#include "mtproto/api/CdnConfig.h"
#include "mtproto/api/CdnPublicKey.h"
#include "mtproto/api/InputClientProxy.h"
#include "mtproto/api/InputUser.h"
#include "mtproto/api/JSONValue.h"
#include "mtproto/api/NearestDc.h"
#include "mtproto/api/fn/account/getPassword.h"
#include "mtproto/api/fn/auth/bindTempAuthKey.h"
#include "mtproto/api/fn/auth/checkPassword.h"
#include "mtproto/api/fn/auth/exportAuthorization.h"
#include "mtproto/api/fn/auth/importAuthorization.h"
#include "mtproto/api/fn/auth/importBotAuthorization.h"
#include "mtproto/api/fn/auth/sendCode.h"
#include "mtproto/api/fn/auth/signIn.h"
#include "mtproto/api/fn/channels/getChannels.h"
#include "mtproto/api/fn/channels/getMessages.h"
#include "mtproto/api/fn/contacts/resolveUsername.h"
#include "mtproto/api/fn/help/getCdnConfig.h"
#include "mtproto/api/fn/help/getConfig.h"
#include "mtproto/api/fn/help/getNearestDc.h"
#include "mtproto/api/fn/initConnection.h"
#include "mtproto/api/fn/invokeAfterMsg.h"
#include "mtproto/api/fn/invokeWithLayer.h"
#include "mtproto/api/fn/invokeWithoutUpdates.h"
#include "mtproto/api/fn/messages/getDiscussionMessage.h"
#include "mtproto/api/fn/messages/getMessages.h"
#include "mtproto/api/fn/updates/getState.h"
#include "mtproto/api/fn/upload/getCdnFile.h"
#include "mtproto/api/fn/upload/getCdnFileHashes.h"
#include "mtproto/api/fn/upload/getFile.h"
#include "mtproto/api/fn/upload/getFileHashes.h"
#include "mtproto/api/fn/upload/reuploadCdnFile.h"
#include "mtproto/api/fn/users/getUsers.h"
#include "mtproto/api/updates/State.h"
#include "mtproto/testdc/l144/fn/contacts/resolveUsername.h"
#include "mtproto/tl/error.h"

namespace mtproto::testdc {
namespace {

namespace api = ::mtproto::api;
using detail::answer_with;
using detail::bad_request;
using detail::not_logged_in;

// The wrappers are generic functions (query:!X); only their ids are needed here, taken from the
// generated templates (any query type will do). invokeAfterMsgs is not in tl-schema/api.tl.
using any_query = api::help::getConfig;
constexpr std::uint32_t invoke_with_layer_id = api::invokeWithLayer<any_query>::constructor_id;
constexpr std::uint32_t init_connection_id = api::initConnection<any_query>::constructor_id;
constexpr std::uint32_t invoke_without_updates_id = api::invokeWithoutUpdates<any_query>::constructor_id;
constexpr std::uint32_t invoke_after_msg_id = api::invokeAfterMsg<any_query>::constructor_id;
constexpr std::uint32_t invoke_after_msgs_id = 0x3dc4b4f0;
/// auth.signIn before layer 167: phone_number, phone_code_hash and phone_code, no flags.
constexpr std::uint32_t auth_sign_in_layer144_id = 0xbcd51581;
constexpr std::int32_t config_lifetime_seconds = 3600;
constexpr std::size_t max_refused_layers_told = 64;  // bounds the set a hostile client could grow
constexpr std::size_t max_wrappers = 8;  // invokeWithLayer(initConnection(invokeWithoutUpdates(...)))

}  // namespace

api_handler::api_handler(catalog& published, handler_config config, crypto::random_source random)
    : catalog_(published),
      config_(std::move(config)),
      random_(std::move(random)),
      flood_every_(config_.faults.flood_every, config_.faults.flood_seconds),
      flood_rps_(config_.faults.flood_rps),
      premium_wait_(config_.faults.premium_wait_bytes, config_.faults.premium_wait_seconds,
                    config_.faults.premium_users) {
  if (!config_.request_log.empty()) log_ = std::make_unique<request_log>(config_.request_log);
}

api_handler::~api_handler() = default;

void api_handler::set_endpoints(std::vector<dc_endpoint> dcs, std::optional<dc_endpoint> cdn) {
  config_.dcs = std::move(dcs);
  config_.cdn = std::move(cdn);
}

bool api_handler::floods_account(const request_context& ctx) const noexcept {
  const auto only = config_.faults.flood_account;
  return only == 0 || (ctx.key.user && ctx.key.user->id == only);
}

rpc_answer api_handler::handle(request_context& ctx, std::span<const std::uint8_t> body) {
  last_query_id_ = body.size() >= 4 ? tl::reader(body).read_uint() : 0;
  rpc_answer answer = answer_request(ctx, body);
  if (log_) {
    const auto arrived = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::system_clock::now().time_since_epoch());
    const key_record* perm = ctx.key.bound_perm_key_id && ctx.keys ? ctx.keys->find(ctx.dc_id, *ctx.key.bound_perm_key_id) : nullptr;
    const key_record& acting = perm ? *perm : ctx.key;
    log_->record(arrived.count(), acting.user ? acting.user->id : acting.key.id(), ctx.dc_id, last_query_id_, ctx.msg_id,
                 answer.error_message);
  }
  return answer;
}

rpc_answer api_handler::answer_request(request_context& ctx, std::span<const std::uint8_t> body) {
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
      const auto& support = layer_writer_for(layer);
      if (!support.writer) {
        // Never another layer's bytes: a client could not read them and would retry for ever.
        if (refused_layers_.size() < max_refused_layers_told && refused_layers_.insert(layer).second)
          fmt::print(stderr, "mtproto-testdc: {}\n", support.reason);
        return bad_request("LAYER_INVALID");
      }
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
  last_query_id_ = id;
  // Re-read the query from its constructor id with the generated readers.
  const std::size_t query_at = r.position() - 4;
  tl::reader q(body.subspan(query_at));

  const auto account = ctx.key.user ? ctx.key.user->id : ctx.key.key.id();
  if (auto wait = floods_account(ctx) ? flood_rps_.on_request(account, ctx.dc_id, ctx.now) : std::nullopt)
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
    case api::auth::signIn::constructor_id: return sign_in(ctx, q, false);
    case auth_sign_in_layer144_id: return sign_in(ctx, q, true);
    case api::account::getPassword::constructor_id: return get_password(ctx);
    case api::auth::bindTempAuthKey::constructor_id: return bind_temp_auth_key(ctx, q);
    case api::auth::checkPassword::constructor_id: return check_password(ctx, q);
    case api::auth::exportAuthorization::constructor_id: return export_authorization(ctx, q);
    case api::auth::importAuthorization::constructor_id: return import_authorization(ctx, q);
    case api::contacts::resolveUsername::constructor_id: return resolve_username(ctx, q, false);
    case l144::contacts::resolveUsername::constructor_id: return resolve_username(ctx, q, true);
    case api::channels::getChannels::constructor_id: return get_channels(ctx, q);
    case api::channels::getMessages::constructor_id: return get_channel_messages(ctx, q);
    case api::messages::getDiscussionMessage::constructor_id: return get_discussion_message(ctx, q);
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
