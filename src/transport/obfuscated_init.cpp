#include "mtproto/transport/obfuscated_init.h"

#include <algorithm>

#include "byte_order.h"
#include "mtproto/transport/protocol.h"

namespace mtproto::transport {

bool is_forbidden_obfuscated_init(std::span<const std::uint8_t, obfuscated_init_size> init) noexcept {
  if (init[0] == wire::abridged_marker) return true;
  const std::uint32_t first = detail::load_le32(init.data());
  if (std::find(forbidden_first_words.begin(), forbidden_first_words.end(), first) != forbidden_first_words.end()) {
    return true;
  }
  return detail::load_le32(init.data() + 4) == 0;
}

}  // namespace mtproto::transport
