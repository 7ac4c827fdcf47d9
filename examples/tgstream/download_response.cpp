#include "download_response.h"

#include <fmt/format.h>

#include <ctime>

#include "byte_range.h"
#include "text.h"

namespace tgstream {
namespace {

constexpr std::size_t max_name_bytes = 200;

bool token_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$&^_.+-").find(c) != std::string_view::npos;
}

// RFC 8187 attr-char: what filename* may carry unencoded.
bool attr_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$&+-.^_`|~").find(c) != std::string_view::npos;
}

std::string_view base_name(std::string_view name) {
  const auto slash = name.find_last_of("/\\");
  if (slash != std::string_view::npos) name.remove_prefix(slash + 1);
  return name;
}

void common_headers(response_head& h, const file_facts& f) {
  h.headers.emplace_back("Accept-Ranges", "bytes");
  if (!f.etag.empty()) h.headers.emplace_back("ETag", f.etag);
  if (f.modified > 0) h.headers.emplace_back("Last-Modified", http_date(f.modified));
}

download_plan refuse(int status, std::string code, std::string message) {
  download_plan p;
  p.head.status = status;
  p.error_code = std::move(code);
  p.error_message = std::move(message);
  return p;
}

}  // namespace

bool etag_listed(std::string_view list, std::string_view etag) {
  if (list == "*") return true;
  std::size_t pos = 0;
  while (pos < list.size()) {
    auto comma = list.find(',', pos);
    if (comma == std::string_view::npos) comma = list.size();
    auto item = list.substr(pos, comma - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (item.substr(0, 2) == "W/") item.remove_prefix(2);
    if (item == etag) return true;
    pos = comma + 1;
  }
  return false;
}


std::string http_date(std::int64_t unix_seconds) {
  static constexpr const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                           "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const auto t = static_cast<std::time_t>(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return fmt::format("{}, {:02} {} {} {:02}:{:02}:{:02} GMT", days[tm.tm_wday % 7], tm.tm_mday, months[tm.tm_mon % 12],
                     tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

std::string safe_content_type(std::string_view mime_type) {
  constexpr const char* fallback = "application/octet-stream";
  const auto slash = mime_type.find('/');
  if (slash == std::string_view::npos || slash == 0 || slash + 1 == mime_type.size() || mime_type.size() > 100)
    return fallback;
  for (char c : mime_type)
    if (c != '/' && !token_char(c)) return fallback;
  if (mime_type.find('/', slash + 1) != std::string_view::npos) return fallback;
  const auto m = ascii_lower(mime_type);
  for (std::string_view active : {"html", "xml", "javascript", "ecmascript", "svg", "xhtml"})
    if (m.find(active) != std::string::npos) return fallback;
  return m;
}

std::string content_disposition(std::string_view file_name, std::string_view fallback) {
  auto name = base_name(file_name);
  std::string kept;
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) continue;  // control characters: dropped
    kept += c;
  }
  while (!kept.empty() && (kept.front() == '.' || kept.front() == ' ')) kept.erase(kept.begin());  // no dotfiles
  if (kept.size() > max_name_bytes) {
    kept.resize(max_name_bytes);
    // Do not cut a UTF-8 sequence in half.
    while (!kept.empty() && (static_cast<unsigned char>(kept.back()) & 0xC0) == 0x80) kept.pop_back();
    if (!kept.empty() && static_cast<unsigned char>(kept.back()) >= 0xC0) kept.pop_back();
  }
  if (kept.empty()) kept = std::string(fallback);
  std::string ascii, encoded;
  for (char c : kept) {
    const auto u = static_cast<unsigned char>(c);
    ascii += (u >= 0x20 && u < 0x7f && c != '"' && c != '\\' && c != '%') ? c : '_';
    if (attr_char(c)) encoded += c;
    else encoded += fmt::format("%{:02X}", u);
  }
  return fmt::format("attachment; filename=\"{}\"; filename*=UTF-8''{}", ascii, encoded);
}

download_plan plan_download(const http_request& request, const file_facts& f) {
  const bool head_only = request.method == "HEAD";
  if (request.count("range") > 1) return refuse(400, "bad_range", "more than one Range header");
  if (const auto inm = request.header("if-none-match"); inm && !f.etag.empty() && etag_listed(*inm, f.etag)) {
    download_plan p;
    p.head.status = 304;
    common_headers(p.head, f);
    return p;
  }
  range_request range;
  if (const auto r = request.header("range")) {
    range = parse_range(*r, f.size);
    // If-Range: the range holds only while the client's copy is this one (a strong ETag match or
    // the exact Last-Modified date); otherwise the whole file.
    if (const auto if_range = request.header("if-range")) {
      const bool same = (!f.etag.empty() && *if_range == f.etag) ||
                        (f.modified > 0 && !if_range->empty() && if_range->front() != '"' && *if_range == http_date(f.modified));
      if (!same) range = {};
    }
  }
  download_plan p;
  switch (range.what) {
    case range_request::kind::invalid: return refuse(400, "bad_range", "the Range header is not a byte range");
    case range_request::kind::multiple:
      return refuse(416, "multiple_ranges", "only one byte range per request is served");
    case range_request::kind::unsatisfiable: {
      p = refuse(416, "range_not_satisfiable", "the range is outside the file");
      p.head.headers.emplace_back("Content-Range", fmt::format("bytes */{}", f.size));
      return p;
    }
    case range_request::kind::satisfiable:
      p.head.status = 206;
      p.first = range.first;
      p.end = range.end;
      p.head.headers.emplace_back("Content-Range", fmt::format("bytes {}-{}/{}", range.first, range.end - 1, f.size));
      break;
    case range_request::kind::whole:
      p.head.status = 200;
      p.first = 0;
      p.end = f.size;
      break;
  }
  p.head.headers.emplace_back("Content-Length", std::to_string(p.end - p.first));
  p.head.headers.emplace_back("Content-Type", safe_content_type(f.mime_type));
  p.head.headers.emplace_back("Content-Disposition", content_disposition(f.file_name, "file"));
  // The bytes are someone else's: never sniffed into something runnable, never run as a page.
  p.head.headers.emplace_back("X-Content-Type-Options", "nosniff");
  p.head.headers.emplace_back("Content-Security-Policy", "sandbox");
  common_headers(p.head, f);
  p.body = !head_only && p.end > p.first;
  return p;
}

}  // namespace tgstream
