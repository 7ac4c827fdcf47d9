// tgdl's output naming: names from hostile servers stay one harmless file name inside -o DIR, and
// taken names are skipped or numbered as the README says.
#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "tgdl/output_name.h"

using namespace tgdl;

namespace {

bool valid_utf8(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t len = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 0;
    if (len == 0 || i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    i += len;
  }
  return true;
}

// What every sanitised name must be, whatever came in.
void check_harmless(const std::string& name) {
  INFO("name: " << name);
  CHECK(!name.empty());
  CHECK(name.size() <= output_name_max);
  CHECK(name.find('/') == std::string::npos);
  CHECK(name.find('\\') == std::string::npos);
  CHECK(name.find('\0') == std::string::npos);
  CHECK(name != ".");
  CHECK(name != "..");
  CHECK(name.front() != '.');
  for (unsigned char c : name) CHECK((c >= 0x20 && c != 0x7F));
  CHECK(valid_utf8(name));
}

item_description named(std::string file_name) {
  item_description d;
  d.file_name = std::move(file_name);
  d.mime_type = "video/mp4";
  d.channel = "testdc_files";
  d.message_id = 12;
  return d;
}

}  // namespace

TEST_CASE("ordinary names are kept as they are") {
  CHECK(output_name(named("holiday video.mp4")) == "holiday video.mp4");
  CHECK(output_name(named("Отпуск 2024 — 東京.mkv")) == "Отпуск 2024 — 東京.mkv");
  CHECK(output_name(named("archive.tar.gz")) == "archive.tar.gz");
  CHECK(output_name(named("a")) == "a");
}

TEST_CASE("without a file name: channel_message.ext from the MIME type") {
  auto d = named("");
  CHECK(output_name(d) == "testdc_files_12.mp4");
  d.mime_type = "image/jpeg";
  CHECK(output_name(d) == "testdc_files_12.jpg");
  d.mime_type = "IMAGE/PNG; charset=binary";
  CHECK(output_name(d) == "testdc_files_12.png");
  d.mime_type = "application/x-unknown-thing";
  CHECK(output_name(d) == "testdc_files_12.bin");
  d.mime_type = "";
  d.channel = "1234567890";
  CHECK(output_name(d) == "1234567890_12.bin");
  // A name that sanitises to nothing counts as none.
  d = named("...  ..");
  CHECK(output_name(d) == "testdc_files_12.mp4");
}

TEST_CASE("path tricks never leave the directory") {
  for (const char* hostile : {"../../x", "/etc/passwd", "..", ".", "./.", "..\\..\\boot.ini", "a/../../b",
                              "C:\\Windows\\system32", "~/.bashrc", "/", "\\"}) {
    const auto name = output_name(named(hostile));
    check_harmless(name);
  }
  CHECK(output_name(named("../../x")) == "_.._x");
  CHECK(output_name(named("/etc/passwd")) == "_etc_passwd");
  CHECK(output_name(named("..")) == "testdc_files_12.mp4");
  CHECK(output_name(named(".bashrc")) == "bashrc");
}

TEST_CASE("control bytes, NUL and invalid UTF-8 are replaced, valid UTF-8 kept") {
  CHECK(sanitize_file_name(std::string("a\0b.txt", 7)) == "a_b.txt");
  CHECK(sanitize_file_name("line\nbreak\ttab\x7f.txt") == "line_break_tab_.txt");
  CHECK(sanitize_file_name("\xff\xfe name.bin") == "__ name.bin");
  CHECK(sanitize_file_name("caf\xc3\xa9.txt") == "caf\xc3\xa9.txt");       // é kept
  CHECK(sanitize_file_name("caf\xc3.txt") == "caf_.txt");                  // truncated sequence
  CHECK(sanitize_file_name("\xc0\xaf.txt") == "__.txt");                   // overlong '/'
  CHECK(sanitize_file_name("\xed\xa0\x80.txt") == "___.txt");              // a surrogate
  CHECK(sanitize_file_name("\xc2\x85next.txt") == "_next.txt");            // C1 control (NEL)
  CHECK(sanitize_file_name("photo\xe2\x80\xaegpj.exe") == "photo_gpj.exe");  // right-to-left override
  CHECK(sanitize_file_name("what?.txt") == "what_.txt");
  CHECK(sanitize_file_name("  spaced name . ") == "spaced name");
}

TEST_CASE("Windows device names are defused") {
  CHECK(sanitize_file_name("CON") == "_CON");
  CHECK(sanitize_file_name("nul.txt") == "_nul.txt");
  CHECK(sanitize_file_name("Com1.tar.gz") == "_Com1.tar.gz");
  CHECK(sanitize_file_name("LPT9") == "_LPT9");
  CHECK(sanitize_file_name("AUX .mp4") == "_AUX .mp4");
  CHECK(sanitize_file_name("CONSOLE.txt") == "CONSOLE.txt");
  CHECK(sanitize_file_name("COM10") == "COM10");
}

TEST_CASE("long names are cut to the limit at a character boundary, keeping the extension") {
  const std::string long_ascii(4096, 'a');
  auto name = sanitize_file_name(long_ascii + ".mp4");
  check_harmless(name);
  CHECK(name.size() == output_name_max);
  CHECK(name.ends_with(".mp4"));

  std::string cyrillic;
  for (int i = 0; i < 2000; ++i) cyrillic += "ж";  // two bytes each
  name = sanitize_file_name(cyrillic + ".mkv");
  check_harmless(name);
  CHECK(name.ends_with(".mkv"));
  CHECK(name.size() >= output_name_max - 1);

  // No extension to keep: just cut.
  name = sanitize_file_name(std::string(4096, 'b'));
  CHECK(name == std::string(output_name_max, 'b'));
  // An "extension" too long to be one is cut with the rest.
  name = sanitize_file_name(std::string(300, 'c') + "." + std::string(40, 'd'));
  CHECK(name.size() == output_name_max);
  check_harmless(name);
  // The file sink's longest suffix still fits NAME_MAX.
  CHECK(output_name_max + sink_suffix_max == file_name_max);
  // A hostile name of 4 KB of control bytes and slashes.
  std::string junk;
  for (int i = 0; i < 4096; ++i) junk += static_cast<char>(i % 2 ? '/' : '\x01');
  check_harmless(output_name(named(junk)));
}

TEST_CASE("numbered names keep the extension and the limit") {
  CHECK(numbered_name("video.mp4", 1) == "video (1).mp4");
  CHECK(numbered_name("archive.tar.gz", 2) == "archive (2).tar.gz");
  CHECK(numbered_name("README", 3) == "README (3)");
  const auto n = numbered_name(std::string(output_name_max - 4, 'x') + ".mp4", 12);
  CHECK(n.size() <= output_name_max);
  CHECK(n.ends_with(" (12).mp4"));
}

TEST_CASE("taken names: skipped when complete, numbered otherwise") {
  std::map<std::string, name_state> dir;
  auto probe = [&](const std::string& name) {
    auto it = dir.find(name);
    return it == dir.end() ? name_state{} : it->second;
  };
  using k = name_state::kind;

  auto c = choose_output("a.bin", 100, probe);
  REQUIRE(c);
  CHECK(c->name == "a.bin");
  CHECK(!c->skip);

  dir["a.bin"] = {k::regular_file, 100};
  c = choose_output("a.bin", 100, probe);
  REQUIRE(c);
  CHECK(c->name == "a.bin");
  CHECK(c->skip);

  c = choose_output("a.bin", 99, probe);
  REQUIRE(c);
  CHECK(c->name == "a (1).bin");
  CHECK(!c->skip);

  dir["a (1).bin"] = {k::regular_file, 99};
  c = choose_output("a.bin", 99, probe);
  REQUIRE(c);
  CHECK(c->name == "a (1).bin");
  CHECK(c->skip);

  // A directory, or a name this run already wrote, is never a complete copy.
  dir["a (2).bin"] = {k::other, 0};
  c = choose_output("a.bin", 7, probe);
  REQUIRE(c);
  CHECK(c->name == "a (3).bin");

  auto all_taken = [](const std::string&) { return name_state{name_state::kind::other, 0}; };
  CHECK(!choose_output("a.bin", 1, all_taken));
}
