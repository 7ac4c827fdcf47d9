#include "mtproto/testdc/key_store.h"

namespace mtproto::testdc {

key_record* key_store::find(std::int32_t dc_id, std::int64_t auth_key_id) noexcept {
  auto it = keys_.find({dc_id, auth_key_id});
  return it == keys_.end() ? nullptr : &it->second;
}

key_record& key_store::add(std::int32_t dc_id, const core::auth_key& key, std::int64_t salt) {
  const std::pair<std::int32_t, std::int64_t> id{dc_id, key.id()};
  if (auto it = keys_.find(id); it != keys_.end()) return it->second;
  while (keys_.size() >= max_keys && !order_.empty()) {
    keys_.erase(order_.begin()->second);
    order_.erase(order_.begin());
  }
  order_[next_++] = id;
  key_record& r = keys_[id];
  r.key = key;
  r.dc_id = dc_id;
  r.salt = salt;
  return r;
}

}  // namespace mtproto::testdc
