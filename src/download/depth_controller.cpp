#include "mtproto/download/depth_controller.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace mtproto::download {
namespace {

using clock = depth_controller::clock;
using std::chrono::milliseconds;

// Every configured duration is kept within a day, and round-trip samples within an hour, so sums
// and doublings of them cannot overflow; time points still saturate, since `now` is the caller's.
constexpr milliseconds max_option_duration{24 * 3600 * 1000};
constexpr double max_rtt_sample_seconds = 3600;
// A single part larger than this is counted as this much (no real part comes close: 1 MiB).
constexpr std::uint64_t max_part_bytes = std::uint64_t{1} << 40;
// Shorter rate windows would make buckets of a millisecond or less.
constexpr milliseconds min_rate_window{100};
// A pace is requests per second; no server takes more from one download than this.
constexpr double max_pace = 1e6;
// Nor is any pace slower than one request per 10 s: repeated floods must not drive it towards
// zero (where 1/pace overflows a duration); waits longer than that are the flood gate's business.
constexpr double min_pace = 0.1;

clock::time_point add(clock::time_point t, clock::duration d) noexcept {
  if (d <= clock::duration::zero()) return t;
  return t > clock::time_point::max() - d ? clock::time_point::max() : t + d;
}

clock::duration from_seconds(double s) noexcept {
  return std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(s));
}

milliseconds clamp_duration(milliseconds d) noexcept {
  return std::clamp(d, milliseconds::zero(), max_option_duration);
}

// NaN fails every comparison, so it falls back too.
double clamp_weight(double v, double fallback) noexcept { return v > 0 && v <= 1 ? v : fallback; }

depth_options clamped(depth_options o) noexcept {
  const depth_options defaults;
  o.max_sessions = std::clamp(o.max_sessions, 1, max_download_sessions_limit);
  o.initial_sessions = std::clamp(o.initial_sessions, 1, o.max_sessions);
  o.max_in_flight = std::clamp(o.max_in_flight, 1, max_in_flight_limit);
  o.min_in_flight = std::clamp(o.min_in_flight, 1, o.max_in_flight);
  o.max_in_flight_per_session = std::clamp(o.max_in_flight_per_session, 1, max_in_flight_limit);
  if (!(o.decrease_factor > 0 && o.decrease_factor < 1)) o.decrease_factor = defaults.decrease_factor;
  for (milliseconds* d : {&o.min_change_interval, &o.settle_time, &o.measure_interval, &o.start_measure_interval,
                          &o.calm_period, &o.flood_echo, &o.steady_probe_interval, &o.max_steady_probe_interval,
                          &o.ceiling_memory, &o.max_ceiling_memory, &o.transient_failure_window,
                          &o.pace_raise_interval})
    *d = clamp_duration(*d);
  o.rate_window = std::clamp(o.rate_window, min_rate_window, max_rate_window);
  o.start_measure_interval = std::max(o.start_measure_interval, min_start_measure_interval);
  if (!(o.start_measure_rtts >= 1 && o.start_measure_rtts <= 100)) o.start_measure_rtts = defaults.start_measure_rtts;
  if (!(o.pace_factor > 0 && o.pace_factor < 1)) o.pace_factor = defaults.pace_factor;
  if (!(o.pace_raise >= 0 && o.pace_raise <= 1)) o.pace_raise = defaults.pace_raise;
  o.max_steady_probe_interval = std::max(o.max_steady_probe_interval, o.steady_probe_interval);
  o.max_ceiling_memory = std::max(o.max_ceiling_memory, o.ceiling_memory);
  o.min_parts_per_sample = std::max(o.min_parts_per_sample, 1);
  if (!(o.min_gain >= 0 && o.min_gain <= 1000)) o.min_gain = defaults.min_gain;
  if (!(o.min_pipe_fill >= 0 && o.min_pipe_fill <= 1)) o.min_pipe_fill = defaults.min_pipe_fill;
  if (!(o.start_min_pipe_fill >= 0 && o.start_min_pipe_fill <= 1)) o.start_min_pipe_fill = defaults.start_min_pipe_fill;
  o.transient_failure_limit = std::max(o.transient_failure_limit, 1);
  o.rtt_smoothing = clamp_weight(o.rtt_smoothing, defaults.rtt_smoothing);
  o.throughput_smoothing = clamp_weight(o.throughput_smoothing, defaults.throughput_smoothing);
  return o;
}

int initial_in_flight(const depth_options& o, std::uint64_t part_size) noexcept {
  const std::uint64_t parts = o.initial_bytes_in_flight / part_size + (o.initial_bytes_in_flight % part_size != 0);
  const int hi = std::max(o.min_in_flight, std::min(o.max_in_flight, o.initial_sessions * o.max_in_flight_per_session));
  return static_cast<int>(std::clamp<std::uint64_t>(parts, static_cast<std::uint64_t>(o.min_in_flight),
                                                    static_cast<std::uint64_t>(hi)));
}

}  // namespace

depth_controller::depth_controller(std::uint32_t part_size, clock::time_point now, depth_options options)
    : options_(clamped(options)),
      part_size_(std::max<std::uint32_t>(part_size, 1)),
      in_flight_(initial_in_flight(options_, part_size_)),
      sessions_(std::min(options_.initial_sessions, in_flight_)),
      now_(now),
      last_change_(now),
      steady_pause_(options_.steady_probe_interval),
      ceiling_memory_(options_.ceiling_memory),
      epoch_(now),
      bucket_length_(std::chrono::duration_cast<clock::duration>(options_.rate_window) / rate_buckets) {
  if (options_.slow_start) phase_ = phase::starting;
  begin_measurement(now);
}

clock::time_point depth_controller::observe(clock::time_point now) noexcept {
  // Events that arrive out of order (or a clock read on another thread) must not move time back.
  now_ = std::max(now_, now);
  roll_rate(now_);
  return now_;
}

void depth_controller::roll_rate(clock::time_point now) noexcept {
  const std::int64_t bucket = (now - epoch_) / bucket_length_;
  if (bucket - rate_bucket_ >= rate_buckets) {
    responses_.fill(0);
  } else {
    for (std::int64_t b = rate_bucket_ + 1; b <= bucket; ++b) responses_[static_cast<std::size_t>(b % rate_buckets)] = 0;
  }
  rate_bucket_ = std::max(rate_bucket_, bucket);
}

void depth_controller::count_response(clock::time_point now) noexcept {
  roll_rate(now);
  auto& n = responses_[static_cast<std::size_t>(rate_bucket_ % rate_buckets)];
  if (n < std::numeric_limits<std::uint32_t>::max()) ++n;
}

double depth_controller::response_rate() const noexcept {
  std::uint64_t total = 0;
  for (auto n : responses_) total += n;
  // The current bucket is only partly over, and at the start there is less history than a window.
  const clock::duration in_current = (now_ - epoch_) - rate_bucket_ * bucket_length_;
  clock::duration covered = (rate_buckets - 1) * bucket_length_ + in_current;
  covered = std::max(std::min(covered, now_ - epoch_), bucket_length_);
  return static_cast<double>(total) / std::chrono::duration<double>(covered).count();
}

void depth_controller::raise_pace(clock::time_point now) noexcept {
  if (pace_ <= 0 || now < pace_memory_until_ || now < add(pace_changed_, options_.pace_raise_interval)) return;
  pace_changed_ = now;
  // A pace that requests do not reach is not what limits the download: raising it says nothing.
  if (response_rate() < 0.8 * pace_) return;
  pace_ = std::min(pace_ * (1 + options_.pace_raise), max_pace);
}

clock::duration depth_controller::smoothed_rtt() const noexcept { return from_seconds(rtt_seconds_); }

double depth_controller::pipe_requests() const noexcept {
  return throughput_ * rtt_seconds_ / static_cast<double>(part_size_);
}

clock::duration depth_controller::measurement_length() const noexcept {
  if (phase_ != phase::starting) return options_.measure_interval;
  return std::max<clock::duration>(options_.start_measure_interval, from_seconds(options_.start_measure_rtts * rtt_seconds_));
}

bool depth_controller::measurement_done(clock::time_point now) const noexcept {
  if (now < add(measure_from_, measurement_length()) || now <= measure_from_) return false;
  if (phase_ == phase::starting) return measured_parts_ >= std::max(options_.min_parts_per_sample, in_flight_);
  return measured_parts_ >= options_.min_parts_per_sample && now >= add(last_change_, options_.min_change_interval);
}

clock::time_point depth_controller::next_decision_at() const noexcept {
  if (!measuring()) return wake_at_;
  const clock::time_point measured_until = add(measure_from_, measurement_length());
  if (phase_ == phase::starting) return measured_until;
  return std::max(measured_until, add(last_change_, options_.min_change_interval));
}

void depth_controller::begin_measurement(clock::time_point now) noexcept {
  // Answers within a round trip of a change were sent under the old targets. Outside slow start
  // two are skipped (and settle_time at least): probes there are judged on finer differences.
  clock::duration settle = from_seconds((phase_ == phase::starting ? 1 : 2) * rtt_seconds_);
  if (phase_ != phase::starting) settle = std::max<clock::duration>(options_.settle_time, settle);
  measure_from_ = add(now, settle);
  measured_bytes_ = 0;
  measured_parts_ = 0;
  measured_rtt_max_ = 0;
}

void depth_controller::change(int in_flight, int sessions, phase next, clock::time_point now) noexcept {
  in_flight_ = in_flight;
  sessions_ = std::min(sessions, in_flight);
  phase_ = next;
  last_change_ = now;
  begin_measurement(now);
}

bool depth_controller::allowed(int in_flight, int sessions, clock::time_point now) const noexcept {
  if (in_flight > options_.max_in_flight || sessions > options_.max_sessions || sessions > in_flight) return false;
  if (in_flight > sessions * options_.max_in_flight_per_session) return false;
  const ceiling& c = ceilings_[static_cast<std::size_t>(sessions)];
  return c.until <= now || in_flight < c.in_flight;
}

bool depth_controller::paid(double measured, int from) const noexcept {
  if (baseline_ <= 0) return measured > 0;
  // Scaled by `from`: with latency-bound connections, going from n to n + 1 requests (or s to
  // s + 1 connections) can raise throughput by 1/n (1/s) at best.
  return (measured / baseline_ - 1) * from >= options_.min_gain;
}

void depth_controller::settle_steady(clock::time_point now) {
  phase_ = phase::steady;
  wake_at_ = add(now, steady_pause_);
  steady_pause_ = std::min<clock::duration>(2 * steady_pause_, options_.max_steady_probe_interval);
}

void depth_controller::try_probe(double measured, clock::time_point now) {
  // An unfilled target means the bottleneck is elsewhere (the sink, the end of the file): a
  // higher one would not be used.
  const double pipe = measured * rtt_seconds_ / static_cast<double>(part_size_);
  if (pipe < options_.min_pipe_fill * in_flight_) return settle_steady(now);
  probe_from_in_flight_ = in_flight_;
  probe_from_sessions_ = sessions_;
  if (sessions_paid_) {
    // Connections are what paid last time (each is capped on its own): add another, with as many
    // requests as the others carry, before trying depth again.
    const int per_session = (in_flight_ + sessions_ - 1) / sessions_;
    const int grown = std::max(in_flight_ + per_session, sessions_ + 1);
    if (allowed(grown, sessions_ + 1, now)) return change(grown, sessions_ + 1, phase::probing_sessions, now);
  }
  if (allowed(in_flight_ + 1, sessions_, now)) return change(in_flight_ + 1, sessions_, phase::probing_depth, now);
  const int with_session = std::max(in_flight_, sessions_ + 1);
  if (allowed(with_session, sessions_ + 1, now))
    return change(with_session, sessions_ + 1, phase::probing_sessions, now);
  settle_steady(now);
}

void depth_controller::start_step(double measured, clock::time_point now) {
  if (baseline_ > 0 && measured < baseline_ * (1 + options_.min_gain)) {
    // The doubling did not pay: undo it, and go on one step at a time from there.
    return change(probe_from_in_flight_, probe_from_sessions_, phase::measuring, now);
  }
  baseline_ = measured;
  // Requests really in flight, by Little's law with this measurement's longest round trip: the
  // smoothed one lags behind the queueing each doubling adds, and the first parts of a window
  // sent all at once (the very first one) come back before the queue behind them has formed.
  const double pipe = measured * measured_rtt_max_ / static_cast<double>(part_size_);
  int in_flight = std::min(2 * in_flight_, options_.max_in_flight);
  const int sessions = std::min(2 * sessions_, options_.max_sessions);
  // The per-connection cap must not turn a doubling into a cut (below min_in_flight, even).
  in_flight = std::max(std::min(in_flight, sessions * options_.max_in_flight_per_session), in_flight_);
  if (pipe < options_.start_min_pipe_fill * in_flight_ || (in_flight <= in_flight_ && sessions <= sessions_) ||
      !allowed(in_flight, sessions, now)) {
    // Something else limits the download, or the doubling is not allowed: one step at a time.
    phase_ = phase::measuring;
    return try_probe(measured, now);
  }
  probe_from_in_flight_ = in_flight_;
  probe_from_sessions_ = sessions_;
  change(in_flight, sessions, phase::starting, now);
}

void depth_controller::step(clock::time_point now) {
  raise_pace(now);
  if (!measuring()) {
    if (now < wake_at_) return;
    phase_ = phase::measuring;
    return begin_measurement(now);
  }
  if (!measurement_done(now)) return;
  const double measured =
      static_cast<double>(measured_bytes_) / std::chrono::duration<double>(now - measure_from_).count();
  throughput_ = have_throughput_ ? throughput_ + options_.throughput_smoothing * (measured - throughput_) : measured;
  have_throughput_ = true;

  switch (phase_) {
    case phase::starting: return start_step(measured, now);
    case phase::probing_depth:
      if (!paid(measured, probe_from_in_flight_)) {
        // More requests on these connections no longer help: they are saturated. Try the extra
        // request on one more connection, else undo it.
        if (allowed(in_flight_, sessions_ + 1, now))
          return change(in_flight_, sessions_ + 1, phase::probing_sessions, now);
        change(probe_from_in_flight_, probe_from_sessions_, phase::steady, now);
        return settle_steady(now);
      }
      break;
    case phase::probing_sessions:
      if (!paid(measured, probe_from_sessions_)) {
        const bool had_momentum = sessions_paid_;
        sessions_paid_ = false;
        change(probe_from_in_flight_, probe_from_sessions_, phase::steady, now);
        // A session probe out of momentum that did not pay may still leave depth to try.
        if (had_momentum) return try_probe(measured, now);
        return settle_steady(now);
      }
      sessions_paid_ = true;
      break;
    default:
      break;
  }
  if (phase_ != phase::measuring) steady_pause_ = options_.steady_probe_interval;  // the probe paid
  baseline_ = measured;
  try_probe(measured, now);
}

void depth_controller::on_part(std::uint64_t bytes, clock::duration round_trip, clock::time_point now) {
  now = observe(now);
  count_response(now);
  const double sample =
      std::clamp(std::chrono::duration<double>(round_trip).count(), 0.0, max_rtt_sample_seconds);
  rtt_seconds_ = have_rtt_ ? rtt_seconds_ + options_.rtt_smoothing * (sample - rtt_seconds_) : sample;
  have_rtt_ = true;
  if (measuring() && now >= measure_from_ && measured_parts_ < std::numeric_limits<int>::max()) {
    measured_bytes_ += std::min(bytes, max_part_bytes);
    measured_rtt_max_ = std::max(measured_rtt_max_, sample);
    ++measured_parts_;
  }
  step(now);
}

void depth_controller::on_flood(std::chrono::seconds wait, clock::time_point now) {
  now = observe(now);
  count_response(now);
  ++floods_;
  sessions_paid_ = false;
  wait = std::clamp(wait, std::chrono::seconds::zero(),
                    std::chrono::duration_cast<std::chrono::seconds>(max_option_duration));
  const clock::duration echo = std::max<clock::duration>(options_.flood_echo, from_seconds(2 * rtt_seconds_));
  if (!decreased_ || now >= add(last_decrease_, echo)) {
    // Memory doubles while floods keep coming back (the same limit met again after it was
    // forgotten), and starts afresh after a long flood-free stretch.
    const bool repeated = decreased_ && now < add(last_decrease_, options_.max_ceiling_memory);
    ceiling_memory_ = repeated ? std::min<clock::duration>(2 * ceiling_memory_, options_.max_ceiling_memory)
                               : clock::duration(options_.ceiling_memory);
    const clock::time_point until = add(now, ceiling_memory_);
    // With more connections the same requests go out at least as fast (each has its own
    // bandwidth), so past the session count that flooded no level is allowed while remembered.
    for (int s = sessions_; s <= options_.max_sessions; ++s) {
      ceiling& c = ceilings_[static_cast<std::size_t>(s)];
      const int limit = s == sessions_ ? in_flight_ : 0;
      if (c.until <= now || limit < c.in_flight) c.in_flight = limit;
      c.until = std::max(c.until, until);
    }
    // Requests were reaching the server faster than it takes: pace them below that rate.
    // Under a pace, requests reach the server no faster than it: a higher measured rate is the
    // noise of answers arriving in bunches.
    double rate = response_rate();
    if (pace_ > 0) rate = std::min(rate, pace_);
    if (rate > 0) {
      pace_ = std::clamp(options_.pace_factor * rate, min_pace, max_pace);
      pace_changed_ = now;
      pace_memory_until_ = until;
    }
    const int lowered =
        std::max(options_.min_in_flight, static_cast<int>(std::floor(in_flight_ * options_.decrease_factor)));
    in_flight_ = std::min(lowered, in_flight_);
    sessions_ = std::min(sessions_, in_flight_);
    last_change_ = now;
    decreased_ = true;
    last_decrease_ = now;
  }
  const clock::time_point wake = add(add(now, wait), options_.calm_period);
  wake_at_ = phase_ == phase::holding ? std::max(wake_at_, wake) : wake;
  phase_ = phase::holding;
}

void depth_controller::on_transient_failure(clock::time_point now) {
  now = observe(now);
  if (failures_ == 0 || now >= add(failure_window_from_, options_.transient_failure_window)) {
    failure_window_from_ = now;
    failures_ = 0;
  }
  ++failures_;
  // A failure disturbs the measurement under way: start it again rather than judge a probe by it.
  const bool was_measuring = measuring();
  if (was_measuring) begin_measurement(now);
  if (failures_ < options_.transient_failure_limit || now < add(last_change_, options_.min_change_interval)) return;
  failures_ = 0;
  if (in_flight_ <= options_.min_in_flight) return;
  change(in_flight_ - 1, sessions_, was_measuring ? phase::measuring : phase_, now);
}

void depth_controller::advance(clock::time_point now) { step(observe(now)); }

}  // namespace mtproto::download
