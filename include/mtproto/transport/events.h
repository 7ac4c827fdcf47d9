/// \file
/// What a transport decoder yields: a frame, a quick-ack token, or a transport error code. They are
/// distinct types so the session cannot mistake a 4-byte error (-404) for an MTProto message.
#pragma once

#include <cstdint>
#include <span>
#include <variant>

namespace mtproto::transport {

/// One MTProto packet. `payload` points into the decoder's buffer and stays valid until the next
/// call to prepare(), commit(), feed() or next() on the same decoder; it is mutable so the session
/// can decrypt in place. With padded intermediate it includes the sender's 0..15 random padding
/// bytes (the MTProto layer knows its own message length).
struct frame_received {
  std::span<std::uint8_t> payload;  ///< The packet bytes, borrowed from the decoder.
  /// Server side: the client asked for a quick ack of this frame.
  bool quick_ack_requested = false;
};

/// Client side: the server acknowledged receipt of a frame sent with send_options::quick_ack.
/// `token` has the most significant bit set, as on the wire.
struct quick_ack_received {
  std::uint32_t token = 0;  ///< As received, most significant bit set.
};

/// Client side: the server sent a negative int32 instead of a packet (-404 no such auth key,
/// -429 too many connections, -444 invalid DC, ...).
struct transport_error_received {
  std::int32_t code = 0;  ///< The negative code as received; see server_transport_error().
};

/// Everything a decoder yields; see each alternative.
using event = std::variant<frame_received, quick_ack_received, transport_error_received>;

}  // namespace mtproto::transport
