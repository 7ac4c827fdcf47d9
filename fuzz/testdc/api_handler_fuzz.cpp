// The emulator's API dispatch: testdc::api_handler::handle, fed what a hostile client sends in a
// decrypted request body, with no sockets (the handler answers bodies; connection.cpp only moves
// them). The first byte configures the emulator (faults, a 2FA password, a CDN file); then each
// operation picks a key (DC 1, DC 2, a temporary key on DC 1, the CDN DC), one of the served
// methods built as a genuine request from the catalog (right tokens, file references, login code
// hash, SRP challenge, temp-key binding, exported authorization), wraps it in the invoke* /
// initConnection wrappers with a chosen layer, and mutates the bytes (xor, truncate) or replaces
// them, so every method's reader and checks see near-valid input. Must hold: handle() never
// throws; an answer is either an rpc_error (code 303/400/401/420/500, a message, no result) or a
// non-empty result of whole words; a FLOOD_WAIT parses to a wait, a *_MIGRATE to a DC the emulator
// has; pushes only with --push-updates; and in the library's layer a result that is an object
// decodes with the library's own API readers to exactly its bytes. Requests are capped at 4 KiB.
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_data.h"
#include "mtproto/api/CodeSettings.h"
#include "mtproto/api/InputChannel.h"
#include "mtproto/api/InputCheckPasswordSRP.h"
#include "mtproto/api/InputFileLocation.h"
#include "mtproto/api/InputMessage.h"
#include "mtproto/api/InputUser.h"
#include "mtproto/api/PasswordKdfAlgo.h"
#include "mtproto/api/account/Password.h"
#include "mtproto/api/auth/ExportedAuthorization.h"
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
#include "mtproto/api/registry.h"
#include "mtproto/crypto/srp.h"
#include "mtproto/handshake/bind_temp_key.h"
#include "mtproto/session/rpc_error.h"
#include "mtproto/testdc/api_handler.h"
#include "mtproto/testdc/l144/fn/contacts/resolveUsername.h"
#include "mtproto/tl/error.h"
#include "mtproto/tl/schema_info.h"

using namespace mtproto;
using namespace mtproto::testdc;

namespace {

constexpr std::size_t max_input = 16 * 1024;
constexpr std::size_t max_request = 4096;
constexpr std::size_t max_ops = 24;
constexpr std::int32_t unix_time = 1'700'000'000;
constexpr std::int64_t temp_session_id = 0x5e55104;
constexpr std::uint32_t vector_id = 0x1cb5c415;
constexpr std::uint32_t invoke_after_msgs_id = 0x3dc4b4f0;
constexpr const char* password = "pw";

using any_query = api::help::getConfig;

template <class F>
std::vector<std::uint8_t> encode(const F& f) {
  std::vector<std::uint8_t> out;
  tl::writer w(out);
  f.write(w);
  return out;
}

crypto::random_source counting_random() {
  auto state = std::make_shared<std::uint8_t>(0);
  return [state](std::span<std::uint8_t> out) {
    for (auto& b : out) b = ++*state;
  };
}

core::auth_key make_key(std::uint8_t tag) {
  core::auth_key::bytes_type k{};
  for (std::size_t i = 0; i < k.size(); ++i) k[i] = static_cast<std::uint8_t>(i * 13 + tag);
  return core::auth_key(k);
}

/// One emulator: catalog, keys, handler, and what earlier answers handed out.
struct emulator {
  explicit emulator(std::uint8_t config)
      : published(42, files_for(config)),
        handler(published, config_for(config), counting_random()) {
    dc1 = &keys.add(1, make_key(1), 7);
    dc2 = &keys.add(2, make_key(2), 8);
    temp = &keys.add(1, make_key(3), 9);
    temp->expires_at = unix_time + 3600;
    cdn = &keys.add(cdn_dc_id, make_key(4), 10);
  }

  static std::vector<file_spec> files_for(std::uint8_t config) {
    std::vector<file_spec> f = {{"a.bin", 300000, 1, false}, {"b.bin", 5000, 2, false}};
    if (config & 0x40) f.push_back({"c.bin", 70000, 1, true});
    return f;
  }
  static handler_config config_for(std::uint8_t config) {
    handler_config c;
    c.dcs = {{1, "127.0.0.1", 20001, false}, {2, "127.0.0.1", 20002, false}};
    if (config & 0x40) c.cdn = dc_endpoint{cdn_dc_id, "127.0.0.1", 20003, true};
    c.cdn_public_key_pem = "-----BEGIN RSA PUBLIC KEY-----\n-----END RSA PUBLIC KEY-----\n";
    c.faults.flood_every = (config & 3) == 3 ? 3 : 0;
    c.faults.flood_seconds = 2;
    c.faults.flood_rps = config & 4 ? 3 : 0;
    c.faults.file_ref_ttl = config & 8 ? 2 : 0;
    c.faults.push_updates = config & 0x10;
    if (config & 0x20) c.user_password = password;
    return c;
  }

  catalog published;
  key_store keys;
  api_handler handler;
  key_record* dc1 = nullptr;
  key_record* dc2 = nullptr;
  key_record* temp = nullptr;
  key_record* cdn = nullptr;
  std::optional<api::auth::exportedAuthorization> exported;
  std::optional<api::account::password> password_state;
};

api::InputFileLocation location_of(const published_file& f, fuzz::fuzz_data& in) {
  api::inputDocumentFileLocation loc{};
  loc.id = f.post.document.id;
  loc.access_hash = f.post.document.access_hash;
  loc.file_reference = f.post.document.file_reference;
  switch (in.byte() % 8) {
    case 0: loc.file_reference[in.below(loc.file_reference.size())] ^= 1; break;  // stale or forged
    case 1: loc.access_hash ^= 1; break;
    case 2: loc.thumb_size = "m"; break;
    default: break;
  }
  return loc;
}

std::int64_t file_offset(fuzz::fuzz_data& in) {
  switch (in.byte() % 6) {
    case 0: return 0;
    case 1: return 4096 * static_cast<std::int64_t>(in.byte());
    case 2: return (std::int64_t{1} << 20) * static_cast<std::int64_t>(in.byte() % 4);
    case 3: return std::int64_t{0x7fffffffffff0000} + 4096 * static_cast<std::int64_t>(in.byte() % 16);
    case 4: return -4096;
    default: return in.integral<std::int64_t>();
  }
}

std::int32_t file_limit(fuzz::fuzz_data& in) {
  switch (in.byte() % 5) {
    case 0: return 4096;
    case 1: return 1 << 20;
    case 2: return 1024 * (1 + in.byte() % 64);
    case 3: return 0;
    default: return in.integral<std::int32_t>();
  }
}

const published_file& pick_file(emulator& e, fuzz::fuzz_data& in) {
  auto& files = e.published.files();
  return files[in.below(files.size())];
}

const published_file* cdn_file(emulator& e) {
  for (const auto& f : e.published.files())
    if (f.spec.cdn) return &f;
  return nullptr;
}

/// The genuine SRP proof for the last account.getPassword answer (runs PBKDF2: ~0.1 s).
std::optional<api::inputCheckPasswordSRP> genuine_proof(const emulator& e, fuzz::fuzz_data& in) {
  if (!e.password_state || !e.password_state->current_algo || !e.password_state->srp_B) return std::nullopt;
  const auto* algo =
      e.password_state->current_algo->get_if<api::passwordKdfAlgoSHA256SHA256PBKDF2HMACSHA512iter100000SHA256ModPow>();
  if (!algo) return std::nullopt;
  crypto::srp_parameters params{algo->salt1, algo->salt2, algo->g, algo->p, *e.password_state->srp_B,
                                e.password_state->srp_id.value_or(0)};
  std::array<std::uint8_t, 256> a{};
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = static_cast<std::uint8_t>(i * 7 + 3 + in.byte());
  crypto::srp_answer answer;
  if (crypto::srp_compute(in.boolean() ? password : "wrong", params, a, answer)) return std::nullopt;
  return api::inputCheckPasswordSRP{answer.srp_id, answer.A, answer.M1};
}

/// A genuine request for one of the methods the emulator serves (or raw bytes).
std::vector<std::uint8_t> build_request(emulator& e, key_record& key, std::int64_t msg_id, fuzz::fuzz_data& in) {
  const std::uint8_t method = in.byte();
  switch (method % 25) {
    case 0: return encode(api::help::getConfig{});
    case 1: return encode(api::help::getNearestDc{});
    case 2: return encode(api::help::getCdnConfig{});
    case 3: {
      api::upload::getFile req{};
      const auto& f = pick_file(e, in);
      req.precise = in.boolean();
      req.cdn_supported = in.boolean();
      req.location = location_of(f, in);
      req.offset = file_offset(in);
      req.limit = file_limit(in);
      return encode(req);
    }
    case 4: {
      api::upload::getFileHashes req{};
      req.location = location_of(pick_file(e, in), in);
      req.offset = file_offset(in);
      return encode(req);
    }
    case 5:
    case 6:
    case 7: {
      const auto* f = cdn_file(e);
      tl::bytes token = f ? f->cdn_token : in.vector(in.short_bytes(32));
      if (method % 25 == 5) return encode(api::upload::getCdnFile{token, file_offset(in), file_limit(in)});
      if (method % 25 == 6) return encode(api::upload::getCdnFileHashes{token, file_offset(in)});
      tl::bytes request_token = token;
      request_token.push_back(in.boolean() ? 0x52 : 0x53);
      return encode(api::upload::reuploadCdnFile{token, request_token});
    }
    case 8: {
      api::auth::importBotAuthorization req{};
      req.api_id = 1;
      req.api_hash = "x";
      switch (in.byte() % 3) {
        case 0: req.bot_auth_token = e.published.bot_token(); break;
        case 1:
          req.bot_auth_token = std::to_string(in.integral<std::int64_t>()) + ":" + in.string(in.short_bytes(8));
          break;
        default: req.bot_auth_token = in.string(in.short_bytes(48)); break;
      }
      return encode(req);
    }
    case 9: {
      api::auth::sendCode req{};
      req.phone_number = std::string(test_user_phone);
      if (in.boolean()) req.phone_number = "+" + req.phone_number + in.string(in.short_bytes(4));
      req.api_id = 1;
      req.api_hash = "x";
      req.settings = api::codeSettings{};
      return encode(req);
    }
    case 10: {
      api::auth::signIn req{};
      req.phone_number = std::string(test_user_phone);
      req.phone_code_hash = in.boolean() ? key.phone_code_hash : in.string(in.short_bytes(16));
      if (!in.boolean()) req.phone_code = in.boolean() ? std::string(test_user_code) : in.string(in.short_bytes(8));
      return encode(req);
    }
    case 11: return encode(api::account::getPassword{});
    case 12: {
      api::auth::checkPassword req{};
      if (in.byte() % 8 == 0) {
        if (auto proof = genuine_proof(e, in)) {
          req.password = *proof;
          return encode(req);
        }
      }
      if (in.boolean()) {
        req.password = api::inputCheckPasswordEmpty{};
      } else {
        api::inputCheckPasswordSRP proof{};
        proof.srp_id = key.srp && in.boolean() ? key.srp->srp_id : in.integral<std::int64_t>();
        proof.A = in.vector(in.short_bytes());
        proof.M1 = in.vector(in.short_bytes(64));
        req.password = proof;
      }
      return encode(req);
    }
    case 13: {
      // A genuine binding of the temporary key onto DC 1's permanent key, for this message.
      const std::int32_t expires = unix_time + (in.boolean() ? 3600 : 7200);
      auto b = handshake::make_bind_temp_auth_key(e.dc1->key, e.temp->key, temp_session_id, expires,
                                                  in.boolean() ? msg_id : msg_id + 4, counting_random());
      api::auth::bindTempAuthKey req{};
      req.perm_auth_key_id = in.boolean() ? b.perm_auth_key_id : e.dc2->key.id();
      req.nonce = b.nonce;
      req.expires_at = b.expires_at;
      req.encrypted_message = std::move(b.encrypted_message);
      return encode(req);
    }
    case 14: return encode(api::auth::exportAuthorization{static_cast<std::int32_t>(in.byte() % 4)});
    case 15: {
      api::auth::importAuthorization req{};
      if (e.exported && in.boolean()) {
        req.id = e.exported->id;
        req.bytes = e.exported->bytes;
        if (in.boolean() && !req.bytes.empty()) req.bytes[in.below(req.bytes.size())] ^= 1;
      } else {
        req.id = in.integral<std::int64_t>();
        req.bytes = in.vector(in.short_bytes(64));
      }
      return encode(req);
    }
    case 16: {
      api::contacts::resolveUsername req{};
      req.username = in.boolean() ? e.published.channel().username : in.string(in.short_bytes(32));
      if (in.boolean()) req.referer = "x";
      return encode(req);
    }
    case 17: {
      l144::contacts::resolveUsername req{};
      req.username = in.boolean() ? "TestDC_Files" : in.string(in.short_bytes(32));
      return encode(req);
    }
    case 18:
    case 19: {
      std::vector<api::InputMessage> ids;
      for (std::size_t n = in.byte() % 6; n > 0; --n) {
        if (in.byte() % 4 == 0) ids.emplace_back(api::inputMessageReplyTo{in.integral<std::int32_t>()});
        else ids.emplace_back(api::inputMessageID{first_message_id + static_cast<std::int32_t>(in.byte() % 5) - 1});
      }
      if (method % 25 == 19) return encode(api::messages::getMessages{std::move(ids)});
      api::inputChannel ch{e.published.channel().id, e.published.channel().access_hash};
      if (in.boolean()) ch.access_hash ^= 1;
      api::InputChannel channel = api::inputChannelEmpty{};
      if (in.boolean()) channel = ch;
      return encode(api::channels::getMessages{channel, std::move(ids)});
    }
    case 20: {
      std::vector<api::InputUser> ids;
      for (std::size_t n = in.byte() % 5; n > 0; --n) {
        switch (in.byte() % 4) {
          case 0: ids.emplace_back(api::inputUserSelf{}); break;
          case 1: ids.emplace_back(api::inputUser{e.published.bot().id, 0}); break;
          case 2: ids.emplace_back(api::inputUser{e.published.test_user().id, 0}); break;
          default: ids.emplace_back(api::inputUserEmpty{}); break;
        }
      }
      return encode(api::users::getUsers{std::move(ids)});
    }
    case 21: return encode(api::updates::getState{});
    case 22: {  // invokeAfterMsgs, not in our schema: a vector of msg_ids, then the query
      std::vector<std::uint8_t> out;
      tl::writer w(out);
      w.write_uint(invoke_after_msgs_id);
      const std::uint32_t n = in.byte() % 12;
      w.write_vector_header(n);
      for (std::uint32_t i = 0; i < n; ++i) w.write_long(in.integral<std::int64_t>());
      w.write_uint(api::help::getConfig::constructor_id);
      return out;
    }
    default: {  // raw: a chosen constructor id (or none) and bytes
      std::vector<std::uint8_t> out;
      if (in.boolean()) tl::writer(out).write_uint(in.integral<std::uint32_t>());
      const auto raw = in.sized_bytes(max_request);
      out.insert(out.end(), raw.begin(), raw.end());
      return out;
    }
  }
}

/// invokeWithLayer / initConnection / invokeWithoutUpdates / invokeAfterMsg around `query`.
std::vector<std::uint8_t> wrap(std::vector<std::uint8_t> query, fuzz::fuzz_data& in) {
  const std::uint8_t how = in.byte();
  std::vector<std::uint8_t> out;
  tl::writer w(out);
  if (how & 1) {
    w.write_uint(api::invokeWithLayer<any_query>::constructor_id);
    static constexpr std::int32_t layers[] = {144, 198, api::layer, 1, 0, -1, 143, 500};
    w.write_int(layers[(how >> 4) % std::size(layers)]);
  }
  if (how & 2) {
    w.write_uint(api::initConnection<any_query>::constructor_id);
    const std::uint32_t flags = (how >> 6) & 3;  // proxy, params: their readers run too
    w.write_uint(flags);
    w.write_int(1);
    for (const char* s : {"device", "1.0", "app", "en", "", "en"}) w.write_string(s);
    if (flags & 1) {
      w.write_uint(0x75196f14);  // inputClientProxy address:string port:int
      w.write_string("proxy");
      w.write_int(443);
    }
    if (flags & 2) w.write_uint(0x3f6d7b68);  // jsonNull
  }
  if (how & 4) w.write_uint(api::invokeWithoutUpdates<any_query>::constructor_id);
  if (how & 8) {
    w.write_uint(api::invokeAfterMsg<any_query>::constructor_id);
    w.write_long(in.integral<std::int64_t>());
  }
  out.insert(out.end(), query.begin(), query.end());
  return out;
}

void mutate(std::vector<std::uint8_t>& body, fuzz::fuzz_data& in) {
  for (std::size_t n = in.byte() % 4; n > 0 && !body.empty(); --n) {
    const std::size_t at = in.below(body.size() + 1);
    if (at == body.size()) body.resize(in.below(body.size() + 1));
    else body[at] ^= in.byte();
  }
}

void check_answer(const emulator& e, const rpc_answer& a, const key_record& effective) {
  if (a.is_error()) {
    if (!a.result.empty() || a.error_message.empty()) std::abort();
    const std::int32_t c = a.error_code;
    if (c != 303 && c != 400 && c != 401 && c != 420 && c != 500) std::abort();
    const auto err = rpc_error::parse(c, a.error_message);
    if (c == 420 && !err.wait()) std::abort();
    if (c == 303) {
      const auto dc = err.migrate_to_dc();
      if (!dc || (*dc != 1 && *dc != 2)) std::abort();
    }
    return;
  }
  if (a.result.empty() || a.result.size() % 4 != 0) std::abort();
  if (!a.pushes.empty() && !e.handler.config().faults.push_updates) std::abort();
  for (const auto& p : a.pushes)
    if (p.size() < 4 || p.size() % 4 != 0) std::abort();
  const auto* writer = layer_writer_for(effective.layer).writer;
  if (!writer || writer->layer() != layer_library) return;
  const std::uint32_t id = tl::reader(a.result).read_uint();
  if (id == tl::ids::bool_true || id == tl::ids::bool_false) {  // Bool: built in, not a schema object
    if (a.result.size() != 4) std::abort();
    return;
  }
  if (id == vector_id) return;  // Vector<T>: not readable without its type
  tl::reader r(a.result);
  try {
    const tl::object o = tl::read_object(api::schema(), r);
    if (!r.at_end()) std::abort();
    std::vector<std::uint8_t> again;
    tl::writer w(again);
    o.write(w);
    if (again != a.result) std::abort();
  } catch (const tl::decode_error&) {
    std::abort();  // the emulator answered something its own client library cannot read
  }
}

/// Remembers what later requests may quote (exported authorization, SRP challenge). A mutated
/// request may have been answered as another method: then there is nothing to remember.
void remember(emulator& e, std::uint32_t method, const rpc_answer& a) {
  if (a.is_error()) return;
  try {
    tl::reader r(a.result);
    if (method == api::auth::exportAuthorization::constructor_id) {
      auto x = api::auth::ExportedAuthorization::read(r);
      if (const auto* v = x.get_if<api::auth::exportedAuthorization>()) e.exported = *v;
    } else if (method == api::account::getPassword::constructor_id) {
      r.read_uint();  // account.password, in the layer-144 form too: the same fields
      e.password_state = api::account::password::read_bare(r);
    }
  } catch (const tl::decode_error&) {
  }
}

std::uint32_t first_word(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 4) return 0;
  return tl::reader(bytes).read_uint();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > max_input) return 0;
  emulator e(data[0]);
  fuzz::fuzz_data in(data + 1, size - 1);
  auto now = std::chrono::steady_clock::time_point(std::chrono::hours(1000));
  std::int64_t msg_id = std::int64_t{unix_time} << 32;
  for (std::size_t op = 0; op < max_ops && !in.empty(); ++op) {
    const std::uint8_t who = in.byte();
    key_record* keys[] = {e.dc1, e.dc2, e.temp, e.cdn};
    key_record& key = *keys[who % 4];
    const std::int32_t dc = key.dc_id;
    msg_id += 4 * (1 + (who >> 4));
    now += std::chrono::milliseconds(50 * (who >> 2 & 3));

    auto query = build_request(e, key, msg_id, in);
    const std::uint32_t method = first_word(query);
    auto body = wrap(std::move(query), in);
    mutate(body, in);
    if (body.size() > max_request) body.resize(max_request);

    key_store* store = in.byte() % 8 ? &e.keys : nullptr;
    request_context ctx{dc, key, now, unix_time, temp_session_id, msg_id, store};
    const rpc_answer a = e.handler.handle(ctx, body);
    // A bound temporary key answers in its permanent key's layer (when the DC's keys are given).
    key_record* effective = &key;
    if (store && key.bound_perm_key_id && first_word(body) != api::auth::bindTempAuthKey::constructor_id)
      if (auto* perm = e.keys.find(dc, *key.bound_perm_key_id)) effective = perm;
    check_answer(e, a, *effective);
    remember(e, method, a);
  }
  return 0;
}
