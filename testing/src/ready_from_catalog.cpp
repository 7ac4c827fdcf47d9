#include "mtproto/testdc/ready_from_catalog.h"

#include <stdexcept>

#include <fmt/format.h>

namespace mtproto::testdc {
namespace {

ready_message_document document_of(const published_file& f) {
  const auto& d = f.post.document;
  return {d.file_name, d.id, d.access_hash, d.file_reference, d.size, d.dc_id, f.content.sha256()};
}

ready_message_photo photo_of(const published_photo& p) {
  ready_message_photo out{p.photo.id, p.photo.access_hash, p.photo.file_reference, p.photo.dc_id, {}};
  for (std::size_t i = 0; i < p.photo.sizes.size(); ++i) {
    const auto& s = p.photo.sizes[i];
    out.sizes.push_back({s.type, s.w, s.h, s.size, p.contents[i].sha256()});
  }
  return out;
}

ready_message message_of(const catalog& published, const link_fixture& l) {
  const channel_info& chat = *published.find_channel(l.channel_id);
  ready_message m;
  m.kind = l.kind;
  m.link = l.link;
  m.channel_id = chat.id;
  m.channel_access_hash = chat.access_hash;
  m.channel_username = chat.username;
  m.message_id = l.message_id;
  m.text = published.message(l.channel_id, l.message_id).text;
  if (l.grouped_id) m.grouped_id = l.grouped_id;
  if (l.topic_id) m.topic_id = l.topic_id;
  if (l.discussion_id) {
    const channel_info& group = *published.find_channel(l.discussion_id);
    m.discussion = ready_discussion{group.id, group.access_hash, *published.discussion_root(l.channel_id, l.message_id),
                                    l.comment_id};
  }
  switch (l.media) {
    case media_kind::none: break;
    case media_kind::document: m.media = document_of(published.media_files()[l.media_index]); break;
    case media_kind::photo: m.media = photo_of(published.photos()[l.media_index]); break;
  }
  return m;
}

}  // namespace

ready_file make_ready_file(const ready_info& info, const catalog& published) {
  const auto& files = published.files();
  if (info.file_sha256.size() != files.size())
    throw std::invalid_argument(
        fmt::format("ready file: {} digests for {} files", info.file_sha256.size(), files.size()));
  ready_file r;
  r.dcs = info.dcs;
  r.rsa_public_key_pem = info.rsa_public_key_pem;
  r.rsa_fingerprint = static_cast<std::uint64_t>(info.rsa_fingerprint);
  r.bot_token = published.bot_token();
  r.channel = published.channel().username;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& f = files[i];
    const auto& d = f.post.document;
    r.files.push_back({f.spec.name, fmt::format("https://t.me/{}/{}", r.channel, f.post.id), f.post.id, d.id,
                       d.access_hash, d.file_reference, d.size, d.dc_id, f.spec.cdn, info.file_sha256[i]});
  }
  if (info.describe_messages) {
    r.messages.emplace();
    for (const auto& l : published.link_fixtures()) r.messages->push_back(message_of(published, l));
  }
  return r;
}

}  // namespace mtproto::testdc
