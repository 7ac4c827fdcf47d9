#include "mtproto/download/link.h"

#include <algorithm>
#include <array>
#include <optional>

namespace mtproto::download {
namespace {

// A slice of the caller's text with its offset there, so every error can point into the input
// (whitespace trimming and scheme stripping never lose the position).
struct piece {
  std::string_view text;
  std::size_t at = 0;

  piece sub(std::size_t pos, std::size_t n = std::string_view::npos) const {
    pos = std::min(pos, text.size());
    return {text.substr(pos, n), at + pos};
  }
  std::size_t end() const { return at + text.size(); }
};

using maybe_error = std::optional<link_error>;

constexpr auto npos = std::string_view::npos;

// Quotes stay short: a 2 KiB segment must not become a 2 KiB message.
constexpr std::size_t max_quote = 40;

bool is_letter(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
bool is_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
char ascii_lower(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}
bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
  return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}
bool all_digits(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), is_digit);
}

std::string quoted(std::string_view s) {
  std::string out = "\"";
  out.append(s.substr(0, max_quote));
  if (s.size() > max_quote) out += "...";
  out += '"';
  return out;
}

std::string hex_byte(unsigned char b) {
  static constexpr char digits[] = "0123456789abcdef";
  return {'0', 'x', digits[b >> 4], digits[b & 15]};
}

link_error fail(link_part part, std::string_view what, std::size_t offset) {
  std::string m(link_part_name(part));
  m += ' ';
  m += what;
  return {make_error_code(download_errc::bad_link), part, std::move(m), offset};
}
// `<part> "<text>" <what>`, pointing at the text.
link_error fail_about(link_part part, const piece& p, std::string_view what) {
  return fail(part, quoted(p.text) + " " + std::string(what), p.at);
}

// Words in the first path segment that t.me uses for other kinds of links; some would pass as
// usernames, and Telegram reserves them, so a "username" that is one of them is refused too.
constexpr std::string_view path_words[] = {
    "joinchat", "addstickers", "addemoji", "addtheme", "addlist", "setlanguage", "share",
    "msg",      "msg_url",     "proxy",    "socks",    "login",   "confirmphone", "iv",
    "boost",    "bg",          "m",        "invoice",  "giftcode", "contact",
};
bool is_path_word(std::string_view s) noexcept {
  return std::any_of(std::begin(path_words), std::end(path_words), [s](std::string_view w) { return iequals(s, w); });
}

// Digits only: a sign, a space or a '%' would make "the same" number another one elsewhere.
// Leading zeros are harmless (the value is unambiguous) and are accepted.
maybe_error read_id(const piece& p, link_part part, std::int64_t max, std::int64_t& out) {
  if (p.text.empty()) return fail(part, "is empty", p.at);
  if (!all_digits(p.text)) return fail_about(part, p, "is not a number");
  std::int64_t v = 0;
  for (char c : p.text) {
    const int d = c - '0';
    if (v > (max - d) / 10) return fail_about(part, p, "is larger than " + std::to_string(max));
    v = v * 10 + d;
  }
  if (v == 0) return fail_about(part, p, "is zero (ids start at 1)");
  out = v;
  return {};
}

maybe_error read_id32(const piece& p, link_part part, std::int32_t& out) {
  std::int64_t v = 0;
  if (auto e = read_id(p, part, max_message_id, v)) return e;
  out = static_cast<std::int32_t>(v);
  return {};
}

// The one place a message number is read, so the range form (t.me/name/100-120) lands here
// when it is added; until then a range is refused by name rather than as "not a number".
maybe_error read_message(const piece& p, message_link& out) {
  const auto dash = p.text.find('-');
  if (dash != npos && all_digits(p.text.substr(0, dash)) && all_digits(p.text.substr(dash + 1)))
    return fail_about(link_part::message_id, p, "is a message range, which is not supported yet");
  return read_id32(p, link_part::message_id, out.message_id);
}

maybe_error read_username(const piece& p, std::string& out) {
  constexpr auto part = link_part::username;
  const std::string_view s = p.text;
  if (s.empty()) return fail(part, "is empty", p.at);
  if (!std::all_of(s.begin(), s.end(), [](char c) { return is_letter(c) || is_digit(c) || c == '_'; }))
    return fail_about(part, p, "may only contain letters, digits and _");
  if (!is_letter(s.front())) return fail_about(part, p, "does not start with a letter");
  if (s.size() < min_username_length)
    return fail_about(part, p, "is shorter than " + std::to_string(min_username_length) + " characters");
  if (s.size() > max_username_length)
    return fail_about(part, p, "is longer than " + std::to_string(max_username_length) + " characters");
  if (s.back() == '_') return fail_about(part, p, "ends with _");
  if (is_path_word(s)) return fail_about(part, p, "is a word t.me reserves for other links");
  out.resize(s.size());
  std::transform(s.begin(), s.end(), out.begin(), ascii_lower);
  return {};
}

// ---- query ------------------------------------------------------------------------------------

struct param {
  bool present = false;
  bool has_value = false;  // "key=..." rather than a bare "key"
  piece key;
  piece value;
};

struct params {
  param single, comment, thread, domain, post, channel;
};

enum known_key : unsigned { k_single = 1, k_comment = 2, k_thread = 4, k_domain = 8, k_post = 16, k_channel = 32 };

param* find_param(std::string_view key, unsigned known, params& p) noexcept {
  struct entry {
    std::string_view name;
    known_key bit;
    param params::*slot;
  };
  static constexpr entry entries[] = {
      {"single", k_single, &params::single}, {"comment", k_comment, &params::comment},
      {"thread", k_thread, &params::thread}, {"domain", k_domain, &params::domain},
      {"post", k_post, &params::post},       {"channel", k_channel, &params::channel},
  };
  for (const auto& e : entries)
    if ((known & e.bit) && iequals(key, e.name)) return &(p.*e.slot);
  return nullptr;
}

// Reads the parameters in `known`; others (utm_source, t=, start, ...) are not ours to judge.
maybe_error read_query(const piece& q, unsigned known, params& out) {
  std::size_t start = 0;
  while (start <= q.text.size()) {
    const auto amp = q.text.find('&', start);
    const piece item = q.sub(start, amp == npos ? npos : amp - start);
    start = amp == npos ? q.text.size() + 1 : amp + 1;
    if (item.text.empty()) continue;
    const auto eq = item.text.find('=');
    const piece key = item.sub(0, eq);
    // An encoded name might be a known one; guessing either way could change the message.
    if (key.text.find('%') != npos) return fail_about(link_part::query, key, "has a percent-encoded name");
    param* slot = find_param(key.text, known, out);
    if (slot == nullptr) continue;
    if (slot->present) return fail_about(link_part::query, key, "is given twice");
    slot->present = true;
    slot->has_value = eq != npos;
    slot->key = key;
    slot->value = slot->has_value ? item.sub(eq + 1) : piece{{}, item.end()};
  }
  return {};
}

maybe_error apply_common(const params& p, bool topic_in_path, message_link& out) {
  if (p.single.present) {
    if (!p.single.value.text.empty()) return fail_about(link_part::query, p.single.key, "takes no value");
    out.single = true;
  }
  if (p.comment.present)
    if (auto e = read_id32(p.comment.value, link_part::comment_id, out.comment_id)) return e;
  if (p.thread.present) {
    if (topic_in_path) return fail(link_part::topic_id, "is given both in the path and as thread=", p.thread.key.at);
    if (auto e = read_id32(p.thread.value, link_part::topic_id, out.topic_id)) return e;
  }
  return {};
}

// ---- t.me -------------------------------------------------------------------------------------

constexpr std::size_t max_segments = 4;  // c/ID/TOPIC/MSG, the longest form
using segments = std::array<piece, max_segments>;

// What follows the peer: MSG, or TOPIC/MSG where topics are allowed.
maybe_error read_post(const segments& seg, std::size_t n, std::size_t first, bool topics, message_link& out) {
  const std::size_t left = n - first;
  if (left == 0) return fail(link_part::message_id, "is missing: the link names a chat, not a message", seg[n - 1].end());
  if (left == 1) return read_message(seg[first], out);
  if (left == 2 && topics) {
    if (auto e = read_id32(seg[first], link_part::topic_id, out.topic_id)) return e;
    return read_message(seg[first + 1], out);
  }
  return fail_about(link_part::path, seg[first + (topics ? 2 : 1)], "is one segment too many");
}

maybe_error read_web_path(const piece& path, bool& topic_in_path, message_link& out) {
  piece rest = path.sub(1);  // the leading '/'
  if (!rest.text.empty() && rest.text.back() == '/') rest.text.remove_suffix(1);
  if (rest.text.empty()) return fail(link_part::path, "is empty: the link names no chat", path.end());

  segments seg;
  std::size_t n = 0;
  for (std::size_t start = 0;;) {
    const auto slash = rest.text.find('/', start);
    const piece s = rest.sub(start, slash == npos ? npos : slash - start);
    if (s.text.empty()) return fail(link_part::path, "has an empty segment", s.at);
    if (n == max_segments) return fail_about(link_part::path, s, "is one segment too many");
    seg[n++] = s;
    if (slash == npos) break;
    start = slash + 1;
  }

  const piece& first = seg[0];
  if (iequals(first.text, "c")) {
    if (n < 2) return fail(link_part::channel_id, "is missing after /c/", first.end());
    if (auto e = read_id(seg[1], link_part::channel_id, max_channel_id, out.channel_id)) return e;
    topic_in_path = n == 4;
    return read_post(seg, n, 2, true, out);
  }
  std::size_t name = 0;
  if (iequals(first.text, "s")) {  // the web preview, t.me/s/name/123: the same post
    if (n < 2) return fail(link_part::username, "is missing after /s/", first.end());
    name = 1;
  } else if (first.text.front() == '+') {
    return fail_about(link_part::path, first, "is an invite or phone number link, not a message");
  } else if (is_path_word(first.text)) {
    return fail_about(link_part::path, first, "is a word t.me uses for links that are not messages");
  }
  if (auto e = read_username(seg[name], out.username)) return e;
  topic_in_path = name == 0 && n == 3;
  return read_post(seg, n, name + 1, name == 0, out);
}

maybe_error check_web_host(const piece& authority) {
  constexpr auto part = link_part::host;
  if (authority.text.empty()) return fail(part, "is missing", authority.at);
  if (authority.text.find('@') != npos) return fail_about(part, authority, "has user info, which t.me links never have");
  if (authority.text.find(':') != npos) return fail_about(part, authority, "has a port, which t.me links never have");
  std::string_view host = authority.text;
  if (istarts_with(host, "www.")) host.remove_prefix(4);
  if (iequals(host, "t.me") || iequals(host, "telegram.me") || iequals(host, "telegram.dog")) return {};
  return fail_about(part, authority, "is not t.me, telegram.me or telegram.dog");
}

maybe_error read_web(const piece& rest, message_link& out) {
  const piece authority = rest.sub(0, rest.text.find_first_of("/?#"));
  if (auto e = check_web_host(authority)) return e;
  const piece after = rest.sub(authority.text.size());
  const piece body = after.sub(0, after.text.find('#'));  // the fragment is the page's business
  const auto q = body.text.find('?');
  const piece path = body.sub(0, q);
  const piece query = q == npos ? piece{{}, body.end()} : body.sub(q + 1);

  bool topic_in_path = false;
  if (auto e = read_web_path(path, topic_in_path, out)) return e;
  params p;
  if (auto e = read_query(query, k_single | k_comment | k_thread, p)) return e;
  return apply_common(p, topic_in_path, out);
}

// ---- tg:// ------------------------------------------------------------------------------------

maybe_error read_tg(const piece& rest, message_link& out) {
  const piece body = rest.sub(0, rest.text.find('#'));
  const piece host = body.sub(0, body.text.find_first_of("/?"));
  const bool resolve = iequals(host.text, "resolve");
  if (!resolve && !iequals(host.text, "privatepost")) {
    if (host.text.empty()) return fail(link_part::host, "is missing after tg://", host.at);
    return fail_about(link_part::host, host, "is not resolve or privatepost, the tg:// message links");
  }
  piece after = body.sub(host.text.size());
  if (!after.text.empty() && after.text.front() == '/') after = after.sub(1);
  if (!after.text.empty() && after.text.front() != '?')
    return fail_about(link_part::path, after, "follows a tg:// host, which takes no path");
  const piece query = after.sub(1);

  params p;
  const unsigned peer_key = resolve ? k_domain : k_channel;
  if (auto e = read_query(query, peer_key | k_post | k_single | k_comment | k_thread, p)) return e;
  if (resolve) {
    if (!p.domain.present) return fail(link_part::username, "is missing: tg://resolve has no domain=", query.end());
    if (auto e = read_username(p.domain.value, out.username)) return e;
  } else {
    if (!p.channel.present)
      return fail(link_part::channel_id, "is missing: tg://privatepost has no channel=", query.end());
    if (auto e = read_id(p.channel.value, link_part::channel_id, max_channel_id, out.channel_id)) return e;
  }
  if (!p.post.present) return fail(link_part::message_id, "is missing: the link has no post=", query.end());
  if (auto e = read_message(p.post.value, out)) return e;
  return apply_common(p, false, out);
}

// ---- scheme -----------------------------------------------------------------------------------

enum class scheme_kind { none, web, tg };

maybe_error read_scheme(const piece& link, scheme_kind& kind, piece& rest) {
  kind = scheme_kind::none;
  rest = link;
  const std::string_view s = link.text;
  std::size_t i = 0;
  if (!s.empty() && is_letter(s[0])) {
    i = 1;
    while (i < s.size() && (is_letter(s[i]) || is_digit(s[i]) || s[i] == '+' || s[i] == '-' || s[i] == '.')) ++i;
  }
  if (i == 0 || i >= s.size() || s[i] != ':') return {};
  const piece name = link.sub(0, i);
  if (s.substr(i, 3) != "://") {
    // "t.me:443/..." is a host with a port, not a scheme: the host check says so more clearly.
    const std::string_view port = s.substr(i + 1, s.find_first_of("/?#", i + 1) - (i + 1));
    if (std::all_of(port.begin(), port.end(), is_digit)) return {};
    return fail_about(link_part::scheme, name, "is not followed by //");
  }
  if (iequals(name.text, "https") || iequals(name.text, "http")) {
    kind = scheme_kind::web;
  } else if (iequals(name.text, "tg")) {
    kind = scheme_kind::tg;
  } else {
    return fail_about(link_part::scheme, name, "is not https, http or tg");
  }
  rest = link.sub(i + 3);
  return {};
}

// Offsets refer to `text`, so the checks here report positions within it.
maybe_error check_bytes(const piece& link) {
  for (std::size_t i = 0; i < link.text.size(); ++i) {
    const auto b = static_cast<unsigned char>(link.text[i]);
    if (b > 0x20 && b < 0x7f) continue;
    const std::size_t at = link.at + i;
    if (b == ' ') return fail(link_part::input, "contains a space", at);
    if (b < 0x20 || b == 0x7f) return fail(link_part::input, "contains the control character " + hex_byte(b), at);
    return fail(link_part::input, "contains the non-ASCII byte " + hex_byte(b) + " (Telegram links are ASCII)", at);
  }
  return {};
}

}  // namespace

std::string_view link_part_name(link_part part) noexcept {
  switch (part) {
    case link_part::input: return "link";
    case link_part::scheme: return "scheme";
    case link_part::host: return "host";
    case link_part::path: return "path";
    case link_part::username: return "username";
    case link_part::channel_id: return "channel id";
    case link_part::message_id: return "message id";
    case link_part::topic_id: return "topic id";
    case link_part::comment_id: return "comment id";
    case link_part::query: return "query parameter";
  }
  return "link";
}

std::string message_link::to_string() const {
  std::string s = "https://t.me/";
  if (is_private()) {
    s += "c/";
    s += std::to_string(channel_id);
  } else {
    s += username;
  }
  s += '/';
  if (topic_id != 0) {
    s += std::to_string(topic_id);
    s += '/';
  }
  s += std::to_string(message_id);
  char sep = '?';
  if (comment_id != 0) {
    s += sep;
    s += "comment=";
    s += std::to_string(comment_id);
    sep = '&';
  }
  if (single) {
    s += sep;
    s += "single";
  }
  return s;
}

link_parse_result parse_link(std::string_view text) {
  if (text.size() > max_link_length)
    return fail(link_part::input, "is longer than " + std::to_string(max_link_length) + " bytes", max_link_length);
  // Pasted links often carry a newline or spaces around them; inside, whitespace is an error.
  std::size_t b = 0;
  std::size_t e = text.size();
  while (b < e && is_space(text[b])) ++b;
  while (e > b && is_space(text[e - 1])) --e;
  const piece link{text.substr(b, e - b), b};
  if (link.text.empty()) return fail(link_part::input, "is empty", b);
  if (auto err = check_bytes(link)) return std::move(*err);

  scheme_kind kind{};
  piece rest;
  if (auto err = read_scheme(link, kind, rest)) return std::move(*err);
  message_link out;
  if (auto err = kind == scheme_kind::tg ? read_tg(rest, out) : read_web(rest, out)) return std::move(*err);
  return out;
}

}  // namespace mtproto::download
