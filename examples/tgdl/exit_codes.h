// tgdl's exit codes: one per kind of failure, so a script can tell "fix the command" from "try
// again later" from "the disk is full". Printed by --help and listed in README.md.
#pragma once

#include <string_view>

namespace tgdl {

inline constexpr int exit_ok = 0;
inline constexpr int exit_usage = 2;      ///< Bad flags, a bad link, a range outside the file.
inline constexpr int exit_not_found = 3;  ///< No such channel or message, no media, not a member.
inline constexpr int exit_network = 4;    ///< Network or server failure (including the server refusing a login).
inline constexpr int exit_integrity = 5;  ///< The bytes did not match their hash.
inline constexpr int exit_local_io = 6;   ///< Cannot write the output (unwritable, disk full, file too large).
inline constexpr int exit_interrupted = 130;  ///< SIGINT (128 + 2), as shells report it.
inline constexpr int exit_terminated = 143;   ///< SIGTERM (128 + 15).

inline constexpr std::string_view exit_codes_help =
    "exit codes: 0 ok, 2 usage (bad flags, bad link, range outside the file), 3 not found (no such\n"
    "  channel or message, no media, not a member), 4 network or server, 5 integrity failure, 6 local\n"
    "  I/O (unwritable, disk full, file too large), 130 interrupted (SIGINT; the .part and its journal\n"
    "  are kept for --resume). With several links tgdl goes on after a failure and exits with the\n"
    "  code of the first one.";

}  // namespace tgdl
