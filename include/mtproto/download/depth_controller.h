/// \file
/// How many upload.getFile requests one download keeps in flight on one DC, and over how many
/// connections (download sessions). Pure and deterministic: it learns from timestamped events
/// (a part answered, a flood wait, a transient failure) and answers with two targets; the engine
/// sends and receives. Every decision can therefore be replayed in a unit test.
///
/// The policy, in short:
/// - Start where the official clients sit: about 2 MiB in flight per DC on one connection, then
///   slow-start: double both targets after each short measurement that shows the doubling paid,
///   until one does not (undone) or the server floods. Slow start is timed by the round trip (a
///   doubling every few round trips, once a full window of parts has come back), so a download
///   100 ms away reaches 8 connections in about a second, not after five.
/// - Measure throughput over a window after each change, and keep a smoothed round trip, whose
///   product with the throughput (bandwidth × round trip, in parts) is the pipe the target must
///   cover. A pipe well below the target means something else limits the download (the sink, the
///   end of the file), and probing upward is pointless then.
/// - When calm, probe upward: one more request in flight. When that no longer raises throughput
///   (the connections are saturated), probe one more connection instead. A probe that does not
///   pay is undone, and probing backs off (doubling) until it pays again.
/// - On a flood wait: multiplicative decrease, hold until the wait plus a calm period are over,
///   and remember the level that flooded (requests in flight at that session count; any level
///   with more sessions), so probing stays below it for a while, that while doubling on repeated
///   floods, instead of flooding in a sawtooth.
/// - A flood also sets a request pace: a fraction of the rate requests were reaching the server
///   at when it flooded (answers and refusals alike, over the last rate window). Request-rate and
///   byte-rate limits are both met by pacing, where fewer requests in flight would not help on
///   fast connections. While the flood is remembered (as long as the level that flooded) the
///   pace stays; then it rises slowly, and the next flood lowers it again.
/// - Every change is rate-limited by time; nothing here loops on its own.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>

#include "mtproto/download/export.h"

namespace mtproto::download {

/// Bytes the official clients keep in flight per DC for a non-premium account (4 × 512 KiB).
inline constexpr std::uint64_t default_initial_bytes_in_flight = std::uint64_t{2} << 20;
/// Upper bound of depth_options::max_sessions, whatever the caller configures.
inline constexpr int max_download_sessions_limit = 64;
/// Upper bound of depth_options::max_in_flight, whatever the caller configures.
inline constexpr int max_in_flight_limit = 1024;
/// Lower bound of depth_options::start_measure_interval: slow start never doubles faster than this.
inline constexpr std::chrono::milliseconds min_start_measure_interval{20};
/// Upper bound of depth_options::rate_window.
inline constexpr std::chrono::milliseconds max_rate_window{10'000};

/// Tunables of a depth_controller; out-of-range values are clamped by the constructor.
struct depth_options {
  std::uint64_t initial_bytes_in_flight = default_initial_bytes_in_flight;  ///< Start: bytes in flight.
  int initial_sessions = 1;          ///< Start: connections.
  int min_in_flight = 1;             ///< Requests in flight never drop below this.
  int max_in_flight = 32;            ///< Requests in flight never exceed this (at most max_in_flight_limit).
  int max_in_flight_per_session = 16;  ///< Requests in flight per connection never exceed this on average.
  int max_sessions = 8;              ///< Connections per DC never exceed this (at most max_download_sessions_limit).
  double decrease_factor = 0.5;      ///< On a flood, requests in flight are multiplied by this, in (0, 1).

  /// Least time between two changes of the targets (flood decreases: see flood_echo below).
  std::chrono::milliseconds min_change_interval{1000};
  /// After a change, parts answered during this long (or two smoothed round trips, if longer) are
  /// not measured: they were sent under the old targets.
  std::chrono::milliseconds settle_time{500};
  std::chrono::milliseconds measure_interval{2000};  ///< Length of one throughput measurement.

  /// Double both targets while each doubling pays (see phase::starting); off: probe one step at a time.
  bool slow_start = true;
  /// Slow start runs on the round trip, not on the clock: after a doubling it waits one smoothed
  /// round trip (the answers to the old targets), then measures for start_measure_rtts round trips
  /// and at least as many parts as are in flight (one full window), never shorter than this
  /// (at least min_start_measure_interval). min_change_interval and settle_time do not apply to it.
  std::chrono::milliseconds start_measure_interval{100};
  double start_measure_rtts = 1;  ///< See start_measure_interval, in [1, 100].

  /// min_pipe_fill in slow start, in [0, 1]: lower, since the smoothed round trip lags behind the
  /// queueing each doubling adds.
  double start_min_pipe_fill = 0.6;
  int min_parts_per_sample = 4;  ///< A measurement needs at least this many parts answered.

  /// A probe pays if throughput rises by at least this fraction of the ideal rise (1/n for the
  /// n-th + 1 request, 1/s for the s-th + 1 connection).
  double min_gain = 0.25;
  /// Probing upward needs the pipe (last measured bandwidth × smoothed round trip, in requests)
  /// to fill at least this fraction of the target, in [0, 1].
  double min_pipe_fill = 0.75;
  std::chrono::milliseconds calm_period{10'000};  ///< After a flood's wait, no probing for this long.
  /// Floods answered within this long of a decrease (or two smoothed round trips, if longer) were
  /// sent before it and do not decrease again.
  std::chrono::milliseconds flood_echo{1000};
  std::chrono::milliseconds steady_probe_interval{5'000};      ///< First pause after a probe that did not pay.
  std::chrono::milliseconds max_steady_probe_interval{60'000};  ///< Longest such pause (it doubles up to this).
  std::chrono::milliseconds ceiling_memory{300'000};       ///< How long a level that flooded is avoided.
  std::chrono::milliseconds max_ceiling_memory{3'600'000};  ///< Longest memory (it doubles on repeated floods).
  /// After a flood the pace is this fraction of the rate requests were reaching the server, in (0, 1).
  double pace_factor = 0.9;
  /// Once the last flood is forgotten (ceiling_memory), the pace rises by pace_raise (a fraction)
  /// after each pace_raise_interval without a flood, while requests go out at (nearly) the pace.
  double pace_raise = 0.05;
  std::chrono::milliseconds pace_raise_interval{20000};  ///< See pace_raise.
  /// Request rates are measured over this long (at most max_rate_window).
  std::chrono::milliseconds rate_window{1000};
  /// This many transient failures within transient_failure_window take one request off the target.
  int transient_failure_limit = 3;
  std::chrono::milliseconds transient_failure_window{10'000};  ///< See transient_failure_limit.
  double rtt_smoothing = 0.125;        ///< Weight of a new round-trip sample, in (0, 1].
  double throughput_smoothing = 0.25;  ///< Weight of a new throughput measurement, in (0, 1].
};

/// The adaptive in-flight controller for one download on one DC.
class MTPROTO_DOWNLOAD_EXPORT depth_controller {
 public:
  using clock = std::chrono::steady_clock;  ///< The clock of every time point given and returned.

  /// What the controller is doing.
  enum class phase : std::uint8_t {
    starting,          ///< Slow start: measuring a doubling of both targets.
    measuring,         ///< Measuring throughput at the current targets.
    probing_depth,     ///< Measuring one more request in flight.
    probing_sessions,  ///< Measuring one more connection.
    holding,           ///< After a flood: no increase until next_decision_at().
    steady,            ///< The last probe did not pay (or none is allowed); next one at next_decision_at().
  };

  /// A controller for parts of `part_size` bytes (0 is taken as 1) starting at `now`: requests in
  /// flight ceil(initial_bytes_in_flight / part_size), within the limits of `options`.
  depth_controller(std::uint32_t part_size, clock::time_point now, depth_options options = {});

  /// A part of `bytes` bytes was answered `round_trip` after its request was sent.
  void on_part(std::uint64_t bytes, clock::duration round_trip, clock::time_point now);
  /// A request was answered FLOOD_WAIT_X, FLOOD_PREMIUM_WAIT_X or -429, asking to wait `wait`.
  void on_flood(std::chrono::seconds wait, clock::time_point now);
  /// A request failed in a way that is retried (timeout, connection lost, an internal server error).
  void on_transient_failure(clock::time_point now);
  /// Lets time pass with no event (call it at next_decision_at() when nothing arrives).
  void advance(clock::time_point now);

  /// Requests to keep in flight, over all connections.
  int target_in_flight() const noexcept { return in_flight_; }
  /// The most requests per second to send, over all connections; 0: no pace (no flood yet).
  double target_request_rate() const noexcept { return pace_; }
  /// Connections to spread them over (never more than target_in_flight()).
  int target_sessions() const noexcept { return sessions_; }
  /// target_in_flight() × part size.
  std::uint64_t target_bytes_in_flight() const noexcept { return std::uint64_t(in_flight_) * part_size_; }
  /// See phase.
  phase current_phase() const noexcept { return phase_; }
  /// The earliest time a decision may change the targets without a new event.
  clock::time_point next_decision_at() const noexcept;
  /// Smoothed throughput in bytes per second (0 before the first measurement).
  double throughput() const noexcept { return throughput_; }
  /// Smoothed round trip of a part (zero before the first one).
  clock::duration smoothed_rtt() const noexcept;
  /// Bandwidth × round trip in requests: how many requests the measured pipe holds.
  double pipe_requests() const noexcept;
  /// Answers (parts and floods) per second over the last rate window.
  double response_rate() const noexcept;
  /// Floods reported so far.
  std::uint64_t floods() const noexcept { return floods_; }
  /// The options in effect (after clamping).
  const depth_options& options() const noexcept { return options_; }

 private:
  struct ceiling {
    int in_flight = 0;  // this many requests (or more) flooded with this many sessions
    clock::time_point until{};
  };

  bool measuring() const noexcept { return phase_ != phase::holding && phase_ != phase::steady; }
  clock::duration measurement_length() const noexcept;
  bool measurement_done(clock::time_point now) const noexcept;
  void count_response(clock::time_point now) noexcept;
  void roll_rate(clock::time_point now) noexcept;
  void start_step(double measured, clock::time_point now);
  void raise_pace(clock::time_point now) noexcept;
  clock::time_point observe(clock::time_point now) noexcept;
  void step(clock::time_point now);
  void begin_measurement(clock::time_point now) noexcept;
  void change(int in_flight, int sessions, phase next, clock::time_point now) noexcept;
  void try_probe(double measured, clock::time_point now);
  void settle_steady(clock::time_point now);
  bool allowed(int in_flight, int sessions, clock::time_point now) const noexcept;
  bool paid(double measured, int from) const noexcept;

  depth_options options_;
  std::uint64_t part_size_;
  int in_flight_;
  int sessions_;
  phase phase_ = phase::measuring;
  clock::time_point now_;
  clock::time_point last_change_;
  clock::time_point measure_from_;
  std::uint64_t measured_bytes_ = 0;
  int measured_parts_ = 0;
  double measured_rtt_max_ = 0;  // seconds, the longest round trip of the parts measured
  double baseline_ = 0;  // throughput at the targets before the probe under way
  int probe_from_in_flight_ = 0;
  int probe_from_sessions_ = 0;
  bool sessions_paid_ = false;   // the last session probe paid: the next probe adds a session first
  clock::time_point wake_at_{};  // end of holding / steady
  clock::duration steady_pause_;
  bool decreased_ = false;
  clock::time_point last_decrease_{};
  clock::duration ceiling_memory_;
  std::array<ceiling, max_download_sessions_limit + 1> ceilings_{};  // by session count
  clock::time_point failure_window_from_{};
  int failures_ = 0;
  bool have_rtt_ = false;
  double rtt_seconds_ = 0;
  bool have_throughput_ = false;
  double throughput_ = 0;
  std::uint64_t floods_ = 0;
  // Responses per rate bucket (rate_window / rate_buckets each), a ring indexed by bucket number.
  static constexpr int rate_buckets = 16;
  std::array<std::uint32_t, rate_buckets> responses_{};
  std::int64_t rate_bucket_ = 0;  // number of the bucket now_ falls in, counted from epoch_
  clock::time_point epoch_;
  clock::duration bucket_length_;
  double pace_ = 0;          // requests/s; 0: none
  clock::time_point pace_changed_{};
  clock::time_point pace_memory_until_{};
};

}  // namespace mtproto::download
