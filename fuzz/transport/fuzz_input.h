// Shared by the transport fuzz targets: turn one fuzz input into a byte stream cut into pieces (the
// first byte seeds the cut sizes), and drive a codec with it, checking the decoder's promises.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <span>
#include <variant>

#include "mtproto/transport/stream_codec.h"

namespace mtproto::fuzz {

/// Deterministic "randomness" for codecs that need it (padding): the fuzzer explores inputs, not this.
inline transport::random_source counter_random() {
  return [n = std::uint8_t{0}](std::span<std::uint8_t> out) mutable {
    for (auto& b : out) b = n++;
  };
}

/// Feeds `data` in pieces of 1..16 bytes chosen by `seed`, draining events after each piece.
inline void feed_in_pieces(transport::stream_codec& codec, std::span<const std::uint8_t> data, std::uint8_t seed,
                           std::size_t max_frame_size) {
  std::uint32_t state = seed | 1u;
  std::size_t at = 0;
  bool failed = false;
  while (at < data.size()) {
    state = state * 1103515245u + 12345u;
    const std::size_t piece = std::min<std::size_t>(data.size() - at, 1 + (state >> 16) % 16);
    codec.feed(data.subspan(at, piece));
    at += piece;
    while (auto ev = codec.next()) {
      if (failed) std::abort();  // no event may follow an error
      if (auto* f = std::get_if<transport::frame_received>(&*ev)) {
        // The padded intermediate cap includes its 15 padding bytes.
        if (f->payload.size() > max_frame_size + 15) std::abort();
        for (auto& b : f->payload) b ^= 0x5a;  // the span must be writable memory we own
      }
    }
    if (codec.error()) failed = true;
  }
}

}  // namespace mtproto::fuzz
