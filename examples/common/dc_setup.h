// What the example programs (tgdl, tgstream) share in setting up a client: the DC table from a
// --dc-config file and secrets read from files.
#pragma once

#include <string>

#include "mtproto/client/dc_table.h"

namespace mtproto::examples {

/// The DC table of a --dc-config file: mtproto-testdc's ready file or any file of its shape,
/// {"dcs": [{"id", "host", "port", "cdn"?}], "rsa_public_key_pem"?}; the default DC is 2 when
/// listed. Throws std::invalid_argument with a message naming the option.
client::dc_table load_dc_table(const std::string& path);

/// A file's whole contents; throws std::invalid_argument ("WHAT: cannot read PATH").
std::string read_whole_file(const std::string& path, const char* what);

/// A secret kept in a file: its contents without the trailing newline editors add; throws
/// std::invalid_argument for an unreadable or empty file (the secret itself is never shown).
std::string read_secret_file(const std::string& path, const char* what);

}  // namespace mtproto::examples
