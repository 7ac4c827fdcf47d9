/// \file
/// Where each DC is and how to talk to it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "mtproto/client/export.h"
#include "mtproto/crypto/rsa.h"
#include "mtproto/transport/proxy_secret.h"
#include "mtproto/transport/protocol.h"

namespace mtproto::api {
class DcOption;
}

namespace mtproto::client {

/// One address of a DC.
struct dc_endpoint {
  std::string host;          ///< IP address or host name (IPv6 without brackets).
  std::uint16_t port = 443;  ///< TCP port.
  bool ipv6 = false;         ///< `host` is an IPv6 address.
  /// Only for downloads (media sessions); the main session avoids it.
  bool media_only = false;
  /// A CDN DC: serves upload.getCdnFile only, keys come from help.getCdnConfig.
  bool cdn = false;
  /// Per-address MTProxy-style secret the server announced (dcOption.secret).
  std::optional<transport::proxy_secret> secret;

  /// Same address and role (the secret is not compared: one address has one secret).
  friend bool operator==(const dc_endpoint& a, const dc_endpoint& b) {
    return a.host == b.host && a.port == b.port && a.media_only == b.media_only && a.cdn == b.cdn;
  }
};

/// How connections are made: the framing, obfuscation, and an optional MTProxy every connection
/// goes through instead of the DC's own address.
struct transport_settings {
  transport::protocol framing = transport::protocol::intermediate;  ///< See transport::client_options::framing.
  bool obfuscated = false;  ///< Wrap the framing in obfuscated2.
  /// An MTProxy.
  struct proxy {
    std::string host;                ///< The proxy's address.
    std::uint16_t port = 443;        ///< The proxy's TCP port.
    transport::proxy_secret secret;  ///< The proxy's secret (implies obfuscated2).
  };
  /// Set: every connection goes to this proxy, which forwards to the DC named in the init.
  std::optional<proxy> via_proxy;
};

/// Where each DC is and how to talk to it: addresses per DC id (ordinary, media-only, CDN) and the
/// RSA keys the handshake trusts. Telegram's production and test DCs are built in; every entry can
/// be overridden, and help.getConfig's dcOption list refreshes the table. A value type.
class MTPROTO_CLIENT_EXPORT dc_table {
 public:
  /// Telegram's production DCs 1..5 and the production RSA keys.
  static dc_table production();
  /// Telegram's test DCs 1..3 and the test RSA key (dc ids sent in the handshake get +10000).
  static dc_table test();
  /// No DCs and no keys: for applications and tests that supply everything.
  static dc_table empty();

  /// Replaces every address of `dc_id` with one host:port.
  void set(int dc_id, std::string host, std::uint16_t port);
  /// Adds an address to `dc_id`, unless an equal one (operator==) is there already.
  void add(int dc_id, dc_endpoint endpoint);
  /// Forgets every address of `dc_id`.
  void clear(int dc_id);
  /// Addresses for a connection of the given purpose, best first: for the main session ordinary
  /// addresses only; for downloads media-only ones first, then ordinary ones. CDN entries never.
  std::vector<dc_endpoint> endpoints(int dc_id, bool for_media = false) const;
  /// The CDN addresses of `dc_id`.
  std::vector<dc_endpoint> cdn_endpoints(int dc_id) const;
  /// True if any address of `dc_id` is known.
  bool has(int dc_id) const;
  /// Every DC id with addresses, ascending.
  std::vector<int> dc_ids() const;

  /// Applies help.getConfig's dc_options: each DC mentioned there gets exactly those addresses
  /// (IPv6 ones only when `use_ipv6`); DCs not mentioned keep theirs.
  void apply(const std::vector<api::DcOption>& options, bool use_ipv6 = false);

  /// The keys the handshake may use (selected by the fingerprints a server offers).
  const std::vector<crypto::rsa_public_key>& rsa_keys() const noexcept { return keys_; }
  /// Replaces the trusted keys.
  void set_rsa_keys(std::vector<crypto::rsa_public_key> keys) { keys_ = std::move(keys); }
  /// Trusts one more key.
  void add_rsa_key(crypto::rsa_public_key key) { keys_.push_back(std::move(key)); }

  /// Test-mode tables tell the handshake dc_id + 10000.
  bool test_mode() const noexcept { return test_mode_; }
  /// See test_mode().
  void set_test_mode(bool on) noexcept { test_mode_ = on; }
  /// The DC a fresh client starts on (2 is where Telegram sends new clients).
  int default_dc() const noexcept { return default_dc_; }
  /// See default_dc().
  void set_default_dc(int dc) noexcept { default_dc_ = dc; }

 private:
  std::map<int, std::vector<dc_endpoint>> dcs_;
  std::vector<crypto::rsa_public_key> keys_;
  bool test_mode_ = false;
  int default_dc_ = 2;
};

/// "HOST:PORT" or "[V6]:PORT" -> endpoint; nullopt when malformed.
MTPROTO_CLIENT_EXPORT std::optional<dc_endpoint> parse_host_port(std::string_view text);

}  // namespace mtproto::client
