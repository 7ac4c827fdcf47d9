#include "mtproto/testdc/ready_file.h"

#include <cstdio>
#include <system_error>

#include <fmt/format.h>

namespace mtproto::testdc {
namespace {

std::string json_string(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        else out += c;
    }
  }
  return out + "\"";
}

std::string digest_hex(const file_content& content) { return to_hex(content.sha256()); }

std::string document_json(const published_file& f) {
  const auto& d = f.post.document;
  return fmt::format(
      ", \"media\": \"document\", \"name\": {}, \"document_id\": {}, \"access_hash\": {}, \"file_reference_hex\": \"{}\", "
      "\"size\": {}, \"dc\": {}, \"sha256\": \"{}\"",
      json_string(d.file_name), d.id, d.access_hash, to_hex(d.file_reference), d.size, d.dc_id, digest_hex(f.content));
}

std::string photo_json(const published_photo& p) {
  std::string sizes;
  for (std::size_t i = 0; i < p.photo.sizes.size(); ++i) {
    const auto& s = p.photo.sizes[i];
    sizes += fmt::format("{}{{\"type\": {}, \"w\": {}, \"h\": {}, \"size\": {}, \"sha256\": \"{}\"}}", i ? ", " : "",
                         json_string(s.type), s.w, s.h, s.size, digest_hex(p.contents[i]));
  }
  return fmt::format(
      ", \"media\": \"photo\", \"photo_id\": {}, \"access_hash\": {}, \"file_reference_hex\": \"{}\", \"dc\": {}, "
      "\"sizes\": [{}]",
      p.photo.id, p.photo.access_hash, to_hex(p.photo.file_reference), p.photo.dc_id, sizes);
}

/// One link fixture. Every entry has kind, link, channel_id, channel_access_hash, channel_username,
/// message_id, text and media; the rest depends on the kind and the media.
std::string link_json(const catalog& published, const link_fixture& l) {
  const channel_info& chat = *published.find_channel(l.channel_id);
  const auto message = published.message(l.channel_id, l.message_id);
  std::string j = fmt::format(
      "{{\"kind\": {}, \"link\": {}, \"channel_id\": {}, \"channel_access_hash\": {}, \"channel_username\": {}, "
      "\"message_id\": {}, \"text\": {}",
      json_string(l.kind), json_string(l.link), chat.id, chat.access_hash, json_string(chat.username), l.message_id,
      json_string(message.text));
  if (l.grouped_id) j += fmt::format(", \"grouped_id\": {}", l.grouped_id);
  if (l.topic_id) j += fmt::format(", \"topic_id\": {}", l.topic_id);
  if (l.discussion_id) {
    const channel_info& group = *published.find_channel(l.discussion_id);
    j += fmt::format(", \"discussion_id\": {}, \"discussion_access_hash\": {}, \"root_id\": {}, \"comment_id\": {}",
                     group.id, group.access_hash, *published.discussion_root(l.channel_id, l.message_id), l.comment_id);
  }
  switch (l.media) {
    case media_kind::none: j += ", \"media\": \"none\""; break;
    case media_kind::document: j += document_json(published.media_files()[l.media_index]); break;
    case media_kind::photo: j += photo_json(published.photos()[l.media_index]); break;
  }
  return j + "}";
}

}  // namespace

std::string to_hex(std::span<const std::uint8_t> bytes) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (auto b : bytes) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

std::string ready_json(const ready_info& info, const catalog& published) {
  std::string j = "{\n \"dcs\": [";
  for (std::size_t i = 0; i < info.dcs.size(); ++i) {
    const auto& dc = info.dcs[i];
    j += fmt::format("{}\n  {{\"id\": {}, \"host\": {}, \"port\": {}}}", i ? "," : "", dc.id, json_string(dc.host), dc.port);
  }
  j += "\n ],\n";
  j += " \"rsa_public_key_pem\": " + json_string(info.rsa_public_key_pem) + ",\n";
  j += fmt::format(" \"rsa_fingerprint\": \"0x{:016x}\",\n", static_cast<std::uint64_t>(info.rsa_fingerprint));
  j += " \"bot_token\": " + json_string(published.bot_token()) + ",\n";
  const auto& channel = published.channel().username;
  j += " \"channel\": " + json_string(channel) + ",\n";
  j += " \"files\": [";
  const auto& files = published.files();
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& f = files[i];
    const auto& d = f.post.document;
    j += fmt::format(
        "{}\n  {{\"name\": {}, \"link\": {}, \"message_id\": {}, \"document_id\": {}, \"access_hash\": {}, "
        "\"file_reference_hex\": \"{}\", \"size\": {}, \"dc\": {}, \"cdn\": {}, \"sha256\": \"{}\"}}",
        i ? "," : "", json_string(f.spec.name), json_string(fmt::format("https://t.me/{}/{}", channel, f.post.id)),
        f.post.id, d.id, d.access_hash, to_hex(d.file_reference), d.size, d.dc_id, f.spec.cdn ? "true" : "false",
        i < info.sha256_hex.size() ? info.sha256_hex[i] : std::string());
  }
  j += "\n ]";
  if (info.describe_messages) {
    j += ",\n \"messages\": [";
    const auto& links = published.link_fixtures();
    for (std::size_t i = 0; i < links.size(); ++i) j += (i ? ",\n  " : "\n  ") + link_json(published, links[i]);
    j += "\n ]";
  }
  j += "\n}\n";
  return j;
}

void write_file_atomically(const std::string& path, const std::string& content) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (!f) throw std::system_error(errno, std::generic_category(), "cannot create " + tmp);
  const bool written = std::fwrite(content.data(), 1, content.size(), f) == content.size();
  const bool closed = std::fclose(f) == 0;
  if (!written || !closed) {
    std::remove(tmp.c_str());
    throw std::system_error(EIO, std::generic_category(), "cannot write " + tmp);
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    std::remove(tmp.c_str());
    throw std::system_error(e, std::generic_category(), "cannot rename " + tmp + " to " + path);
  }
}

}  // namespace mtproto::testdc
