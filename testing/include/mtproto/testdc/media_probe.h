// What a real media file tells about itself, for the document attributes of a --media fixture:
// the MIME type an uploading client would send (from the file name), and the video or audio
// attributes Telegram would list (from the container, read with libavformat).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "mtproto/testdc/model.h"

namespace mtproto::testdc {

struct media_probe {
  std::string mime_type = "application/octet-stream";
  std::optional<video_attributes> video;  // a video stream (cover pictures do not count)
  std::optional<audio_attributes> audio;  // audio and no video
};

/// Probes the file at `path`, published as `name`. A file libavformat cannot read is not an
/// error: it is published as a plain document (MIME type from its name, no attributes).
media_probe probe_media(const std::string& path, std::string_view name);

/// The MIME type for a file name's extension (case-insensitive), octet-stream when unknown.
std::string mime_type_for_name(std::string_view name);

/// True when the MP4/QuickTime file at `path` has its index box (moov) before its media data
/// (mdat): what Telegram calls supports_streaming (a "fast start" file).
bool mp4_index_first(const std::string& path);

}  // namespace mtproto::testdc
