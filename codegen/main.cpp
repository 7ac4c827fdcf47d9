// tlgen: compiles Telegram TL schema files into C++ types with (de)serialization.
//
//   tlgen --out DIR [--namespace NS] [--strict] [--shards N] [--testing] [--prefix P]
//         [--export-macro M [--export-header H]] FILE.tl...
//
// Prints one summary line: counts of constructors, functions and boxed types and the layer.
// Exit status: 0 on success, 1 on schema errors (or id mismatches with --strict), 2 on usage errors.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "analysis.h"
#include "emitter.h"
#include "output.h"
#include "parser.h"

namespace {

constexpr int max_shards = 1000;

int usage(const std::string& why) {
  std::cerr << "tlgen: " << why << "\n"
            << "usage: tlgen --out DIR [--namespace NS] [--strict] [--shards N] [--testing] [--prefix P]\n"
            << "             [--export-macro M [--export-header H]] FILE.tl...\n"
            << "  --namespace NS  C++ namespace of the generated code (default tl_schema); headers go to\n"
            << "                  DIR/include/<NS with :: as />/, sources to DIR/src/\n"
            << "  --strict        declared ids that differ from the CRC32 of their declaration are errors\n"
            << "  --shards N      number of implementation sources (default 8), fixed so build systems\n"
            << "                  know the file names before generating\n"
            << "  --testing       also emit random-value helpers for round-trip tests into DIR/testing/\n"
            << "  --prefix P      file name prefix of the sources (default: namespace with _)\n"
            << "  --export-macro M  put macro M (e.g. MYLIB_EXPORT) on every class and declaration the\n"
            << "                  generated sources define, for shared libraries with hidden visibility\n"
            << "                  (default: none, the library's default visibility)\n"
            << "  --export-header H  #include \"H\" (which defines M) in every header that uses M\n";
  return 2;
}

const char* level_name(tlgen::diagnostic::level l) {
  switch (l) {
    case tlgen::diagnostic::level::note: return "note";
    case tlgen::diagnostic::level::warning: return "warning";
    case tlgen::diagnostic::level::error: return "error";
  }
  return "";
}

bool is_identifier(const std::string& s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_')) return false;
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  std::string out_dir;
  tlgen::options opts;
  tlgen::emit_options eopts;
  std::vector<std::string> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) return {};
      return argv[++i];
    };
    if (arg == "--out") {
      out_dir = value();
    } else if (arg == "--namespace") {
      opts.root_namespace = value();
    } else if (arg == "--strict") {
      opts.strict = true;
    } else if (arg == "--testing") {
      eopts.testing = true;
    } else if (arg == "--prefix") {
      eopts.source_prefix = value();
    } else if (arg == "--export-macro") {
      eopts.export_macro = value();
      if (!is_identifier(eopts.export_macro)) return usage("--export-macro needs a macro name");
    } else if (arg == "--export-header") {
      eopts.export_header = value();
      if (eopts.export_header.empty()) return usage("--export-header needs a header name");
    } else if (arg == "--shards") {
      const auto v = value();
      char* end = nullptr;
      const long n = std::strtol(v.c_str(), &end, 10);
      if (v.empty() || *end || n < 1 || n > max_shards) return usage("--shards needs a number from 1 to 1000");
      eopts.shards = static_cast<int>(n);
    } else if (arg == "--help" || arg == "-h") {
      usage("help");
      return 0;
    } else if (!arg.empty() && arg[0] == '-') {
      return usage("unknown option " + arg);
    } else {
      inputs.push_back(arg);
    }
  }
  if (out_dir.empty()) return usage("--out DIR is required");
  if (inputs.empty()) return usage("no input .tl files");
  if (opts.root_namespace.empty()) return usage("--namespace needs a value");
  if (!eopts.export_header.empty() && eopts.export_macro.empty())
    return usage("--export-header needs --export-macro");
  if (eopts.source_prefix.empty())
    for (char c : opts.root_namespace) eopts.source_prefix += c == ':' ? '_' : c;
  while (eopts.source_prefix.find("__") != std::string::npos)
    eopts.source_prefix.erase(eopts.source_prefix.find("__"), 1);

  tlgen::schema s;
  for (const auto& in : inputs) {
    std::ifstream f(in, std::ios::binary);
    if (!f) {
      std::cerr << "tlgen: cannot read " << in << "\n";
      return 1;
    }
    std::string text((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    tlgen::parse_schema(text, in, s);
  }

  tlgen::analysis a;
  try {
    a = tlgen::analyze(s, opts);
  } catch (const std::exception& e) {
    return usage(e.what());
  }
  int errors = 0;
  for (const auto& d : s.diagnostics) {
    std::cerr << d.file << ":" << d.line << ": " << level_name(d.lvl) << ": " << d.message << "\n";
    if (d.lvl == tlgen::diagnostic::level::error) ++errors;
  }

  int constructors = 0, functions = 0, other = 0;
  for (const auto& fc : s.files) {
    constructors += fc.constructors;
    functions += fc.functions;
    other += fc.other;
  }
  std::ostringstream summary;
  summary << "tlgen: " << constructors << " constructors, " << functions << " functions, " << a.types.size()
          << " types";
  if (other) summary << ", " << other << " declarations without id";
  summary << ", layer " << (s.layer ? std::to_string(*s.layer) : std::string("none"));
  summary << ", " << a.id_mismatches << " id mismatches";
  if (errors) {
    std::cout << summary.str() << "; " << errors << " errors, nothing written\n";
    return 1;
  }

  eopts.layer = s.layer;
  try {
    const auto files = tlgen::emit(a, eopts);
    const auto st = tlgen::write_outputs(out_dir, files);
    summary << "; " << files.size() << " files (" << st.written << " written, " << st.removed << " removed)";
  } catch (const std::exception& e) {
    std::cerr << "tlgen: " << e.what() << "\n";
    return 1;
  }
  std::cout << summary.str() << "\n";
  return 0;
}
