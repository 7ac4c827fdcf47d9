#include "support/test_media.h"

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace mtproto::test {
namespace {

void ffmpeg(const std::string& arguments, const std::string& out) {
  // Paths come from mkdtemp and fixed names: nothing to quote (filters that need it quote themselves).
  const std::string command = "ffmpeg -nostdin -hide_banner -loglevel error -y " + arguments + " " + out;
  if (std::system(command.c_str()) != 0 || !std::filesystem::exists(out))
    throw std::runtime_error("test media: ffmpeg failed (is Debian's ffmpeg installed?): " + command);
}

struct made_media {
  test_media files;
  made_media() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "mtproto-media-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::system_error(errno, std::generic_category(), "test media: mkdtemp");
    files.dir = tmpl;
    const std::string picture = "-f lavfi -i testsrc=size=320x240:rate=25:duration=2";
    const std::string tone = "-f lavfi -i sine=frequency=440:duration=2";
    const std::string low_tone = "-f lavfi -i sine=frequency=220:duration=2";
    const std::string h264 = "-c:v libx264 -preset ultrafast -pix_fmt yuv420p -g 25";
    files.faststart_mp4 = files.dir + "/faststart.mp4";
    ffmpeg(picture + " " + tone + " " + h264 + " -c:a aac -b:a 64k -movflags +faststart", files.faststart_mp4);
    files.moov_last_mp4 = files.dir + "/moov-last.mp4";
    ffmpeg(picture + " " + tone + " " + h264 + " -c:a aac -b:a 64k", files.moov_last_mp4);
    files.two_audio_mkv = files.dir + "/two-audio.mkv";
    ffmpeg(picture + " " + tone + " " + low_tone + " -map 0:v -map 1:a -map 2:a " + h264 +
               " -c:a:0 aac -b:a:0 64k -c:a:1 libopus -b:a:1 48k -metadata:s:a:0 language=eng"
               " -metadata:s:a:1 language=fra",
           files.two_audio_mkv);
    files.vp9_webm = files.dir + "/clip.webm";
    ffmpeg(picture + " " + tone + " -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -b:v 300k -g 25 -c:a libopus -b:a 48k",
           files.vp9_webm);
    files.tone_mp3 = files.dir + "/tone.mp3";
    ffmpeg(tone + " -c:a libmp3lame -b:a 64k", files.tone_mp3);
    files.mpeg2_mkv = files.dir + "/mpeg2.mkv";
    ffmpeg(picture + " " + tone + " -c:v mpeg2video -q:v 5 -c:a mp2", files.mpeg2_mkv);
    files.noise_mkv = files.dir + "/noise.mkv";
    ffmpeg("-f lavfi -i 'nullsrc=size=320x240:rate=25:duration=6,geq=random(1)*255:128:128' -c:v libx264 -preset ultrafast "
           "-qp 0 -g 25",
           files.noise_mkv);
    files.not_media = files.dir + "/not-media.mp4";
    std::ofstream(files.not_media) << "these bytes are not a container\n";
  }
  ~made_media() {
    std::error_code ignored;
    std::filesystem::remove_all(files.dir, ignored);
  }
};

}  // namespace

const test_media& media_files() {
  static const made_media made;
  return made.files;
}

}  // namespace mtproto::test
