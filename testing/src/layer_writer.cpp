#include "mtproto/testdc/layer_writer.h"

namespace mtproto::testdc {

const layer_writer& layer_writer_144() noexcept;
const layer_writer& layer_writer_198() noexcept;
const layer_writer& layer_writer_library() noexcept;

const layer_writer& layer_writer_for(std::int32_t layer) noexcept {
  if (layer == 0 || layer >= layer_library) return layer_writer_library();
  if (layer >= layer_gramjs_2_26) return layer_writer_198();
  return layer_writer_144();
}

}  // namespace mtproto::testdc
