// The shared cache's JSON: a resolved link survives the round trip; text from outside that is out
// of shape in any way is nothing, not half a value.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "mtproto/download/link.h"
#include "resolved_json.h"

namespace download = mtproto::download;
using tgstream::resolved_from_json;
using tgstream::resolved_to_json;

namespace {

download::resolved_link sample() {
  download::resolved_link r;
  r.link = download::parse_link("https://t.me/Some_Channel/42").link();
  r.channel_id = 1234567890;
  r.channel_access_hash = -8070450532247928832;
  for (int i = 0; i < 2; ++i) {
    download::media_item m;
    m.message_id = 42 + i;
    m.grouped_id = 777;
    m.is_photo = i == 1;
    m.date = 1700000000;
    m.file.location.dc_id = 4;
    m.file.location.kind = i == 1 ? download::location_kind::photo : download::location_kind::document;
    m.file.location.id = 5000000000000000000 + i;
    m.file.location.access_hash = -1;
    m.file.location.file_reference = {0x02, 0x00, 0xff, 0x10};
    m.file.location.thumb_size = i == 1 ? "y" : "";
    m.file.size = 4294967296LL + i;
    m.file.file_name = "Фильм \"1\".mkv";
    m.file.mime_type = "video/x-matroska";
    if (i == 0) {
      m.duration = 5400.5;
      m.width = 1920;
      m.height = 1080;
    }
    r.items.push_back(m);
  }
  return r;
}

bool same(const download::resolved_link& a, const download::resolved_link& b) {
  if (!(a.link == b.link) || a.channel_id != b.channel_id || a.channel_access_hash != b.channel_access_hash ||
      a.items.size() != b.items.size())
    return false;
  for (std::size_t i = 0; i < a.items.size(); ++i) {
    const auto &x = a.items[i], &y = b.items[i];
    if (!(x.file.location == y.file.location) || x.file.size != y.file.size || x.file.file_name != y.file.file_name ||
        x.file.mime_type != y.file.mime_type || x.message_id != y.message_id || x.grouped_id != y.grouped_id ||
        x.is_photo != y.is_photo || x.date != y.date || x.duration != y.duration || x.width != y.width ||
        x.height != y.height)
      return false;
  }
  return true;
}

}  // namespace

TEST_CASE("resolved link JSON: the round trip keeps every field") {
  const auto r = sample();
  const auto back = resolved_from_json(resolved_to_json(r));
  REQUIRE(back);
  CHECK(same(r, *back));
}

TEST_CASE("resolved link JSON: anything out of shape is nothing") {
  const auto good = nlohmann::json::parse(resolved_to_json(sample()));
  CHECK_FALSE(resolved_from_json(""));
  CHECK_FALSE(resolved_from_json("not json"));
  CHECK_FALSE(resolved_from_json("[]"));
  CHECK_FALSE(resolved_from_json(std::string(tgstream::max_resolved_json + 1, ' ')));
  auto broken = [&](auto change) {
    auto j = good;
    change(j);
    return !resolved_from_json(j.dump()).has_value();
  };
  CHECK(broken([](auto& j) { j["link"] = "https://example.com/x"; }));
  CHECK(broken([](auto& j) { j.erase("channel_id"); }));
  CHECK(broken([](auto& j) { j["channel_id"] = -5; }));
  CHECK(broken([](auto& j) { j["channel_id"] = "12"; }));
  CHECK(broken([](auto& j) { j["channel_access_hash"] = 1.5; }));
  CHECK(broken([](auto& j) { j["channel_access_hash"] = 18446744073709551615ULL; }));
  CHECK(broken([](auto& j) { j["items"] = nlohmann::json::array(); }));
  CHECK(broken([](auto& j) { j["items"][0]["file_reference"] = "abc"; }));
  CHECK(broken([](auto& j) { j["items"][0]["file_reference"] = "zz"; }));
  CHECK(broken([](auto& j) { j["items"][0]["file_reference"] = std::string(2050, 'a'); }));
  CHECK(broken([](auto& j) { j["items"][0]["kind"] = 3; }));
  CHECK(broken([](auto& j) { j["items"][0]["dc"] = 0; }));
  CHECK(broken([](auto& j) { j["items"][0]["size"] = -1; }));
  CHECK(broken([](auto& j) { j["items"][0]["message_id"] = 4294967296LL; }));
  CHECK(broken([](auto& j) { j["items"][0]["is_photo"] = 1; }));
  CHECK(broken([](auto& j) { j["items"][0]["duration"] = -3; }));
  CHECK(broken([](auto& j) { j["items"][0]["width"] = "wide"; }));
  CHECK(broken([](auto& j) { j["items"][0]["file_name"] = std::string(5000, 'n'); }));
  CHECK(broken([](auto& j) { j["items"][1] = 7; }));
  CHECK(broken([](auto& j) {
    for (int i = 0; i < 100; ++i) j["items"].push_back(j["items"][0]);
  }));
  CHECK_FALSE(broken([](auto& j) { j["items"][0].erase("duration"); }));  // optional fields may be absent
}
