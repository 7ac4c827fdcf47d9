#include "mtproto/testdc/options.h"

#include "mtproto/testdc/profiles.h"

#include <algorithm>
#include <charconv>
#include <thread>
#include <limits>
#include <stdexcept>

namespace mtproto::testdc {
namespace {

constexpr std::int32_t max_dcs = 5;  // Telegram's production DC count
constexpr std::uint32_t max_port = 65535;
constexpr std::int32_t max_latency_ms = 60'000;
constexpr std::int32_t max_threads = 64;

template <class T>
T parse_number(std::string_view text, std::string_view what) {
  T value{};
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc() || ptr != end) throw std::invalid_argument(std::string(what) + ": not a number: " + std::string(text));
  return value;
}

constexpr double max_run_seconds = 366.0 * 24 * 3600;

double parse_seconds(std::string_view text, std::string_view what) {
  // from_chars for double is in libstdc++ 11+.
  double value = 0;
  const auto* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, value);
  // inf, nan and values beyond a year are refused: they would overflow the timer's duration.
  if (ec != std::errc() || ptr != end || !(value >= 0) || value > max_run_seconds)
    throw std::invalid_argument(std::string(what) + ": not a number of seconds in [0, " +
                                std::to_string(static_cast<long>(max_run_seconds)) + "]: " + std::string(text));
  return value;
}

std::int64_t parse_size(std::string_view text, std::string_view what = "--file size") {
  std::int64_t unit = 1;
  if (!text.empty()) {
    switch (text.back()) {
      case 'K': case 'k': unit = std::int64_t{1} << 10; break;
      case 'M': case 'm': unit = std::int64_t{1} << 20; break;
      case 'G': case 'g': unit = std::int64_t{1} << 30; break;
      default: break;
    }
    if (unit != 1) text.remove_suffix(1);
  }
  const auto n = parse_number<std::int64_t>(text, what);
  if (n < 0 || n > std::numeric_limits<std::int64_t>::max() / unit) throw std::invalid_argument(std::string(what) + " out of range");
  return n * unit;
}

/// 32 hex digits, or `dd` + 32; fake-TLS (`ee`) secrets are refused (the transport has no fake TLS).
transport::proxy_secret parse_proxy_secret(std::string_view hex) {
  auto secret = transport::proxy_secret::from_hex(hex);
  if (!secret || secret->kind == transport::proxy_secret::mode::fake_tls)
    throw std::invalid_argument("--proxy-secret expects 32 hex digits, optionally prefixed by dd, got " + std::string(hex));
  return *secret;
}

/// --premium-wait-after BYTES[:SECONDS]
void parse_premium_wait(std::string_view spec, fault_options& f) {
  const auto colon = spec.find(':');
  f.premium_wait_bytes = parse_size(spec.substr(0, colon), "--premium-wait-after");
  if (colon != std::string_view::npos)
    f.premium_wait_seconds = parse_number<std::int32_t>(spec.substr(colon + 1), "--premium-wait-after seconds");
  if (f.premium_wait_bytes == 0) throw std::invalid_argument("--premium-wait-after needs a positive byte count");
}

}  // namespace

std::string proxy_secret_hex(const transport::proxy_secret& secret) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out = secret.kind == transport::proxy_secret::mode::padded ? "dd" : "";
  for (auto b : secret.key) {
    out += digits[b >> 4];
    out += digits[b & 15];
  }
  return out;
}

std::vector<file_spec> default_files() {
  return {{"fixture-3mib.bin", 3 * (std::int64_t{1} << 20) + 12345, 1, false},
          {"fixture-dc2.bin", (std::int64_t{1} << 20) + 777, 2, false}};
}

file_spec parse_file_spec(std::string_view spec) {
  std::vector<std::string_view> parts;
  for (std::size_t pos = 0;;) {
    const auto colon = spec.find(':', pos);
    parts.push_back(spec.substr(pos, colon == std::string_view::npos ? std::string_view::npos : colon - pos));
    if (colon == std::string_view::npos) break;
    pos = colon + 1;
  }
  if (parts.size() < 2 || parts.size() > 4 || parts[0].empty())
    throw std::invalid_argument("--file expects NAME:SIZE[:DC[:cdn]], got " + std::string(spec));
  file_spec f;
  f.name = std::string(parts[0]);
  f.size = parse_size(parts[1]);
  if (parts.size() >= 3) f.dc = parse_number<std::int32_t>(parts[2], "--file DC");
  if (parts.size() == 4) {
    if (parts[3] != "cdn") throw std::invalid_argument("--file: the fourth field can only be 'cdn'");
    f.cdn = true;
  }
  return f;
}

media_spec parse_media_spec(std::string_view spec) {
  const auto eq = spec.find('=');
  if (eq == std::string_view::npos || eq == 0 || eq + 1 == spec.size())
    throw std::invalid_argument("--media expects NAME=PATH[:DC], got " + std::string(spec));
  media_spec f;
  f.name = std::string(spec.substr(0, eq));
  std::string_view path = spec.substr(eq + 1);
  const auto colon = path.rfind(':');
  if (colon != std::string_view::npos && colon + 1 < path.size() &&
      std::all_of(path.begin() + static_cast<std::ptrdiff_t>(colon) + 1, path.end(),
                  [](char c) { return c >= '0' && c <= '9'; })) {
    f.dc = parse_number<std::int32_t>(path.substr(colon + 1), "--media DC");
    path = path.substr(0, colon);
  }
  if (path.empty()) throw std::invalid_argument("--media " + f.name + ": no path");
  f.path = std::string(path);
  return f;
}

options parse_options(std::span<const std::string_view> args) {
  options o;
  o.threads = static_cast<std::int32_t>(std::clamp(std::thread::hardware_concurrency(), 1u, unsigned{max_threads}));
  // A profile sets defaults that the other flags then override, wherever it appears.
  for (std::size_t i = 0; i + 1 < args.size(); ++i) {
    if (args[i] != "--profile") continue;
    const auto* p = find_throttle_profile(args[i + 1]);
    if (!p) throw std::invalid_argument("--profile: unknown profile " + std::string(args[i + 1]) + " (user, premium, bot)");
    o.faults = p->faults;
  }
  bool files_given = false;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string_view a = args[i];
    auto value = [&]() -> std::string_view {
      if (i + 1 >= args.size()) throw std::invalid_argument(std::string(a) + " needs a value");
      return args[++i];
    };
    if (a == "--host") o.host = std::string(value());
    else if (a == "--port-base") {
      const auto p = parse_number<std::uint32_t>(value(), a);
      if (p > max_port) throw std::invalid_argument("--port-base out of range");
      o.port_base = static_cast<std::uint16_t>(p);
    } else if (a == "--dcs") o.dcs = parse_number<std::int32_t>(value(), a);
    else if (a == "--rsa-key") o.rsa_key_path = std::string(value());
    else if (a == "--file") {
      if (!files_given) o.files.clear();
      files_given = true;
      o.files.push_back(parse_file_spec(value()));
    } else if (a == "--media") {
      o.media.push_back(parse_media_spec(value()));
    } else if (a == "--seed") o.seed = parse_number<std::uint64_t>(value(), a);
    else if (a == "--ready-file") o.ready_file = std::string(value());
    else if (a == "--ready-messages") o.ready_messages = true;
    else if (a == "--request-log") o.request_log = std::string(value());
    else if (a == "--max-seconds") o.max_seconds = parse_seconds(value(), a);
    else if (a == "--threads") {
      o.threads = parse_number<std::int32_t>(value(), a);
      if (o.threads < 1 || o.threads > max_threads)
        throw std::invalid_argument("--threads must be 1.." + std::to_string(max_threads));
    } else if (a == "--password") o.user_password = std::string(value());
    else if (a == "--push-updates") o.faults.push_updates = true;
    else if (a == "--proxy-secret") o.proxy_secret = parse_proxy_secret(value());
    else if (a == "--flood-every") o.faults.flood_every = parse_number<std::int32_t>(value(), a);
    else if (a == "--flood-seconds") o.faults.flood_seconds = parse_number<std::int32_t>(value(), a);
    else if (a == "--flood-rps") o.faults.flood_rps = parse_number<std::int32_t>(value(), a);
    else if (a == "--flood-account") o.faults.flood_account = parse_number<std::int64_t>(value(), a);
    else if (a == "--rate-per-connection") o.faults.rate_per_connection = parse_number<std::int64_t>(value(), a);
    else if (a == "--account-rate") o.faults.account_rate = parse_number<std::int64_t>(value(), a);
    else if (a == "--refusing-address") o.faults.refusing_address = true;
    else if (a == "--drop-every") o.faults.drop_every = parse_number<std::int32_t>(value(), a);
    else if (a == "--corrupt-every") o.faults.corrupt_every = parse_number<std::int32_t>(value(), a);
    else if (a == "--file-ref-ttl") o.faults.file_ref_ttl = parse_number<std::int32_t>(value(), a);
    else if (a == "--latency-ms") o.faults.latency_ms = parse_number<std::int32_t>(value(), a);
    else if (a == "--premium-wait-after") parse_premium_wait(value(), o.faults);
    else if (a == "--premium-user") o.faults.premium_users.push_back(parse_number<std::int64_t>(value(), a));
    else if (a == "--connect-rate") o.faults.connect_rate = parse_number<std::int32_t>(value(), a);
    else if (a == "--profile") value();  // applied above
    else throw std::invalid_argument("unknown argument " + std::string(a));
  }
  if (!files_given) o.files = default_files();
  if (o.dcs < 1 || o.dcs > max_dcs) throw std::invalid_argument("--dcs must be 1.." + std::to_string(max_dcs));
  if (o.port_base != 0 && o.port_base + o.dcs - 1 > static_cast<std::int32_t>(max_port))
    throw std::invalid_argument("--port-base too high for --dcs");
  struct published_name {
    std::string_view flag, name;
    std::int32_t dc;
  };
  std::vector<published_name> published;
  for (const auto& f : o.files) published.push_back({"--file", f.name, f.dc});
  for (const auto& m : o.media) published.push_back({"--media", m.name, m.dc});
  for (std::size_t i = 0; i < published.size(); ++i) {
    const auto& p = published[i];
    const std::string what = std::string(p.flag) + " " + std::string(p.name);
    if (p.dc < 1 || p.dc > o.dcs) throw std::invalid_argument(what + ": DC " + std::to_string(p.dc) + " does not exist");
    for (std::size_t j = 0; j < i; ++j)
      if (published[j].name == p.name) throw std::invalid_argument(what + ": the name is given twice");
  }
  const auto& fl = o.faults;
  if (fl.flood_every < 0 || fl.flood_seconds < 0 || fl.flood_rps < 0 || fl.rate_per_connection < 0 ||
      fl.drop_every < 0 || fl.file_ref_ttl < 0 || fl.flood_account < 0 || fl.account_rate < 0 ||
      fl.corrupt_every < 0 || fl.latency_ms < 0 || fl.premium_wait_seconds < 0 || fl.connect_rate < 0)
    throw std::invalid_argument("fault options must not be negative");
  if (fl.latency_ms > max_latency_ms) throw std::invalid_argument("--latency-ms must be at most 60000");
  return o;
}

std::string_view usage() noexcept {
  return "usage: mtproto-testdc [--host 127.0.0.1] [--port-base P|0] [--dcs N] [--rsa-key PRIVATE.pem]\n"
         "                      [--file NAME:SIZE[:DC[:cdn]]]... [--media NAME=PATH[:DC]]... [--seed S] [--ready-file PATH [--ready-messages]]\n"
         "                      [--max-seconds T] [--request-log FILE] [--threads N]\n"
         "                      [--password 2FA] [--proxy-secret [dd]HEX32] [--push-updates]\n"
         "                      [--flood-every N --flood-seconds S] [--flood-rps R] [--flood-account ID]\n"
         "                      [--rate-per-connection BYTES_PER_S] [--account-rate BYTES_PER_S]\n"
         "                      [--drop-every N] [--corrupt-every N] [--file-ref-ttl N] [--refusing-address]\n"
         "                      [--latency-ms N] [--premium-wait-after BYTES[:SECONDS]] [--premium-user ID]...\n"
         "                      [--connect-rate N] [--profile user|premium|bot]\n";
}

}  // namespace mtproto::testdc
