// HTTP/1.1 requests from bytes, sans-IO: feed what the socket read, get a request (or a status
// to refuse it with) once its head is complete. Parsing is the Node.js parser's job
// (libhttp-parser); this is the glue that keeps its output bounded and shaped for the gateway.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tgstream {

/// Limits on what one request may make the gateway hold.
struct request_limits {
  std::size_t max_target_bytes = 8 * 1024;   ///< The request target (path and query).
  std::size_t max_header_bytes = 16 * 1024;  ///< All header names and values together.
  std::size_t max_headers = 64;              ///< Header lines.
  std::size_t max_body_bytes = 0;            ///< The gateway only serves GET and HEAD.
};

/// One request's head.
struct http_request {
  std::string method;  ///< "GET", "HEAD", ...
  std::string target;  ///< As sent: "/dl/TOKEN/name?x=y".
  int version_major = 1;
  int version_minor = 1;
  /// Header names lowercased, values with surrounding whitespace removed, in arrival order.
  std::vector<std::pair<std::string, std::string>> headers;
  bool keep_alive = true;  ///< The connection may serve another request after this one.

  /// The first header named `lowercase_name`, if any.
  std::optional<std::string_view> header(std::string_view lowercase_name) const;
  /// How many headers are named `lowercase_name`.
  std::size_t count(std::string_view lowercase_name) const;
};

/// Why a request is refused before it is routed: the status to answer and a code for the body.
struct request_refusal {
  int status = 400;
  std::string code;     ///< Machine-readable: "bad_request", "headers_too_large", ...
  std::string message;  ///< For people.
};

/// Feeds bytes to one connection's parser. After a request or a refusal, call reset() before
/// feeding the bytes that follow (a pipelined request); after a refusal the connection must close.
class request_parser {
 public:
  explicit request_parser(request_limits limits = {});
  ~request_parser();
  request_parser(const request_parser&) = delete;
  request_parser& operator=(const request_parser&) = delete;

  /// What feed() found.
  enum class state {
    need_more,  ///< All bytes consumed; the head is not complete yet.
    complete,   ///< request() holds a request; `consumed` bytes of the input were its.
    refused,    ///< refusal() says why; the connection must close after answering.
  };
  /// Outcome of feed(): the state and how many input bytes were used.
  struct result {
    state what = state::need_more;
    std::size_t consumed = 0;
  };

  /// Parses as much of `bytes` as belongs to the current request.
  result feed(std::span<const char> bytes);
  /// The connection ended (EOF): a request half received is refused, nothing half received is not.
  /// Answers true when a request was half received.
  bool eof_mid_request() const noexcept { return started_; }
  /// The request found by the last feed() that answered complete.
  http_request& request() noexcept { return request_; }
  /// The refusal found by the last feed() that answered refused.
  const request_refusal& refusal() const noexcept { return refusal_; }
  /// Ready for the next request on the same connection.
  void reset();

  /// Internal: the parser's callbacks reach the glue through this.
  struct callbacks;

 private:
  friend struct callbacks;
  request_limits limits_;
  struct c_parser;
  std::unique_ptr<c_parser> parser_;
  http_request request_;
  request_refusal refusal_;
  std::string field_;
  bool in_value_ = false;
  std::size_t header_bytes_ = 0;
  std::size_t body_bytes_ = 0;
  bool started_ = false;
  bool done_ = false;
};

}  // namespace tgstream
