// --request-log FILE: one line per API request, as the DC saw it, so tests can check what a
// client sent from the server's side (e.g. that nothing reached a DC inside a flood wait the
// client had been told), not from the client's own account of it.
//
// Text, one header line then space-separated fields:
//   arrived_ms account dc method sent_ms answer
// arrived_ms: server wall clock (Unix ms) when the request was handled; account: the user id, or
// the auth key id before login; method: the query's constructor id (hex) inside any wrappers;
// sent_ms: the time in the request's msg_id (the client's clock, Unix ms); answer: "ok" or the
// rpc error's message (FLOOD_WAIT_3, FILE_MIGRATE_2, ...).
#pragma once

#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

namespace mtproto::testdc {

class request_log {
 public:
  /// Opens (truncates) `path`; throws std::system_error when it cannot.
  explicit request_log(const std::string& path);

  void record(std::int64_t arrived_ms, std::int64_t account, std::int32_t dc, std::uint32_t method,
              std::int64_t msg_id, std::string_view answer) noexcept;

  /// The Unix milliseconds a msg_id carries (its upper 32 bits are seconds, the lower a fraction).
  static std::int64_t msg_id_ms(std::int64_t msg_id) noexcept;

 private:
  struct closer {
    void operator()(std::FILE* f) const noexcept { std::fclose(f); }
  };
  std::unique_ptr<std::FILE, closer> file_;
};

}  // namespace mtproto::testdc
