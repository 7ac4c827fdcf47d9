#include "mtproto/download/error.h"

#include <string>

namespace mtproto::download {
namespace {

class download_category_impl final : public std::error_category {
 public:
  const char* name() const noexcept override { return "mtproto.download"; }
  std::string message(int value) const override {
    switch (static_cast<download_errc>(value)) {
      case download_errc::bad_link: return "not a Telegram message link";
      case download_errc::peer_not_found: return "the channel or user of the link does not exist";
      case download_errc::not_a_member: return "the account is not a member of the private channel";
      case download_errc::message_not_found: return "the message does not exist or was deleted";
      case download_errc::no_media: return "the message has no downloadable media";
      case download_errc::bad_range: return "the byte range is outside the file";
      case download_errc::file_invalid: return "the server refused the file location";
      case download_errc::reference_expired: return "the file reference expired and no fresh one was found";
      case download_errc::cdn_not_supported: return "the file is served from a CDN DC, which is not supported yet";
      case download_errc::retries_exhausted: return "transient failures outlasted the retry budget";
      case download_errc::flood_wait_too_long: return "the server asked to wait longer than allowed";
      case download_errc::short_file: return "the server ended the file before its announced size";
      case download_errc::integrity_failed: return "the downloaded bytes do not match their hash";
      case download_errc::journal_corrupt: return "the resume journal is corrupt";
      case download_errc::journal_mismatch: return "the resume journal belongs to another file";
      case download_errc::local_io: return "reading or writing the local file failed";
      case download_errc::sink_closed: return "the sink accepts no more bytes";
      case download_errc::cancelled: return "the download was cancelled";
    }
    return "unknown download error";
  }
};

}  // namespace

const std::error_category& download_category() noexcept {
  static const download_category_impl instance;
  return instance;
}

}  // namespace mtproto::download
