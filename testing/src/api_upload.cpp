// The API handler's downloads: upload.getFile and upload.getFileHashes for documents
// (inputDocumentFileLocation) and photo sizes (inputPhotoFileLocation), with Telegram's checks in
// Telegram's order and the configured faults (FLOOD_WAIT, expiring references).
#include <algorithm>

#include <fmt/format.h>

#include "api_answers.h"
#include "file_hashes.h"
#include "mtproto/api/InputFileLocation.h"
#include "mtproto/api/fn/upload/getFile.h"
#include "mtproto/api/fn/upload/getFileHashes.h"
#include "mtproto/api/storage/FileType.h"
#include "mtproto/api/upload/File.h"
#include "mtproto/testdc/get_file_rules.h"

namespace mtproto::testdc {
namespace {

namespace api = ::mtproto::api;
using detail::answer_with;
using detail::bad_request;
using detail::not_logged_in;

/// upload.file around the bytes: constructor, storage.filePartial, mtime, then at most 8 bytes of
/// length prefix and padding.
constexpr std::size_t upload_file_overhead = 4 + 4 + 4 + 8;

rpc_answer file_migrate(std::int32_t dc) { return rpc_answer::error(303, fmt::format("FILE_MIGRATE_{}", dc)); }

std::optional<rpc_answer> refused_reference(reference_check check) {
  switch (check) {
    case reference_check::valid: return std::nullopt;
    case reference_check::expired: return bad_request("FILE_REFERENCE_EXPIRED");
    case reference_check::invalid: break;
  }
  return bad_request("FILE_REFERENCE_INVALID");
}

/// The part [offset, offset + limit) of `content`, clipped at its end (empty at or past it).
rpc_answer file_part(const file_content& content, std::int64_t offset, std::int32_t limit, bool corrupt) {
  const std::int64_t size = content.size();
  const std::int64_t begin = std::min(offset, size);
  const auto n = static_cast<std::size_t>(std::min<std::int64_t>(limit, size - begin));
  std::vector<std::uint8_t> data(n);
  content.read(begin, data);
  if (corrupt && n > 0) data[n / 2] ^= 0x01;  // --corrupt-every
  rpc_answer a;
  a.result.reserve(upload_file_overhead + n);
  tl::writer w(a.result);
  w.write_uint(api::upload::file::constructor_id);
  w.write_uint(api::storage::filePartial::constructor_id);
  w.write_int(0);  // mtime
  w.write_bytes(data);
  return a;
}

/// The size a thumb_size letter names, if the photo has it.
std::optional<std::size_t> size_index(const published_photo& p, std::string_view type) {
  const auto& sizes = p.photo.sizes;
  const auto it = std::find_if(sizes.begin(), sizes.end(), [&](const photo_size_info& s) { return s.type == type; });
  if (it == sizes.end()) return std::nullopt;
  return static_cast<std::size_t>(it - sizes.begin());
}

}  // namespace

bool api_handler::corrupt_next_part() noexcept {
  const auto every = config_.faults.corrupt_every;
  return every > 0 && ++parts_served_ % static_cast<std::uint64_t>(every) == 0;
}

rpc_answer api_handler::get_file(request_context& ctx, tl::reader& r) {
  const auto req = api::upload::getFile::read(r);
  if (!ctx.key.user) return not_logged_in();
  if (auto wait = floods_account(ctx) ? flood_every_.on_call() : std::nullopt) {
    ++flood_waits_;
    return rpc_answer::error(420, fmt::format("FLOOD_WAIT_{}", *wait));
  }
  const auto account = ctx.key.user->id;
  if (auto wait = premium_wait_.on_request(account, ctx.now)) {
    ++flood_waits_;
    return rpc_answer::error(420, fmt::format("FLOOD_PREMIUM_WAIT_{}", *wait));
  }
  const auto serve = [&](const file_content& content) {
    premium_wait_.served(account, std::clamp<std::int64_t>(content.size() - req.offset, 0, req.limit), ctx.now);
    return file_part(content, req.offset, req.limit, corrupt_next_part());
  };
  if (const auto* loc = req.location.get_if<api::inputPhotoFileLocation>()) {
    published_photo* p = catalog_.find_photo(loc->id);
    if (!p || p->photo.access_hash != loc->access_hash) return bad_request("FILE_ID_INVALID");
    const auto index = size_index(*p, loc->thumb_size);
    if (!index) return bad_request("LOCATION_INVALID");
    if (auto refused = refused_reference(catalog_.check_reference(*p, loc->file_reference))) return *refused;
    if (p->photo.dc_id != ctx.dc_id) return file_migrate(p->photo.dc_id);
    if (auto problem = check_get_file_request(req.offset, req.limit, req.precise)) return bad_request(std::string(*problem));
    catalog_.count_call(*p, config_.faults.file_ref_ttl);
    return serve(p->contents[*index]);
  }
  const auto* loc = req.location.get_if<api::inputDocumentFileLocation>();
  if (!loc) return bad_request("LOCATION_INVALID");
  published_file* f = catalog_.find_document(loc->id);
  if (!f || f->post.document.access_hash != loc->access_hash) return bad_request("FILE_ID_INVALID");
  if (!loc->thumb_size.empty()) return bad_request("LOCATION_INVALID");
  if (auto refused = refused_reference(catalog_.check_reference(*f, loc->file_reference))) return *refused;
  if (f->spec.dc != ctx.dc_id) return file_migrate(f->spec.dc);
  if (auto problem = check_get_file_request(req.offset, req.limit, req.precise)) return bad_request(std::string(*problem));
  catalog_.count_call(*f, config_.faults.file_ref_ttl);

  if (f->spec.cdn && req.cdn_supported && config_.cdn) {
    api::upload::fileCdnRedirect redirect{};
    redirect.dc_id = config_.cdn->id;
    redirect.file_token = f->cdn_token;
    redirect.encryption_key.assign(f->cdn_key.begin(), f->cdn_key.end());
    redirect.encryption_iv.assign(f->cdn_iv.begin(), f->cdn_iv.end());
    for (auto& h : detail::hash_list(f->content, 0)) redirect.file_hashes.push_back(std::move(h));
    return answer_with(redirect);
  }
  return serve(f->content);
}

rpc_answer api_handler::get_file_hashes(request_context& ctx, tl::reader& r) {
  const auto req = api::upload::getFileHashes::read(r);
  if (!ctx.key.user) return not_logged_in();
  const file_content* content = nullptr;
  std::int32_t dc = 0;
  if (const auto* loc = req.location.get_if<api::inputPhotoFileLocation>()) {
    const published_photo* p = catalog_.find_photo(loc->id);
    if (!p || p->photo.access_hash != loc->access_hash) return bad_request("FILE_ID_INVALID");
    const auto index = size_index(*p, loc->thumb_size);
    if (!index) return bad_request("LOCATION_INVALID");
    content = &p->contents[*index];
    dc = p->photo.dc_id;
  } else if (const auto* doc = req.location.get_if<api::inputDocumentFileLocation>()) {
    const published_file* f = catalog_.find_document(doc->id);
    if (!f || f->post.document.access_hash != doc->access_hash) return bad_request("FILE_ID_INVALID");
    content = &f->content;
    dc = f->spec.dc;
  } else {
    return bad_request("LOCATION_INVALID");
  }
  if (dc != ctx.dc_id) return file_migrate(dc);
  if (req.offset < 0) return bad_request("OFFSET_INVALID");
  rpc_answer a;
  a.result = detail::file_hashes(*content, req.offset);
  return a;
}

}  // namespace mtproto::testdc
