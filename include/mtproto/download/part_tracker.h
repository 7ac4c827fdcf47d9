/// \file
/// The bookkeeping of one download: which parts of a part_planner's plan are still to request,
/// which are in flight, which are done, and how often each failed. Pure: the engine tells it what
/// happened and asks what to request next; no I/O, no clocks.
#pragma once

#include <climits>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <system_error>
#include <unordered_map>
#include <vector>

#include "mtproto/download/export.h"
#include "mtproto/download/part_planner.h"

namespace mtproto::download {

/// Where one part of a download stands.
enum class part_state : std::uint8_t {
  planned,    ///< Still to request (never requested, or its last request failed).
  in_flight,  ///< Requested; the answer has not arrived.
  done,       ///< Its bytes were delivered.
};

/// The most parts one tracker follows: an 8 GiB file in the smallest (4 KiB) parts. The tracker
/// keeps one byte per part, so this bounds its memory to 2 MiB (plus one counter per part that
/// has failed), and the done bitmask to 256 KiB.
inline constexpr std::int64_t max_tracked_parts = (std::int64_t{8} * 1024 * mebibyte) / min_part_size;

/// The state of every part of one plan. Transitions:
///   planned → in_flight (mark_in_flight), in_flight → planned (mark_failed, counting a failure),
///   planned or in_flight → done (mark_done).
/// A call that does not match the part's state returns false and changes nothing, so a duplicate
/// or late answer cannot be counted twice. Not thread-safe.
///
/// A default-constructed tracker follows the empty plan: no parts, all_done().
class MTPROTO_DOWNLOAD_EXPORT part_tracker {
 public:
  /// Follows the empty plan.
  part_tracker() = default;

  /// Follows every part of `plan`, all planned. std::errc::value_too_large when the plan has more
  /// than max_tracked_parts parts (choose a bigger part size); `out` is unchanged then.
  static std::error_code create(const part_planner& plan, part_tracker& out);

  /// The plan whose parts are followed.
  const part_planner& plan() const noexcept { return plan_; }
  /// Number of parts, plan().part_count().
  std::int64_t part_count() const noexcept { return static_cast<std::int64_t>(states_.size()); }

  /// The state of part `index`; std::nullopt for an index outside the plan.
  std::optional<part_state> state(std::int64_t index) const noexcept;
  /// How many times part `index` failed (mark_failed); 0 for an index outside the plan.
  std::uint32_t failures(std::int64_t index) const noexcept;

  /// The lowest planned part whose index is at most `max_index` (the engine's window), or
  /// std::nullopt when there is none. O(1): the mutators keep the lowest planned part, which costs
  /// them a scan over the in-flight and done parts above a part that failed (at most a window).
  std::optional<std::int64_t> next(std::int64_t max_index = std::numeric_limits<std::int64_t>::max()) const noexcept;

  /// planned → in_flight; false (nothing changed) for any other state or a bad index.
  bool mark_in_flight(std::int64_t index) noexcept;
  /// in_flight or planned → done; false (nothing changed) if already done or a bad index.
  /// A planned part may become done because an answer can arrive after its request was given up.
  bool mark_done(std::int64_t index) noexcept;
  /// in_flight → planned and one more failure; false (nothing changed) for any other state or a
  /// bad index.
  bool mark_failed(std::int64_t index);

  /// Parts done.
  std::int64_t done_count() const noexcept { return done_count_; }
  /// Parts in flight.
  std::int64_t in_flight_count() const noexcept { return in_flight_count_; }
  /// Whether every part is done (true for the empty plan).
  bool all_done() const noexcept { return done_count_ == part_count(); }
  /// The first part not done: parts [0, first_not_done()) are all done; part_count() if all are.
  std::int64_t first_not_done() const noexcept { return first_not_done_; }
  /// Wanted bytes of the done parts (the sum of their `count`).
  std::int64_t bytes_done() const noexcept { return bytes_done_; }
  /// Wanted bytes of the whole plan, plan().range_size().
  std::int64_t bytes_total() const noexcept { return plan_.range_size(); }

  /// Size in bytes of the done bitmask: one bit per part, rounded up to whole bytes.
  std::size_t bitmask_size() const noexcept { return (states_.size() + CHAR_BIT - 1) / CHAR_BIT; }
  /// The done set for the resume journal: bit i (byte i / 8, bit i % 8, LSB first) is set when
  /// part i is done; bits past the last part are zero. bitmask_size() bytes.
  std::vector<std::uint8_t> export_done() const;
  /// Restores a done set written by export_done(): set bits become done, the other parts planned;
  /// failure counts are forgotten. Errors, changing nothing: download_errc::journal_mismatch when
  /// the size is not bitmask_size() (another plan), download_errc::journal_corrupt when a bit
  /// past the last part is set.
  std::error_code import_done(std::span<const std::uint8_t> bitmask);

 private:
  std::int64_t count_of(std::int64_t index) const noexcept;
  void advance_first_planned() noexcept;
  void advance_first_not_done() noexcept;

  part_planner plan_;
  std::vector<part_state> states_;
  // Failures are rare, so only parts that failed take memory for a counter.
  std::unordered_map<std::int64_t, std::uint32_t> failures_;
  std::int64_t done_count_ = 0;
  std::int64_t in_flight_count_ = 0;
  std::int64_t bytes_done_ = 0;
  std::int64_t first_not_done_ = 0;
  // No part below this one is planned; next() scans from here.
  std::int64_t first_planned_ = 0;
};

}  // namespace mtproto::download
