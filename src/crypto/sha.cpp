#include "mtproto/crypto/sha.h"

#include <exception>

#include "mtproto/crypto/error.h"
#include "openssl_handles.h"

namespace mtproto::crypto {
namespace {

// Digest updates on an initialised context cannot fail for in-memory data; a failure means
// OpenSSL's state is broken and a wrong digest would pass silently, so stop instead.
void check(int ok) noexcept {
  if (ok != 1) std::terminate();
}

template <class Digest>
Digest one_shot(const EVP_MD& md, std::initializer_list<byte_view> parts) {
  thread_local detail::md_ctx_ptr ctx = detail::new_md_ctx();
  check(EVP_DigestInit_ex2(ctx.get(), &md, nullptr));
  for (byte_view p : parts) check(EVP_DigestUpdate(ctx.get(), p.data(), p.size()));
  Digest out{};
  check(EVP_DigestFinal_ex(ctx.get(), out.data(), nullptr));
  return out;
}

evp_md_ctx_st* init_ctx(const EVP_MD& md) {
  detail::md_ctx_ptr ctx = detail::new_md_ctx();
  if (EVP_DigestInit_ex2(ctx.get(), &md, nullptr) != 1) {
    throw crypto_error(crypto_errc::openssl_failure, "EVP_DigestInit_ex2");
  }
  return ctx.release();
}

}  // namespace

void detail::evp_md_ctx_free::operator()(evp_md_ctx_st* ctx) const noexcept { EVP_MD_CTX_free(ctx); }

sha1_digest sha1(byte_view data) { return one_shot<sha1_digest>(detail::sha1_md(), {data}); }
sha1_digest sha1(std::initializer_list<byte_view> parts) {
  return one_shot<sha1_digest>(detail::sha1_md(), parts);
}
sha256_digest sha256(byte_view data) { return one_shot<sha256_digest>(detail::sha256_md(), {data}); }
sha256_digest sha256(std::initializer_list<byte_view> parts) {
  return one_shot<sha256_digest>(detail::sha256_md(), parts);
}

sha1_hasher::sha1_hasher() : ctx_(init_ctx(detail::sha1_md())) {}
sha1_hasher& sha1_hasher::update(byte_view data) noexcept {
  check(EVP_DigestUpdate(ctx_.get(), data.data(), data.size()));
  return *this;
}
sha1_digest sha1_hasher::finish() noexcept {
  sha1_digest out{};
  check(EVP_DigestFinal_ex(ctx_.get(), out.data(), nullptr));
  return out;
}

sha256_hasher::sha256_hasher() : ctx_(init_ctx(detail::sha256_md())) {}
sha256_hasher& sha256_hasher::update(byte_view data) noexcept {
  check(EVP_DigestUpdate(ctx_.get(), data.data(), data.size()));
  return *this;
}
sha256_digest sha256_hasher::finish() noexcept {
  sha256_digest out{};
  check(EVP_DigestFinal_ex(ctx_.get(), out.data(), nullptr));
  return out;
}

}  // namespace mtproto::crypto
