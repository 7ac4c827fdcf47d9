#include "mtproto/core/auth_key.h"

#include "mtproto/crypto/kdf.h"

namespace mtproto::core {

auth_key::auth_key(const bytes_type& key) : key_(key) {
  id_ = crypto::auth_key_id(key_);
}

}  // namespace mtproto::core
