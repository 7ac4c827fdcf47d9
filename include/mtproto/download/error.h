/// \file
/// Errors of the downloader: why a download did not produce the file, when the cause is not the
/// runtime (mtproto::client::client_errc) or the server's rpc_error as such. Travels as
/// std::error_code through Asio, in download_category() ("mtproto.download").
#pragma once

#include <system_error>

#include "mtproto/download/export.h"

namespace mtproto::download {

/// Why a download failed; converts implicitly to std::error_code in download_category().
enum class download_errc {
  bad_link = 1,            ///< The text is not a Telegram message link (link_error says which part).
  peer_not_found,          ///< The username or channel of the link does not exist.
  not_a_member,            ///< A private channel the account is not a member of.
  message_not_found,       ///< The message does not exist or was deleted.
  no_media,                ///< The message has nothing downloadable.
  bad_range,               ///< A byte range outside the file, or empty where bytes were required.
  file_invalid,            ///< The server refused the location for good (FILE_ID_INVALID, LOCATION_INVALID, ...).
  reference_expired,       ///< FILE_REFERENCE_EXPIRED and refetching the source gave no fresh reference.
  cdn_not_supported,       ///< The server redirected to a CDN DC and CDN downloads are off.
  retries_exhausted,       ///< Transient failures outlasted the retry budget.
  flood_wait_too_long,     ///< The server asked to wait longer than download_options allow.
  short_file,              ///< The server ended the file before its announced size.
  integrity_failed,        ///< The bytes do not match a hash they were checked against.
  journal_corrupt,         ///< The resume journal cannot be decoded.
  journal_mismatch,        ///< The resume journal describes another file or another partial file.
  local_io,                ///< Reading or writing the local file failed (disk full, permissions, ...).
  sink_closed,             ///< The sink refused more bytes (a stream consumer went away).
  cancelled,               ///< The caller cancelled the download.
};

/// The category of download_errc values, named "mtproto.download"; one instance for the program.
MTPROTO_DOWNLOAD_EXPORT const std::error_category& download_category() noexcept;

/// Makes download_errc usable as std::error_code (found by argument-dependent lookup).
inline std::error_code make_error_code(download_errc e) noexcept {
  return {static_cast<int>(e), download_category()};
}

}  // namespace mtproto::download

namespace std {
/// Lets a download_errc convert implicitly to std::error_code and compare with one.
template <>
struct is_error_code_enum<mtproto::download::download_errc> : true_type {};
}  // namespace std
