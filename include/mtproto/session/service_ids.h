// Constructor ids of MTProto service messages the session reacts to (tl-schema/mtproto.tl).
#pragma once

#include <cstdint>

namespace mtproto::session::ids {

inline constexpr std::uint32_t msgs_ack = 0x62d6b459;
inline constexpr std::uint32_t bad_msg_notification = 0xa7eff811;
inline constexpr std::uint32_t bad_server_salt = 0xedab447b;
inline constexpr std::uint32_t msgs_state_req = 0xda69fb52;
inline constexpr std::uint32_t msgs_state_info = 0x04deb57d;
inline constexpr std::uint32_t msgs_all_info = 0x8cc0d131;
inline constexpr std::uint32_t msg_detailed_info = 0x276d3ec6;
inline constexpr std::uint32_t msg_new_detailed_info = 0x809db6df;
inline constexpr std::uint32_t msg_resend_req = 0x7d861a08;
inline constexpr std::uint32_t rpc_error = 0x2144ca19;
inline constexpr std::uint32_t future_salts = 0xae500895;
inline constexpr std::uint32_t pong = 0x347773c5;
inline constexpr std::uint32_t ping = 0x7abe77ec;
inline constexpr std::uint32_t ping_delay_disconnect = 0xf3427b8c;
inline constexpr std::uint32_t new_session_created = 0x9ec20908;
inline constexpr std::uint32_t destroy_session = 0xe7512126;
inline constexpr std::uint32_t get_future_salts = 0xb921bd04;
inline constexpr std::uint32_t rpc_drop_answer = 0x58e4a740;

}  // namespace mtproto::session::ids
