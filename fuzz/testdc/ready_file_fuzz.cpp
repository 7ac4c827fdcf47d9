// The ready file's reader (testdc::ready_file_from_json, dc_config_from_json) on hostile text.
// Byte 0 picks the mode: the rest of the input as the text, or a valid ready file (every key,
// every kind of media) with up to 8 edits drawn from the input: a byte replaced by a character
// that matters to JSON, a span cut out, or an edge value spliced in (2^63, 2^64, 1e400, -0, null,
// [], "", "0x", deep nesting, ...). Must hold: a refusal is ready_file_error and nothing else; an
// accepted file is written back (to_json) to text that reads to the same struct, and reads as a
// dc_config with the same DCs and RSA key.
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <string>
#include <string_view>

#include "fuzz_data.h"
#include "mtproto/testdc/ready_file.h"

using namespace mtproto::testdc;

namespace {

constexpr std::size_t max_input = 4096;
constexpr int max_edits = 8;

sha256_bytes digest(std::uint8_t fill) {
  sha256_bytes d;
  d.fill(fill);
  return d;
}

const std::string& valid_text() {
  static const std::string text = [] {
    ready_file r;
    r.dcs = {{1, "127.0.0.1", 20001, false}, {2, "127.0.0.1", 20002, true}};
    r.rsa_public_key_pem = "-----BEGIN RSA PUBLIC KEY-----\nMIIB\n-----END RSA PUBLIC KEY-----\n";
    r.rsa_fingerprint = 0xa7fc51d400179a17ull;
    r.bot_token = "123456:token\"\\";
    r.channel = "testdc_files";
    r.files = {{"a.bin", "https://t.me/testdc_files/10", 10, std::numeric_limits<std::int64_t>::max(), -1, {2, 0, 255},
                1000, 1, false, digest(0xab)}};
    ready_message album;
    album.kind = "album";
    album.link = "https://t.me/testdc_files/20";
    album.channel_id = 1;
    album.message_id = 20;
    album.grouped_id = 7;
    album.media = ready_message_document{"i.bin", 2, 3, {4}, 5, 1, digest(1)};
    ready_message photo;
    photo.kind = "photo";
    photo.link = "https://t.me/testdc_files/21";
    photo.message_id = 21;
    photo.topic_id = 3;
    photo.media = ready_message_photo{8, 9, {}, 2, {{"s", 90, 60, 100, digest(2)}}};
    ready_message comment;
    comment.kind = "comment";
    comment.link = "https://t.me/testdc_files/22?comment=4";
    comment.message_id = 22;
    comment.text = "a\nb";
    comment.discussion = ready_discussion{5, -5, 2, 4};
    r.messages = std::vector<ready_message>{album, photo, comment};
    return to_json(r);
  }();
  return text;
}

constexpr char significant[] = "{}[]:,\"\\0123456789-+.eEntfrul \n\x01\xff";
constexpr std::string_view snippets[] = {
    "-1", "0", "-0", "1.0", "1e400", "-1e400", "9223372036854775807", "9223372036854775808", "-9223372036854775809",
    "18446744073709551615", "18446744073709551616", "65535", "65536", "2147483648", "null", "true", "[]", "{}",
    "\"\"", "\"0x\"", "\"0xffffffffffffffff\"", "\"zz\"", "\"\\u0000\"", "\"\\ud800\"", "[[[[[[[[[[[[[[[[[[[[",
    "\"none\"", "\"photo\"", "\"document\"", "\"video\"", ",\"x\":1", "\"dcs\":", "\"messages\":null,"};

std::string edited(mtproto::fuzz::fuzz_data& in) {
  std::string text = valid_text();
  const int edits = 1 + static_cast<int>(in.byte() % max_edits);
  for (int i = 0; i < edits && !in.empty(); ++i) {
    const std::size_t at = in.below(text.size() + 1);
    switch (in.byte() % 3) {
      case 0:
        if (at < text.size()) text[at] = significant[in.below(sizeof(significant) - 1)];
        break;
      case 1: text.erase(at, in.byte()); break;
      default: text.insert(at, snippets[in.below(std::size(snippets))]); break;
    }
  }
  return text;
}

void check(std::string_view text) {
  ready_file r;
  try {
    r = ready_file_from_json(text);
  } catch (const ready_file_error&) {
    try {
      (void)dc_config_from_json(text);  // may read what the full reader refused
    } catch (const ready_file_error&) {
    }
    return;
  }
  const auto again = to_json(r);  // accepted strings are UTF-8: writing cannot fail
  ready_file back;
  try {
    back = ready_file_from_json(again);
  } catch (const ready_file_error&) {
    std::abort();  // what was accepted, written back, must be accepted
  }
  if (!(back == r)) std::abort();
  const auto config = dc_config_from_json(text);
  if (config.dcs != r.dcs || config.rsa_public_key_pem != r.rsa_public_key_pem) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > max_input) return 0;
  mtproto::fuzz::fuzz_data in(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    const auto rest = in.rest();
    check(std::string_view(reinterpret_cast<const char*>(rest.data()), rest.size()));
  } else {
    check(edited(in));
  }
  return 0;
}
