#include "login.h"

#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <iostream>
#include <string>

#include "exit_codes.h"
#include "failure.h"
#include "mtproto/api/User.h"
#include "mtproto/client/auth.h"

namespace tgdl {
namespace {

namespace client = mtproto::client;

int report(const failure& f) {
  fmt::print(stderr, "tgdl: {}\n", f.message);
  return f.code;
}

// Turns the terminal's echo off for as long as it lives (a password prompt).
class no_echo {
 public:
  no_echo() {
    if (!::isatty(STDIN_FILENO) || ::tcgetattr(STDIN_FILENO, &saved_) != 0) return;
    termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    active_ = ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
  }
  ~no_echo() {
    if (!active_) return;
    ::tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved_);
    fmt::print(stderr, "\n");  // the Enter the user typed was not echoed either
  }
  no_echo(const no_echo&) = delete;
  no_echo& operator=(const no_echo&) = delete;

 private:
  termios saved_{};
  bool active_ = false;
};

// The answer given on the command line, else a line read from stdin after a prompt on stderr.
std::string ask(const std::string& given, const char* prompt, bool secret = false) {
  if (!given.empty()) return given;
  fmt::print(stderr, "{}: ", prompt);
  std::fflush(stderr);
  std::string line;
  if (secret) {
    no_echo guard;
    std::getline(std::cin, line);
  } else {
    std::getline(std::cin, line);
  }
  while (!line.empty() && (line.back() == '\r' || line.back() == '\n')) line.pop_back();
  return line;
}

}  // namespace

asio::awaitable<int> run_login(client::client& c, const options& o, const secrets& s) {
  if (c.login().authorized && !c.login().is_bot) {
    fmt::print(stderr, "tgdl: {} is already logged in as user {}\n", o.sessions.front(), c.login().user_id);
    co_return exit_ok;
  }
  const auto phone = ask(o.phone, "phone (international format)");
  if (phone.empty()) co_return report({exit_usage, "no phone number given"});
  auto sent = co_await client::send_code(c, phone);
  if (!sent) co_return report(classify_call(sent.error()));
  auto user = co_await client::sign_in(c, *sent, ask(o.code, "code"));
  if (!user && user.error().is_rpc(client::session_password_needed))
    user = co_await client::check_password(c, ask(s.password, "2FA password", true));
  if (!user) co_return report(classify_call(user.error()));
  const auto* u = user->get_if<mtproto::api::user>();
  fmt::print(stderr, "tgdl: logged in as user {} (home DC {}); kept in {}\n", u ? u->id : 0, c.login().home_dc,
             o.sessions.front());
  co_return exit_ok;
}

asio::awaitable<int> ensure_logged_in(client::client& c, const std::string& bot_token) {
  if (c.login().authorized) co_return exit_ok;
  if (bot_token.empty())
    co_return report({exit_usage, "not logged in: give --bot-token (or --bot-token-file, $TG_BOT_TOKEN), or log a "
                                  "user in with `tgdl login --session FILE` and pass --session FILE"});
  auto r = co_await client::sign_in_bot(c, bot_token);
  if (!r) co_return report(classify_call(r.error()));
  co_return exit_ok;
}

}  // namespace tgdl
