/// \file
/// The common interface of the four MTProto framings (abridged, intermediate, padded intermediate,
/// full).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>

#include "mtproto/core/export.h"
#include "mtproto/transport/events.h"
#include "mtproto/transport/protocol.h"

namespace mtproto::transport {

/// Limits of one framing codec.
struct framing_options {
  /// Largest payload accepted from the peer (and allowed to be sent); larger is frame_too_large.
  std::size_t max_frame_size = default_max_frame_size;
};

/// Outcome of parsing the front of the received bytes.
struct parse_result {
  /// Whether an event was decoded.
  enum class status : std::uint8_t {
    need_more,  ///< The front of the input is not a whole frame yet; see `wanted`.
    ready,      ///< `ev` holds an event that took `consumed` bytes.
    failed      ///< The input is invalid (see `error`); close the connection.
  };

  status state = status::need_more;  ///< See status.
  /// ready: input bytes the event occupies (the caller drops them before parsing again).
  std::size_t consumed = 0;
  /// need_more: how many input bytes (from the front) are needed to make progress.
  std::size_t wanted = 0;
  /// ready: the event; a frame's payload points into the input.
  event ev{};
  /// failed: a transport_errc.
  std::error_code error{};

  /// need_more, wanting `total` bytes from the front.
  static parse_result need(std::size_t total) noexcept {
    parse_result r;
    r.wanted = total;
    return r;
  }
  /// ready with `e`, which took `used` bytes.
  static parse_result ok(event e, std::size_t used) noexcept {
    parse_result r;
    r.state = status::ready;
    r.consumed = used;
    r.ev = e;
    return r;
  }
  /// failed with `ec`.
  static parse_result fail(std::error_code ec) noexcept {
    parse_result r;
    r.state = status::failed;
    r.error = ec;
    return r;
  }
};

/// A framing codec is pure computation over spans: `seal` writes a frame's header and trailer
/// around a payload that already sits in the caller's buffer, `parse` reads one event from the front
/// of received bytes. Buffering and obfuscation live one level up, in stream_codec. One codec
/// serves one direction pair of one connection; not copyable (the full transport counts frames).
class MTPROTO_CORE_EXPORT framing_codec {
 public:
  /// A codec for the `side` end of a connection.
  framing_codec(transport::role side, framing_options options) noexcept : role_(side), options_(options) {}
  virtual ~framing_codec() = default;
  framing_codec(const framing_codec&) = delete;
  framing_codec& operator=(const framing_codec&) = delete;

  /// The end of the connection this codec serves.
  transport::role role() const noexcept { return role_; }
  /// The limits given at construction.
  const framing_options& options() const noexcept { return options_; }

  /// Which framing this is.
  virtual transport::protocol protocol() const noexcept = 0;
  /// Bytes a client sends once, before its first frame, on an unobfuscated connection.
  virtual std::span<const std::uint8_t> marker() const noexcept = 0;
  /// Obfuscated2 protocol tag for this framing; 0 for full, which obfuscated2 cannot carry.
  virtual std::uint32_t obfuscation_tag() const noexcept = 0;
  /// Header bytes seal() writes in front of a payload of `payload_size` bytes.
  virtual std::size_t header_size(std::size_t payload_size) const noexcept = 0;
  /// The largest header_size() of any payload: the head room to leave.
  virtual std::size_t max_header_size() const noexcept = 0;
  /// The largest trailer seal() writes after a payload: the tail room to leave.
  virtual std::size_t max_trailer_size() const noexcept = 0;
  /// Whether the framing carries quick-ack requests and tokens.
  virtual bool has_quick_ack() const noexcept = 0;

  /// Frames `payload_size` bytes at `buffer[payload_offset..]` in place: writes the header into the
  /// header_size(payload_size) bytes just before the payload and the trailer (CRC, padding) just
  /// after it. Needs max_trailer_size() bytes of tail room. Returns the wire bytes, a subspan of
  /// `buffer`. Throws std::system_error (transport_errc) on caller mistakes: too little room,
  /// payload not a multiple of 4, over the maximum, or a quick ack the role/framing cannot carry.
  std::span<std::uint8_t> seal(std::span<std::uint8_t> buffer, std::size_t payload_offset,
                               std::size_t payload_size, send_options flags = {});

  /// Server: writes the 4-byte quick-ack token for a frame the client flagged. The most significant
  /// bit is forced on, as the client expects.
  void write_quick_ack(std::uint32_t token, std::span<std::uint8_t, 4> out) const;

  /// Decodes at most one event from the front of `input`. Only a `ready` result advances internal
  /// state (the full transport's sequence number), so a `need_more` may be retried with more bytes.
  virtual parse_result parse(std::span<std::uint8_t> input) = 0;

 protected:
  /// Writes header and trailer (the room is already checked); returns the trailer size written.
  virtual std::size_t write_frame(std::uint8_t* header, std::size_t payload_size, bool quick_ack) = 0;
  /// Writes the 4 bytes of a quick-ack token (top bit already set) in this framing's byte order.
  virtual void write_quick_ack_token(std::uint32_t token, std::uint8_t* out) const = 0;
  /// Largest payload this framing can express at all, whatever the options say.
  virtual std::size_t max_encodable_size() const noexcept = 0;

  /// The event for a complete frame: on the client, a short frame holding a negative int32 is the
  /// server's transport error rather than a packet. `error_frame_max` is the longest frame that can
  /// be one (4, or 19 with padded intermediate's padding).
  event frame_event(std::span<std::uint8_t> payload, bool quick_ack_requested,
                    std::size_t error_frame_max = 4) const noexcept;

 private:
  transport::role role_;
  framing_options options_;
};

}  // namespace mtproto::transport
