// The web page tgstream serves at / (a PWA: page, script, style, manifest, icon, service worker):
// which path names which file, its type, and the validators and security headers it goes with.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "web_files.h"

namespace tgstream {

class web_shell {
 public:
  struct file {
    std::string path;          ///< "/", "/app.js", ...
    std::string content_type;
    std::string body;
    std::string etag;          ///< Strong: a quoted digest of the body.
  };

  /// From the compiled-in files; the service worker's cache is named by a digest of all of them,
  /// so a new build replaces the shell clients hold.
  web_shell() : web_shell(web_files()) {}
  explicit web_shell(std::span<const web_file> files);

  /// The file a request path names (the query already split off), or nullptr.
  const file* find(std::string_view path) const noexcept;
  /// A digest of every file (the service worker's cache version).
  const std::string& version() const noexcept { return version_; }

  /// Headers every answer of the shell carries: revalidate each time (the service worker makes it
  /// instant), and a content security policy that allows this origin only.
  static std::vector<std::pair<std::string, std::string>> headers(const file& f);

 private:
  std::vector<file> files_;
  std::string version_;
};

}  // namespace tgstream
