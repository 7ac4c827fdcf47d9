// Helpers shared by the mtproto-testdc tests: an in-process handler with a logged-out key, and
// request builders on the library's generated types.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "mtproto/api/InputFileLocation.h"
#include "mtproto/api/fn/auth/importBotAuthorization.h"
#include "mtproto/api/fn/upload/getFile.h"
#include "mtproto/testdc/api_handler.h"
#include "mtproto/tl/reader.h"
#include "mtproto/tl/writer.h"

namespace mtproto::testdc::test {

template <class F>
std::vector<std::uint8_t> encode(const F& f) {
  std::vector<std::uint8_t> out;
  tl::writer w(out);
  f.write(w);
  return out;
}

/// A counter-based source: tests see the same "random" values every run.
inline crypto::random_source counting_random() {
  auto state = std::make_shared<std::uint8_t>(0);
  return [state](std::span<std::uint8_t> out) {
    for (auto& b : out) b = ++*state;
  };
}

/// upload.getFile for a published document.
inline std::vector<std::uint8_t> get_file_request(const published_file& f, std::int64_t offset, std::int32_t limit,
                                                  bool precise = false) {
  api::upload::getFile req{};
  req.precise = precise;
  api::inputDocumentFileLocation loc{};
  loc.id = f.post.document.id;
  loc.access_hash = f.post.document.access_hash;
  loc.file_reference = f.post.document.file_reference;
  req.location = loc;
  req.offset = offset;
  req.limit = limit;
  return encode(req);
}

/// auth.importBotAuthorization with the catalog's bot token.
inline std::vector<std::uint8_t> bot_login_request(const catalog& c) {
  api::auth::importBotAuthorization req{};
  req.api_id = 1;
  req.api_hash = "x";
  req.bot_auth_token = c.bot_token();
  return encode(req);
}

struct harness {
  explicit harness(std::vector<file_spec> files = {{"a.bin", 3 * 1048576 + 1000, 1, false}, {"b.bin", 200000, 2, false}},
                   fault_options faults = {}, std::string user_password = {}, std::vector<media_spec> media = {})
      : published(42, files, media),
        handler(published,
                handler_config{{{1, "127.0.0.1", 20001}, {2, "127.0.0.1", 20002}}, std::nullopt, "", faults,
                               std::move(user_password), {}},
                counting_random()) {
    core::auth_key::bytes_type k{};
    k[0] = 1;
    key = &keys.add(1, core::auth_key(k), 7);
    k[0] = 2;
    key2 = &keys.add(2, core::auth_key(k), 8);
  }

  rpc_answer call(std::span<const std::uint8_t> body, std::int32_t dc = 1) {
    request_context ctx{dc, dc == 1 ? *key : *key2, std::chrono::steady_clock::now(), 1700000000};
    return handler.handle(ctx, body);
  }

  rpc_answer login(std::int32_t dc = 1) { return call(bot_login_request(published), dc); }

  std::vector<std::uint8_t> get_file(const published_file& f, std::int64_t offset, std::int32_t limit, bool precise = false) {
    return get_file_request(f, offset, limit, precise);
  }

  catalog published;
  key_store keys;
  api_handler handler;
  key_record* key = nullptr;
  key_record* key2 = nullptr;
};

}  // namespace mtproto::testdc::test
