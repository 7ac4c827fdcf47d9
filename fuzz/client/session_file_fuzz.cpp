// client::decode_session_file, what file_session_store::load reads from disk. Byte 0 picks the
// mode: the raw input as the file; the input as the payload inside a valid header and checksum,
// so the TL payload parser is reached; or a session built from the input, encoded, then some bytes
// flipped (with the checksum repaired or not). Must hold: a refusal is a store_errc and leaves the
// output untouched; an accepted file has at most 1024 DCs, and its state re-encodes to a file that
// decodes to an equal state and encodes to the same bytes again; an encoded session decodes back
// equal; flipping a byte without repairing the checksum is always refused.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "fuzz_data.h"
#include "session_from_fuzz.h"
#include "mtproto/client/session_store.h"
#include "mtproto/crypto/sha.h"

using namespace mtproto::client;

using mtproto::fuzz::as_bytes;
using mtproto::fuzz::sentinel_session;
using mtproto::fuzz::wrap_session_payload;

namespace {

constexpr std::size_t max_input = 16 * 1024;
constexpr std::size_t header_size = 16;
constexpr std::size_t checksum_size = 32;

/// Decodes `file`; returns whether it was accepted, checking the invariants either way.
bool check(std::string_view file) {
  stored_session out = sentinel_session();
  const std::error_code ec = decode_session_file(file, out);
  if (ec) {
    if (ec.category() != store_category() || !(out == sentinel_session())) std::abort();
    return false;
  }
  if (out.dcs.size() > 1024) std::abort();
  const std::string encoded = encode_session_file(out);
  stored_session back = sentinel_session();
  if (decode_session_file(encoded, back) || !(back == out)) std::abort();
  if (encode_session_file(back) != encoded) std::abort();
  return true;
}


}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1 || size > max_input) return 0;
  mtproto::fuzz::fuzz_data in(data + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      const auto raw = in.rest();
      check(std::string_view(reinterpret_cast<const char*>(raw.data()), raw.size()));
      break;
    }
    case 1: check(wrap_session_payload(in.rest())); break;
    default: {
      const stored_session state = mtproto::fuzz::session_from(in);
      const std::string original = encode_session_file(state);
      std::string file = original;
      stored_session back;
      if (decode_session_file(file, back) || !(back == state)) std::abort();
      if (!check(file)) std::abort();
      const bool repair = in.boolean();
      while (!in.empty()) {
        const std::size_t at = in.below(file.size());
        file[at] = static_cast<char>(file[at] ^ in.byte());
      }
      if (repair && file.size() >= header_size + checksum_size) {
        const auto payload = as_bytes(file).subspan(header_size, file.size() - header_size - checksum_size);
        const std::string head = file.substr(0, header_size);
        std::string fixed = wrap_session_payload(payload);
        fixed.replace(0, header_size, head);  // keep a mutated magic, version or length
        const auto digest = mtproto::crypto::sha256(as_bytes(fixed).first(fixed.size() - checksum_size));
        fixed.replace(fixed.size() - checksum_size, checksum_size, reinterpret_cast<const char*>(digest.data()),
                      digest.size());
        check(fixed);
      } else if (check(file) && file != original) {
        std::abort();  // a flipped byte under an unchanged checksum got through
      }
      break;
    }
  }
  return 0;
}
