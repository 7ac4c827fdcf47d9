#include "mtproto/transport/stream_codec.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "byte_order.h"
#include "mtproto/transport/abridged_codec.h"
#include "mtproto/transport/error.h"
#include "mtproto/transport/full_codec.h"
#include "mtproto/transport/intermediate_codec.h"
#include "mtproto/transport/padded_intermediate_codec.h"
#include "mtproto/transport/transport_detector.h"

namespace mtproto::transport {

namespace {
constexpr std::size_t quick_ack_size = 4;
constexpr std::size_t error_code_size = 4;

protocol framing_for_tag(std::uint32_t tag) noexcept {
  if (tag == wire::abridged_tag) return protocol::abridged;
  if (tag == wire::padded_intermediate_tag) return protocol::padded_intermediate;
  return protocol::intermediate;
}

std::span<const std::uint8_t> secret_key(const std::optional<proxy_secret>& secret) noexcept {
  if (!secret) return {};
  return secret->key;
}
}  // namespace

std::unique_ptr<framing_codec> make_framing_codec(protocol framing, role side, framing_options options,
                                                  random_source random) {
  switch (framing) {
    case protocol::abridged: return std::make_unique<abridged_codec>(side, options);
    case protocol::intermediate: return std::make_unique<intermediate_codec>(side, options);
    case protocol::padded_intermediate:
      return std::make_unique<padded_intermediate_codec>(side, std::move(random), options);
    case protocol::full: return std::make_unique<full_codec>(side, options);
  }
  throw std::system_error(transport_errc::invalid_argument, "unknown framing");
}

stream_codec::stream_codec(transport::role side, random_source random, std::size_t max_frame_size)
    : role_(side), random_(std::move(random)), max_frame_size_(max_frame_size) {}
stream_codec::stream_codec(stream_codec&&) noexcept = default;
stream_codec& stream_codec::operator=(stream_codec&&) noexcept = default;
stream_codec::~stream_codec() = default;

stream_codec stream_codec::client(const client_options& options, random_source random) {
  stream_codec codec(role::client, std::move(random), options.max_frame_size);
  protocol framing = options.framing;
  bool obfuscated = options.obfuscated;
  if (options.secret) {
    if (options.secret->kind == proxy_secret::mode::fake_tls) {
      throw std::system_error(transport_errc::invalid_argument, "fake-TLS proxy secrets are not supported");
    }
    obfuscated = true;
    if (options.secret->kind == proxy_secret::mode::padded) framing = protocol::padded_intermediate;
  }
  if (obfuscated && framing == protocol::full) {
    throw std::system_error(transport_errc::invalid_argument, "obfuscated2 cannot carry the full transport");
  }
  codec.framing_ = make_framing_codec(framing, role::client, {options.max_frame_size}, codec.random_);
  if (obfuscated) {
    if (!codec.random_) throw std::system_error(transport_errc::invalid_argument, "obfuscated2 needs a random source");
    codec.obfuscation_ = obfuscated_codec::client(codec.framing_->obfuscation_tag(), options.dc_id,
                                                  secret_key(options.secret), codec.random_);
    const auto init = codec.obfuscation_->preamble();
    codec.preamble_.assign(init.begin(), init.end());
  } else {
    const auto marker = codec.framing_->marker();
    codec.preamble_.assign(marker.begin(), marker.end());
  }
  codec.info_ = transport_info{framing, obfuscated, obfuscated ? options.dc_id : std::int16_t{0}};
  return codec;
}

stream_codec stream_codec::server(const server_options& options, random_source random) {
  if (options.secret && options.secret->kind == proxy_secret::mode::fake_tls) {
    throw std::system_error(transport_errc::invalid_argument, "fake-TLS proxy secrets are not supported");
  }
  // Required up front: a client may pick padded intermediate, whose replies need padding, and
  // detection must not be able to fail on the server's own configuration.
  if (!random) throw std::system_error(transport_errc::invalid_argument, "a server needs a random source");
  stream_codec codec(role::server, std::move(random), options.max_frame_size);
  codec.server_ = options;
  return codec;
}

framing_codec& stream_codec::sending_framing() {
  if (!framing_) throw std::system_error(transport_errc::not_ready);
  return *framing_;
}

std::size_t stream_codec::header_size(std::size_t payload_size) const {
  if (!framing_) throw std::system_error(transport_errc::not_ready);
  return framing_->header_size(payload_size);
}

std::span<std::uint8_t> stream_codec::seal(std::span<std::uint8_t> buffer, std::size_t payload_offset,
                                           std::size_t payload_size, send_options flags) {
  auto wire = sending_framing().seal(buffer, payload_offset, payload_size, flags);
  if (obfuscation_) obfuscation_->encrypt(wire);
  return wire;
}

std::vector<std::uint8_t> stream_codec::encode(std::span<const std::uint8_t> payload, send_options flags) {
  auto& framing = sending_framing();
  const std::size_t header = framing.header_size(payload.size());
  std::vector<std::uint8_t> out(header + payload.size() + framing.max_trailer_size());
  if (!payload.empty()) std::memcpy(out.data() + header, payload.data(), payload.size());
  const auto wire = seal(out, header, payload.size(), flags);
  out.resize(wire.size());  // the wire bytes start at out[0]
  return out;
}

std::vector<std::uint8_t> stream_codec::encode_quick_ack(std::uint32_t token) {
  std::vector<std::uint8_t> out(quick_ack_size);
  sending_framing().write_quick_ack(token, std::span<std::uint8_t, quick_ack_size>(out));
  if (obfuscation_) obfuscation_->encrypt(out);
  return out;
}

std::vector<std::uint8_t> stream_codec::encode_transport_error(std::int32_t code) {
  std::uint8_t payload[error_code_size];
  detail::store_le32(payload, static_cast<std::uint32_t>(code));
  return encode(payload);
}

void stream_codec::commit(std::size_t n) {
  const auto fresh = input_.commit(n);
  // Before detection a server cannot know whether the bytes are encrypted; detect() decrypts what
  // it finds buffered, and from then on every arrival is decrypted here, exactly once.
  if (obfuscation_ && !server_) obfuscation_->decrypt(fresh);
}

void stream_codec::feed(std::span<const std::uint8_t> bytes) {
  if (error_ || bytes.empty()) return;
  auto space = prepare(bytes.size());
  std::memcpy(space.data(), bytes.data(), bytes.size());
  commit(bytes.size());
}

bool stream_codec::detect() {
  const auto received = input_.data();
  const detection found = detect_transport(received);
  switch (found.result) {
    case detection::outcome::need_more:
      wanted_ = found.wanted;
      return false;
    case detection::outcome::rejected:
      fail(found.error);
      return false;
    case detection::outcome::plain:
      if (!server_->accept_unobfuscated) {
        fail(transport_errc::unobfuscated_rejected);
        return false;
      }
      framing_ = make_framing_codec(found.framing, role::server, {max_frame_size_}, random_);
      input_.consume(found.marker_size);
      info_ = transport_info{found.framing, false, 0};
      break;
    case detection::outcome::obfuscated: {
      if (received.size() < obfuscated_init_size) {
        wanted_ = obfuscated_init_size;
        return false;
      }
      std::error_code ec;
      obfuscation_ = obfuscated_codec::server(received.first<obfuscated_init_size>(), secret_key(server_->secret), ec);
      if (!obfuscation_) {
        fail(ec);
        return false;
      }
      const protocol framing = framing_for_tag(obfuscation_->protocol_tag());
      framing_ = make_framing_codec(framing, role::server, {max_frame_size_}, random_);
      input_.consume(obfuscated_init_size);
      obfuscation_->decrypt(input_.data());  // whatever followed the init in the same reads
      info_ = transport_info{framing, true, obfuscation_->dc_id()};
      break;
    }
  }
  server_.reset();
  wanted_ = 0;
  return true;
}

std::optional<event> stream_codec::next() {
  if (error_) return std::nullopt;
  if (server_ && !detect()) return std::nullopt;
  const parse_result r = framing_->parse(input_.data());
  switch (r.state) {
    case parse_result::status::need_more:
      wanted_ = r.wanted;
      return std::nullopt;
    case parse_result::status::failed:
      fail(r.error);
      return std::nullopt;
    case parse_result::status::ready:
      break;
  }
  input_.consume(r.consumed);
  wanted_ = 0;
  return r.ev;
}

std::size_t stream_codec::bytes_wanted() const noexcept {
  const std::size_t have = input_.size();
  return wanted_ > have ? wanted_ - have : 0;
}

}  // namespace mtproto::transport
