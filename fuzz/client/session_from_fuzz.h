// A stored_session built from fuzz input (up to 8 DCs, any ids, keys, salts and offsets): what the
// session-file fuzzers encode, then damage or check.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "fuzz_data.h"
#include "mtproto/client/session_store.h"

namespace mtproto::fuzz {

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
