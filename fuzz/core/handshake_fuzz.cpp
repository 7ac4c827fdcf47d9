// The handshake fed hostile messages. A genuine client/server exchange runs up to a step chosen by
// the input; there the input mutates (or replaces) the message, so every step's parser and check
// is reached with nearly-valid data. Odd modes attack the client, even modes the server.
#include <cstdint>
#include <cstring>
#include <memory>
#include <span>
#include <vector>

#include <openssl/evp.h>
#include <openssl/pem.h>

#include "mtproto/handshake/client_handshake.h"
#include "mtproto/handshake/server_handshake.h"

using namespace mtproto;
using namespace mtproto::handshake;

namespace {

const core::clock::time_point now = core::clock::time_point(std::chrono::seconds(1'750'000'000));

void counter_random(std::span<std::uint8_t> out) {
  static std::uint8_t n = 0;
  for (auto& b : out) b = static_cast<std::uint8_t>(n++ * 31 + 7);
}

std::shared_ptr<const crypto::rsa_private_key> server_key() {
  static const auto key = [] {
    EVP_PKEY* k = EVP_RSA_gen(2048);
    BIO* bio = BIO_new(BIO_s_mem());
    PEM_write_bio_PrivateKey(bio, k, nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    auto parsed = std::make_shared<const crypto::rsa_private_key>(
        crypto::rsa_private_key::from_pem(std::string_view(data, static_cast<std::size_t>(n))));
    BIO_free(bio);
    EVP_PKEY_free(k);
    return parsed;
  }();
  return key;
}

void mutate(std::vector<std::uint8_t>& msg, std::span<const std::uint8_t> input) {
  if (input.empty()) return;
  if (input[0] & 1) {  // replace entirely
    msg.assign(input.begin() + 1, input.end());
    return;
  }
  for (std::size_t i = 1; i + 2 < input.size() && !msg.empty(); i += 3) {
    const std::size_t pos = (static_cast<std::size_t>(input[i]) << 8 | input[i + 1]) % (msg.size() + 1);
    if (pos == msg.size())
      msg.resize(input[i + 2] % (msg.size() + 1));  // truncate
    else
      msg[pos] ^= input[i + 2];
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const int step = (data[0] >> 1) % 3;
  const bool attack_client = data[0] & 1;
  std::span<const std::uint8_t> input(data + 1, size - 1);

  client_options co;
  co.rsa_keys = {server_key()->public_key()};
  co.dc_id = 2;
  client_handshake client(co, counter_random);
  server_options so;
  so.rsa_key = server_key();
  server_handshake server(so, counter_random);

  auto to_server = client.begin();
  for (int i = 0; i <= step; ++i) {
    if (!attack_client && i == step) mutate(to_server, input);
    auto s = server.feed(to_server, now);
    if (s.error || (!attack_client && i == step)) return 0;
    if (attack_client && i == step) mutate(s.reply, input);
    auto c = client.feed(s.reply, now);
    if (c.error || c.done) return 0;
    to_server = std::move(c.reply);
  }
  return 0;
}
