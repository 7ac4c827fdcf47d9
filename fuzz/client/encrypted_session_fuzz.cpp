// The encrypted session file as file_session_store::load opens it: detail::open_encrypted_session
// (header parsing and bounds, AES-256-GCM open, inner decode_session_file), with a key derived
// once at startup, since scrypt per input would leave no time for fuzzing. Byte 0 picks the mode:
// the raw input as the file; the input as the header fields after a valid magic and version (a
// hostile header); a valid header followed by the input as ciphertext and tag; a valid file of a
// session built from the input, then bytes flipped and the length changed; or the input (raw or
// inside a valid plain header and checksum) sealed validly as the plaintext.
// Must hold: a refusal is a store_errc and leaves the output untouched; a header that parses asks
// scrypt for at most max_kdf_memory (computed here from the raw bytes); a file not sealed under
// the key is refused; any changed byte or length in a valid file is refused, as wrong_passphrase
// when only the ciphertext or tag changed; a valid file opens to the state that was encoded; and
// a validly sealed plaintext opens exactly as decode_session_file reads it (same error, or same state).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

#include "encrypted_session.h"
#include "fuzz_data.h"
#include "session_from_fuzz.h"
#include "mtproto/client/session_store.h"
#include "mtproto/crypto/sha.h"

using namespace mtproto::client;
namespace detail = mtproto::client::detail;

using mtproto::fuzz::as_bytes;
using mtproto::fuzz::sentinel_session;
using mtproto::fuzz::wrap_session_payload;

namespace {

std::string_view as_chars(std::span<const std::uint8_t> s) { return {reinterpret_cast<const char*>(s.data()), s.size()}; }

constexpr std::size_t max_input = 16 * 1024;
constexpr std::size_t tag_size = mtproto::crypto::gcm_tag_size;

/// The key every valid file here is sealed under: the cheapest allowed scrypt, derived once.
struct fixture {
  detail::session_key key;
  fixture() {
    std::array<std::uint8_t, detail::kdf_salt_size> salt{};
    for (std::size_t i = 0; i < salt.size(); ++i) salt[i] = static_cast<std::uint8_t>(0xa5 ^ i);
    mtproto::crypto::scrypt_params kdf;
    kdf.n = 1u << 10;
    kdf.r = 1;
    kdf.p = 1;
    if (detail::derive_session_key("fuzz passphrase", salt, kdf, key)) std::abort();
    // Once: a file over the size cap is refused before anything else is looked at.
    std::string huge = "MTPCSENC";
    huge.resize(file_session_store::max_file_size + 1);
    stored_session out;
    if (detail::open_encrypted_session(as_bytes(huge), key, out) != store_errc::too_large) std::abort();
  }
};
const fixture& fix() {
  static const fixture f;
  return f;
}

std::uint32_t u32_at(std::span<const std::uint8_t> b, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(b[at + i]) << (8 * i);
  return v;
}

/// Opens `file`; the error (none when accepted), checking the invariants either way.
std::error_code check(std::span<const std::uint8_t> file, stored_session* accepted = nullptr) {
  detail::encrypted_header header;
  if (!detail::read_encrypted_header(file, header)) {
    // What the raw bytes ask scrypt for, recomputed here: never more than the cap.
    const unsigned log2_n = file[12];
    const std::uint64_t r = u32_at(file, 13), p = u32_at(file, 17);
    // In floating point: 128 * 2^255 * r * p cannot wrap around; rounding keeps the comparison.
    const double memory = std::ldexp(128.0, static_cast<int>(log2_n)) * static_cast<double>(r) * static_cast<double>(p);
    if (r == 0 || p == 0 || memory > static_cast<double>(detail::max_kdf_memory)) std::abort();
    const std::uint64_t n = std::uint64_t{1} << log2_n;  // log2_n <= 21 here
    if (header.kdf.n != n || header.kdf.r != r || header.kdf.p != p) std::abort();
  }
  stored_session out = sentinel_session();
  const std::error_code ec = detail::open_encrypted_session(file, fix().key, out);
  if (ec) {
    if (ec.category() != store_category() || !(out == sentinel_session())) std::abort();
    return ec;
  }
  if (out.dcs.size() > 1024) std::abort();
  if (accepted) *accepted = std::move(out);
  return ec;
}

/// `plain` sealed under the fixture's key with a nonce from the input.
std::string seal(std::string_view plain, mtproto::fuzz::fuzz_data& in) {
  std::array<std::uint8_t, mtproto::crypto::gcm_nonce_size> nonce{};
  const auto b = in.bytes(nonce.size());
  std::copy(b.begin(), b.end(), nonce.begin());
  return detail::seal_session_file(plain, fix().key, nonce);
}


}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > max_input) return 0;
  mtproto::fuzz::fuzz_data in(data + 1, size - 1);
  switch (data[0] % 5) {
    case 0: {  // the input as the file
      const auto raw = in.rest();
      const bool sealed_here = raw.size() >= detail::encrypted_header_size + tag_size &&
                               std::equal(raw.begin() + 21, raw.begin() + 21 + detail::kdf_salt_size,
                                          fix().key.salt.begin());
      if (!check(raw) && !sealed_here) std::abort();  // opened without the salt the key is for
      break;
    }
    case 1: {  // a hostile header: valid magic and version, then the input
      std::string file = "MTPCSENC";
      file.append("\x01\x00\x00\x00", 4);
      file.append(as_chars(in.rest()));
      check(as_bytes(file));
      break;
    }
    case 2: {  // a valid header, then the input as ciphertext and tag: never authentic
      std::string file = seal("", in).substr(0, detail::encrypted_header_size);
      const auto body = in.rest();
      file.append(as_chars(body));
      const auto ec = check(as_bytes(file));
      if (ec != (body.size() < tag_size ? std::error_code(store_errc::truncated) : store_errc::wrong_passphrase))
        std::abort();
      break;
    }
    case 3: {  // a valid file, then changed
      const stored_session state = mtproto::fuzz::session_from(in);
      const std::string original = seal(encode_session_file(state), in);
      stored_session back;
      if (check(as_bytes(original), &back) || !(back == state)) std::abort();
      std::string file = original;
      bool header_changed = false;
      const std::size_t flips = in.byte() % 8;
      for (std::size_t i = 0; i < flips && !in.empty(); ++i) {
        const std::size_t at = in.below(file.size());
        file[at] = static_cast<char>(file[at] ^ in.byte());
        if (at < detail::encrypted_header_size && file[at] != original[at]) header_changed = true;
      }
      switch (in.byte() % 3) {
        case 0: break;
        case 1: file.resize(in.below(file.size())); break;
        default: file.append(as_chars(in.rest())); break;
      }
      if (file == original) break;
      const auto ec = check(as_bytes(file));
      if (!ec) std::abort();  // a changed file opened
      if (!header_changed && file.size() >= detail::encrypted_header_size + tag_size &&
          file.size() <= file_session_store::max_file_size && ec != store_errc::wrong_passphrase)
        std::abort();  // only ciphertext or tag changed: the tag must be what refuses it
      break;
    }
    default: {  // the input sealed validly as the plaintext: opens as decode_session_file reads it
      const bool wrapped = in.boolean();
      std::string plain;
      const auto rest = in.bytes(in.remaining() > mtproto::crypto::gcm_nonce_size
                                     ? in.remaining() - mtproto::crypto::gcm_nonce_size
                                     : 0);
      plain = wrapped ? wrap_session_payload(rest) : std::string(as_chars(rest));
      const std::string file = seal(plain, in);
      if (file.size() != detail::encrypted_header_size + plain.size() + tag_size) std::abort();
      stored_session opened = sentinel_session();
      const auto ec = check(as_bytes(file), &opened);
      stored_session decoded = sentinel_session();
      if (ec != decode_session_file(plain, decoded) || !(opened == decoded)) std::abort();
      break;
    }
  }
  return 0;
}
