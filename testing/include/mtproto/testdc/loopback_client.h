// A small synchronous MTProto client for tests and benchmarks of the emulator, built directly from the sans-IO
// core (stream_codec, client_handshake, client_session) over a blocking Asio socket. Not a
// runtime: call() waits for one answer; submit()/next_answer() keep several requests in flight
// (benchmarks of the emulator); no reconnects.
#pragma once

#include <deque>
#include <stdexcept>
#include <utility>
#include <vector>

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>

#include "mtproto/crypto/random.h"
#include "mtproto/handshake/client_handshake.h"
#include "mtproto/session/client_session.h"
#include "mtproto/session/plain_message.h"
#include "mtproto/transport/stream_codec.h"

namespace mtproto::testdc {

struct call_result {
  std::vector<std::uint8_t> result;  // set on success
  std::optional<mtproto::rpc_error> error;
};

class loopback_client {
 public:
  /// `temp_key_expires_in`: make a temporary key (p_q_inner_data_temp_dc) living that many seconds.
  loopback_client(std::uint16_t port, transport::client_options transport_options, crypto::rsa_public_key server_key,
                  std::optional<std::int32_t> temp_key_expires_in = std::nullopt)
      : socket_(io_), codec_(transport::stream_codec::client(transport_options, crypto::secure_random)) {
    socket_.connect({asio::ip::make_address("127.0.0.1"), port});
    socket_.set_option(asio::ip::tcp::no_delay(true));
    asio::write(socket_, asio::buffer(codec_.preamble().data(), codec_.preamble().size()));
    handshake::client_options o;
    o.rsa_keys.push_back(std::move(server_key));
    o.temp_key_expires_in = temp_key_expires_in;
    handshake::client_handshake hs(std::move(o), crypto::secure_random);
    send_plain(hs.begin());
    for (;;) {
      auto frame = read_frame();
      session::plain_message m;
      if (auto ec = session::read_plain_message(frame, m)) throw std::runtime_error("bad plain message: " + ec.message());
      auto step = hs.feed(m.body, core::clock::now());
      if (step.error) throw std::runtime_error("handshake: " + step.error.message());
      if (!step.reply.empty()) send_plain(step.reply);
      if (step.done) {
        crypto::secure_random(std::span(reinterpret_cast<std::uint8_t*>(&session_id_), sizeof session_id_));
        key_ = step.done->key;
        expires_at_ = step.done->expires_at;
        session_.emplace(step.done->key, session_id_, step.done->first_salt, crypto::secure_random);
        session_->clock_sync().set_offset(step.done->time_offset);
        break;
      }
    }
  }

  const core::auth_key& auth_key() const noexcept { return key_; }
  std::int64_t session_id() const noexcept { return session_id_; }
  std::optional<std::int32_t> expires_at() const noexcept { return expires_at_; }
  /// A msg_id for a request whose body must name the message it travels in (auth.bindTempAuthKey).
  std::int64_t next_msg_id() { return session_->clock_sync().next(core::clock::now()); }

  /// Sends `body` (as message `msg_id` when given) and waits for its answer; answers to requests
  /// sent earlier with submit() are dropped.
  call_result call(std::vector<std::uint8_t> body, std::optional<std::int64_t> msg_id = std::nullopt) {
    const auto id = submit(std::move(body), msg_id);
    for (;;) {
      auto [answered, result] = next_answer();
      if (answered == id) return std::move(result);
    }
  }

  /// Sends `body` now, without waiting; returns the id its answer from next_answer() names.
  session::request_id submit(std::vector<std::uint8_t> body, std::optional<std::int64_t> msg_id = std::nullopt) {
    const auto id = msg_id ? session_->push(std::move(body), true, *msg_id) : session_->push(std::move(body));
    while (auto packet = session_->finalize(core::clock::now(), transport::stream_codec::max_header_size))
      send(std::move(packet->buffer), packet->head_room);
    return id;
  }

  /// Waits for the next answer to any submitted request: (its id, the result or error).
  std::pair<session::request_id, call_result> next_answer() {
    while (ready_.empty()) {
      auto frame = read_frame();
      events_.clear();
      session_->feed(frame, core::clock::now(), events_);
      for (auto& ev : events_) {
        if (auto* r = std::get_if<session::rpc_result_event>(&ev))
          ready_.push_back({r->request, {std::vector<std::uint8_t>(r->result.begin(), r->result.end()), std::nullopt}});
        else if (auto* e = std::get_if<session::rpc_error_event>(&ev)) ready_.push_back({e->request, {{}, e->error}});
        else if (auto* f = std::get_if<session::request_failed_event>(&ev))
          throw std::runtime_error("request failed: bad_msg " + std::to_string(f->bad_msg_code));
      }
    }  // acknowledgements go out with the next submit()
    auto answer = std::move(ready_.front());
    ready_.pop_front();
    return answer;
  }

 private:
  void send_plain(const std::vector<std::uint8_t>& body) {
    std::vector<std::uint8_t> buf(transport::stream_codec::max_header_size);
    session::write_plain_message(buf, plain_ids_.next(core::clock::now()), body);
    send(std::move(buf), transport::stream_codec::max_header_size);
  }

  void send(std::vector<std::uint8_t> buf, std::size_t head_room) {
    const std::size_t payload = buf.size() - head_room;
    buf.resize(buf.size() + transport::stream_codec::max_trailer_size);
    const auto wire = codec_.seal(buf, head_room, payload);
    asio::write(socket_, asio::buffer(wire.data(), wire.size()));
  }

  std::vector<std::uint8_t> read_frame() {
    for (;;) {
      if (auto ev = codec_.next()) {
        if (auto* f = std::get_if<transport::frame_received>(&*ev)) return without_padding(f->payload);
        if (auto* e = std::get_if<transport::transport_error_received>(&*ev))
          throw std::runtime_error("transport error " + std::to_string(e->code));
        continue;
      }
      if (codec_.error()) throw std::runtime_error("transport: " + codec_.error().message());
      auto space = codec_.prepare(std::max<std::size_t>(65536, codec_.bytes_wanted()));
      const auto n = socket_.read_some(asio::buffer(space.data(), space.size()));
      codec_.commit(n);
    }
  }

  /// Padded intermediate frames carry 0..15 random bytes after the MTProto packet.
  std::vector<std::uint8_t> without_padding(std::span<const std::uint8_t> p) const {
    if (codec_.info()->framing != transport::protocol::padded_intermediate || p.size() < 24) return {p.begin(), p.end()};
    bool plain = true;
    for (std::size_t i = 0; i < 8; ++i) plain = plain && p[i] == 0;
    std::size_t keep = 24 + (p.size() - 24) / 16 * 16;
    if (plain) keep = session::plain_header_size + (p[16] | p[17] << 8 | p[18] << 16 | std::size_t{p[19]} << 24);
    return {p.begin(), p.begin() + static_cast<std::ptrdiff_t>(std::min(keep, p.size()))};
  }

  asio::io_context io_;
  asio::ip::tcp::socket socket_;
  transport::stream_codec codec_;
  session::msg_id_generator plain_ids_;
  std::optional<session::client_session> session_;
  core::auth_key key_;
  std::int64_t session_id_ = 0;
  std::optional<std::int32_t> expires_at_;
  std::vector<session::event> events_;
  std::deque<std::pair<session::request_id, call_result>> ready_;
};

}  // namespace mtproto::testdc
