// What the emulated Telegram contains, independent of any API layer: the DCs, the logged-in
// user, the channel that publishes the fixtures and its posts. The layer writers turn these into
// each client's TL objects.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mtproto::testdc {

struct dc_endpoint {
  std::int32_t id = 0;
  std::string host;
  std::uint16_t port = 0;
  bool cdn = false;
};

/// The account a key is logged in as (a bot, or the test user).
struct account {
  std::int64_t id = 0;
  std::int64_t access_hash = 0;
  bool bot = false;
  std::string first_name;
  std::string username;  // empty: none
  std::string phone;     // empty: none (bots)
};

struct channel_info {
  std::int64_t id = 0;
  std::int64_t access_hash = 0;
  std::string title;
  std::string username;
  std::int32_t date = 0;
};

struct document_info {
  std::int64_t id = 0;
  std::int64_t access_hash = 0;
  std::vector<std::uint8_t> file_reference;
  std::int32_t date = 0;
  std::string mime_type;
  std::int64_t size = 0;
  std::int32_t dc_id = 0;
  std::string file_name;
};

/// A channel post carrying one document.
struct channel_post {
  std::int32_t id = 0;
  std::int32_t date = 0;
  document_info document;
};

}  // namespace mtproto::testdc
