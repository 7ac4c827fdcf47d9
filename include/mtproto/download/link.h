/// \file
/// Telegram message links as people paste them (`https://t.me/name/123`, `t.me/c/1234567890/5`,
/// `tg://resolve?domain=name&post=123`, ...) → which message of which channel, or a precise
/// error. Pure: no I/O, no Asio, nothing allocated but the result.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <variant>

#include "mtproto/download/error.h"
#include "mtproto/download/export.h"

namespace mtproto::download {

/// Longest text parse_link() reads, in bytes (surrounding whitespace included). Real links are a
/// few dozen bytes; the bound keeps the work on hostile input small and fixed.
inline constexpr std::size_t max_link_length = 2048;

/// Shortest username accepted (Fragment sells 4-character names; ordinary ones have 5 or more).
inline constexpr std::size_t min_username_length = 4;
/// Longest username Telegram allows.
inline constexpr std::size_t max_username_length = 32;

/// Largest message, topic or comment id: Telegram's message ids are int32.
inline constexpr std::int32_t max_message_id = 2147483647;
/// Largest channel id accepted in `t.me/c/ID/...`: 2^52 − 1. Telegram promises that peer ids
/// fit 52 bits (so they survive a double); today's channel ids are far below that.
inline constexpr std::int64_t max_channel_id = (std::int64_t{1} << 52) - 1;

/// Which message a link points at. Exactly one of `username` (a public channel or group) and
/// `channel_id` (a private channel, `t.me/c/...`) is set.
///
/// A later version adds message ranges (`t.me/name/100-120`) as a last message id beside
/// `message_id`; parse_link() refuses them today, with link_part::message_id.
struct message_link {
  /// The public username, lowercased (usernames are case-insensitive); empty for a private channel.
  std::string username;
  /// The channel id as the link writes it (the bare id, not the Bot API's −100… form);
  /// 1..max_channel_id for a private channel, 0 for a public one.
  std::int64_t channel_id = 0;
  /// The message (the channel post): 1..max_message_id.
  std::int32_t message_id = 0;
  /// The forum topic (`t.me/name/TOPIC/MSG` or `?thread=`); 0 when the link names none.
  std::int32_t topic_id = 0;
  /// The comment in the post's discussion group (`?comment=N`); 0 when the link names none.
  std::int32_t comment_id = 0;
  /// `?single`: the message alone, not the album it belongs to.
  bool single = false;

  /// True for a `t.me/c/...` link (channel_id set), false for a public username.
  bool is_private() const noexcept { return channel_id != 0; }

  /// The canonical form, `https://t.me/name/[TOPIC/]MSG[?comment=N][&single]` or
  /// `https://t.me/c/ID/[TOPIC/]MSG...`, which parse_link() reads back to an equal value.
  /// Only meaningful for a value that keeps the invariants above (as parse_link() gives).
  MTPROTO_DOWNLOAD_EXPORT std::string to_string() const;

  /// Field-wise equality.
  friend bool operator==(const message_link&, const message_link&) = default;
};

/// The part of the text a link_error is about.
enum class link_part : std::uint8_t {
  input,       ///< The text as a whole: empty, too long, a control character, space or non-ASCII byte.
  scheme,      ///< Not `http://`, `https://`, `tg://` or none.
  host,        ///< Not t.me, telegram.me, telegram.dog (`www.` allowed), or tg:// resolve/privatepost; user info or a port.
  path,        ///< Wrong shape: no channel, an empty or extra segment, a word t.me uses for other links.
  username,    ///< Not 4..32 of [A-Za-z0-9_], starting with a letter, not ending in `_`.
  channel_id,  ///< Not a decimal number in 1..max_channel_id.
  message_id,  ///< Missing, or not a decimal number in 1..max_message_id (ranges included, for now).
  topic_id,    ///< Not a decimal number in 1..max_message_id, or given twice.
  comment_id,  ///< Not a decimal number in 1..max_message_id.
  query,       ///< A known parameter given twice, a value where none belongs, an encoded name.
};

/// The words error messages use for `part` ("message id", "host", ...); every
/// link_error::message contains the word of its part.
MTPROTO_DOWNLOAD_EXPORT std::string_view link_part_name(link_part part) noexcept;

/// Why a text is not a message link.
struct link_error {
  /// Always download_errc::bad_link, so the error travels as std::error_code like the others.
  std::error_code code = download_errc::bad_link;
  /// Which part is wrong.
  link_part part = link_part::input;
  /// A short sentence naming the part and quoting it, e.g. `message id "12a" is not a number`.
  /// Quotes are cut to a few dozen bytes; the text quoted is printable ASCII.
  std::string message;
  /// Byte offset in the text given to parse_link() where the wrong part starts (where the
  /// missing one should be, for a missing part); at most the text's size.
  std::size_t offset = 0;
};

/// What parse_link() returns: a message_link or a link_error.
class link_parse_result {
 public:
  /// Success holding `link`.
  link_parse_result(message_link link) : v_(std::move(link)) {}  // NOLINT: implicit by design
  /// Failure with `error`.
  link_parse_result(link_error error) : v_(std::move(error)) {}  // NOLINT: implicit by design

  /// True when the text is a message link.
  bool has_value() const noexcept { return v_.index() == 0; }
  /// Same as has_value().
  explicit operator bool() const noexcept { return has_value(); }

  /// The link; only valid when has_value() (otherwise throws std::bad_variant_access).
  const message_link& link() const { return std::get<message_link>(v_); }
  /// The error; only valid when !has_value() (otherwise throws std::bad_variant_access).
  const link_error& error() const { return std::get<link_error>(v_); }

 private:
  std::variant<message_link, link_error> v_;
};

/// Reads a Telegram message link. Accepted, with or without `https://` / `http://`, with or
/// without `www.`, on t.me, telegram.me or telegram.dog (scheme and host case-insensitive):
/// - `t.me/name/123`, `t.me/s/name/123` (the web preview of the same post)
/// - `t.me/name/TOPIC/123`, `t.me/c/ID/123`, `t.me/c/ID/TOPIC/123`
/// - the query parameters `single`, `comment=N`, `thread=TOPIC` (unknown ones are ignored)
/// - `tg://resolve?domain=name&post=123` and `tg://privatepost?channel=ID&post=123`, both with
///   `thread=`, `comment=` and `single`
///
/// A trailing slash, a query and a `#fragment` are allowed; so is whitespace around the link
/// (offsets still count from the start of `text`). Not accepted: user info or a port in the
/// host, empty path segments, signs, or ids out of range — an error, never another message.
///
/// Nothing is percent-decoded: every character Telegram writes in the parts read here is
/// unreserved, so `%` in a username, an id or a known parameter name means the text came from
/// elsewhere, and is an error of that part. Unknown parameters and the fragment are not read, so
/// `%` there is fine. Bytes outside printable ASCII are refused anywhere (link_part::input).
///
/// Never throws for bad input (only std::bad_alloc).
MTPROTO_DOWNLOAD_EXPORT link_parse_result parse_link(std::string_view text);

}  // namespace mtproto::download
