// parse_link on hostile text. Byte 0 picks the mode: the raw input as the link, or a link put
// together from fuzzer-chosen pieces (schemes, hosts, path words, ids near the bounds, query
// parameters), so the deep paths are reached without guessing "t.me/c/" byte by byte.
// Must hold: parsing is a function of the text; a success keeps message_link's invariants, names
// only what the text says, and round-trips through to_string(); a failure is bad_link with an
// offset within the text and a short printable message naming its part; whitespace around the
// text changes nothing but the offset.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz_data.h"
#include "mtproto/download/link.h"

namespace {

namespace dl = mtproto::download;

constexpr std::size_t max_input = 4096;  // past max_link_length, so the bound is reached too
constexpr std::size_t max_message_size = 200;

constexpr const char* schemes[] = {"", "https://", "http://", "tg://", "HTTPS://", "ftp://", "tg:", "//", "https:/"};
constexpr const char* hosts[] = {"t.me",     "www.t.me",     "telegram.me",   "telegram.dog", "T.Me",
                                 "resolve",  "privatepost",  "evil.com",      "t.me.evil.com", "t.me@evil.com",
                                 "t.me:443", "",             "WWW.TELEGRAM.DOG", "join",      "t.me."};
constexpr const char* words[] = {"c",   "s",       "durov",   "DuRoV", "joinchat", "+abc", "",      "100-120",
                                 "0",   "-5",      "1%32",    "abc",   "abcd_",    "a_b_c", "share", "iv",
                                 "007", "2147483647", "2147483648", "4503599627370495", "4503599627370496",
                                 "18446744073709551617"};
constexpr const char* keys[] = {"single", "comment", "thread", "domain", "post", "channel", "utm_source", "t",
                                "COMMENT", "comm%65nt", ""};

bool is_name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

std::string lower(std::string s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

bool printable(const std::string& s) {
  for (char c : s)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

bool same(const dl::link_parse_result& a, const dl::link_parse_result& b, std::size_t shift) {
  if (a.has_value() != b.has_value()) return false;
  if (a) return a.link() == b.link();
  const auto& x = a.error();
  const auto& y = b.error();
  return x.part == y.part && x.message == y.message && x.offset + shift == y.offset;
}

void check_link(const std::string& text, const dl::message_link& l) {
  if (text.size() > dl::max_link_length) std::abort();
  if (l.username.empty() == (l.channel_id == 0)) std::abort();  // exactly one peer
  if (l.channel_id < 0 || l.channel_id > dl::max_channel_id) std::abort();
  if (!l.username.empty()) {
    const auto& u = l.username;
    if (u.size() < dl::min_username_length || u.size() > dl::max_username_length) std::abort();
    if (u.front() < 'a' || u.front() > 'z' || u.back() == '_') std::abort();
    for (char c : u)
      if (!is_name_char(c)) std::abort();
    if (lower(text).find(u) == std::string::npos) std::abort();  // never an invented name
  }
  if (l.message_id < 1 || l.topic_id < 0 || l.comment_id < 0) std::abort();
  if (text.find(std::to_string(l.message_id)) == std::string::npos) std::abort();
  if (l.is_private() && text.find(std::to_string(l.channel_id)) == std::string::npos) std::abort();
  const std::string canonical = l.to_string();
  const auto again = dl::parse_link(canonical);
  if (!again || !(again.link() == l) || again.link().to_string() != canonical) std::abort();
}

void check_error(const std::string& text, const dl::link_error& e) {
  if (e.code != dl::download_errc::bad_link) std::abort();
  if (e.offset > text.size()) std::abort();
  if (e.part > dl::link_part::query) std::abort();
  if (e.message.empty() || e.message.size() > max_message_size || !printable(e.message)) std::abort();
  if (e.message.find(dl::link_part_name(e.part)) == std::string::npos) std::abort();
  if (text.size() > dl::max_link_length && e.part != dl::link_part::input) std::abort();
}

void check(const std::string& text) {
  const auto r = dl::parse_link(text);
  if (!same(r, dl::parse_link(text), 0)) std::abort();
  if (r) {
    check_link(text, r.link());
  } else {
    check_error(text, r.error());
  }
  if (text.size() + 2 <= dl::max_link_length) {
    const auto wrapped = dl::parse_link(" " + text + "\n");
    // An all-blank text is "empty" at its end, which moves by both added bytes.
    const bool blank = !r && r.error().part == dl::link_part::input && r.error().offset == text.size();
    if (!blank && !same(r, wrapped, 1)) std::abort();
  }
}

std::string pick(mtproto::fuzz::fuzz_data& in, const char* const* table, std::size_t n) {
  const std::size_t i = in.byte();
  if (i < n) return table[i];
  return in.string(in.short_bytes(40));  // anything else: raw bytes from the input
}

std::string number(mtproto::fuzz::fuzz_data& in) {
  switch (in.byte() % 4) {
    case 0: return std::to_string(in.integral<std::uint64_t>());
    case 1: return std::to_string(in.integral<std::int32_t>());
    case 2: return std::to_string(in.byte());
    default: return pick(in, words, std::size(words));
  }
}

std::string assemble(mtproto::fuzz::fuzz_data& in) {
  std::string s = pick(in, schemes, std::size(schemes));
  s += pick(in, hosts, std::size(hosts));
  const std::size_t segments = in.byte() % 6;
  for (std::size_t i = 0; i < segments; ++i) {
    s += '/';
    s += in.boolean() ? number(in) : pick(in, words, std::size(words));
  }
  const std::size_t params = in.byte() % 5;
  for (std::size_t i = 0; i < params; ++i) {
    s += i == 0 ? '?' : '&';
    s += pick(in, keys, std::size(keys));
    if (in.boolean()) {
      s += '=';
      s += in.boolean() ? number(in) : pick(in, words, std::size(words));
    }
  }
  if (in.boolean()) s += "#" + in.string(in.short_bytes(16));
  return s;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > max_input) return 0;
  mtproto::fuzz::fuzz_data in(data, size);
  if (in.byte() % 2 == 0) {
    check(in.string(in.rest()));
  } else {
    check(assemble(in));
  }
  return 0;
}
