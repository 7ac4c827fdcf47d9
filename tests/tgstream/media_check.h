// Checks of media files for tgstream's tests: ffprobe's view (an independent reader), and a
// digest of one stream's packets read with libavformat (equal digests: no re-encode).
#pragma once

#include <catch2/catch.hpp>

#include <cstdio>
#include <memory>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "mtproto/crypto/sha.h"

extern "C" {
#include <libavformat/avformat.h>
}

namespace tgstream::test {

inline nlohmann::json ffprobe(const std::string& path) {
  const std::string command = "ffprobe -v error -show_entries stream=codec_type,codec_name:stream_tags=language:format=format_name,duration -of json " + path;
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  REQUIRE(pipe);
  std::string text;
  char buf[4096];
  while (const auto n = std::fread(buf, 1, sizeof buf, pipe.get())) text.append(buf, n);
  return nlohmann::json::parse(text);
}

/// SHA-256 over the packets of the first stream of `kind` (libavformat, as the file stores them),
/// and the nth audio stream for audio.
inline std::string packet_digest(const std::string& path, AVMediaType kind, int nth = 0) {
  AVFormatContext* raw = nullptr;
  REQUIRE(avformat_open_input(&raw, path.c_str(), nullptr, nullptr) == 0);
  std::unique_ptr<AVFormatContext, void (*)(AVFormatContext*)> in(raw, [](AVFormatContext* c) { avformat_close_input(&c); });
  REQUIRE(avformat_find_stream_info(raw, nullptr) >= 0);
  int stream = -1;
  for (unsigned i = 0, seen = 0; i < raw->nb_streams; ++i)
    if (raw->streams[i]->codecpar->codec_type == kind && static_cast<int>(seen++) == nth) {
      stream = static_cast<int>(i);
      break;
    }
  REQUIRE(stream >= 0);
  mtproto::crypto::sha256_hasher h;
  AVPacket* p = av_packet_alloc();
  int packets = 0;
  while (av_read_frame(raw, p) >= 0) {
    if (p->stream_index == stream) {
      h.update(std::span<const std::uint8_t>(p->data, static_cast<std::size_t>(p->size)));
      ++packets;
    }
    av_packet_unref(p);
  }
  av_packet_free(&p);
  const auto d = h.finish();
  std::string hex;
  for (auto b : d) hex += fmt::format("{:02x}", b);
  return hex + "/" + std::to_string(packets);
}

}  // namespace tgstream::test
