/// \file
/// What a download fetches: a file as upload.getFile names it, with what the message said about it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace mtproto::download {

/// Which InputFileLocation constructor names the file.
enum class location_kind : std::uint8_t {
  document = 1,  ///< inputDocumentFileLocation (documents, videos, audio, and their thumbnails).
  photo = 2,     ///< inputPhotoFileLocation (one size of a photo).
};

/// The file as upload.getFile names it. id, dc_id, kind and thumb_size say which file it is;
/// access_hash and file_reference are the credentials to fetch it, which change over time.
struct file_identity {
  std::int32_t dc_id = 0;                       ///< The DC the file lives on.
  location_kind kind = location_kind::document;  ///< Document or photo location.
  std::int64_t id = 0;                          ///< The document or photo id.
  std::int64_t access_hash = 0;                 ///< The access hash for `id`.
  std::vector<std::uint8_t> file_reference;     ///< The file reference the last request used.
  std::string thumb_size;  ///< The size type ("y", "w", ...) for photos and thumbnails; empty otherwise.

  /// Field-wise equality.
  friend bool operator==(const file_identity&, const file_identity&) = default;
};

/// A file to download: where it is, how big, and what the message said about it.
struct remote_file {
  file_identity location;  ///< What upload.getFile asks for.
  std::int64_t size = 0;   ///< Bytes, as the document or photo size announced it.
  std::string file_name;   ///< From documentAttributeFilename; empty when the message gave none.
  std::string mime_type;   ///< The document's MIME type ("image/jpeg" for photos); may be empty.
};

}  // namespace mtproto::download
