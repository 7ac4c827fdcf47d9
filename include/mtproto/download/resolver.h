/// \file
/// From a message link to what can be downloaded from it: the username resolved (and cached),
/// the message fetched (channels.getMessages; a private channel by id through
/// channels.getChannels; a comment through messages.getDiscussionMessage), and its media turned
/// into remote_files — a document, the largest size of a photo, or every item of an album in
/// order. Each way this can fail is its own download_errc.
#pragma once

#include <asio/any_io_executor.hpp>
#include <asio/associated_executor.hpp>
#include <asio/async_result.hpp>
#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "mtproto/client/client.h"
#include "mtproto/download/downloader.h"
#include "mtproto/download/export.h"
#include "mtproto/download/link.h"
#include "mtproto/download/location.h"

namespace mtproto::download {

/// One downloadable item of a message.
struct media_item {
  remote_file file;                 ///< What to download.
  std::int32_t message_id = 0;      ///< The message it belongs to.
  std::int64_t grouped_id = 0;      ///< The album, 0 when the message is not in one.
  bool is_photo = false;            ///< A photo (its largest size) rather than a document.
  std::optional<double> duration;   ///< Seconds, for video and audio.
  std::optional<int> width;         ///< Pixels, for video and photos.
  std::optional<int> height;        ///< Pixels, for video and photos.
  std::int64_t date = 0;            ///< When the document or photo was uploaded (Unix seconds); 0 if unknown.
};

/// What async_resolve found.
struct resolved_link {
  message_link link;              ///< The link, as parsed.
  std::int64_t channel_id = 0;    ///< The channel (or group) the items were fetched from.
  /// Its access hash for the resolving account (what a refresh of a file reference fetches with).
  std::int64_t channel_access_hash = 0;
  std::vector<media_item> items;  ///< One item, or an album's items in message order.
};

/// Completion of resolver::async_resolve.
using resolve_handler = std::function<void(std::error_code, resolved_link)>;

/// Resolves links through one client; remembers resolved usernames and channels for its lifetime.
/// Not thread-safe: use it from one strand (its handlers run on the client's executor).
class MTPROTO_DOWNLOAD_EXPORT resolver {
 public:
  /// A resolver calling through `c` (which must outlive it).
  explicit resolver(client::client& c);
  ~resolver();
  resolver(const resolver&) = delete;
  resolver& operator=(const resolver&) = delete;

  /// Resolves `link`: download_errc::peer_not_found (no such username or channel id),
  /// not_a_member (a private channel the account is not in), message_not_found (no such message,
  /// or deleted), no_media (nothing downloadable); otherwise a client error (call_error in
  /// `last_error()`). An album is expanded unless the link says `?single`.
  void async_resolve(const message_link& link, resolve_handler done);

  /// Takes `resolved` as if this resolver had resolved it: its channel (and the link's username,
  /// unless the items came from a comment thread) is known from now on, so refresher() works and
  /// the username is not resolved again. For a resolved_link another process resolved with the
  /// same account (access hashes are per account), as a shared cache hands them over.
  void adopt(const resolved_link& resolved);

  /// A refresher for download_options::refresh_reference: fetches the item's message again and
  /// answers its current file reference.
  reference_refresher refresher(const resolved_link& resolved, const media_item& item);

  /// The server's error behind the last failure, when it came from a call.
  const std::optional<client::call_error>& last_error() const noexcept;

  /// The executor its handlers run on (its client's).
  asio::any_io_executor get_executor() const;

  /// Internal: what the resolver's calls share (they may outlive a call of async_resolve).
  struct state;

 private:
  std::shared_ptr<state> state_;
};

/// resolver::async_resolve with any Asio completion token: `void(std::error_code, resolved_link)`,
/// completed on the token's associated executor (by default the resolver's), never from inside
/// this call.
/// \code
/// auto [ec, found] = co_await mtproto::download::async_resolve(r, link, asio::experimental::as_tuple(asio::use_awaitable));
/// \endcode
template <class Token>
auto async_resolve(resolver& r, const message_link& link, Token&& token) {
  return asio::async_initiate<Token, void(std::error_code, resolved_link)>(
      [&r](auto handler, const message_link& link) {
        auto work = asio::make_work_guard(asio::get_associated_executor(handler, r.get_executor()));
        auto shared = std::make_shared<decltype(handler)>(std::move(handler));
        r.async_resolve(link, [shared, work](std::error_code ec, resolved_link out) mutable {
          auto ex = work.get_executor();
          asio::post(ex, [shared, ec, out = std::move(out)]() mutable { (*shared)(ec, std::move(out)); });
          work.reset();
        });
      },
      token, link);
}

}  // namespace mtproto::download
