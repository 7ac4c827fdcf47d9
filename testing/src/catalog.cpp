#include "mtproto/testdc/catalog.h"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "mtproto/crypto/sha.h"

namespace mtproto::testdc {
namespace {

constexpr std::int32_t catalog_date = 1700000000;  // a fixed date: answers do not depend on the clock
constexpr std::int64_t channel_id_base = 1000000000;
constexpr std::int64_t bot_id_base = 7000000000;
constexpr std::int64_t user_id_base = 5000000000;
constexpr std::int64_t id_spread = 1000000;
constexpr std::uint8_t reference_version = 2;
constexpr std::size_t reference_size = 1 + 4 + 4 + 8;  // version, file index, generation, tag
constexpr std::size_t bot_token_secret_chars = 35;

std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint32_t get_u32(std::span<const std::uint8_t> in) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(in[static_cast<std::size_t>(i)]) << (8 * i);
  return v;
}

}  // namespace

std::uint64_t derive_u64(std::uint64_t seed, std::string_view label) {
  std::array<std::uint8_t, 8> s{};
  for (std::size_t i = 0; i < 8; ++i) s[i] = static_cast<std::uint8_t>(seed >> (8 * i));
  const auto d = crypto::sha256({as_bytes("mtproto-testdc id"), s, as_bytes(label)});
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8; ++i) v |= static_cast<std::uint64_t>(d[i]) << (8 * i);
  return v;
}

catalog::catalog(std::uint64_t seed, std::span<const file_spec> files) : seed_(seed) {
  channel_.id = channel_id_base + static_cast<std::int64_t>(derive_u64(seed, "channel") % id_spread);
  channel_.access_hash = static_cast<std::int64_t>(derive_u64(seed, "channel access_hash"));
  channel_.title = "mtproto-testdc files";
  channel_.username = "testdc_files";
  channel_.date = catalog_date;

  bot_.id = bot_id_base + static_cast<std::int64_t>(derive_u64(seed, "bot") % id_spread);
  bot_.access_hash = static_cast<std::int64_t>(derive_u64(seed, "bot access_hash"));
  bot_.bot = true;
  bot_.first_name = "testdc bot";
  bot_.username = "testdc_bot";
  static constexpr std::string_view alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  bot_token_ = std::to_string(bot_.id) + ":AA";
  for (std::size_t i = 0; i < bot_token_secret_chars; ++i)
    bot_token_ += alphabet[derive_u64(seed, "bot token " + std::to_string(i)) % alphabet.size()];

  user_.id = user_id_base + static_cast<std::int64_t>(derive_u64(seed, "user") % id_spread);
  user_.access_hash = static_cast<std::int64_t>(derive_u64(seed, "user access_hash"));
  user_.first_name = "Test";
  user_.phone = std::string(test_user_phone);

  files_.reserve(files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    const auto& spec = files[i];
    published_file f{spec, file_content(seed, spec.name, spec.size), {}, {}, {}, {}, 0, 0};
    f.post.id = first_message_id + static_cast<std::int32_t>(i);
    f.post.date = catalog_date;
    auto& d = f.post.document;
    // Positive ids below 2^63 (document ids are positive on Telegram).
    d.id = static_cast<std::int64_t>(derive_u64(seed, "document " + spec.name) >> 1);
    d.access_hash = static_cast<std::int64_t>(derive_u64(seed, "document access_hash " + spec.name));
    d.date = catalog_date;
    d.mime_type = "application/octet-stream";
    d.size = spec.size;
    d.dc_id = spec.dc;
    d.file_name = spec.name;
    const auto key = crypto::sha256({as_bytes("cdn key"), as_bytes(spec.name), as_bytes(std::to_string(seed))});
    std::copy(key.begin(), key.end(), f.cdn_key.begin());
    const auto iv = crypto::sha256({as_bytes("cdn iv"), as_bytes(spec.name), as_bytes(std::to_string(seed))});
    std::copy_n(iv.begin(), f.cdn_iv.size(), f.cdn_iv.begin());
    const auto token = crypto::sha256({as_bytes("cdn token"), as_bytes(spec.name), as_bytes(std::to_string(seed))});
    f.cdn_token.assign(token.begin(), token.end());
    files_.push_back(std::move(f));
    files_.back().post.document.file_reference = reference_for(files_.back());
  }
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

published_file* catalog::find_document(std::int64_t id) noexcept {
  for (auto& f : files_)
    if (f.post.document.id == id) return &f;
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

std::vector<std::uint8_t> catalog::reference_for(const published_file& f) const {
  std::vector<std::uint8_t> r;
  r.reserve(reference_size);
  r.push_back(reference_version);
  put_u32(r, static_cast<std::uint32_t>(f.post.id));
  put_u32(r, f.reference_generation);
  const auto tag = derive_u64(seed_, "file reference " + f.spec.name + " " + std::to_string(f.reference_generation));
  for (int i = 0; i < 8; ++i) r.push_back(static_cast<std::uint8_t>(tag >> (8 * i)));
  return r;
}

reference_check catalog::check_reference(const published_file& f, std::span<const std::uint8_t> reference) const {
  if (reference.size() != reference_size || reference[0] != reference_version ||
      get_u32(reference.subspan(1)) != static_cast<std::uint32_t>(f.post.id))
    return reference_check::invalid;
  const auto& current = f.post.document.file_reference;
  if (std::equal(current.begin(), current.end(), reference.begin(), reference.end())) return reference_check::valid;
  const auto generation = get_u32(reference.subspan(5));
  if (generation >= f.reference_generation) return reference_check::invalid;
  // An earlier reference of this file, if its tag is genuine.
  published_file old{f.spec, f.content, {}, {}, {}, {}, 0, generation};
  old.post.id = f.post.id;
  const auto expected = reference_for(old);
  return std::equal(expected.begin(), expected.end(), reference.begin(), reference.end()) ? reference_check::expired
                                                                                          : reference_check::invalid;
}

void catalog::count_call(published_file& f, std::int32_t ttl) {
  if (ttl <= 0) return;
  if (++f.calls_on_reference >= ttl) {
    f.calls_on_reference = 0;
    ++f.reference_generation;
    f.post.document.file_reference = reference_for(f);
  }
}

}  // namespace mtproto::testdc
