#include "http_request.h"

#include <http_parser.h>

#include <algorithm>
#include <cctype>
#include <climits>

#include "text.h"

namespace tgstream {

std::optional<std::string_view> http_request::header(std::string_view lowercase_name) const {
  for (const auto& [name, value] : headers)
    if (name == lowercase_name) return std::string_view(value);
  return std::nullopt;
}

std::size_t http_request::count(std::string_view lowercase_name) const {
  return static_cast<std::size_t>(
      std::count_if(headers.begin(), headers.end(), [&](const auto& h) { return h.first == lowercase_name; }));
}

struct request_parser::c_parser {
  http_parser parser{};
  http_parser_settings settings{};
};

// Each callback answers non-zero to stop the parser; the refusal says why.
struct request_parser::callbacks {
  static request_parser& self(http_parser* p) { return *static_cast<request_parser*>(p->data); }

  // -1, not 1: from on_headers_complete, 1 would mean "no body follows", not "stop".
  static int refuse(request_parser& r, int status, const char* code, const char* message) {
    r.refusal_ = {status, code, message};
    return -1;
  }

  static int on_message_begin(http_parser* p) {
    self(p).started_ = true;
    return 0;
  }

  static int on_url(http_parser* p, const char* at, std::size_t n) {
    auto& r = self(p);
    if (r.request_.target.size() + n > r.limits_.max_target_bytes)
      return refuse(r, 414, "target_too_long", "the request target is too long");
    r.request_.target.append(at, n);
    return 0;
  }

  static int count_header_bytes(request_parser& r, std::size_t n) {
    r.header_bytes_ += n;
    if (r.header_bytes_ > r.limits_.max_header_bytes)
      return refuse(r, 431, "headers_too_large", "the request headers are too large");
    return 0;
  }

  static int on_header_field(http_parser* p, const char* at, std::size_t n) {
    auto& r = self(p);
    if (count_header_bytes(r, n)) return -1;
    if (r.in_value_) {  // the previous header is complete: a new one begins
      r.field_.clear();
      r.in_value_ = false;
    }
    if (r.field_.empty() && r.request_.headers.size() >= r.limits_.max_headers)
      return refuse(r, 431, "too_many_headers", "the request has too many headers");
    r.field_.append(at, n);
    return 0;
  }

  static int on_header_value(http_parser* p, const char* at, std::size_t n) {
    auto& r = self(p);
    if (count_header_bytes(r, n)) return -1;
    if (!r.in_value_) {
      r.request_.headers.emplace_back(ascii_lower(r.field_), std::string());
      r.in_value_ = true;
    }
    r.request_.headers.back().second.append(at, n);
    return 0;
  }

  static int on_headers_complete(http_parser* p) {
    auto& r = self(p);
    for (auto& h : r.request_.headers) h.second = std::string(trim_blanks(h.second));
    r.request_.method = http_method_str(static_cast<http_method>(p->method));
    r.request_.version_major = p->http_major;
    r.request_.version_minor = p->http_minor;
    r.request_.keep_alive = http_should_keep_alive(p) != 0 && !p->upgrade;
    if ((p->flags & F_CHUNKED) || (p->content_length != ULLONG_MAX && p->content_length > r.limits_.max_body_bytes))
      return refuse(r, 413, "body_not_allowed", "this server takes no request bodies");
    return 0;
  }

  static int on_body(http_parser* p, const char*, std::size_t n) {
    auto& r = self(p);
    r.body_bytes_ += n;
    if (r.body_bytes_ > r.limits_.max_body_bytes)
      return refuse(r, 413, "body_not_allowed", "this server takes no request bodies");
    return 0;
  }

  static int on_message_complete(http_parser* p) {
    auto& r = self(p);
    r.done_ = true;
    // Stop here: what follows is the next (pipelined) request, parsed after this one is answered.
    http_parser_pause(p, 1);
    return 0;
  }
};

request_parser::request_parser(request_limits limits) : limits_(limits), parser_(std::make_unique<c_parser>()) {
  auto& s = parser_->settings;
  http_parser_settings_init(&s);
  s.on_message_begin = &callbacks::on_message_begin;
  s.on_url = &callbacks::on_url;
  s.on_header_field = &callbacks::on_header_field;
  s.on_header_value = &callbacks::on_header_value;
  s.on_headers_complete = &callbacks::on_headers_complete;
  s.on_body = &callbacks::on_body;
  s.on_message_complete = &callbacks::on_message_complete;
  reset();
}

request_parser::~request_parser() = default;

void request_parser::reset() {
  http_parser_init(&parser_->parser, HTTP_REQUEST);
  parser_->parser.data = this;
  request_ = {};
  refusal_ = {};
  field_.clear();
  in_value_ = false;
  header_bytes_ = 0;
  body_bytes_ = 0;
  started_ = false;
  done_ = false;
}

request_parser::result request_parser::feed(std::span<const char> bytes) {
  if (done_) return {state::complete, 0};
  auto& p = parser_->parser;
  const std::size_t n = http_parser_execute(&p, &parser_->settings, bytes.data(), bytes.size());
  if (done_) return {state::complete, n};
  const auto err = HTTP_PARSER_ERRNO(&p);
  if (err != HPE_OK) {
    if (refusal_.code.empty()) {
      // Our callbacks set a refusal before stopping; anything else is the parser's verdict.
      refusal_ = {400, "bad_request", std::string("malformed request: ") + http_errno_description(err)};
      if (err == HPE_INVALID_METHOD) refusal_ = {501, "method_not_implemented", "unknown request method"};
      if (err == HPE_HEADER_OVERFLOW) refusal_ = {431, "headers_too_large", "the request headers are too large"};
    }
    return {state::refused, n};
  }
  return {state::need_more, n};
}

}  // namespace tgstream
