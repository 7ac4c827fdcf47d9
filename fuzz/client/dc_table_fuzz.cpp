// client::dc_table's parsing: parse_host_port on "HOST:PORT" / "[V6]:PORT" text (command lines,
// proxy settings), and dc_table::apply on help.getConfig's dc_options as a hostile server sends
// them (any id, address, port, flags and secret), after some set/add/clear edits. Byte 0 picks
// which. Must hold: an accepted host:port has a non-empty host without brackets, spaces or
// control bytes, a port in 1..65535, ipv6 exactly when the host has a ':', and printing it back
// ("[h]:p" for IPv6) parses to the same endpoint; after apply, each DC named by a usable option (a
// dcOption with a port in 1..65535 and an address, IPv6 only when asked) has exactly those
// addresses, deduplicated, in order, with the secret from_bytes made of theirs; every other DC is
// unchanged; endpoints() never returns CDN entries and lists media-only ones only for media,
// first; and applying the same list again changes nothing.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "fuzz_data.h"
#include "mtproto/api/DcOption.h"
#include "mtproto/client/dc_table.h"

using namespace mtproto;
using client::dc_endpoint;
using client::dc_table;

namespace {

constexpr std::size_t max_input = 8 * 1024;

constexpr const char* hosts[] = {"149.154.167.51", "::1", "2001:b28:f23d:f001::a", "localhost", "", "[::1]", "a:b"};
constexpr std::int32_t ports[] = {443, 80, 0, -1, 65535, 65536, 1, 0x7fffffff};

std::string pick_host(fuzz::fuzz_data& in) {
  const std::uint8_t b = in.byte();
  if (b < std::size(hosts)) return hosts[b];
  return in.string(in.short_bytes(40));
}

std::string print(const dc_endpoint& e) {
  return (e.ipv6 ? "[" + e.host + "]" : e.host) + ":" + std::to_string(e.port);
}

void check_host_port(std::string_view text) {
  const auto e = client::parse_host_port(text);
  if (!e) return;
  if (e->host.empty() || e->port == 0 || e->ipv6 != (e->host.find(':') != std::string::npos)) std::abort();
  if (e->media_only || e->cdn || e->secret) std::abort();
  for (char ch : e->host) {
    const auto u = static_cast<unsigned char>(ch);
    if (ch == '[' || ch == ']' || u <= 0x20 || u == 0x7f) std::abort();  // in no host name or address
  }
  const auto again = client::parse_host_port(print(*e));
  if (!again || again->host != e->host || again->port != e->port || again->ipv6 != e->ipv6) std::abort();
}

bool same_list(const std::vector<dc_endpoint>& a, const std::vector<dc_endpoint>& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto& x = a[i];
    const auto& y = b[i];
    if (!(x == y) || x.ipv6 != y.ipv6 || x.secret.has_value() != y.secret.has_value()) return false;
    if (x.secret && (x.secret->kind != y.secret->kind || x.secret->key != y.secret->key ||
                     x.secret->tls_domain != y.secret->tls_domain))
      return false;
  }
  return true;
}

/// Everything observable about a table, per DC: main, media and CDN lists.
struct snapshot {
  std::map<int, std::vector<std::vector<dc_endpoint>>> dcs;
  bool operator==(const snapshot& o) const {
    if (dcs.size() != o.dcs.size()) return false;
    for (const auto& [id, lists] : dcs) {
      auto it = o.dcs.find(id);
      if (it == o.dcs.end()) return false;
      for (std::size_t i = 0; i < 3; ++i)
        if (!same_list(lists[i], it->second[i])) return false;
    }
    return true;
  }
};

snapshot take(const dc_table& t) {
  snapshot s;
  for (int id : t.dc_ids()) {
    if (!t.has(id)) std::abort();
    s.dcs[id] = {t.endpoints(id), t.endpoints(id, true), t.cdn_endpoints(id)};
  }
  return s;
}

void check_lists(const dc_table& t) {
  for (int id : t.dc_ids()) {
    const auto main = t.endpoints(id);
    const auto media = t.endpoints(id, true);
    for (const auto& e : main)
      if (e.media_only || e.cdn) std::abort();
    for (const auto& e : t.cdn_endpoints(id))
      if (!e.cdn) std::abort();
    // Media: the media-only addresses, then exactly the main list.
    std::size_t first_ordinary = 0;
    while (first_ordinary < media.size() && media[first_ordinary].media_only) ++first_ordinary;
    for (const auto& e : media)
      if (e.cdn) std::abort();
    if (!same_list(std::vector<dc_endpoint>(media.begin() + static_cast<std::ptrdiff_t>(first_ordinary), media.end()),
                   main))
      std::abort();
  }
}

void check_apply(fuzz::fuzz_data& in) {
  dc_table t = in.boolean() ? dc_table::production() : dc_table::test();
  // A few edits first, so apply meets tables with their own history.
  for (std::size_t n = in.byte() % 4; n > 0; --n) {
    const int id = static_cast<std::int8_t>(in.byte()) % 8;
    switch (in.byte() % 3) {
      case 0: t.set(id, pick_host(in), in.integral<std::uint16_t>()); break;
      case 1: {
        dc_endpoint e;
        e.host = pick_host(in);
        e.port = in.integral<std::uint16_t>();
        const std::uint8_t f = in.byte();
        e.ipv6 = f & 1;
        e.media_only = f & 2;
        e.cdn = f & 4;
        t.add(id, e);
        break;
      }
      default: t.clear(id); break;
    }
  }
  check_lists(t);
  const bool use_ipv6 = in.boolean();

  std::vector<api::DcOption> options;
  std::map<int, std::vector<dc_endpoint>> expected;  // usable options per DC, deduplicated
  while (!in.empty() && options.size() < 64) {
    const std::uint8_t f = in.byte();
    if (f == 0xff) {
      options.emplace_back();  // an empty box: not a dcOption
      continue;
    }
    api::dcOption o{};
    o.ipv6 = f & 1;
    o.media_only = f & 2;
    o.cdn = f & 4;
    o.static_ = f & 8;
    o.tcpo_only = f & 16;
    o.this_port_only = f & 32;
    o.id = static_cast<std::int8_t>(in.byte()) % 8;
    o.ip_address = pick_host(in);
    const std::uint8_t p = in.byte();
    o.port = p < std::size(ports) ? ports[p] : in.integral<std::int32_t>();
    if (f & 64) o.secret = in.vector(in.short_bytes(40));
    if (o.port > 0 && o.port <= 65535 && !o.ip_address.empty() && (!o.ipv6 || use_ipv6)) {
      dc_endpoint e;
      e.host = o.ip_address;
      e.port = static_cast<std::uint16_t>(o.port);
      e.ipv6 = o.ipv6;
      e.media_only = o.media_only;
      e.cdn = o.cdn;
      if (o.secret) e.secret = transport::proxy_secret::from_bytes(*o.secret);
      auto& list = expected[o.id];
      if (std::find(list.begin(), list.end(), e) == list.end()) list.push_back(e);
    }
    options.emplace_back(std::move(o));
  }

  const snapshot before = take(t);
  t.apply(options, use_ipv6);
  check_lists(t);
  const snapshot after = take(t);
  for (const auto& [id, lists] : before.dcs)
    if (!expected.count(id) && !(after.dcs.count(id) && same_list(after.dcs.at(id)[0], lists[0]) &&
                                 same_list(after.dcs.at(id)[1], lists[1]) && same_list(after.dcs.at(id)[2], lists[2])))
      std::abort();
  for (const auto& [id, list] : expected) {
    std::vector<dc_endpoint> main, media, cdn;
    for (const auto& e : list)
      if (e.cdn) cdn.push_back(e);
      else if (e.media_only) media.push_back(e);
    for (const auto& e : list)
      if (!e.cdn && !e.media_only) main.push_back(e);
    media.insert(media.end(), main.begin(), main.end());
    auto it = after.dcs.find(id);
    if (it == after.dcs.end() || !same_list(it->second[0], main) || !same_list(it->second[1], media) ||
        !same_list(it->second[2], cdn))
      std::abort();
  }
  for (const auto& [id, lists] : after.dcs)
    if (!before.dcs.count(id) && !expected.count(id)) std::abort();
  t.apply(options, use_ipv6);
  if (!(take(t) == after)) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > max_input) return 0;
  fuzz::fuzz_data in(data + 1, size - 1);
  if (data[0] % 2 == 0) {
    const auto text = in.rest();
    check_host_port(std::string_view(reinterpret_cast<const char*>(text.data()), text.size()));
  } else {
    check_apply(in);
  }
  return 0;
}
