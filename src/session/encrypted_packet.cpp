#include "mtproto/session/encrypted_packet.h"

#include <cstring>

#include <openssl/crypto.h>

#include "mtproto/crypto/aes_ige.h"
#include "mtproto/crypto/kdf.h"
#include "mtproto/crypto/sha256_many.h"
#include "mtproto/session/error.h"

namespace mtproto::session {
namespace {

// Extra padding beyond the minimum is random in [0, padding_jitter) blocks, so packet sizes
// do not reveal exact body sizes.
constexpr std::size_t padding_jitter_blocks = 4;

void put_le64(std::uint8_t* p, std::int64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(v) >> (8 * i));
}
void put_le32(std::uint8_t* p, std::int32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<std::uint8_t>(static_cast<std::uint32_t>(v) >> (8 * i));
}
std::int64_t get_le64(const std::uint8_t* p) {
  std::uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(p[i]) << (8 * i);
  return static_cast<std::int64_t>(v);
}
std::int32_t get_le32(const std::uint8_t* p) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(p[i]) << (8 * i);
  return static_cast<std::int32_t>(v);
}

}  // namespace

namespace {

/// Appends the padding and fills the inner header; returns the plaintext to hash and encrypt.
std::span<std::uint8_t> lay_out(std::vector<std::uint8_t>& buf, std::size_t head_room, const packet_header& header,
                                const random_source& random) {
  const std::size_t body_size = buf.size() - head_room - packet_prefix;
  const std::size_t plain_unpadded = packet_inner_header + body_size;

  std::uint8_t jitter = 0;
  random(std::span(&jitter, 1));
  std::size_t padding = 16 - (plain_unpadded + min_padding) % 16;
  if (padding == 16) padding = 0;
  padding += min_padding + 16 * (jitter % padding_jitter_blocks);

  const std::size_t old = buf.size();
  buf.resize(old + padding);
  random(std::span(buf).subspan(old));

  std::uint8_t* plain = buf.data() + head_room + packet_outer_header;
  put_le64(plain, header.salt);
  put_le64(plain + 8, header.session_id);
  put_le64(plain + 16, header.msg_id);
  put_le32(plain + 24, header.seqno);
  put_le32(plain + 28, static_cast<std::int32_t>(body_size));
  return {plain, plain_unpadded + padding};
}

/// auth_key_id and msg_key in front of the plaintext; returns the message's AES key and IV.
crypto::aes_key_iv write_outer_header(std::vector<std::uint8_t>& buf, std::size_t head_room, const auth_key& key,
                                      const crypto::msg_key_bytes& msg_key, crypto::direction from) {
  std::uint8_t* outer = buf.data() + head_room;
  put_le64(outer, key.id());
  std::memcpy(outer + 8, msg_key.data(), msg_key.size());
  return crypto::derive_message_keys(key.bytes(), msg_key, from);
}

}  // namespace

std::span<std::uint8_t> seal_packet(std::vector<std::uint8_t>& buf, std::size_t head_room, const auth_key& key,
                                    crypto::direction from, const packet_header& header, const random_source& random) {
  const auto plaintext = lay_out(buf, head_room, header, random);
  const auto msg_key = crypto::compute_msg_key(key.bytes(), plaintext, from);
  const auto aes = write_outer_header(buf, head_room, key, msg_key, from);
  crypto::ige_encrypt(aes.key, aes.iv, plaintext);
  return std::span(buf).subspan(head_room);
}

void seal_packets(std::span<const packet_to_seal> packets, const auth_key& key, crypto::direction from,
                  const random_source& random) {
  if (packets.size() == 1) {
    seal_packet(*packets[0].buffer, packets[0].head_room, key, from, packets[0].header, random);
    return;
  }
  const auto prefix = crypto::msg_key_hash_prefix(key.bytes(), from);
  std::vector<std::span<std::uint8_t>> plaintexts;
  std::vector<crypto::sha256_digest> large(packets.size());
  std::vector<crypto::sha256_prefixed_input> hashes;
  plaintexts.reserve(packets.size());
  hashes.reserve(packets.size());
  for (std::size_t i = 0; i < packets.size(); ++i) {
    plaintexts.push_back(lay_out(*packets[i].buffer, packets[i].head_room, packets[i].header, random));
    hashes.push_back({prefix, plaintexts[i], &large[i]});
  }
  crypto::sha256_prefixed_many(hashes);  // the msg_keys, up to four hashes interleaved

  std::vector<crypto::aes_key_iv> keys;
  std::vector<crypto::aes256_ige_key> ciphers;
  std::vector<crypto::ige_message> messages;
  keys.reserve(packets.size());
  ciphers.reserve(packets.size());
  messages.reserve(packets.size());
  for (std::size_t i = 0; i < packets.size(); ++i) {
    keys.push_back(write_outer_header(*packets[i].buffer, packets[i].head_room, key,
                                      crypto::msg_key_from_large(large[i]), from));
    ciphers.emplace_back(keys[i].key);
  }
  for (std::size_t i = 0; i < packets.size(); ++i)
    messages.push_back({&ciphers[i], keys[i].iv, plaintexts[i], plaintexts[i]});
  crypto::ige_encrypt_many(messages);  // then up to four AES chains interleaved
}

std::error_code open_packet(std::span<std::uint8_t> packet, const auth_key& key, crypto::direction from, opened_packet& out) {
  if (packet.size() < packet_prefix + min_padding) return session_errc::packet_too_short;
  // The padded intermediate transport appends 0..15 random bytes it cannot tell from the packet;
  // the encrypted part is whole AES blocks, so anything past the last block is that padding.
  packet = packet.first(packet.size() - (packet.size() - packet_outer_header) % 16);
  if (get_le64(packet.data()) != key.id()) return session_errc::unknown_auth_key;

  crypto::msg_key_bytes msg_key;
  std::memcpy(msg_key.data(), packet.data() + 8, msg_key.size());
  const auto aes = crypto::derive_message_keys(key.bytes(), msg_key, from);
  const crypto::aes256_ige_key cipher(aes.key);
  const auto plaintext = packet.subspan(packet_outer_header);
  const auto large = crypto::ige_decrypt_sha256(
      cipher, aes.iv, crypto::msg_key_hash_prefix(key.bytes(), from), plaintext, plaintext);
  const auto computed = crypto::msg_key_from_large(large);
  if (CRYPTO_memcmp(computed.data(), msg_key.data(), msg_key.size()) != 0) return session_errc::msg_key_mismatch;

  const std::uint8_t* p = plaintext.data();
  const std::int32_t length = get_le32(p + 28);
  const std::size_t room = plaintext.size() - packet_inner_header;
  if (length < 0 || length % 4 != 0 || static_cast<std::size_t>(length) > room) return session_errc::bad_message_length;
  const std::size_t padding = room - static_cast<std::size_t>(length);
  if (padding < min_padding || padding > max_padding) return session_errc::bad_padding;

  out.header.salt = get_le64(p);
  out.header.session_id = get_le64(p + 8);
  out.header.msg_id = get_le64(p + 16);
  out.header.seqno = get_le32(p + 24);
  out.body = plaintext.subspan(packet_inner_header, static_cast<std::size_t>(length));
  return {};
}

}  // namespace mtproto::session
