#include "mtproto/testdc/catalog.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>

#include "catalog_ids.h"
#include "mtproto/crypto/sha.h"
#include "mtproto/testdc/media_probe.h"

namespace mtproto::testdc {
namespace {

constexpr std::int64_t bot_id_base = 7000000000;
constexpr std::int64_t user_id_base = 5000000000;
constexpr std::size_t bot_token_secret_chars = 35;

std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

bool same_username(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

}  // namespace

catalog::catalog(std::uint64_t seed, std::span<const file_spec> files, std::span<const media_spec> media)
    : seed_(seed) {
  channel_.id = detail::channel_id_base + static_cast<std::int64_t>(derive_u64(seed, "channel") % detail::id_spread);
  channel_.access_hash = static_cast<std::int64_t>(derive_u64(seed, "channel access_hash"));
  channel_.title = "mtproto-testdc files";
  channel_.username = "testdc_files";
  channel_.date = detail::catalog_date;
  channel_.has_link = true;  // its discussion group (link fixtures)

  bot_.id = bot_id_base + static_cast<std::int64_t>(derive_u64(seed, "bot") % detail::id_spread);
  bot_.access_hash = static_cast<std::int64_t>(derive_u64(seed, "bot access_hash"));
  bot_.bot = true;
  bot_.first_name = "testdc bot";
  bot_.username = "testdc_bot";
  static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  bot_token_ = std::to_string(bot_.id) + ":AA";
  for (std::size_t i = 0; i < bot_token_secret_chars; ++i)
    bot_token_ += alphabet[derive_u64(seed, "bot token " + std::to_string(i)) % alphabet.size()];

  user_.id = user_id_base + static_cast<std::int64_t>(derive_u64(seed, "user") % detail::id_spread);
  user_.access_hash = static_cast<std::int64_t>(derive_u64(seed, "user access_hash"));
  user_.first_name = "Test";
  user_.phone = std::string(test_user_phone);

  files_.reserve(files.size() + media.size());
  for (const auto& spec : files) publish_file(spec, file_content(seed, spec.name, spec.size));
  for (const auto& m : media) {
    auto content = file_content::from_disk(m.path);
    if (content.size() == 0) throw std::invalid_argument("--media " + m.name + ": " + m.path + " is empty");
    auto probe = probe_media(m.path, m.name);
    auto& d = publish_file({m.name, content.size(), m.dc, false}, std::move(content)).post.document;
    d.mime_type = std::move(probe.mime_type);
    d.video = std::move(probe.video);
    d.audio = probe.audio;
  }
  publish_link_fixtures();
}

published_file& catalog::publish_file(const file_spec& spec, file_content content) {
  published_file f{spec, std::move(content), {}, {}, {}, {}, 0, 0, spec.name};
  f.post.id = first_message_id + static_cast<std::int32_t>(files_.size());
  f.post.date = detail::catalog_date;
  auto& d = f.post.document;
  // Positive ids below 2^63 (document ids are positive on Telegram).
  d.id = static_cast<std::int64_t>(derive_u64(seed_, "document " + spec.name) >> 1);
  d.access_hash = static_cast<std::int64_t>(derive_u64(seed_, "document access_hash " + spec.name));
  d.date = detail::catalog_date;
  d.mime_type = "application/octet-stream";
  d.size = spec.size;
  d.dc_id = spec.dc;
  d.file_name = spec.name;
  const auto seed_text = std::to_string(seed_);
  const auto key = crypto::sha256({as_bytes("cdn key"), as_bytes(spec.name), as_bytes(seed_text)});
  std::copy(key.begin(), key.end(), f.cdn_key.begin());
  const auto iv = crypto::sha256({as_bytes("cdn iv"), as_bytes(spec.name), as_bytes(seed_text)});
  std::copy_n(iv.begin(), f.cdn_iv.size(), f.cdn_iv.begin());
  const auto token = crypto::sha256({as_bytes("cdn token"), as_bytes(spec.name), as_bytes(seed_text)});
  f.cdn_token.assign(token.begin(), token.end());
  f.post.document.file_reference = make_file_reference(seed_, f.label, f.post.id, 0);
  return files_.emplace_back(std::move(f));
}

std::optional<account> catalog::bot_for_token(std::string_view token) const {
  const auto colon = token.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == token.size()) return std::nullopt;
  std::int64_t id = 0;
  const auto digits = token.substr(0, colon);
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc() || ptr != digits.data() + digits.size() || id <= 0) return std::nullopt;
  for (char c : token.substr(colon + 1))
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_') return std::nullopt;
  if (id == bot_.id) return bot_;
  account a = bot_;
  a.id = id;
  a.access_hash = static_cast<std::int64_t>(derive_u64(seed_, "bot access_hash " + std::to_string(id)));
  a.username = "bot" + std::to_string(id);
  return a;
}

const account* catalog::find_account(std::int64_t id) const noexcept {
  if (id == bot_.id) return &bot_;
  if (id == user_.id) return &user_;
  return nullptr;
}

const channel_info* catalog::find_channel(std::int64_t id) const noexcept {
  for (const auto* c : {&channel_, &private_channel_, &discussion_, &forum_})
    if (c->id == id) return c;
  return nullptr;
}

const channel_info* catalog::find_channel_by_username(std::string_view username) const noexcept {
  for (const auto* c : {&channel_, &private_channel_, &discussion_, &forum_})
    if (!c->username.empty() && same_username(c->username, username)) return c;
  return nullptr;
}

bool catalog::is_member(const channel_info& c, std::int64_t account_id) noexcept {
  return std::find(c.member_ids.begin(), c.member_ids.end(), account_id) != c.member_ids.end();
}

published_file* catalog::find_document(std::int64_t id) noexcept {
  for (auto* list : {&files_, &media_files_})
    for (auto& f : *list)
      if (f.post.document.id == id) return &f;
  return nullptr;
}

published_photo* catalog::find_photo(std::int64_t id) noexcept {
  for (auto& p : photos_)
    if (p.photo.id == id) return &p;
  return nullptr;
}

published_file* catalog::find_message(std::int32_t message_id) noexcept {
  for (auto& f : files_)
    if (f.post.id == message_id) return &f;
  return nullptr;
}

published_file* catalog::find_cdn_token(std::span<const std::uint8_t> token) noexcept {
  for (auto& f : files_)
    if (f.spec.cdn && std::equal(f.cdn_token.begin(), f.cdn_token.end(), token.begin(), token.end())) return &f;
  return nullptr;
}

channel_post catalog::message(std::int64_t channel_id, std::int32_t id) const {
  if (channel_id == channel_.id)
    for (const auto& f : files_)
      if (f.post.id == id) return f.post;
  for (const auto& m : messages_) {
    if (m.channel_id != channel_id || m.message.id != id) continue;
    channel_post out = m.message;
    if (m.file_index) out.document = media_files_[*m.file_index].post.document;
    if (m.photo_index) out.photo = photos_[*m.photo_index].photo;
    return out;
  }
  channel_post gone;
  gone.id = id;
  gone.deleted = true;
  return gone;
}

std::optional<std::int32_t> catalog::discussion_root(std::int64_t channel_id, std::int32_t post_id) const noexcept {
  for (const auto& t : threads_)
    if (t.channel_id == channel_id && t.post_id == post_id) return t.root_id;
  return std::nullopt;
}

reference_check catalog::check_reference(const published_file& f, std::span<const std::uint8_t> reference) const {
  return check_file_reference(seed_, f.label, f.post.id, f.reference_generation, reference);
}

reference_check catalog::check_reference(const published_photo& p, std::span<const std::uint8_t> reference) const {
  return check_file_reference(seed_, p.label, p.message_id, p.reference_generation, reference);
}

void catalog::count_call(published_file& f, std::int32_t ttl) {
  if (ttl <= 0) return;
  if (++f.calls_on_reference >= ttl) {
    f.calls_on_reference = 0;
    ++f.reference_generation;
    f.post.document.file_reference = make_file_reference(seed_, f.label, f.post.id, f.reference_generation);
  }
}

void catalog::count_call(published_photo& p, std::int32_t ttl) {
  if (ttl <= 0) return;
  if (++p.calls_on_reference >= ttl) {
    p.calls_on_reference = 0;
    ++p.reference_generation;
    p.photo.file_reference = make_file_reference(seed_, p.label, p.message_id, p.reference_generation);
  }
}

std::int64_t catalog::unused_channel_id(std::string_view label) const {
  std::int64_t id = detail::channel_id_base + static_cast<std::int64_t>(derive_u64(seed_, label) % detail::id_spread);
  // Four chats in a million ids rarely meet; when they do, the next free id keeps them apart.
  while (find_channel(id)) id = detail::channel_id_base + (id - detail::channel_id_base + 1) % detail::id_spread;
  return id;
}

}  // namespace mtproto::testdc
