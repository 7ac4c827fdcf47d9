// The remuxer on hostile container bytes (what a Telegram file may hold): libavformat's Matroska,
// MP4 and other demuxers are steered to by a magic prefix the first byte picks, then fed the rest.
// Must hold: every outcome is a remux_error or an MP4 of bounded size; no crash, no other throw.
#include <array>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string_view>
#include <vector>

#include "fuzz_data.h"
#include "remux.h"

namespace {

constexpr std::size_t max_input = 64 * 1024;
constexpr std::int64_t max_output = 64 << 20;

class memory_source final : public tgstream::byte_source {
 public:
  explicit memory_source(std::vector<std::uint8_t> bytes) : bytes_(std::move(bytes)) {}
  std::int64_t size() const override { return static_cast<std::int64_t>(bytes_.size()); }
  std::size_t read_at(std::int64_t offset, std::span<std::uint8_t> out) override {
    if (offset < 0 || offset >= size()) std::abort();  // the remuxer must stay inside the file
    const auto n = std::min(out.size(), bytes_.size() - static_cast<std::size_t>(offset));
    std::copy_n(bytes_.begin() + offset, n, out.begin());
    return n;
  }

 private:
  std::vector<std::uint8_t> bytes_;
};

// Magic numbers that make libavformat's probe pick a demuxer.
constexpr std::array<std::string_view, 5> prefixes{
    std::string_view("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x88matroska", 20),  // EBML header, Matroska
    std::string_view("\x00\x00\x00\x18" "ftypisom\x00\x00\x02\x00isomiso2", 24),         // MP4
    std::string_view("\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", 16),      // WebM
    std::string_view("ID3\x04\x00\x00\x00\x00\x00\x00", 10),                           // MP3
    std::string_view(),                                                                 // none: probe by content
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > max_input) return 0;
  static const bool quiet = (tgstream::quiet_media_library_logs(), true);
  (void)quiet;
  const auto prefix = prefixes[data[0] % prefixes.size()];
  std::vector<std::uint8_t> file(prefix.begin(), prefix.end());
  file.insert(file.end(), data + 1, data + size);
  if (file.empty()) return 0;
  memory_source source(std::move(file));
  try {
    tgstream::remuxer r(source);
    const auto audio = r.layout().audio().empty() ? std::nullopt : std::optional<int>(data[0] % 2);
    if (r.check(audio)) return 0;
    std::int64_t written = 0;
    const auto result = r.run(audio, [&](std::span<const std::uint8_t> piece) {
      written += static_cast<std::int64_t>(piece.size());
      if (written > max_output) std::abort();  // unbounded output from a bounded input
    });
    if (result.bytes_out != written) std::abort();
  } catch (const tgstream::remux_error&) {
    // the expected outcome for most inputs
  }
  return 0;
}
