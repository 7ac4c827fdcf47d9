// From tgdl's options to a client: secrets from files or the environment, the DC table (a
// --dc-config JSON file, --dc overrides, --rsa-key), transport, proxy, session file.
#pragma once

#include <string>
#include <vector>

#include "mtproto/client/options.h"
#include "options.h"

namespace tgdl {

/// The secrets, read from their files or the environment (never from argv, except --bot-token).
struct secrets {
  std::string bot_token;  ///< The first account's token (the only one outside a pool).
  /// Every token: --bot-token values, then --bot-token-file contents, else $TG_BOT_TOKEN.
  std::vector<std::string> bot_tokens;
  std::string session_passphrase;
  std::string api_hash;
  std::string password;  ///< For login: --password-file or $TG_PASSWORD; empty means ask.
};

/// Reads them; throws usage_error for an unreadable or empty secret file.
secrets read_secrets(const options& o);

/// One account of the run: the bot token that logs it in (empty: the session holds a login) and
/// the session file that keeps it (empty: memory only).
struct account_plan {
  std::string bot_token;
  std::string session;
  std::string name;  ///< For messages and the JSON's "accounts": "bot<ID>" or the session's file name.
};

/// The run's accounts: token i with session i, then the tokens or sessions left over; at least
/// one (a lone account without token nor session still fails later with "not logged in").
std::vector<account_plan> plan_accounts(const options& o, const secrets& s);

/// The client's options for one account (the first plan's when omitted); throws usage_error (bad
/// --dc-config, --dc, --proxy, ...).
mtproto::client::client_options make_client_options(const options& o, const secrets& s,
                                                    const account_plan* account = nullptr);

}  // namespace tgdl
