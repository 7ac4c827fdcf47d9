// The API handler's CDN side: upload.getCdnFile on the CDN DC (which first asks for a reupload),
// upload.reuploadCdnFile and upload.getCdnFileHashes on the file's DC.
#include <algorithm>

#include <fmt/format.h>

#include "api_answers.h"
#include "file_hashes.h"
#include "mtproto/api/fn/upload/getCdnFile.h"
#include "mtproto/api/fn/upload/getCdnFileHashes.h"
#include "mtproto/api/fn/upload/reuploadCdnFile.h"
#include "mtproto/api/upload/CdnFile.h"
#include "mtproto/crypto/aes_ctr.h"
#include "mtproto/testdc/get_file_rules.h"

namespace mtproto::testdc {
namespace {

namespace api = ::mtproto::api;
using detail::answer_with;
using detail::bad_request;
using detail::not_logged_in;

/// Appended to the file token to make the reupload request token (distinct from the file token).
constexpr std::uint8_t request_token_suffix = 0x52;
constexpr std::int64_t aes_block = 16;

std::vector<std::uint8_t> request_token_of(const published_file& f) {
  auto token = f.cdn_token;
  token.push_back(request_token_suffix);
  return token;
}

}  // namespace

rpc_answer api_handler::get_cdn_file(request_context& ctx, tl::reader& r) {
  const auto req = api::upload::getCdnFile::read(r);
  if (!config_.cdn || ctx.dc_id != config_.cdn->id) return bad_request("CDN_METHOD_INVALID");
  published_file* f = catalog_.find_cdn_token(req.file_token);
  if (!f) return bad_request("FILE_TOKEN_INVALID");
  if (auto problem = check_get_file_request(req.offset, req.limit, false)) return bad_request(std::string(*problem));
  if (!cdn_cached_[f->spec.name]) {
    // Not on the CDN yet: the client must ask the file's DC to upload it (reuploadCdnFile).
    api::upload::cdnFileReuploadNeeded reupload{};
    reupload.request_token = request_token_of(*f);
    return answer_with(reupload);
  }
  const std::int64_t size = f->content.size();
  const std::int64_t begin = std::min(req.offset, size);
  const auto n = static_cast<std::size_t>(std::min<std::int64_t>(req.limit, size - begin));
  std::vector<std::uint8_t> data(n);
  f->content.read(begin, data);
  // AES-256-CTR with the redirect's iv, its last 4 bytes replaced by offset / 16 (big-endian).
  auto iv = f->cdn_iv;
  const auto block = static_cast<std::uint32_t>(begin / aes_block);
  for (std::size_t i = 0; i < 4; ++i) iv[iv.size() - 1 - i] = static_cast<std::uint8_t>(block >> (8 * i));
  crypto::aes256_ctr ctr(f->cdn_key, iv);
  ctr.apply(data);
  if (corrupt_next_part() && n > 0) data[n / 2] ^= 0x01;  // --corrupt-every: a tampered CDN part
  rpc_answer a;
  tl::writer w(a.result);
  w.write_uint(api::upload::cdnFile::constructor_id);
  w.write_bytes(data);
  return a;
}

rpc_answer api_handler::get_cdn_file_hashes(request_context& ctx, tl::reader& r) {
  const auto req = api::upload::getCdnFileHashes::read(r);
  if (!ctx.key.user) return not_logged_in();
  published_file* f = catalog_.find_cdn_token(req.file_token);
  if (!f) return bad_request("FILE_TOKEN_INVALID");
  if (f->spec.dc != ctx.dc_id) return rpc_answer::error(303, fmt::format("FILE_MIGRATE_{}", f->spec.dc));
  if (req.offset < 0) return bad_request("OFFSET_INVALID");
  rpc_answer a;
  a.result = detail::file_hashes(f->content, req.offset);
  return a;
}

rpc_answer api_handler::reupload_cdn_file(request_context& ctx, tl::reader& r) {
  const auto req = api::upload::reuploadCdnFile::read(r);
  if (!ctx.key.user) return not_logged_in();
  published_file* f = catalog_.find_cdn_token(req.file_token);
  if (!f) return bad_request("FILE_TOKEN_INVALID");
  if (f->spec.dc != ctx.dc_id) return rpc_answer::error(303, fmt::format("FILE_MIGRATE_{}", f->spec.dc));
  if (req.request_token != request_token_of(*f)) return bad_request("REQUEST_TOKEN_INVALID");
  cdn_cached_[f->spec.name] = true;
  rpc_answer a;
  a.result = detail::file_hashes(f->content, 0);
  return a;
}

}  // namespace mtproto::testdc
