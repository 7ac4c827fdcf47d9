// Where a downloaded item goes: a safe file name from what the message says, and what to do when
// that name is taken. Pure: the file system is reached only through the probe the caller passes,
// so every rule is unit-tested (tests/examples/tgdl_output_name_test.cpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace tgdl {

/// NAME_MAX on Linux and most file systems, in bytes.
inline constexpr std::size_t file_name_max = 255;
/// The longest suffix the file sink puts after a name (NAME.part.resume); a name longer than
/// file_name_max minus this would download and then fail to journal, which is the obscure failure
/// the cap exists to prevent.
inline constexpr std::size_t sink_suffix_max = sizeof(".part.resume") - 1;
/// Longest name tgdl writes, in bytes.
inline constexpr std::size_t output_name_max = file_name_max - sink_suffix_max;
/// An extension longer than this is part of the name rather than something to keep when cutting.
inline constexpr std::size_t extension_max = 16;

/// What the message said about an item.
struct item_description {
  std::string file_name;  ///< documentAttributeFilename as the server sent it; may be empty or hostile.
  std::string mime_type;  ///< The document's MIME type; may be empty.
  std::string channel;    ///< The link's username, or the private channel's id as text.
  std::int32_t message_id = 0;
};

/// `raw` made safe as one file name: invalid UTF-8 bytes, control characters (C0, DEL, C1), path
/// separators and characters Windows forbids become `_`; leading dots and spaces and trailing
/// dots and spaces go; a Windows device name (CON, NUL, COM1, ... with any extension) gets a `_`
/// in front; the result is cut at a character boundary to `max_bytes`, keeping the extension.
/// Empty when nothing usable is left (the caller falls back to a generated name).
std::string sanitize_file_name(std::string_view raw, std::size_t max_bytes = output_name_max);

/// The extension (without the dot) for a MIME type; "bin" when it is unknown.
std::string_view extension_for_mime(std::string_view mime_type);

/// The sanitised document name, else `<channel>_<message>.<extension from the MIME type>`.
std::string output_name(const item_description& item);

/// `name (n).ext`, still within `max_bytes` (the stem is cut, the extension and number kept).
std::string numbered_name(std::string_view name, int n, std::size_t max_bytes = output_name_max);

/// What is at a candidate name, as the probe reports it.
struct name_state {
  enum class kind { absent, regular_file, other } what = kind::absent;
  std::int64_t size = 0;  ///< For a regular file.
};

/// Looks a name up in the output directory (or answers other for one this run already used).
using name_probe = std::function<name_state(const std::string& name)>;

/// The outcome of choose_output.
struct output_choice {
  std::string name;      ///< The name to write, or the complete file found.
  bool skip = false;     ///< A regular file of the expected size is already there.
};

/// Most numbered names tried before giving up on a directory.
inline constexpr int max_numbered_names = 10'000;

/// Picks where `name` goes: the name itself when free; skipped when a regular file of
/// `expected_size` bytes already has it; otherwise the first `name (n).ext` that is free or holds
/// such a file. nullopt when max_numbered_names are all taken.
std::optional<output_choice> choose_output(const std::string& name, std::int64_t expected_size, const name_probe& probe);

}  // namespace tgdl
