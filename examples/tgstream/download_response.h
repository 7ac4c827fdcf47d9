// What a /dl request gets, decided without I/O: the status line and headers (Content-Length,
// Content-Range, Content-Type, Content-Disposition, ETag, Last-Modified, Accept-Ranges) and the
// bytes of the file to stream, from the request's method, Range, If-Range and If-None-Match and
// what is known of the file. Pure, so every case is a unit test and a fuzz input.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http_request.h"

namespace tgstream {

/// What the gateway knows of a file before it downloads any of it.
struct file_facts {
  std::int64_t size = 0;
  std::string mime_type;     ///< From the document; may be empty or hostile.
  std::string file_name;     ///< From the document; may be empty or hostile.
  std::string etag;          ///< Strong validator, quoted: "\"...\"".
  std::int64_t modified = 0;  ///< Unix seconds (the document's date); 0 when unknown.
};

/// A response's status and headers (names as sent).
struct response_head {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
};

/// The /dl answer: its head, then `end - first` bytes of the file from `first` when `body`.
struct download_plan {
  response_head head;
  bool body = false;
  std::int64_t first = 0;
  std::int64_t end = 0;
  /// For error statuses (400, 416): the JSON error code, the body being a JSON error.
  std::string error_code;
  std::string error_message;
};

/// Plans the answer to a GET or HEAD of the file `f`.
download_plan plan_download(const http_request& request, const file_facts& f);

/// `attachment; filename="ascii"; filename*=UTF-8''pct-encoded` (RFC 6266 / 8187) for a name that
/// may hold anything: path parts are dropped, control characters and quotes never reach the
/// header, an empty result becomes `fallback`.
/// One entity tag of an If-None-Match list (or "*") matches `etag`, compared weakly as RFC 9110
/// asks for If-None-Match (W/ ignored).
bool etag_listed(std::string_view list, std::string_view etag);

std::string content_disposition(std::string_view file_name, std::string_view fallback);

/// The Content-Type to serve a file's bytes with: the document's MIME type when it is a plain
/// type/subtype that a browser will not run as a page (HTML, XML, SVG, scripts become
/// application/octet-stream).
std::string safe_content_type(std::string_view mime_type);

/// RFC 9110 IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT").
std::string http_date(std::int64_t unix_seconds);

}  // namespace tgstream
