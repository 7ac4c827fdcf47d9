/// \file
/// The server side of an encrypted session, for the DC emulator and for in-memory tests of the
/// client.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <optional>
#include <span>
#include <variant>
#include <vector>

#include "mtproto/core/auth_key.h"
#include "mtproto/core/export.h"
#include "mtproto/session/container.h"
#include "mtproto/session/encrypted_packet.h"
#include "mtproto/session/events.h"
#include "mtproto/session/msg_id.h"
#include "mtproto/session/outgoing_packet.h"
#include "mtproto/session/replay_guard.h"

namespace mtproto::mt {
struct get_future_salts;
struct destroy_session;
}  // namespace mtproto::mt

namespace mtproto::tl {
class reader;
}  // namespace mtproto::tl

namespace mtproto::session {

/// Limits and caches of a server_session.
struct server_session_options {
  /// Time window and duplicate detection for the client's msg_ids.
  replay_limits replay{};
  /// What the gzip_packed messages of one packet may inflate to, all together.
  std::size_t max_inflated_bytes = 16u << 20;
  /// Answers kept so a request re-sent with the same msg_id is answered again without re-running.
  std::size_t answer_cache_bytes = 8u << 20;
  /// Bigger answers (file parts) are not kept: a re-sent request comes back as `repeated`.
  std::size_t max_cached_answer = 64 * 1024;
  /// Largest packet body finalize() builds from several messages; a bigger message goes alone.
  /// Keeps a burst of file parts from becoming one packet the transport cannot frame, and lets
  /// each large answer take the in-place path.
  std::size_t max_container_bytes = 1u << 20;
  /// The same limit for finalize_all(): small, so large answers go one per packet and their AES
  /// chains are sealed side by side instead of one after another inside a container.
  std::size_t max_batched_container_bytes = 16u << 10;
  /// Head room reserved in front of answers, so a lone answer is encrypted where it was written.
  std::size_t max_head_room = 16;
  /// Salts valid at once (the current one and the previous, as Telegram accepts a recent salt).
  std::size_t accepted_salts = 2;
};

/// A client message the application must answer with reply()/reply_error().
struct incoming_request {
  std::int64_t msg_id = 0;             ///< Pass to reply() as `req_msg_id`.
  std::span<const std::uint8_t> body;  ///< The request (boxed, inflated); valid until the next feed.
  /// The client sent this msg_id before and its answer was too big to keep: answer again if the
  /// request is a pure read, as a server re-reading a file part would.
  bool repeated = false;
};

/// ping_delay_disconnect: close the connection if nothing arrives within `delay`.
struct disconnect_after {
  std::chrono::seconds delay{};  ///< As the client asked, counted from this packet.
};

/// Everything a server session reports; see each alternative.
using server_event = std::variant<incoming_request, disconnect_after, failure_event>;

/// One session of one auth key, server role. It checks what a real server checks (salt, msg_id
/// time window and parity, duplicates), answers service messages itself (pings, acks, state
/// requests, future salts, destroy_session) and hands every other message to the application as
/// a request to answer. The session id is learned from the first packet; a packet with another
/// one starts a new session (new_session_created, fresh counters).
class MTPROTO_CORE_EXPORT server_session {
 public:
  /// `salt` is the first valid server salt; `random` fills padding and ids.
  server_session(auth_key key, std::int64_t salt, random_source random, server_session_options options = {});

  /// Opens and reads one packet from the client (decrypted in place), appending what it held to
  /// `events`; a packet that fails a check gives one failure_event.
  void feed(std::span<std::uint8_t> packet, clock::time_point now, std::vector<server_event>& events);
  /// The same for a packet the caller already opened (open_packet), e.g. to pick the session by
  /// its session_id first: a server keeps sessions across connections.
  void feed_opened(const opened_packet& packet, clock::time_point now, std::vector<server_event>& events);

  /// rpc_result for `req_msg_id` with an already serialized, boxed result.
  void reply(std::int64_t req_msg_id, std::span<const std::uint8_t> result);
  /// rpc_result carrying rpc_error{code, message}.
  void reply_error(std::int64_t req_msg_id, std::int32_t code, std::string_view message);
  /// A server-initiated message (an update, or a service message a test wants to inject).
  void push(std::vector<std::uint8_t> body, bool content_related = true);

  /// True if finalize() would return a packet (answers, pushes or acks wait).
  bool has_outgoing() const noexcept { return !outgoing_.empty() || !pending_acks_.empty(); }
  /// Seals what waits into one packet (a container when several messages go), or nullopt when
  /// nothing does. The packet's head_room may exceed the requested one (answers are sealed where
  /// they were built).
  std::optional<outgoing_packet> finalize(clock::time_point now, std::size_t head_room = 0);
  /// Everything that waits, as finalize() would return it packet by packet, sealed together
  /// (seal_packets: the AES chains of up to four packets interleaved), so a batch of large answers
  /// costs about half the CPU of sealing them one at a time.
  std::vector<outgoing_packet> finalize_all(clock::time_point now, std::size_t head_room = 0);

  /// Rotates to a new salt; the previous ones stay valid up to accepted_salts.
  void rotate_salt(std::int64_t salt);
  /// The newest valid salt.
  std::int64_t salt() const noexcept { return salts_.front(); }
  /// The client's session_id (0 before the first packet).
  std::int64_t session_id() const noexcept { return session_id_; }
  /// The generator of the server's msg_ids, e.g. to skew the server clock in tests.
  msg_id_generator& clock_sync() noexcept { return ids_; }

 private:
  struct queued {
    std::vector<std::uint8_t> body;  // `front` reserved bytes, then the message
    bool content_related;
    msg_kind kind;
    std::size_t front = 0;
  };

  /// Replay window, time window (bad_msg 16/17/18 otherwise), duplicates answered from the cache.
  bool admit(std::int64_t msg_id, std::int32_t seqno, std::span<const std::uint8_t> body, clock::time_point now,
             std::vector<server_event>& events);
  void handle_message(std::int64_t msg_id, std::int32_t seqno, std::span<const std::uint8_t> body,
                      clock::time_point now, std::vector<server_event>& events, int depth);
  // One handler per service message.
  void on_container(tl::reader& r, clock::time_point now, std::vector<server_event>& events, int depth);
  void answered_at_once(std::int64_t msg_id) noexcept;
  /// The next packet finalize() seals, built but not sealed yet; nullopt when nothing waits.
  std::optional<std::pair<outgoing_packet, packet_header>> build_packet(clock::time_point now, std::size_t head_room,
                                                                        std::size_t max_container_bytes);
  void pong(std::int64_t ping_msg_id, std::int64_t ping_id);
  void on_get_future_salts(std::int64_t msg_id, const mt::get_future_salts& req, clock::time_point now);
  void on_destroy_session(std::int64_t msg_id, const mt::destroy_session& req);
  void bad_msg(std::int64_t msg_id, std::int32_t seqno, std::int32_t code);
  void remember_answer(std::int64_t req_msg_id, std::span<const std::uint8_t> body);

  auth_key key_;
  std::deque<std::int64_t> salts_;
  random_source random_;
  server_session_options options_;

  std::int64_t session_id_ = 0;
  bool has_session_ = false;
  msg_id_generator ids_;
  seqno_counter seqno_;
  replay_guard replay_;

  std::deque<queued> outgoing_;
  std::vector<std::int64_t> pending_acks_;
  std::map<std::int64_t, std::vector<std::uint8_t>> answers_;  // req_msg_id -> rpc_result body
  std::deque<std::int64_t> answer_order_;
  std::set<std::int64_t> answered_;  // every recently answered request, kept or not
  std::size_t answer_bytes_ = 0;
  std::vector<std::vector<std::uint8_t>> inflated_;
  std::size_t inflate_left_ = 0;  // of the current packet's budget
  std::vector<message_view> container_scratch_;
};

}  // namespace mtproto::session
