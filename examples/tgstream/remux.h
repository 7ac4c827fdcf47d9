// Lossless remux into fragmented MP4 (libavformat, `-c copy` semantics: packets are moved, never
// decoded): what makes an MKV, or an MP4 whose index sits at the end, play in a browser while it
// downloads. Blocking and single-threaded by design (libavformat's I/O is): the gateway runs it
// on a thread of its own, reading through a byte_source and writing through a callback that
// blocks while the client is slow.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

namespace tgstream {

/// libavformat logs to stderr by default; a server reports remux errors itself.
void quiet_media_library_logs() noexcept;

/// Where the remuxer reads the original file from (called on the remux thread only).
class byte_source {
 public:
  virtual ~byte_source() = default;
  virtual std::int64_t size() const = 0;
  /// Up to out.size() bytes at `offset` (< size()); how many were read, at least 1. May throw.
  virtual std::size_t read_at(std::int64_t offset, std::span<std::uint8_t> out) = 0;
};

enum class remux_errc {
  not_media = 1,        ///< libavformat cannot read the container
  no_video,             ///< nothing to remux: no video stream
  unsupported_codec,    ///< a stream browsers cannot play from MP4 (the original is served instead)
  no_such_audio_track,  ///< ?audio=N beyond the audio tracks
  read_failed,          ///< the source failed (the download behind it)
  write_failed,         ///< the writer failed (the client went away)
  muxing_failed,        ///< libavformat refused a packet or the header
};
const std::error_category& remux_category() noexcept;
std::error_code make_error_code(remux_errc e) noexcept;

struct remux_error : std::runtime_error {
  remux_error(remux_errc code, const std::string& what) : std::runtime_error(what), code(code) {}
  remux_errc code;
};

/// One stream of the container, as the card lists tracks.
struct media_track {
  int stream = 0;         ///< Index in the container.
  std::string kind;       ///< "video", "audio", "subtitle", "data", "attachment"
  std::string codec;      ///< libavcodec's name: "h264", "hevc", "aac", "opus", ...
  std::string language;   ///< The container's tag ("eng"), empty when none.
  std::string title;
  bool is_default = false;
  bool mp4_playable = false;  ///< Browsers play it from (fragmented) MP4.
};

struct media_layout {
  std::string container;  ///< libavformat's name of the input format: "matroska,webm", "mov,mp4,..."
  double duration = 0;    ///< Seconds; 0 when the container does not say.
  std::vector<media_track> tracks;
  /// Audio tracks in order (what ?audio=N counts).
  std::vector<const media_track*> audio() const;
};

/// An opened input: probe first (layout()), then run() once.
class remuxer {
 public:
  /// Opens and probes `in` (reads its header and enough packets to know the streams).
  /// Throws remux_error (not_media, read_failed).
  explicit remuxer(byte_source& in);
  ~remuxer();
  remuxer(const remuxer&) = delete;
  remuxer& operator=(const remuxer&) = delete;

  const media_layout& layout() const noexcept { return layout_; }

  /// Why run(audio) cannot produce a playable MP4 (no video, a codec outside MP4 for browsers,
  /// no such audio track); nothing when it can.
  std::optional<remux_error> check(std::optional<int> audio) const;

  struct result {
    std::int64_t bytes_out = 0;
    std::int64_t video_packets = 0;
    std::int64_t audio_packets = 0;
  };
  /// Writes the fragmented MP4 (the video stream and audio track `audio`, by default the
  /// container's default audio track, else the first), each piece through `write` as it is
  /// produced. Throws remux_error; an exception from `write` or the source ends the run as
  /// write_failed / read_failed.
  result run(std::optional<int> audio, const std::function<void(std::span<const std::uint8_t>)>& write);

 private:
  struct state;
  std::unique_ptr<state> s_;
  media_layout layout_;
};

}  // namespace tgstream

template <>
struct std::is_error_code_enum<tgstream::remux_errc> : std::true_type {};
