#include "mtproto/download/downloader.h"

#include <asio/experimental/as_tuple.hpp>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/steady_timer.hpp>
#include <asio/strand.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>
#include <deque>
#include <map>
#include <random>

#include "mtproto/api/InputFileLocation.h"
#include "mtproto/api/fn/upload/getFile.h"
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
  int session = 0;
  steady::time_point sent{};
  std::optional<client::call_error> error;
  std::vector<std::uint8_t> bytes;
  bool cdn_redirect = false;
  std::uint64_t reference_generation = 0;  // of the file reference the request carried
};

struct flight {
  client::call_id call = 0;
  int session = 0;
};

class engine final : public download_job, public std::enable_shared_from_this<engine> {
 public:
  engine(client::client& c, remote_file file, sink& out, download_options options, download_handler done)
      : c_(c),
        file_(std::move(file)),
        sink_(out),
        opt_(std::move(options)),
        done_(std::move(done)),
        ex_(asio::make_strand(c.get_executor())),
        wake_(ex_),
        depth_(static_cast<std::uint32_t>(std::clamp<std::int64_t>(opt_.part_size, 1, max_part_size)), steady::now(),
               limited(opt_.depth, c.max_download_sessions())),
        gate_(opt_.flood),
        dc_(file_.location.dc_id),
        rng_(std::random_device{}()) {}

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
  static depth_options limited(depth_options d, int client_sessions) {
    d.max_sessions = std::max(1, std::min(d.max_sessions, client_sessions));
    return d;
  }

  asio::awaitable<void> run(std::shared_ptr<engine> /*keep_alive*/) {
    started_ = steady::now();
    std::error_code ec;
    try {
      ec = co_await download();
    } catch (const std::exception&) {
      ec = client::client_errc::internal_error;
    }
    if (ec) {
      for (auto& [index, f] : in_flight_) c_.cancel(f.call);
      in_flight_.clear();
      sink_.fail(ec);
    }
    result_.elapsed = steady::now() - started_;
    result_.dc = dc_;
    report_progress(true);
    auto done = std::move(done_);
    done(ec, std::move(result_));
  }

  asio::awaitable<std::error_code> download() {
    // The plan.
    std::error_code ec;
    if (opt_.range)
      ec = part_planner::for_range(file_.size, opt_.range->first, opt_.range->second, opt_.part_size, plan_);
    else
      ec = part_planner::for_file(file_.size, opt_.part_size, plan_);
    if (ec) co_return ec;
    if (opt_.window_bytes < plan_.part_size()) co_return std::make_error_code(std::errc::invalid_argument);
    if ((ec = part_tracker::create(plan_, parts_))) co_return ec;

    // The sink, and what it already holds.
    sink_start info{&file_, plan_.range_begin(), plan_.range_end(), plan_.part_size()};
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
    sessions_load_.assign(static_cast<std::size_t>(std::max(1, c_.max_download_sessions())), 0);

    while (true) {
      if (cancelled_) co_return download_errc::cancelled;
      if (fatal_) co_return fatal_;
      if (parts_.all_done() && window_->buffered_bytes() == 0 && in_flight_.empty()) break;
      const auto now = steady::now();
      issue(now);
      report_progress(false);
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

  void issue(steady::time_point now) {
    paced_ = false;
    depth_.advance(now);
    if (refreshing_ || fatal_ || cancelled_) return;
    if (!gate_.is_open(opt_.account, dc_, now)) return;
    const int target = std::max(1, depth_.target_in_flight());
    const int sessions = std::clamp(depth_.target_sessions(), 1, static_cast<int>(sessions_load_.size()));
    const double pace = depth_.target_request_rate();
    while (static_cast<int>(in_flight_.size()) < target) {
      if (pace > 0 && now < next_send_at_) {
        paced_ = true;
        break;
      }
      const auto index = parts_.next();
      if (!index) break;
      const auto part = *plan_.part(*index);
      if (!window_->admits(part.file_offset, part.count)) break;  // back-pressure from the sink
      if (auto nb = not_before_.find(*index); nb != not_before_.end()) {
        if (nb->second > now) break;
        not_before_.erase(nb);
      }
      send(part, least_loaded(sessions), now);
      if (pace > 0) {
        // Requests 1/pace apart on average; idle time saves up one request at most.
        const auto gap = std::chrono::duration_cast<steady::duration>(std::chrono::duration<double>(1 / pace));
        next_send_at_ = std::max(next_send_at_, now - gap) + gap;
      }
    }
    result_.max_in_flight = std::max(result_.max_in_flight, static_cast<int>(in_flight_.size()));
  }

  int least_loaded(int sessions) const {
    int best = 0;
    for (int s = 1; s < sessions; ++s)
      if (sessions_load_[static_cast<std::size_t>(s)] < sessions_load_[static_cast<std::size_t>(best)]) best = s;
    return best;
  }

  std::vector<std::uint8_t> request_body(const planned_part& part) const {
    api::upload::getFile fn;
    fn.precise = part.precise;
    fn.cdn_supported = false;
    const auto& l = file_.location;
    if (l.kind == location_kind::photo)
      fn.location = api::inputPhotoFileLocation{l.id, l.access_hash, l.file_reference, l.thumb_size};
    else
      fn.location = api::inputDocumentFileLocation{l.id, l.access_hash, l.file_reference, l.thumb_size};
    fn.offset = part.offset;
    fn.limit = part.limit;
    std::vector<std::uint8_t> body;
    tl::writer w(body);
    fn.write(w);
    return body;
  }

  void send(const planned_part& part, int session, steady::time_point now) {
    parts_.mark_in_flight(part.index);
    ++sessions_load_[static_cast<std::size_t>(session)];
    ++result_.requests;
    client::call_options o;
    o.dc = dc_;
    o.kind = client::session_kind::download;
    o.session_index = session;
    o.timeout = opt_.request_timeout;
    o.sleep_through_flood = false;  // the engine schedules around floods itself (flood gate, depth)
    std::weak_ptr<engine> weak = shared_from_this();
    const std::int64_t index = part.index;
    const auto id = c_.start_call(
        request_body(part), o,
        [weak, index, session, now, generation = reference_generation_](const client::call_error* error,
                                                                         std::span<const std::uint8_t> bytes) {
          auto self = weak.lock();
          if (!self) return;
          answer a{index, session, now, std::nullopt, {}, false, generation};
          if (error) a.error = *error;
          else decode_part(bytes, a);
          asio::post(self->ex_, [self, a = std::move(a)]() mutable {
            self->answers_.push_back(std::move(a));
            self->wake_.cancel();
          });
        });
    in_flight_[index] = flight{id, session};
    int used = 0;
    for (auto load : sessions_load_) used += load > 0;
    result_.max_sessions = std::max(result_.max_sessions, used);
  }

  /// upload.file's bytes straight out of the answer (one copy, no other field decoded).
  static void decode_part(std::span<const std::uint8_t> bytes, answer& a) {
    try {
      tl::reader r(bytes);
      const auto id = r.read_uint();
      if (id == api::upload::fileCdnRedirect::constructor_id) {
        a.cdn_redirect = true;
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

  // ---- answers ----

  asio::awaitable<std::error_code> handle(answer a) {
    auto it = in_flight_.find(a.index);
    if (it == in_flight_.end()) co_return std::error_code{};  // cancelled meanwhile
    in_flight_.erase(it);
    --sessions_load_[static_cast<std::size_t>(a.session)];
    const auto now = steady::now();
    const auto part = *plan_.part(a.index);

    if (a.cdn_redirect) co_return download_errc::cdn_not_supported;
    if (a.error) co_return on_failure(a.index, *a.error, now, {}, a.reference_generation);
    if (a.bytes.size() != static_cast<std::size_t>(part.expected_size)) {
      // Only the file's end may be short, and the plan knows where it is: anything else is a
      // broken answer, never written.
      const auto bad = make_error_code(a.bytes.size() < static_cast<std::size_t>(part.expected_size)
                                           ? download_errc::short_file
                                           : download_errc::integrity_failed);
      co_return on_failure(a.index, client::call_error{bad}, now, bad);
    }
    depth_.on_part(a.bytes.size(), now - a.sent, now);
    parts_.mark_done(a.index);
    retries_.erase(a.index);
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

  std::error_code on_failure(std::int64_t index, const client::call_error& e, steady::time_point now,
                             std::error_code bad_answer = {}, std::uint64_t generation = 0) {
    result_.last_error = e;
    parts_.mark_failed(index);
    const auto kind = bad_answer ? failure_kind::transient : classify(e);
    switch (kind) {
      case failure_kind::flood:
      case failure_kind::transport_flood: {
        ++result_.flood_waits;
        const auto random = [this](std::span<std::uint8_t> out) {
          for (auto& b : out) b = static_cast<std::uint8_t>(rng_());
        };
        const auto report = kind == failure_kind::flood
                                ? gate_.report_wait(opt_.account, dc_, *e.rpc->wait(), now, random)
                                : gate_.report_transport_flood(opt_.account, dc_, now, random);
        if (report.action == flood_action::too_long) return download_errc::flood_wait_too_long;
        depth_.on_flood(std::chrono::ceil<std::chrono::seconds>(report.ready_at - now), now);
        return {};
      }
      case failure_kind::migrate:
        // Every request in flight to the old DC answers the same: one migration.
        if (*e.rpc->migrate_to_dc() == dc_) return {};
        if (++result_.migrations > static_cast<std::uint64_t>(opt_.max_migrations)) return download_errc::file_invalid;
        dc_ = *e.rpc->migrate_to_dc();
        return {};
      case failure_kind::reference:
        if (!e.rpc->is("FILE_REFERENCE_EXPIRED") || !opt_.refresh_reference) return download_errc::reference_expired;
        // Requests sent with a reference that was replaced meanwhile just go again.
        if (generation == reference_generation_) refresh();
        return {};
      case failure_kind::transient: {
        ++result_.retries;
        const int n = ++retries_[index];
        if (n > opt_.max_part_retries) return bad_answer ? bad_answer : std::error_code(download_errc::retries_exhausted);
        depth_.on_transient_failure(now);
        auto delay = opt_.retry_initial_delay * (1 << std::min(n - 1, 16));
        delay = std::min<std::chrono::milliseconds>(delay, opt_.retry_max_delay);
        // Full jitter in [delay/2, delay]: parts that failed together do not return together.
        delay = delay / 2 + std::chrono::milliseconds(rng_() % (static_cast<std::uint64_t>(delay.count()) / 2 + 1));
        not_before_[index] = now + delay;
        return {};
      }
      case failure_kind::permanent: return download_errc::file_invalid;
      case failure_kind::fatal_local: return e.code;
    }
    return download_errc::file_invalid;
  }

  void refresh() {
    if (refreshing_) return;
    refreshing_ = true;
    std::weak_ptr<engine> weak = shared_from_this();
    opt_.refresh_reference([weak](std::error_code ec, std::vector<std::uint8_t> reference) {
      auto self = weak.lock();
      if (!self) return;
      asio::post(self->ex_, [self, ec, reference = std::move(reference)]() mutable {
        self->refreshing_ = false;
        if (ec) {
          self->fatal_ = download_errc::reference_expired;
        } else {
          self->file_.location.file_reference = std::move(reference);
          ++self->reference_generation_;
          ++self->result_.reference_refreshes;
        }
        self->wake_.cancel();
      });
    });
  }

  steady::time_point next_deadline(steady::time_point now) const {
    auto deadline = now + opt_.progress_interval;
    if (!gate_.is_open(opt_.account, dc_, now)) deadline = std::min(deadline, gate_.ready_at(opt_.account, dc_, now));
    for (const auto& [index, at] : not_before_) deadline = std::min(deadline, at);
    if (paced_) deadline = std::min(deadline, next_send_at_);
    if (const auto d = depth_.next_decision_at(); d > now) deadline = std::min(deadline, d);
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
    p.sessions = depth_.target_sessions();
    p.requests = result_.requests;
    p.flood_waits = result_.flood_waits;
    p.retries = result_.retries;
    p.elapsed = now - started_;
    opt_.on_progress(p);
  }

  client::client& c_;
  remote_file file_;
  sink& sink_;
  download_options opt_;
  download_handler done_;
  asio::strand<asio::any_io_executor> ex_;
  asio::steady_timer wake_;
  part_planner plan_;
  part_tracker parts_;
  std::optional<reorder_window> window_;
  depth_controller depth_;
  flood_gate gate_;
  int dc_;
  std::mt19937_64 rng_;
  crypto::sha256_hasher hash_;

  std::deque<answer> answers_;
  std::map<std::int64_t, flight> in_flight_;
  std::map<std::int64_t, steady::time_point> not_before_;  // parts waiting out a retry backoff
  std::map<std::int64_t, int> retries_;                    // transient failures per part
  std::vector<int> sessions_load_;
  bool refreshing_ = false;
  bool paced_ = false;                // a request waits for next_send_at_
  steady::time_point next_send_at_{};  // the pace's next slot
  std::uint64_t reference_generation_ = 0;
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
  return std::make_shared<engine>(c, std::move(file), out, std::move(options), std::move(done));
}

}  // namespace mtproto::download
