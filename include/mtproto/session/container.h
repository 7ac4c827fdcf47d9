/// \file
/// Hand-framed MTProto objects that carry arbitrary payloads: msg_container, rpc_result and
/// gzip_packed. They are read in place — bodies stay views into the decrypted packet — so a 1 MiB
/// upload.file answer is never copied on its way to the caller.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "mtproto/core/export.h"
#include "mtproto/tl/reader.h"
#include "mtproto/tl/writer.h"

namespace mtproto::session {

/// \name Constructor ids framed here
/// Not in the generated schema: these carry arbitrary objects.
/// \{
inline constexpr std::uint32_t msg_container_id = 0x73f1f8dc;  ///< `msg_container`.
inline constexpr std::uint32_t rpc_result_id = 0xf35c6d01;     ///< `rpc_result`.
/// \}

/// One message: its header fields and a view of its body (constructor id first).
struct message_view {
  std::int64_t msg_id = 0;             ///< The message's msg_id.
  std::int32_t seqno = 0;              ///< The message's seqno (odd for content messages).
  std::span<const std::uint8_t> body;  ///< Borrowed: valid while the packet's buffer is.
};

/// Bytes a message header adds inside a container (msg_id, seqno, length).
inline constexpr std::size_t container_item_header = 16;
/// The most messages the server accepts in one container.
inline constexpr std::size_t max_container_messages = 1020;

/// Reads a container body that starts right after the msg_container id. Throws tl::decode_error
/// for a malformed container (lengths, counts, nested containers).
MTPROTO_CORE_EXPORT std::vector<message_view> parse_container(tl::reader& r);
/// The same into `out` (cleared first), so a caller can reuse its capacity.
MTPROTO_CORE_EXPORT void parse_container(tl::reader& r, std::vector<message_view>& out);

/// Appends `msg_container` with the given messages (at most max_container_messages).
MTPROTO_CORE_EXPORT void write_container(tl::writer& w, std::span<const message_view> messages);

/// rpc_result: the request it answers and a view of the result object.
struct rpc_result_view {
  std::int64_t req_msg_id = 0;           ///< msg_id of the request answered.
  std::span<const std::uint8_t> result;  ///< The boxed result (maybe gzip_packed or rpc_error), borrowed.
};
/// Reads an rpc_result body that starts right after its constructor id. Throws tl::decode_error
/// when no result follows.
MTPROTO_CORE_EXPORT rpc_result_view parse_rpc_result(tl::reader& r);

/// Appends rpc_result{req_msg_id, result} (result already serialized, boxed).
MTPROTO_CORE_EXPORT void write_rpc_result(tl::writer& w, std::int64_t req_msg_id, std::span<const std::uint8_t> result);

}  // namespace mtproto::session
