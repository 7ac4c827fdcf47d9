// The web page's files as the gateway serves them: paths, types, validators, the service worker's
// cache version.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "web_shell.h"

using tgstream::web_file;
using tgstream::web_shell;

TEST_CASE("web shell: the compiled-in page, its paths and types") {
  const web_shell shell;
  const auto* page = shell.find("/");
  REQUIRE(page);
  CHECK(page->content_type == "text/html; charset=utf-8");
  CHECK(page->body.find("<!doctype html>") == 0);
  CHECK_FALSE(shell.find("/index.html"));  // one name per file
  for (const auto* path : {"/app.js", "/style.css", "/sw.js", "/manifest.webmanifest", "/icon.svg"}) {
    INFO(path);
    const auto* f = shell.find(path);
    REQUIRE(f);
    CHECK_FALSE(f->body.empty());
    CHECK(f->etag.size() == 34);
  }
  CHECK(shell.find("/app.js")->content_type == "text/javascript; charset=utf-8");
  CHECK(shell.find("/manifest.webmanifest")->content_type == "application/manifest+json");
  CHECK_FALSE(shell.find("/../app.js"));
  CHECK_FALSE(shell.find("/dl"));
  CHECK_FALSE(shell.find(""));

  // The service worker's cache is named by the version; no placeholder is left.
  const auto& sw = shell.find("/sw.js")->body;
  CHECK(sw.find("@ASSETS_VERSION@") == std::string::npos);
  CHECK(sw.find("tgstream-shell-" + shell.version()) != std::string::npos);

  const auto page_headers = web_shell::headers(*page);
  auto has = [](const auto& headers, const std::string& name) {
    for (const auto& [n, v] : headers)
      if (n == name) return true;
    return false;
  };
  CHECK(has(page_headers, "Content-Security-Policy"));
  CHECK(has(page_headers, "ETag"));
  CHECK_FALSE(has(web_shell::headers(*shell.find("/app.js")), "Content-Security-Policy"));
}

TEST_CASE("web shell: a changed file changes its ETag and the version; unknown types are refused") {
  const std::vector<web_file> a{{"index.html", "<p>one</p>"}, {"sw.js", "const v = '@ASSETS_VERSION@';"}};
  const std::vector<web_file> b{{"index.html", "<p>two</p>"}, {"sw.js", "const v = '@ASSETS_VERSION@';"}};
  const web_shell one(a), two(b);
  CHECK(one.version() != two.version());
  CHECK(one.find("/")->etag != two.find("/")->etag);
  CHECK(one.find("/sw.js")->body == "const v = '" + one.version() + "';");
  CHECK(one.find("/sw.js")->etag != two.find("/sw.js")->etag);  // a new shell reaches clients
  const std::vector<web_file> odd{{"payload.exe", "MZ"}};
  CHECK_THROWS_AS(web_shell(odd), std::invalid_argument);
}
