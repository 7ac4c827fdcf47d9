// Why something failed, as an exit code and one line for stderr.
#pragma once

#include <optional>
#include <string>
#include <system_error>

#include "mtproto/client/call_result.h"

namespace tgdl {

struct failure {
  int code;             ///< One of exit_codes.h.
  std::string message;  ///< What went wrong, for a human.
};

/// A failed call (a login step): the server refusing, or the network.
failure classify_call(const mtproto::client::call_error& e);

/// A failed resolve or download: `ec` is what the operation completed with; `last` the call error
/// behind it, when there was one; `os_error` the file sink's system error behind a local_io.
failure classify(std::error_code ec, const std::optional<mtproto::client::call_error>& last,
                 std::error_code os_error = {});

}  // namespace tgdl
