// Everything the emulated Telegram publishes, derived from the seed: the bot and the test user,
// the channel, one post per fixture with its document, and the documents' current file
// references (which expire with --file-ref-ttl).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "mtproto/testdc/file_content.h"
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
};

enum class reference_check { valid, expired, invalid };

/// Test-DC conventions: the user's phone and the login code it always accepts.
inline constexpr std::string_view test_user_phone = "9996621234";
inline constexpr std::string_view test_user_code = "22222";
inline constexpr std::int32_t first_message_id = 10;

class catalog {
 public:
  catalog(std::uint64_t seed, std::span<const file_spec> files);

  const channel_info& channel() const noexcept { return channel_; }
  const account& bot() const noexcept { return bot_; }
  const account& test_user() const noexcept { return user_; }
  /// "<bot id>:<letters>", as BotFather prints it.
  const std::string& bot_token() const noexcept { return bot_token_; }
  /// The account for a bot token: the printed one, or any "digits:letters" token (a bot whose id
  /// is the number). Nothing for a malformed token.
  std::optional<account> bot_for_token(std::string_view token) const;

  std::vector<published_file>& files() noexcept { return files_; }
  const std::vector<published_file>& files() const noexcept { return files_; }
  published_file* find_document(std::int64_t id) noexcept;
  published_file* find_message(std::int32_t message_id) noexcept;
  published_file* find_cdn_token(std::span<const std::uint8_t> token) noexcept;

  reference_check check_reference(const published_file& f, std::span<const std::uint8_t> reference) const;
  /// Counts one upload.getFile on the file's current reference and issues a new one when the
  /// reference reached `ttl` calls (0: references never expire).
  void count_call(published_file& f, std::int32_t ttl);

 private:
  std::vector<std::uint8_t> reference_for(const published_file& f) const;

  std::uint64_t seed_;
  channel_info channel_;
  account bot_;
  account user_;
  std::string bot_token_;
  std::vector<published_file> files_;
};

/// The deterministic 64-bit value for (seed, label): ids and access hashes.
std::uint64_t derive_u64(std::uint64_t seed, std::string_view label);

}  // namespace mtproto::testdc
