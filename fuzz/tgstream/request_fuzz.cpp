// The gateway's request path without sockets on hostile bytes: request_parser fed in
// fuzzer-chosen pieces (pipelined requests included), then each request's target split and its
// /dl answer planned. Must hold: nothing crashes or grows past the limits; a request's target and
// headers stay within them; consumed bytes never exceed what was fed; a plan's byte range lies
// inside the file and its headers carry no CR or LF.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "download_response.h"
#include "fuzz_data.h"
#include "http_request.h"
#include "request_target.h"

namespace {

constexpr std::size_t max_input = 64 * 1024;

void check_plan(const tgstream::http_request& r, std::int64_t size) {
  tgstream::file_facts f;
  f.size = size;
  f.mime_type = r.header("x-mime").value_or("video/mp4");
  f.file_name = r.header("x-name").value_or("a.mp4");
  f.etag = "\"e\"";
  f.modified = 1'700'000'000;
  const auto p = tgstream::plan_download(r, f);
  if (p.first < 0 || p.end < p.first || p.end > size) std::abort();
  if (p.body && (p.end == p.first || r.method == "HEAD")) std::abort();
  if (p.head.status == 206 && p.error_code.empty() && p.end - p.first > size) std::abort();
  for (const auto& [name, value] : p.head.headers)
    if (value.find_first_of("\r\n") != std::string::npos || name.find_first_of("\r\n:") != std::string::npos)
      std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2 || size > max_input) return 0;
  mtproto::fuzz::fuzz_data in(data, size);
  tgstream::request_limits limits;
  limits.max_target_bytes = 64 + in.byte() * 16;
  limits.max_header_bytes = 128 + in.byte() * 64;
  limits.max_headers = 1 + in.byte() % 32;
  const std::int64_t file_size = in.integral<std::uint32_t>();
  const auto text = in.string(in.rest());
  tgstream::request_parser parser(limits);
  std::size_t at = 0;
  std::size_t step = 1 + (size % 97);
  while (at < text.size()) {
    const auto n = std::min(step, text.size() - at);
    const auto r = parser.feed(std::span(text.data() + at, n));
    if (r.consumed > n) std::abort();
    at += r.consumed;
    if (r.what == tgstream::request_parser::state::refused) {
      const auto& why = parser.refusal();
      if (why.status < 400 || why.status > 599 || why.code.empty()) std::abort();
      break;
    }
    if (r.what == tgstream::request_parser::state::complete) {
      const auto& q = parser.request();
      if (q.target.size() > limits.max_target_bytes || q.headers.size() > limits.max_headers) std::abort();
      (void)tgstream::parse_target(q.target);
      check_plan(q, file_size);
      parser.reset();
      continue;
    }
    if (r.consumed < n) std::abort();  // need_more takes everything it was given
    step = step * 3 % 1024 + 1;
  }
  return 0;
}
