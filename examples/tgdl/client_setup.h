// From tgdl's options to a client: secrets from files or the environment, the DC table (a
// --dc-config JSON file, --dc overrides, --rsa-key), transport, proxy, session file.
#pragma once

#include <string>

#include "mtproto/client/options.h"
#include "options.h"

namespace tgdl {

/// The secrets, read from their files or the environment (never from argv, except --bot-token).
struct secrets {
  std::string bot_token;
  std::string session_passphrase;
  std::string api_hash;
  std::string password;  ///< For login: --password-file or $TG_PASSWORD; empty means ask.
};

/// Reads them; throws usage_error for an unreadable or empty secret file.
secrets read_secrets(const options& o);

/// The client's options; throws usage_error (bad --dc-config, --dc, --proxy, ...).
mtproto::client::client_options make_client_options(const options& o, const secrets& s);

}  // namespace tgdl
