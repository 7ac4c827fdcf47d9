#include "mtproto/testdc/request_log.h"

#include <cerrno>
#include <system_error>

#include <fmt/format.h>

namespace mtproto::testdc {

request_log::request_log(const std::string& path) : file_(std::fopen(path.c_str(), "w")) {
  if (!file_) throw std::system_error(errno, std::generic_category(), "--request-log " + path);
  std::fputs("arrived_ms account dc method sent_ms answer\n", file_.get());
  std::fflush(file_.get());
}

std::int64_t request_log::msg_id_ms(std::int64_t msg_id) noexcept {
  const auto id = static_cast<std::uint64_t>(msg_id);
  const auto seconds = static_cast<std::int64_t>(id >> 32);
  const auto fraction = static_cast<std::int64_t>(((id & 0xffffffffu) * 1000) >> 32);
  return seconds * 1000 + fraction;
}

void request_log::record(std::int64_t arrived_ms, std::int64_t account, std::int32_t dc, std::uint32_t method,
                         std::int64_t msg_id, std::string_view answer) noexcept {
  // The answer is our own error message, but keep the line one token per field whatever it is.
  std::string token(answer.empty() ? std::string_view("ok") : answer);
  for (char& c : token)
    if (static_cast<unsigned char>(c) <= ' ') c = '_';
  const std::string line =
      fmt::format("{} {} {} {:08x} {} {}\n", arrived_ms, account, dc, method, msg_id_ms(msg_id), token);
  // Flushed per line: a test reads the file while the emulator runs, or after it was killed.
  std::fputs(line.c_str(), file_.get());
  std::fflush(file_.get());
}

}  // namespace mtproto::testdc
