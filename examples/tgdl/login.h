// `tgdl login`: a user's phone, the code Telegram sends, and the 2FA password when the account
// has one; the login is kept in the --session file for later downloads.
#pragma once

#include <asio/awaitable.hpp>

#include "client_setup.h"
#include "mtproto/client/client.h"
#include "options.h"

namespace tgdl {

/// Logs in through `c` (whose store is the session file); answers an exit code, messages on stderr.
asio::awaitable<int> run_login(mtproto::client::client& c, const options& o, const secrets& s);

/// Logs the bot in when `bot_token` is set and the session is not logged in yet; answers
/// exit_ok, or the failure's code after reporting it. No token and no login is a usage error.
asio::awaitable<int> ensure_logged_in(mtproto::client::client& c, const std::string& bot_token);

}  // namespace tgdl
