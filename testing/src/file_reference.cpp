#include "mtproto/testdc/file_reference.h"

#include <algorithm>

#include "mtproto/testdc/derive.h"

namespace mtproto::testdc {
namespace {

constexpr std::uint8_t reference_version = 2;
constexpr std::size_t reference_size = 1 + 4 + 4 + 8;  // version, message id, generation, tag
constexpr std::size_t message_id_at = 1;
constexpr std::size_t generation_at = 5;

void put_u32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

std::uint32_t get_u32(std::span<const std::uint8_t> in) {
  std::uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<std::uint32_t>(in[static_cast<std::size_t>(i)]) << (8 * i);
  return v;
}

}  // namespace

std::vector<std::uint8_t> make_file_reference(std::uint64_t seed, std::string_view label, std::int32_t message_id,
                                              std::uint32_t generation) {
  std::vector<std::uint8_t> r;
  r.reserve(reference_size);
  r.push_back(reference_version);
  put_u32(r, static_cast<std::uint32_t>(message_id));
  put_u32(r, generation);
  const auto tag = derive_u64(seed, "file reference " + std::string(label) + " " + std::to_string(generation));
  for (int i = 0; i < 8; ++i) r.push_back(static_cast<std::uint8_t>(tag >> (8 * i)));
  return r;
}

reference_check check_file_reference(std::uint64_t seed, std::string_view label, std::int32_t message_id,
                                     std::uint32_t generation, std::span<const std::uint8_t> presented) {
  if (presented.size() != reference_size || presented[0] != reference_version ||
      get_u32(presented.subspan(message_id_at)) != static_cast<std::uint32_t>(message_id))
    return reference_check::invalid;
  const auto claimed = get_u32(presented.subspan(generation_at));
  if (claimed > generation) return reference_check::invalid;
  // Only a genuine tag counts, for the current generation as for an earlier one.
  const auto expected = make_file_reference(seed, label, message_id, claimed);
  if (!std::equal(expected.begin(), expected.end(), presented.begin(), presented.end())) return reference_check::invalid;
  return claimed == generation ? reference_check::valid : reference_check::expired;
}

}  // namespace mtproto::testdc
