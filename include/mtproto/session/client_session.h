/// \file
/// The client side of an MTProto 2.0 encrypted session, sans-IO.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "mtproto/core/auth_key.h"
#include "mtproto/core/export.h"
#include "mtproto/session/container.h"
#include "mtproto/session/encrypted_packet.h"
#include "mtproto/session/events.h"
#include "mtproto/session/msg_id.h"
#include "mtproto/session/outgoing_packet.h"
#include "mtproto/session/replay_guard.h"
#include "mtproto/tl/reader.h"

namespace mtproto::mt {
struct bad_server_salt;
struct msgs_state_req;
struct new_session_created;
struct pong;
struct future_salts;
}  // namespace mtproto::mt

/// MTProto 2.0 encrypted sessions, sans-IO, client and server role: packets, msg_ids and
/// seq_nos, containers and rpc_result framing, replay checks, plain messages for the handshake,
/// and the events a session reports.
namespace mtproto::session {

/// Limits of a client_session.
struct client_session_options {
  /// Largest packet body finalize() builds from several messages (one bigger message goes alone).
  std::size_t max_container_bytes = 512 * 1024;
  /// Acknowledgements are sent with the next packet, or on their own once this many are pending.
  std::size_t max_pending_acks = 32;
  /// What the gzip_packed bodies of one packet may inflate to, all together (a zip bomb, or a
  /// frame full of small ones, fails instead).
  std::size_t max_inflated_bytes = 16u << 20;
  /// Time window and duplicate detection for the server's msg_ids.
  replay_limits replay{};
};

/// The client side of one session: `push(request)` -> `finalize(now)` -> packet bytes to send;
/// `feed(packet, now)` -> events. It owns msg_ids, seq_nos, salts, acknowledgements, containers,
/// gzip_packed, resends after bad_server_salt / bad_msg_notification / reconnects, and the
/// bookkeeping of requests that are sent but not yet answered. The runtime only moves bytes and
/// maps events to callers.
class MTPROTO_CORE_EXPORT client_session {
 public:
  /// A session `session_id` (random, chosen by the client) on `key`, starting with server salt
  /// `salt`; `random` supplies padding.
  client_session(auth_key key, std::int64_t session_id, std::int64_t salt, random_source random,
                 client_session_options options = {});

  /// Queues a serialized TL function (boxed). Not sent until finalize().
  request_id push(std::vector<std::uint8_t> body, bool content_related = true);
  /// The same with a msg_id chosen beforehand (from clock_sync().next(now)), for requests whose
  /// body must name the message carrying them (auth.bindTempAuthKey). Finalize soon after.
  request_id push(std::vector<std::uint8_t> body, bool content_related, std::int64_t msg_id);
  /// Forgets a request: it will not be (re)sent and its answer, if any, is dropped.
  void cancel(request_id id);
  /// Queues a message that goes out once and is not remembered: never re-sent after a reconnect
  /// or a bad_msg, and its answer (a pong for a keep-alive ping) arrives as an event without a
  /// request. For keep-alives, whose only purpose is the moment they are sent.
  void send_once(std::vector<std::uint8_t> body, bool content_related = true);

  /// True when finalize() would produce a packet (requests, resends or acks are waiting).
  bool has_outgoing() const noexcept;
  /// Builds the next packet (a container when several messages fit), or nothing to send.
  std::optional<outgoing_packet> finalize(clock::time_point now, std::size_t head_room = 0);

  /// Reads one received packet, decrypting it in place; appends what happened to `events`.
  /// Returns whether the packet was authentic (decrypted under our key with a valid msg_key, for
  /// this session), even when messages inside it were refused: only authentic packets prove the
  /// server knows the key.
  bool feed(std::span<std::uint8_t> packet, clock::time_point now, std::vector<event>& events);

  /// The connection was lost: every request sent but not answered goes out again with its
  /// original msg_id (the server answers a duplicate from its cache instead of running it twice).
  void on_reconnect();

  /// The session's id, as given at construction.
  std::int64_t session_id() const noexcept { return session_id_; }
  /// The server salt packets are sent with now.
  std::int64_t salt() const noexcept { return salt_; }
  /// Sends with `salt` from the next packet on (e.g. one restored from a session store).
  void set_salt(std::int64_t salt) noexcept { salt_ = salt; }
  /// The auth key the session encrypts with.
  const auth_key& key() const noexcept { return key_; }
  /// The msg_id generator, whose offset follows the server's clock.
  msg_id_generator& clock_sync() noexcept { return ids_; }
  /// Requests pushed and not yet answered (queued or in flight).
  std::size_t pending_requests() const noexcept { return requests_.size(); }

 private:
  struct request_state {
    std::vector<std::uint8_t> body;
    bool content_related = true;
    std::int64_t msg_id = 0;    // 0 until first sent
    std::int32_t seqno = 0;
    std::int64_t packet_msg_id = 0;  // top-level msg_id it last went out in (its container's, if any)
    bool acked = false;
  };
  struct salt_window {
    std::int32_t valid_since;
    std::int32_t valid_until;
    std::int64_t salt;
  };
  struct sent_container {
    std::vector<std::int64_t> members;  // msg_ids of the messages inside
  };

  /// Replay window, time window and ack bookkeeping; false when the message is not to be read.
  /// A time-window miss may resync the clock from the packet once (`may_resync`), never more.
  bool admit(std::int64_t msg_id, std::int32_t seqno, std::span<const std::uint8_t> body, clock::time_point now,
             std::vector<event>& events, bool may_resync);
  void handle_message(std::int64_t msg_id, std::int32_t seqno, std::span<const std::uint8_t> body,
                      clock::time_point now, std::vector<event>& events, int depth);
  // One handler per service message.
  void on_container(std::int64_t container_msg_id, tl::reader& r, clock::time_point now, std::vector<event>& events,
                    int depth);
  void on_bad_server_salt(const mt::bad_server_salt& m, std::vector<event>& events);
  void on_msgs_state_req(std::int64_t msg_id, const mt::msgs_state_req& req);
  void on_new_session_created(const mt::new_session_created& m, std::vector<event>& events);
  void on_pong(const mt::pong& m, std::span<const std::uint8_t> body, std::vector<event>& events);
  void on_future_salts(const mt::future_salts& m, std::span<const std::uint8_t> body, clock::time_point now,
                       std::vector<event>& events);
  void handle_rpc_result(tl::reader& r, std::vector<event>& events);
  void handle_bad_msg(std::int64_t bad_msg_id, std::int32_t code, std::int64_t server_msg_id, clock::time_point now,
                      std::vector<event>& events);
  void handle_acks(const std::vector<std::int64_t>& msg_ids, std::vector<event>& events);
  void answer_detailed_info(std::int64_t answer_msg_id);
  void remember_future_salts(std::vector<salt_window> salts, clock::time_point now);
  /// Switches to the newest announced salt that is valid now.
  void pick_salt(clock::time_point now);
  /// Forgets the request sent as `msg_id` and returns it (0 when unknown).
  request_id take_request(std::int64_t msg_id);
  /// Queues the requests behind `msg_id` (a request or a container) to go out again with new ids.
  std::size_t requeue(std::int64_t msg_id, bool keep_msg_id);
  /// The msg_id of a bad_msg_notification 16/17 about one of our messages in flight, in `body`.
  std::optional<std::int64_t> find_time_sync(std::int64_t msg_id, std::span<const std::uint8_t> body) const;
  /// A new msg_id that no request in flight uses.
  std::int64_t fresh_msg_id(clock::time_point now);
  request_id request_by_msg_id(std::int64_t msg_id) const;
  void forget_msg_id(std::int64_t msg_id);
  std::span<const std::uint8_t> inflate(std::span<const std::uint8_t> packed);

  auth_key key_;
  std::int64_t session_id_;
  std::int64_t salt_;
  random_source random_;
  client_session_options options_;

  msg_id_generator ids_;
  seqno_counter seqno_;
  replay_guard replay_;

  request_id next_request_ = 1;
  std::map<request_id, request_state> requests_;              // pushed, not yet answered
  std::deque<request_id> send_queue_;                         // waiting for finalize()
  std::unordered_map<std::int64_t, request_id> by_msg_id_;    // msg_id -> request in flight
  std::map<std::int64_t, sent_container> containers_;       // by msg_id, oldest first
  std::vector<std::int64_t> pending_acks_;                    // server msg_ids to acknowledge
  std::vector<std::vector<std::uint8_t>> service_queue_;      // our own service answers to send
  std::vector<std::vector<std::uint8_t>> once_queue_;         // send_once(), content-related
  std::vector<std::vector<std::uint8_t>> once_service_queue_; // send_once(), not content-related
  std::vector<std::vector<std::uint8_t>> inflated_;           // storage behind views into gzip data
  std::size_t inflate_left_ = 0;                              // of the current packet's budget
  std::vector<message_view> container_scratch_;
  std::vector<salt_window> future_salts_;                     // from future_salts, oldest first
};

}  // namespace mtproto::session
