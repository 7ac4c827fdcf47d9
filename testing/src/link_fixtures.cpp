// The link fixtures: one message for every kind of message a t.me link can point at, so a
// downloader resolves each link form against the emulator. Layout (P = the first id after the
// --file posts of the public channel):
//
//   public channel   P, P+1, P+2  an album (grouped_id): document, photo, document
//                    P+3          a photo with sizes s, m, x, y (y above 1 MiB)
//                    P+4          text only
//                    P+5          deleted (messageEmpty)
//                    P+6          a post whose comments live in the discussion group
//   discussion group 10           the copy of P+6 Telegram makes (the thread's root)
//                    11, 12       comments: a document from the test user, a reply from the bot
//   forum            10           the service message that created topic 10
//                    11, 12       in topic 10: a document from the test user, a reply from the bot
//   private channel  10           a document; only the bot is a member
#include <array>

#include <fmt/format.h>

#include "catalog_ids.h"
#include "mtproto/testdc/catalog.h"

namespace mtproto::testdc {
namespace {

struct document_fixture {
  std::string_view name;
  std::int64_t size;
};

struct size_fixture {
  std::string_view type;
  std::int32_t w;
  std::int32_t h;
  std::int64_t size;
};

// Sizes that take several parts at every usual part size, and one above 1 MiB (an upload.getFile
// part never crosses a 1 MiB boundary).
constexpr document_fixture album_first{"album-1.bin", 1500000};
constexpr document_fixture album_last{"album-3.bin", 200000};
constexpr document_fixture private_document{"private.bin", 700000};
constexpr document_fixture topic_document{"topic.bin", 400000};
constexpr document_fixture comment_document{"comment.bin", 600000};
constexpr std::array<size_fixture, 4> photo_sizes{{
    {"s", 100, 67, 2345}, {"m", 320, 213, 23456}, {"x", 800, 533, 234567}, {"y", 1280, 853, 1234567}}};
constexpr std::array<size_fixture, 3> album_photo_sizes{{
    {"s", 100, 75, 3456}, {"m", 320, 240, 34567}, {"x", 800, 600, 456789}}};
constexpr std::int32_t topic_icon_color = 0x6fb9f0;  // the first of the colours Telegram offers
constexpr std::int32_t link_fixture_dc = 1;
constexpr std::int32_t album_items = 3;
constexpr std::int32_t album_photo_position = 1;  // between the two documents
constexpr std::string_view label_prefix = "link/";

}  // namespace

struct catalog::link_builder {
  catalog& c;

  std::string label(std::string_view name) const { return std::string(label_prefix) + std::string(name); }

  channel_info chat(std::string_view id_label, std::string title, std::string username) const {
    channel_info ch;
    ch.id = c.unused_channel_id(id_label);
    ch.access_hash = static_cast<std::int64_t>(derive_u64(c.seed_, std::string(id_label) + " access_hash"));
    ch.title = std::move(title);
    ch.username = std::move(username);
    ch.date = detail::catalog_date;
    return ch;
  }

  static channel_post message(std::int32_t id, std::string text) {
    channel_post m;
    m.id = id;
    m.date = detail::catalog_date;
    m.media = media_kind::none;
    m.text = std::move(text);
    return m;
  }

  void add(const channel_info& ch, channel_post m) { c.messages_.push_back({ch.id, std::move(m), {}, {}}); }

  std::size_t add_document(const channel_info& ch, channel_post m, const document_fixture& d) {
    const auto l = label(d.name);
    const file_spec spec{std::string(d.name), d.size, link_fixture_dc, false};
    published_file f{spec, file_content(c.seed_, l, d.size), {}, {}, {}, {}, 0, 0, l};
    auto& doc = f.post.document;
    doc.id = static_cast<std::int64_t>(derive_u64(c.seed_, "document " + l) >> 1);
    doc.access_hash = static_cast<std::int64_t>(derive_u64(c.seed_, "document access_hash " + l));
    doc.date = detail::catalog_date;
    doc.mime_type = "application/octet-stream";
    doc.size = d.size;
    doc.dc_id = link_fixture_dc;
    doc.file_name = std::string(d.name);
    doc.file_reference = make_file_reference(c.seed_, l, m.id, 0);
    m.media = media_kind::document;
    f.post.id = m.id;
    f.post.date = m.date;
    c.media_files_.push_back(std::move(f));
    const auto index = c.media_files_.size() - 1;
    c.messages_.push_back({ch.id, std::move(m), index, {}});
    return index;
  }

  template <std::size_t N>
  std::size_t add_photo(const channel_info& ch, channel_post m, std::string_view name,
                        const std::array<size_fixture, N>& sizes) {
    published_photo p;
    p.label = label(name);
    p.message_id = m.id;
    p.photo.id = static_cast<std::int64_t>(derive_u64(c.seed_, "photo " + p.label) >> 1);
    p.photo.access_hash = static_cast<std::int64_t>(derive_u64(c.seed_, "photo access_hash " + p.label));
    p.photo.date = detail::catalog_date;
    p.photo.dc_id = link_fixture_dc;
    p.photo.file_reference = make_file_reference(c.seed_, p.label, m.id, 0);
    for (const auto& s : sizes) {
      p.photo.sizes.push_back({std::string(s.type), s.w, s.h, s.size});
      p.contents.emplace_back(c.seed_, p.label + " " + std::string(s.type), s.size);
    }
    m.media = media_kind::photo;
    c.photos_.push_back(std::move(p));
    const auto index = c.photos_.size() - 1;
    c.messages_.push_back({ch.id, std::move(m), {}, index});
    return index;
  }

  void link(link_fixture l) { c.links_.push_back(std::move(l)); }

  std::string public_link(const channel_info& ch, std::int32_t id) const {
    return fmt::format("https://t.me/{}/{}", ch.username, id);
  }

  /// The album (consecutive posts with one grouped_id, the caption on the first), the photo, the
  /// text post and the deleted id; returns the next free id.
  std::int32_t public_posts(std::int32_t first_id) {
    const auto& pub = c.channel_;
    const auto grouped_id = static_cast<std::int64_t>(derive_u64(c.seed_, "album grouped_id") >> 1);
    for (std::int32_t i = 0; i < album_items; ++i) {
      auto m = message(first_id + i, i == 0 ? "testdc album" : "");
      m.grouped_id = grouped_id;
      link_fixture l{"album", public_link(pub, m.id), pub.id, m.id, grouped_id};
      if (i == album_photo_position) {
        l.media = media_kind::photo;
        l.media_index = add_photo(pub, std::move(m), "album-photo", album_photo_sizes);
      } else {
        l.media = media_kind::document;
        l.media_index = add_document(pub, std::move(m), i == 0 ? album_first : album_last);
      }
      link(std::move(l));
    }

    const std::int32_t photo_id = first_id + album_items;
    link_fixture photo{"photo", public_link(pub, photo_id), pub.id, photo_id};
    photo.media = media_kind::photo;
    photo.media_index = add_photo(pub, message(photo_id, "testdc photo"), "photo", photo_sizes);
    link(std::move(photo));

    const std::int32_t text_id = photo_id + 1;
    add(pub, message(text_id, "testdc text: a message without media"));
    link({"text", public_link(pub, text_id), pub.id, text_id});

    const std::int32_t deleted_id = text_id + 1;  // never stored: answered as messageEmpty
    link({"deleted", public_link(pub, deleted_id), pub.id, deleted_id});
    return deleted_id + 1;
  }

  /// Channel post `post_id` with comments, its copy in the discussion group (the thread's root),
  /// a comment with a document and a reply to it.
  void comment_thread(std::int32_t post_id) {
    const auto& pub = c.channel_;
    const std::int32_t root_id = first_message_id;
    const std::int32_t comment_id = root_id + 1;
    const std::int32_t reply_id = comment_id + 1;
    auto post = message(post_id, "testdc post with comments");
    post.comments = comments_info{c.discussion_.id, reply_id - root_id, reply_id};
    add(pub, post);
    auto root = message(root_id, post.text);
    root.forwarded = forward_header{pub.id, post_id, post.date};
    add(c.discussion_, std::move(root));
    c.threads_.push_back({pub.id, post_id, root_id});

    auto comment = message(comment_id, "testdc comment with a document");
    comment.from_user_id = c.user_.id;
    comment.reply_to = reply_header{root_id, 0, false};
    link_fixture l{"comment", fmt::format("{}?comment={}", public_link(pub, post_id), comment_id), pub.id, post_id};
    l.discussion_id = c.discussion_.id;
    l.comment_id = comment_id;
    l.media = media_kind::document;
    l.media_index = add_document(c.discussion_, std::move(comment), comment_document);
    link(std::move(l));

    auto reply = message(reply_id, "testdc reply in the thread");
    reply.from_user_id = c.bot_.id;
    reply.reply_to = reply_header{comment_id, root_id, false};
    add(c.discussion_, std::move(reply));
  }

  /// A forum topic: its id is the id of the service message that created it; in it a post with a
  /// document and a reply to that post.
  void forum_topic() {
    const auto& forum = c.forum_;
    const std::int32_t topic_id = first_message_id;
    const std::int32_t post_id = topic_id + 1;
    auto created = message(topic_id, "");
    created.topic = topic_created{"testdc topic", topic_icon_color};
    created.from_user_id = c.user_.id;
    add(forum, std::move(created));

    auto post = message(post_id, "testdc post in a topic");
    post.from_user_id = c.user_.id;
    post.reply_to = reply_header{topic_id, 0, true};
    link_fixture l{"topic", fmt::format("https://t.me/{}/{}/{}", forum.username, topic_id, post_id), forum.id, post_id};
    l.topic_id = topic_id;
    l.media = media_kind::document;
    l.media_index = add_document(forum, std::move(post), topic_document);
    link(std::move(l));

    auto reply = message(post_id + 1, "testdc reply in the topic");
    reply.from_user_id = c.bot_.id;
    reply.reply_to = reply_header{post_id, topic_id, true};
    add(forum, std::move(reply));
  }

  /// The private channel's post: reached by id (t.me/c/ID/MSG), readable by members only.
  void private_post() {
    const auto& ch = c.private_channel_;
    const std::int32_t id = first_message_id;
    link_fixture l{"private", fmt::format("https://t.me/c/{}/{}", ch.id, id), ch.id, id};
    l.media = media_kind::document;
    l.media_index = add_document(ch, message(id, "testdc private post"), private_document);
    link(std::move(l));
  }
};

void catalog::publish_link_fixtures() {
  link_builder b{*this};
  private_channel_ = b.chat("private channel", "mtproto-testdc private", "");
  private_channel_.members_only = true;
  private_channel_.member_ids = {bot_.id};
  discussion_ = b.chat("discussion group", "mtproto-testdc comments", "");
  discussion_.broadcast = false;
  discussion_.has_link = true;
  forum_ = b.chat("forum", "mtproto-testdc forum", "testdc_forum");
  forum_.broadcast = false;
  forum_.forum = true;

  const std::int32_t after_files = first_message_id + static_cast<std::int32_t>(files_.size());
  b.comment_thread(b.public_posts(after_files));
  b.forum_topic();
  b.private_post();
}

}  // namespace mtproto::testdc
