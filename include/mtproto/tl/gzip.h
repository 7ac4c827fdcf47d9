/// \file
/// gzip_packed support: MTProto servers may wrap any object in `gzip_packed{packed_data:bytes}`.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "mtproto/tl/export.h"

namespace mtproto::tl {

/// Inflates a gzip (or zlib) stream; throws decode_error(gzip_corrupt) on a bad stream and
/// decode_error(gzip_too_large) as soon as the output would exceed `max_output` bytes.
MTPROTO_TL_EXPORT std::vector<std::uint8_t> gunzip(std::span<const std::uint8_t> packed, std::size_t max_output);

/// Deflates into gzip format (the server role and tests send gzip_packed too).
MTPROTO_TL_EXPORT std::vector<std::uint8_t> gzip(std::span<const std::uint8_t> data, int level = 6);

}  // namespace mtproto::tl
