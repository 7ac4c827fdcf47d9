// The shared cache's JSON reader on hostile text (what another process, or anyone with access to
// Redis, may have written). Must hold: a value read back writes and reads again to the same text.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "resolved_json.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto r = tgstream::resolved_from_json(text);
  if (!r) return 0;
  const auto once = tgstream::resolved_to_json(*r);
  const auto again = tgstream::resolved_from_json(once);
  if (!again || tgstream::resolved_to_json(*again) != once) std::abort();
  return 0;
}
