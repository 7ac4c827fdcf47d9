// Small real media files, made at test time with Debian's ffmpeg CLI (never committed): what the
// emulator's --media fixtures, tgstream's remux and the browser test are checked against. Every
// clip is 2 s of a test picture (320x240, 25 fps) and tone. Made once per process, in a fresh
// temporary directory removed at exit.
#pragma once

#include <string>

namespace mtproto::test {

struct test_media {
  std::string dir;
  std::string faststart_mp4;  ///< H.264 + AAC, index (moov) first: streams as it downloads
  std::string moov_last_mp4;  ///< the same streams, index at the end
  std::string two_audio_mkv;  ///< H.264 + AAC (eng) + Opus (fra) in Matroska
  std::string vp9_webm;       ///< VP9 + Opus: what every browser plays
  std::string tone_mp3;       ///< audio only
  std::string mpeg2_mkv;      ///< MPEG-2 video + MP2 audio in Matroska: nothing a browser plays
  std::string noise_mkv;      ///< 6 s of lossless H.264 noise, ~18 MB: larger than a stream's window
  std::string not_media;      ///< text bytes named .mp4: no container libavformat reads
};

inline constexpr double test_media_seconds = 2.0;
inline constexpr int test_media_width = 320;
inline constexpr int test_media_height = 240;

/// The files (made on first use). Throws std::runtime_error when ffmpeg is missing or fails.
const test_media& media_files();

}  // namespace mtproto::test
