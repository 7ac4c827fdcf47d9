/// \file
/// One connection's transport, as the runtime drives it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

#include "mtproto/core/export.h"
#include "mtproto/transport/events.h"
#include "mtproto/transport/framing_codec.h"
#include "mtproto/transport/input_buffer.h"
#include "mtproto/transport/obfuscated_codec.h"
#include "mtproto/transport/protocol.h"
#include "mtproto/transport/proxy_secret.h"

/// MTProto transports, sans-IO: the four framings (abridged, intermediate, padded intermediate,
/// full), obfuscated2 and MTProxy secrets, server-side transport detection, and stream_codec,
/// which combines them for one connection.
namespace mtproto::transport {

/// How a client connection is framed and disguised.
struct client_options {
  /// The framing; with a `dd` secret padded_intermediate is used whatever this says.
  transport::protocol framing = protocol::intermediate;
  /// Wrap the framing in obfuscated2 (not possible with full).
  bool obfuscated = false;
  /// Obfuscated2 only: the DC the connection is for, negative for media DCs; proxies route by it.
  std::int16_t dc_id = 0;
  /// Connect through an MTProxy: implies obfuscated; a `dd` secret forces padded intermediate.
  std::optional<proxy_secret> secret;
  /// Largest frame accepted from the server (framing_options::max_frame_size).
  std::size_t max_frame_size = default_max_frame_size;
};

/// What a server endpoint accepts.
struct server_options {
  /// Largest frame accepted from a client (framing_options::max_frame_size).
  std::size_t max_frame_size = default_max_frame_size;
  /// Obfuscated2 keys are mixed with this secret (an MTProxy-style endpoint).
  std::optional<proxy_secret> secret;
  /// Accept abridged/intermediate/padded/full without obfuscation.
  bool accept_unobfuscated = true;
};

/// What a connection speaks. On a server, known once the client's first bytes were recognised.
struct transport_info {
  transport::protocol framing = protocol::intermediate;  ///< The framing in use.
  bool obfuscated = false;                               ///< Inside obfuscated2.
  std::int16_t dc_id = 0;                                ///< Obfuscated2: the DC id of the init; else 0.
};

/// One connection's transport, as the runtime drives it: a framing (abridged, intermediate, padded
/// intermediate, full), optionally inside obfuscated2, plus the receive buffer. Sans-IO: bytes in,
/// events out; randomness comes from the caller.
///
/// Sending (the session leaves head and tail room around an encrypted payload), then receiving:
/// \code
/// write(codec.preamble());                                  // once, before the first frame
/// auto wire = codec.seal(buf, head_room, payload_size);     // frames (and encrypts) in place
/// write(wire);
///
/// auto space = codec.prepare(n); n = read(socket, space); codec.commit(n);
/// while (auto ev = codec.next()) { ... }                    // frame / quick ack / transport error
/// if (codec.error()) close_the_connection();
/// \endcode
/// The server variant detects the client's transport from the first bytes; info() tells what it
/// found (framing, obfuscation, DC id). Movable, not copyable.
class MTPROTO_CORE_EXPORT stream_codec {
 public:
  /// Throws std::system_error(invalid_argument) for impossible options (full over obfuscated2,
  /// fake-TLS secrets, which are not implemented) and random_source_failed (see obfuscated_codec).
  static stream_codec client(const client_options& options, random_source random);
  /// A server always needs `random` (padding for clients that choose padded intermediate).
  static stream_codec server(const server_options& options, random_source random);

  /// Takes the connection state; the source must not be used afterwards.
  stream_codec(stream_codec&&) noexcept;
  /// Takes the connection state; the source must not be used afterwards.
  stream_codec& operator=(stream_codec&&) noexcept;
  ~stream_codec();

  /// The end of the connection this codec serves.
  transport::role role() const noexcept { return role_; }
  /// Client: always set. Server: set once the transport was detected.
  std::optional<transport_info> info() const noexcept { return info_; }

  // ---- sending (in the order the bytes go on the wire) ----
  /// Client: bytes to send once before the first frame (marker or obfuscated2 init). Server: empty.
  std::span<const std::uint8_t> preamble() const noexcept { return preamble_; }
  /// Header bytes seal() writes before a payload of `payload_size` bytes. Throws
  /// std::system_error(not_ready) on a server before detection.
  std::size_t header_size(std::size_t payload_size) const;
  /// Head room that is always enough (any payload size, any of the four framings: 8).
  static constexpr std::size_t max_header_size = 8;
  /// Tail room that is always enough (full: CRC, 4; padded intermediate: padding, 15).
  static constexpr std::size_t max_trailer_size = 15;
  /// See framing_codec::seal; additionally encrypts the wire bytes when obfuscated. Throws
  /// std::system_error: caller mistakes, or not_ready on a server before detection.
  std::span<std::uint8_t> seal(std::span<std::uint8_t> buffer, std::size_t payload_offset, std::size_t payload_size,
                               send_options flags = {});
  /// Convenience: the wire bytes for `payload`, in a new vector.
  std::vector<std::uint8_t> encode(std::span<const std::uint8_t> payload, send_options flags = {});
  /// Server: the wire bytes acknowledging a frame that asked for a quick ack.
  std::vector<std::uint8_t> encode_quick_ack(std::uint32_t token);
  /// Server: a transport error (e.g. -404) as the client will decode it.
  std::vector<std::uint8_t> encode_transport_error(std::int32_t code);

  // ---- receiving ----
  /// Space for at least `n` received bytes (see input_buffer::prepare); read into it, then commit().
  std::span<std::uint8_t> prepare(std::size_t n) { return input_.prepare(n); }
  /// Marks `n` bytes of the last prepare() as received, decrypting them when obfuscated.
  void commit(std::size_t n);
  /// Copies `bytes` in: prepare + copy + commit.
  void feed(std::span<const std::uint8_t> bytes);
  /// The next event, or nullopt when more bytes are needed or the connection has failed.
  /// Frame payloads point into the receive buffer (see frame_received).
  std::optional<event> next();
  /// Set once the received bytes are not a valid stream; sticky, later input is ignored.
  std::error_code error() const noexcept { return error_; }
  /// Bytes the decoder still needs to make progress (a read-size hint; 0 when unknown).
  std::size_t bytes_wanted() const noexcept;

 private:
  stream_codec(transport::role side, random_source random, std::size_t max_frame_size);
  bool detect();
  void fail(std::error_code ec) noexcept { if (!error_) error_ = ec; }
  framing_codec& sending_framing();

  transport::role role_;
  random_source random_;
  std::size_t max_frame_size_;
  std::unique_ptr<framing_codec> framing_;
  std::optional<obfuscated_codec> obfuscation_;
  std::vector<std::uint8_t> preamble_;
  input_buffer input_;
  std::error_code error_;
  std::size_t wanted_ = 0;
  std::optional<transport_info> info_;
  std::optional<server_options> server_;  // set while detecting
};

/// A framing codec of the given kind (padded intermediate uses `random` for its padding).
MTPROTO_CORE_EXPORT std::unique_ptr<framing_codec> make_framing_codec(protocol framing, role side,
                                                                      framing_options options, random_source random);

}  // namespace mtproto::transport
