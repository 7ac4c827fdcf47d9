// tgstream's routes: /api/resolve (a link → what it holds and a signed download URL), /dl/TOKEN
// (the original bytes, Range and all, streamed through the downloader), /metrics, /healthz.
// The accounts are the pool every download spreads over, resting the ones a flood wait hit.
#pragma once

#include <asio/awaitable.hpp>

#include <array>
#include <chrono>
#include <deque>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "download_response.h"
#include "http_server.h"
#include "media_cache.h"
#include "rate_limiter.h"
#include "redis_client.h"
#include "remux.h"
#include "shared_floods.h"
#include "shared_media_cache.h"
#include "request_target.h"
#include "mtproto/client/client.h"
#include "mtproto/download/downloader.h"
#include "mtproto/download/flood_gate.h"
#include "mtproto/download/resolver.h"
#include "signed_url.h"
#include "web_shell.h"

namespace tgstream {

/// One account of the pool.
struct gateway_account {
  mtproto::client::client* client = nullptr;  ///< Logged in; outlives the gateway.
  std::string name;                           ///< For metrics and logs ("bot123").
};

/// The gateway's settings.
struct gateway_options {
  std::vector<std::uint8_t> secret;              ///< Signs download URLs (at least 16 bytes).
  std::chrono::seconds url_ttl{24 * 3600};       ///< How long a download URL stays valid.
  std::string public_url;                        ///< Prefix of download_url ("https://host"); empty: relative.
  std::vector<std::string> allowed_channels;     ///< Usernames (lowercase) or channel ids; empty: all.
  std::int64_t max_file_size = 0;                ///< Files above it are refused (413); 0: no limit.
  int max_streams_per_client = 8;                ///< Concurrent /dl responses per client address.
  rate_limit_options rate_limit{};               ///< Requests per client address (429 past it).
  media_cache_options cache{};
  std::int64_t part_size = 1024 * 1024;          ///< upload.getFile part size.
  std::int64_t window_bytes = 4 * 1024 * 1024;   ///< Reorder window per stream (its memory bound).
  bool web_ui = true;                            ///< Serve the web page at / (web_shell.h).
  /// Set: flood waits and the metadata cache are shared with the other nodes using this Redis
  /// (shared_floods.h, shared_media_cache.h).
  std::shared_ptr<redis_client> redis;
  /// One JSON line per request (the access log); empty: none.
  std::function<void(const std::string&)> access_log;
};

/// Histogram of time to first byte, for /metrics.
struct ttfb_histogram {
  static constexpr std::array<double, 10> bounds{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5};
  std::array<std::uint64_t, bounds.size()> counts{};  ///< Not cumulative.
  std::uint64_t total = 0;
  double sum = 0;
  void add(double seconds);
};

class gateway {
 public:
  gateway(std::vector<gateway_account> accounts, gateway_options options);
  ~gateway();
  gateway(const gateway&) = delete;
  gateway& operator=(const gateway&) = delete;

  /// The request handler for http_server.
  asio::awaitable<void> handle(http_request& request, response_writer& out);
  /// Adds the server's connection counters to /metrics.
  void attach(const http_server* server) { server_ = server; }
  /// The Prometheus text of /metrics.
  std::string metrics_text() const;

 private:
  struct account_state {
    gateway_account who;
    std::unique_ptr<mtproto::download::resolver> resolver;
    struct on_dc {
      std::uint64_t flood_waits = 0;
      std::uint64_t requests = 0;
    };
    std::map<std::int32_t, on_dc> dcs;  ///< By DC id, for each DC it downloaded from.
  };
  struct reply;

  asio::awaitable<reply> route(http_request& request, response_writer& out);
  asio::awaitable<reply> resolve_api(const request_target& t);
  /// The streams of a file (probed through a range download; remembered per document).
  asio::awaitable<std::pair<std::optional<remux_error>, media_layout>> layout_of(
      const mtproto::download::message_link& link, const mtproto::download::resolved_link& resolved, int item);
  reply serve_page(const http_request& request, const web_shell::file& f) const;
  /// The accounts that can download one file, with their copies of it.
  struct account_pool {
    std::vector<mtproto::download::pool_member> members;
    std::vector<std::size_t> accounts;  ///< accounts_ index of each member
    std::string link;                   ///< the message link (cache key)
  };

  asio::awaitable<reply> serve_download(http_request& request, response_writer& out, const std::string& token,
                                        const request_target& target);
  asio::awaitable<account_pool> pool_for(const mtproto::download::message_link& link,
                                         const mtproto::download::resolved_link& resolved, int item);
  /// A plan that streams nothing answered: its JSON error, or its head alone (HEAD, 304); nothing
  /// when there is a body to stream.
  asio::awaitable<std::optional<reply>> answer_without_body(response_writer& out, download_plan& plan);
  /// The original bytes of `plan`'s range through the downloader into the response.
  asio::awaitable<reply> stream_original(response_writer& out, const download_plan& plan, const account_pool& pool);
  /// ?format=mp4: the file remuxed into fragmented MP4 as it downloads, or (codecs MP4 cannot
  /// carry for browsers, not a video) the original, said in X-Tgstream-Remux.
  asio::awaitable<reply> serve_remux(http_request& request, response_writer& out, const file_facts& facts,
                                     const account_pool& pool, std::optional<int> audio);
  mtproto::download::download_options download_settings(std::int64_t first, std::int64_t end) const;
  void count(const account_pool& pool, const mtproto::download::download_result& result);
  /// With Redis: closes the pairs other nodes saw flooded before a download of `pool`'s file.
  asio::awaitable<void> learn_floods(const account_pool& pool);
  asio::awaitable<std::pair<std::error_code, mtproto::download::resolved_link>> resolve_for(
      std::size_t account, const mtproto::download::message_link& link);
  bool allowed(const mtproto::download::message_link& link) const;

  std::vector<account_state> accounts_;
  gateway_options options_;
  url_signer signer_;
  web_shell shell_;
  /// Probed layouts by document id, the oldest forgotten past a bound.
  struct known_layout {
    std::optional<remux_error> problem;
    media_layout layout;
  };
  std::map<std::int64_t, known_layout> layouts_;
  std::deque<std::int64_t> layout_order_;
  media_cache cache_;
  rate_limiter limiter_;
  std::shared_ptr<mtproto::download::shared_flood_gate> floods_;
  std::unique_ptr<shared_floods> shared_floods_;  ///< With --redis.
  std::unique_ptr<shared_media_cache> shared_cache_;  ///< With --redis.
  const http_server* server_ = nullptr;
  std::map<std::string, int> streams_per_peer_;
  std::map<int, std::uint64_t> responses_by_status_;
  int active_streams_ = 0;
  std::uint64_t bytes_out_ = 0;
  std::uint64_t downloads_failed_ = 0;
  int active_remuxes_ = 0;
  std::uint64_t remuxes_ = 0;           ///< Remux sessions that sent MP4.
  std::uint64_t remux_fallbacks_ = 0;   ///< ?format=mp4 answered with the original.
  std::uint64_t remux_ranges_ = 0;      ///< Range downloads the remuxes asked for.
  ttfb_histogram ttfb_;
};

}  // namespace tgstream
