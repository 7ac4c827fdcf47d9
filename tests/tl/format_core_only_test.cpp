// Formatting generated types needs only <fmt/core.h> (a consumer that never includes
// <fmt/format.h> must still link): this file deliberately includes nothing else from fmt.
#include <catch2/catch.hpp>

#include <fmt/core.h>

#include "mtproto/api/InputFileLocation.h"
#include "mtproto/api/fn/upload/getFile.h"

TEST_CASE("fmt formats generated types with fmt/core.h alone") {
  namespace api = mtproto::api;
  const api::upload::getFile req{.cdn_supported = true,
                                 .location = api::inputDocumentFileLocation{.id = 7, .file_reference = {0xab}},
                                 .limit = 4096};
  CHECK(fmt::format("{}", req) ==
        "upload.getFile{cdn_supported: true, location: inputDocumentFileLocation{id: 7, access_hash: 0, "
        "file_reference: <1 bytes ab>, thumb_size: \"\"}, offset: 0, limit: 4096}");
}
