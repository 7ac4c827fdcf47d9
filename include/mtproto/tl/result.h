/// \file
/// Reading the answer to a generated function, gzip_packed or not.
#pragma once

#include <vector>

#include "mtproto/tl/gzip.h"
#include "mtproto/tl/reader.h"
#include "mtproto/tl/types.h"

namespace mtproto::tl {

/// Reads the answer to `Function`: `tl::read_result<upload::getFile>(r)` returns upload::File.
/// The server may wrap any answer in gzip_packed (0x3072cfa1); it is inflated here, within
/// reader_limits::max_gzip_output, and the inflated bytes must hold exactly one answer.
/// Throws decode_error on malformed input.
template <class Function>
typename Function::result_type read_result(reader& r) {
  if (r.remaining() >= 4 && r.peek_uint() == ids::gzip_packed) {
    r.read_uint();
    const std::vector<std::uint8_t> inflated = gunzip(r.read_bytes_view(), r.limits().max_gzip_output);
    reader inner(inflated, r.limits());
    auto result = Function::read_result(inner);
    inner.expect_end();
    return result;
  }
  return Function::read_result(r);
}

}  // namespace mtproto::tl
