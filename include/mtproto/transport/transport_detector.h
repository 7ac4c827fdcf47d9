/// \file
/// Server side: which transport a client speaks, read from its first bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <system_error>

#include "mtproto/core/export.h"
#include "mtproto/transport/protocol.h"

namespace mtproto::transport {

/// What detect_transport() found.
struct detection {
  /// Whether the bytes decide, and what.
  enum class outcome : std::uint8_t {
    need_more,   ///< Not enough bytes yet; see `wanted`.
    plain,       ///< A plain framing; see `framing` and `marker_size`.
    obfuscated,  ///< An obfuscated2 init (64 bytes, handled by obfuscated_codec).
    rejected     ///< HTTP, TLS or nothing we speak; see `error`.
  };

  outcome result = outcome::need_more;  ///< The decision.
  /// need_more: bytes needed from the start of the stream to decide.
  std::size_t wanted = 0;
  /// plain: the framing, and how many marker bytes precede its first frame.
  transport::protocol framing = protocol::abridged;
  std::size_t marker_size = 0;  ///< plain: 1 (abridged), 4 (intermediate, padded) or 0 (full).
  /// rejected: why.
  std::error_code error{};
};

/// Pure function of the bytes received so far; call again with more bytes after need_more.
/// 0xef is abridged, 0xeeeeeeee intermediate, 0xdddddddd padded intermediate; a zero second word
/// is the full transport's first sequence number; HTTP methods and TLS records are refused;
/// anything else is an obfuscated2 init. Clients keep obfuscated2 inits out of the other patterns,
/// which is what makes this unambiguous.
MTPROTO_CORE_EXPORT detection detect_transport(std::span<const std::uint8_t> first_bytes) noexcept;

}  // namespace mtproto::transport
