// The gateway's small parsers on hostile text: Range headers against a fuzzer-chosen size,
// request targets, signed tokens, base64url, and the names and types that reach response headers.
// Must hold: a satisfiable range lies inside the file and is not empty; a token verifies only as
// signed; Content-Disposition and Content-Type carry no control characters, quotes out of place,
// or path separators in the name.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "byte_range.h"
#include "download_response.h"
#include "fuzz_data.h"
#include "request_target.h"
#include "signed_url.h"

namespace {

constexpr std::size_t max_input = 8 * 1024;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > max_input) return 0;
  mtproto::fuzz::fuzz_data in(data, size);
  const auto mode = in.byte() % 5;
  const std::int64_t file_size = in.integral<std::uint64_t>() >> (in.byte() % 64);
  const auto text = in.string(in.rest());
  switch (mode) {
    case 0: {
      const auto r = tgstream::parse_range(text, file_size < 0 ? 0 : file_size);
      if (r.what == tgstream::range_request::kind::satisfiable &&
          (r.first < 0 || r.first >= r.end || r.end > file_size))
        std::abort();
      break;
    }
    case 1: {
      if (const auto t = tgstream::parse_target(text)) {
        for (const auto& s : t->segments)
          if (s.empty() || s.find('\0') != std::string::npos) std::abort();
      }
      break;
    }
    case 2: {
      const tgstream::url_signer signer(std::vector<std::uint8_t>(32, 1));
      const auto v = signer.verify(text, 0);
      if (std::holds_alternative<tgstream::file_ticket>(v)) std::abort();  // forging takes the secret
      const auto token = signer.sign({text, 0, 10});
      const auto back = signer.verify(token, 5);
      if (!std::holds_alternative<tgstream::file_ticket>(back) || std::get<tgstream::file_ticket>(back).link != text) {
        // Refused only when the link is empty or longer than any link (the token's bound).
        if (!text.empty() && text.size() <= 2048) std::abort();
      }
      break;
    }
    case 3: {
      std::string decoded;
      if (tgstream::base64url_decode(text, decoded) && tgstream::base64url_encode(decoded) != text) std::abort();
      break;
    }
    default: {
      const auto cd = tgstream::content_disposition(text, "file");
      const auto quote = cd.find('"');
      const auto end_quote = cd.find('"', quote + 1);
      if (cd.find_first_of("\r\n") != std::string::npos || cd.rfind('"') != end_quote) std::abort();
      const auto name = cd.substr(quote + 1, end_quote - quote - 1);
      if (name.empty() || name.find_first_of("/\\") != std::string::npos) std::abort();
      for (unsigned char c : cd)
        if (c < 0x20 || c >= 0x7f) std::abort();
      const auto type = tgstream::safe_content_type(text);
      for (unsigned char c : type)
        if (c <= 0x20 || c >= 0x7f || c == ';' || c == '"') std::abort();
      break;
    }
  }
  return 0;
}
