#include "web_shell.h"

#include <array>
#include <stdexcept>

#include <fmt/format.h>

#include "mtproto/crypto/sha.h"
#include "text.h"

namespace tgstream {
namespace {

constexpr std::string_view version_placeholder = "@ASSETS_VERSION@";

std::string_view type_of(std::string_view name) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 6> types{{
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
  }};
  for (const auto& [ext, type] : types)
    if (name.size() > ext.size() && name.substr(name.size() - ext.size()) == ext) return type;
  throw std::invalid_argument(fmt::format("tgstream: no content type for web/{}", name));
}

std::span<const std::uint8_t> as_bytes(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace

web_shell::web_shell(std::span<const web_file> files) {
  mtproto::crypto::sha256_hasher all;
  for (const auto& f : files) {
    all.update(as_bytes(f.name));
    all.update(as_bytes(f.bytes));
  }
  version_ = hex(all.finish()).substr(0, 16);
  for (const auto& f : files) {
    file out{f.name == "index.html" ? "/" : "/" + std::string(f.name), std::string(type_of(f.name)), std::string(f.bytes), {}};
    if (f.name == "sw.js")
      for (auto at = out.body.find(version_placeholder); at != std::string::npos; at = out.body.find(version_placeholder))
        out.body.replace(at, version_placeholder.size(), version_);
    out.etag = "\"" + hex(mtproto::crypto::sha256(as_bytes(out.body))).substr(0, 32) + "\"";
    files_.push_back(std::move(out));
  }
}

const web_shell::file* web_shell::find(std::string_view path) const noexcept {
  for (const auto& f : files_)
    if (f.path == path) return &f;
  return nullptr;
}

std::vector<std::pair<std::string, std::string>> web_shell::headers(const file& f) {
  std::vector<std::pair<std::string, std::string>> h{
      {"ETag", f.etag},
      {"Cache-Control", "no-cache"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
  };
  if (f.path == "/") {
    // Download URLs carry their token: no other origin may frame the page, run code in it or
    // receive its requests.
    h.emplace_back("Content-Security-Policy",
                   "default-src 'self'; media-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
                   "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; "
                   "form-action 'self'; frame-ancestors 'none'");
  }
  return h;
}

}  // namespace tgstream
