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

namespace {

constexpr std::size_t max_input = 16 * 1024;
constexpr std::size_t header_size = 16;
constexpr std::size_t checksum_size = 32;

std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

/// A file around `payload`: magic, version 1, the payload's length, the payload, SHA-256.
std::string wrap(std::span<const std::uint8_t> payload) {
  std::string out = "MTPCSESS";
  for (std::uint32_t v : {std::uint32_t{1}, static_cast<std::uint32_t>(payload.size())})
    for (int i = 0; i < 4; ++i) out.push_back(static_cast<char>(v >> (8 * i)));
  out.append(payload.begin(), payload.end());
  const auto digest = mtproto::crypto::sha256(as_bytes(out));
  out.append(digest.begin(), digest.end());
  return out;
}

/// A state no decode produces, to see that a refusal leaves the output alone.
stored_session sentinel() {
  stored_session s;
  s.home_dc = -7;
  s.user_id = 0x5e5e5e5e;
  return s;
}

/// Decodes `file`; returns whether it was accepted, checking the invariants either way.
bool check(std::string_view file) {
  stored_session out = sentinel();
  const std::error_code ec = decode_session_file(file, out);
  if (ec) {
    if (ec.category() != store_category() || !(out == sentinel())) std::abort();
    return false;
  }
  if (out.dcs.size() > 1024) std::abort();
  const std::string encoded = encode_session_file(out);
  stored_session back = sentinel();
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
    case 1: check(wrap(in.rest())); break;
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
        std::string fixed = wrap(payload);
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
