// Everything the emulated Telegram publishes, derived from the seed: the bot and the test user,
// the channel with one post per --file fixture, the link fixtures (an album, a photo with several
// sizes, a text post, a deleted id, a private channel, a forum topic, a comment thread; see
// link_fixtures.cpp), and the current file references of their documents and photos (which
// expire with --file-ref-ttl).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mtproto/testdc/derive.h"
#include "mtproto/testdc/file_content.h"
#include "mtproto/testdc/file_reference.h"
#include "mtproto/testdc/model.h"
#include "mtproto/testdc/options.h"

namespace mtproto::testdc {

struct published_file {
  file_spec spec;
  file_content content;
  channel_post post;  // post.document.file_reference is the current reference
  /// CDN files: the AES-256-CTR key and iv the client decrypts upload.getCdnFile with, and the
  /// token naming the file on the CDN DC.
  std::array<std::uint8_t, 32> cdn_key{};
  std::array<std::uint8_t, 16> cdn_iv{};
  std::vector<std::uint8_t> cdn_token;
  /// upload.getFile calls since the current reference was issued (--file-ref-ttl).
  std::int64_t calls_on_reference = 0;
  std::uint32_t reference_generation = 0;
  /// What its references derive from: the name for --file fixtures; link fixtures add a prefix,
  /// so a --file of the same name is another file.
  std::string label;
};

/// A photo of the link fixtures. Each size has its own bytes, computed like a file's.
struct published_photo {
  std::string label;
  photo_info photo;  // photo.file_reference is the current reference
  std::int32_t message_id = 0;         // the message carrying it (its references name it)
  std::vector<file_content> contents;  // one per photo.sizes entry
  std::int64_t calls_on_reference = 0;
  std::uint32_t reference_generation = 0;
};

/// One message a Telegram link points at, as the ready file's `messages` array describes it.
struct link_fixture {
  std::string kind;  // album, photo, text, deleted, private, topic, comment
  std::string link;
  std::int64_t channel_id = 0;  // the chat `message_id` is in
  std::int32_t message_id = 0;
  std::int64_t grouped_id = 0;     // album
  std::int32_t topic_id = 0;       // topic
  std::int64_t discussion_id = 0;  // comment: the discussion group
  std::int32_t comment_id = 0;     // comment: its id in the discussion group
  media_kind media = media_kind::none;
  std::size_t media_index = 0;  // into media_files() or photos()
};

/// Test-DC conventions: the user's phone and the login code it always accepts.
inline constexpr std::string_view test_user_phone = "9996621234";
inline constexpr std::string_view test_user_code = "22222";
inline constexpr std::int32_t first_message_id = 10;

class catalog {
 public:
  /// The --file fixtures, then the --media ones (which read their files now: std::system_error or
  /// std::invalid_argument naming the file when one cannot be published).
  catalog(std::uint64_t seed, std::span<const file_spec> files, std::span<const media_spec> media = {});

  /// The public channel of the file posts (and of the public link fixtures).
  const channel_info& channel() const noexcept { return channel_; }
  /// Without a username; only the bot() is a member.
  const channel_info& private_channel() const noexcept { return private_channel_; }
  /// The discussion group linked to channel(): comments on its posts.
  const channel_info& discussion_group() const noexcept { return discussion_; }
  /// A public supergroup with topics.
  const channel_info& forum() const noexcept { return forum_; }
  const channel_info* find_channel(std::int64_t id) const noexcept;
  /// Case-insensitive, as Telegram resolves usernames.
  const channel_info* find_channel_by_username(std::string_view username) const noexcept;
  static bool is_member(const channel_info& c, std::int64_t account_id) noexcept;

  const account& bot() const noexcept { return bot_; }
  const account& test_user() const noexcept { return user_; }
  /// The bot or the test user.
  const account* find_account(std::int64_t id) const noexcept;
  /// "<bot id>:<letters>", as BotFather prints it.
  const std::string& bot_token() const noexcept { return bot_token_; }
  /// The account for a bot token: the printed one, or any "digits:letters" token (a bot whose id
  /// is the number). Nothing for a malformed token.
  std::optional<account> bot_for_token(std::string_view token) const;

  std::vector<published_file>& files() noexcept { return files_; }
  const std::vector<published_file>& files() const noexcept { return files_; }
  /// The documents of the link fixtures (not --file fixtures: the ready file's `files` stays as is).
  std::vector<published_file>& media_files() noexcept { return media_files_; }
  const std::vector<published_file>& media_files() const noexcept { return media_files_; }
  std::vector<published_photo>& photos() noexcept { return photos_; }
  const std::vector<published_photo>& photos() const noexcept { return photos_; }
  const std::vector<link_fixture>& link_fixtures() const noexcept { return links_; }

  published_file* find_document(std::int64_t id) noexcept;
  published_photo* find_photo(std::int64_t id) noexcept;
  /// The file post `message_id` of channel().
  published_file* find_message(std::int32_t message_id) noexcept;
  published_file* find_cdn_token(std::span<const std::uint8_t> token) noexcept;
  /// Message `id` of chat `channel_id` as it reads now (current file references); `deleted` for
  /// an id the chat never had or no longer has.
  channel_post message(std::int64_t channel_id, std::int32_t id) const;
  /// Where the comments of channel post `post_id` live: the discussion group and the id of the
  /// post's copy there (the thread's root). Nothing for a post without comments.
  std::optional<std::int32_t> discussion_root(std::int64_t channel_id, std::int32_t post_id) const noexcept;

  reference_check check_reference(const published_file& f, std::span<const std::uint8_t> reference) const;
  reference_check check_reference(const published_photo& p, std::span<const std::uint8_t> reference) const;
  /// Counts one upload.getFile on the current reference and issues a new one when the reference
  /// reached `ttl` calls (0: references never expire).
  void count_call(published_file& f, std::int32_t ttl);
  void count_call(published_photo& p, std::int32_t ttl);

 private:
  struct stored_message {
    std::int64_t channel_id = 0;
    channel_post message;  // media are taken from the index below when answered
    std::optional<std::size_t> file_index;
    std::optional<std::size_t> photo_index;
  };
  struct thread {
    std::int64_t channel_id = 0;
    std::int32_t post_id = 0;
    std::int32_t root_id = 0;  // in discussion_
  };
  struct link_builder;

  published_file& publish_file(const file_spec& spec, file_content content);
  void publish_link_fixtures();
  std::int64_t unused_channel_id(std::string_view label) const;

  std::uint64_t seed_;
  channel_info channel_;
  channel_info private_channel_;
  channel_info discussion_;
  channel_info forum_;
  account bot_;
  account user_;
  std::string bot_token_;
  std::vector<published_file> files_;
  std::vector<published_file> media_files_;
  std::vector<published_photo> photos_;
  std::vector<stored_message> messages_;
  std::vector<thread> threads_;
  std::vector<link_fixture> links_;
};

}  // namespace mtproto::testdc
