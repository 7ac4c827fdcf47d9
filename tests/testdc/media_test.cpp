// --media fixtures: a real file's bytes behind a channel post, with the document attributes an
// uploading client would have sent (MIME type from the name, video or audio attributes from the
// container), written in each client's layer.
#include <catch2/catch.hpp>

#include <fstream>
#include <iterator>
#include <string_view>
#include <vector>

#include "link_support.h"
#include "mtproto/api/DocumentAttribute.h"
#include "mtproto/crypto/sha.h"
#include "mtproto/testdc/l144/Document.h"
#include "mtproto/testdc/l144/DocumentAttribute.h"
#include "mtproto/testdc/l144/Message.h"
#include "mtproto/testdc/l144/MessageMedia.h"
#include "mtproto/testdc/l144/messages/Messages.h"
#include "mtproto/testdc/l198/Document.h"
#include "mtproto/testdc/l198/DocumentAttribute.h"
#include "mtproto/testdc/l198/Message.h"
#include "mtproto/testdc/l198/MessageMedia.h"
#include "mtproto/testdc/l198/messages/Messages.h"
#include "mtproto/testdc/media_probe.h"
#include "mtproto/testdc/options.h"
#include "support/test_media.h"

using namespace mtproto;
using namespace mtproto::testdc;
using namespace mtproto::testdc::test;
using mtproto::test::media_files;

namespace {

std::vector<std::uint8_t> bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

options parse(std::vector<std::string_view> args) { return parse_options(args); }

}  // namespace

TEST_CASE("testdc --media: NAME=PATH[:DC], the DC a trailing number") {
  auto f = parse_media_spec("clip.mp4=/videos/a:b.mp4:2");
  CHECK(f.name == "clip.mp4");
  CHECK(f.path == "/videos/a:b.mp4");
  CHECK(f.dc == 2);
  f = parse_media_spec("x=/v/2024:01");  // a trailing number is always the DC
  CHECK(f.path == "/v/2024");
  CHECK(f.dc == 1);
  f = parse_media_spec("x=/v/a.mkv:");
  CHECK(f.path == "/v/a.mkv:");
  CHECK(f.dc == 1);
  for (std::string_view bad : {"x", "=p", "x=", "x=:2"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_media_spec(bad), std::invalid_argument);
  }

  const auto o = parse({"--media", "m.mp4=/tmp/m.mp4:2"});
  CHECK(o.files.size() == default_files().size());  // --media alone keeps the default fixtures
  REQUIRE(o.media.size() == 1);
  CHECK(o.media[0].path == "/tmp/m.mp4");
  CHECK_THROWS_WITH(parse({"--media", "m=/x:3"}), Catch::Contains("DC 3 does not exist"));
  CHECK_THROWS_WITH(parse({"--file", "m:10", "--media", "m=/x"}), Catch::Contains("given twice"));
}

TEST_CASE("testdc media probe: MIME type from the name, attributes from the container") {
  const auto& m = media_files();
  auto p = probe_media(m.faststart_mp4, "Clip.MP4");
  CHECK(p.mime_type == "video/mp4");
  REQUIRE(p.video);
  CHECK_FALSE(p.audio);
  CHECK(p.video->w == mtproto::test::test_media_width);
  CHECK(p.video->h == mtproto::test::test_media_height);
  CHECK(p.video->duration == Approx(mtproto::test::test_media_seconds).margin(0.1));
  CHECK(p.video->codec == "h264");
  CHECK(p.video->supports_streaming);

  p = probe_media(m.moov_last_mp4, "late.mp4");
  REQUIRE(p.video);
  CHECK_FALSE(p.video->supports_streaming);  // the index comes after the data

  p = probe_media(m.two_audio_mkv, "two.mkv");
  CHECK(p.mime_type == "video/x-matroska");
  REQUIRE(p.video);
  CHECK_FALSE(p.video->supports_streaming);

  p = probe_media(m.vp9_webm, "clip.webm");
  CHECK(p.mime_type == "video/webm");
  REQUIRE(p.video);
  CHECK(p.video->codec == "vp9");

  p = probe_media(m.tone_mp3, "tone.mp3");
  CHECK(p.mime_type == "audio/mpeg");
  CHECK_FALSE(p.video);
  REQUIRE(p.audio);
  CHECK(p.audio->duration == Approx(mtproto::test::test_media_seconds).margin(0.15));

  p = probe_media(m.not_media, "not-media.mp4");  // named like a video, but no container
  CHECK(p.mime_type == "video/mp4");
  CHECK_FALSE(p.video);
  CHECK_FALSE(p.audio);
  CHECK(mime_type_for_name("README") == "application/octet-stream");
  CHECK(mime_type_for_name("a.tar.ZIP") == "application/zip");
}

TEST_CASE("testdc --media: the post serves the file's bytes, in every layer's attributes") {
  const auto& m = media_files();
  harness h({{"a.bin", 100000, 1, false}}, {}, {},
            {parse_media_spec("Clip One.mp4=" + m.faststart_mp4 + ":2"), parse_media_spec("tone.mp3=" + m.tone_mp3)});
  REQUIRE(h.login().result.size() > 0);
  const auto& clip = h.published.files()[1];
  const auto disk = bytes_of(m.faststart_mp4);
  REQUIRE(clip.spec.size == static_cast<std::int64_t>(disk.size()));
  CHECK(clip.post.document.size == clip.spec.size);
  CHECK(clip.post.document.dc_id == 2);
  CHECK(clip.content.sha256() == crypto::sha256(disk));
  std::vector<std::uint8_t> middle(1000);
  clip.content.read(5000, middle);
  CHECK(std::equal(middle.begin(), middle.end(), disk.begin() + 5000));

  const auto& chan = h.published.channel();
  auto request = get_channel_messages(chan.id, chan.access_hash, {clip.post.id, h.published.files()[2].post.id});

  SECTION("the library's layer: video with a double duration and the codec; audio") {
    const auto msgs = channel_messages_of(h.call(request));
    REQUIRE(msgs.messages.size() == 2);
    const auto& d = document_of(plain_message(msgs.messages[0]));
    CHECK(d.mime_type == "video/mp4");
    CHECK(d.dc_id == 2);
    bool video = false, name = false;
    for (const auto& a : d.attributes) {
      if (const auto* v = a.get_if<api::documentAttributeVideo>()) {
        video = true;
        CHECK(v->w == 320);
        CHECK(v->h == 240);
        CHECK(v->duration == Approx(2.0).margin(0.1));
        CHECK(v->supports_streaming);
        CHECK(v->video_codec == "h264");
      }
      if (const auto* f = a.get_if<api::documentAttributeFilename>()) name = f->file_name == "Clip One.mp4";
    }
    CHECK(video);
    CHECK(name);
    const auto& tone = document_of(plain_message(msgs.messages[1]));
    CHECK(tone.mime_type == "audio/mpeg");
    REQUIRE(tone.attributes.size() == 2);
    const auto* audio = tone.attributes[0].get_if<api::documentAttributeAudio>();
    REQUIRE(audio);
    CHECK(audio->duration == 2);
  }
  SECTION("layer 144: whole seconds, no codec field") {
    h.key->layer = 144;
    auto a = h.call(request);
    REQUIRE_FALSE(a.is_error());
    const auto msgs = decode_all<testdc::l144::messages::Messages>(a.result);
    const auto* cm = msgs.get_if<testdc::l144::messages::channelMessages>();
    REQUIRE(cm);
    const auto* msg = cm->messages.at(0).get_if<testdc::l144::message>();
    REQUIRE(msg);
    const auto* media = msg->media->get_if<testdc::l144::messageMediaDocument>();
    REQUIRE(media);
    const auto* d = media->document->get_if<testdc::l144::document>();
    REQUIRE(d);
    const auto* v = d->attributes.at(0).get_if<testdc::l144::documentAttributeVideo>();
    REQUIRE(v);
    CHECK(v->duration == 2);
    CHECK(v->w == 320);
    CHECK(v->supports_streaming);
  }
  SECTION("layer 198: a double duration") {
    h.key->layer = 198;
    auto a = h.call(request);
    REQUIRE_FALSE(a.is_error());
    const auto msgs = decode_all<testdc::l198::messages::Messages>(a.result);
    const auto* cm = msgs.get_if<testdc::l198::messages::channelMessages>();
    REQUIRE(cm);
    const auto* msg = cm->messages.at(0).get_if<testdc::l198::message>();
    REQUIRE(msg);
    const auto* media = msg->media->get_if<testdc::l198::messageMediaDocument>();
    REQUIRE(media);
    const auto* d = media->document->get_if<testdc::l198::document>();
    REQUIRE(d);
    const auto* v = d->attributes.at(0).get_if<testdc::l198::documentAttributeVideo>();
    REQUIRE(v);
    CHECK(v->duration == Approx(2.0).margin(0.1));
    CHECK(v->h == 240);
  }
}

TEST_CASE("testdc --media: a missing, empty or non-regular file stops the catalog with its name") {
  const auto& m = media_files();
  auto catalog_of = [](std::string spec) { return catalog(1, {}, std::vector<media_spec>{parse_media_spec(spec)}); };
  CHECK_THROWS_WITH(catalog_of("gone.mp4=" + m.dir + "/no-such-file.mp4"), Catch::Contains("no-such-file.mp4"));
  CHECK_THROWS_WITH(catalog_of("dir.mp4=" + m.dir), Catch::Contains("not a regular file"));
  const std::string empty = m.dir + "/empty.mp4";
  std::ofstream{empty};
  CHECK_THROWS_WITH(catalog_of("e.mp4=" + empty), Catch::Contains("is empty"));
}
