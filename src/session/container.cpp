#include "mtproto/session/container.h"

#include <fmt/format.h>

namespace mtproto::session {

std::vector<message_view> parse_container(tl::reader& r) {
  std::vector<message_view> out;
  parse_container(r, out);
  return out;
}

void parse_container(tl::reader& r, std::vector<message_view>& out) {
  out.clear();
  const std::size_t count = r.read_count(container_item_header + 4);
  if (count > max_container_messages)
    throw tl::decode_error(tl::decode_errc::invalid_value, fmt::format("container of {} messages", count));
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    message_view m;
    m.msg_id = r.read_long();
    m.seqno = r.read_int();
    const std::int32_t len = r.read_int();
    if (len < 4 || len % 4 != 0 || static_cast<std::size_t>(len) > r.remaining())
      throw tl::decode_error(tl::decode_errc::length_exceeds_input,
                             fmt::format("container item {} of {} bytes, {} remain", i, len, r.remaining()));
    m.body = r.read_raw(static_cast<std::size_t>(len));
    const std::uint32_t id = m.body[0] | m.body[1] << 8 | m.body[2] << 16 | static_cast<std::uint32_t>(m.body[3]) << 24;
    if (id == msg_container_id)
      throw tl::decode_error(tl::decode_errc::invalid_value, "nested msg_container");
    out.push_back(m);
  }
}

void write_container(tl::writer& w, std::span<const message_view> messages) {
  w.write_uint(msg_container_id);
  w.write_count(messages.size());
  for (const auto& m : messages) {
    w.write_long(m.msg_id);
    w.write_int(m.seqno);
    w.write_int(static_cast<std::int32_t>(m.body.size()));
    w.write_raw(m.body);
  }
}

rpc_result_view parse_rpc_result(tl::reader& r) {
  rpc_result_view v;
  v.req_msg_id = r.read_long();
  if (r.remaining() < 4) throw tl::decode_error(tl::decode_errc::truncated, "rpc_result without a result");
  v.result = r.read_raw(r.remaining());
  return v;
}

void write_rpc_result(tl::writer& w, std::int64_t req_msg_id, std::span<const std::uint8_t> result) {
  w.write_uint(rpc_result_id);
  w.write_long(req_msg_id);
  w.write_raw(result);
}

}  // namespace mtproto::session
