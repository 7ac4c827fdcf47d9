#include "mtproto/download/resolver.h"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/use_awaitable.hpp>

#include <algorithm>

#include "mtproto/api/Chat.h"
#include "mtproto/api/Document.h"
#include "mtproto/api/DocumentAttribute.h"
#include "mtproto/api/InputChannel.h"
#include "mtproto/api/InputMessage.h"
#include "mtproto/api/InputPeer.h"
#include "mtproto/api/Message.h"
#include "mtproto/api/MessageMedia.h"
#include "mtproto/api/Peer.h"
#include "mtproto/api/Photo.h"
#include "mtproto/api/PhotoSize.h"
#include "mtproto/api/contacts/ResolvedPeer.h"
#include "mtproto/api/fn/channels/getChannels.h"
#include "mtproto/api/fn/channels/getMessages.h"
#include "mtproto/api/fn/contacts/resolveUsername.h"
#include "mtproto/api/fn/messages/getDiscussionMessage.h"
#include "mtproto/api/messages/Chats.h"
#include "mtproto/api/messages/DiscussionMessage.h"
#include "mtproto/api/messages/Messages.h"
#include "mtproto/download/error.h"

namespace mtproto::download {
namespace {

/// Telegram albums hold at most 10 items, so one request around the linked message sees them all.
constexpr std::int32_t album_reach = 9;

struct channel_ref {
  std::int64_t id = 0;
  std::int64_t access_hash = 0;
};

const std::vector<api::Message>* messages_of(const api::messages::Messages& m) {
  if (const auto* c = m.get_if<api::messages::channelMessages>()) return &c->messages;
  if (const auto* a = m.get_if<api::messages::messages>()) return &a->messages_;
  if (const auto* s = m.get_if<api::messages::messagesSlice>()) return &s->messages;
  return nullptr;
}

std::optional<media_item> item_of(const api::message& m) {
  if (!m.media) return std::nullopt;
  media_item item;
  item.message_id = m.id;
  item.grouped_id = m.grouped_id.value_or(0);
  if (const auto* md = m.media->get_if<api::messageMediaDocument>()) {
    if (!md->document) return std::nullopt;
    const auto* d = md->document->get_if<api::document>();
    if (!d) return std::nullopt;
    item.file.location = {d->dc_id, location_kind::document, d->id, d->access_hash, d->file_reference, ""};
    item.file.size = d->size;
    item.file.mime_type = d->mime_type;
    item.date = d->date;
    for (const auto& a : d->attributes) {
      if (const auto* f = a.get_if<api::documentAttributeFilename>()) item.file.file_name = f->file_name;
      if (const auto* v = a.get_if<api::documentAttributeVideo>()) {
        item.duration = v->duration;
        item.width = v->w;
        item.height = v->h;
      }
      if (const auto* au = a.get_if<api::documentAttributeAudio>()) item.duration = au->duration;
    }
    return item;
  }
  if (const auto* mp = m.media->get_if<api::messageMediaPhoto>()) {
    if (!mp->photo) return std::nullopt;
    const auto* p = mp->photo->get_if<api::photo>();
    if (!p) return std::nullopt;
    // The largest stored size (inline ones, stripped/cached/path, cannot be fetched).
    std::string type;
    std::int64_t best = -1;
    for (const auto& s : p->sizes) {
      std::int64_t bytes = -1;
      int w = 0, h = 0;
      std::string t;
      if (const auto* ps = s.get_if<api::photoSize>()) {
        bytes = ps->size, w = ps->w, h = ps->h, t = ps->type;
      } else if (const auto* pp = s.get_if<api::photoSizeProgressive>()) {
        if (!pp->sizes.empty()) bytes = *std::max_element(pp->sizes.begin(), pp->sizes.end());
        w = pp->w, h = pp->h, t = pp->type;
      }
      if (bytes > best) {
        best = bytes, type = t;
        item.width = w, item.height = h;
      }
    }
    if (best < 0) return std::nullopt;
    item.is_photo = true;
    item.date = p->date;
    item.file.location = {p->dc_id, location_kind::photo, p->id, p->access_hash, p->file_reference, type};
    item.file.size = best;
    item.file.mime_type = "image/jpeg";
    return item;
  }
  return std::nullopt;
}

std::error_code from_call(const client::call_error& e) {
  if (e.rpc) {
    const auto& t = e.rpc->type;
    if (t == "USERNAME_NOT_OCCUPIED" || t == "USERNAME_INVALID" || t == "CHANNEL_INVALID" || t == "PEER_ID_INVALID")
      return download_errc::peer_not_found;
    if (t == "CHANNEL_PRIVATE" || t == "CHANNEL_PUBLIC_GROUP_NA" || t == "USER_BANNED_IN_CHANNEL")
      return download_errc::not_a_member;
    if (t == "MSG_ID_INVALID" || t == "MESSAGE_ID_INVALID") return download_errc::message_not_found;
  }
  return e.code;
}

}  // namespace

struct resolver::state {
  explicit state(client::client& c) : c(c) {}
  client::client& c;
  std::map<std::string, channel_ref> by_username;
  std::map<std::int64_t, channel_ref> by_id;
  std::optional<client::call_error> last_error;

  std::error_code failed(const client::call_error& e) {
    last_error = e;
    return from_call(e);
  }

  asio::awaitable<std::error_code> channel_by_username(const std::string& username, channel_ref& out) {
    if (auto it = by_username.find(username); it != by_username.end()) {
      out = it->second;
      co_return std::error_code{};
    }
    api::contacts::resolveUsername fn;
    fn.username = username;
    auto r = co_await c.async_invoke(fn, asio::use_awaitable);
    if (!r) co_return failed(r.error());
    const auto* resolved = r->get_if<api::contacts::resolvedPeer>();
    const auto* pc = resolved ? resolved->peer.get_if<api::peerChannel>() : nullptr;
    if (!pc) co_return download_errc::peer_not_found;  // a user or a bot: no public message links
    for (const auto& chat : resolved->chats)
      if (const auto* ch = chat.get_if<api::channel>(); ch && ch->id == pc->channel_id) {
        out = {ch->id, ch->access_hash.value_or(0)};
        by_username[username] = out;
        by_id[out.id] = out;
        co_return std::error_code{};
      }
    co_return download_errc::peer_not_found;
  }

  asio::awaitable<std::error_code> channel_by_id(std::int64_t id, channel_ref& out) {
    if (auto it = by_id.find(id); it != by_id.end()) {
      out = it->second;
      co_return std::error_code{};
    }
    // A member learns the access hash this way; others are told the channel is private.
    api::channels::getChannels fn;
    fn.id.push_back(api::inputChannel{id, 0});
    auto r = co_await c.async_invoke(fn, asio::use_awaitable);
    if (!r) co_return failed(r.error());
    const std::vector<api::Chat>* chats = nullptr;
    if (const auto* m = r->get_if<api::messages::chats>()) chats = &m->chats_;
    else if (const auto* s = r->get_if<api::messages::chatsSlice>()) chats = &s->chats;
    if (chats)
      for (const auto& chat : *chats) {
        if (const auto* ch = chat.get_if<api::channel>(); ch && ch->id == id) {
          out = {ch->id, ch->access_hash.value_or(0)};
          by_id[id] = out;
          co_return std::error_code{};
        }
        if (const auto* f = chat.get_if<api::channelForbidden>(); f && f->id == id) co_return download_errc::not_a_member;
      }
    co_return download_errc::peer_not_found;
  }

  asio::awaitable<std::error_code> fetch(const channel_ref& ch, std::vector<std::int32_t> ids,
                                         std::vector<api::message>& out) {
    api::channels::getMessages fn;
    fn.channel = api::inputChannel{ch.id, ch.access_hash};
    for (auto id : ids) fn.id.push_back(api::inputMessageID{id});
    auto r = co_await c.async_invoke(fn, asio::use_awaitable);
    if (!r) co_return failed(r.error());
    const auto* messages = messages_of(*r);
    if (!messages) co_return make_error_code(client::client_errc::unexpected_answer);
    for (const auto& m : *messages)
      if (const auto* msg = m.get_if<api::message>()) out.push_back(*msg);
    co_return std::error_code{};
  }

  asio::awaitable<std::error_code> discussion_of(const channel_ref& ch, std::int32_t post, channel_ref& out) {
    api::messages::getDiscussionMessage fn;
    fn.peer = api::inputPeerChannel{ch.id, ch.access_hash};
    fn.msg_id = post;
    auto r = co_await c.async_invoke(fn, asio::use_awaitable);
    if (!r) co_return failed(r.error());
    const auto* d = r->get_if<api::messages::discussionMessage>();
    if (!d) co_return make_error_code(client::client_errc::unexpected_answer);
    for (const auto& m : d->messages)
      if (const auto* msg = m.get_if<api::message>())
        if (const auto* pc = msg->peer_id.get_if<api::peerChannel>())
          for (const auto& chat : d->chats)
            if (const auto* g = chat.get_if<api::channel>(); g && g->id == pc->channel_id) {
              out = {g->id, g->access_hash.value_or(0)};
              by_id[out.id] = out;
              co_return std::error_code{};
            }
    co_return download_errc::message_not_found;  // the post has no comment thread
  }

  asio::awaitable<std::error_code> resolve(const message_link& link, resolved_link& out) {
    out.link = link;
    channel_ref ch;
    std::error_code ec;
    if (link.username.empty())
      ec = co_await channel_by_id(link.channel_id, ch);
    else
      ec = co_await channel_by_username(link.username, ch);
    if (ec) co_return ec;
    std::int32_t wanted = link.message_id;
    if (link.comment_id != 0) {
      channel_ref group;
      if ((ec = co_await discussion_of(ch, link.message_id, group))) co_return ec;
      ch = group;
      wanted = link.comment_id;
    }
    out.channel_id = ch.id;
    out.channel_access_hash = ch.access_hash;
    std::vector<api::message> found;
    const std::vector<std::int32_t> ids(1, wanted);  // not a braced list: GCC 12 miscompiles one passed to a coroutine
    if ((ec = co_await fetch(ch, ids, found))) co_return ec;
    const auto it = std::find_if(found.begin(), found.end(), [&](const auto& m) { return m.id == wanted; });
    if (it == found.end()) co_return download_errc::message_not_found;  // messageEmpty: none or deleted
    const auto first = item_of(*it);
    if (!first) co_return download_errc::no_media;
    if (first->grouped_id == 0 || link.single) {
      out.items.push_back(*first);
      co_return std::error_code{};
    }
    // The album: its neighbours that share the grouped_id, in message order.
    std::vector<std::int32_t> around;
    for (std::int32_t id = std::max(1, wanted - album_reach); id <= wanted + album_reach && id > 0; ++id) around.push_back(id);
    std::vector<api::message> neighbours;
    if ((ec = co_await fetch(ch, around, neighbours))) co_return ec;
    std::sort(neighbours.begin(), neighbours.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    for (const auto& m : neighbours)
      if (m.grouped_id.value_or(0) == first->grouped_id)
        if (auto item = item_of(m)) out.items.push_back(std::move(*item));
    if (out.items.empty()) out.items.push_back(*first);
    co_return std::error_code{};
  }
};

resolver::resolver(client::client& c) : state_(std::make_shared<state>(c)) {}
resolver::~resolver() = default;

const std::optional<client::call_error>& resolver::last_error() const noexcept { return state_->last_error; }

void resolver::async_resolve(const message_link& link, resolve_handler done) {
  auto s = state_;
  asio::co_spawn(
      s->c.get_executor(),
      [s, link, done = std::move(done)]() mutable -> asio::awaitable<void> {
        resolved_link out;
        std::error_code ec;
        try {
          ec = co_await s->resolve(link, out);
        } catch (const std::exception&) {
          ec = client::client_errc::internal_error;
        }
        done(ec, std::move(out));
      },
      asio::detached);
}

asio::any_io_executor resolver::get_executor() const { return state_->c.get_executor(); }

void resolver::adopt(const resolved_link& resolved) {
  if (resolved.channel_id <= 0) return;
  const channel_ref ch{resolved.channel_id, resolved.channel_access_hash};
  state_->by_id[ch.id] = ch;
  if (!resolved.link.username.empty() && resolved.link.comment_id == 0) state_->by_username[resolved.link.username] = ch;
}

reference_refresher resolver::refresher(const resolved_link& resolved, const media_item& item) {
  std::weak_ptr<state> weak = state_;
  const std::int64_t channel = resolved.channel_id;
  const std::int32_t message = item.message_id;
  const std::int64_t file_id = item.file.location.id;
  return [weak, channel, message, file_id](std::function<void(std::error_code, std::vector<std::uint8_t>)> done) {
    auto s = weak.lock();
    if (!s) return done(client::client_errc::shut_down, {});
    asio::co_spawn(
        s->c.get_executor(),
        [s, channel, message, file_id, done = std::move(done)]() -> asio::awaitable<void> {
          std::vector<api::message> found;
          std::error_code ec = download_errc::reference_expired;
          try {
            const auto it = s->by_id.find(channel);
            const std::vector<std::int32_t> ids(1, message);
            if (it != s->by_id.end() && !(ec = co_await s->fetch(it->second, ids, found))) {
              ec = download_errc::reference_expired;
              for (const auto& m : found)
                if (auto item = item_of(m); item && item->file.location.id == file_id) {
                  done({}, item->file.location.file_reference);
                  co_return;
                }
            }
          } catch (const std::exception&) {
            ec = client::client_errc::internal_error;
          }
          done(ec, {});
        },
        asio::detached);
  };
}

}  // namespace mtproto::download
