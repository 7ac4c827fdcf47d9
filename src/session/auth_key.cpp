#include "mtproto/session/auth_key.h"

#include <cstring>

#include "mtproto/crypto/sha.h"

namespace mtproto::session {

auth_key::auth_key(const bytes_type& key) : key_(key) {
  const auto digest = crypto::sha1(key_);
  std::memcpy(&id_, digest.data() + 12, 8);  // little-endian host (checked at configure time)
}

}  // namespace mtproto::session
