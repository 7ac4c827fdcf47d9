#include "failure.h"

#include <fmt/format.h>

#include "exit_codes.h"
#include "mtproto/download/error.h"

namespace tgdl {

namespace download = mtproto::download;
using mtproto::download::download_errc;

failure classify_call(const mtproto::client::call_error& e) {
  // Everything a call reports is either the server refusing (an rpc_error) or the way to it
  // failing; neither is the user's command or the local disk.
  if (e.rpc) return {exit_network, fmt::format("the server refused: {}", e.message())};
  return {exit_network, fmt::format("network: {}", e.message())};
}

failure classify(std::error_code ec, const std::optional<mtproto::client::call_error>& last, std::error_code os_error) {
  if (ec.category() != download::download_category()) {
    if (last) return classify_call(*last);
    return {exit_network, fmt::format("network: {}", ec.message())};
  }
  const auto why = [&] {
    std::string text = ec.message();
    if (last) text += fmt::format(" ({})", last->message());
    return text;
  };
  switch (static_cast<download_errc>(ec.value())) {
    case download_errc::bad_link:
    case download_errc::bad_range:
      return {exit_usage, ec.message()};
    case download_errc::peer_not_found:
    case download_errc::not_a_member:
    case download_errc::message_not_found:
    case download_errc::no_media:
      return {exit_not_found, ec.message()};
    case download_errc::integrity_failed:
      return {exit_integrity, why()};
    case download_errc::local_io:
    case download_errc::sink_closed:
      return {exit_local_io, os_error ? fmt::format("{}: {}", ec.message(), os_error.message()) : ec.message()};
    case download_errc::journal_corrupt:
    case download_errc::journal_mismatch:
      return {exit_local_io, ec.message() + "; remove NAME.part.resume, or run without --resume to start over"};
    case download_errc::cancelled:
      return {exit_interrupted, ec.message()};
    case download_errc::file_invalid:
    case download_errc::reference_expired:
    case download_errc::cdn_not_supported:
    case download_errc::retries_exhausted:
    case download_errc::flood_wait_too_long:
    case download_errc::short_file:
      return {exit_network, why()};
  }
  return {exit_network, why()};
}

}  // namespace tgdl
