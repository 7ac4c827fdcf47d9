// What both session-file fuzzers build their inputs from: a stored_session made of fuzz input (up
// to 8 DCs, any ids, keys, salts and offsets), a plain file around a payload, and a sentinel state.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "fuzz_data.h"
#include "mtproto/client/session_store.h"
#include "mtproto/crypto/sha.h"

namespace mtproto::fuzz {

inline std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

/// A plain session file around `payload`: magic, version 1, the payload's length, the payload, SHA-256.
inline std::string wrap_session_payload(std::span<const std::uint8_t> payload) {
  std::string out = "MTPCSESS";
  for (std::uint32_t v : {std::uint32_t{1}, static_cast<std::uint32_t>(payload.size())})
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
  out.append(payload.begin(), payload.end());
  const auto digest = crypto::sha256(as_bytes(out));
  out.append(digest.begin(), digest.end());
  return out;
}

/// A state no decode produces, to see that a refusal leaves the output alone.
inline client::stored_session sentinel_session() {
  client::stored_session s;
  s.home_dc = -7;
  s.user_id = 0x5e5e5e5e;
  return s;
}

inline client::stored_session session_from(fuzz_data& in) {
  client::stored_session s;
  s.home_dc = in.integral<std::int32_t>();
  s.user_id = in.integral<std::int64_t>();
  s.is_bot = in.boolean();
  const std::size_t n = in.byte() % 8;
  for (std::size_t i = 0; i < n; ++i) {
    const int id = static_cast<std::int8_t>(in.byte());
    client::stored_dc dc;
    core::auth_key::bytes_type raw{};
    const auto key = in.bytes(raw.size());
    std::copy(key.begin(), key.end(), raw.begin());
    raw[0] ^= static_cast<std::uint8_t>(i);  // distinct keys per DC
    dc.key = core::auth_key(raw);
    dc.salt = in.integral<std::int64_t>();
    dc.time_offset = std::chrono::seconds(in.integral<std::int64_t>());
    dc.authorized = in.boolean();
    s.dcs[id] = dc;
  }
  return s;
}

}  // namespace mtproto::fuzz
