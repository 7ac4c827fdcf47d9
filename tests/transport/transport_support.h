// Test helpers for transport codecs: deterministic randomness, owned copies of events (decoded
// payloads are views that die on the next feed), and feeding a byte stream in chosen pieces.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <random>
#include <span>
#include <variant>
#include <vector>

#include "mtproto/transport/stream_codec.h"

namespace mtproto::test {

/// A seeded random source: the same seed yields the same padding and obfuscated2 inits.
inline transport::random_source seeded_random(std::uint64_t seed) {
  auto rng = std::make_shared<std::mt19937_64>(seed);
  return [rng](std::span<std::uint8_t> out) {
    for (auto& b : out) b = static_cast<std::uint8_t>((*rng)());
  };
}

inline std::vector<std::uint8_t> random_bytes(std::mt19937_64& rng, std::size_t n) {
  std::vector<std::uint8_t> v(n);
  for (auto& b : v) b = static_cast<std::uint8_t>(rng());
  return v;
}

struct owned_event {
  enum class kind { frame, quick_ack, transport_error } type = kind::frame;
  std::vector<std::uint8_t> payload;
  bool quick_ack_requested = false;
  std::uint32_t token = 0;
  std::int32_t code = 0;
};

inline owned_event own(const transport::event& ev) {
  owned_event o;
  if (auto* f = std::get_if<transport::frame_received>(&ev)) {
    o.payload.assign(f->payload.begin(), f->payload.end());
    o.quick_ack_requested = f->quick_ack_requested;
  } else if (auto* q = std::get_if<transport::quick_ack_received>(&ev)) {
    o.type = owned_event::kind::quick_ack;
    o.token = q->token;
  } else {
    o.type = owned_event::kind::transport_error;
    o.code = std::get<transport::transport_error_received>(ev).code;
  }
  return o;
}

inline void drain(transport::stream_codec& codec, std::vector<owned_event>& out) {
  while (auto ev = codec.next()) out.push_back(own(*ev));
}

/// Feeds `bytes` cut at the given increasing offsets, draining events after every piece.
inline std::vector<owned_event> feed_in_pieces(transport::stream_codec& codec, std::span<const std::uint8_t> bytes,
                                               const std::vector<std::size_t>& cuts) {
  std::vector<owned_event> events;
  std::size_t at = 0;
  for (std::size_t cut : cuts) {
    codec.feed(bytes.subspan(at, cut - at));
    drain(codec, events);
    at = cut;
  }
  codec.feed(bytes.subspan(at));
  drain(codec, events);
  return events;
}

inline std::vector<std::size_t> random_cuts(std::mt19937_64& rng, std::size_t size, std::size_t count) {
  std::vector<std::size_t> cuts;
  if (size == 0) return cuts;
  for (std::size_t i = 0; i < count; ++i) cuts.push_back(rng() % (size + 1));
  std::sort(cuts.begin(), cuts.end());
  return cuts;
}

inline std::vector<std::uint8_t> concat(std::initializer_list<std::span<const std::uint8_t>> parts) {
  std::vector<std::uint8_t> out;
  for (auto p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

}  // namespace mtproto::test
