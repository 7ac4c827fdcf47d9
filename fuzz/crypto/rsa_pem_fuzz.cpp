// RSA key parsing: crypto::rsa_public_key::from_pem (PKCS#1 "RSA PUBLIC KEY" as Telegram
// publishes keys, or SPKI "PUBLIC KEY") and rsa_private_key::from_pem (PKCS#1 or unencrypted
// PKCS#8, the emulator's --rsa-key). Byte 0 picks the mode: the input as PEM text; the input as
// DER inside PEM armour with a chosen label; or a genuine key (Telegram's public key, or a fixed
// 1024-bit key in all four encodings) mutated as DER or as text. Must hold: a refusal is a
// crypto_error, nothing else; an accepted public key has a minimal, non-zero modulus and
// exponent, and from_components(n, e) gives the same key and fingerprint; an accepted private
// key's public half does too; every genuine encoding parses, to the same fingerprint. Inputs are
// capped at 8 KiB.
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_data.h"
#include "mtproto/crypto/error.h"
#include "mtproto/crypto/rsa.h"

using namespace mtproto::crypto;

namespace {

constexpr std::size_t max_input = 8 * 1024;

// A fixed key (not secret: generated for this fuzzer), so a crash reproduces from its input alone.
constexpr std::string_view fixed_key_pem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAM/tWiO4Soyun+er\n"
    "25lzfKcElwG8iIbyQHDrm7fTC+Xc2kSUQ3LpxdpbMalnhJ8zloqoPPRbuJKhRzT0\n"
    "uTimvXwkgOMSgyu7SLs7hFM4fqJg13NV8mvrL9jA0/JrSHLk5e16jGfJPHprZ0Oa\n"
    "wZIcMHV8YMfwL6w65VqrxhxztsR7AgMBAAECgYBWUMvopCqeeCd9fwRskVqf4vHl\n"
    "EKUEkDBcMBK2nvADfklFyt6tJ4qw+MaG8qhFhp7p9KlJL4JRrI3o1+bEM8PYs6N2\n"
    "jg+ievOyHDvMm9Vvc/Aqji3r1enp22C0ki/MqB/D1O98RqzWm09ObJbTxgmrc9PV\n"
    "5Mo2u7yq1dTzJVsCQQJBAOou48XPRXULmqmHtVEWbC+d8VKHwkIc1zEhqmi7WRAc\n"
    "pgXz7QrZXXpmEmsUxzGVbTaclW+Rq5s0N6fuoJXb8qsCQQDjTEY7/UVrbJk40ki7\n"
    "Gxi6HtE9W2ZrnM3CG7U6r5bBRD7PjlywCUt/ycC0K6HAFDvhRxHh7mJttpua2bbT\n"
    "KfVxAkBjNYIhJvIR59yZvXg+5fTnJ0443HKbd4RiuBRtUhElFj3vf6sIUZWcaOmc\n"
    "m6zXgKpH3IYiQeAlXDXH2vwFAK0JAkEAsXhCdmBgLWoTkFwP0ZdsjRW2xbNxmqBJ\n"
    "vz8nF3U1vhzs9d3v3LrFKjd6sLJIjtK9lj2JZuBcFdG4WQWYS/O84QJAaHX8sX9j\n"
    "m7/vHkBJEJMl8EjxcmCmvUs8tqbt99+D+WO2UZxjjN108mNGbiE5Rbs6Y3Xkr9Fq\n"
    "jC+b1KXdZ24I5Q==\n"
    "-----END PRIVATE KEY-----\n";

constexpr const char* labels[] = {"RSA PUBLIC KEY", "PUBLIC KEY", "RSA PRIVATE KEY", "PRIVATE KEY",
                                  "ENCRYPTED PRIVATE KEY", "CERTIFICATE", "RSA PUBLIC KEY ", ""};

struct encoding {
  const char* label;
  std::vector<std::uint8_t> der;
  bool is_private;
};

std::string armour(std::string_view label, std::span<const std::uint8_t> der) {
  std::string b64(4 * ((der.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(b64.data()), der.data(), static_cast<int>(der.size()));
  b64.resize(static_cast<std::size_t>(n));
  std::string out = "-----BEGIN " + std::string(label) + "-----\n";
  for (std::size_t i = 0; i < b64.size(); i += 64) out += b64.substr(i, 64) + "\n";
  return out + "-----END " + std::string(label) + "-----\n";
}

template <class F>
std::vector<std::uint8_t> der_of(F&& i2d) {
  unsigned char* p = nullptr;
  const int n = i2d(&p);
  if (n <= 0) std::abort();
  std::vector<std::uint8_t> out(p, p + n);
  OPENSSL_free(p);
  return out;
}

struct genuine {
  std::vector<encoding> encodings;
  std::int64_t fixed_fingerprint = 0;
};

const genuine& keys() {
  static const genuine g = [] {
    genuine out;
    BIO* bio = BIO_new_mem_buf(fixed_key_pem.data(), static_cast<int>(fixed_key_pem.size()));
    EVP_PKEY* k = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
    BIO_free(bio);
    if (!k) std::abort();
    out.encodings.push_back({"RSA PRIVATE KEY", der_of([&](unsigned char** p) { return i2d_PrivateKey(k, p); }), true});
    PKCS8_PRIV_KEY_INFO* p8 = EVP_PKEY2PKCS8(k);
    out.encodings.push_back(
        {"PRIVATE KEY", der_of([&](unsigned char** p) { return i2d_PKCS8_PRIV_KEY_INFO(p8, p); }), true});
    PKCS8_PRIV_KEY_INFO_free(p8);
    out.encodings.push_back({"PUBLIC KEY", der_of([&](unsigned char** p) { return i2d_PUBKEY(k, p); }), false});
    out.encodings.push_back({"RSA PUBLIC KEY", der_of([&](unsigned char** p) { return i2d_PublicKey(k, p); }), false});
    EVP_PKEY_free(k);
    out.fixed_fingerprint = rsa_private_key::from_pem(fixed_key_pem).public_key().fingerprint();
    for (const auto& e : out.encodings) {
      const auto text = armour(e.label, e.der);
      const auto fp = e.is_private ? rsa_private_key::from_pem(text).public_key().fingerprint()
                                   : rsa_public_key::from_pem(text).fingerprint();
      if (fp != out.fixed_fingerprint) std::abort();
    }
    // Telegram's production key, PKCS#1 public: its DER from its own PEM text.
    const auto pem = telegram_production_key_pem();
    std::string b64;
    for (std::size_t at = 0; at < pem.size();) {
      const auto end = pem.find('\n', at);
      const auto line = pem.substr(at, end - at);
      if (line.rfind("-----", 0) != 0) b64 += line;
      at = end == std::string_view::npos ? pem.size() : end + 1;
    }
    std::vector<std::uint8_t> der(b64.size());
    const int n =
        EVP_DecodeBlock(der.data(), reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
    if (n <= 0) std::abort();
    der.resize(static_cast<std::size_t>(n) - std::count(b64.end() - 2, b64.end(), '='));
    const auto telegram = rsa_public_key::from_pem(armour("RSA PUBLIC KEY", der));
    if (telegram.fingerprint() != telegram_production_key().fingerprint()) std::abort();
    out.encodings.push_back({"RSA PUBLIC KEY", std::move(der), false});
    return out;
  }();
  return g;
}

bool minimal(const std::vector<std::uint8_t>& v) { return !v.empty() && v[0] != 0; }

void check_public(const rsa_public_key& k) {
  if (!minimal(k.modulus()) || !minimal(k.exponent()) || k.modulus_bytes() != k.modulus().size() || !k.native())
    std::abort();
  const auto again = rsa_public_key::from_components(k.modulus(), k.exponent());
  if (again.fingerprint() != k.fingerprint() || again.modulus() != k.modulus() || again.exponent() != k.exponent())
    std::abort();
}

/// What the two parsers made of one text: the fingerprints of what they accepted.
struct parsed {
  std::optional<std::int64_t> as_public, as_private;
};

parsed parse(std::string_view text) {
  parsed out;
  try {
    const auto k = rsa_public_key::from_pem(text);
    check_public(k);
    out.as_public = k.fingerprint();
  } catch (const crypto_error&) {
  }
  try {
    const auto k = rsa_private_key::from_pem(text);
    if (!k.native()) std::abort();
    check_public(k.public_key());
    out.as_private = k.public_key().fingerprint();
  } catch (const crypto_error&) {
  }
  return out;
}

void mutate(std::vector<std::uint8_t>& v, mtproto::fuzz::fuzz_data& in) {
  while (!in.empty() && !v.empty()) {
    const std::uint8_t op = in.byte();
    const std::size_t at = in.below(v.size());
    switch (op % 4) {
      case 0: v[at] ^= in.byte(); break;
      case 1: v.resize(at); break;
      case 2: v.insert(v.begin() + static_cast<std::ptrdiff_t>(at), in.byte()); break;
      default: v[at] = in.byte() % 2 ? 0xff : 0x80; break;  // DER lengths: indefinite, long form
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > max_input) return 0;
  const auto& g = keys();
  mtproto::fuzz::fuzz_data in(data + 1, size - 1);
  switch (data[0] % 4) {
    case 0: {
      const auto raw = in.rest();
      parse(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
      break;
    }
    case 1: {
      const char* label = labels[in.byte() % std::size(labels)];
      parse(armour(label, in.rest()));
      break;
    }
    case 2: {
      const auto& e = g.encodings[in.byte() % g.encodings.size()];
      const bool relabel = in.boolean();
      const char* label = relabel ? labels[in.byte() % std::size(labels)] : e.label;
      auto der = e.der;
      const bool untouched = in.empty();
      mutate(der, in);
      const auto p = parse(armour(label, der));
      if (untouched && !relabel) {  // a genuine key parses as what it is, to the same key
        const auto& fp = e.is_private ? p.as_private : p.as_public;
        if (!fp || (&e != &g.encodings.back() && *fp != g.fixed_fingerprint)) std::abort();
      }
      break;
    }
    default: {
      const auto& e = g.encodings[in.byte() % g.encodings.size()];
      const auto text = armour(e.label, e.der);
      std::vector<std::uint8_t> bytes(text.begin(), text.end());
      mutate(bytes, in);
      parse(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
      break;
    }
  }
  return 0;
}
