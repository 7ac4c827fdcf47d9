// The request glue over libhttp-parser: requests come out whole whatever the read sizes,
// pipelined requests one at a time, and every bound answers its own status.
#include <catch2/catch.hpp>

#include <string>

#include "http_request.h"

using tgstream::request_parser;
using state = request_parser::state;

namespace {

request_parser::result feed(request_parser& p, std::string_view text) { return p.feed(std::span(text.data(), text.size())); }

}  // namespace

TEST_CASE("a GET with headers: names lowercased, values trimmed, keep-alive by default", "[tgstream][http]") {
  request_parser p;
  const std::string text = "GET /dl/abc?x=1 HTTP/1.1\r\nHost: example\r\nRange:  bytes=0-9 \r\nX-Two: a\r\nx-two: b\r\n\r\n";
  const auto r = feed(p, text);
  REQUIRE(r.what == state::complete);
  CHECK(r.consumed == text.size());
  const auto& q = p.request();
  CHECK(q.method == "GET");
  CHECK(q.target == "/dl/abc?x=1");
  CHECK(q.header("host") == "example");
  CHECK(q.header("range") == "bytes=0-9");
  CHECK(q.count("x-two") == 2);
  CHECK(q.keep_alive);
  CHECK_FALSE(q.header("missing"));
}

TEST_CASE("a request fed one byte at a time comes out the same", "[tgstream][http]") {
  request_parser p;
  const std::string text = "HEAD /metrics HTTP/1.1\r\nHost: h\r\nUser-Agent: curl/7.88\r\n\r\n";
  for (std::size_t i = 0; i + 1 < text.size(); ++i) {
    const auto r = p.feed(std::span(text.data() + i, 1));
    REQUIRE(r.what == state::need_more);
    REQUIRE(r.consumed == 1);
  }
  REQUIRE(feed(p, text.substr(text.size() - 1)).what == state::complete);
  CHECK(p.request().method == "HEAD");
  CHECK(p.request().header("user-agent") == "curl/7.88");
}

TEST_CASE("pipelined requests are parsed one at a time", "[tgstream][http]") {
  request_parser p;
  const std::string first = "GET /a HTTP/1.1\r\nHost: h\r\n\r\n";
  const std::string second = "GET /b HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
  const std::string both = first + second;
  auto r = feed(p, both);
  REQUIRE(r.what == state::complete);
  CHECK(r.consumed == first.size());
  CHECK(p.request().target == "/a");
  p.reset();
  r = feed(p, std::string_view(both).substr(r.consumed));
  REQUIRE(r.what == state::complete);
  CHECK(p.request().target == "/b");
  CHECK_FALSE(p.request().keep_alive);
}

TEST_CASE("HTTP/1.0 closes unless it asks for keep-alive", "[tgstream][http]") {
  request_parser p;
  REQUIRE(feed(p, "GET / HTTP/1.0\r\n\r\n").what == state::complete);
  CHECK_FALSE(p.request().keep_alive);
  p.reset();
  REQUIRE(feed(p, "GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").what == state::complete);
  CHECK(p.request().keep_alive);
}

TEST_CASE("every bound and malformation is refused with its own status", "[tgstream][http]") {
  tgstream::request_limits limits;
  limits.max_target_bytes = 64;
  limits.max_header_bytes = 256;
  limits.max_headers = 4;
  struct input {
    std::string text;
    int status;
    const char* code;
  };
  const input cases[] = {
      {"GET /" + std::string(100, 'a') + " HTTP/1.1\r\n\r\n", 414, "target_too_long"},
      {"GET / HTTP/1.1\r\nX: " + std::string(300, 'v') + "\r\n\r\n", 431, "headers_too_large"},
      {"GET / HTTP/1.1\r\nA: 1\r\nB: 2\r\nC: 3\r\nD: 4\r\nE: 5\r\n\r\n", 431, "too_many_headers"},
      {"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nhello", 413, "body_not_allowed"},
      {"GET / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 413, "body_not_allowed"},
      {"GET / HTTP/1.1\r\nBad Header\r\n\r\n", 400, "bad_request"},
      {"\x01\x02\x03 / HTTP/1.1\r\n\r\n", 501, "method_not_implemented"},
      {"GET / HTTP/9x\r\n\r\n", 400, "bad_request"},
      {"GET / HTTP/1.1\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400, "bad_request"},
  };
  for (const auto& c : cases) {
    INFO(c.text.substr(0, 60));
    request_parser p(limits);
    const auto r = feed(p, c.text);
    REQUIRE(r.what == state::refused);
    CHECK(p.refusal().status == c.status);
    CHECK(p.refusal().code == c.code);
    CHECK_FALSE(p.refusal().message.empty());
  }
}

TEST_CASE("a connection that ends mid-request is told apart from one that ends between requests", "[tgstream][http]") {
  request_parser p;
  CHECK_FALSE(p.eof_mid_request());
  REQUIRE(feed(p, "GET /a HT").what == state::need_more);
  CHECK(p.eof_mid_request());
  p.reset();
  CHECK_FALSE(p.eof_mid_request());
}
