// CDN files in process: upload.getFile answers upload.fileCdnRedirect, the CDN DC serves
// AES-256-CTR encrypted parts (after reuploadCdnFile on the file's DC), the hashes from the file's
// DC check every 128 KiB part, and the parts decrypt to the file. Also --file-ref-ttl with a fresh
// reference fetched through messages.getMessages.
#include <catch2/catch.hpp>

#include "mtproto/api/Document.h"
#include "mtproto/api/FileHash.h"
#include "mtproto/api/InputMessage.h"
#include "mtproto/api/Message.h"
#include "mtproto/api/MessageMedia.h"
#include "mtproto/api/fn/messages/getMessages.h"
#include "mtproto/api/fn/upload/getCdnFile.h"
#include "mtproto/api/fn/upload/getCdnFileHashes.h"
#include "mtproto/api/fn/upload/reuploadCdnFile.h"
#include "mtproto/api/messages/Messages.h"
#include "mtproto/api/upload/CdnFile.h"
#include "mtproto/api/upload/File.h"
#include "mtproto/crypto/aes_ctr.h"
#include "mtproto/crypto/sha.h"
#include "support.h"

using namespace mtproto;
using namespace mtproto::testdc;
using namespace mtproto::testdc::test;

namespace {

constexpr std::int32_t cdn_part = 128 * 1024;

/// A handler with a CDN DC, keys on DC 1 (logged in as the bot) and on the CDN DC (never logged
/// in: clients do not log in on CDN DCs).
struct cdn_harness {
  explicit cdn_harness(std::int64_t size)
      : published(7, std::vector<file_spec>{{"cdn.bin", size, 1, true}}),
        handler(published,
                handler_config{{{1, "127.0.0.1", 20001}, {2, "127.0.0.1", 20002}},
                               dc_endpoint{cdn_dc_id, "127.0.0.1", 20201, true}, "", {}, "", ""},
                counting_random()) {
    core::auth_key::bytes_type k{};
    k[0] = 1;
    dc1 = &keys.add(1, core::auth_key(k), 7);
    k[0] = 3;
    cdn = &keys.add(cdn_dc_id, core::auth_key(k), 9);
    api::auth::importBotAuthorization req{};
    req.api_id = 1;
    req.api_hash = "x";
    req.bot_auth_token = published.bot_token();
    REQUIRE_FALSE(call(encode(req), 1).is_error());
  }
  rpc_answer call(std::span<const std::uint8_t> body, std::int32_t dc) {
    request_context ctx{dc, dc == cdn_dc_id ? *cdn : *dc1, std::chrono::steady_clock::now(), 1700000000};
    return handler.handle(ctx, body);
  }
  std::vector<std::uint8_t> get_file(bool cdn_supported, std::int64_t offset, std::int32_t limit) {
    const auto& d = published.files()[0].post.document;
    api::upload::getFile req{};
    req.cdn_supported = cdn_supported;
    req.location = api::inputDocumentFileLocation{d.id, d.access_hash, d.file_reference, ""};
    req.offset = offset;
    req.limit = limit;
    return encode(req);
  }
  std::vector<std::uint8_t> get_cdn_file(const tl::bytes& token, std::int64_t offset, std::int32_t limit) {
    api::upload::getCdnFile req{};
    req.file_token = token;
    req.offset = offset;
    req.limit = limit;
    return encode(req);
  }
  std::vector<api::fileHash> cdn_hashes(const tl::bytes& token, std::int64_t offset) {
    api::upload::getCdnFileHashes req{};
    req.file_token = token;
    req.offset = offset;
    auto a = call(encode(req), 1);
    REQUIRE_FALSE(a.is_error());
    tl::reader r(a.result);
    std::vector<api::fileHash> out;
    const auto n = r.read_vector_header(4);
    for (std::size_t i = 0; i < n; ++i) out.push_back(api::fileHash::read(r));
    return out;
  }

  catalog published;
  key_store keys;
  api_handler handler;
  key_record* dc1 = nullptr;
  key_record* cdn = nullptr;
};

/// The CDN's scheme, written from the spec: AES-256-CTR with the redirect's key, the iv's last four
/// bytes replaced by offset / 16 in big-endian.
void cdn_decrypt(const api::upload::fileCdnRedirect& redirect, std::int64_t offset, std::vector<std::uint8_t>& data) {
  REQUIRE(redirect.encryption_key.size() == 32);
  REQUIRE(redirect.encryption_iv.size() == 16);
  REQUIRE(offset % 16 == 0);
  std::array<std::uint8_t, 32> key{};
  std::array<std::uint8_t, 16> iv{};
  std::copy(redirect.encryption_key.begin(), redirect.encryption_key.end(), key.begin());
  std::copy(redirect.encryption_iv.begin(), redirect.encryption_iv.end(), iv.begin());
  const auto block = static_cast<std::uint32_t>(offset / 16);
  iv[12] = static_cast<std::uint8_t>(block >> 24);
  iv[13] = static_cast<std::uint8_t>(block >> 16);
  iv[14] = static_cast<std::uint8_t>(block >> 8);
  iv[15] = static_cast<std::uint8_t>(block);
  crypto::aes256_ctr ctr(key, iv);
  ctr.apply(data);
}

std::vector<std::uint8_t> digest_bytes(std::span<const std::uint8_t> data) {
  const auto d = crypto::sha256(data);
  return {d.begin(), d.end()};
}

}  // namespace

TEST_CASE("testdc cdn: redirect, reupload, encrypted parts checked by the hashes and the file's SHA-256") {
  const std::int64_t size = 5 * cdn_part / 2 * 5 + 1000;  // 12.5 parts: a short last part
  cdn_harness h(size);
  const auto& f = h.published.files()[0];

  // A client without cdn_supported gets the bytes from the DC itself.
  {
    auto a = h.call(h.get_file(false, 0, 4096), 1);
    REQUIRE_FALSE(a.is_error());
    tl::reader r(a.result);
    auto file = api::upload::File::read(r);
    REQUIRE(file.get_if<api::upload::file>());
    std::vector<std::uint8_t> expected(4096);
    f.content.read(0, expected);
    CHECK(file.get_if<api::upload::file>()->bytes == expected);
  }

  auto a = h.call(h.get_file(true, 0, cdn_part), 1);
  REQUIRE_FALSE(a.is_error());
  tl::reader rr(a.result);
  auto file = api::upload::File::read(rr);
  const auto* redirect = file.get_if<api::upload::fileCdnRedirect>();
  REQUIRE(redirect);
  CHECK(redirect->dc_id == cdn_dc_id);
  CHECK_FALSE(redirect->file_hashes.empty());

  // Only the CDN DC serves getCdnFile; the first request asks for a reupload on the file's DC.
  CHECK(h.call(h.get_cdn_file(redirect->file_token, 0, cdn_part), 1).error_message == "CDN_METHOD_INVALID");
  auto forged_token = redirect->file_token;
  forged_token[0] ^= 1;
  CHECK(h.call(h.get_cdn_file(forged_token, 0, cdn_part), cdn_dc_id).error_message == "FILE_TOKEN_INVALID");
  auto first = h.call(h.get_cdn_file(redirect->file_token, 0, cdn_part), cdn_dc_id);
  REQUIRE_FALSE(first.is_error());
  tl::reader fr(first.result);
  auto cdn_answer = api::upload::CdnFile::read(fr);
  const auto* reupload = cdn_answer.get_if<api::upload::cdnFileReuploadNeeded>();
  REQUIRE(reupload);

  api::upload::reuploadCdnFile re{};
  re.file_token = redirect->file_token;
  re.request_token = reupload->request_token;
  re.request_token.back() ^= 1;
  CHECK(h.call(encode(re), 1).error_message == "REQUEST_TOKEN_INVALID");
  re.request_token.back() ^= 1;
  CHECK(h.call(encode(re), 2).error_message == "FILE_MIGRATE_1");
  REQUIRE_FALSE(h.call(encode(re), 1).is_error());

  // The hashes in the redirect are the first parts' hashes from getCdnFileHashes too.
  const auto first_hashes = h.cdn_hashes(redirect->file_token, 0);
  REQUIRE(first_hashes.size() == redirect->file_hashes.size());
  for (std::size_t i = 0; i < first_hashes.size(); ++i) {
    REQUIRE(redirect->file_hashes[i].get_if<api::fileHash>());
    CHECK(first_hashes[i] == *redirect->file_hashes[i].get_if<api::fileHash>());
  }

  crypto::sha256_hasher whole;
  std::int64_t offset = 0;
  std::vector<api::fileHash> hashes;
  for (;; offset += cdn_part) {
    auto part = h.call(h.get_cdn_file(redirect->file_token, offset, cdn_part), cdn_dc_id);
    REQUIRE_FALSE(part.is_error());
    tl::reader pr(part.result);
    auto answer = api::upload::CdnFile::read(pr);
    const auto* encrypted = answer.get_if<api::upload::cdnFile>();
    REQUIRE(encrypted);
    auto bytes = encrypted->bytes;
    if (bytes.empty()) break;
    std::vector<std::uint8_t> plain_at_offset(bytes.size());
    f.content.read(offset, plain_at_offset);
    CHECK(bytes != plain_at_offset);  // really encrypted
    cdn_decrypt(*redirect, offset, bytes);
    // The part's hash, from getCdnFileHashes on the file's DC (fetched per 1 MiB as clients do).
    if (hashes.empty() || hashes.back().offset < offset) hashes = h.cdn_hashes(redirect->file_token, offset);
    const auto it = std::find_if(hashes.begin(), hashes.end(), [&](const api::fileHash& x) { return x.offset == offset; });
    REQUIRE(it != hashes.end());
    CHECK(it->limit == static_cast<std::int32_t>(bytes.size()));
    CHECK(it->hash == digest_bytes(bytes));
    whole.update(bytes);
    if (bytes.size() < static_cast<std::size_t>(cdn_part)) break;
  }
  CHECK(offset + cdn_part > size);
  CHECK(whole.finish() == f.content.sha256());

  // A small part in the middle decrypts with its own counter (offset / 16), not the stream's.
  auto mid = h.call(h.get_cdn_file(redirect->file_token, 3 * 4096, 4096), cdn_dc_id);
  tl::reader mr(mid.result);
  auto mid_answer = api::upload::CdnFile::read(mr);
  REQUIRE(mid_answer.get_if<api::upload::cdnFile>());
  auto mid_bytes = mid_answer.get_if<api::upload::cdnFile>()->bytes;
  cdn_decrypt(*redirect, 3 * 4096, mid_bytes);
  std::vector<std::uint8_t> expected(4096);
  f.content.read(3 * 4096, expected);
  CHECK(mid_bytes == expected);
  // The CDN keeps the getFile rules.
  CHECK(h.call(h.get_cdn_file(redirect->file_token, 1024, 4096), cdn_dc_id).error_message == "OFFSET_INVALID");
}

TEST_CASE("testdc: --file-ref-ttl expires references; messages.getMessages hands out the fresh one") {
  harness h({{"a.bin", 3000000, 1, false}}, fault_options{.file_ref_ttl = 2});
  REQUIRE_FALSE(h.login().is_error());
  const auto& f = h.published.files()[0];
  const auto old_request = h.get_file(f, 0, 4096);
  CHECK_FALSE(h.call(old_request).is_error());
  CHECK_FALSE(h.call(old_request).is_error());
  CHECK(h.call(old_request).error_message == "FILE_REFERENCE_EXPIRED");

  api::messages::getMessages get{};
  get.id.push_back(api::inputMessageID{f.post.id});
  auto a = h.call(encode(get));
  REQUIRE_FALSE(a.is_error());
  tl::reader r(a.result);
  const auto messages = api::messages::Messages::read(r);
  const auto* list = messages.get_if<api::messages::messages>();
  REQUIRE(list);
  REQUIRE(list->messages_.size() == 1);
  const auto* message = list->messages_[0].get_if<api::message>();
  REQUIRE(message);
  REQUIRE(message->media);
  const auto* media = message->media->get_if<api::messageMediaDocument>();
  REQUIRE(media);
  REQUIRE(media->document);
  const auto* doc = media->document->get_if<api::document>();
  REQUIRE(doc);
  CHECK(doc->id == f.post.document.id);

  api::upload::getFile fresh{};
  fresh.location = api::inputDocumentFileLocation{doc->id, doc->access_hash, doc->file_reference, ""};
  fresh.offset = 0;
  fresh.limit = 4096;
  auto ok = h.call(encode(fresh));
  REQUIRE_FALSE(ok.is_error());
  tl::reader okr(ok.result);
  auto part = api::upload::File::read(okr);
  REQUIRE(part.get_if<api::upload::file>());
  std::vector<std::uint8_t> expected(4096);
  f.content.read(0, expected);
  CHECK(part.get_if<api::upload::file>()->bytes == expected);
  CHECK(h.call(old_request).error_message == "FILE_REFERENCE_EXPIRED");  // the old one stays dead
}
