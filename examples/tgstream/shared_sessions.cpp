#include "shared_sessions.h"

#include <asio/redirect_error.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_awaitable.hpp>
#include <fmt/format.h>

#include <array>
#include <vector>

extern "C" {
#include <hiredis/hiredis.h>
}

#include "mtproto/crypto/random.h"
#include "mtproto/crypto/wipe.h"
#include "text.h"

namespace tgstream {
namespace {

namespace client = mtproto::client;

/// Deletes KEYS[1] only while it still holds ARGV[1]: a lease that expired and was taken by
/// another node is not released from under it.
constexpr const char* release_if_mine = R"(if redis.call('GET', KEYS[1]) == ARGV[1] then
return redis.call('DEL', KEYS[1]) end return 0)";

struct reply_deleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using reply_ptr = std::unique_ptr<redisReply, reply_deleter>;

reply_ptr command(redisContext* c, const std::vector<std::string_view>& args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  for (auto a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  return reply_ptr(static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data())));
}

std::string random_token() {
  std::array<std::uint8_t, 16> r{};
  mtproto::crypto::secure_random(r);
  return hex(r);
}

}  // namespace

std::string session_key(std::string_view prefix, std::string_view account) {
  return fmt::format("{}session:{}", prefix, account);
}

redis_session_store::redis_session_store(redis_endpoint endpoint, std::string key, client::file_store_options protection,
                                         std::chrono::milliseconds timeout)
    : endpoint_(std::move(endpoint)), key_(std::move(key)), codec_(std::move(protection)), timeout_(timeout) {}

redis_session_store::~redis_session_store() { drop(); }

void redis_session_store::drop() {
  if (ctx_) redisFree(ctx_);
  ctx_ = nullptr;
}

bool redis_session_store::connected() {
  if (ctx_) return true;
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(timeout_.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((timeout_.count() % 1000) * 1000);
  ctx_ = redisConnectWithTimeout(endpoint_.host.c_str(), endpoint_.port, tv);
  if (!ctx_ || ctx_->err) {
    problem_ = fmt::format("Redis at {}:{} cannot be reached: {}", endpoint_.host, endpoint_.port,
                           ctx_ ? ctx_->errstr : "out of memory");
    drop();
    return false;
  }
  redisSetTimeout(ctx_, tv);
  auto setup = [&](const std::vector<std::string_view>& args) {
    auto r = command(ctx_, args);
    if (r && r->type != REDIS_REPLY_ERROR) return true;
    problem_ = fmt::format("Redis refused {}: {}", args[0], r ? std::string(r->str, r->len) : ctx_->errstr);
    drop();
    return false;
  };
  if (!endpoint_.password.empty() && !setup({"AUTH", endpoint_.password})) return false;
  const auto db = std::to_string(endpoint_.db);
  if (endpoint_.db != 0 && !setup({"SELECT", db})) return false;
  return true;
}

std::error_code redis_session_store::load(client::stored_session& out) {
  if (!connected()) return client::store_errc::io_failed;
  auto r = command(ctx_, {"GET", key_});
  if (!r || r->type == REDIS_REPLY_ERROR) {
    problem_ = fmt::format("GET {}: {}", key_, r ? std::string(r->str, r->len) : std::string(ctx_->errstr));
    drop();  // after a timeout the connection's replies no longer line up with its commands
    return client::store_errc::io_failed;
  }
  if (r->type == REDIS_REPLY_NIL) {
    out = client::stored_session{};
    return {};
  }
  if (r->type != REDIS_REPLY_STRING) {
    problem_ = fmt::format("{} is not a string", key_);
    return client::store_errc::not_a_session_file;
  }
  const auto ec = codec_.decode(std::string_view(r->str, r->len), out);
  mtproto::crypto::secure_wipe(std::span(reinterpret_cast<std::uint8_t*>(r->str), r->len));
  if (ec) problem_ = fmt::format("{}: {}", key_, ec.message());
  return ec;
}

std::error_code redis_session_store::save(const client::stored_session& state) {
  std::string bytes;
  if (auto ec = codec_.encode(state, bytes)) return ec;
  if (!connected()) return client::store_errc::io_failed;
  auto r = command(ctx_, {"SET", key_, bytes});
  mtproto::crypto::secure_wipe(std::span(reinterpret_cast<std::uint8_t*>(bytes.data()), bytes.size()));
  if (!r || r->type == REDIS_REPLY_ERROR) {
    problem_ = fmt::format("SET {}: {}", key_, r ? std::string(r->str, r->len) : std::string(ctx_->errstr));
    drop();
    return client::store_errc::io_failed;
  }
  return {};
}

asio::awaitable<std::optional<login_lease>> login_lease::acquire(std::shared_ptr<redis_client> redis, std::string key,
                                                                 std::chrono::milliseconds ttl,
                                                                 std::chrono::milliseconds patience) {
  login_lease lease;
  lease.redis_ = std::move(redis);
  lease.key_ = std::move(key);
  lease.token_ = random_token();
  const auto started = std::chrono::steady_clock::now();
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    std::vector<std::string> args{std::string("SET"), lease.key_, lease.token_, std::string("NX"), std::string("PX"),
                                  std::to_string(ttl.count())};
    auto [ec, reply] = co_await lease.redis_->call(std::move(args));
    if (!ec && reply.type == redis_reply::kind::status) {
      lease.waited_ = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started);
      co_return lease;
    }
    if (ec) co_return std::nullopt;  // Redis gone or refusing: there is no lease to wait for
    if (std::chrono::steady_clock::now() - started >= patience) co_return std::nullopt;
    timer.expires_after(std::chrono::milliseconds(100));
    std::error_code ignored;
    co_await timer.async_wait(asio::redirect_error(asio::use_awaitable, ignored));
  }
}

asio::awaitable<void> login_lease::release() {
  if (!redis_) co_return;
  auto redis = std::move(redis_);
  std::vector<std::string> args{std::string("EVAL"), std::string(release_if_mine), std::string("1"), key_, token_};
  co_await redis->call(std::move(args));
}

}  // namespace tgstream
