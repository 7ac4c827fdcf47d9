// File references of the published documents and photos. A reference names the message that
// carries the file and a generation (bumped when --file-ref-ttl expires it), sealed with a tag
// derived from the seed: a client can neither forge one nor pass an old one off as current, and
// the emulator tells an expired reference (FILE_REFERENCE_EXPIRED) from garbage
// (FILE_REFERENCE_INVALID) as Telegram does.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace mtproto::testdc {

enum class reference_check { valid, expired, invalid };

/// The reference of generation `generation` of the file `label`, carried by message `message_id`.
std::vector<std::uint8_t> make_file_reference(std::uint64_t seed, std::string_view label, std::int32_t message_id,
                                              std::uint32_t generation);

/// Classifies `presented` against the file whose current reference is generation `generation`.
reference_check check_file_reference(std::uint64_t seed, std::string_view label, std::int32_t message_id,
                                     std::uint32_t generation, std::span<const std::uint8_t> presented);

}  // namespace mtproto::testdc
