#include "mtproto/transport/transport_detector.h"

#include "byte_order.h"
#include "mtproto/transport/error.h"
#include "mtproto/transport/obfuscated_init.h"

namespace mtproto::transport {

namespace {
constexpr std::size_t word_size = 4;
constexpr std::size_t full_probe_size = 2 * word_size;  // length and seqno

detection need(std::size_t n) noexcept {
  detection d;
  d.wanted = n;
  return d;
}
detection plain(protocol framing, std::size_t marker_size) noexcept {
  detection d;
  d.result = detection::outcome::plain;
  d.framing = framing;
  d.marker_size = marker_size;
  return d;
}
}  // namespace

detection detect_transport(std::span<const std::uint8_t> first_bytes) noexcept {
  if (first_bytes.empty()) return need(1);
  if (first_bytes[0] == wire::abridged_marker) return plain(protocol::abridged, 1);
  if (first_bytes.size() < word_size) return need(word_size);

  const std::uint32_t first_word = detail::load_le32(first_bytes.data());
  if (first_word == wire::intermediate_marker) return plain(protocol::intermediate, word_size);
  if (first_word == wire::padded_intermediate_marker) return plain(protocol::padded_intermediate, word_size);
  for (std::uint32_t word : forbidden_first_words) {
    if (word == first_word) {  // HTTP or TLS: not a transport this server speaks
      detection d;
      d.result = detection::outcome::rejected;
      d.error = transport_errc::unknown_protocol;
      return d;
    }
  }
  if (first_bytes.size() < full_probe_size) return need(full_probe_size);
  if (detail::load_le32(first_bytes.data() + word_size) == 0) return plain(protocol::full, 0);

  detection d;
  d.result = detection::outcome::obfuscated;
  return d;
}

}  // namespace mtproto::transport
