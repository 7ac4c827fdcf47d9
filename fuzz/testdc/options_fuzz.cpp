// The emulator's command line: testdc::parse_options (argv[1..]) and parse_file_spec. Byte 0
// picks the mode: the input split at NUL bytes into arguments, or arguments built from the known
// option names with values drawn from edge cases (sizes with suffixes near 2^63, ports, DC counts,
// NaN/inf seconds, MTProxy secrets of every form) or raw input. Must hold: a refusal is
// std::invalid_argument and nothing else; accepted options have 1..5 DCs, ports that fit, every
// file on an existing DC with a unique, non-empty name and a size >= 0, no negative fault option,
// no fake-TLS proxy secret; and printing the options back as arguments (sizes in bytes, the
// secret with proxy_secret_hex) parses to the same options.
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "fuzz_data.h"
#include "mtproto/testdc/options.h"

using namespace mtproto::testdc;

namespace {

constexpr std::size_t max_input = 4096;
constexpr std::size_t max_args = 64;

constexpr const char* names[] = {
    "--host",        "--port-base",   "--dcs",       "--rsa-key",   "--file",          "--seed",
    "--ready-file",  "--max-seconds", "--password",  "--push-updates", "--proxy-secret", "--flood-every",
    "--flood-seconds", "--flood-rps", "--rate-per-connection", "--drop-every", "--file-ref-ttl", "--help",
    "-", ""};

constexpr const char* values[] = {
    "0", "1", "2", "5", "6", "-1", "65535", "65536", "65534", "4294967295", "4294967296",
    "9223372036854775807", "-9223372036854775808", "18446744073709551615", "+1", " 1", "1e3", "0.5",
    "nan", "-nan", "inf", "-0", "1e400", "0x10",
    "a:1", "a:1K", "a:1k:2", "a:0:1:cdn", "a:8E", "a:8589934591G", "a:8589934592G", "a:-1", "a:1:0",
    "a:1:1:cdn:x", ":1", "a:", "a", "a:1:1:CDN", "a:1M:5", "b:1G:1",
    "00112233445566778899aabbccddeeff", "dd00112233445566778899aabbccddeeff",
    "ee00112233445566778899aabbccddeeff6578616d706c652e636f6d", "00112233445566778899AABBCCDDEEFF",
    "dd00112233445566778899aabbccddee", "0011", ""};

std::string print_seconds(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::vector<std::string> print(const options& o) {
  std::vector<std::string> a = {"--host", o.host, "--port-base", std::to_string(o.port_base), "--dcs",
                                std::to_string(o.dcs), "--rsa-key", o.rsa_key_path, "--seed", std::to_string(o.seed),
                                "--ready-file", o.ready_file, "--max-seconds", print_seconds(o.max_seconds),
                                "--password", o.user_password};
  for (const auto& f : o.files) {
    a.push_back("--file");
    a.push_back(f.name + ":" + std::to_string(f.size) + ":" + std::to_string(f.dc) + (f.cdn ? ":cdn" : ""));
  }
  if (o.proxy_secret) {
    a.push_back("--proxy-secret");
    a.push_back(proxy_secret_hex(*o.proxy_secret));
  }
  const auto& fl = o.faults;
  for (const auto& [name, v] : {std::pair<const char*, std::int64_t>{"--flood-every", fl.flood_every},
                                {"--flood-seconds", fl.flood_seconds},
                                {"--flood-rps", fl.flood_rps},
                                {"--rate-per-connection", fl.rate_per_connection},
                                {"--drop-every", fl.drop_every},
                                {"--file-ref-ttl", fl.file_ref_ttl}}) {
    a.push_back(name);
    a.push_back(std::to_string(v));
  }
  if (fl.push_updates) a.push_back("--push-updates");
  return a;
}

bool same_seconds(double a, double b) { return (std::isnan(a) && std::isnan(b)) || a == b; }

bool same(const options& a, const options& b) {
  if (a.host != b.host || a.port_base != b.port_base || a.dcs != b.dcs || a.rsa_key_path != b.rsa_key_path ||
      a.seed != b.seed || a.ready_file != b.ready_file || !same_seconds(a.max_seconds, b.max_seconds) ||
      a.user_password != b.user_password || a.files.size() != b.files.size())
    return false;
  for (std::size_t i = 0; i < a.files.size(); ++i) {
    const auto &x = a.files[i], &y = b.files[i];
    if (x.name != y.name || x.size != y.size || x.dc != y.dc || x.cdn != y.cdn) return false;
  }
  if (a.proxy_secret.has_value() != b.proxy_secret.has_value()) return false;
  if (a.proxy_secret && (a.proxy_secret->kind != b.proxy_secret->kind || a.proxy_secret->key != b.proxy_secret->key))
    return false;
  const auto &f = a.faults, &g = b.faults;
  return f.flood_every == g.flood_every && f.flood_seconds == g.flood_seconds && f.flood_rps == g.flood_rps &&
         f.rate_per_connection == g.rate_per_connection && f.drop_every == g.drop_every &&
         f.file_ref_ttl == g.file_ref_ttl && f.push_updates == g.push_updates;
}

void check(const std::vector<std::string>& args) {
  const std::vector<std::string_view> views(args.begin(), args.end());
  options o;
  try {
    o = parse_options(views);
  } catch (const std::invalid_argument&) {
    return;
  }
  if (o.dcs < 1 || o.dcs > 5) std::abort();
  if (o.port_base != 0 && o.port_base + o.dcs - 1 > 65535) std::abort();
  if (o.files.empty()) std::abort();
  for (const auto& f : o.files) {
    if (f.name.empty() || f.name.find(':') != std::string::npos || f.size < 0 || f.dc < 1 || f.dc > o.dcs) std::abort();
    for (const auto& g : o.files)
      if (&g != &f && g.name == f.name) std::abort();
  }
  const auto& fl = o.faults;
  if (fl.flood_every < 0 || fl.flood_seconds < 0 || fl.flood_rps < 0 || fl.rate_per_connection < 0 ||
      fl.drop_every < 0 || fl.file_ref_ttl < 0)
    std::abort();
  if (o.proxy_secret && o.proxy_secret->kind == mtproto::transport::proxy_secret::mode::fake_tls) std::abort();
  const auto printed = print(o);
  const std::vector<std::string_view> again(printed.begin(), printed.end());
  options back;
  try {
    back = parse_options(again);
  } catch (const std::invalid_argument&) {
    std::abort();  // what was accepted, printed back, must be accepted
  }
  if (!same(o, back)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > max_input) return 0;
  mtproto::fuzz::fuzz_data in(data + 1, size - 1);
  std::vector<std::string> args;
  switch (data[0] % 3) {
    case 0: {
      const auto rest = in.rest();
      std::string_view text(reinterpret_cast<const char*>(rest.data()), rest.size());
      while (!text.empty() && args.size() < max_args) {
        const auto nul = text.find('\0');
        args.emplace_back(text.substr(0, nul));
        text = nul == std::string_view::npos ? std::string_view{} : text.substr(nul + 1);
      }
      break;
    }
    case 1:
      while (!in.empty() && args.size() < max_args) {
        const std::uint8_t n = in.byte();
        args.emplace_back(n < std::size(names) ? names[n] : in.string(in.short_bytes(24)));
        const std::uint8_t v = in.byte();
        if (v == 0xff) continue;  // no value
        args.emplace_back(v < std::size(values) ? values[v] : in.string(in.short_bytes(48)));
      }
      break;
    default: {  // parse_file_spec alone
      try {
        const auto f = parse_file_spec(in.string(in.rest()));
        if (f.name.empty() || f.size < 0) std::abort();
      } catch (const std::invalid_argument&) {
      }
      return 0;
    }
  }
  check(args);
  return 0;
}
