#include "redis_client.h"

#include <asio/posix/stream_descriptor.hpp>
#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>

#include <charconv>

extern "C" {
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
}

namespace tgstream {
namespace {

class redis_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "tgstream.redis"; }
  std::string message(int e) const override {
    switch (static_cast<redis_errc>(e)) {
      case redis_errc::connect_failed: return "Redis cannot be reached";
      case redis_errc::timeout: return "Redis did not answer in time";
      case redis_errc::server_error: return "Redis answered an error";
    }
    return "unknown Redis error";
  }
};

redis_reply convert(const redisReply* r, int depth = 0) {
  redis_reply out;
  if (!r) return out;
  switch (r->type) {
    case REDIS_REPLY_STRING: out.type = redis_reply::kind::string; out.text.assign(r->str, r->len); break;
    case REDIS_REPLY_STATUS: out.type = redis_reply::kind::status; out.text.assign(r->str, r->len); break;
    case REDIS_REPLY_ERROR: out.type = redis_reply::kind::error; out.text.assign(r->str, r->len); break;
    case REDIS_REPLY_INTEGER: out.type = redis_reply::kind::integer; out.integer = r->integer; break;
    case REDIS_REPLY_ARRAY:
      out.type = redis_reply::kind::array;
      if (depth < 8)
        for (std::size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i], depth + 1));
      break;
    default: break;
  }
  return out;
}

}  // namespace

const std::error_category& redis_category() noexcept {
  static const redis_category_impl c;
  return c;
}

std::error_code make_error_code(redis_errc e) noexcept { return {static_cast<int>(e), redis_category()}; }

std::optional<redis_endpoint> redis_endpoint::parse(std::string_view url, std::string* why) {
  auto fail = [why](const char* what) -> std::optional<redis_endpoint> {
    if (why) *why = what;
    return std::nullopt;
  };
  constexpr std::string_view scheme = "redis://";
  if (url.substr(0, scheme.size()) != scheme) return fail("the URL must start with redis://");
  url.remove_prefix(scheme.size());
  redis_endpoint e;
  if (const auto at = url.rfind('@'); at != std::string_view::npos) {
    auto credentials = url.substr(0, at);
    if (const auto colon = credentials.find(':'); colon != std::string_view::npos) credentials.remove_prefix(colon + 1);
    e.password = std::string(credentials);
    url.remove_prefix(at + 1);
  }
  if (const auto slash = url.find('/'); slash != std::string_view::npos) {
    const auto db = url.substr(slash + 1);
    if (!db.empty()) {
      auto [end, ec] = std::from_chars(db.data(), db.data() + db.size(), e.db);
      if (ec != std::errc{} || end != db.data() + db.size() || e.db < 0 || e.db > 1000) return fail("the database must be a number");
    }
    url = url.substr(0, slash);
  }
  if (const auto colon = url.rfind(':'); colon != std::string_view::npos) {
    const auto port = url.substr(colon + 1);
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), e.port);
    if (ec != std::errc{} || end != port.data() + port.size() || e.port < 1 || e.port > 65535) return fail("the port must be 1..65535");
    url = url.substr(0, colon);
  }
  if (url.empty()) return fail("the URL names no host");
  for (char c : url)
    if (c <= ' ' || c == '/' || c == '?' || c == '#') return fail("the host has a character hosts do not");
  e.host = std::string(url);
  return e;
}

/// The event hooks hiredis calls: each asks for one more readiness wait on the socket, through Asio.
struct redis_client::adapter : std::enable_shared_from_this<adapter> {
  adapter(asio::any_io_executor ex, redisAsyncContext* c) : ctx(c), socket(ex, c->c.fd) {}
  redisAsyncContext* ctx;  // null once hiredis cleaned up
  asio::posix::stream_descriptor socket;
  bool want_read = false, want_write = false, reading = false, writing = false;

  void arm_read() {
    if (!ctx || !want_read || reading) return;
    reading = true;
    socket.async_wait(asio::posix::stream_descriptor::wait_read, [self = shared_from_this()](std::error_code ec) {
      self->reading = false;
      if (ec || !self->ctx) return;
      if (self->want_read) redisAsyncHandleRead(self->ctx);  // may clean up (ctx becomes null)
      self->arm_read();
    });
  }
  void arm_write() {
    if (!ctx || !want_write || writing) return;
    writing = true;
    socket.async_wait(asio::posix::stream_descriptor::wait_write, [self = shared_from_this()](std::error_code ec) {
      self->writing = false;
      if (ec || !self->ctx) return;
      if (self->want_write) redisAsyncHandleWrite(self->ctx);
      self->arm_write();
    });
  }
  static adapter& of(void* p) { return *static_cast<adapter*>(p); }
  static void add_read(void* p) { of(p).want_read = true; of(p).arm_read(); }
  static void del_read(void* p) { of(p).want_read = false; }
  static void add_write(void* p) { of(p).want_write = true; of(p).arm_write(); }
  static void del_write(void* p) { of(p).want_write = false; }
  static void cleanup(void* p) {
    auto& a = of(p);
    a.ctx = nullptr;
    std::error_code ignored;
    a.socket.cancel(ignored);
    a.socket.release();  // hiredis closes the descriptor itself
  }
};

/// One call: the coroutine waits on `timer`; the reply (or the connection's loss) cancels it.
struct redis_client::pending {
  explicit pending(asio::any_io_executor ex) : timer(ex) {}
  asio::steady_timer timer;
  bool answered = false;
  std::error_code ec;
  redis_reply reply;

  static void on_reply(redisAsyncContext*, void* r, void* privdata) {
    auto* holder = static_cast<std::shared_ptr<pending>*>(privdata);
    auto& p = **holder;
    if (!p.answered) {
      p.answered = true;
      if (!r) {
        p.ec = redis_errc::connect_failed;
      } else {
        p.reply = convert(static_cast<const redisReply*>(r));
        if (p.reply.type == redis_reply::kind::error) p.ec = redis_errc::server_error;
      }
      p.timer.cancel();
    }
    delete holder;
  }
};

redis_client::redis_client(asio::any_io_executor ex, redis_endpoint endpoint, std::chrono::milliseconds timeout)
    : ex_(std::move(ex)), endpoint_(std::move(endpoint)), timeout_(timeout) {}

redis_client::~redis_client() { close(); }

void redis_client::close() {
  closed_ = true;
  if (!ctx_) return;
  auto* c = ctx_;
  ctx_ = nullptr;
  c->data = nullptr;
  redisAsyncFree(c);  // fails pending calls (their coroutines are gone or hold their own state)
}

bool redis_client::connect() {
  if (ctx_) return true;
  if (closed_) return false;
  redisAsyncContext* c = redisAsyncConnect(endpoint_.host.c_str(), endpoint_.port);
  if (!c) return false;
  if (c->err) {
    redisAsyncFree(c);
    return false;
  }
  c->data = this;
  adapter_ = std::make_shared<adapter>(ex_, c);
  c->ev.data = adapter_.get();
  c->ev.addRead = &adapter::add_read;
  c->ev.delRead = &adapter::del_read;
  c->ev.addWrite = &adapter::add_write;
  c->ev.delWrite = &adapter::del_write;
  c->ev.cleanup = &adapter::cleanup;
  redisAsyncSetConnectCallback(c, [](const redisAsyncContext* ac, int status) {
    if (status != REDIS_OK && ac->data) static_cast<redis_client*>(ac->data)->lost();  // hiredis frees it
  });
  redisAsyncSetDisconnectCallback(c, [](const redisAsyncContext* ac, int) {
    if (ac->data) static_cast<redis_client*>(ac->data)->lost();
  });
  ctx_ = c;
  // AUTH and SELECT go first on the new connection; their replies are not waited for (an error
  // there shows in the commands after them).
  auto send_setup = [this](std::vector<std::string> args) {
    std::vector<const char*> argv;
    std::vector<std::size_t> lens;
    for (const auto& a : args) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    redisAsyncCommandArgv(ctx_, nullptr, nullptr, static_cast<int>(argv.size()), argv.data(), lens.data());
  };
  if (!endpoint_.password.empty()) send_setup({"AUTH", endpoint_.password});
  if (endpoint_.db != 0) send_setup({"SELECT", std::to_string(endpoint_.db)});
  return true;
}

void redis_client::lost() {
  ctx_ = nullptr;  // hiredis frees the context after this callback
}

asio::awaitable<std::pair<std::error_code, redis_reply>> redis_client::call(std::vector<std::string> args) {
  if (!connect()) {
    ++failures_;
    co_return std::pair{make_error_code(redis_errc::connect_failed), redis_reply{}};
  }
  auto p = std::make_shared<pending>(ex_);
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* holder = new std::shared_ptr<pending>(p);
  if (redisAsyncCommandArgv(ctx_, &pending::on_reply, holder, static_cast<int>(argv.size()), argv.data(), lens.data()) !=
      REDIS_OK) {
    delete holder;
    ++failures_;
    co_return std::pair{make_error_code(redis_errc::connect_failed), redis_reply{}};
  }
  p->timer.expires_after(timeout_);
  std::error_code ignored;
  co_await p->timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  if (!p->answered) {
    p->answered = true;  // a late reply is dropped
    ++failures_;
    co_return std::pair{make_error_code(redis_errc::timeout), redis_reply{}};
  }
  if (p->ec) ++failures_;
  co_return std::pair{p->ec, std::move(p->reply)};
}

}  // namespace tgstream
