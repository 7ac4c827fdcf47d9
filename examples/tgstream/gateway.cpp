#include "gateway.h"

#include <asio/experimental/as_tuple.hpp>
#include <asio/post.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <ctime>

#include "download_response.h"
#include "mtproto/download/downloader.h"
#include "mtproto/download/error.h"
#include "mtproto/download/link.h"
#include "request_target.h"
#include "download_source.h"
#include "remux.h"
#include "remux_stream.h"
#include "response_sink.h"

namespace tgstream {

// Named, not anonymous: coroutine frames of gateway members hold it.
namespace gateway_detail {
/// Decrements a gauge when the scope ends (a named type: coroutine frames hold it).
struct counted_while {
  explicit counted_while(int& n) : n_(n) {}
  ~counted_while() { --n_; }
  counted_while(const counted_while&) = delete;
  counted_while& operator=(const counted_while&) = delete;
  int& n_;
};

}  // namespace gateway_detail
using gateway_detail::counted_while;

namespace {

namespace download = mtproto::download;
using clock = std::chrono::steady_clock;
constexpr auto as_tuple = asio::experimental::as_tuple(asio::use_awaitable);

std::string dump(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace); }

/// An error as a reply: its status, a JSON body with a code.
struct error_reply {
  int status;
  std::string code;
  std::string message;
};

error_reply from_download_error(std::error_code ec) {
  using e = download::download_errc;
  if (ec == e::bad_link) return {400, "bad_link", ec.message()};
  if (ec == e::peer_not_found) return {404, "channel_not_found", "no such channel"};
  if (ec == e::not_a_member) return {403, "not_a_member", "the gateway's accounts cannot see this channel"};
  if (ec == e::message_not_found) return {404, "message_not_found", "no such message (deleted, or never posted)"};
  if (ec == e::no_media) return {404, "no_media", "the message has no file to download"};
  if (ec == e::file_invalid) return {410, "file_gone", "Telegram no longer serves this file"};
  if (ec == e::flood_wait_too_long)
    return {503, "flood_wait", "Telegram asked the gateway to slow down; try again in a minute"};
  if (ec == e::cancelled) return {503, "shutting_down", "the gateway is shutting down"};
  return {502, "upstream_error", "Telegram could not be reached or answered with an error: " + ec.message()};
}

std::string etag_of(const download::remote_file& f) {
  return fmt::format("\"{:x}-{:x}\"", static_cast<std::uint64_t>(f.location.id), static_cast<std::uint64_t>(f.size));
}

/// How a remux reads the file: each range download it asks for runs detached on the executor it
/// is started on, ended by its sink (the remux's source) when the remux no longer wants it. It
/// holds what it uses (the members' clients outlive the gateway).
download_source::starter range_starter(std::vector<download::pool_member> members, download::download_options settings) {
  return [members = std::move(members), settings](std::int64_t first, std::shared_ptr<download::sink> sink) {
    auto o = settings;
    o.range = std::pair{first, o.range->second};
    download::async_download(members, *sink, o, [sink](std::error_code, download::download_result) {});
  };
}

std::string channel_key(const download::message_link& l) {
  return l.username.empty() ? std::to_string(l.channel_id) : l.username;
}

std::string display_name(const download::media_item& item) {
  if (!item.file.file_name.empty()) return item.file.file_name;
  return fmt::format("{}{}", item.is_photo ? "photo" : "file", item.is_photo ? ".jpg" : "");
}

}  // namespace

void ttfb_histogram::add(double seconds) {
  ++total;
  sum += seconds;
  for (std::size_t i = 0; i < bounds.size(); ++i)
    if (seconds <= bounds[i]) {
      ++counts[i];
      return;
    }
}

struct gateway::reply {
  int status = 200;
  std::string body;  ///< JSON (or text for /metrics).
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  bool sent = false;  ///< The route answered on its own (a stream).
  std::int64_t bytes = 0;
  std::optional<double> ttfb;

  static reply error(const error_reply& e) {
    reply r;
    r.status = e.status;
    r.body = json_error(e.status, e.code, e.message);
    return r;
  }
};

gateway::gateway(std::vector<gateway_account> accounts, gateway_options options)
    : options_(std::move(options)), signer_(options_.secret), cache_(options_.cache), limiter_(options_.rate_limit),
      floods_(std::make_shared<download::shared_flood_gate>()) {
  if (accounts.empty()) throw std::invalid_argument("tgstream: the gateway needs at least one account");
  for (auto& a : accounts) {
    if (!a.client) throw std::invalid_argument("tgstream: an account without a client");
    accounts_.push_back({a, std::make_unique<download::resolver>(*a.client), {}});
  }
  if (options_.redis) {
    shared_floods_ = std::make_unique<shared_floods>(accounts_.front().who.client->get_executor(), options_.redis, floods_);
    shared_cache_ = std::make_unique<shared_media_cache>(options_.redis, options_.cache.ttl);
  }
}

gateway::~gateway() = default;

bool gateway::allowed(const download::message_link& link) const {
  if (options_.allowed_channels.empty()) return true;
  return std::find(options_.allowed_channels.begin(), options_.allowed_channels.end(), channel_key(link)) !=
         options_.allowed_channels.end();
}

asio::awaitable<std::pair<std::error_code, download::resolved_link>> gateway::resolve_for(
    std::size_t account, const download::message_link& link) {
  const auto key = link.to_string();
  if (const auto* hit = cache_.find(account, key, clock::now())) co_return std::pair{std::error_code{}, *hit};
  auto& state = accounts_[account];
  if (shared_cache_) {
    if (auto shared = co_await shared_cache_->find(state.who.name, key)) {
      state.resolver->adopt(*shared);  // its refresher and username lookups go through it now
      cache_.store(account, key, *shared, clock::now());
      co_return std::pair{std::error_code{}, std::move(*shared)};
    }
  }
  auto [ec, resolved] = co_await download::async_resolve(*state.resolver, link, as_tuple);
  if (!ec) {
    cache_.store(account, key, resolved, clock::now());
    if (shared_cache_) co_await shared_cache_->store(state.who.name, key, resolved);
  }
  co_return std::pair{ec, std::move(resolved)};
}

asio::awaitable<void> gateway::handle(http_request& request, response_writer& out) {
  const auto start = clock::now();
  reply r;
  std::chrono::milliseconds wait{};
  try {
    if (!limiter_.allow(out.peer(), clock::now(), &wait)) {
      r = reply::error({429, "too_many_requests", "too many requests from this address; slow down"});
      r.headers.emplace_back("Retry-After", std::to_string((wait.count() + 999) / 1000));
    } else {
      r = co_await route(request, out);
    }
  } catch (const std::bad_alloc&) {
    r = reply::error({503, "overloaded", "the gateway is out of memory"});
  }
  if (!r.sent && !out.head_sent()) {
    response_head head{r.status, std::move(r.headers)};
    if (r.status != 304) {  // a 304 describes the representation the client holds
      head.headers.emplace_back("Content-Type", r.content_type);
      head.headers.emplace_back("Content-Length", std::to_string(r.body.size()));
    }
    if (std::none_of(head.headers.begin(), head.headers.end(), [](const auto& h) { return h.first == "Cache-Control"; }))
      head.headers.emplace_back("Cache-Control", "no-store");
    if (!co_await out.send_head(head))
      co_await out.send_body(std::span(reinterpret_cast<const std::uint8_t*>(r.body.data()), r.body.size()));
    r.bytes = static_cast<std::int64_t>(r.body.size());
  }
  ++responses_by_status_[r.status];
  if (options_.access_log) {
    // The token is a credential: only its first characters are logged.
    auto target = request.target;
    if (target.rfind("/dl/", 0) == 0 && target.size() > 12) target = target.substr(0, 12) + "...";
    nlohmann::json line = {{"time", std::time(nullptr)},
                           {"peer", out.peer()},
                           {"method", request.method},
                           {"target", target},
                           {"status", r.status},
                           {"bytes", r.bytes},
                           {"ms", std::chrono::duration<double, std::milli>(clock::now() - start).count()}};
    if (r.ttfb) line["ttfb_ms"] = *r.ttfb * 1000;
    options_.access_log(dump(line));
  }
}

asio::awaitable<gateway::reply> gateway::route(http_request& request, response_writer& out) {
  if (request.method != "GET" && request.method != "HEAD") {
    auto r = reply::error({405, "method_not_allowed", "only GET and HEAD are served"});
    r.headers.emplace_back("Allow", "GET, HEAD");
    co_return r;
  }
  const auto target = parse_target(request.target);
  if (!target) co_return reply::error({400, "bad_target", "the request target is malformed"});
  const auto& s = target->segments;
  if (s.size() == 2 && s[0] == "api" && s[1] == "resolve") co_return co_await resolve_api(*target);
  if ((s.size() == 2 || s.size() == 3) && s[0] == "dl") co_return co_await serve_download(request, out, s[1], *target);
  if (s.size() == 1 && s[0] == "metrics") {
    reply r;
    r.body = metrics_text();
    r.content_type = "text/plain; version=0.0.4";
    co_return r;
  }
  if (s.size() == 1 && s[0] == "healthz") {
    reply r;
    r.body = R"({"ok":true})";
    co_return r;
  }
  if (options_.web_ui && s.size() <= 1)
    if (const auto* page = shell_.find(s.empty() ? "/" : "/" + s[0])) co_return serve_page(request, *page);
  co_return reply::error({404, "not_found", "no such page"});
}

gateway::reply gateway::serve_page(const http_request& request, const web_shell::file& f) const {
  reply r;
  r.headers = web_shell::headers(f);
  if (const auto inm = request.header("if-none-match"); inm && etag_listed(*inm, f.etag)) {
    r.status = 304;
    return r;
  }
  r.body = f.body;
  r.content_type = f.content_type;
  return r;
}

asio::awaitable<gateway::reply> gateway::resolve_api(const request_target& t) {
  const auto text = t.param("link");
  if (!text || text->empty()) co_return reply::error({400, "missing_link", "give the message link as ?link="});
  const auto parsed = download::parse_link(*text);
  if (!parsed) co_return reply::error({400, "bad_link", parsed.error().message});
  if (!allowed(parsed.link())) co_return reply::error({403, "channel_not_allowed", "this gateway does not serve that channel"});
  int index = 0;
  if (const auto item = t.param("item")) {
    auto [end, ec] = std::from_chars(item->data(), item->data() + item->size(), index);
    if (ec != std::errc{} || end != item->data() + item->size() || index < 0)
      co_return reply::error({400, "bad_item", "?item= wants an album index (0, 1, ...)"});
  }
  auto [ec, resolved] = co_await resolve_for(0, parsed.link());
  if (ec) co_return reply::error(from_download_error(ec));
  if (static_cast<std::size_t>(index) >= resolved.items.size())
    co_return reply::error({404, "no_such_item", "the message has fewer items"});
  const auto& item = resolved.items[static_cast<std::size_t>(index)];
  if (options_.max_file_size > 0 && item.file.size > options_.max_file_size)
    co_return reply::error({413, "file_too_large", "the file is larger than this gateway serves"});
  const auto expires = static_cast<std::int64_t>(std::time(nullptr)) + options_.url_ttl.count();
  const auto token = signer_.sign({parsed.link().to_string(), index, expires});
  const auto name = display_name(item);
  nlohmann::json j = {{"name", name},
                      {"size", item.file.size},
                      {"mime_type", item.file.mime_type},
                      {"dc", item.file.location.dc_id},
                      {"item", index},
                      {"items", resolved.items.size()},
                      {"expires", expires},
                      {"download_url", options_.public_url + "/dl/" + token + "/" + percent_encode(name)}};
  if (item.duration) j["duration"] = *item.duration;
  if (item.width) j["width"] = *item.width;
  if (item.height) j["height"] = *item.height;
  if (t.param("tracks") == std::optional<std::string_view>("1")) {
    // The container's streams, for a player choosing an audio track or the remux: probing reads
    // the file's first megabytes, so only when asked.
    auto [problem, layout] = co_await layout_of(parsed.link(), resolved, index);
    if (!problem || problem->code != remux_errc::read_failed) {
      nlohmann::json audio = nlohmann::json::array();
      int n = 0;
      for (const auto* a : layout.audio())
        audio.push_back({{"index", n++}, {"codec", a->codec}, {"language", a->language}, {"title", a->title}, {"default", a->is_default}});
      j["audio_tracks"] = std::move(audio);
      for (const auto& tr : layout.tracks)
        if (tr.kind == "video") {
          j["video_codec"] = tr.codec;
          break;
        }
      j["container"] = layout.container;
      if (!problem) j["remux_url"] = j["download_url"].get<std::string>() + "?format=mp4";
      else j["remux_problem"] = problem->what();
    }
  }
  reply r;
  r.body = dump(j);
  co_return r;
}

asio::awaitable<gateway::reply> gateway::serve_download(http_request& request, response_writer& out,
                                                        const std::string& token, const request_target& target) {
  const auto verdict = signer_.verify(token, std::time(nullptr));
  if (const auto* problem = std::get_if<ticket_problem>(&verdict)) {
    const int status = *problem == ticket_problem::expired ? 410 : 403;
    co_return reply::error({status, code_of(*problem),
                            *problem == ticket_problem::expired ? "the download link expired; resolve the message again"
                                                                : "the download link is not valid"});
  }
  const auto& ticket = std::get<file_ticket>(verdict);
  const auto parsed = download::parse_link(ticket.link);
  if (!parsed) co_return reply::error({403, "malformed_token", "the download link is not valid"});
  const auto& link = parsed.link();
  if (!allowed(link)) co_return reply::error({403, "channel_not_allowed", "this gateway does not serve that channel"});

  auto [ec, resolved] = co_await resolve_for(0, link);
  if (ec) co_return reply::error(from_download_error(ec));
  if (static_cast<std::size_t>(ticket.item) >= resolved.items.size())
    co_return reply::error({404, "no_such_item", "the message has fewer items"});
  const auto item = resolved.items[static_cast<std::size_t>(ticket.item)];
  if (options_.max_file_size > 0 && item.file.size > options_.max_file_size)
    co_return reply::error({413, "file_too_large", "the file is larger than this gateway serves"});

  std::optional<int> audio;
  bool remux = false;
  if (const auto format = target.param("format")) {
    if (*format != "mp4") co_return reply::error({400, "bad_format", "?format= can only be mp4"});
    remux = true;
    if (const auto a = target.param("audio")) {
      int n = -1;
      auto [end, aec] = std::from_chars(a->data(), a->data() + a->size(), n);
      if (aec != std::errc{} || end != a->data() + a->size() || n < 0)
        co_return reply::error({400, "bad_audio", "?audio= wants an audio track number (0, 1, ...)"});
      audio = n;
    }
  } else if (target.param("audio")) {
    co_return reply::error({400, "bad_audio", "?audio= goes with ?format=mp4"});
  }

  file_facts facts{item.file.size, item.file.mime_type, display_name(item), etag_of(item.file), item.date};
  download_plan plan;
  if (!remux) {
    plan = plan_download(request, facts);
    if (auto done = co_await answer_without_body(out, plan)) co_return std::move(*done);
  }

  auto& streams = streams_per_peer_[out.peer()];
  if (streams >= options_.max_streams_per_client) {
    if (streams == 0) streams_per_peer_.erase(out.peer());
    co_return reply::error({429, "too_many_streams", "too many downloads at once from this address"});
  }
  ++streams;
  ++active_streams_;
  const auto peer = out.peer();
  auto pool = co_await pool_for(link, resolved, ticket.item);
  reply r;  // not `remux ? co_await a : co_await b`: GCC 12 destroys that result twice
  if (remux)
    r = co_await serve_remux(request, out, facts, pool, audio);
  else
    r = co_await stream_original(out, plan, pool);
  --active_streams_;
  if (--streams_per_peer_[peer] <= 0) streams_per_peer_.erase(peer);
  co_return r;
}

asio::awaitable<std::pair<std::optional<remux_error>, media_layout>> gateway::layout_of(
    const download::message_link& link, const download::resolved_link& resolved, int item) {
  const auto& file = resolved.items[static_cast<std::size_t>(item)].file;
  if (const auto it = layouts_.find(file.location.id); it != layouts_.end())
    co_return std::pair{it->second.problem, it->second.layout};
  auto pool = co_await pool_for(link, resolved, item);
  remux_stream probe(co_await asio::this_coro::executor, file.size, range_starter(pool.members, download_settings(0, file.size)),
                     std::nullopt, true);
  auto problem = co_await probe.probed();
  auto layout = probe.layout();
  remux_ranges_ += static_cast<std::uint64_t>(probe.downloads_started());
  if (!problem || problem->code != remux_errc::read_failed) {  // a failed read is not the file's nature
    constexpr std::size_t remembered = 4096;
    if (layouts_.emplace(file.location.id, known_layout{problem, layout}).second) layout_order_.push_back(file.location.id);
    while (layout_order_.size() > remembered) {
      layouts_.erase(layout_order_.front());
      layout_order_.pop_front();
    }
  }
  co_return std::pair{problem, layout};
}

asio::awaitable<gateway::account_pool> gateway::pool_for(const download::message_link& link,
                                                         const download::resolved_link& resolved, int item_index) {
  // Every account that sees the same file (each resolves the link itself).
  account_pool pool;
  pool.link = link.to_string();
  const auto& item = resolved.items[static_cast<std::size_t>(item_index)];
  for (std::size_t a = 0; a < accounts_.size(); ++a) {
    download::resolved_link mine;
    if (a == 0) {
      mine = resolved;
    } else {
      auto [aec, other] = co_await resolve_for(a, link);
      if (aec || other.items.size() != resolved.items.size()) continue;
      mine = std::move(other);
    }
    const auto& my_item = mine.items[static_cast<std::size_t>(item_index)];
    if (my_item.file.size != item.file.size || my_item.file.location.id != item.file.location.id) continue;
    download::pool_member m;
    m.client = accounts_[a].who.client;
    m.account = accounts_[a].who.name;
    m.file = my_item.file;
    m.refresh_reference = accounts_[a].resolver->refresher(mine, my_item);
    pool.members.push_back(std::move(m));
    pool.accounts.push_back(a);
  }
  co_return pool;
}

download::download_options gateway::download_settings(std::int64_t first, std::int64_t end) const {
  download::download_options o;
  o.part_size = options_.part_size;
  o.window_bytes = std::max(options_.window_bytes, options_.part_size);
  o.range = std::pair{first, end};
  o.shared_flood = floods_;
  return o;
}

void gateway::count(const account_pool& pool, const download::download_result& result) {
  for (std::size_t i = 0; i < result.accounts.size() && i < pool.accounts.size() && i < pool.members.size(); ++i) {
    auto& d = accounts_[pool.accounts[i]].dcs[pool.members[i].file.location.dc_id];
    d.flood_waits += result.accounts[i].flood_waits;
    d.requests += result.accounts[i].requests;
  }
  if (result.reference_refreshes > 0) {  // the cached references are stale, here and for the other nodes
    cache_.invalidate(pool.link);
    if (shared_cache_) {
      std::vector<std::string> names;
      for (const auto a : pool.accounts) names.push_back(accounts_[a].who.name);
      shared_cache_->drop(accounts_.front().who.client->get_executor(), names, pool.link);
    }
  }
}

asio::awaitable<std::optional<gateway::reply>> gateway::answer_without_body(response_writer& out, download_plan& plan) {
  if (!plan.error_code.empty()) {
    auto r = reply::error({plan.head.status, plan.error_code, plan.error_message});
    r.headers = std::move(plan.head.headers);
    co_return r;
  }
  if (plan.body) co_return std::nullopt;
  reply r;  // HEAD, 304: the head alone
  r.status = plan.head.status;
  r.sent = true;
  co_await out.send_head(plan.head);
  co_return r;
}

asio::awaitable<void> gateway::learn_floods(const account_pool& pool) {
  if (!shared_floods_ || pool.members.empty()) co_return;
  std::vector<std::string> names;
  for (const auto& m : pool.members) names.push_back(m.account);
  co_await shared_floods_->import(names, pool.members.front().file.location.dc_id);
}

asio::awaitable<gateway::reply> gateway::stream_original(response_writer& out, const download_plan& plan,
                                                         const account_pool& pool) {
  co_await learn_floods(pool);
  reply r;
  r.status = plan.head.status;
  r.sent = true;
  const auto started = clock::now();
  response_sink sink(out, [&out, &plan]() { return out.send_head(plan.head); });
  auto [dec, result] = co_await download::async_download(pool.members, sink, download_settings(plan.first, plan.end), as_tuple);
  bytes_out_ += static_cast<std::uint64_t>(sink.bytes_sent());
  r.bytes = sink.bytes_sent();
  if (sink.first_byte_at()) {
    r.ttfb = std::chrono::duration<double>(*sink.first_byte_at() - started).count();
    ttfb_.add(*r.ttfb);
  }
  count(pool, result);
  if (dec) {
    ++downloads_failed_;
    if (!out.head_sent()) {
      r = reply::error(from_download_error(dec));
      r.bytes = 0;
      co_return r;
    }
    out.close_after();  // the body is cut short: only closing can tell the client
  }
  co_return r;
}

asio::awaitable<gateway::reply> gateway::serve_remux(http_request& request, response_writer& out, const file_facts& facts,
                                                     const account_pool& pool, std::optional<int> audio) {
  co_await learn_floods(pool);
  const auto started = clock::now();
  auto stream = std::make_unique<remux_stream>(out.executor(), facts.size,
                                               range_starter(pool.members, download_settings(0, facts.size)), audio);
  ++active_remuxes_;
  const counted_while active(active_remuxes_);

  const auto refusal = co_await stream->probed();
  if (refusal) {
    remux_ranges_ += static_cast<std::uint64_t>(stream->downloads_started());
    stream.reset();
    switch (refusal->code) {
      case remux_errc::no_such_audio_track:
        co_return reply::error({404, "no_such_audio_track", std::string("the file has no such audio track: ") + refusal->what()});
      case remux_errc::read_failed:
      case remux_errc::write_failed:
        co_return reply::error({502, "upstream_error", std::string("reading the file from Telegram failed: ") + refusal->what()});
      default: break;
    }
    // Not a video, or codecs MP4 cannot carry for browsers: the original, and why.
    ++remux_fallbacks_;
    auto plan = plan_download(request, facts);
    plan.head.headers.emplace_back("X-Tgstream-Remux", fmt::format("original; reason=\"{}\"", refusal->what()));
    if (auto done = co_await answer_without_body(out, plan)) co_return std::move(*done);
    co_return co_await stream_original(out, plan, pool);
  }

  ++remuxes_;
  auto name = facts.file_name;
  if (const auto dot = name.rfind('.'); dot != std::string::npos && dot > 0) name.resize(dot);
  name += ".mp4";
  response_head head{200,
                     {{"Content-Type", std::string("video/mp4")},
                      {"Content-Disposition", content_disposition(name, "video.mp4")},
                      {"Cache-Control", "no-store"},
                      {"Accept-Ranges", "none"},
                      {"X-Content-Type-Options", "nosniff"},
                      {"X-Tgstream-Remux", "fmp4"}}};  // no Content-Length: chunked
  reply r;
  r.sent = true;
  if (auto ec = co_await out.send_head(head)) co_return r;
  if (request.method == "HEAD") co_return r;  // the stream's destructor stops the remux
  for (;;) {
    std::vector<std::uint8_t> piece;
    try {
      piece = co_await stream->next();
    } catch (const remux_error&) {
      ++downloads_failed_;
      out.close_after();  // cut short: the missing last chunk tells the client
      break;
    }
    if (piece.empty()) {
      co_await out.finish_body();
      break;
    }
    if (!r.ttfb) {
      r.ttfb = std::chrono::duration<double>(clock::now() - started).count();
      ttfb_.add(*r.ttfb);
    }
    if (co_await out.send_body(piece)) break;  // the client left: ~remux_stream stops the rest
    r.bytes += static_cast<std::int64_t>(piece.size());
    bytes_out_ += piece.size();
  }
  remux_ranges_ += static_cast<std::uint64_t>(stream->downloads_started());
  co_return r;
}

std::string gateway::metrics_text() const {
  std::string m;
  auto add = [&m](std::string_view name, std::string_view type, std::string_view help) {
    m += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name, help, name, type);
  };
  auto one = [&](std::string_view name, std::string_view type, std::string_view help, auto value) {
    add(name, type, help);
    m += fmt::format("{} {}\n", name, value);
  };
  one("tgstream_active_streams", "gauge", "Downloads being streamed now.", active_streams_);
  one("tgstream_bytes_out_total", "counter", "File bytes sent to clients.", bytes_out_);
  one("tgstream_downloads_failed_total", "counter", "Streams that ended with an error.", downloads_failed_);
  add("tgstream_responses_total", "counter", "Responses by status.");
  for (const auto& [status, n] : responses_by_status_) m += fmt::format("tgstream_responses_total{{status=\"{}\"}} {}\n", status, n);
  add("tgstream_ttfb_seconds", "histogram", "Time from the request to the first file byte.");
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < ttfb_.bounds.size(); ++i) {
    cumulative += ttfb_.counts[i];
    m += fmt::format("tgstream_ttfb_seconds_bucket{{le=\"{}\"}} {}\n", ttfb_.bounds[i], cumulative);
  }
  m += fmt::format("tgstream_ttfb_seconds_bucket{{le=\"+Inf\"}} {}\n", ttfb_.total);
  m += fmt::format("tgstream_ttfb_seconds_sum {}\ntgstream_ttfb_seconds_count {}\n", ttfb_.sum, ttfb_.total);
  add("tgstream_flood_waits_total", "counter", "Flood waits Telegram asked of each account on each DC it downloaded from.");
  for (const auto& a : accounts_)
    for (const auto& [dc, d] : a.dcs)
      m += fmt::format("tgstream_flood_waits_total{{account=\"{}\",dc=\"{}\"}} {}\n", a.who.name, dc, d.flood_waits);
  add("tgstream_upstream_requests_total", "counter", "upload.getFile requests per account and DC.");
  for (const auto& a : accounts_)
    for (const auto& [dc, d] : a.dcs)
      m += fmt::format("tgstream_upstream_requests_total{{account=\"{}\",dc=\"{}\"}} {}\n", a.who.name, dc, d.requests);
  one("tgstream_remux_active", "gauge", "?format=mp4 responses being remuxed now.", active_remuxes_);
  one("tgstream_remux_sessions_total", "counter", "?format=mp4 responses that were remuxed.", remuxes_);
  one("tgstream_remux_fallbacks_total", "counter", "?format=mp4 responses answered with the original file.", remux_fallbacks_);
  one("tgstream_remux_range_requests_total", "counter", "Range downloads the remuxes needed (a jump to an index is one).", remux_ranges_);
  one("tgstream_cache_hits_total", "counter", "Link lookups answered from the metadata cache.", cache_.hits());
  one("tgstream_cache_misses_total", "counter", "Link lookups that went to Telegram.", cache_.misses());
  if (shared_floods_) {
    one("tgstream_shared_floods_published_total", "counter", "Flood waits written to Redis for the other nodes.",
        shared_floods_->published());
    one("tgstream_shared_floods_imported_total", "counter", "Flood waits learned from Redis before downloads.",
        shared_floods_->imported());
    one("tgstream_redis_failures_total", "counter", "Redis calls that failed (the node went on alone).",
        options_.redis->failures());
    one("tgstream_shared_cache_hits_total", "counter", "Links another node had resolved (found in Redis).",
        shared_cache_->stats().hits);
    one("tgstream_shared_cache_misses_total", "counter", "Links not in Redis either.", shared_cache_->stats().misses);
  }
  if (server_) {
    const auto& c = server_->counters();
    one("tgstream_http_connections_open", "gauge", "Open client connections.", c.open_connections);
    one("tgstream_http_requests_total", "counter", "HTTP requests parsed.", c.requests);
    one("tgstream_http_refused_total", "counter", "Requests refused as malformed or too large.", c.refused);
    one("tgstream_http_timeouts_total", "counter", "Connections closed by a timeout.", c.timeouts);
  }
  return m;
}

}  // namespace tgstream
