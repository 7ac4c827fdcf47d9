// decode_journal on the resume journal beside NAME.part, which a crash may have torn and anyone
// with access to the directory may have edited. Byte 0 picks the mode: the raw input as a journal;
// the input as a journal body framed with a right header and checksum (random bytes almost never
// pass the SHA-256, and the field checks behind it are the point); a journal built field by field
// from the input, encoded, and decoded again; or such a journal's body with a few fuzzer-chosen
// edits (bytes, little-endian counts, a cut), framed again, which reaches every field check with
// the fields before it well formed. Must hold: decoding never crashes and fails only with
// journal_corrupt and an empty journal; a decoded journal passes validate(), encodes to exactly
// the bytes it came from (the encoding is canonical) and decodes again to itself; every done part
// has its CRC; encode_journal gives bytes exactly for the journals validate() accepts, and those
// decode back to the same journal; and check_matches accepts a journal's own identity.
#include <cstdint>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "fuzz_data.h"
#include "mtproto/crypto/sha.h"
#include "mtproto/download/resume.h"

namespace {

using namespace mtproto::download;

constexpr std::size_t max_input = 1 << 16;

std::vector<std::uint8_t> framed(std::span<const std::uint8_t> body, std::uint32_t version) {
  constexpr std::string_view magic = "MTPDJRNL";
  std::vector<std::uint8_t> out(magic.begin(), magic.end());
  for (std::uint32_t v : {version, static_cast<std::uint32_t>(body.size())})
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
  out.insert(out.end(), body.begin(), body.end());
  const auto digest = mtproto::crypto::sha256(out);
  out.insert(out.end(), digest.begin(), digest.end());
  return out;
}

void check_decoded(std::span<const std::uint8_t> bytes) {
  const auto r = decode_journal(bytes);
  if (!r) {
    if (r.error != download_errc::journal_corrupt || !(r.journal == resume_journal{})) std::abort();
    return;
  }
  const resume_journal& j = r.journal;
  if (validate(j)) std::abort();
  const auto again = encode_journal(j);
  if (again.size() != bytes.size() || !std::equal(again.begin(), again.end(), bytes.begin())) std::abort();
  const auto twice = decode_journal(again);
  if (!twice || !(twice.journal == j)) std::abort();
  const std::int64_t parts = journal_part_count(j.total_size, j.part_size);
  // done_part_crc is linear in the index; looking up the first few keeps an input's cost linear.
  constexpr std::size_t crc_lookups = 64;
  std::size_t done = 0;
  for (std::int64_t i = 0; i < parts; ++i) {
    if (!is_done(j, i)) continue;
    if (done < crc_lookups && done_part_crc(j, i) != j.part_crc32[done]) std::abort();
    ++done;
  }
  if (done != j.part_crc32.size() || is_done(j, parts) || is_done(j, -1)) std::abort();
  if (check_matches(j, j.file, j.total_size, j.part_size)) std::abort();
}

resume_journal build(mtproto::fuzz::fuzz_data& in) {
  resume_journal j;
  j.file.dc_id = in.integral<std::int32_t>();
  j.file.kind = static_cast<location_kind>(in.byte() % 4);
  j.file.id = in.integral<std::int64_t>();
  j.file.access_hash = in.integral<std::int64_t>();
  j.file.file_reference = in.vector(in.short_bytes());
  j.file.thumb_size = in.string(in.short_bytes(80));
  // Mostly small sizes, so that the part count stays small and the edges of the bitmask are reached.
  j.part_size = in.boolean() ? in.integral<std::int64_t>() : 1 + in.integral<std::uint16_t>() % 4096;
  j.total_size = in.boolean() ? in.integral<std::int64_t>() : in.integral<std::uint16_t>();
  if (in.boolean()) {
    if (!reset_progress(j)) {
      const std::size_t marks = in.byte();
      const std::int64_t parts = journal_part_count(j.total_size, j.part_size);
      for (std::size_t k = 0; k < marks && parts > 0; ++k) {
        const auto index = static_cast<std::int64_t>(in.below(static_cast<std::size_t>(parts)));
        const bool undo = in.byte() % 4 == 0;
        const auto ec = undo ? mark_undone(j, index) : mark_done(j, index, in.integral<std::uint32_t>());
        if (ec || is_done(j, index) == undo) std::abort();
      }
    }
  } else {
    j.done = in.vector(in.short_bytes());
    for (std::size_t k = in.byte(); k > 0; --k) j.part_crc32.push_back(in.integral<std::uint32_t>());
  }
  j.source_link = in.string(in.sized_bytes(max_journal_text + 16));
  j.final_name = in.string(in.sized_bytes(max_journal_text + 16));
  return j;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > max_input) return 0;
  mtproto::fuzz::fuzz_data in(data, size);
  switch (in.byte() % 4) {
    case 0:
      check_decoded(in.rest());
      break;
    case 1: {
      const std::uint32_t version = in.byte() < 8 ? in.integral<std::uint32_t>() : journal_format_version;
      check_decoded(framed(in.rest(), version));
      break;
    }
    case 2: {
      const auto bytes = encode_journal(build(in));
      if (bytes.empty()) break;  // not a valid journal: nothing to edit
      std::vector<std::uint8_t> body(bytes.begin() + 16, bytes.end() - 32);
      for (std::size_t edits = 1 + in.byte() % 4; edits > 0 && !body.empty(); --edits) {
        const std::size_t at = in.below(body.size());
        switch (in.byte() % 3) {
          case 0: body[at] = in.byte(); break;
          case 1: {
            const std::uint32_t v = in.boolean() ? in.integral<std::uint32_t>() : in.byte();
            for (std::size_t i = 0; i < 4 && at + i < body.size(); ++i)
              body[at + i] = static_cast<std::uint8_t>(v >> (8 * i));
            break;
          }
          default: body.resize(at); break;
        }
      }
      check_decoded(framed(body, journal_format_version));
      break;
    }
    default: {
      const resume_journal j = build(in);
      const auto bytes = encode_journal(j);
      if (bytes.empty() != static_cast<bool>(validate(j))) std::abort();
      const auto r = decode_journal(bytes);
      if (static_cast<bool>(r) == bytes.empty()) std::abort();
      if (r && !(r.journal == j)) std::abort();
      check_decoded(bytes);
      break;
    }
  }
  return 0;
}
