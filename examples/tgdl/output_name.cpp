#include "output_name.h"

#include <algorithm>
#include <array>

namespace tgdl {
namespace {

constexpr char replacement = '_';

// Decodes one UTF-8 character at `at`; 0 when the bytes there are not one (a stray continuation
// byte, a truncated sequence, an overlong form, a surrogate, or past U+10FFFF).
std::size_t utf8_char(std::string_view s, std::size_t at, char32_t& cp) {
  const auto b0 = static_cast<unsigned char>(s[at]);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  std::size_t len = 0;
  char32_t min = 0;
  if ((b0 & 0xE0) == 0xC0) len = 2, cp = b0 & 0x1F, min = 0x80;
  else if ((b0 & 0xF0) == 0xE0) len = 3, cp = b0 & 0x0F, min = 0x800;
  else if ((b0 & 0xF8) == 0xF0) len = 4, cp = b0 & 0x07, min = 0x10000;
  else return 0;
  if (at + len > s.size()) return 0;
  for (std::size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[at + i]);
    if ((b & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return len;
}

bool unwanted(char32_t cp) {
  if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F)) return true;  // control characters
  switch (cp) {
    case '/': case '\\': case ':': case '*': case '?': case '"': case '<': case '>': case '|':
      return true;  // separators here, or characters Windows refuses in names
    default: break;
  }
  // Direction marks and overrides make a name display as something else ("gpj.exe" shown as "exe.jpg").
  return cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

bool trimmed_char(char c) { return c == '.' || c == ' '; }

void trim_end(std::string& s) {
  while (!s.empty() && trimmed_char(s.back())) s.pop_back();
}

bool windows_device_name(std::string_view name) {
  auto base = name.substr(0, name.find('.'));
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  std::string upper(base);
  for (auto& c : upper)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  static constexpr std::array<std::string_view, 6> plain = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"};
  if (std::find(plain.begin(), plain.end(), upper) != plain.end()) return true;
  return upper.size() == 4 && (upper.starts_with("COM") || upper.starts_with("LPT")) && upper[3] >= '0' && upper[3] <= '9';
}

// Where the extension to keep starts (its dot), or npos. `.tar.gz` and friends stay whole.
std::size_t extension_start(std::string_view name) {
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos || dot == 0 || name.size() - dot - 1 == 0 || name.size() - dot - 1 > extension_max)
    return std::string_view::npos;
  const auto stem = name.substr(0, dot);
  if (stem.size() > 4 && stem.ends_with(".tar")) return dot - 4;
  return dot;
}

// The longest prefix of `s` of at most `max` bytes that ends on a character boundary.
std::string cut(std::string_view s, std::size_t max) {
  if (s.size() <= max) return std::string(s);
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return std::string(s.substr(0, end));
}

// `stem` cut so that stem + tail fits `max`, with dots and spaces the cut exposed removed.
std::string fit(std::string_view stem, std::string_view tail, std::size_t max) {
  if (tail.size() >= max) return cut(std::string(stem) + std::string(tail), max);
  auto s = cut(stem, max - tail.size());
  trim_end(s);
  return s + std::string(tail);
}

}  // namespace

std::string sanitize_file_name(std::string_view raw, std::size_t max_bytes) {
  std::string out;
  out.reserve(std::min(raw.size(), max_bytes * 2));
  for (std::size_t at = 0; at < raw.size();) {
    char32_t cp = 0;
    const std::size_t len = utf8_char(raw, at, cp);
    if (len == 0 || unwanted(cp)) out += replacement;
    else out.append(raw.substr(at, len));
    at += len == 0 ? 1 : len;
  }
  const auto first = std::find_if_not(out.begin(), out.end(), trimmed_char);
  out.erase(out.begin(), first);
  trim_end(out);
  if (out.empty()) return out;
  if (windows_device_name(out)) out.insert(out.begin(), replacement);
  if (out.size() <= max_bytes) return out;
  const auto ext = extension_start(out);
  if (ext == std::string::npos) {
    auto s = cut(out, max_bytes);
    trim_end(s);
    return s;
  }
  return fit(std::string_view(out).substr(0, ext), std::string_view(out).substr(ext), max_bytes);
}

std::string_view extension_for_mime(std::string_view mime) {
  // Parameters ("; charset=...") and case do not change the type.
  mime = mime.substr(0, mime.find(';'));
  while (!mime.empty() && mime.back() == ' ') mime.remove_suffix(1);
  std::string lower(mime);
  for (auto& c : lower)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  struct entry {
    std::string_view mime, ext;
  };
  // What Telegram's own clients send most; anything else is "bin".
  static constexpr std::array<entry, 28> table = {{
      {"video/mp4", "mp4"},          {"video/quicktime", "mov"},     {"video/x-matroska", "mkv"},
      {"video/webm", "webm"},        {"video/x-msvideo", "avi"},     {"video/mpeg", "mpg"},
      {"audio/mpeg", "mp3"},         {"audio/mp4", "m4a"},           {"audio/ogg", "ogg"},
      {"audio/x-flac", "flac"},      {"audio/flac", "flac"},         {"audio/wav", "wav"},
      {"audio/x-wav", "wav"},        {"image/jpeg", "jpg"},          {"image/png", "png"},
      {"image/gif", "gif"},          {"image/webp", "webp"},         {"image/heic", "heic"},
      {"application/pdf", "pdf"},    {"application/zip", "zip"},     {"application/x-rar-compressed", "rar"},
      {"application/vnd.rar", "rar"}, {"application/x-7z-compressed", "7z"}, {"application/x-tgsticker", "tgs"},
      {"application/epub+zip", "epub"}, {"application/json", "json"}, {"text/plain", "txt"},
      {"application/octet-stream", "bin"},
  }};
  for (const auto& e : table)
    if (e.mime == lower) return e.ext;
  return "bin";
}

std::string output_name(const item_description& item) {
  if (auto name = sanitize_file_name(item.file_name); !name.empty()) return name;
  std::string generated = item.channel + "_" + std::to_string(item.message_id) + "." +
                          std::string(extension_for_mime(item.mime_type));
  auto name = sanitize_file_name(generated);
  return name.empty() ? "download.bin" : name;
}

std::string numbered_name(std::string_view name, int n, std::size_t max_bytes) {
  const auto ext = extension_start(name);
  const auto stem = ext == std::string_view::npos ? name : name.substr(0, ext);
  const auto extension = ext == std::string_view::npos ? std::string_view{} : name.substr(ext);
  return fit(stem, " (" + std::to_string(n) + ")" + std::string(extension), max_bytes);
}

std::optional<output_choice> choose_output(const std::string& name, std::int64_t expected_size, const name_probe& probe) {
  for (int n = 0; n <= max_numbered_names; ++n) {
    auto candidate = n == 0 ? name : numbered_name(name, n);
    const auto state = probe(candidate);
    if (state.what == name_state::kind::absent) return output_choice{std::move(candidate), false};
    if (state.what == name_state::kind::regular_file && state.size == expected_size)
      return output_choice{std::move(candidate), true};
  }
  return std::nullopt;
}

}  // namespace tgdl
