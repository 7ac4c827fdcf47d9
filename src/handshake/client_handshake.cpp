#include "mtproto/handshake/client_handshake.h"


#include <algorithm>
#include <cstring>
#include <limits>

#include "handshake_support.h"
#include "mtproto/crypto/aes_ige.h"
#include "mtproto/crypto/wipe.h"
#include "mtproto/crypto/ct_equal.h"
#include "mtproto/crypto/dh.h"
#include "mtproto/crypto/error.h"
#include "mtproto/crypto/pq.h"
#include "mtproto/crypto/sha.h"
#include "mtproto/handshake/error.h"
#include "mtproto/mt/Client_DH_Inner_Data.h"
#include "mtproto/mt/P_Q_inner_data.h"
#include "mtproto/mt/ResPQ.h"
#include "mtproto/mt/Server_DH_Params.h"
#include "mtproto/mt/Server_DH_inner_data.h"
#include "mtproto/mt/Set_client_DH_params_answer.h"
#include "mtproto/mt/fn/req_DH_params.h"
#include "mtproto/mt/fn/req_pq_multi.h"
#include "mtproto/mt/fn/set_client_DH_params.h"
#include "mtproto/tl/reader.h"
#include "mtproto/tl/writer.h"

namespace mtproto::handshake {

client_handshake::client_handshake(client_options options, crypto::random_source random)
    : options_(std::move(options)), random_(std::move(random)) {
  if (options_.rsa_keys.empty()) {
    options_.rsa_keys.push_back(crypto::telegram_production_key());
    options_.rsa_keys.push_back(crypto::telegram_test_key());
  }
}

step_result client_handshake::fail(std::error_code ec) {
  state_ = state::failed;
  return step_result{{}, std::nullopt, ec};
}

std::vector<std::uint8_t> client_handshake::begin() {
  random_(nonce_);
  state_ = state::wait_res_pq;
  return detail::serialize(mt::req_pq_multi{.nonce = nonce_});
}

step_result client_handshake::feed(std::span<const std::uint8_t> body, core::clock::time_point now) {
  try {
    switch (state_) {
      case state::wait_res_pq: return on_res_pq(body);
      case state::wait_dh_params: return on_server_dh_params(body, now);
      case state::wait_dh_gen: return on_dh_gen(body);
      default: return fail(handshake_errc::unexpected_message);
    }
  } catch (const tl::decode_error&) {
    return fail(handshake_errc::malformed_message);
  } catch (const crypto::crypto_error& e) {
    return fail(e.code());
  }
}

step_result client_handshake::on_res_pq(std::span<const std::uint8_t> body) {
  tl::reader r(body);
  const auto res = mt::resPQ::read(r);
  if (res.nonce != nonce_) return fail(handshake_errc::nonce_mismatch);
  server_nonce_ = res.server_nonce;

  const crypto::rsa_public_key* key = nullptr;
  for (auto fp : res.server_public_key_fingerprints) {
    auto it = std::find_if(options_.rsa_keys.begin(), options_.rsa_keys.end(),
                           [fp](const auto& k) { return k.fingerprint() == fp; });
    if (it != options_.rsa_keys.end()) {
      key = &*it;
      break;
    }
  }
  if (!key) return fail(handshake_errc::no_known_rsa_key);

  const auto pq = crypto::pq_from_bytes(detail::as_bytes(res.pq));
  const auto factors = crypto::factorize_pq(pq);
  const auto p = detail::as_string(crypto::minimal_be_bytes(factors.p));
  const auto q = detail::as_string(crypto::minimal_be_bytes(factors.q));

  std::array<std::uint8_t, res_pq_random_bytes> rnd;
  random_(rnd);
  std::copy_n(rnd.begin(), new_nonce_.size(), new_nonce_.begin());

  std::vector<std::uint8_t> inner;
  if (options_.temp_key_expires_in) {
    inner = detail::serialize(mt::P_Q_inner_data(mt::p_q_inner_data_temp_dc{
        .pq = res.pq, .p = p, .q = q, .nonce = nonce_, .server_nonce = server_nonce_, .new_nonce = new_nonce_,
        .dc = options_.dc_id.value_or(0), .expires_in = *options_.temp_key_expires_in}));
  } else if (options_.dc_id) {
    inner = detail::serialize(mt::P_Q_inner_data(mt::p_q_inner_data_dc{
        .pq = res.pq, .p = p, .q = q, .nonce = nonce_, .server_nonce = server_nonce_, .new_nonce = new_nonce_,
        .dc = *options_.dc_id}));
  } else {
    inner = detail::serialize(mt::P_Q_inner_data(mt::p_q_inner_data{
        .pq = res.pq, .p = p, .q = q, .nonce = nonce_, .server_nonce = server_nonce_, .new_nonce = new_nonce_}));
  }
  const auto encrypted = crypto::rsa_pad_encrypt(
      *key, inner, std::span<const std::uint8_t, crypto::rsa_pad_random_size>(rnd.data() + new_nonce_.size(),
                                                                              crypto::rsa_pad_random_size));
  state_ = state::wait_dh_params;
  return step_result{detail::serialize(mt::req_DH_params{.nonce = nonce_,
                                                         .server_nonce = server_nonce_,
                                                         .p = p,
                                                         .q = q,
                                                         .public_key_fingerprint = key->fingerprint(),
                                                         .encrypted_data = detail::as_string(encrypted)}),
                     std::nullopt,
                     {}};
}

step_result client_handshake::on_server_dh_params(std::span<const std::uint8_t> body, core::clock::time_point now) {
  tl::reader r(body);
  const auto params = mt::Server_DH_Params::read(r);
  if (const auto* f = params.get_if<mt::server_DH_params_fail>()) {
    if (f->nonce != nonce_) return fail(handshake_errc::nonce_mismatch);
    if (f->server_nonce != server_nonce_) return fail(handshake_errc::server_nonce_mismatch);
    // Only the server that read our new_nonce can say this: the lower 128 bits of SHA1(new_nonce).
    const auto digest = crypto::sha1(new_nonce_);
    if (!crypto::ct_equal(std::span(digest).last(16), f->new_nonce_hash))
      return fail(handshake_errc::new_nonce_hash_mismatch);
    return fail(handshake_errc::dh_params_fail);
  }
  const auto& ok = *params.get_if<mt::server_DH_params_ok>();
  if (ok.nonce != nonce_) return fail(handshake_errc::nonce_mismatch);
  if (ok.server_nonce != server_nonce_) return fail(handshake_errc::server_nonce_mismatch);

  tmp_aes_ = crypto::handshake_tmp_aes(new_nonce_, server_nonce_);
  const auto answer = detail::decrypt_with_hash(tmp_aes_, detail::as_bytes(ok.encrypted_answer));
  if (!answer) return fail(handshake_errc::bad_encrypted_length);
  tl::reader ar(answer->data);
  const auto inner = mt::server_DH_inner_data::read(ar);
  if (!detail::sha1_prefix_matches(answer->hash, std::span(answer->data).first(ar.position())))
    return fail(handshake_errc::answer_hash_mismatch);
  // Padding only completes the last AES block: anything longer is not what the spec allows.
  if (answer->data.size() - ar.position() >= detail::aes_block) return fail(handshake_errc::bad_padding);
  if (inner.nonce != nonce_) return fail(handshake_errc::nonce_mismatch);
  if (inner.server_nonce != server_nonce_) return fail(handshake_errc::server_nonce_mismatch);
  if (inner.g <= 0) return fail(crypto::crypto_errc::dh_generator_invalid);

  dh_prime_.assign(inner.dh_prime.begin(), inner.dh_prime.end());
  g_a_.assign(inner.g_a.begin(), inner.g_a.end());
  g_ = inner.g;
  time_offset_ = std::chrono::seconds(inner.server_time) -
                 std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch());
  if (options_.temp_key_expires_in) {
    // In 64 bits: a hostile server_time near INT32_MAX must not overflow into a past expiry.
    const std::int64_t at = std::int64_t{inner.server_time} + *options_.temp_key_expires_in;
    if (*options_.temp_key_expires_in <= 0 || at <= 0 || at > std::numeric_limits<std::int32_t>::max())
      return fail(handshake_errc::expiry_out_of_range);
    expires_at_ = static_cast<std::int32_t>(at);
  }
  state_ = state::wait_dh_gen;
  return step_result{make_client_dh_params(), std::nullopt, {}};
}

client_handshake::~client_handshake() {
  crypto::secure_wipe(new_nonce_);
  crypto::secure_wipe(tmp_aes_.key);
  crypto::secure_wipe(tmp_aes_.iv);
  crypto::secure_wipe(auth_key_);
}

std::vector<std::uint8_t> client_handshake::make_client_dh_params() {
  std::array<std::uint8_t, dh_random_bytes> rnd;
  random_(rnd);
  struct wipe_on_exit {
    std::span<std::uint8_t> secret;
    ~wipe_on_exit() { crypto::secure_wipe(secret); }
  } wipe_b{rnd};  // b, the client's DH exponent, and the padding drawn with it
  const auto dh = crypto::dh_client_compute(dh_prime_, static_cast<std::uint32_t>(g_), g_a_,
                                            std::span<const std::uint8_t, 256>(rnd.data(), 256));
  std::copy(dh.auth_key.begin(), dh.auth_key.end(), auth_key_.begin());
  const auto inner = detail::serialize(mt::client_DH_inner_data{
      .nonce = nonce_, .server_nonce = server_nonce_, .retry_id = retry_id_, .g_b = detail::as_string(dh.g_b)});
  const auto encrypted = detail::encrypt_with_hash(tmp_aes_, inner, std::span(rnd).subspan(256));
  return detail::serialize(mt::set_client_DH_params{
      .nonce = nonce_, .server_nonce = server_nonce_, .encrypted_data = detail::as_string(encrypted)});
}

step_result client_handshake::on_dh_gen(std::span<const std::uint8_t> body) {
  tl::reader r(body);
  const auto answer = mt::Set_client_DH_params_answer::read(r);
  auto check = [&](const auto& a, std::uint8_t number, const tl::int128& hash) -> std::error_code {
    if (a.nonce != nonce_) return handshake_errc::nonce_mismatch;
    if (a.server_nonce != server_nonce_) return handshake_errc::server_nonce_mismatch;
    const auto expected = crypto::new_nonce_hash(new_nonce_, number, auth_key_);
    if (!crypto::ct_equal(expected, hash)) return handshake_errc::new_nonce_hash_mismatch;
    return {};
  };
  if (const auto* ok = answer.get_if<mt::dh_gen_ok>()) {
    if (auto ec = check(*ok, 1, ok->new_nonce_hash1)) return fail(ec);
    state_ = state::done;
    auth_key_result result;
    result.key = core::auth_key(auth_key_);
    result.first_salt = crypto::handshake_first_salt(new_nonce_, server_nonce_);
    result.time_offset = time_offset_;
    result.expires_at = expires_at_;
    result.dc_id = options_.dc_id.value_or(0);
    return step_result{{}, std::move(result), {}};
  }
  if (const auto* retry = answer.get_if<mt::dh_gen_retry>()) {
    if (auto ec = check(*retry, 2, retry->new_nonce_hash2)) return fail(ec);
    if (++retries_ > options_.max_retries) return fail(handshake_errc::too_many_retries);
    const auto aux = crypto::auth_key_aux_hash(auth_key_);
    std::memcpy(&retry_id_, aux.data(), sizeof retry_id_);
    return step_result{make_client_dh_params(), std::nullopt, {}};
  }
  const auto& failed = *answer.get_if<mt::dh_gen_fail>();
  if (auto ec = check(failed, 3, failed.new_nonce_hash3)) return fail(ec);
  return fail(handshake_errc::dh_gen_fail);
}

}  // namespace mtproto::handshake
