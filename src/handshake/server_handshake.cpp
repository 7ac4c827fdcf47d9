#include "mtproto/handshake/server_handshake.h"


#include <algorithm>
#include <cstring>
#include <limits>

#include "handshake_support.h"
#include "mtproto/crypto/dh.h"
#include "mtproto/crypto/wipe.h"
#include "mtproto/crypto/error.h"
#include "mtproto/crypto/pq.h"
#include "mtproto/handshake/error.h"
#include "mtproto/mt/Client_DH_Inner_Data.h"
#include "mtproto/mt/P_Q_inner_data.h"
#include "mtproto/mt/ResPQ.h"
#include "mtproto/mt/Server_DH_Params.h"
#include "mtproto/mt/Server_DH_inner_data.h"
#include "mtproto/mt/Set_client_DH_params_answer.h"
#include "mtproto/mt/fn/req_DH_params.h"
#include "mtproto/mt/fn/req_pq.h"
#include "mtproto/mt/fn/req_pq_multi.h"
#include "mtproto/mt/fn/set_client_DH_params.h"
#include "mtproto/tl/reader.h"

namespace mtproto::handshake {
namespace {

// Operands stay below 2^32, so the product fits 64 bits.
std::uint64_t mul_mod(std::uint64_t a, std::uint64_t b, std::uint64_t m) { return a * b % m; }

std::uint64_t pow_mod(std::uint64_t base, std::uint64_t exp, std::uint64_t m) {
  std::uint64_t result = 1;
  base %= m;
  while (exp) {
    if (exp & 1) result = mul_mod(result, base, m);
    base = mul_mod(base, base, m);
    exp >>= 1;
  }
  return result;
}

// Miller-Rabin with bases 2, 7, 61: exact for every n below 2^32.
bool is_prime_u32(std::uint64_t n) {
  if (n < 2) return false;
  for (std::uint64_t p : {2u, 3u, 5u, 7u, 61u})
    if (n % p == 0) return n == p;
  std::uint64_t d = n - 1;
  int s = 0;
  while (d % 2 == 0) {
    d /= 2;
    ++s;
  }
  for (std::uint64_t a : {2u, 7u, 61u}) {
    std::uint64_t x = pow_mod(a, d, n);
    if (x == 1 || x == n - 1) continue;
    bool composite = true;
    for (int i = 1; i < s && composite; ++i) {
      x = mul_mod(x, x, n);
      if (x == n - 1) composite = false;
    }
    if (composite) return false;
  }
  return true;
}

// A prime in [2^30, 2^31) from 4 random bytes. pq then stays below 2^62, like the real server's
// (~2^60..2^62): Telethon 1.25 reads pq as a *signed* 64-bit integer and fails on pq >= 2^63.
std::uint64_t prime_from_seed(std::span<const std::uint8_t> seed) {
  constexpr std::uint64_t low = 0x40000001u, high = 1ull << 31;
  std::uint64_t n = ((std::uint64_t{seed[0]} << 24 | std::uint64_t{seed[1]} << 16 | std::uint64_t{seed[2]} << 8 | seed[3]) &
                     (high - 1)) | low;
  while (!is_prime_u32(n)) {
    n += 2;
    if (n >= high) n = low;
  }
  return n;
}

struct parsed_inner {
  std::string pq, p, q;
  tl::int128 nonce{}, server_nonce{};
  tl::int256 new_nonce{};
  std::int32_t dc = 0;
  std::optional<std::int32_t> expires_in;
};

parsed_inner from_inner(const mt::P_Q_inner_data& data) {
  parsed_inner out;
  auto common = [&](const auto& v) {
    out.pq = v.pq;
    out.p = v.p;
    out.q = v.q;
    out.nonce = v.nonce;
    out.server_nonce = v.server_nonce;
    out.new_nonce = v.new_nonce;
  };
  if (auto* v = data.get_if<mt::p_q_inner_data>()) {
    common(*v);
  } else if (auto* v = data.get_if<mt::p_q_inner_data_dc>()) {
    common(*v);
    out.dc = v->dc;
  } else if (auto* v = data.get_if<mt::p_q_inner_data_temp>()) {
    common(*v);
    out.expires_in = v->expires_in;
  } else if (auto* v = data.get_if<mt::p_q_inner_data_temp_dc>()) {
    common(*v);
    out.dc = v->dc;
    out.expires_in = v->expires_in;
  }
  return out;
}

}  // namespace

server_handshake::~server_handshake() {
  crypto::secure_wipe(new_nonce_);
  crypto::secure_wipe(a_);
  crypto::secure_wipe(tmp_aes_.key);
  crypto::secure_wipe(tmp_aes_.iv);
}

server_handshake::server_handshake(server_options options, crypto::random_source random)
    : options_(std::move(options)), random_(std::move(random)) {
  if (options_.dh_prime.empty()) {
    const auto prime = crypto::telegram_dh_prime();
    options_.dh_prime.assign(prime.begin(), prime.end());
  }
}

step_result server_handshake::fail(std::error_code ec) {
  state_ = state::failed;
  return step_result{{}, std::nullopt, ec};
}

step_result server_handshake::feed(std::span<const std::uint8_t> body, core::clock::time_point now) {
  try {
    switch (state_) {
      case state::wait_req_pq: return on_req_pq(body);
      case state::wait_req_dh: return on_req_dh_params(body, now);
      case state::wait_client_dh: return on_set_client_dh_params(body);
      default: return fail(handshake_errc::unexpected_message);
    }
  } catch (const tl::decode_error&) {
    return fail(handshake_errc::malformed_message);
  } catch (const crypto::crypto_error& e) {
    return fail(e.code());
  }
}

step_result server_handshake::on_req_pq(std::span<const std::uint8_t> body) {
  tl::reader r(body);
  const std::uint32_t id = r.peek_uint();
  if (id == mt::req_pq_multi::constructor_id) {
    nonce_ = mt::req_pq_multi::read(r).nonce;
  } else if (id == mt::req_pq::constructor_id) {
    nonce_ = mt::req_pq::read(r).nonce;
  } else {
    return fail(handshake_errc::unexpected_message);
  }
  std::array<std::uint8_t, server_res_pq_random_bytes> rnd;
  random_(rnd);
  std::copy_n(rnd.begin(), server_nonce_.size(), server_nonce_.begin());
  p_ = prime_from_seed(std::span(rnd).subspan(16, 4));
  q_ = prime_from_seed(std::span(rnd).subspan(20, 4));
  while (q_ == p_) q_ = prime_from_seed(std::array<std::uint8_t, 4>{static_cast<std::uint8_t>(q_ >> 24), 0, 0, 3});
  if (p_ > q_) std::swap(p_, q_);
  pq_ = p_ * q_;

  state_ = state::wait_req_dh;
  return step_result{detail::serialize(mt::resPQ{
                         .nonce = nonce_,
                         .server_nonce = server_nonce_,
                         .pq = detail::as_string(crypto::minimal_be_bytes(pq_)),
                         .server_public_key_fingerprints = {options_.rsa_key->public_key().fingerprint()}}),
                     std::nullopt,
                     {}};
}

step_result server_handshake::on_req_dh_params(std::span<const std::uint8_t> body, core::clock::time_point now) {
  tl::reader r(body);
  const auto req = mt::req_DH_params::read(r);
  if (req.nonce != nonce_) return fail(handshake_errc::nonce_mismatch);
  if (req.server_nonce != server_nonce_) return fail(handshake_errc::server_nonce_mismatch);
  if (req.public_key_fingerprint != options_.rsa_key->public_key().fingerprint())
    return fail(handshake_errc::unknown_fingerprint);

  const auto encrypted = detail::as_bytes(req.encrypted_data);
  std::optional<mt::P_Q_inner_data> inner;
  try {
    const auto padded = crypto::rsa_pad_decrypt(*options_.rsa_key, encrypted);
    tl::reader ir(padded);
    inner = mt::P_Q_inner_data::read(ir);
  } catch (const crypto::crypto_error&) {
  } catch (const tl::decode_error&) {
  }
  if (!inner && options_.accept_legacy_rsa) {
    try {
      const auto block = crypto::rsa_legacy_decrypt(*options_.rsa_key, encrypted);
      tl::reader ir{std::span<const std::uint8_t>(block).subspan(20)};
      auto candidate = mt::P_Q_inner_data::read(ir);
      if (crypto::rsa_legacy_hash_matches(block, ir.position())) inner = std::move(candidate);
    } catch (const crypto::crypto_error&) {
    } catch (const tl::decode_error&) {
    }
  }
  if (!inner) return fail(handshake_errc::rsa_decrypt_failed);

  const auto data = from_inner(*inner);
  if (data.nonce != nonce_) return fail(handshake_errc::nonce_mismatch);
  if (data.server_nonce != server_nonce_) return fail(handshake_errc::server_nonce_mismatch);
  const auto expect = [](std::uint64_t v) { return detail::as_string(crypto::minimal_be_bytes(v)); };
  if (data.pq != expect(pq_) || data.p != expect(p_) || data.q != expect(q_) || req.p != data.p || req.q != data.q)
    return fail(handshake_errc::bad_pq);
  new_nonce_ = data.new_nonce;
  dc_id_ = data.dc;
  const std::int64_t server_time = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  if (data.expires_in) {
    // The client chooses expires_in: keep server_time + expires_in inside a 32-bit Unix time.
    const std::int64_t at = server_time + *data.expires_in;
    if (*data.expires_in <= 0 || at > std::numeric_limits<std::int32_t>::max())
      return fail(handshake_errc::expiry_out_of_range);
  }
  expires_in_ = data.expires_in;

  std::array<std::uint8_t, server_dh_params_random_bytes> rnd;
  random_(rnd);
  std::copy_n(rnd.begin(), a_.size(), a_.begin());
  const auto g_a = crypto::dh_public_value(options_.dh_prime, static_cast<std::uint32_t>(options_.g), a_);
  server_time_ = static_cast<std::int32_t>(server_time);
  const auto answer = detail::serialize(mt::server_DH_inner_data{.nonce = nonce_,
                                                                 .server_nonce = server_nonce_,
                                                                 .g = options_.g,
                                                                 .dh_prime = detail::as_string(options_.dh_prime),
                                                                 .g_a = detail::as_string(g_a),
                                                                 .server_time = server_time_});
  tmp_aes_ = crypto::handshake_tmp_aes(new_nonce_, server_nonce_);
  const auto encrypted_answer = detail::encrypt_with_hash(tmp_aes_, answer, std::span(rnd).subspan(a_.size()));
  state_ = state::wait_client_dh;
  return step_result{detail::serialize(mt::Server_DH_Params(mt::server_DH_params_ok{
                         .nonce = nonce_,
                         .server_nonce = server_nonce_,
                         .encrypted_answer = detail::as_string(encrypted_answer)})),
                     std::nullopt,
                     {}};
}

step_result server_handshake::on_set_client_dh_params(std::span<const std::uint8_t> body) {
  tl::reader r(body);
  const auto req = mt::set_client_DH_params::read(r);
  if (req.nonce != nonce_) return fail(handshake_errc::nonce_mismatch);
  if (req.server_nonce != server_nonce_) return fail(handshake_errc::server_nonce_mismatch);
  const auto block = detail::decrypt_with_hash(tmp_aes_, detail::as_bytes(req.encrypted_data));
  if (!block) return fail(handshake_errc::bad_encrypted_length);
  tl::reader ir(block->data);
  const auto inner = mt::client_DH_inner_data::read(ir);
  if (!detail::sha1_prefix_matches(block->hash, std::span(block->data).first(ir.position())))
    return fail(handshake_errc::answer_hash_mismatch);
  if (block->data.size() - ir.position() >= detail::aes_block) return fail(handshake_errc::bad_padding);
  if (inner.nonce != nonce_) return fail(handshake_errc::nonce_mismatch);
  if (inner.server_nonce != server_nonce_) return fail(handshake_errc::server_nonce_mismatch);

  const auto key = crypto::dh_shared_key(options_.dh_prime, detail::as_bytes(inner.g_b), a_,
                                         crypto::make_error_code(crypto::crypto_errc::dh_g_b_out_of_range));
  core::auth_key::bytes_type key_bytes;
  std::copy(key.begin(), key.end(), key_bytes.begin());
  // A retry must name the key it replaces (retry_id = aux_hash of the previous attempt's key).
  if (inner.retry_id != last_key_aux_hash_) return fail(handshake_errc::unexpected_message);
  if (options_.key_id_in_use && options_.key_id_in_use(crypto::auth_key_id(key_bytes))) {
    const auto aux = crypto::auth_key_aux_hash(key_bytes);
    std::memcpy(&last_key_aux_hash_, aux.data(), sizeof last_key_aux_hash_);
    return step_result{detail::serialize(mt::Set_client_DH_params_answer(mt::dh_gen_retry{
                           .nonce = nonce_,
                           .server_nonce = server_nonce_,
                           .new_nonce_hash2 = crypto::new_nonce_hash(new_nonce_, 2, key_bytes)})),
                       std::nullopt,
                       {}};
  }

  auth_key_result result;
  result.key = core::auth_key(key_bytes);
  result.first_salt = crypto::handshake_first_salt(new_nonce_, server_nonce_);
  if (expires_in_) result.expires_at = static_cast<std::int32_t>(std::int64_t{server_time_} + *expires_in_);
  result.dc_id = dc_id_;
  state_ = state::done;
  return step_result{detail::serialize(mt::Set_client_DH_params_answer(mt::dh_gen_ok{
                         .nonce = nonce_,
                         .server_nonce = server_nonce_,
                         .new_nonce_hash1 = crypto::new_nonce_hash(new_nonce_, 1, key_bytes)})),
                     std::move(result),
                     {}};
}

}  // namespace mtproto::handshake
