#include "mtproto/testdc/media_probe.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <memory>
#include <utility>

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/log.h>
}

namespace mtproto::testdc {
namespace {

struct input_closer {
  void operator()(AVFormatContext* c) const noexcept { avformat_close_input(&c); }
};
using input_ptr = std::unique_ptr<AVFormatContext, input_closer>;

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

/// Telegram's video_codec names.
std::string codec_name(AVCodecID id) {
  switch (id) {
    case AV_CODEC_ID_H264: return "h264";
    case AV_CODEC_ID_HEVC: return "h265";
    case AV_CODEC_ID_AV1: return "av1";
    case AV_CODEC_ID_VP9: return "vp9";
    case AV_CODEC_ID_VP8: return "vp8";
    default: return {};
  }
}

double seconds(std::int64_t ts, AVRational base) {
  return ts == AV_NOPTS_VALUE || ts < 0 ? 0.0 : static_cast<double>(ts) * av_q2d(base);
}

std::uint64_t big_endian(const std::uint8_t* p, std::size_t n) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < n; ++i) v = (v << 8) | p[i];
  return v;
}

}  // namespace

std::string mime_type_for_name(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 22> known{{
      {"mp4", "video/mp4"},  {"m4v", "video/mp4"},         {"mov", "video/quicktime"}, {"mkv", "video/x-matroska"},
      {"webm", "video/webm"}, {"avi", "video/x-msvideo"},  {"ts", "video/mp2t"},        {"m4a", "audio/mp4"},
      {"mp3", "audio/mpeg"}, {"ogg", "audio/ogg"},         {"opus", "audio/ogg"},       {"oga", "audio/ogg"},
      {"flac", "audio/flac"}, {"wav", "audio/wav"},        {"mka", "audio/x-matroska"}, {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"}, {"png", "image/png"},        {"gif", "image/gif"},        {"pdf", "application/pdf"},
      {"txt", "text/plain"},  {"zip", "application/zip"},
  }};
  const auto dot = name.rfind('.');
  if (dot == std::string_view::npos) return "application/octet-stream";
  const auto ext = lower(name.substr(dot + 1));
  for (const auto& [e, mime] : known)
    if (e == ext) return std::string(mime);
  return "application/octet-stream";
}

bool mp4_index_first(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::int64_t offset = 0;
  // Top-level boxes only, and few of them: ftyp, free, moov, mdat... come first in real files.
  for (int box = 0; box < 64 && in; ++box) {
    std::array<std::uint8_t, 16> header{};
    in.seekg(offset);
    if (!in.read(reinterpret_cast<char*>(header.data()), 8)) return false;
    std::uint64_t size = big_endian(header.data(), 4);
    const std::string_view type(reinterpret_cast<const char*>(header.data() + 4), 4);
    if (type == "moov") return true;
    if (type == "mdat") return false;
    if (size == 1) {
      if (!in.read(reinterpret_cast<char*>(header.data() + 8), 8)) return false;
      size = big_endian(header.data() + 8, 8);
      if (size < 16) return false;
    } else if (size < 8) {
      return false;  // 0 (to the end) or malformed: no moov ahead of the data
    }
    if (size > static_cast<std::uint64_t>(INT64_MAX - offset)) return false;
    offset += static_cast<std::int64_t>(size);
  }
  return false;
}

media_probe probe_media(const std::string& path, std::string_view name) {
  media_probe out;
  out.mime_type = mime_type_for_name(name);
  av_log_set_level(AV_LOG_QUIET);
  AVFormatContext* raw = nullptr;
  if (avformat_open_input(&raw, path.c_str(), nullptr, nullptr) < 0) return out;
  input_ptr input(raw);
  if (avformat_find_stream_info(input.get(), nullptr) < 0) return out;
  const double container_seconds = input->duration == AV_NOPTS_VALUE ? 0.0 : static_cast<double>(input->duration) / AV_TIME_BASE;

  const AVStream* video = nullptr;
  const AVStream* audio = nullptr;
  for (unsigned i = 0; i < input->nb_streams; ++i) {
    const AVStream* s = input->streams[i];
    if (s->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && !(s->disposition & AV_DISPOSITION_ATTACHED_PIC) && !video)
      video = s;
    if (s->codecpar->codec_type == AVMEDIA_TYPE_AUDIO && !audio) audio = s;
  }
  if (video) {
    video_attributes v;
    v.duration = container_seconds > 0 ? container_seconds : seconds(video->duration, video->time_base);
    v.w = video->codecpar->width;
    v.h = video->codecpar->height;
    v.codec = codec_name(video->codecpar->codec_id);
    const std::string_view format = input->iformat->name;
    v.supports_streaming = format.find("mp4") != std::string_view::npos && mp4_index_first(path);
    out.video = v;
  } else if (audio) {
    out.audio = audio_attributes{container_seconds > 0 ? container_seconds : seconds(audio->duration, audio->time_base)};
  }
  return out;
}

}  // namespace mtproto::testdc
