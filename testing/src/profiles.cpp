#include "mtproto/testdc/profiles.h"

#include <algorithm>
#include <array>

namespace mtproto::testdc {
namespace {

// Figures shared by every profile. None is published by Telegram; each is what public reports
// show (see testing/README.md, "Throttling profiles"):
//  - a round trip of 50 ms: a client in Europe to its nearest DC;
//  - 5 MB/s per connection: what users of single-connection downloaders report;
//  - 10 new connections per second per address before -429: clients that open dozens of
//    download sessions at once report transport flood; official ones open at most 8 per DC.
constexpr std::int32_t round_trip_ms = 50;
constexpr std::int64_t connection_rate = 5'000'000;
constexpr std::int32_t connections_per_second = 10;

fault_options shared_knobs() {
  fault_options f;
  f.latency_ms = round_trip_ms;
  f.rate_per_connection = connection_rate;
  f.connect_rate = connections_per_second;
  return f;
}

fault_options non_premium_user() {
  auto f = shared_knobs();
  // The one documented per-account limit: FLOOD_PREMIUM_WAIT_X for accounts without premium that
  // move a lot of data (X reported between 3 and 15 s). The byte threshold is not published:
  // 256 MiB makes a 1 GiB download meet it a few times.
  f.premium_wait_bytes = std::int64_t{256} << 20;
  f.premium_wait_seconds = 5;
  return f;
}

fault_options premium_user() { return shared_knobs(); }

fault_options bot() {
  auto f = shared_knobs();
  // Bots are never premium; the gateways built on bots report FLOOD_WAIT when one bot sends many
  // file requests a second, not premium waits. 30 requests/s per DC is the figure those reports
  // converge on, not a published one.
  f.flood_rps = 30;
  return f;
}

const std::array<throttle_profile, 3> profiles{{
    {"user",
     "non-premium user: 50 ms round trip, 5 MB/s per connection, 10 connections/s per address, "
     "FLOOD_PREMIUM_WAIT_5 after every 256 MiB served",
     non_premium_user()},
    {"premium", "premium user: 50 ms round trip, 5 MB/s per connection, 10 connections/s per address, no premium waits",
     premium_user()},
    {"bot", "bot: 50 ms round trip, 5 MB/s per connection, 10 connections/s per address, 30 requests/s per DC",
     bot()},
}};

}  // namespace

std::span<const throttle_profile> throttle_profiles() noexcept { return profiles; }

const throttle_profile* find_throttle_profile(std::string_view name) noexcept {
  const auto it = std::find_if(profiles.begin(), profiles.end(), [&](const throttle_profile& p) { return p.name == name; });
  return it == profiles.end() ? nullptr : &*it;
}

}  // namespace mtproto::testdc
