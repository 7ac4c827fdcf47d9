#include "mtproto/testdc/ready_file.h"

#include <array>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <limits>
#include <set>
#include <system_error>
#include <utility>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace mtproto::testdc {
namespace {

using json = nlohmann::json;          // read: keys looked up by name
using ordered = nlohmann::ordered_json;  // written: keys in the order of the contract

std::string prefixed(const std::string& key, const std::string& problem, const std::string& file) {
  std::string s = file.empty() ? "ready file: " : "ready file " + file + ": ";
  if (!key.empty()) s += key + ": ";
  return s + problem;
}

const char* type_name(const json& v) {
  if (v.is_number_integer()) return "an integer";
  if (v.is_number()) return "a non-integer number";
  return v.type_name();  // "null", "boolean", "string", "array", "object"
}

int hex_digit(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/// A JSON value and where it sits in the document, so every complaint names its key.
class node {
 public:
  node(const json& v, std::string path) : v_(v), path_(std::move(path)) {}

  [[noreturn]] void fail(const std::string& problem) const { throw ready_file_error(path_, problem); }

  /// A required key of an object.
  node operator[](std::string_view key) const {
    if (auto n = find(key)) return *n;
    throw ready_file_error(child(key), "missing");
  }
  std::optional<node> find(std::string_view key) const {
    if (!v_.is_object()) fail(std::string("expected an object, got ") + type_name(v_));
    const auto it = v_.find(key);
    if (it == v_.end()) return std::nullopt;
    return node(*it, child(key));
  }
  std::vector<node> items() const {
    if (!v_.is_array()) fail(std::string("expected a list, got ") + type_name(v_));
    std::vector<node> out;
    out.reserve(v_.size());
    for (std::size_t i = 0; i < v_.size(); ++i) out.emplace_back(v_[i], fmt::format("{}[{}]", path_, i));
    return out;
  }

  template <class T>
  T integer(T min = std::numeric_limits<T>::min(), T max = std::numeric_limits<T>::max()) const {
    if (!v_.is_number_integer()) fail(std::string("expected an integer, got ") + type_name(v_));
    const auto in_range = [&](auto x) { return std::cmp_less_equal(min, x) && std::cmp_less_equal(x, max); };
    if (v_.is_number_unsigned()) {
      const auto u = v_.get<std::uint64_t>();
      if (!in_range(u)) out_of_range(min, max);
      return static_cast<T>(u);
    }
    const auto s = v_.get<std::int64_t>();
    if (!in_range(s)) out_of_range(min, max);
    return static_cast<T>(s);
  }
  std::string string() const {
    if (!v_.is_string()) fail(std::string("expected a string, got ") + type_name(v_));
    return v_.get<std::string>();
  }
  std::string nonempty_string() const {
    auto s = string();
    if (s.empty()) fail("is empty");
    return s;
  }
  bool boolean() const {
    if (!v_.is_boolean()) fail(std::string("expected true or false, got ") + type_name(v_));
    return v_.get<bool>();
  }
  std::vector<std::uint8_t> hex() const {
    const auto s = string();
    if (s.size() % 2) fail("odd number of hex digits");
    std::vector<std::uint8_t> out(s.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
      const int hi = hex_digit(s[2 * i]);
      const int lo = hex_digit(s[2 * i + 1]);
      if (hi < 0 || lo < 0) fail("not hex");
      out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return out;
  }
  sha256_bytes sha256() const {
    const auto bytes = hex();
    sha256_bytes out{};
    if (bytes.size() != out.size()) fail(fmt::format("expected 64 hex digits, got {}", 2 * bytes.size()));
    std::copy(bytes.begin(), bytes.end(), out.begin());
    return out;
  }

 private:
  std::string child(std::string_view key) const {
    return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
  }
  template <class T>
  [[noreturn]] void out_of_range(T min, T max) const {
    fail(fmt::format("{} is out of range [{}, {}]", v_.dump(), min, max));
  }

  const json& v_;
  std::string path_;
};

// Ranges: DC ids and message ids are positive int32, sizes are non-negative.
constexpr std::int32_t positive_min = 1;

json parse(std::string_view text) {
  if (text.size() > max_ready_file_bytes)
    throw ready_file_error({}, fmt::format("{} bytes, more than the {} a ready file may have", text.size(),
                                           max_ready_file_bytes));
  // nlohmann's parser is iterative, but a deep document still costs memory per level.
  const auto limit_depth = [](int depth, json::parse_event_t, json&) {
    if (depth > max_ready_file_depth)
      throw ready_file_error({}, fmt::format("nested deeper than {} levels", max_ready_file_depth));
    return true;
  };
  try {
    return json::parse(text.begin(), text.end(), limit_depth);
  } catch (const json::exception& e) {
    throw ready_file_error({}, std::string("not JSON: ") + e.what());
  }
}

std::vector<dc_endpoint> read_dcs(const node& root) {
  const auto list = root["dcs"];
  std::vector<dc_endpoint> dcs;
  std::set<std::int32_t> seen;
  for (const auto& d : list.items()) {
    dc_endpoint e;
    e.id = d["id"].integer<std::int32_t>(positive_min);
    if (!seen.insert(e.id).second) d["id"].fail(fmt::format("DC {} is listed twice", e.id));
    e.host = d["host"].nonempty_string();
    e.port = d["port"].integer<std::uint16_t>(1);
    if (const auto cdn = d.find("cdn")) e.cdn = cdn->boolean();
    dcs.push_back(std::move(e));
  }
  if (dcs.empty()) list.fail("lists no DC");
  return dcs;
}

std::uint64_t read_fingerprint(const node& n) {
  const auto s = n.string();
  if (s.size() != 18 || s[0] != '0' || s[1] != 'x') n.fail("expected \"0x\" and 16 hex digits");
  std::uint64_t v = 0;
  for (std::size_t i = 2; i < s.size(); ++i) {
    const int d = hex_digit(s[i]);
    if (d < 0) n.fail("expected \"0x\" and 16 hex digits");
    v = v << 4 | static_cast<std::uint64_t>(d);
  }
  return v;
}

ready_fixture read_fixture(const node& n) {
  ready_fixture f;
  f.name = n["name"].nonempty_string();
  f.link = n["link"].nonempty_string();
  f.message_id = n["message_id"].integer<std::int32_t>(positive_min);
  f.document_id = n["document_id"].integer<std::int64_t>();
  f.access_hash = n["access_hash"].integer<std::int64_t>();
  f.file_reference = n["file_reference_hex"].hex();
  f.size = n["size"].integer<std::int64_t>(0);
  f.dc = n["dc"].integer<std::int32_t>(positive_min);
  f.cdn = n["cdn"].boolean();
  f.sha256 = n["sha256"].sha256();
  return f;
}

ready_message_document read_document(const node& n) {
  ready_message_document d;
  d.name = n["name"].string();
  d.document_id = n["document_id"].integer<std::int64_t>();
  d.access_hash = n["access_hash"].integer<std::int64_t>();
  d.file_reference = n["file_reference_hex"].hex();
  d.size = n["size"].integer<std::int64_t>(0);
  d.dc = n["dc"].integer<std::int32_t>(positive_min);
  d.sha256 = n["sha256"].sha256();
  return d;
}

ready_message_photo read_photo(const node& n) {
  ready_message_photo p;
  p.photo_id = n["photo_id"].integer<std::int64_t>();
  p.access_hash = n["access_hash"].integer<std::int64_t>();
  p.file_reference = n["file_reference_hex"].hex();
  p.dc = n["dc"].integer<std::int32_t>(positive_min);
  for (const auto& s : n["sizes"].items()) {
    ready_photo_size size;
    size.type = s["type"].nonempty_string();
    size.w = s["w"].integer<std::int32_t>(0);
    size.h = s["h"].integer<std::int32_t>(0);
    size.size = s["size"].integer<std::int64_t>(0);
    size.sha256 = s["sha256"].sha256();
    p.sizes.push_back(std::move(size));
  }
  return p;
}

ready_message read_message(const node& n) {
  ready_message m;
  m.kind = n["kind"].nonempty_string();
  m.link = n["link"].nonempty_string();
  m.channel_id = n["channel_id"].integer<std::int64_t>();
  m.channel_access_hash = n["channel_access_hash"].integer<std::int64_t>();
  m.channel_username = n["channel_username"].string();
  m.message_id = n["message_id"].integer<std::int32_t>(positive_min);
  m.text = n["text"].string();
  if (const auto g = n.find("grouped_id")) m.grouped_id = g->integer<std::int64_t>();
  if (const auto t = n.find("topic_id")) m.topic_id = t->integer<std::int32_t>(positive_min);
  if (const auto d = n.find("discussion_id")) {
    // The four keys of a comment come together.
    m.discussion = ready_discussion{d->integer<std::int64_t>(), n["discussion_access_hash"].integer<std::int64_t>(),
                                    n["root_id"].integer<std::int32_t>(positive_min),
                                    n["comment_id"].integer<std::int32_t>(positive_min)};
  }
  const auto media = n["media"];
  const auto kind = media.string();
  if (kind == "document") m.media = read_document(n);
  else if (kind == "photo") m.media = read_photo(n);
  else if (kind != "none") media.fail(fmt::format("expected \"none\", \"document\" or \"photo\", got \"{}\"", kind));
  return m;
}

ready_file read_ready(const json& doc) {
  const node root(doc, {});
  ready_file r;
  r.dcs = read_dcs(root);
  r.rsa_public_key_pem = root["rsa_public_key_pem"].nonempty_string();
  r.rsa_fingerprint = read_fingerprint(root["rsa_fingerprint"]);
  r.bot_token = root["bot_token"].nonempty_string();
  r.channel = root["channel"].string();
  for (const auto& f : root["files"].items()) r.files.push_back(read_fixture(f));
  if (const auto list = root.find("messages")) {
    r.messages.emplace();
    for (const auto& m : list->items()) r.messages->push_back(read_message(m));
  }
  return r;
}

dc_config read_config(const json& doc) {
  const node root(doc, {});
  dc_config c;
  c.dcs = read_dcs(root);
  if (const auto pem = root.find("rsa_public_key_pem")) c.rsa_public_key_pem = pem->nonempty_string();
  return c;
}

ordered document_json(const ready_message_document& d) {
  return {{"name", d.name}, {"document_id", d.document_id}, {"access_hash", d.access_hash},
          {"file_reference_hex", to_hex(d.file_reference)}, {"size", d.size}, {"dc", d.dc}, {"sha256", to_hex(d.sha256)}};
}

ordered message_json(const ready_message& m) {
  ordered j = {{"kind", m.kind},
               {"link", m.link},
               {"channel_id", m.channel_id},
               {"channel_access_hash", m.channel_access_hash},
               {"channel_username", m.channel_username},
               {"message_id", m.message_id},
               {"text", m.text}};
  if (m.grouped_id) j["grouped_id"] = *m.grouped_id;
  if (m.topic_id) j["topic_id"] = *m.topic_id;
  if (m.discussion) {
    j["discussion_id"] = m.discussion->id;
    j["discussion_access_hash"] = m.discussion->access_hash;
    j["root_id"] = m.discussion->root_id;
    j["comment_id"] = m.discussion->comment_id;
  }
  if (const auto* d = std::get_if<ready_message_document>(&m.media)) {
    j["media"] = "document";
    const ordered document = document_json(*d);
    for (const auto& [key, value] : document.items()) j[key] = value;
  } else if (const auto* p = std::get_if<ready_message_photo>(&m.media)) {
    j["media"] = "photo";
    j["photo_id"] = p->photo_id;
    j["access_hash"] = p->access_hash;
    j["file_reference_hex"] = to_hex(p->file_reference);
    j["dc"] = p->dc;
    ordered sizes = ordered::array();
    for (const auto& s : p->sizes)
      sizes.push_back({{"type", s.type}, {"w", s.w}, {"h", s.h}, {"size", s.size}, {"sha256", to_hex(s.sha256)}});
    j["sizes"] = std::move(sizes);
  } else {
    j["media"] = "none";
  }
  return j;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ready_file_error({}, "cannot open it", path);
  std::string text;
  std::array<char, 64 * 1024> chunk;
  // Stops at the first byte too many: an oversized file (or an endless one) is not read whole.
  while (in.read(chunk.data(), chunk.size()) || in.gcount() > 0) {
    text.append(chunk.data(), static_cast<std::size_t>(in.gcount()));
    if (text.size() > max_ready_file_bytes)
      throw ready_file_error({}, fmt::format("more than the {} bytes a ready file may have", max_ready_file_bytes), path);
  }
  if (in.bad()) throw ready_file_error({}, "cannot read it", path);
  return text;
}

template <class F>
auto read_file_with(const std::string& path, F&& from_json) {
  const auto text = read_text(path);
  try {
    return from_json(text);
  } catch (const ready_file_error& e) {
    throw ready_file_error(e.key(), e.problem(), path);  // the same, naming the file
  }
}

}  // namespace

ready_file_error::ready_file_error(std::string key, std::string problem, const std::string& file)
    : std::runtime_error(prefixed(key, problem, file)), key_(std::move(key)), problem_(std::move(problem)) {}

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

std::string to_json(const ready_file& r) {
  ordered j;
  ordered dcs = ordered::array();
  for (const auto& dc : r.dcs) {
    ordered d = {{"id", dc.id}, {"host", dc.host}, {"port", dc.port}};
    if (dc.cdn) d["cdn"] = true;
    dcs.push_back(std::move(d));
  }
  j["dcs"] = std::move(dcs);
  j["rsa_public_key_pem"] = r.rsa_public_key_pem;
  j["rsa_fingerprint"] = fmt::format("0x{:016x}", r.rsa_fingerprint);
  j["bot_token"] = r.bot_token;
  j["channel"] = r.channel;
  ordered files = ordered::array();
  for (const auto& f : r.files)
    files.push_back({{"name", f.name},
                     {"link", f.link},
                     {"message_id", f.message_id},
                     {"document_id", f.document_id},
                     {"access_hash", f.access_hash},
                     {"file_reference_hex", to_hex(f.file_reference)},
                     {"size", f.size},
                     {"dc", f.dc},
                     {"cdn", f.cdn},
                     {"sha256", to_hex(f.sha256)}});
  j["files"] = std::move(files);
  if (r.messages) {
    ordered messages = ordered::array();
    for (const auto& m : *r.messages) messages.push_back(message_json(m));
    j["messages"] = std::move(messages);
  }
  try {
    return j.dump(1) + "\n";
  } catch (const ordered::type_error& e) {
    throw std::invalid_argument(std::string("ready file: ") + e.what());
  }
}

ready_file ready_file_from_json(std::string_view text) { return read_ready(parse(text)); }

dc_config dc_config_from_json(std::string_view text) { return read_config(parse(text)); }

ready_file read_ready_file(const std::string& path) {
  return read_file_with(path, [](std::string_view t) { return ready_file_from_json(t); });
}

dc_config read_dc_config(const std::string& path) {
  return read_file_with(path, [](std::string_view t) { return dc_config_from_json(t); });
}

void write_ready_file(const std::string& path, const ready_file& ready) { write_file_atomically(path, to_json(ready)); }

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
