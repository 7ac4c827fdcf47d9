#include "mtproto/client/dc_table.h"

#include <algorithm>
#include <charconv>

#include "mtproto/api/DcOption.h"

namespace mtproto::client {
namespace {

// Telegram's published addresses (core.telegram.org, "Connecting to DCs"); help.getConfig
// replaces them with the current list after the first connection.
struct builtin_dc {
  int id;
  const char* host;
};
constexpr builtin_dc production_dcs[] = {
    {1, "149.154.175.53"}, {2, "149.154.167.51"}, {3, "149.154.175.100"}, {4, "149.154.167.91"}, {5, "91.108.56.130"},
};
constexpr builtin_dc test_dcs[] = {{1, "149.154.175.10"}, {2, "149.154.167.40"}, {3, "149.154.175.117"}};
constexpr std::uint16_t default_port = 443;

}  // namespace

dc_table dc_table::production() {
  dc_table t;
  for (const auto& dc : production_dcs) t.set(dc.id, dc.host, default_port);
  // Production DCs offer both fingerprints in resPQ (see crypto/rsa.h).
  t.keys_ = {crypto::telegram_production_key(), crypto::telegram_test_key()};
  return t;
}

dc_table dc_table::test() {
  dc_table t;
  for (const auto& dc : test_dcs) t.set(dc.id, dc.host, default_port);
  t.keys_ = {crypto::telegram_test_key()};
  t.test_mode_ = true;
  return t;
}

dc_table dc_table::empty() { return dc_table{}; }

void dc_table::set(int dc_id, std::string host, std::uint16_t port) {
  dc_endpoint e;
  e.host = std::move(host);
  e.port = port;
  e.ipv6 = e.host.find(':') != std::string::npos;
  dcs_[dc_id] = {std::move(e)};
}

void dc_table::add(int dc_id, dc_endpoint endpoint) {
  auto& list = dcs_[dc_id];
  if (std::find(list.begin(), list.end(), endpoint) == list.end()) list.push_back(std::move(endpoint));
}

void dc_table::clear(int dc_id) { dcs_.erase(dc_id); }

std::vector<dc_endpoint> dc_table::endpoints(int dc_id, bool for_media) const {
  std::vector<dc_endpoint> out;
  auto it = dcs_.find(dc_id);
  if (it == dcs_.end()) return out;
  if (for_media) {
    for (const auto& e : it->second)
      if (e.media_only && !e.cdn) out.push_back(e);
  }
  for (const auto& e : it->second)
    if (!e.media_only && !e.cdn) out.push_back(e);
  return out;
}

std::vector<dc_endpoint> dc_table::cdn_endpoints(int dc_id) const {
  std::vector<dc_endpoint> out;
  auto it = dcs_.find(dc_id);
  if (it == dcs_.end()) return out;
  for (const auto& e : it->second)
    if (e.cdn) out.push_back(e);
  return out;
}

bool dc_table::has(int dc_id) const { return dcs_.contains(dc_id); }

std::vector<int> dc_table::dc_ids() const {
  std::vector<int> ids;
  for (const auto& [id, list] : dcs_) ids.push_back(id);
  return ids;
}

void dc_table::apply(const std::vector<api::DcOption>& options, bool use_ipv6) {
  std::map<int, std::vector<dc_endpoint>> fresh;
  for (const auto& boxed : options) {
    const auto* o = boxed.get_if<api::dcOption>();
    if (!o || o->port <= 0 || o->port > 65535 || o->ip_address.empty()) continue;
    if (o->ipv6 && !use_ipv6) continue;
    dc_endpoint e;
    e.host = o->ip_address;
    e.port = static_cast<std::uint16_t>(o->port);
    e.ipv6 = o->ipv6;
    e.media_only = o->media_only;
    e.cdn = o->cdn;
    if (o->secret) e.secret = transport::proxy_secret::from_bytes(*o->secret);
    auto& list = fresh[o->id];
    if (std::find(list.begin(), list.end(), e) == list.end()) list.push_back(std::move(e));
  }
  for (auto& [id, list] : fresh) dcs_[id] = std::move(list);
}

namespace {

/// Brackets only delimit an IPv6 literal; spaces and control bytes (a NUL would cut the name the
/// resolver sees) belong to no host name or address.
bool plausible_host(std::string_view host) {
  return std::none_of(host.begin(), host.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return c == '[' || c == ']' || u <= 0x20 || u == 0x7f;
  });
}

}  // namespace

std::optional<dc_endpoint> parse_host_port(std::string_view text) {
  std::string_view host;
  std::string_view port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') return std::nullopt;
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) return std::nullopt;  // bare IPv6 needs brackets
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
  if (host.empty() || !plausible_host(host) || ec != std::errc{} || end != port.data() + port.size() || value == 0 ||
      value > 65535)
    return std::nullopt;
  dc_endpoint e;
  e.host = std::string(host);
  e.port = static_cast<std::uint16_t>(value);
  e.ipv6 = host.find(':') != std::string_view::npos;
  return e;
}

}  // namespace mtproto::client
