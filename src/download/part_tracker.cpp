#include "mtproto/download/part_tracker.h"

#include <algorithm>
#include <climits>

#include "mtproto/download/error.h"

namespace mtproto::download {
namespace {

// LSB first: part i is bit i % CHAR_BIT of byte i / CHAR_BIT.
constexpr std::uint8_t bit_of(std::size_t index) noexcept {
  return static_cast<std::uint8_t>(1U << (index % CHAR_BIT));
}

}  // namespace

std::error_code part_tracker::create(const part_planner& plan, part_tracker& out) {
  if (plan.part_count() > max_tracked_parts) return std::make_error_code(std::errc::value_too_large);
  part_tracker t;
  t.plan_ = plan;
  t.states_.assign(static_cast<std::size_t>(plan.part_count()), part_state::planned);
  out = std::move(t);
  return {};
}

std::optional<part_state> part_tracker::state(std::int64_t index) const noexcept {
  if (index < 0 || index >= part_count()) return std::nullopt;
  return states_[static_cast<std::size_t>(index)];
}

std::uint32_t part_tracker::failures(std::int64_t index) const noexcept {
  const auto it = failures_.find(index);
  return it == failures_.end() ? 0 : it->second;
}

std::optional<std::int64_t> part_tracker::next(std::int64_t max_index) const noexcept {
  // first_planned_ is kept exact by the mutators, so no scan is needed here.
  if (first_planned_ >= part_count() || first_planned_ > max_index) return std::nullopt;
  return first_planned_;
}

bool part_tracker::mark_in_flight(std::int64_t index) noexcept {
  if (state(index) != part_state::planned) return false;
  states_[static_cast<std::size_t>(index)] = part_state::in_flight;
  ++in_flight_count_;
  if (index == first_planned_) advance_first_planned();
  return true;
}

bool part_tracker::mark_done(std::int64_t index) noexcept {
  const auto s = state(index);
  if (!s || *s == part_state::done) return false;
  if (*s == part_state::in_flight) --in_flight_count_;
  states_[static_cast<std::size_t>(index)] = part_state::done;
  ++done_count_;
  bytes_done_ += count_of(index);
  if (index == first_planned_) advance_first_planned();
  if (index == first_not_done_) advance_first_not_done();
  return true;
}

bool part_tracker::mark_failed(std::int64_t index) {
  if (state(index) != part_state::in_flight) return false;
  auto& n = failures_[index];
  if (n < std::numeric_limits<std::uint32_t>::max()) ++n;
  states_[static_cast<std::size_t>(index)] = part_state::planned;
  --in_flight_count_;
  first_planned_ = std::min(first_planned_, index);
  return true;
}

std::vector<std::uint8_t> part_tracker::export_done() const {
  std::vector<std::uint8_t> bits(bitmask_size(), 0);
  for (std::size_t i = 0; i < states_.size(); ++i)
    if (states_[i] == part_state::done) bits[i / CHAR_BIT] |= bit_of(i);
  return bits;
}

std::error_code part_tracker::import_done(std::span<const std::uint8_t> bitmask) {
  if (bitmask.size() != bitmask_size()) return download_errc::journal_mismatch;
  // Stray high bits mean the journal was damaged or written by something else; trusting the other
  // bits would skip parts that were never downloaded.
  const std::size_t tail_bits = states_.size() % CHAR_BIT;
  if (tail_bits != 0 && (bitmask.back() >> tail_bits) != 0) return download_errc::journal_corrupt;

  failures_.clear();
  done_count_ = 0;
  in_flight_count_ = 0;
  bytes_done_ = 0;
  for (std::size_t i = 0; i < states_.size(); ++i) {
    const bool done = (bitmask[i / CHAR_BIT] & bit_of(i)) != 0;
    states_[i] = done ? part_state::done : part_state::planned;
    if (done) {
      ++done_count_;
      bytes_done_ += count_of(static_cast<std::int64_t>(i));
    }
  }
  first_planned_ = 0;
  first_not_done_ = 0;
  advance_first_planned();
  advance_first_not_done();
  return {};
}

std::int64_t part_tracker::count_of(std::int64_t index) const noexcept {
  const auto p = plan_.part(index);
  return p ? p->count : 0;
}

void part_tracker::advance_first_planned() noexcept {
  while (first_planned_ < part_count() && states_[static_cast<std::size_t>(first_planned_)] != part_state::planned)
    ++first_planned_;
}

void part_tracker::advance_first_not_done() noexcept {
  while (first_not_done_ < part_count() && states_[static_cast<std::size_t>(first_not_done_)] == part_state::done)
    ++first_not_done_;
}

}  // namespace mtproto::download
