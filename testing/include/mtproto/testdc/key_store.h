// Auth keys the emulator's DCs know, and what each key is allowed to do: the layer its client
// announced (remembered per key: gram.js opens further connections on the same key without
// initConnection) and the account it is logged in as. Keys belong to the DC that created them,
// as on Telegram; logging in on another DC goes through auth.export/importAuthorization.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "mtproto/core/auth_key.h"
#include "mtproto/testdc/model.h"

namespace mtproto::testdc {

struct key_record {
  core::auth_key key;
  std::int32_t dc_id = 0;
  /// Salt every session on this key starts with.
  std::int64_t salt = 0;
  /// Layer from invokeWithLayer (0: none announced yet).
  std::int32_t layer = 0;
  std::optional<account> user;
  /// auth.sendCode issued this hash; auth.signIn must quote it.
  std::string phone_code_hash;
  /// The code was right but the account has a password: auth.checkPassword finishes the login.
  std::optional<account> awaiting_password;
  /// The SRP exchange account.getPassword started: auth.checkPassword must quote srp_id. A newer
  /// getPassword or any check ends it (one attempt per challenge).
  struct srp_challenge {
    std::int64_t srp_id = 0;
    std::array<std::uint8_t, 256> b{};
    std::vector<std::uint8_t> B;
  };
  std::optional<srp_challenge> srp;
  /// Temporary keys (p_q_inner_data_temp_dc): unix time the key stops working.
  std::optional<std::int32_t> expires_at;
  /// A temporary key bound with auth.bindTempAuthKey: the permanent key (on the same DC) whose
  /// login, layer and state its requests use from then on.
  std::optional<std::int64_t> bound_perm_key_id;
};

class key_store {
 public:
  /// Keys kept at most (oldest dropped first): bounded memory against clients looping handshakes.
  static constexpr std::size_t max_keys = 4096;

  key_record* find(std::int32_t dc_id, std::int64_t auth_key_id) noexcept;
  key_record& add(std::int32_t dc_id, const core::auth_key& key, std::int64_t salt);
  std::size_t size() const noexcept { return keys_.size(); }

 private:
  std::map<std::pair<std::int32_t, std::int64_t>, key_record> keys_;
  std::map<std::uint64_t, std::pair<std::int32_t, std::int64_t>> order_;
  std::uint64_t next_ = 0;
};

}  // namespace mtproto::testdc
