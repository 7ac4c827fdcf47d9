// The ready file: JSON that mtproto-testdc writes once it listens, telling test clients where the
// emulator is and what it serves. Plain data here, one writer and one strict reader (nlohmann/json
// underneath), shared by the emulator, tgcall, tgdl and the C++ tests; the Python tests read the
// same file with their json module, so the keys and their shape are a contract:
//
//   dcs[] {id, host, port[, cdn]}, rsa_public_key_pem, rsa_fingerprint ("0x" + 16 hex digits),
//   bot_token, channel, files[] {name, link, message_id, document_id, access_hash,
//   file_reference_hex, size, dc, cdn, sha256}[, messages[] (see ready_message)]
//
// `messages` is opt-in (--ready-messages) and `cdn` of a DC is written only when true, because the
// interop clients of issue 4 refuse keys they do not know. This target has no dependency on the
// emulator, so clients link it alone (mtproto::testdc_ready_file).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "mtproto/testdc/model.h"

namespace mtproto::testdc {

/// A ready file larger than this is refused before it is parsed (a real one is a few KiB).
inline constexpr std::size_t max_ready_file_bytes = std::size_t{4} << 20;
/// Arrays and objects nested deeper than this are refused (the format itself nests 5 deep).
inline constexpr int max_ready_file_depth = 16;

using sha256_bytes = std::array<std::uint8_t, 32>;

/// One `files` entry: the channel post of a --file fixture.
struct ready_fixture {
  std::string name;
  std::string link;  ///< https://t.me/<channel>/<message_id>
  std::int32_t message_id = 0;
  std::int64_t document_id = 0;
  std::int64_t access_hash = 0;
  std::vector<std::uint8_t> file_reference;  ///< key `file_reference_hex`
  std::int64_t size = 0;
  std::int32_t dc = 0;
  bool cdn = false;
  sha256_bytes sha256{};  ///< lowercase hex in the file
  bool operator==(const ready_fixture&) const = default;
};

/// `media: "document"`: the document's keys sit in the message entry itself.
struct ready_message_document {
  std::string name;
  std::int64_t document_id = 0;
  std::int64_t access_hash = 0;
  std::vector<std::uint8_t> file_reference;  ///< key `file_reference_hex`
  std::int64_t size = 0;
  std::int32_t dc = 0;
  sha256_bytes sha256{};
  bool operator==(const ready_message_document&) const = default;
};

struct ready_photo_size {
  std::string type;  ///< Telegram's size letter (s, m, x, ...)
  std::int32_t w = 0;
  std::int32_t h = 0;
  std::int64_t size = 0;
  sha256_bytes sha256{};
  bool operator==(const ready_photo_size&) const = default;
};

/// `media: "photo"`: photo_id, access_hash, file_reference_hex, dc, sizes (smallest first).
struct ready_message_photo {
  std::int64_t photo_id = 0;
  std::int64_t access_hash = 0;
  std::vector<std::uint8_t> file_reference;
  std::int32_t dc = 0;
  std::vector<ready_photo_size> sizes;
  bool operator==(const ready_message_photo&) const = default;
};

/// A comment's thread: keys discussion_id, discussion_access_hash, root_id, comment_id (all or none).
struct ready_discussion {
  std::int64_t id = 0;
  std::int64_t access_hash = 0;
  std::int32_t root_id = 0;     ///< the copy of the channel post in the discussion group
  std::int32_t comment_id = 0;  ///< the comment, in the discussion group
  bool operator==(const ready_discussion&) const = default;
};

/// One `messages` entry: a link fixture (album item, photo, text, deleted, private, topic, comment).
struct ready_message {
  std::string kind;
  std::string link;
  std::int64_t channel_id = 0;
  std::int64_t channel_access_hash = 0;
  std::string channel_username;  ///< "" for a channel without one
  std::int32_t message_id = 0;
  std::string text;
  std::optional<std::int64_t> grouped_id;  ///< albums
  std::optional<std::int32_t> topic_id;    ///< forum topics
  std::optional<ready_discussion> discussion;
  /// `media`: "none", "document" or "photo".
  std::variant<std::monostate, ready_message_document, ready_message_photo> media;
  bool operator==(const ready_message&) const = default;
};

struct ready_file {
  std::vector<dc_endpoint> dcs;
  std::string rsa_public_key_pem;  ///< PKCS#1
  std::uint64_t rsa_fingerprint = 0;
  std::string bot_token;
  std::string channel;  ///< the username of the channel that posts `files`
  std::vector<ready_fixture> files;
  std::optional<std::vector<ready_message>> messages;  ///< absent unless --ready-messages
  bool operator==(const ready_file&) const = default;
};

/// What a client takes from a ready file, or from any JSON file of that shape: `dcs` (required,
/// non-empty) and `rsa_public_key_pem` (optional: empty when absent); other keys are not read.
struct dc_config {
  std::vector<dc_endpoint> dcs;
  std::string rsa_public_key_pem;
  bool operator==(const dc_config&) const = default;
};

/// A ready file that cannot be read: not JSON, too large or deep, a required key missing, a value
/// of the wrong type or out of range. what() is "ready file[ FILE]: KEY: PROBLEM"; key() is the
/// path of the offending value ("files[1].sha256"), empty for the document as a whole.
class ready_file_error : public std::runtime_error {
 public:
  ready_file_error(std::string key, std::string problem, const std::string& file = {});
  const std::string& key() const noexcept { return key_; }
  const std::string& problem() const noexcept { return problem_; }

 private:
  std::string key_;
  std::string problem_;
};

/// The JSON text, ending in a newline. Throws std::invalid_argument for a string that is not
/// valid UTF-8 (JSON cannot carry it).
std::string to_json(const ready_file& ready);

/// Strict: throws ready_file_error. Keys the reader does not know are ignored.
ready_file ready_file_from_json(std::string_view json);
dc_config dc_config_from_json(std::string_view json);

/// The file at `path` (at most max_ready_file_bytes); throws ready_file_error, whose message then
/// names the path too.
ready_file read_ready_file(const std::string& path);
dc_config read_dc_config(const std::string& path);

/// to_json(ready) written atomically; throws std::system_error.
void write_ready_file(const std::string& path, const ready_file& ready);
/// Writes `content` to `path` via `path.tmp` and rename(), so a reader polling for `path` never
/// sees half a file; throws std::system_error.
void write_file_atomically(const std::string& path, const std::string& content);

/// Lowercase hex.
std::string to_hex(std::span<const std::uint8_t> bytes);

}  // namespace mtproto::testdc
