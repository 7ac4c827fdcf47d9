#include "mtproto/crypto/kdf.h"

#include <catch2/catch.hpp>

#include "mtproto/crypto/aes_ige.h"
#include "test_util.h"

using namespace mtproto::crypto;
using namespace mtproto::test;

namespace {

direction dir_of(const json& x) { return x.i64() == 0 ? direction::client_to_server : direction::server_to_client; }

std::vector<std::uint8_t> drbg(const std::string& label, std::size_t n) {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; out.size() < n; ++i) {
    const auto h = sha256(as_bytes(label + ":" + std::to_string(i)));
    out.insert(out.end(), h.begin(), h.end());
  }
  out.resize(n);
  return out;
}

// Builds auth_key_id || msg_key || IGE(plaintext) the way the session will, and checks the
// receive side (fused decrypt+hash) recovers the plaintext and msg_key.
std::vector<std::uint8_t> encrypt_packet(auth_key_view auth_key, std::span<const std::uint8_t> plaintext, direction dir) {
  const auto msg_key = compute_msg_key(auth_key, plaintext, dir);
  const auto keys = derive_message_keys(auth_key, msg_key, dir);
  const auto id = auth_key_id_bytes(auth_key);
  std::vector<std::uint8_t> packet(id.begin(), id.end());
  packet.insert(packet.end(), msg_key.begin(), msg_key.end());
  packet.insert(packet.end(), plaintext.begin(), plaintext.end());
  ige_encrypt(aes256_ige_key(keys.key), keys.iv, std::span(packet).subspan(24));
  return packet;
}

void check_receive(auth_key_view auth_key, const std::vector<std::uint8_t>& packet, direction dir,
                   std::span<const std::uint8_t> expected_plaintext) {
  const msg_key_view msg_key(packet.data() + 8, 16);
  const auto keys = derive_message_keys(auth_key, msg_key, dir);
  std::vector<std::uint8_t> body(packet.begin() + 24, packet.end());
  const auto large = ige_decrypt_sha256(aes256_ige_key(keys.key), keys.iv, msg_key_hash_prefix(auth_key, dir), body, body);
  CHECK(std::equal(expected_plaintext.begin(), expected_plaintext.end(), body.begin(), body.end()));
  const auto recomputed = msg_key_from_large(large);
  CHECK(std::equal(recomputed.begin(), recomputed.end(), msg_key.begin()));
}

}  // namespace

TEST_CASE("MTProto 2.0 aes_key/aes_iv, published (grammers/gotd)", "[crypto][kdf][vectors]") {
  const json doc = load_vectors("mtproto2_kdf.json");
  const json& v = doc["kdf_published"];
  const auto auth_key = from_hex(v["auth_key"].str());
  const auto msg_key = from_hex(v["msg_key"].str());
  const auto c2s = derive_message_keys(fixed<256>(auth_key), fixed<16>(msg_key), direction::client_to_server);
  CHECK(to_hex(c2s.key) == v["x0_client_to_server"]["aes_key"].str());
  CHECK(to_hex(c2s.iv) == v["x0_client_to_server"]["aes_iv"].str());
  const auto s2c = derive_message_keys(fixed<256>(auth_key), fixed<16>(msg_key), direction::server_to_client);
  CHECK(to_hex(s2c.key) == v["x8_server_to_client"]["aes_key"].str());
  CHECK(to_hex(s2c.iv) == v["x8_server_to_client"]["aes_iv"].str());
}

TEST_CASE("auth_key_id, aux_hash, new_nonce hashes, tmp AES key, first salt", "[crypto][kdf][vectors]") {
  const json doc = load_vectors("mtproto2_kdf.json");
  const json& v = doc["auth_key_published"];
  const auto auth_key = from_hex(v["auth_key"].str());
  const auto new_nonce = from_hex(v["new_nonce"].str());
  CHECK(to_hex(auth_key_id_bytes(fixed<256>(auth_key))) == v["auth_key_id"].str());
  CHECK(auth_key_id(fixed<256>(auth_key)) == v["auth_key_id_int64_le"].i64());
  CHECK(to_hex(auth_key_aux_hash(fixed<256>(auth_key))) == v["aux_hash"].str());
  for (std::uint8_t n = 1; n <= 3; ++n) {
    CHECK(to_hex(new_nonce_hash(fixed<32>(new_nonce), n, fixed<256>(auth_key))) ==
          v["new_nonce_hash" + std::to_string(n)].str());
  }

  const json& t = doc["tmp_aes_from_nonces_published"];
  const auto tmp = handshake_tmp_aes(fixed<32>(from_hex(t["new_nonce"].str())), fixed<16>(from_hex(t["server_nonce"].str())));
  CHECK(to_hex(tmp.key) == t["tmp_aes_key"].str());
  CHECK(to_hex(tmp.iv) == t["tmp_aes_iv"].str());

  const json flow = load_vectors("auth_key_flow_grammers.json");
  const auto salt = handshake_first_salt(fixed<32>(from_hex(flow["derived_by_us"]["new_nonce"].str())),
                                         fixed<16>(from_hex(flow["derived_by_us"]["server_nonce"].str())));
  CHECK(salt == flow["recorded"]["expected_first_salt"].i64());
}

TEST_CASE("MTProto 2.0 packets: grammers encrypt and decrypt", "[crypto][kdf][vectors]") {
  const json doc = load_vectors("mtproto2_kdf.json");
  {
    const json& v = doc["encrypt_v2_published"];
    const auto auth_key = from_hex(v["auth_key"].str());
    const auto plain = from_hex(v["plaintext_padded"].str());
    const auto ak = fixed<256>(auth_key);
    const auto msg_key = compute_msg_key(ak, plain, direction::client_to_server);
    CHECK(to_hex(msg_key) == v["msg_key"].str());
    const auto keys = derive_message_keys(ak, msg_key, direction::client_to_server);
    CHECK(to_hex(keys.key) == v["aes_key"].str());
    CHECK(to_hex(keys.iv) == v["aes_iv"].str());
    const auto packet = encrypt_packet(ak, plain, direction::client_to_server);
    CHECK(to_hex(packet) == v["packet"].str());
    check_receive(ak, packet, direction::client_to_server, plain);
  }
  {
    const json& v = doc["decrypt_v2_published"];
    const auto auth_key = from_hex(v["auth_key"].str());
    const auto ak = fixed<256>(auth_key);
    const auto packet = from_hex(v["packet"].str());
    CHECK(to_hex(auth_key_id_bytes(ak)) == v["auth_key_id"].str());
    const auto keys = derive_message_keys(ak, fixed<16>(from_hex(v["msg_key"].str())), direction::server_to_client);
    CHECK(to_hex(keys.key) == v["aes_key"].str());
    CHECK(to_hex(keys.iv) == v["aes_iv"].str());
    check_receive(ak, packet, direction::server_to_client, from_hex(v["plaintext"].str()));
  }
}

TEST_CASE("MTProto 2.0 own vectors, 16 B .. 512 KiB, both directions", "[crypto][kdf][vectors]") {
  const json doc = load_vectors("mtproto2_kdf.json");
  const auto& vectors = doc["own_mtproto2"]["vectors"].items();
  for (std::size_t i = 0; i < vectors.size(); ++i) {
    const json& v = vectors[i];
    INFO(v["name"].str());
    const direction dir = dir_of(v["x"]);
    const std::string tag = std::to_string(i / 2) + "-" + v["x"].str();
    const auto auth_key = drbg("mt2-authkey-" + std::to_string(i / 2), 256);
    REQUIRE(to_hex(auth_key) == v["auth_key"].str());
    auto plain = drbg("mt2-plain-" + tag, static_cast<std::size_t>(v["plaintext_len"].i64()));
    const auto pad = drbg("mt2-pad-" + tag, static_cast<std::size_t>(v["padding_len"].i64()));
    plain.insert(plain.end(), pad.begin(), pad.end());
    REQUIRE(to_hex(sha256(plain)) == v["sha256_plaintext_padded"].str());
    const auto ak = fixed<256>(auth_key);
    CHECK(to_hex(auth_key_id_bytes(ak)) == v["auth_key_id"].str());
    CHECK(to_hex(sha256({msg_key_hash_prefix(ak, dir), std::span<const std::uint8_t>(plain)})) ==
          v["msg_key_large"].str());
    const auto msg_key = compute_msg_key(ak, plain, dir);
    CHECK(to_hex(msg_key) == v["msg_key"].str());
    const auto keys = derive_message_keys(ak, msg_key, dir);
    CHECK(to_hex(keys.key) == v["aes_key"].str());
    CHECK(to_hex(keys.iv) == v["aes_iv"].str());
    const auto packet = encrypt_packet(ak, plain, dir);
    CHECK(to_hex(sha256(packet)) == v["sha256_packet"].str());
    if (v.has("packet")) CHECK(to_hex(packet) == v["packet"].str());
    check_receive(ak, packet, dir, plain);
  }
}

TEST_CASE("MTProto 1.0 legacy KDF and msg_key", "[crypto][kdf][vectors]") {
  const json doc = load_vectors("mtproto2_kdf.json");
  const json& v = doc["mtproto1_legacy_published"];
  const auto auth_key = from_hex(v["auth_key"].str());
  const auto msg_key = from_hex(v["msg_key"].str());
  const auto x0 = derive_message_keys_v1(fixed<256>(auth_key), fixed<16>(msg_key), direction::client_to_server);
  CHECK(to_hex(x0.key) == v["x0"]["aes_key"].str());
  CHECK(to_hex(x0.iv) == v["x0"]["aes_iv"].str());
  const auto x8 = derive_message_keys_v1(fixed<256>(auth_key), fixed<16>(msg_key), direction::server_to_client);
  CHECK(to_hex(x8.key) == v["x8"]["aes_key"].str());
  CHECK(to_hex(x8.iv) == v["x8"]["aes_iv"].str());
  CHECK(to_hex(compute_msg_key_v1(as_bytes(v["message_key_v1"]["data_ascii"].str()))) ==
        v["message_key_v1"]["msg_key"].str());
}
