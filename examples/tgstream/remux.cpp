#include "remux.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <exception>
#include <string_view>
#include <utility>

extern "C" {
#include <libavformat/avformat.h>
#include <libavutil/avutil.h>
#include <libavutil/dict.h>
#include <libavutil/mem.h>
}

namespace tgstream {
namespace {

constexpr int io_buffer_bytes = 64 * 1024;

class remux_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "tgstream.remux"; }
  std::string message(int e) const override {
    switch (static_cast<remux_errc>(e)) {
      case remux_errc::not_media: return "not a media container libavformat can read";
      case remux_errc::no_video: return "no video stream to remux";
      case remux_errc::unsupported_codec: return "a codec browsers cannot play from MP4";
      case remux_errc::no_such_audio_track: return "no such audio track";
      case remux_errc::read_failed: return "reading the original failed";
      case remux_errc::write_failed: return "writing the output failed";
      case remux_errc::muxing_failed: return "the MP4 muxer refused the stream";
    }
    return "unknown remux error";
  }
};

std::string av_error_text(int code) {
  std::array<char, AV_ERROR_MAX_STRING_SIZE> text{};
  av_strerror(code, text.data(), text.size());
  return text.data();
}

/// What browsers decode from MP4 (Chromium, Firefox and Safari each take at least these).
bool mp4_playable(AVMediaType type, AVCodecID id) {
  if (type == AVMEDIA_TYPE_VIDEO)
    return id == AV_CODEC_ID_H264 || id == AV_CODEC_ID_HEVC || id == AV_CODEC_ID_AV1 || id == AV_CODEC_ID_VP9;
  if (type == AVMEDIA_TYPE_AUDIO)
    return id == AV_CODEC_ID_AAC || id == AV_CODEC_ID_OPUS || id == AV_CODEC_ID_MP3 || id == AV_CODEC_ID_FLAC;
  return false;
}

std::string tag(const AVDictionary* d, const char* key) {
  const auto* e = av_dict_get(d, key, nullptr, 0);
  return e ? e->value : "";
}

}  // namespace

// Named, not anonymous: remuxer::state holds them.
namespace remux_detail {
struct input_closer {
  void operator()(AVFormatContext* c) const noexcept { avformat_close_input(&c); }
};
struct output_freer {
  void operator()(AVFormatContext* c) const noexcept { avformat_free_context(c); }
};
struct avio_freer {
  void operator()(AVIOContext* c) const noexcept {
    if (!c) return;
    av_freep(&c->buffer);
    avio_context_free(&c);
  }
};
struct packet_freer {
  void operator()(AVPacket* p) const noexcept { av_packet_free(&p); }
};

}  // namespace remux_detail
using namespace remux_detail;

void quiet_media_library_logs() noexcept { av_log_set_level(AV_LOG_FATAL); }

const std::error_category& remux_category() noexcept {
  static const remux_category_impl c;
  return c;
}

std::error_code make_error_code(remux_errc e) noexcept { return {static_cast<int>(e), remux_category()}; }

std::vector<const media_track*> media_layout::audio() const {
  std::vector<const media_track*> out;
  for (const auto& t : tracks)
    if (t.kind == "audio") out.push_back(&t);
  return out;
}

struct remuxer::state {
  byte_source& in;
  std::int64_t position = 0;
  std::exception_ptr failure;  // thrown by the source or the writer inside a libavformat callback
  std::unique_ptr<AVIOContext, avio_freer> input_io;
  std::unique_ptr<AVFormatContext, input_closer> input;

  explicit state(byte_source& source) : in(source) {}

  static int read(void* opaque, std::uint8_t* buf, int size) {
    auto* s = static_cast<state*>(opaque);
    if (s->position >= s->in.size()) return AVERROR_EOF;
    try {
      const auto want = static_cast<std::size_t>(std::min<std::int64_t>(size, s->in.size() - s->position));
      const auto n = s->in.read_at(s->position, std::span(buf, want));
      if (n == 0 || n > want) throw remux_error(remux_errc::read_failed, "the source returned nothing");
      s->position += static_cast<std::int64_t>(n);
      return static_cast<int>(n);
    } catch (...) {
      s->failure = std::current_exception();
      return AVERROR(EIO);
    }
  }

  static std::int64_t seek(void* opaque, std::int64_t offset, int whence) {
    auto* s = static_cast<state*>(opaque);
    const auto size = s->in.size();
    switch (whence & ~AVSEEK_FORCE) {
      case AVSEEK_SIZE: return size;
      case SEEK_SET: break;
      case SEEK_CUR: offset += s->position; break;
      case SEEK_END: offset += size; break;
      default: return AVERROR(EINVAL);
    }
    if (offset < 0 || offset > size) return AVERROR(EINVAL);
    s->position = offset;
    return offset;
  }

  [[noreturn]] void fail(remux_errc code, const std::string& what) {
    if (failure) {
      auto f = std::exchange(failure, nullptr);
      try {
        std::rethrow_exception(f);
      } catch (const remux_error&) {
        throw;
      } catch (const std::exception& e) {
        const bool reading = code == remux_errc::read_failed || code == remux_errc::not_media;
        throw remux_error(reading ? remux_errc::read_failed : remux_errc::write_failed, e.what());
      }
    }
    throw remux_error(code, what);
  }
};

remuxer::remuxer(byte_source& in) : s_(std::make_unique<state>(in)) {
  auto* buffer = static_cast<std::uint8_t*>(av_malloc(io_buffer_bytes));
  if (!buffer) throw std::bad_alloc();
  s_->input_io.reset(avio_alloc_context(buffer, io_buffer_bytes, 0, s_.get(), &state::read, nullptr, &state::seek));
  if (!s_->input_io) {
    av_free(buffer);
    throw std::bad_alloc();
  }
  AVFormatContext* raw = avformat_alloc_context();
  if (!raw) throw std::bad_alloc();
  raw->pb = s_->input_io.get();
  raw->flags |= AVFMT_FLAG_CUSTOM_IO;
  // Probing buffers what it reads: bounded per session, and enough for real containers.
  raw->probesize = 2 << 20;
  raw->max_analyze_duration = 3 * AV_TIME_BASE;
  if (const int rc = avformat_open_input(&raw, nullptr, nullptr, nullptr); rc < 0)  // frees raw on failure
    s_->fail(remux_errc::not_media, "not a media file: " + av_error_text(rc));
  s_->input.reset(raw);
  if (const int rc = avformat_find_stream_info(raw, nullptr); rc < 0)
    s_->fail(remux_errc::not_media, "cannot read the streams: " + av_error_text(rc));

  layout_.container = raw->iformat->name;
  layout_.duration = raw->duration == AV_NOPTS_VALUE ? 0.0 : static_cast<double>(raw->duration) / AV_TIME_BASE;
  for (unsigned i = 0; i < raw->nb_streams; ++i) {
    const AVStream* st = raw->streams[i];
    media_track t;
    t.stream = static_cast<int>(i);
    const char* kind = av_get_media_type_string(st->codecpar->codec_type);
    t.kind = kind ? kind : "data";
    if (st->disposition & AV_DISPOSITION_ATTACHED_PIC) t.kind = "attachment";
    t.codec = avcodec_get_name(st->codecpar->codec_id);
    t.language = tag(st->metadata, "language");
    t.title = tag(st->metadata, "title");
    t.is_default = (st->disposition & AV_DISPOSITION_DEFAULT) != 0;
    t.mp4_playable = mp4_playable(st->codecpar->codec_type, st->codecpar->codec_id);
    layout_.tracks.push_back(std::move(t));
  }
}

remuxer::~remuxer() = default;

namespace {

const media_track* chosen_video(const media_layout& l) {
  for (const auto& t : l.tracks)
    if (t.kind == "video") return &t;
  return nullptr;
}

const media_track* chosen_audio(const media_layout& l, std::optional<int> audio) {
  const auto tracks = l.audio();
  if (audio) return *audio >= 0 && static_cast<std::size_t>(*audio) < tracks.size() ? tracks[static_cast<std::size_t>(*audio)] : nullptr;
  for (const auto* t : tracks)
    if (t->is_default) return t;
  return tracks.empty() ? nullptr : tracks.front();
}

}  // namespace

std::optional<remux_error> remuxer::check(std::optional<int> audio) const {
  const auto* video = chosen_video(layout_);
  if (!video) return remux_error(remux_errc::no_video, "the file has no video stream");
  if (!video->mp4_playable) return remux_error(remux_errc::unsupported_codec, "video codec " + video->codec);
  if (audio && !chosen_audio(layout_, audio))
    return remux_error(remux_errc::no_such_audio_track, "the file has " + std::to_string(layout_.audio().size()) + " audio tracks");
  if (const auto* a = chosen_audio(layout_, audio); a && !a->mp4_playable)
    return remux_error(remux_errc::unsupported_codec, "audio codec " + a->codec);
  return std::nullopt;
}

remuxer::result remuxer::run(std::optional<int> audio, const std::function<void(std::span<const std::uint8_t>)>& write) {
  if (auto problem = check(audio)) throw *problem;
  const int video_in = chosen_video(layout_)->stream;
  const auto* audio_track = chosen_audio(layout_, audio);
  const int audio_in = audio_track ? audio_track->stream : -1;

  struct writer_state {
    const std::function<void(std::span<const std::uint8_t>)>& write;
    state& s;
    std::int64_t bytes = 0;
    static int put(void* opaque, std::uint8_t* buf, int size) {
      auto* w = static_cast<writer_state*>(opaque);
      try {
        w->write(std::span<const std::uint8_t>(buf, static_cast<std::size_t>(size)));
        w->bytes += size;
        return size;
      } catch (...) {
        w->s.failure = std::current_exception();
        return AVERROR(EIO);
      }
    }
  } out_state{write, *s_};

  AVFormatContext* raw_out = nullptr;
  if (const int rc = avformat_alloc_output_context2(&raw_out, nullptr, "mp4", nullptr); rc < 0 || !raw_out)
    throw remux_error(remux_errc::muxing_failed, "no MP4 muxer: " + av_error_text(rc));
  std::unique_ptr<AVFormatContext, output_freer> output(raw_out);
  auto* buffer = static_cast<std::uint8_t*>(av_malloc(io_buffer_bytes));
  if (!buffer) throw std::bad_alloc();
  std::unique_ptr<AVIOContext, avio_freer> output_io(
      avio_alloc_context(buffer, io_buffer_bytes, 1, &out_state, nullptr, &writer_state::put, nullptr));
  if (!output_io) {
    av_free(buffer);
    throw std::bad_alloc();
  }
  output->pb = output_io.get();
  output->flags |= AVFMT_FLAG_CUSTOM_IO;

  AVFormatContext* in = s_->input.get();
  std::vector<int> out_index(in->nb_streams, -1);
  for (const int i : {video_in, audio_in}) {
    if (i < 0) continue;
    AVStream* from = in->streams[i];
    AVStream* to = avformat_new_stream(output.get(), nullptr);
    if (!to) throw std::bad_alloc();
    if (avcodec_parameters_copy(to->codecpar, from->codecpar) < 0) throw std::bad_alloc();
    to->codecpar->codec_tag = 0;  // the MP4 muxer picks its own
    to->time_base = from->time_base;
    if (const auto* lang = av_dict_get(from->metadata, "language", nullptr, 0))
      av_dict_set(&to->metadata, "language", lang->value, 0);
    out_index[static_cast<std::size_t>(i)] = to->index;
  }

  AVDictionary* muxer_options = nullptr;
  // Fragments that start at key frames, an empty moov first: playable while it is being written.
  av_dict_set(&muxer_options, "movflags", "frag_keyframe+empty_moov+default_base_moof", 0);
  const int header = avformat_write_header(output.get(), &muxer_options);
  av_dict_free(&muxer_options);
  if (header < 0) s_->fail(remux_errc::muxing_failed, "the MP4 header: " + av_error_text(header));

  // No seek back to the start: the packets probing read are kept, and av_read_frame returns them
  // first (a seek could skip audio that starts before the first video frame).
  result r;
  std::unique_ptr<AVPacket, packet_freer> packet(av_packet_alloc());
  if (!packet) throw std::bad_alloc();
  std::vector<std::int64_t> last_dts(output->nb_streams, AV_NOPTS_VALUE);
  for (;;) {
    const int rc = av_read_frame(in, packet.get());
    if (rc == AVERROR_EOF) break;
    if (rc < 0) s_->fail(remux_errc::read_failed, "reading a packet: " + av_error_text(rc));
    const int from = packet->stream_index;
    const int to = from >= 0 && static_cast<std::size_t>(from) < out_index.size() ? out_index[static_cast<std::size_t>(from)] : -1;
    if (to < 0) {
      av_packet_unref(packet.get());
      continue;
    }
    av_packet_rescale_ts(packet.get(), in->streams[from]->time_base, output->streams[to]->time_base);
    if (packet->dts == AV_NOPTS_VALUE) packet->dts = packet->pts;
    // Containers such as Matroska can repeat a timestamp; the MP4 muxer requires them rising.
    auto& last = last_dts[static_cast<std::size_t>(to)];
    if (packet->dts != AV_NOPTS_VALUE && last != AV_NOPTS_VALUE && packet->dts <= last) {
      packet->dts = last + 1;
      if (packet->pts != AV_NOPTS_VALUE && packet->pts < packet->dts) packet->pts = packet->dts;
    }
    last = packet->dts;
    packet->stream_index = to;
    packet->pos = -1;
    (from == video_in ? r.video_packets : r.audio_packets) += 1;
    if (const int w = av_interleaved_write_frame(output.get(), packet.get()); w < 0)  // takes the packet
      s_->fail(remux_errc::muxing_failed, "writing a packet: " + av_error_text(w));
  }
  // Some demuxers end at a read error as if at the end of the file: the source says otherwise.
  if (s_->failure) s_->fail(remux_errc::read_failed, "reading failed");
  if (const int rc = av_write_trailer(output.get()); rc < 0) s_->fail(remux_errc::muxing_failed, "the trailer: " + av_error_text(rc));
  avio_flush(output->pb);
  if (s_->failure) s_->fail(remux_errc::write_failed, "writing failed");
  r.bytes_out = out_state.bytes;
  return r;
}

}  // namespace tgstream
