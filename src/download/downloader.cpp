#include "mtproto/download/downloader.h"

#include <asio/experimental/as_tuple.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <atomic>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <stdexcept>

#include "mtproto/api/InputFileLocation.h"
#include "mtproto/api/FileHash.h"
#include "mtproto/api/fn/upload/getFile.h"
#include "mtproto/api/fn/upload/getCdnFile.h"
#include "mtproto/api/fn/upload/getCdnFileHashes.h"
#include "mtproto/api/fn/upload/getFileHashes.h"
#include "mtproto/api/fn/upload/reuploadCdnFile.h"
#include "mtproto/api/upload/CdnFile.h"
#include "mtproto/crypto/aes_ctr.h"
#include "mtproto/api/upload/File.h"
#include "mtproto/crypto/random.h"
#include "mtproto/crypto/sha.h"
#include "mtproto/download/error.h"
#include "mtproto/download/part_planner.h"
#include "mtproto/download/part_tracker.h"
#include "mtproto/download/reorder.h"
#include "mtproto/transport/error.h"

namespace mtproto::download {
namespace {

using steady = std::chrono::steady_clock;

/// A transport error frame -429: the server is flooded (or says we flood it).
constexpr std::int32_t transport_flood = -429;
/// The loop never waits less than this, so a deadline that does not move cannot spin.
constexpr std::chrono::milliseconds min_wait{5};
/// Chunk of a resumed prefix read back for hashing.
constexpr std::size_t prefix_chunk = std::size_t{1} << 20;

enum class failure_kind { flood, transport_flood, migrate, reference, transient, permanent, fatal_local };

failure_kind classify(const client::call_error& e) {
  using client::client_errc;
  if (e.rpc) {
    const auto& r = *e.rpc;
    if (r.wait()) return failure_kind::flood;
    if (r.is("FILE_MIGRATE") && r.migrate_to_dc()) return failure_kind::migrate;
    if (r.type.starts_with("FILE_REFERENCE_")) return failure_kind::reference;
    // 5xx and -500/-503 style codes, and the server's own hiccups, are worth another try.
    if (r.code >= 500 || r.code < 0 || r.type.starts_with("INTERNAL") || r.type == "RPC_CALL_FAIL" ||
        r.type == "TIMEOUT" || r.type == "RPC_MCGET_FAIL" || r.type == "WORKER_BUSY_TOO_LONG_RETRY")
      return failure_kind::transient;
    return failure_kind::permanent;  // FILE_ID_INVALID, LOCATION_INVALID, LIMIT_INVALID, 401s, ...
  }
  if (e.caused_by == transport::server_transport_error(transport_flood) ||
      e.code == transport::server_transport_error(transport_flood))
    return failure_kind::transport_flood;
  // connect_failed and connection_lost come once the client's own reconnect policy has given up
  // on the DC: another round of it per part would only multiply the wait.
  if (e.code == client_errc::shut_down || e.code == client_errc::not_authorized ||
      e.code == client_errc::unknown_dc || e.code == client_errc::bad_session_index ||
      e.code == client_errc::cancelled || e.code == client_errc::connect_failed ||
      e.code == client_errc::connection_lost)
    return failure_kind::fatal_local;
  return failure_kind::transient;  // timeouts, drops, connect failures, overload, undecodable answers
}

struct answer {
  std::int64_t index = 0;
  std::size_t lane = 0;
  int session = 0;
  steady::time_point sent{};
  std::optional<client::call_error> error;
  std::vector<std::uint8_t> bytes;
  std::uint64_t reference_generation = 0;  // of the file reference the request carried
  bool held = false;                       // checked in and waiting for its blocks' hashes
  int dc = 0;                              // where the request went
  /// From a CDN DC: the answer covers the hash-aligned span from this offset (upload.getCdnFile).
  std::optional<std::int64_t> cdn_span;
  std::optional<api::upload::fileCdnRedirect> redirect;  // the file's DC sent us to a CDN DC
  std::optional<std::vector<std::uint8_t>> reupload_token;  // the CDN DC does not hold the part yet
};

/// An upload.getFileHashes / getCdnFileHashes / reuploadCdnFile answer.
struct hash_answer {
  std::size_t lane = 0;
  std::int64_t offset = 0;
  std::optional<client::call_error> error;
  std::vector<api::FileHash> hashes;
  bool reupload = false;  // answers a reuploadCdnFile (hashes from offset 0, nothing asked for)
};

/// Where a lane's parts come from after upload.fileCdnRedirect.
struct cdn_route {
  int dc = 0;
  std::vector<std::uint8_t> token;
  std::array<std::uint8_t, 32> key{};
  std::array<std::uint8_t, 16> iv{};
};

/// Redirects one lane follows at most (each FILE_TOKEN_INVALID asks the file's DC again).
constexpr int max_cdn_redirects = 4;

struct flight {
  client::call_id call = 0;
  std::size_t lane = 0;
  int session = 0;
};

/// One account of the download: its client, its view of the file and its own scheduling state.
struct lane {
  lane(std::size_t i, pool_member m, std::uint32_t part_size, steady::time_point now, const depth_options& d)
      : index(i),
        member(std::move(m)),
        depth(part_size, now, d),
        dc(member.file.location.dc_id) {
    stats.account = member.account;
  }
  /// Position in the engine's lanes: what completions carry back instead of a pointer.
  std::size_t index;
  pool_member member;
  depth_controller depth;
  int dc;
  std::vector<int> sessions_load;
  /// Added to the session slot to get the client's session index: downloads running side by
  /// side through one client start on different connections instead of all on the first.
  int session_offset = 0;
  bool refreshing = false;
  std::uint64_t reference_generation = 0;
  bool paced = false;                 // a request waits for next_send_at
  steady::time_point next_send_at{};  // the pace's next slot
  bool too_long = false;              // told to wait past auto_sleep_limit: rests until its gate opens
  std::uint64_t migrations = 0;
  std::optional<cdn_route> cdn;       // the file is served by a CDN DC for this account
  int cdn_redirects = 0;
  bool reuploading = false;           // reuploadCdnFile in flight: the CDN does not hold the file yet
  int reupload_failures = 0;
  account_result stats;
  bool usable() const noexcept { return !stats.dropped && !refreshing && !reuploading; }
  /// The DC this lane's parts are requested from.
  int parts_dc() const noexcept { return cdn ? cdn->dc : dc; }
};

/// The hash of one file_hash_block (download_options::verify).
struct block_hash {
  std::int32_t limit = 0;
  std::array<std::uint8_t, 32> sha256{};
};

/// Hands each new lane its session offset (see lane::session_offset).
std::atomic<unsigned> next_session_offset{0};

/// Most block hashes kept at once (a 16 MiB window needs 128); a server sending more is ignored.
constexpr std::size_t max_block_hashes = 65536;

class engine final : public download_job, public std::enable_shared_from_this<engine> {
 public:
  engine(std::vector<pool_member> members, sink& out, download_options options, download_handler done)
      : sink_(out),
        opt_(std::move(options)),
        done_(std::move(done)),
        ex_(asio::make_strand(members.front().client->get_executor())),
        wake_(ex_),
        gate_(opt_.shared_flood ? opt_.shared_flood : std::make_shared<shared_flood_gate>(opt_.flood)),
        rng_(std::random_device{}()) {
    if (opt_.verify) opt_.part_size = std::max(opt_.part_size, file_hash_block);
    const auto part_size = static_cast<std::uint32_t>(std::clamp<std::int64_t>(opt_.part_size, 1, max_part_size));
    const auto now = steady::now();
    for (auto& m : members) {
      if (!m.client || (!lanes_.empty() && m.file.size != lanes_.front()->member.file.size)) invalid_ = true;
      for (const auto& l : lanes_)
        if (l->member.account == m.account) invalid_ = true;
      const int sessions = m.client ? m.client->max_download_sessions() : 1;
      auto d = opt_.depth;
      d.max_sessions = std::max(1, std::min(d.max_sessions, sessions));
      lanes_.push_back(std::make_unique<lane>(lanes_.size(), std::move(m), part_size, now, d));
      lanes_.back()->sessions_load.assign(static_cast<std::size_t>(std::max(1, sessions)), 0);
      lanes_.back()->session_offset = static_cast<int>(next_session_offset.fetch_add(1) % lanes_.back()->sessions_load.size());
    }
  }

  void start() override {
    asio::co_spawn(ex_, run(shared_from_this()), asio::detached);
  }

  void cancel() override {
    asio::post(ex_, [self = shared_from_this()] {
      self->cancelled_ = true;
      self->wake_.cancel();
    });
  }

 private:
  const remote_file& file() const { return lanes_.front()->member.file; }

  asio::awaitable<void> run(std::shared_ptr<engine> /*keep_alive*/) {
    started_ = steady::now();
    std::error_code ec;
    try {
      ec = invalid_ ? std::make_error_code(std::errc::invalid_argument) : co_await download();
    } catch (const std::exception&) {
      ec = client::client_errc::internal_error;
    }
    if (ec) {
      for (auto& [index, f] : in_flight_) lanes_[f.lane]->member.client->cancel(f.call);
      in_flight_.clear();
      sink_.fail(ec);
    }
    result_.elapsed = steady::now() - started_;
    result_.dc = lanes_.front()->dc;
    for (const auto& l : lanes_) result_.accounts.push_back(l->stats);
    report_progress(true);
    auto done = std::move(done_);
    done(ec, std::move(result_));
  }

  asio::awaitable<std::error_code> download() {
    // The plan.
    std::error_code ec;
    if (opt_.range)
      ec = part_planner::for_range(file().size, opt_.range->first, opt_.range->second, opt_.part_size, plan_,
                                   !opt_.verify);
    else
      ec = part_planner::for_file(file().size, opt_.part_size, plan_);
    if (ec) co_return ec;
    if (opt_.window_bytes < plan_.part_size()) co_return std::make_error_code(std::errc::invalid_argument);
    if ((ec = part_tracker::create(plan_, parts_))) co_return ec;

    // The sink, and what it already holds.
    sink_start info{&file(), plan_.range_begin(), plan_.range_end(), plan_.part_size()};
    auto [start_ec, resume_from] = co_await start_sink(info);
    if (start_ec) co_return start_ec;
    std::int64_t position = plan_.range_begin();
    if (resume_from > plan_.range_begin() && plan_.part_count() > 0) {
      // Continue at the part holding resume_from (a sink may answer any offset it holds up to).
      const auto first = plan_.part_index_at(std::min(resume_from, plan_.range_end() - 1));
      const std::int64_t keep = first ? *first : plan_.part_count();
      for (std::int64_t i = 0; i < keep; ++i) parts_.mark_done(i);
      position = resume_from >= plan_.range_end() ? plan_.range_end() : plan_.part(keep)->file_offset;
      result_.resumed_bytes = position - plan_.range_begin();
      if (opt_.sha256)
        if (auto e = co_await hash_prefix(plan_.range_begin(), position)) co_return e;
    }
    window_.emplace(position, opt_.window_bytes);
    written_ = position - plan_.range_begin();

    while (true) {
      if (cancelled_) co_return download_errc::cancelled;
      if (fatal_) co_return fatal_;
      if (parts_.all_done() && window_->buffered_bytes() == 0 && in_flight_.empty() && held_.empty()) break;
      const auto now = steady::now();
      issue(now);
      report_progress(false);
      if (!hash_answers_.empty()) {
        auto h = std::move(hash_answers_.front());
        hash_answers_.pop_front();
        if (auto e = on_hashes(std::move(h), now)) co_return e;
        continue;
      }
      if (!answers_.empty()) {
        auto a = std::move(answers_.front());
        answers_.pop_front();
        if (auto e = co_await handle(std::move(a))) co_return e;
        continue;
      }
      wake_.expires_at(std::max(next_deadline(now), now + min_wait));
      co_await wake_.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    }

    auto [finish_ec] = co_await sink_op([this](sink_handler h) { sink_.async_finish(std::move(h)); });
    if (finish_ec) co_return finish_ec;
    result_.bytes = written_;
    if (opt_.sha256) result_.sha256 = hash_.finish();
    co_return std::error_code{};
  }

  // ---- sending ----

  bool ready(lane& l, steady::time_point now) {
    if (!l.usable()) return false;
    if (!gate_->with([&](flood_gate& g) { return g.is_open(l.member.account, l.parts_dc(), now); })) return false;
    l.too_long = false;  // its wait is over
    return true;
  }

  void issue(steady::time_point now) {
    for (auto& l : lanes_) {
      l->paced = false;
      l->depth.advance(now);
    }
    if (fatal_ || cancelled_) return;
    // Lanes take turns at the head of the queue, so none is starved of the next parts.
    const std::size_t n = lanes_.size();
    const std::size_t first = rotation_++ % n;
    for (std::size_t k = 0; k < n; ++k) {
      auto& l = *lanes_[(first + k) % n];
      if (!ready(l, now)) continue;
      if (!fill(l, now)) break;
    }
    result_.max_in_flight = std::max(result_.max_in_flight, static_cast<int>(in_flight_.size()));
  }

  /// Sends what lane `l` may have in flight; false when no part can go now for any lane.
  bool fill(lane& l, steady::time_point now) {
    const int target = std::max(1, l.depth.target_in_flight());
    const int sessions = std::clamp(l.depth.target_sessions(), 1, static_cast<int>(l.sessions_load.size()));
    const double pace = l.depth.target_request_rate();
    while (in_flight_of(l) < target) {
      if (pace > 0 && now < l.next_send_at) {
        l.paced = true;
        return true;
      }
      const auto index = parts_.next();
      if (!index) return false;
      const auto part = *plan_.part(*index);
      if (!window_->admits(part.file_offset, part.count)) return false;  // back-pressure from the sink
      if (auto nb = not_before_.find(*index); nb != not_before_.end()) {
        if (nb->second > now) return false;
        not_before_.erase(nb);
      }
      send(l, part, least_loaded(l, sessions), now);
      if (l.cdn) want_hashes(l, cdn_span_begin(part), cdn_span_begin(part) + cdn_span_size(part));
      else if (opt_.verify) want_hashes(l, part.offset, part.offset + part.expected_size);
      if (pace > 0) {
        // Requests 1/pace apart on average; idle time saves up one request at most.
        const auto gap = std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(1 / pace));
        l.next_send_at = std::max(l.next_send_at, now - gap) + gap;
      }
    }
    return true;
  }

  int in_flight_of(const lane& l) const {
    int n = 0;
    for (auto load : l.sessions_load) n += load;
    return n;
  }

  static int least_loaded(const lane& l, int sessions) {
    int best = 0;
    for (int s = 1; s < sessions; ++s)
      if (l.sessions_load[static_cast<std::size_t>(s)] < l.sessions_load[static_cast<std::size_t>(best)]) best = s;
    return best;
  }

  static api::InputFileLocation input_location(const file_identity& l) {
    if (l.kind == location_kind::photo)
      return api::inputPhotoFileLocation{l.id, l.access_hash, l.file_reference, l.thumb_size};
    return api::inputDocumentFileLocation{l.id, l.access_hash, l.file_reference, l.thumb_size};
  }

  /// A CDN part request covers whole hash blocks: the part's cell, or the block holding it.
  std::int64_t cdn_span() const noexcept { return std::max(plan_.part_size(), file_hash_block); }
  std::int64_t cdn_span_begin(const planned_part& part) const noexcept { return part.offset / cdn_span() * cdn_span(); }
  std::int64_t cdn_span_size(const planned_part& part) const noexcept {
    return std::min(cdn_span(), file().size - cdn_span_begin(part));
  }

  std::vector<std::uint8_t> request_body(const lane& l, const planned_part& part) const {
    std::vector<std::uint8_t> body;
    tl::writer w(body);
    if (l.cdn) {
      api::upload::getCdnFile fn;
      fn.file_token = l.cdn->token;
      fn.offset = cdn_span_begin(part);
      fn.limit = static_cast<std::int32_t>(cdn_span());
      fn.write(w);
      return body;
    }
    api::upload::getFile fn;
    fn.precise = part.precise;
    fn.cdn_supported = opt_.cdn_supported;
    fn.location = input_location(l.member.file.location);
    fn.offset = part.offset;
    fn.limit = part.limit;
    fn.write(w);
    return body;
  }

  void send(lane& l, const planned_part& part, int session, steady::time_point now) {
    parts_.mark_in_flight(part.index);
    ++l.sessions_load[static_cast<std::size_t>(session)];
    ++result_.requests;
    ++l.stats.requests;
    client::call_options o;
    o.dc = l.parts_dc();
    o.kind = l.cdn ? client::session_kind::cdn : client::session_kind::download;
    o.session_index = (session + l.session_offset) % static_cast<int>(l.sessions_load.size());
    if (l.cdn) ++result_.cdn_requests;
    o.timeout = opt_.request_timeout;
    o.sleep_through_flood = false;  // the engine schedules around floods itself (flood gate, depth)
    std::weak_ptr<engine> weak = shared_from_this();
    const std::int64_t index = part.index;
    const std::size_t li = l.index;
    std::optional<std::int64_t> span;
    if (l.cdn) span = cdn_span_begin(part);
    const auto id = l.member.client->start_call(
        request_body(l, part), o,
        [weak, index, li, session, now, generation = l.reference_generation, dc = *o.dc, span](
            const client::call_error* error, std::span<const std::uint8_t> bytes) {
          auto self = weak.lock();
          if (!self) return;
          answer a;
          a.index = index;
          a.lane = li;
          a.session = session;
          a.sent = now;
          a.reference_generation = generation;
          a.dc = dc;
          a.cdn_span = span;
          if (error) a.error = *error;
          else if (span) decode_cdn_part(bytes, a);
          else decode_part(bytes, a);
          asio::post(self->ex_, [self, a = std::move(a)]() mutable {
            self->answers_.push_back(std::move(a));
            self->wake_.cancel();
          });
        });
    in_flight_[index] = flight{id, li, session};
    int used = 0;
    for (const auto& other : lanes_)
      for (auto load : other->sessions_load) used += load > 0;
    result_.max_sessions = std::max(result_.max_sessions, used);
  }

  /// upload.file's bytes straight out of the answer (one copy, no other field decoded).
  static void decode_part(std::span<const std::uint8_t> bytes, answer& a) {
    try {
      tl::reader r(bytes);
      const auto id = r.read_uint();
      if (id == api::upload::fileCdnRedirect::constructor_id) {
        a.redirect = api::upload::fileCdnRedirect::read_bare(r);
        if (a.redirect->encryption_key.size() != 32 || a.redirect->encryption_iv.size() != 16)
          a.error = client::call_error{make_error_code(client::client_errc::unexpected_answer)};
        return;
      }
      if (id != api::upload::file::constructor_id) {
        a.error = client::call_error{make_error_code(client::client_errc::unexpected_answer)};
        return;
      }
      r.read_uint();  // storage.FileType: every constructor is bare of fields
      r.read_int();   // mtime
      const auto data = r.read_bytes_view();
      a.bytes.assign(data.begin(), data.end());
    } catch (const tl::decode_error& e) {
      a.error = client::call_error{e.code()};
    }
  }

  /// upload.cdnFile's (still encrypted) bytes, or the reupload a CDN DC asks for.
  static void decode_cdn_part(std::span<const std::uint8_t> bytes, answer& a) {
    try {
      tl::reader r(bytes);
      const auto id = r.read_uint();
      if (id == api::upload::cdnFileReuploadNeeded::constructor_id) {
        a.reupload_token = api::upload::cdnFileReuploadNeeded::read_bare(r).request_token;
        return;
      }
      if (id != api::upload::cdnFile::constructor_id) {
        a.error = client::call_error{make_error_code(client::client_errc::unexpected_answer)};
        return;
      }
      const auto data = r.read_bytes_view();
      a.bytes.assign(data.begin(), data.end());
    } catch (const tl::decode_error& e) {
      a.error = client::call_error{e.code()};
    }
  }

  // ---- verification (download_options::verify, and every CDN part) ----

  /// Asks for the hashes of the blocks of [from, to) not known or asked for yet.
  void want_hashes(lane& l, std::int64_t from, std::int64_t to) {
    for (std::int64_t b = from / file_hash_block * file_hash_block; b < to; b += file_hash_block) {
      if (hashes_.contains(b) || hash_requested_.contains(b)) continue;
      request_hashes(l, b);
      return;  // one answer holds several blocks; the next call asks for what it left out
    }
  }

  void request_hashes(lane& l, std::int64_t offset) {
    hash_requested_.insert(offset);
    ++result_.hash_requests;
    std::vector<std::uint8_t> body;
    tl::writer w(body);
    if (l.cdn) {
      api::upload::getCdnFileHashes fn;
      fn.file_token = l.cdn->token;
      fn.offset = offset;
      fn.write(w);
    } else {
      api::upload::getFileHashes fn;
      fn.location = input_location(l.member.file.location);
      fn.offset = offset;
      fn.write(w);
    }
    start_hash_call(l, std::move(body), offset, false);
  }

  /// reuploadCdnFile on the file's DC: the CDN DC then holds the file; the answer is hashes.
  void request_reupload(lane& l, std::vector<std::uint8_t> request_token) {
    l.reuploading = true;
    ++result_.cdn_reuploads;
    api::upload::reuploadCdnFile fn;
    fn.file_token = l.cdn->token;
    fn.request_token = std::move(request_token);
    std::vector<std::uint8_t> body;
    tl::writer w(body);
    fn.write(w);
    start_hash_call(l, std::move(body), 0, true);
  }

  void start_hash_call(lane& l, std::vector<std::uint8_t> body, std::int64_t offset, bool reupload) {
    client::call_options o;
    o.dc = l.dc;
    o.timeout = opt_.request_timeout;
    o.sleep_through_flood = false;
    std::weak_ptr<engine> weak = shared_from_this();
    const std::size_t li = l.index;
    l.member.client->start_call(body, o,
                                [weak, li, offset, reupload](const client::call_error* error,
                                                             std::span<const std::uint8_t> bytes) {
                                  auto self = weak.lock();
                                  if (!self) return;
                                  hash_answer h{li, offset, std::nullopt, {}, reupload};
                                  if (error) {
                                    h.error = *error;
                                  } else {
                                    try {
                                      tl::reader r(bytes);
                                      h.hashes = api::upload::getFileHashes::read_result(r);
                                    } catch (const tl::decode_error& e) {
                                      h.error = client::call_error{e.code()};
                                    }
                                  }
                                  asio::post(self->ex_, [self, h = std::move(h)]() mutable {
                                    self->hash_answers_.push_back(std::move(h));
                                    self->wake_.cancel();
                                  });
                                });
  }

  std::error_code on_hashes(hash_answer h, steady::time_point now) {
    auto& l = *lanes_[h.lane];
    if (h.reupload) {
      l.reuploading = false;
      if (!h.error) return add_hashes(h.hashes, std::nullopt);
      if (++l.reupload_failures > opt_.max_part_retries) return drop(l, download_errc::retries_exhausted);
      return on_failure_without_part(l, *h.error, now);
    }
    hash_requested_.erase(h.offset);
    if (!h.error)
      if (auto e = add_hashes(h.hashes, h.offset)) return e;
    // The held answers go through the check again, or back to the queue on an error.
    auto held = std::move(held_);
    held_.clear();
    bool reported = false;
    for (auto& a : held) {
      if (!h.error) {
        answers_.push_front(std::move(a));
        continue;
      }
      if (!reported) {
        reported = true;
        if (auto e = on_failure(*lanes_[h.lane], a.index, *h.error, now)) return e;
      } else {
        parts_.mark_failed(a.index);
      }
    }
    if (h.error && !reported) {
      // Nothing waited on it yet: the next part that needs the block asks again.
      if (auto e = on_failure_without_part(*lanes_[h.lane], *h.error, now)) return e;
    }
    return {};
  }

  /// Keeps the hashes of a server's list; `asked` is the block it must hold (none: any list).
  std::error_code add_hashes(const std::vector<api::FileHash>& list, std::optional<std::int64_t> asked) {
    bool covered = !asked;
    for (const auto& fh : list) {
      const auto* v = fh.get_if<api::fileHash>();
      if (!v || v->offset < 0 || v->offset % file_hash_block != 0 || v->limit <= 0 || v->limit > file_hash_block ||
          v->hash.size() != 32)
        return download_errc::integrity_failed;  // not a hash list a server sends
      if (asked && v->offset == *asked) covered = true;
      if (hashes_.size() >= max_block_hashes && (!asked || v->offset != *asked)) continue;
      block_hash b;
      b.limit = v->limit;
      std::copy(v->hash.begin(), v->hash.end(), b.sha256.begin());
      hashes_[v->offset] = b;
    }
    if (!covered) return download_errc::integrity_failed;  // it left out the block asked for
    return {};
  }

  enum class check { ok, mismatch, unknown };

  /// The answer's blocks against the known hashes; `missing` is the first block without one.
  check check_blocks(std::int64_t offset, std::span<const std::uint8_t> bytes, std::int64_t& missing) const {
    const std::int64_t end = offset + static_cast<std::int64_t>(bytes.size());
    for (std::int64_t b = offset / file_hash_block * file_hash_block; b < end; b += file_hash_block) {
      const auto it = hashes_.find(b);
      if (it == hashes_.end()) {
        missing = b;
        return check::unknown;
      }
      // Aligned parts of at least one block cover whole blocks; anything else cannot be checked.
      if (b < offset || b + it->second.limit > end) return check::mismatch;
      const auto from = static_cast<std::size_t>(b - offset);
      const auto digest = crypto::sha256(bytes.subspan(from, static_cast<std::size_t>(it->second.limit)));
      if (!std::equal(digest.begin(), digest.end(), it->second.sha256.begin())) return check::mismatch;
    }
    return check::ok;
  }

  void forget_hashes(std::int64_t offset, std::int64_t size) {
    for (std::int64_t b = offset / file_hash_block * file_hash_block; b < offset + size; b += file_hash_block)
      hashes_.erase(b);
  }

  // ---- answers ----

  asio::awaitable<std::error_code> handle(answer a) {
    auto& l = *lanes_[a.lane];
    const auto now = steady::now();
    const auto part = *plan_.part(a.index);
    if (!a.held) {
      auto it = in_flight_.find(a.index);
      if (it == in_flight_.end()) co_return std::error_code{};  // cancelled meanwhile
      in_flight_.erase(it);
      --l.sessions_load[static_cast<std::size_t>(a.session)];

      if (a.redirect) co_return follow_redirect(l, a.index, *a.redirect);
      if (a.reupload_token) {
        parts_.mark_failed(a.index);  // asked again once the CDN DC holds the file
        if (!l.reuploading && l.cdn) request_reupload(l, std::move(*a.reupload_token));
        co_return std::error_code{};
      }
      if (a.error && a.cdn_span && a.error->rpc && a.error->rpc->is("FILE_TOKEN_INVALID")) {
        // The token expired: the file's DC hands out a fresh one with the next redirect.
        l.cdn.reset();
        parts_.mark_failed(a.index);
        co_return std::error_code{};
      }
      if (a.error) co_return on_failure(l, a.index, *a.error, now, {}, a.reference_generation, a.dc);
      const auto want = a.cdn_span ? cdn_span_size(part) : part.expected_size;
      if (a.bytes.size() != static_cast<std::size_t>(want)) {
        // Only the file's end may be short, and the plan knows where it is: anything else is a
        // broken answer, never written.
        const auto bad = make_error_code(a.bytes.size() < static_cast<std::size_t>(want)
                                             ? download_errc::short_file
                                             : download_errc::integrity_failed);
        co_return on_failure(l, a.index, client::call_error{bad}, now, bad);
      }
      l.depth.on_part(a.bytes.size(), now - a.sent, now);
      if (a.cdn_span) decrypt_cdn(l, *a.cdn_span, a.bytes);
    }
    const std::int64_t checked_at = a.cdn_span ? *a.cdn_span : part.offset;
    if (opt_.verify || a.cdn_span) {
      std::int64_t missing = 0;
      switch (check_blocks(checked_at, a.bytes, missing)) {
        case check::unknown:
          if (!hash_requested_.contains(missing)) request_hashes(l, missing);
          a.held = true;
          held_.push_back(std::move(a));
          co_return std::error_code{};
        case check::mismatch:
          ++result_.hash_mismatches;
          forget_hashes(checked_at, static_cast<std::int64_t>(a.bytes.size()));  // asked for again next time
          if (++mismatches_[a.index] >= 2) co_return download_errc::integrity_failed;
          parts_.mark_failed(a.index);
          co_return std::error_code{};
        case check::ok: forget_hashes(checked_at, static_cast<std::int64_t>(a.bytes.size())); break;
      }
    }
    if (a.cdn_span) {
      // The span holds the part's answer: cut it out, as if the file's DC had sent it. Parts of at
      // least a hash block are their span (trimmed in place); smaller ones are copied out, so the
      // window does not hold a whole span per part.
      const auto from = static_cast<std::size_t>(part.offset - *a.cdn_span);
      const auto size = static_cast<std::size_t>(part.expected_size);
      if (from == 0) {
        a.bytes.resize(size);
      } else {
        std::vector<std::uint8_t> exact(a.bytes.begin() + static_cast<std::ptrdiff_t>(from),
                                        a.bytes.begin() + static_cast<std::ptrdiff_t>(from + size));
        a.bytes = std::move(exact);
      }
    }
    parts_.mark_done(a.index);
    retries_.erase(a.index);
    l.stats.bytes += static_cast<std::int64_t>(a.bytes.size());
    if (window_->push(part.file_offset, std::move(a.bytes), static_cast<std::size_t>(part.skip),
                      static_cast<std::size_t>(part.count)) != push_result::accepted)
      co_return client::client_errc::internal_error;  // the plan admitted it: a bug, not the server
    while (auto chunk = window_->pop()) {
      const auto bytes = chunk->bytes();
      auto [ec] = co_await sink_op([&](sink_handler h) { sink_.async_write_at(chunk->offset, bytes, std::move(h)); });
      if (ec) co_return ec;
      if (opt_.sha256) hash_.update(bytes);
      if (!result_.time_to_first_byte) result_.time_to_first_byte = steady::now() - started_;
      written_ += static_cast<std::int64_t>(bytes.size());
    }
    co_return std::error_code{};
  }

  /// upload.fileCdnRedirect: this lane's parts come from the CDN DC from now on.
  std::error_code follow_redirect(lane& l, std::int64_t index, const api::upload::fileCdnRedirect& r) {
    parts_.mark_failed(index);
    if (!opt_.cdn_supported) return download_errc::cdn_not_supported;  // a server ignoring the flag
    if (l.cdn) return {};  // the other requests sent before the first redirect say the same
    if (++l.cdn_redirects > max_cdn_redirects) return drop(l, download_errc::cdn_not_supported);
    cdn_route route;
    route.dc = r.dc_id;
    route.token = r.file_token;
    std::copy(r.encryption_key.begin(), r.encryption_key.end(), route.key.begin());
    std::copy(r.encryption_iv.begin(), r.encryption_iv.end(), route.iv.begin());
    l.cdn = std::move(route);
    return add_hashes(r.file_hashes, std::nullopt);
  }

  /// AES-256-CTR of the redirect, the iv's last 4 bytes the span's offset / 16 (big-endian).
  static void decrypt_cdn(const lane& l, std::int64_t offset, std::vector<std::uint8_t>& bytes) {
    auto iv = l.cdn->iv;
    const auto block = static_cast<std::uint32_t>(offset / 16);
    for (std::size_t i = 0; i < 4; ++i) iv[iv.size() - 1 - i] = static_cast<std::uint8_t>(block >> (8 * i));
    crypto::aes256_ctr ctr(l.cdn->key, iv);
    ctr.apply(bytes);
  }

  /// Takes lane `l` out of the download for `why`; the download fails with it when no lane is left.
  std::error_code drop(lane& l, std::error_code why) {
    l.stats.dropped = why;
    for (const auto& other : lanes_)
      if (!other->stats.dropped) return {};
    return why;
  }

  /// Every lane still in the download was told to wait past auto_sleep_limit.
  bool all_too_long() const {
    for (const auto& l : lanes_)
      if (!l->stats.dropped && !l->too_long) return false;
    return true;
  }

  std::error_code on_failure(lane& l, std::int64_t index, const client::call_error& e, steady::time_point now,
                             std::error_code bad_answer = {}, std::uint64_t generation = 0, int dc = 0) {
    parts_.mark_failed(index);
    const auto kind = bad_answer ? failure_kind::transient : classify(e);
    if (kind == failure_kind::transient) {
      result_.last_error = e;
      ++result_.retries;
      const int n = ++retries_[index];
      if (n > opt_.max_part_retries) return bad_answer ? bad_answer : std::error_code(download_errc::retries_exhausted);
      l.depth.on_transient_failure(now);
      auto delay = opt_.retry_initial_delay * (1 << std::min(n - 1, 16));
      delay = std::min<std::chrono::milliseconds>(delay, opt_.retry_max_delay);
      // Full jitter in [delay/2, delay]: parts that failed together do not return together.
      delay = delay / 2 + std::chrono::milliseconds(rng_() % (static_cast<std::uint64_t>(delay.count()) / 2 + 1));
      not_before_[index] = now + delay;
      return {};
    }
    return on_failure_without_part(l, e, now, generation, dc);
  }

  /// What a failure means for lane `l` and the download, apart from retrying the part.
  /// `dc` is where the failed call went (0: the file's DC).
  std::error_code on_failure_without_part(lane& l, const client::call_error& e, steady::time_point now,
                                          std::uint64_t generation = 0, int dc = 0) {
    result_.last_error = e;
    const auto kind = classify(e);
    const int at = dc ? dc : l.dc;
    switch (kind) {
      case failure_kind::flood:
      case failure_kind::transport_flood: {
        ++result_.flood_waits;
        ++l.stats.flood_waits;
        const auto random = [this](std::span<std::uint8_t> out) {
          for (auto& b : out) b = static_cast<std::uint8_t>(rng_());
        };
        const auto report = gate_->with([&](flood_gate& g) {
          return kind == failure_kind::flood ? g.report_wait(l.member.account, at, *e.rpc->wait(), now, random)
                                             : g.report_transport_flood(l.member.account, at, now, random);
        });
        if (report.action == flood_action::too_long) {
          // Another account may carry on meanwhile; with none, the download cannot wait that long.
          l.too_long = true;
          if (all_too_long()) return download_errc::flood_wait_too_long;
          return {};
        }
        l.depth.on_flood(std::chrono::ceil<std::chrono::seconds>(report.ready_at - now), now);
        return {};
      }
      case failure_kind::migrate:
        // Every request in flight to the old DC answers the same: one migration.
        if (*e.rpc->migrate_to_dc() == l.dc) return {};
        if (++l.migrations > static_cast<std::uint64_t>(opt_.max_migrations)) return drop(l, download_errc::file_invalid);
        ++result_.migrations;
        l.dc = *e.rpc->migrate_to_dc();
        return {};
      case failure_kind::reference:
        if (!e.rpc->is("FILE_REFERENCE_EXPIRED") || !l.member.refresh_reference)
          return drop(l, download_errc::reference_expired);
        // Requests sent with a reference that was replaced meanwhile just go again.
        if (generation == l.reference_generation) refresh(l);
        return {};
      case failure_kind::transient: return {};
      // The account cannot read the file (FILE_ID_INVALID, ...) or reach its DC: others may.
      case failure_kind::permanent: return drop(l, download_errc::file_invalid);
      case failure_kind::fatal_local: return drop(l, e.code);
    }
    return drop(l, download_errc::file_invalid);
  }

  void refresh(lane& l) {
    if (l.refreshing) return;
    l.refreshing = true;
    std::weak_ptr<engine> weak = shared_from_this();
    const std::size_t li = l.index;
    l.member.refresh_reference([weak, li](std::error_code ec, std::vector<std::uint8_t> reference) {
      auto self = weak.lock();
      if (!self) return;
      asio::post(self->ex_, [self, li, ec, reference = std::move(reference)]() mutable {
        auto& l = *self->lanes_[li];
        l.refreshing = false;
        if (ec) {
          if (auto e = self->drop(l, download_errc::reference_expired)) self->fatal_ = e;
        } else {
          l.member.file.location.file_reference = std::move(reference);
          ++l.reference_generation;
          ++self->result_.reference_refreshes;
        }
        self->wake_.cancel();
      });
    });
  }

  steady::time_point next_deadline(steady::time_point now) const {
    auto deadline = now + opt_.progress_interval;
    for (const auto& l : lanes_) {
      if (!l->usable()) continue;
      deadline = std::min(deadline, gate_->with([&](flood_gate& g) {
                            return g.is_open(l->member.account, l->parts_dc(), now)
                                       ? deadline
                                       : g.ready_at(l->member.account, l->parts_dc(), now);
                          }));
      if (l->paced) deadline = std::min(deadline, l->next_send_at);
      if (const auto d = l->depth.next_decision_at(); d > now) deadline = std::min(deadline, d);
    }
    for (const auto& [index, at] : not_before_) deadline = std::min(deadline, at);
    return deadline;
  }

  // ---- the sink ----

  /// Runs a sink operation and resumes on the strand when it completes, whatever thread the
  /// sink completes on (also inside the call).
  struct pending_op {
    explicit pending_op(const asio::strand<asio::any_io_executor>& ex) : timer(ex, steady::time_point::max()) {}
    std::optional<std::error_code> ec;
    std::int64_t value = 0;
    asio::steady_timer timer;
  };

  template <class Op>
  asio::awaitable<std::tuple<std::error_code>> sink_op(Op op) {
    auto state = std::make_shared<pending_op>(ex_);
    op([state, ex = ex_](std::error_code ec) {
      asio::post(ex, [state, ec] {
        state->ec = ec;
        state->timer.cancel();
      });
    });
    while (!state->ec) co_await state->timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    co_return std::tuple<std::error_code>{*state->ec};
  }

  asio::awaitable<std::tuple<std::error_code, std::int64_t>> start_sink(const sink_start& info) {
    auto state = std::make_shared<pending_op>(ex_);
    sink_.async_start(info, [state, ex = ex_](std::error_code ec, std::int64_t from) {
      asio::post(ex, [state, ec, from] {
        state->value = from;
        state->ec = ec;
        state->timer.cancel();
      });
    });
    while (!state->ec) co_await state->timer.async_wait(asio::experimental::as_tuple(asio::use_awaitable));
    co_return std::tuple<std::error_code, std::int64_t>{*state->ec, state->value};
  }

  asio::awaitable<std::error_code> hash_prefix(std::int64_t from, std::int64_t to) {
    std::vector<std::uint8_t> buffer;
    for (std::int64_t at = from; at < to;) {
      buffer.resize(static_cast<std::size_t>(std::min<std::int64_t>(to - at, prefix_chunk)));
      auto [ec] = co_await sink_op([&](sink_handler h) { sink_.async_read_at(at, buffer, std::move(h)); });
      if (ec) co_return ec;
      hash_.update(buffer);
      at += static_cast<std::int64_t>(buffer.size());
    }
    co_return std::error_code{};
  }

  void report_progress(bool final) {
    if (!opt_.on_progress) return;
    const auto now = steady::now();
    if (!final && now - last_progress_ < opt_.progress_interval) return;
    last_progress_ = now;
    download_progress p;
    p.bytes_done = written_;
    p.bytes_total = plan_.range_size();
    p.resumed_bytes = result_.resumed_bytes;
    p.in_flight = static_cast<int>(in_flight_.size());
    for (const auto& l : lanes_)
      if (!l->stats.dropped) p.sessions += l->depth.target_sessions();
    p.requests = result_.requests;
    p.flood_waits = result_.flood_waits;
    p.retries = result_.retries;
    p.elapsed = now - started_;
    opt_.on_progress(p);
  }

  sink& sink_;
  download_options opt_;
  download_handler done_;
  asio::strand<asio::any_io_executor> ex_;
  asio::steady_timer wake_;
  std::vector<std::unique_ptr<lane>> lanes_;
  bool invalid_ = false;      // the members do not make a pool
  std::size_t rotation_ = 0;  // which lane goes first in the next issue()
  part_planner plan_;
  part_tracker parts_;
  std::optional<reorder_window> window_;
  std::shared_ptr<shared_flood_gate> gate_;
  std::mt19937_64 rng_;
  crypto::sha256_hasher hash_;

  std::deque<answer> answers_;
  std::deque<hash_answer> hash_answers_;
  std::map<std::int64_t, flight> in_flight_;
  std::map<std::int64_t, steady::time_point> not_before_;  // parts waiting out a retry backoff
  std::map<std::int64_t, int> retries_;                    // transient failures per part
  std::map<std::int64_t, block_hash> hashes_;               // verify: known block hashes by offset
  std::set<std::int64_t> hash_requested_;                  // verify: blocks asked for
  std::vector<answer> held_;                               // verify: answers waiting for hashes
  std::map<std::int64_t, int> mismatches_;                 // verify: failed checks per part
  bool cancelled_ = false;
  std::error_code fatal_;
  std::int64_t written_ = 0;
  steady::time_point started_{};
  steady::time_point last_progress_{};
  download_result result_;
};

}  // namespace

download_job::~download_job() = default;

std::shared_ptr<download_job> download_job::create(client::client& c, remote_file file, sink& out,
                                                   download_options options, download_handler done) {
  std::vector<pool_member> members(1);
  members[0].client = &c;
  members[0].account = options.account;
  members[0].file = std::move(file);
  members[0].refresh_reference = options.refresh_reference;
  return create(std::move(members), out, std::move(options), std::move(done));
}

std::shared_ptr<download_job> download_job::create(std::vector<pool_member> members, sink& out,
                                                   download_options options, download_handler done) {
  if (members.empty() || !members.front().client) throw std::invalid_argument("download_job: no account");
  return std::make_shared<engine>(std::move(members), out, std::move(options), std::move(done));
}

}  // namespace mtproto::download
