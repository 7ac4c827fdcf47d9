#include "mtproto/session/plain_message.h"

#include "mtproto/session/error.h"
#include "mtproto/tl/reader.h"
#include "mtproto/tl/writer.h"

namespace mtproto::session {

void write_plain_message(std::vector<std::uint8_t>& out, std::int64_t msg_id, std::span<const std::uint8_t> body) {
  tl::writer w(out);
  w.write_long(0);
  w.write_long(msg_id);
  w.write_int(static_cast<std::int32_t>(body.size()));
  w.write_raw(body);
}

std::error_code read_plain_message(std::span<const std::uint8_t> packet, plain_message& out) {
  if (packet.size() < plain_header_size) return session_errc::packet_too_short;
  tl::reader r(packet);
  if (r.read_long() != 0) return session_errc::unknown_auth_key;
  out.msg_id = r.read_long();
  const std::int32_t length = r.read_int();
  // Padded intermediate appends 0..15 random bytes to every frame; only the declared length is ours.
  constexpr std::size_t max_transport_padding = 15;
  if (length < 4 || length % 4 != 0 || static_cast<std::size_t>(length) > r.remaining() ||
      r.remaining() - static_cast<std::size_t>(length) > max_transport_padding)
    return session_errc::bad_message_length;
  out.body = packet.subspan(plain_header_size, static_cast<std::size_t>(length));
  return {};
}

}  // namespace mtproto::session
