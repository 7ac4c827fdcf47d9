#include "mtproto/transport/error.h"

#include <string>

namespace mtproto::transport {
namespace {

class transport_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mtproto.transport"; }
  std::string message(int ev) const override {
    switch (static_cast<transport_errc>(ev)) {
      case transport_errc::frame_too_large: return "frame exceeds the maximum length";
      case transport_errc::invalid_length: return "invalid frame length";
      case transport_errc::bad_checksum: return "frame CRC32 mismatch";
      case transport_errc::bad_seqno: return "frame sequence number out of order";
      case transport_errc::unknown_protocol: return "unrecognised transport protocol";
      case transport_errc::bad_obfuscation_tag: return "obfuscated2 init carries no valid protocol tag";
      case transport_errc::unobfuscated_rejected: return "unobfuscated connection rejected";
      case transport_errc::insufficient_room: return "not enough head or tail room for the framing";
      case transport_errc::payload_not_aligned: return "payload length is not a multiple of 4";
      case transport_errc::quick_ack_unsupported: return "quick ack not supported here";
      case transport_errc::not_ready: return "transport not yet detected";
      case transport_errc::random_source_failed: return "random source produced no usable obfuscated2 init";
      case transport_errc::invalid_argument: return "invalid transport options";
    }
    return "unknown transport error";
  }
};

class server_error_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mtproto.server_transport"; }
  std::string message(int ev) const override {
    switch (ev) {
      case -404: return "server transport error -404: auth key not found (or a forged frame)";
      case -429: return "server transport error -429: too many connections or transport flood";
      case -444: return "server transport error -444: invalid DC";
    }
    return "server transport error " + std::to_string(ev);
  }
};

}  // namespace

const std::error_category& server_error_category() noexcept {
  static const server_error_category_impl instance;
  return instance;
}

const std::error_category& transport_category() noexcept {
  static const transport_category_impl instance;
  return instance;
}

}  // namespace mtproto::transport
