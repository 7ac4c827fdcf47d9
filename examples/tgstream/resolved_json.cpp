#include "resolved_json.h"

#include <nlohmann/json.hpp>

#include <limits>

#include "mtproto/download/link.h"
#include "text.h"

namespace tgstream {
namespace {

namespace download = mtproto::download;
using json = nlohmann::json;

constexpr std::size_t max_items = 100;          // an album holds at most 10
constexpr std::size_t max_reference_bytes = 1024;
constexpr std::size_t max_text = 4096;

std::optional<std::vector<std::uint8_t>> unhex(const std::string& text) {
  if (text.size() % 2 || text.size() / 2 > max_reference_bytes) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return -1;
  };
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    const int hi = nibble(text[i]), lo = nibble(text[i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>(hi << 4 | lo));
  }
  return out;
}

/// Typed reads that fail (return false) instead of throwing or converting.
struct reader {
  const json& j;
  bool ok = true;

  template <class Int>
  Int integer(const char* key, Int min, Int max) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_number_integer()) return fail<Int>();
    const auto v = it->get<std::int64_t>();
    if (it->is_number_unsigned() && it->get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
      return fail<Int>();
    if (v < static_cast<std::int64_t>(min) || v > static_cast<std::int64_t>(max)) return fail<Int>();
    return static_cast<Int>(v);
  }
  std::string text(const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_string() || it->get_ref<const std::string&>().size() > max_text) return fail<std::string>();
    return it->get<std::string>();
  }
  bool boolean(const char* key) {
    const auto it = j.find(key);
    if (it == j.end() || !it->is_boolean()) return fail<bool>();
    return it->get<bool>();
  }
  template <class T>
  std::optional<T> optional_number(const char* key, double min, double max) {
    const auto it = j.find(key);
    if (it == j.end() || it->is_null()) return std::nullopt;
    if (!it->is_number()) return fail<std::optional<T>>();
    const auto v = it->get<double>();
    if (!(v >= min && v <= max)) return fail<std::optional<T>>();
    return static_cast<T>(v);
  }
  template <class T>
  T fail() {
    ok = false;
    return T{};
  }
};

constexpr std::int64_t i64_max = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t i64_min = std::numeric_limits<std::int64_t>::min();

}  // namespace

std::string resolved_to_json(const download::resolved_link& r) {
  json items = json::array();
  for (const auto& i : r.items) {
    const auto& l = i.file.location;
    json item = {{"message_id", i.message_id},
                 {"grouped_id", i.grouped_id},
                 {"is_photo", i.is_photo},
                 {"date", i.date},
                 {"dc", l.dc_id},
                 {"kind", static_cast<int>(l.kind)},
                 {"id", l.id},
                 {"access_hash", l.access_hash},
                 {"file_reference", hex(l.file_reference)},
                 {"thumb_size", l.thumb_size},
                 {"size", i.file.size},
                 {"file_name", i.file.file_name},
                 {"mime_type", i.file.mime_type}};
    if (i.duration) item["duration"] = *i.duration;
    if (i.width) item["width"] = *i.width;
    if (i.height) item["height"] = *i.height;
    items.push_back(std::move(item));
  }
  const json j = {{"link", r.link.to_string()},
                  {"channel_id", r.channel_id},
                  {"channel_access_hash", r.channel_access_hash},
                  {"items", std::move(items)}};
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<download::resolved_link> resolved_from_json(std::string_view text) {
  if (text.size() > max_resolved_json) return std::nullopt;
  const json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  reader top{j};
  download::resolved_link r;
  const auto link_text = top.text("link");
  r.channel_id = top.integer<std::int64_t>("channel_id", 1, i64_max);
  r.channel_access_hash = top.integer<std::int64_t>("channel_access_hash", i64_min, i64_max);
  if (!top.ok) return std::nullopt;
  const auto parsed = download::parse_link(link_text);
  if (!parsed) return std::nullopt;
  r.link = parsed.link();
  const auto items = j.find("items");
  if (items == j.end() || !items->is_array() || items->empty() || items->size() > max_items) return std::nullopt;
  for (const auto& v : *items) {
    if (!v.is_object()) return std::nullopt;
    reader in{v};
    download::media_item i;
    i.message_id = in.integer<std::int32_t>("message_id", 1, std::numeric_limits<std::int32_t>::max());
    i.grouped_id = in.integer<std::int64_t>("grouped_id", i64_min, i64_max);
    i.is_photo = in.boolean("is_photo");
    i.date = in.integer<std::int64_t>("date", 0, i64_max);
    auto& l = i.file.location;
    l.dc_id = in.integer<std::int32_t>("dc", 1, 1000);
    const auto kind = in.integer<int>("kind", 1, 2);
    l.kind = static_cast<download::location_kind>(kind);
    l.id = in.integer<std::int64_t>("id", i64_min, i64_max);
    l.access_hash = in.integer<std::int64_t>("access_hash", i64_min, i64_max);
    const auto reference = unhex(in.text("file_reference"));
    l.thumb_size = in.text("thumb_size");
    i.file.size = in.integer<std::int64_t>("size", 0, i64_max);
    i.file.file_name = in.text("file_name");
    i.file.mime_type = in.text("mime_type");
    i.duration = in.optional_number<double>("duration", 0, 1e9);
    i.width = in.optional_number<int>("width", 0, 1e6);
    i.height = in.optional_number<int>("height", 0, 1e6);
    if (!in.ok || !reference) return std::nullopt;
    l.file_reference = *reference;
    r.items.push_back(std::move(i));
  }
  return r;
}

}  // namespace tgstream
