#include "mtproto/transport/obfuscated_codec.h"

#include <algorithm>
#include <array>

#include "byte_order.h"
#include "mtproto/crypto/sha.h"
#include "mtproto/transport/error.h"

namespace mtproto::transport {

namespace {
namespace layout = obfuscated_layout;

bool is_known_tag(std::uint32_t tag) noexcept {
  return tag == wire::abridged_tag || tag == wire::intermediate_tag || tag == wire::padded_intermediate_tag;
}

/// One direction's cipher from 48 bytes of key material (key ‖ iv), optionally keyed by a secret.
crypto::aes256_ctr make_cipher(std::span<const std::uint8_t, layout::key_material_size> material,
                               std::span<const std::uint8_t> secret) {
  const auto key = material.first<layout::key_size>();
  const auto iv = material.last<layout::iv_size>();
  if (secret.empty()) return crypto::aes256_ctr(key, iv);
  const crypto::sha256_digest mixed = crypto::sha256({key, secret});
  return crypto::aes256_ctr(mixed, iv);
}

struct cipher_pair {
  crypto::aes256_ctr forward;  // keyed by init bytes 8..56 as sent: client encrypt, server decrypt
  crypto::aes256_ctr reverse;  // keyed by the same bytes reversed: client decrypt, server encrypt
};

cipher_pair derive(std::span<const std::uint8_t, obfuscated_init_size> init, std::span<const std::uint8_t> secret) {
  std::array<std::uint8_t, layout::key_material_size> material;
  std::copy_n(init.begin() + layout::key_offset, material.size(), material.begin());
  auto forward = make_cipher(material, secret);
  std::reverse(material.begin(), material.end());
  auto reverse = make_cipher(material, secret);
  return {std::move(forward), std::move(reverse)};
}

void check_secret(std::span<const std::uint8_t> secret) {
  if (!secret.empty() && secret.size() != 16) {
    throw std::system_error(transport_errc::invalid_argument, "MTProxy secret key must be 16 bytes");
  }
}
}  // namespace

obfuscated_codec obfuscated_codec::client(std::uint32_t protocol_tag, std::int16_t dc_id,
                                          std::span<const std::uint8_t> secret, const random_source& random) {
  obfuscated_init init;
  for (int attempt = 0; attempt < max_init_attempts; ++attempt) {
    random(init);
    if (!is_forbidden_obfuscated_init(init)) return client_with_init(init, protocol_tag, dc_id, secret);
  }
  throw std::system_error(transport_errc::random_source_failed);
}

obfuscated_codec obfuscated_codec::client_with_init(std::span<const std::uint8_t, obfuscated_init_size> random_init,
                                                    std::uint32_t protocol_tag, std::int16_t dc_id,
                                                    std::span<const std::uint8_t> secret) {
  check_secret(secret);
  if (is_forbidden_obfuscated_init(random_init)) {
    throw std::system_error(transport_errc::invalid_argument, "forbidden obfuscated2 init");
  }
  if (!is_known_tag(protocol_tag)) throw std::system_error(transport_errc::invalid_argument, "unknown protocol tag");

  obfuscated_init plain;
  std::copy(random_init.begin(), random_init.end(), plain.begin());
  detail::store_le32(plain.data() + layout::tag_offset, protocol_tag);
  const auto dc = static_cast<std::uint16_t>(dc_id);
  plain[layout::dc_id_offset] = static_cast<std::uint8_t>(dc);
  plain[layout::dc_id_offset + 1] = static_cast<std::uint8_t>(dc >> 8);

  auto [forward, reverse] = derive(plain, secret);
  obfuscated_codec codec(std::move(forward), std::move(reverse));
  // The whole init goes through the encryptor (advancing it 64 bytes), but only its tail is sent
  // encrypted: the head must stay readable so the server can derive the same keys.
  obfuscated_init encrypted = plain;
  codec.encrypt(encrypted);
  std::copy(encrypted.begin() + layout::tag_offset, encrypted.end(), plain.begin() + layout::tag_offset);
  codec.preamble_ = plain;
  codec.has_preamble_ = true;
  codec.protocol_tag_ = protocol_tag;
  codec.dc_id_ = dc_id;
  return codec;
}

std::optional<obfuscated_codec> obfuscated_codec::server(std::span<const std::uint8_t, obfuscated_init_size> received,
                                                         std::span<const std::uint8_t> secret, std::error_code& ec) {
  if (!secret.empty() && secret.size() != 16) {
    ec = transport_errc::invalid_argument;
    return std::nullopt;
  }
  auto [forward, reverse] = derive(received, secret);
  obfuscated_codec codec(std::move(reverse), std::move(forward));
  obfuscated_init decrypted;
  std::copy(received.begin(), received.end(), decrypted.begin());
  codec.decrypt(decrypted);
  const std::uint32_t tag = detail::load_le32(decrypted.data() + layout::tag_offset);
  if (!is_known_tag(tag)) {
    ec = transport_errc::bad_obfuscation_tag;
    return std::nullopt;
  }
  codec.protocol_tag_ = tag;
  codec.dc_id_ = static_cast<std::int16_t>(static_cast<std::uint16_t>(
      decrypted[layout::dc_id_offset] | decrypted[layout::dc_id_offset + 1] << 8));
  ec.clear();
  return codec;
}

std::span<const std::uint8_t> obfuscated_codec::preamble() const noexcept {
  if (!has_preamble_) return {};
  return preamble_;
}

}  // namespace mtproto::transport
