#include "mtproto/download/error.h"

#include <catch2/catch.hpp>

using mtproto::download::download_errc;

TEST_CASE("download errors travel as error_code with their own category", "[download]") {
  std::error_code ec = download_errc::no_media;
  CHECK(ec.category().name() == std::string("mtproto.download"));
  CHECK(ec == download_errc::no_media);
  CHECK(ec != download_errc::bad_link);
  for (int v = 1; v <= static_cast<int>(download_errc::cancelled); ++v)
    CHECK(std::error_code(v, ec.category()).message() != "unknown download error");
}
