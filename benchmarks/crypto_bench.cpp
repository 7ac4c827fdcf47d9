// Crypto throughput on one core: our AES-256-IGE (AES-NI and portable paths) beside OpenSSL's
// AES-256-CBC encryption (the same serial dependency chain, so the bar IGE should reach) and
// OpenSSL's legacy AES_ige_encrypt; SHA-256 (SHA-NI vs OpenSSL); and three ways to do the receive
// path (IGE decrypt + SHA-256 of auth_key part || plaintext). Every figure is the median of
// several repetitions; ratio columns are against CBC encrypt of the same size.
#define OPENSSL_SUPPRESS_DEPRECATED  // AES_ige_encrypt is only here as a reference point
#include <openssl/aes.h>
#include <openssl/evp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "crypto/x86_kernels.h"
#include "mtproto/crypto/aes_ige.h"
#include "mtproto/crypto/sha256_many.h"
#include "mtproto/crypto/cpu_features.h"
#include "mtproto/crypto/sha.h"

namespace {

using namespace mtproto::crypto;
using clock_type = std::chrono::steady_clock;

constexpr int repetitions = 9;
constexpr std::size_t bytes_per_repetition = 32u << 20;  // enough work per sample to beat timer noise

std::vector<std::uint8_t> random_bytes(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng());
  return v;
}

// Median MB/s (1 MB = 1e6 bytes) of `op`, which processes `size` bytes per call.
double measure(std::size_t size, const std::function<void()>& op, std::size_t bytes_per_call = 0) {
  if (bytes_per_call == 0) bytes_per_call = size;
  const std::size_t calls = std::max<std::size_t>(1, bytes_per_repetition / bytes_per_call);
  op();  // warm up caches and lazy initialisation
  std::vector<double> rates;
  for (int r = 0; r < repetitions; ++r) {
    const auto t0 = clock_type::now();
    for (std::size_t i = 0; i < calls; ++i) op();
    const double seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
    rates.push_back(static_cast<double>(calls * bytes_per_call) / seconds / 1e6);
  }
  std::sort(rates.begin(), rates.end());
  return rates[rates.size() / 2];
}

volatile std::uint8_t sink;  // keeps results observable

}  // namespace

int main() {
  const auto& cpu = detected_cpu_features();
  std::printf("CPU: AES-NI %s, SHA-NI %s, VAES %s; median of %d repetitions, %zu MiB each; MB/s = 1e6 bytes/s\n\n",
              cpu.aesni ? "yes" : "no", cpu.sha_ni ? "yes" : "no", cpu.vaes ? "yes" : "no", repetitions,
              bytes_per_repetition >> 20);
  const auto key_bytes = random_bytes(32, 1);
  const auto iv_bytes = random_bytes(32, 2);
  const auto prefix = random_bytes(32, 3);
  const std::span<const std::uint8_t, 32> key(key_bytes.data(), 32);
  const std::span<const std::uint8_t, 32> iv(iv_bytes.data(), 32);
  const std::span<const std::uint8_t, 32> pre(prefix.data(), 32);
  const aes_backend fast = cpu.aesni ? aes_backend::aesni : aes_backend::portable;
  aes256_ige_key fast_key(key, fast);
  aes256_ige_key portable_key(key, aes_backend::portable);

  EVP_CIPHER_CTX* cbc = EVP_CIPHER_CTX_new();
  EVP_CIPHER* cbc_cipher = EVP_CIPHER_fetch(nullptr, "AES-256-CBC", nullptr);
  EVP_CIPHER_CTX_set_padding(cbc, 0);
  AES_KEY legacy_key;
  AES_set_encrypt_key(key_bytes.data(), 256, &legacy_key);
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  EVP_MD* sha256_md = EVP_MD_fetch(nullptr, "SHA256", nullptr);

  const std::size_t sizes[] = {4u << 10, 128u << 10, 512u << 10, 1u << 20};
  struct row {
    std::string name;
    double mbps[4];
  };
  std::vector<row> rows;
  double cbc_rate[4];

  auto add = [&](const std::string& name, const std::function<std::function<void()>(std::size_t)>& make,
                 int per_call_multiplier = 1) {
    row r{name, {}};
    for (int s = 0; s < 4; ++s) r.mbps[s] = measure(sizes[s], make(sizes[s]), sizes[s] * per_call_multiplier);
    rows.push_back(r);
  };

  std::vector<std::uint8_t> buf = random_bytes(8u << 20, 4), out(8u << 20), cipher(1u << 20);
  ige_encrypt(fast_key, iv, std::span<const std::uint8_t>(buf.data(), cipher.size()), cipher);

  add("OpenSSL EVP AES-256-CBC encrypt", [&](std::size_t n) {
    return [&, n] {
      int len = 0;
      EVP_EncryptInit_ex2(cbc, cbc_cipher, key_bytes.data(), iv_bytes.data(), nullptr);
      EVP_CIPHER_CTX_set_padding(cbc, 0);
      EVP_EncryptUpdate(cbc, out.data(), &len, buf.data(), static_cast<int>(n));
      sink = out[0];
    };
  });
  std::copy(rows[0].mbps, rows[0].mbps + 4, cbc_rate);
  add("ours IGE encrypt (" + std::string(cpu.aesni ? "AES-NI" : "portable") + ")", [&](std::size_t n) {
    return [&, n] {
      ige_encrypt(fast_key, iv, std::span<const std::uint8_t>(buf.data(), n), std::span(out.data(), n));
      sink = out[0];
    };
  });
  add("ours IGE decrypt (" + std::string(cpu.aesni ? "AES-NI" : "portable") + ")", [&](std::size_t n) {
    return [&, n] {
      ige_decrypt(fast_key, iv, std::span<const std::uint8_t>(cipher.data(), n), std::span(out.data(), n));
      sink = out[0];
    };
  });
  add("ours IGE encrypt + key setup per msg", [&](std::size_t n) {
    return [&, n] {
      aes256_ige_key k(key, fast);
      ige_encrypt(k, iv, std::span<const std::uint8_t>(buf.data(), n), std::span(out.data(), n));
      sink = out[0];
    };
  });
  add("ours IGE encrypt (portable EVP-ECB)", [&](std::size_t n) {
    return [&, n] {
      ige_encrypt(portable_key, iv, std::span<const std::uint8_t>(buf.data(), n), std::span(out.data(), n));
      sink = out[0];
    };
  });
  add("ours IGE decrypt (portable EVP-ECB)", [&](std::size_t n) {
    return [&, n] {
      ige_decrypt(portable_key, iv, std::span<const std::uint8_t>(cipher.data(), n), std::span(out.data(), n));
      sink = out[0];
    };
  });
  add("OpenSSL legacy AES_ige_encrypt", [&](std::size_t n) {
    return [&, n] {
      unsigned char ivc[32];
      std::memcpy(ivc, iv_bytes.data(), 32);
      AES_ige_encrypt(buf.data(), out.data(), n, &legacy_key, ivc, AES_ENCRYPT);
      sink = out[0];
    };
  });
  if (cpu.sha_ni) {
    add("SHA-256 ours (SHA-NI)", [&](std::size_t n) {
      return [&, n] {
        std::uint32_t st[8] = {};
        mtproto::crypto::detail::shani_sha256_blocks(st, buf.data(), n / 64);
        sink = static_cast<std::uint8_t>(st[0]);
      };
    });
  }
  add("SHA-256 OpenSSL EVP", [&](std::size_t n) {
    return [&, n] {
      unsigned char d[32];
      EVP_Digest(buf.data(), n, d, nullptr, sha256_md, nullptr);
      sink = d[0];
    };
  });
  add("recv: decrypt, then OpenSSL SHA-256", [&](std::size_t n) {
    return [&, n] {
      ige_decrypt(fast_key, iv, std::span<const std::uint8_t>(cipher.data(), n), std::span(out.data(), n));
      EVP_DigestInit_ex2(md, sha256_md, nullptr);
      EVP_DigestUpdate(md, prefix.data(), 32);
      EVP_DigestUpdate(md, out.data(), n);
      unsigned char d[32];
      EVP_DigestFinal_ex(md, d, nullptr);
      sink = d[0];
    };
  });
  if (cpu.sha_ni && cpu.aesni) {
    add("recv: decrypt, then SHA-NI SHA-256", [&](std::size_t n) {
      return [&, n] {
        ige_decrypt(fast_key, iv, std::span<const std::uint8_t>(cipher.data(), n), std::span(out.data(), n));
        std::uint32_t st[8] = {};
        mtproto::crypto::detail::shani_sha256_blocks(st, out.data(), n / 64);  // hash cost, prefix aside
        sink = static_cast<std::uint8_t>(st[0]);
      };
    });
  }
  add("recv: fused ige_decrypt_sha256", [&](std::size_t n) {
    return [&, n] {
      const auto d = ige_decrypt_sha256(fast_key, iv, pre, std::span<const std::uint8_t>(cipher.data(), n),
                                        std::span(out.data(), n));
      sink = d[0];
    };
  });
  // The msg_key hashes of four messages at once (the send path's other half).
  add("ours sha256_prefixed_many, 4 msgs", [&](std::size_t n) {
    return [&, n] {
      sha256_digest digests[4];
      std::vector<sha256_prefixed_input> batch;
      for (std::size_t l = 0; l < 4; ++l)
        batch.push_back({key,
                         std::span<const std::uint8_t>(buf.data() + l * n, n), &digests[l]});
      sha256_prefixed_many(batch);
      sink = digests[3][0];
    };
  }, 4);
  // The public batch API, four messages of n bytes: what the emulator's send path seals at once.
  add("ours ige_encrypt_many, 4 msgs", [&](std::size_t n) {
    return [&, n] {
      std::vector<ige_message> batch;
      for (std::size_t l = 0; l < 4; ++l)
        batch.push_back({&fast_key, iv, std::span<const std::uint8_t>(buf.data() + l * n, n), std::span(out.data() + l * n, n)});
      ige_encrypt_many(batch);
      sink = out[0];
    };
  }, 4);
  if (cpu.aesni) {
    // Four independent messages of n bytes each, decrypted with interleaved AES chains.
    add("recv: 4 msgs interleaved decrypt only", [&](std::size_t n) {
      return [&, n] {
        mtproto::crypto::detail::ige_stream s[4];
        for (int l = 0; l < 4; ++l) {
          s[l] = {fast_key.decrypt_schedule().data(), iv_bytes.data(), buf.data() + l * n, out.data() + l * n, n / 16};
        }
        mtproto::crypto::detail::aesni_ige_decrypt_x4(s, 4);
        sink = out[0];
      };
    }, 4);
    if (cpu.sha_ni) {
      add("recv: 4 msgs interleaved + SHA-NI each", [&](std::size_t n) {
        return [&, n] {
          mtproto::crypto::detail::ige_stream s[4];
          for (int l = 0; l < 4; ++l) {
            s[l] = {fast_key.decrypt_schedule().data(), iv_bytes.data(), buf.data() + l * n, out.data() + l * n,
                    n / 16};
          }
          mtproto::crypto::detail::aesni_ige_decrypt_x4(s, 4);
          for (int l = 0; l < 4; ++l) {
            std::uint32_t st[8] = {};
            mtproto::crypto::detail::shani_sha256_blocks(st, out.data() + l * n, n / 64);
            sink = static_cast<std::uint8_t>(st[0]);
          }
        };
      }, 4);
    }
  }

  // The receive path for several ready packets: the two public batch passes one after the other,
  // and ige_decrypt_sha256_many (the same two passes inside, four messages at a time), 4 and 8.
  add("ours ige_encrypt_many, 8 msgs", [&](std::size_t n) {
    return [&, n] {
      std::vector<ige_message> batch;
      for (std::size_t l = 0; l < 8; ++l)
        batch.push_back({&fast_key, iv, std::span<const std::uint8_t>(buf.data() + l * n, n), std::span(out.data() + l * n, n)});
      ige_encrypt_many(batch);
      sink = out[0];
    };
  }, 8);
  add("ours ige_decrypt_many, 8 msgs", [&](std::size_t n) {
    return [&, n] {
      std::vector<ige_message> batch;
      for (std::size_t l = 0; l < 8; ++l)
        batch.push_back({&fast_key, iv, std::span<const std::uint8_t>(buf.data() + l * n, n), std::span(out.data() + l * n, n)});
      ige_decrypt_many(batch);
      sink = out[0];
    };
  }, 8);
  add("recv: decrypt_many, then sha256_many, 4", [&](std::size_t n) {
    return [&, n] {
      std::vector<ige_message> decrypt;
      std::vector<sha256_prefixed_input> hash;
      sha256_digest digests[4];
      for (std::size_t l = 0; l < 4; ++l) {
        decrypt.push_back({&fast_key, iv, std::span<const std::uint8_t>(buf.data() + l * n, n), std::span(out.data() + l * n, n)});
        hash.push_back({key, std::span<const std::uint8_t>(out.data() + l * n, n), &digests[l]});
      }
      ige_decrypt_many(decrypt);
      sha256_prefixed_many(hash);
      sink = digests[3][0];
    };
  }, 4);
  for (std::size_t count : {std::size_t{4}, std::size_t{8}}) {
    add("recv: ige_decrypt_sha256_many, " + std::to_string(count), [&, count](std::size_t n) {
      return [&, n, count] {
        std::vector<ige_received_message> batch;
        sha256_digest digests[8];
        for (std::size_t l = 0; l < count; ++l)
          batch.push_back({&fast_key, iv, pre, std::span<const std::uint8_t>(buf.data() + l * n, n),
                           std::span(out.data() + l * n, n), &digests[l]});
        ige_decrypt_sha256_many(batch);
        sink = digests[0][0];
      };
    }, static_cast<int>(count));
  }

  std::printf("%-40s", "MB/s (ratio = / CBC encrypt)");
  for (std::size_t s : sizes) std::printf(" %9zu KiB  ratio", s >> 10);
  std::printf("\n");
  for (const row& r : rows) {
    std::printf("%-40s", r.name.c_str());
    for (int s = 0; s < 4; ++s) std::printf(" %13.0f %5.2f", r.mbps[s], r.mbps[s] / cbc_rate[s]);
    std::printf("\n");
  }
  EVP_MD_free(sha256_md);
  EVP_MD_CTX_free(md);
  EVP_CIPHER_free(cbc_cipher);
  EVP_CIPHER_CTX_free(cbc);
  return 0;
}
