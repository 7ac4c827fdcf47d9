// The remuxer on real files made with ffmpeg: MKV with two audio tracks and an MP4 with its index
// at the end become fragmented MP4 that ffprobe reads with the same streams and duration, whose
// packets are the input's byte for byte (no re-encode); the index at the end costs a jump, not the
// whole file; unsupported codecs, missing tracks, non-media and failing readers or writers are
// typed errors.
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mtproto/crypto/sha.h"
#include "remux.h"
#include "media_check.h"
#include "support/test_media.h"


using tgstream::byte_source;
using tgstream::remux_errc;
using tgstream::remux_error;
using tgstream::remuxer;
using tgstream::test::ffprobe;
using tgstream::test::packet_digest;

namespace {

std::vector<std::uint8_t> bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

/// A file in memory that counts how it is read.
class memory_source final : public byte_source {
 public:
  explicit memory_source(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}
  std::int64_t size() const override { return static_cast<std::int64_t>(bytes_.size()); }
  std::size_t read_at(std::int64_t offset, std::span<std::uint8_t> out) override {
    if (fail_after >= 0 && read_bytes >= fail_after) throw std::runtime_error("the download failed");
    if (offset != next_) ++jumps;
    const auto n = std::min(out.size(), bytes_.size() - static_cast<std::size_t>(offset));
    std::copy_n(bytes_.begin() + offset, n, out.begin());
    read_bytes += static_cast<std::int64_t>(n);
    next_ = offset + static_cast<std::int64_t>(n);
    return n;
  }
  std::int64_t read_bytes = 0;
  int jumps = 0;
  std::int64_t fail_after = -1;

 private:
  std::vector<std::uint8_t> bytes_;
  std::int64_t next_ = 0;
};

std::string run_remux(const std::string& input, std::optional<int> audio, remuxer::result* result = nullptr,
                      memory_source* source_out = nullptr) {
  memory_source source(bytes_of(input));
  remuxer r(source);
  std::string out;
  auto res = r.run(audio, [&](std::span<const std::uint8_t> piece) { out.append(piece.begin(), piece.end()); });
  if (result) *result = res;
  if (source_out) {
    source_out->read_bytes = source.read_bytes;
    source_out->jumps = source.jumps;
  }
  return out;
}

std::string write_temp(const std::string& bytes, const std::string& name) {
  const auto path = mtproto::test::media_files().dir + "/" + name;
  std::ofstream(path, std::ios::binary) << bytes;
  return path;
}

int count_boxes(const std::string& mp4, std::string_view type) {
  int n = 0;
  for (auto at = mp4.find(type); at != std::string::npos; at = mp4.find(type, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("remux: MKV with two audio tracks becomes fragmented MP4, packets untouched") {
  const auto& m = mtproto::test::media_files();
  {
    memory_source probe(bytes_of(m.two_audio_mkv));
    remuxer r(probe);
    const auto& layout = r.layout();
    CHECK(layout.container.find("matroska") != std::string::npos);
    CHECK(layout.duration == Approx(2.0).margin(0.1));
    const auto audio = layout.audio();
    REQUIRE(audio.size() == 2);
    CHECK(audio[0]->codec == "aac");
    CHECK(audio[0]->language == "eng");
    CHECK(audio[1]->codec == "opus");
    CHECK(audio[1]->language == "fra");
    CHECK_FALSE(r.check(std::nullopt));
    CHECK_FALSE(r.check(1));
    REQUIRE(r.check(2));
    CHECK(r.check(2)->code == remux_errc::no_such_audio_track);
  }
  for (int track : {0, 1}) {
    INFO("audio track " << track);
    remuxer::result res;
    const auto out = run_remux(m.two_audio_mkv, track, &res);
    CHECK(out.substr(4, 4) == "ftyp");
    CHECK(out.find("moov") < out.find("moof"));  // the index first, then fragments
    CHECK(count_boxes(out, "moof") >= 2);        // a fragment per key frame (one a second)
    CHECK(res.bytes_out == static_cast<std::int64_t>(out.size()));
    CHECK(res.video_packets == 50);
    const auto path = write_temp(out, "remuxed-" + std::to_string(track) + ".mp4");
    const auto probe = ffprobe(path);
    REQUIRE(probe["streams"].size() == 2);
    CHECK(probe["streams"][0]["codec_name"] == "h264");
    CHECK(probe["streams"][1]["codec_name"] == (track == 0 ? "aac" : "opus"));
    CHECK(probe["streams"][1]["tags"]["language"] == (track == 0 ? "eng" : "fra"));
    CHECK(std::stod(probe["format"]["duration"].get<std::string>()) == Approx(2.0).margin(0.15));
    CHECK(packet_digest(path, AVMEDIA_TYPE_VIDEO) == packet_digest(m.two_audio_mkv, AVMEDIA_TYPE_VIDEO));
    CHECK(packet_digest(path, AVMEDIA_TYPE_AUDIO) == packet_digest(m.two_audio_mkv, AVMEDIA_TYPE_AUDIO, track));
  }
}

TEST_CASE("remux: an MP4 with its index at the end costs a jump, not the whole file twice") {
  const auto& m = mtproto::test::media_files();
  memory_source counted(bytes_of(m.moov_last_mp4));
  const auto file_size = counted.size();
  const auto out = run_remux(m.moov_last_mp4, std::nullopt, nullptr, &counted);
  CHECK(counted.read_bytes < file_size + file_size / 2);  // the index, then the data once
  CHECK(counted.jumps <= 6);
  const auto path = write_temp(out, "from-moov-last.mp4");
  const auto probe = ffprobe(path);
  REQUIRE(probe["streams"].size() == 2);
  CHECK(packet_digest(path, AVMEDIA_TYPE_VIDEO) == packet_digest(m.moov_last_mp4, AVMEDIA_TYPE_VIDEO));
  CHECK(packet_digest(path, AVMEDIA_TYPE_AUDIO) == packet_digest(m.moov_last_mp4, AVMEDIA_TYPE_AUDIO));
}

TEST_CASE("remux: what cannot be remuxed is a typed error") {
  const auto& m = mtproto::test::media_files();
  SECTION("not media") {
    memory_source s(bytes_of(m.not_media));
    try {
      remuxer r(s);
      FAIL("opened");
    } catch (const remux_error& e) {
      CHECK(e.code == remux_errc::not_media);
    }
  }
  SECTION("audio only: nothing to remux") {
    memory_source s(bytes_of(m.tone_mp3));
    remuxer r(s);
    REQUIRE(r.check(std::nullopt));
    CHECK(r.check(std::nullopt)->code == remux_errc::no_video);
  }
  SECTION("a codec browsers do not play from MP4") {
    memory_source s(bytes_of(m.mpeg2_mkv));
    remuxer r(s);
    REQUIRE(r.check(std::nullopt));
    CHECK(r.check(std::nullopt)->code == remux_errc::unsupported_codec);
    CHECK_THROWS_AS(r.run(std::nullopt, [](auto) {}), remux_error);
  }
  SECTION("the source fails mid-way (probing or remuxing): read_failed") {
    for (std::int64_t after : {std::int64_t{20000}, std::int64_t{60000}}) {
      memory_source s(bytes_of(m.two_audio_mkv));
      s.fail_after = after;
      try {
        remuxer r(s);
        r.run(0, [](auto) {});
        FAIL("finished");
      } catch (const remux_error& e) {
        CHECK(e.code == remux_errc::read_failed);
      }
    }
  }
  SECTION("the writer fails (the client left): write_failed, and nothing more is written") {
    memory_source s(bytes_of(m.two_audio_mkv));
    remuxer r(s);
    int writes = 0;
    try {
      r.run(0, [&](auto) {
        if (++writes == 2) throw std::runtime_error("client gone");
      });
      FAIL("finished");
    } catch (const remux_error& e) {
      CHECK(e.code == remux_errc::write_failed);
    }
    CHECK(writes == 2);
  }
}
