// tgstream's gateway end to end, in-process: mtproto-testdc on its thread, the gateway and its
// client on another, and a plain blocking HTTP client in the test — resolve a link, download the
// whole file and ranges of it (bytes compared with the emulator's), HEAD, keep-alive and
// pipelining, refusals with JSON errors, a client that stalls (the download pauses: back-pressure)
// and one that goes away (its download stops).
#include <catch2/catch.hpp>

#include <asio/connect.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>
#include <nlohmann/json.hpp>

#include <fstream>
#include <map>
#include <thread>

#include "client/testdc_fixture.h"
#include "media_check.h"
#include "support/test_media.h"
#include "gateway.h"
#include "http_server.h"
#include "mtproto/client/auth.h"
#include "request_target.h"

namespace {

using namespace mtproto::test;
using asio::ip::tcp;
namespace client = mtproto::client;

/// The gateway with one bot account ("bot"), or a pool of the bots `tokens` names (each
/// "bot<ID>"), serving on a loopback port from its own thread.
class running_gateway {
 public:
  explicit running_gateway(emulator& dc, tgstream::gateway_options g = {}, std::vector<std::string> tokens = {}) {
    auto o = dc.client_options();
    o.max_download_sessions = 4;
    const bool pool = !tokens.empty();
    if (!pool) tokens.push_back(dc.catalog().bot_token());
    std::vector<tgstream::gateway_account> accounts;
    for (const auto& token : tokens) {
      clients_.push_back(std::make_unique<client::client>(io_.get_executor(), o));
      REQUIRE(run(io_, client::sign_in_bot(*clients_.back(), token)));
      accounts.push_back({clients_.back().get(), pool ? "bot" + token.substr(0, token.find(':')) : "bot"});
    }
    if (g.secret.empty()) g.secret.assign(32, 7);
    gw_ = std::make_unique<tgstream::gateway>(std::move(accounts), g);
    tgstream::server_limits limits;
    limits.idle_timeout = std::chrono::milliseconds(1500);
    server_ = std::make_unique<tgstream::http_server>(
        io_.get_executor(), tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0),
        [this](tgstream::http_request& r, tgstream::response_writer& w) { return gw_->handle(r, w); }, limits);
    gw_->attach(server_.get());
    server_->start();
    port_ = server_->local_endpoint().port();
    if (io_.stopped()) io_.restart();
    thread_ = std::thread([this] {
      auto guard = asio::make_work_guard(io_);
      io_.run();
    });
  }
  ~running_gateway() {
    asio::post(io_, [this] {
      server_->stop([this] {
        for (auto& c : clients_) c->shutdown();
        io_.stop();
      });
    });
    thread_.join();
  }
  unsigned short port() const { return port_; }

 private:
  asio::io_context io_;
  std::vector<std::unique_ptr<client::client>> clients_;
  std::unique_ptr<tgstream::gateway> gw_;
  std::unique_ptr<tgstream::http_server> server_;
  std::thread thread_;
  unsigned short port_ = 0;
};

struct response {
  int status = 0;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body); }
};

/// A blocking HTTP/1.1 client on one connection.
class http_client {
 public:
  explicit http_client(unsigned short port) : socket_(io_) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  }
  void send(std::string_view raw) { asio::write(socket_, asio::buffer(raw)); }
  /// Reads one response; a HEAD's has no body whatever its Content-Length.
  response read(bool head = false) {
    response r;
    const auto end = read_until("\r\n\r\n");
    std::string head_text = buffer_.substr(0, end);
    buffer_.erase(0, end + 4);
    std::size_t line_end = head_text.find("\r\n");
    const auto status_line = head_text.substr(0, line_end);
    r.status = std::stoi(status_line.substr(9, 3));
    while (line_end != std::string::npos) {
      const auto next = head_text.find("\r\n", line_end + 2);
      const auto line = head_text.substr(line_end + 2, next == std::string::npos ? std::string::npos : next - line_end - 2);
      const auto colon = line.find(':');
      if (colon != std::string::npos) {
        std::string name = line.substr(0, colon);
        for (auto& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        r.headers[name] = line.substr(colon + 2);
      }
      line_end = next;
    }
    if (head || r.status == 304) return r;
    if (r.headers.count("transfer-encoding") && r.headers.at("transfer-encoding") == "chunked") {
      for (;;) {  // size line, data, CRLF; a zero size ends the body (no trailers are sent)
        const auto line_end = read_until("\r\n");
        const auto size = std::stoull(buffer_.substr(0, line_end), nullptr, 16);
        buffer_.erase(0, line_end + 2);
        fill(static_cast<std::size_t>(size) + 2);
        r.body += buffer_.substr(0, static_cast<std::size_t>(size));
        buffer_.erase(0, static_cast<std::size_t>(size) + 2);
        if (size == 0) return r;
      }
    }
    const auto length = std::stoll(r.headers.at("content-length"));
    fill(static_cast<std::size_t>(length));
    r.body = buffer_.substr(0, static_cast<std::size_t>(length));
    buffer_.erase(0, static_cast<std::size_t>(length));
    return r;
  }
  response get(const std::string& target, std::string extra_headers = "") {
    send("GET " + target + " HTTP/1.1\r\nHost: test\r\n" + extra_headers + "\r\n");
    return read();
  }
  /// Reads up to `n` body bytes raw (for the stall and disconnect cases).
  std::size_t read_some(std::size_t n) {
    std::string chunk(n, '\0');
    return socket_.read_some(asio::buffer(chunk));
  }
  /// True when the server closed the connection (EOF) within the socket's read.
  bool closed_by_server() {
    char c;
    asio::error_code ec;
    socket_.read_some(asio::buffer(&c, 1), ec);
    return ec == asio::error::eof || ec == asio::error::connection_reset;
  }
  void close() { socket_.close(); }

 private:
  std::size_t read_until(std::string_view marker) {
    for (;;) {
      if (const auto at = buffer_.find(marker); at != std::string::npos) return at;
      pull();
    }
  }
  void fill(std::size_t n) {
    while (buffer_.size() < n) pull();
  }
  void pull() {
    char chunk[64 * 1024];
    const auto got = socket_.read_some(asio::buffer(chunk));
    buffer_.append(chunk, got);
  }
  asio::io_context io_;
  tcp::socket socket_;
  std::string buffer_;
};

std::string link_of(emulator& dc, std::size_t file_index) {
  return fmt::format("https://t.me/{}/{}", dc.catalog().channel().username,
                     mtproto::testdc::first_message_id + static_cast<int>(file_index));
}

std::string bytes_of(const mtproto::testdc::published_file& f, std::int64_t first, std::int64_t end) {
  std::string s(static_cast<std::size_t>(end - first), '\0');
  f.content.read(first, std::span(reinterpret_cast<std::uint8_t*>(s.data()), s.size()));
  return s;
}

mtproto::testdc::options files(std::initializer_list<const char*> specs) {
  mtproto::testdc::options o;
  for (const auto* s : specs) o.files.push_back(mtproto::testdc::parse_file_spec(s));
  return o;
}

/// The value of an unlabelled metric in /metrics text.
double metric(const std::string& text, const std::string& name) {
  const auto at = text.find("\n" + name + " ");
  REQUIRE(at != std::string::npos);
  return std::stod(text.substr(at + name.size() + 2));
}

/// The download_url /api/resolve answers for file `index`.
std::string download_url(http_client& h, emulator& dc, std::size_t index) {
  const auto r = h.get("/api/resolve?link=" + tgstream::percent_encode(link_of(dc, index)));
  REQUIRE(r.status == 200);
  return r.json().at("download_url").get<std::string>();
}

}  // namespace

TEST_CASE("tgstream: resolve a link, then the whole file and ranges of it, byte for byte", "[tgstream][e2e]") {
  emulator dc(files({"clip.mp4:3000K:2", "other.bin:10K:1"}));
  running_gateway gw(dc);
  http_client h(gw.port());
  const auto& file = dc.catalog().files()[0];

  const auto resolved = h.get("/api/resolve?link=" + tgstream::percent_encode(link_of(dc, 0)));
  REQUIRE(resolved.status == 200);
  const auto j = resolved.json();
  CHECK(j.at("name") == "clip.mp4");
  CHECK(j.at("size") == 3000 * 1024);
  CHECK(j.at("dc") == 2);
  CHECK(resolved.headers.at("content-type") == "application/json");
  const auto url = j.at("download_url").get<std::string>();
  REQUIRE(url.rfind("/dl/", 0) == 0);

  const auto whole = h.get(url);  // the same connection: keep-alive
  REQUIRE(whole.status == 200);
  CHECK(whole.headers.at("content-length") == std::to_string(file.spec.size));
  CHECK(whole.headers.at("accept-ranges") == "bytes");
  CHECK(whole.headers.at("content-disposition").find("clip.mp4") != std::string::npos);
  CHECK(whole.body == bytes_of(file, 0, file.spec.size));

  const std::int64_t size = file.spec.size;
  struct {
    std::string range;
    std::int64_t first, end;
  } ranges[] = {{"bytes=0-99", 0, 100},
                {"bytes=1500000-2600000", 1'500'000, 2'600'001},
                {"bytes=-5", size - 5, size},
                {"bytes=1048575-1048576", 1'048'575, 1'048'577}};  // across a part boundary
  for (const auto& r : ranges) {
    INFO(r.range);
    const auto part = h.get(url, "Range: " + r.range + "\r\n");
    REQUIRE(part.status == 206);
    CHECK(part.headers.at("content-range") == fmt::format("bytes {}-{}/{}", r.first, r.end - 1, size));
    CHECK(part.body == bytes_of(file, r.first, r.end));
  }

  h.send("HEAD " + url + " HTTP/1.1\r\nHost: t\r\n\r\n");
  const auto head = h.read(true);
  CHECK(head.status == 200);
  CHECK(head.headers.at("content-length") == std::to_string(size));
  const auto etag = head.headers.at("etag");
  CHECK(head.headers.at("last-modified").find(" GMT") != std::string::npos);  // the document's date
  CHECK(h.get(url, "If-None-Match: " + etag + "\r\n").status == 304);
  CHECK(h.get(url, "Range: bytes=0-0\r\nIf-Range: \"stale\"\r\n").status == 200);  // the whole file again

  const auto unsatisfiable = h.get(url, "Range: bytes=99999999-\r\n");
  CHECK(unsatisfiable.status == 416);
  CHECK(unsatisfiable.headers.at("content-range") == fmt::format("bytes */{}", size));
  CHECK(unsatisfiable.json().at("error").at("code") == "range_not_satisfiable");

  // A file on another DC (the client follows its DC).
  const auto other_url = download_url(h, dc, 1);
  const auto other = h.get(other_url);
  REQUIRE(other.status == 200);
  CHECK(other.body == bytes_of(dc.catalog().files()[1], 0, 10 * 1024));

  const auto metrics = h.get("/metrics");
  CHECK(metrics.status == 200);
  CHECK(metrics.body.find("tgstream_active_streams 0") != std::string::npos);
  CHECK(metrics.body.find("tgstream_ttfb_seconds_count 7") != std::string::npos);
  CHECK(metrics.body.find("tgstream_cache_hits_total") != std::string::npos);
}

TEST_CASE("tgstream: ranges at the start, middle and end of a 3 GiB file cost a part each, not the prefix",
          "[tgstream][e2e]") {
  emulator dc(files({"film.mkv:3G:1"}));
  running_gateway gw(dc);
  http_client h(gw.port());
  const auto& file = dc.catalog().files()[0];
  const std::int64_t size = file.spec.size;
  const auto url = download_url(h, dc, 0);
  const auto requests = [&] {
    const auto text = h.get("/metrics").body;
    // Listed per account and DC once the pair has downloaded: before that, none.
    const auto at = text.find("tgstream_upstream_requests_total{account=\"bot\",dc=\"1\"} ");
    if (at == std::string::npos) return 0.0;
    return std::stod(text.substr(text.find("} ", at) + 2));
  };
  struct {
    std::string range;
    std::int64_t first, end;
  } ranges[] = {{"bytes=0-65535", 0, 65536},
                {"bytes=1610612000-1610677535", 1'610'612'000, 1'610'677'536},  // straddles the 1536th MiB
                {"bytes=-70000", size - 70000, size}};
  for (const auto& r : ranges) {
    INFO(r.range);
    const auto before = requests();
    const auto part = h.get(url, "Range: " + r.range + "\r\n");
    REQUIRE(part.status == 206);
    CHECK(part.headers.at("content-range") == fmt::format("bytes {}-{}/{}", r.first, r.end - 1, size));
    CHECK(part.body == bytes_of(file, r.first, r.end));
    CHECK(requests() - before <= 2);  // the parts holding the range (two when it straddles a boundary)
  }
  CHECK(requests() >= 3);  // counted, per account and DC
}

TEST_CASE("tgstream: one account of the pool flooded, the others serve on; /metrics names who waited on which DC",
          "[tgstream][e2e]") {
  auto o = files({"pool.bin:4M:1"});
  o.faults.flood_account = 7002;  // a FLOOD_WAIT_1 on every third request of this bot only
  o.faults.flood_every = 3;
  o.faults.flood_seconds = 1;
  emulator dc(o);
  tgstream::gateway_options g;
  g.part_size = 128 * 1024;  // 32 requests: enough for the storm to strike
  running_gateway gw(dc, g, {"7001:poolA", "7002:poolB", "7003:poolC"});
  http_client h(gw.port());
  const auto body = h.get(download_url(h, dc, 0));
  REQUIRE(body.status == 200);
  CHECK(body.body == bytes_of(dc.catalog().files()[0], 0, 4 << 20));
  const auto text = h.get("/metrics").body;
  const auto value = [&](const std::string& series) {
    const auto at = text.find(series + " ");
    return at == std::string::npos ? -1.0 : std::stod(text.substr(at + series.size() + 1));
  };
  CHECK(value(R"(tgstream_flood_waits_total{account="bot7002",dc="1"})") >= 1);
  CHECK(value(R"(tgstream_flood_waits_total{account="bot7001",dc="1"})") == 0);
  CHECK(value(R"(tgstream_flood_waits_total{account="bot7003",dc="1"})") == 0);
  // The others carried the file on: between them, most of the parts.
  const auto others = value(R"(tgstream_upstream_requests_total{account="bot7001",dc="1"})") +
                      value(R"(tgstream_upstream_requests_total{account="bot7003",dc="1"})");
  CHECK(others >= 16);
}

TEST_CASE("tgstream: bad links, bad tokens and bad requests get statuses and JSON errors", "[tgstream][e2e]") {
  emulator dc(files({"a.bin:100K:2"}));
  running_gateway gw(dc);
  http_client h(gw.port());
  const auto code = [](const response& r) { return r.json().at("error").at("code").get<std::string>(); };

  auto r = h.get("/api/resolve?link=not%20a%20link");
  CHECK(r.status == 400);
  CHECK(code(r) == "bad_link");
  r = h.get("/api/resolve");
  CHECK(r.status == 400);
  CHECK(code(r) == "missing_link");
  r = h.get("/api/resolve?link=" + tgstream::percent_encode("https://t.me/nosuchchannel/5"));
  CHECK(r.status == 404);
  CHECK(code(r) == "channel_not_found");
  r = h.get("/api/resolve?link=" + tgstream::percent_encode(link_of(dc, 99)));
  CHECK(r.status == 404);
  CHECK(code(r) == "message_not_found");

  const auto url = download_url(h, dc, 0);
  auto forged = url;
  forged[6] = forged[6] == 'A' ? 'B' : 'A';
  r = h.get(forged);
  CHECK(r.status == 403);
  r = h.get("/dl/garbage");
  CHECK(r.status == 403);
  CHECK(code(r) == "malformed_token");
  r = h.get("/dl/../../etc/passwd");
  CHECK((r.status == 403 || r.status == 404));
  r = h.get("/nothing/here");
  CHECK(r.status == 404);
  CHECK(code(r) == "not_found");
  h.send("DELETE / HTTP/1.1\r\nHost: t\r\n\r\n");
  r = h.read();
  CHECK(r.status == 405);
  CHECK(r.headers.at("allow") == "GET, HEAD");
  r = h.get(url, "Range: bytes=0-1,4-5\r\n");
  CHECK(r.status == 416);
  CHECK(code(r) == "multiple_ranges");

  // Pipelined: two requests in one write, two answers in order.
  h.send("GET /healthz HTTP/1.1\r\nHost: t\r\n\r\nGET /api/resolve HTTP/1.1\r\nHost: t\r\n\r\n");
  CHECK(h.read().status == 200);
  CHECK(h.read().status == 400);

  // Malformed: a JSON 400, then the connection closes.
  http_client bad(gw.port());
  bad.send("THIS IS NOT HTTP\r\n\r\n");
  r = bad.read();
  CHECK(r.status >= 400);
  CHECK_FALSE(code(r).empty());
  CHECK(bad.closed_by_server());

  // Oversized headers.
  http_client big(gw.port());
  big.send("GET / HTTP/1.1\r\nX: " + std::string(64 * 1024, 'a') + "\r\n\r\n");
  r = big.read();
  CHECK(r.status == 431);

  // An idle kept-alive connection is closed after the idle timeout.
  http_client idle(gw.port());
  CHECK(idle.closed_by_server());
}

TEST_CASE("tgstream: a client past its request rate gets 429 with Retry-After", "[tgstream][e2e]") {
  emulator dc(files({"a.bin:10K:2"}));
  tgstream::gateway_options g;
  g.rate_limit = {0.5, 3, 100};
  running_gateway gw(dc, g);
  http_client h(gw.port());
  for (int i = 0; i < 3; ++i) CHECK(h.get("/healthz").status == 200);
  const auto r = h.get("/healthz");
  CHECK(r.status == 429);
  CHECK(r.json().at("error").at("code") == "too_many_requests");
  CHECK(r.headers.at("retry-after") == "2");
}

TEST_CASE("tgstream: the web page at /, revalidated by ETag; --no-web-ui leaves only the API", "[tgstream][e2e]") {
  emulator dc(files({"a.bin:10K:2"}));
  {
    running_gateway gw(dc);
    http_client h(gw.port());
    const auto page = h.get("/?link=https%3A%2F%2Ft.me%2Fx%2F1");  // a shared link: the same page
    REQUIRE(page.status == 200);
    CHECK(page.headers.at("content-type") == "text/html; charset=utf-8");
    CHECK(page.headers.at("cache-control") == "no-cache");
    CHECK(page.headers.at("content-security-policy").find("default-src 'self'") == 0);
    CHECK(page.body.find("Telegram message link") != std::string::npos);
    const auto again = h.get("/", "If-None-Match: " + page.headers.at("etag") + "\r\n");
    CHECK(again.status == 304);
    CHECK(again.headers.count("content-length") == 0);
    CHECK(again.headers.at("etag") == page.headers.at("etag"));
    const auto script = h.get("/app.js");
    CHECK(script.status == 200);
    CHECK(script.headers.at("content-type") == "text/javascript; charset=utf-8");
    h.send("HEAD /sw.js HTTP/1.1\r\nHost: t\r\n\r\n");
    const auto head = h.read(true);
    CHECK(head.status == 200);
    CHECK(std::stoul(head.headers.at("content-length")) > 100);
    CHECK(h.get("/web/app.js").status == 404);
    CHECK(h.get("/%2e%2e%2fapp.js").status == 404);
    CHECK(h.get("/api/resolve").headers.at("cache-control") == "no-store");  // answers are never cached
  }
  tgstream::gateway_options api_only;
  api_only.web_ui = false;
  running_gateway gw(dc, api_only);
  http_client h(gw.port());
  CHECK(h.get("/").status == 404);
  CHECK(h.get("/app.js").status == 404);
  CHECK(h.get("/healthz").status == 200);
}

TEST_CASE("tgstream: a client that stops reading pauses its download; one that leaves stops it", "[tgstream][e2e]") {
  emulator dc(files({"big.bin:48M:2"}));
  tgstream::gateway_options g;
  g.part_size = 256 * 1024;
  g.window_bytes = 1 << 20;
  running_gateway gw(dc, g);
  http_client h(gw.port());
  const auto url = download_url(h, dc, 0);
  const auto& file = dc.catalog().files()[0];

  SECTION("stalled, then read to the end: nothing lost, nothing buffered meanwhile") {
    h.send("GET " + url + " HTTP/1.1\r\nHost: t\r\n\r\n");
    // Not reading: the socket buffers fill, the sink waits, the window fills, requests stop.
    std::uint64_t before = 0, after = 0;
    for (int i = 0; i < 50; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      after = dc.counters().requests;
      if (i >= 10 && after == before) break;
      before = after;
    }
    CHECK(after == before);
    const auto requested = static_cast<std::int64_t>(after) * g.part_size;
    CHECK(requested < file.spec.size / 2);  // socket buffers and the window, not the file
    const auto r = h.read();
    REQUIRE(r.status == 200);
    CHECK(r.body == bytes_of(file, 0, file.spec.size));
  }
  SECTION("gone mid-file: the download stops within a part or so") {
    h.send("GET " + url + " HTTP/1.1\r\nHost: t\r\n\r\n");
    std::size_t got = 0;
    while (got < 2 * 1024 * 1024) got += h.read_some(64 * 1024);
    h.close();
    std::uint64_t before = 0, after = 0;
    for (int i = 0; i < 50; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      after = dc.counters().requests;
      if (i >= 5 && after == before) break;
      before = after;
    }
    CHECK(after == before);
    CHECK(static_cast<std::int64_t>(after) * g.part_size < file.spec.size / 2);
    http_client m(gw.port());
    const auto metrics = m.get("/metrics").body;
    CHECK(metrics.find("tgstream_active_streams 0") != std::string::npos);
    CHECK(metrics.find("tgstream_downloads_failed_total 1") != std::string::npos);
  }
}

TEST_CASE("tgstream: ?format=mp4 remuxes as it downloads, or says why it serves the original", "[tgstream][e2e][remux]") {
  const auto& m = mtproto::test::media_files();
  auto o = files({"a.bin:10K:1"});
  for (const auto& spec : {"two.mkv=" + m.two_audio_mkv + ":2", "late.mp4=" + m.moov_last_mp4,
                           "old.mkv=" + m.mpeg2_mkv, "text.mp4=" + m.not_media})
    o.media.push_back(mtproto::testdc::parse_media_spec(spec));
  emulator dc(o);
  running_gateway gw(dc);
  http_client h(gw.port());
  const auto save = [&](const std::string& body, const std::string& name) {
    const auto path = m.dir + "/" + name;
    std::ofstream(path, std::ios::binary) << body;
    return path;
  };

  const auto mkv = download_url(h, dc, 1);
  for (int track : {0, 1}) {
    INFO("audio " << track);
    const auto r = h.get(mkv + "?format=mp4&audio=" + std::to_string(track));
    REQUIRE(r.status == 200);
    CHECK(r.headers.at("content-type") == "video/mp4");
    CHECK(r.headers.at("transfer-encoding") == "chunked");
    CHECK(r.headers.at("x-tgstream-remux") == "fmp4");
    CHECK(r.headers.at("content-disposition").find("two.mp4") != std::string::npos);
    const auto path = save(r.body, "gw-two-" + std::to_string(track) + ".mp4");
    const auto probe = tgstream::test::ffprobe(path);
    REQUIRE(probe["streams"].size() == 2);
    CHECK(probe["streams"][0]["codec_name"] == "h264");
    CHECK(probe["streams"][1]["codec_name"] == (track == 0 ? "aac" : "opus"));
    CHECK(tgstream::test::packet_digest(path, AVMEDIA_TYPE_VIDEO) ==
          tgstream::test::packet_digest(m.two_audio_mkv, AVMEDIA_TYPE_VIDEO));
  }
  // The same connection goes on after a chunked body.
  CHECK(h.get("/healthz").status == 200);

  const auto ranges_before = metric(h.get("/metrics").body, "tgstream_remux_range_requests_total");
  const auto late = h.get(download_url(h, dc, 2) + "?format=mp4");
  REQUIRE(late.status == 200);
  // The index at the end: one jump there and one back, not the file read twice.
  CHECK(metric(h.get("/metrics").body, "tgstream_remux_range_requests_total") - ranges_before <= 3);
  const auto late_path = save(late.body, "gw-late.mp4");
  CHECK(tgstream::test::packet_digest(late_path, AVMEDIA_TYPE_AUDIO) ==
        tgstream::test::packet_digest(m.moov_last_mp4, AVMEDIA_TYPE_AUDIO));

  const auto old = h.get(download_url(h, dc, 3) + "?format=mp4");
  REQUIRE(old.status == 200);
  CHECK(old.headers.at("x-tgstream-remux").find("original; reason=\"video codec mpeg2video\"") == 0);
  CHECK(old.body == bytes_of(dc.catalog().files()[3], 0, dc.catalog().files()[3].spec.size));
  const auto text = h.get(download_url(h, dc, 4) + "?format=mp4");
  REQUIRE(text.status == 200);
  CHECK(text.headers.at("x-tgstream-remux").find("original") == 0);

  CHECK(h.get(mkv + "?format=mp4&audio=2").json().at("error").at("code") == "no_such_audio_track");
  CHECK(h.get(mkv + "?format=webm").json().at("error").at("code") == "bad_format");
  CHECK(h.get(mkv + "?format=mp4&audio=x").json().at("error").at("code") == "bad_audio");
  CHECK(h.get(mkv + "?audio=1").status == 400);

  // ?tracks=1: the card lists the audio tracks and says whether the remux can play it.
  const auto card_of = [&](std::size_t index) {
    const auto r = h.get("/api/resolve?tracks=1&link=" + tgstream::percent_encode(link_of(dc, index)));
    REQUIRE(r.status == 200);
    return r.json();
  };
  const auto card = card_of(1);
  REQUIRE(card.at("audio_tracks").size() == 2);
  CHECK(card["audio_tracks"][0]["language"] == "eng");
  CHECK(card["audio_tracks"][1]["codec"] == "opus");
  CHECK(card["video_codec"] == "h264");
  CHECK(card["remux_url"] == card["download_url"].get<std::string>() + "?format=mp4");
  const auto probes = metric(h.get("/metrics").body, "tgstream_remux_range_requests_total");
  CHECK(card_of(1) == card);  // remembered: no second probe
  CHECK(metric(h.get("/metrics").body, "tgstream_remux_range_requests_total") == probes);
  const auto old_card = card_of(3);
  CHECK(old_card["remux_problem"] == "video codec mpeg2video");
  CHECK_FALSE(old_card.contains("remux_url"));
  CHECK_FALSE(h.get("/api/resolve?link=" + tgstream::percent_encode(link_of(dc, 1))).json().contains("audio_tracks"));

  const auto metrics = h.get("/metrics").body;
  CHECK(metrics.find("tgstream_remux_sessions_total 3") != std::string::npos);
  CHECK(metrics.find("tgstream_remux_fallbacks_total 2") != std::string::npos);
  CHECK(metrics.find("tgstream_remux_active 0") != std::string::npos);
}

TEST_CASE("tgstream: a client that leaves a remux stops it and its download", "[tgstream][e2e][remux]") {
  const auto& m = mtproto::test::media_files();
  auto o = files({"a.bin:10K:1"});
  o.media.push_back(mtproto::testdc::parse_media_spec("noise.mkv=" + m.noise_mkv));
  emulator dc(o);
  const auto size = dc.catalog().files()[1].spec.size;
  REQUIRE(size > 16 * 1024 * 1024);
  running_gateway gw(dc);
  http_client control(gw.port());
  const auto url = download_url(control, dc, 1);
  const auto served = [&] { return static_cast<double>(dc.counters().bytes_sent); };  // by the emulator
  const auto before = served();
  {
    http_client leaving(gw.port());
    leaving.send("GET " + url + "?format=mp4 HTTP/1.1\r\nHost: t\r\n\r\n");
    std::size_t got = 0;
    while (got < 64 * 1024) got += leaving.read_some(16 * 1024);  // the head and the first fragments
    leaving.close();
  }
  // The remux ends, and the download behind it stops well short of the file.
  for (int i = 0; i < 100 && metric(control.get("/metrics").body, "tgstream_remux_active") != 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(metric(control.get("/metrics").body, "tgstream_remux_active") == 0);
  // The parts already asked for still arrive; then nothing more is asked.
  double settled = served();
  for (int i = 0; i < 40; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    if (served() == settled) break;
    settled = served();
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  CHECK(served() == settled);
  // Probing, the source's 4 MiB window and the downloader's requests in flight: not the file.
  CHECK(settled - before < static_cast<double>(size) * 0.6);
}
