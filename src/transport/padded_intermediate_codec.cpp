#include "mtproto/transport/padded_intermediate_codec.h"

#include <utility>

#include "byte_order.h"
#include "mtproto/transport/error.h"

namespace mtproto::transport {

namespace {
constexpr std::uint8_t marker_bytes[] = {0xdd, 0xdd, 0xdd, 0xdd};
constexpr std::size_t padding_choices = padded_intermediate_codec::max_padding + 1;
}  // namespace

padded_intermediate_codec::padded_intermediate_codec(transport::role side, random_source random,
                                                     framing_options options)
    : intermediate_codec(side, options), random_(std::move(random)) {
  if (!random_) throw std::system_error(transport_errc::invalid_argument, "padded intermediate needs a random source");
}

std::span<const std::uint8_t> padded_intermediate_codec::marker() const noexcept { return marker_bytes; }

std::size_t padded_intermediate_codec::write_frame(std::uint8_t* header, std::size_t payload_size, bool quick_ack) {
  std::uint8_t choice = 0;
  random_(std::span(&choice, 1));
  const std::size_t padding = choice % padding_choices;
  random_(std::span(header + length_size + payload_size, padding));
  intermediate_codec::write_frame(header, payload_size + padding, quick_ack);
  return padding;
}

}  // namespace mtproto::transport
