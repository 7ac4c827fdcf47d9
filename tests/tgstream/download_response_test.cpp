// What a /dl request gets, without sockets: statuses and headers for whole files, ranges,
// If-Range, If-None-Match and HEAD, and the names and types that reach the headers.
#include <catch2/catch.hpp>

#include <optional>
#include <string>

#include "download_response.h"

using namespace tgstream;

namespace {

http_request get(std::vector<std::pair<std::string, std::string>> headers = {}, std::string method = "GET") {
  http_request r;
  r.method = std::move(method);
  r.target = "/dl/x";
  r.headers = std::move(headers);
  return r;
}

file_facts video() {
  file_facts f;
  f.size = 10'000;
  f.mime_type = "video/mp4";
  f.file_name = "clip.mp4";
  f.etag = "\"abc-2710\"";
  f.modified = 1'700'000'000;
  return f;
}

std::optional<std::string> header(const download_plan& p, std::string_view name) {
  for (const auto& [k, v] : p.head.headers)
    if (k == name) return v;
  return std::nullopt;
}

}  // namespace

TEST_CASE("a whole file: 200 with its length, type, name and validators", "[tgstream][response]") {
  const auto p = plan_download(get(), video());
  CHECK(p.head.status == 200);
  CHECK(p.body);
  CHECK(p.first == 0);
  CHECK(p.end == 10'000);
  CHECK(header(p, "Content-Length") == "10000");
  CHECK(header(p, "Content-Type") == "video/mp4");
  CHECK(header(p, "Accept-Ranges") == "bytes");
  CHECK(header(p, "ETag") == "\"abc-2710\"");
  CHECK(header(p, "Last-Modified") == "Tue, 14 Nov 2023 22:13:20 GMT");
  CHECK(header(p, "Content-Disposition") == "attachment; filename=\"clip.mp4\"; filename*=UTF-8''clip.mp4");
  CHECK_FALSE(header(p, "Content-Range"));
}

TEST_CASE("a range: 206 with Content-Range, and the bytes it names", "[tgstream][response]") {
  const auto p = plan_download(get({{"range", "bytes=9000-"}}), video());
  CHECK(p.head.status == 206);
  CHECK(p.first == 9000);
  CHECK(p.end == 10'000);
  CHECK(header(p, "Content-Range") == "bytes 9000-9999/10000");
  CHECK(header(p, "Content-Length") == "1000");
}

TEST_CASE("ranges that cannot be served are refused with their status and code", "[tgstream][response]") {
  auto p = plan_download(get({{"range", "bytes=20000-"}}), video());
  CHECK(p.head.status == 416);
  CHECK(p.error_code == "range_not_satisfiable");
  CHECK(header(p, "Content-Range") == "bytes */10000");
  CHECK_FALSE(p.body);
  p = plan_download(get({{"range", "bytes=0-1,3-4"}}), video());
  CHECK(p.head.status == 416);
  CHECK(p.error_code == "multiple_ranges");
  p = plan_download(get({{"range", "bytes=x"}}), video());
  CHECK(p.head.status == 400);
  CHECK(p.error_code == "bad_range");
  p = plan_download(get({{"range", "bytes=0-1"}, {"range", "bytes=2-3"}}), video());
  CHECK(p.head.status == 400);
}

TEST_CASE("If-Range keeps the range only for the same file", "[tgstream][response]") {
  auto p = plan_download(get({{"range", "bytes=0-9"}, {"if-range", "\"abc-2710\""}}), video());
  CHECK(p.head.status == 206);
  p = plan_download(get({{"range", "bytes=0-9"}, {"if-range", "\"other\""}}), video());
  CHECK(p.head.status == 200);
  CHECK(p.end == 10'000);
  p = plan_download(get({{"range", "bytes=0-9"}, {"if-range", "Tue, 14 Nov 2023 22:13:20 GMT"}}), video());
  CHECK(p.head.status == 206);
  p = plan_download(get({{"range", "bytes=0-9"}, {"if-range", "Wed, 15 Nov 2023 22:13:20 GMT"}}), video());
  CHECK(p.head.status == 200);
  p = plan_download(get({{"range", "bytes=0-9"}, {"if-range", ""}}), video());
  CHECK(p.head.status == 200);
}

TEST_CASE("If-None-Match answers 304 without a body; HEAD answers the headers alone", "[tgstream][response]") {
  auto p = plan_download(get({{"if-none-match", "W/\"abc-2710\", \"x\""}}), video());
  CHECK(p.head.status == 304);
  CHECK_FALSE(p.body);
  p = plan_download(get({}, "HEAD"), video());
  CHECK(p.head.status == 200);
  CHECK_FALSE(p.body);
  CHECK(header(p, "Content-Length") == "10000");
}

TEST_CASE("hostile file names never reach the header as they are", "[tgstream][response]") {
  const auto cd = [](std::string_view name) { return content_disposition(name, "file"); };
  CHECK(cd("../../etc/passwd") == "attachment; filename=\"passwd\"; filename*=UTF-8''passwd");
  CHECK(cd("C:\\Windows\\evil.exe") == "attachment; filename=\"evil.exe\"; filename*=UTF-8''evil.exe");
  CHECK(cd("a\r\nSet-Cookie: x=y") == "attachment; filename=\"aSet-Cookie: x=y\"; filename*=UTF-8''aSet-Cookie%3A%20x%3Dy");
  CHECK(cd("say \"hi\".txt") == "attachment; filename=\"say _hi_.txt\"; filename*=UTF-8''say%20%22hi%22.txt");
  CHECK(cd("видео.mp4") ==
        "attachment; filename=\"__________.mp4\"; filename*=UTF-8''%D0%B2%D0%B8%D0%B4%D0%B5%D0%BE.mp4");
  CHECK(cd("") == "attachment; filename=\"file\"; filename*=UTF-8''file");
  CHECK(cd("...") == "attachment; filename=\"file\"; filename*=UTF-8''file");
  const auto long_name = cd(std::string(300, 'x'));
  CHECK(long_name.size() < 2 * 200 + 80);
}

TEST_CASE("types a browser would run are served as bytes", "[tgstream][response]") {
  CHECK(safe_content_type("video/mp4") == "video/mp4");
  CHECK(safe_content_type("Video/X-Matroska") == "video/x-matroska");
  for (const char* t : {"text/html", "image/svg+xml", "application/xhtml+xml", "text/javascript", "", "video",
                        "video/mp4; codecs=x", "a/b/c", "video/mp4\r\nX: y"})
    CHECK(safe_content_type(t) == "application/octet-stream");
}
