/// \file
/// What both session roles hand to the transport.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace mtproto::session {

/// An encrypted packet ready for the transport: `bytes()` starts after `head_room` bytes the
/// transport may use for its own header.
struct outgoing_packet {
  std::vector<std::uint8_t> buffer;  ///< Head room, then the packet.
  std::size_t head_room = 0;         ///< Bytes at the start of `buffer` free for the transport.
  /// The packet itself: `buffer` after the head room.
  std::span<std::uint8_t> bytes() { return std::span(buffer).subspan(head_room); }
  /// msg_id of the packet's top-level message (a container when several messages went together).
  std::int64_t msg_id = 0;
};

}  // namespace mtproto::session
