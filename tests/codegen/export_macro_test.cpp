// tlgen --export-macro / --export-header: the macro goes on everything the generated sources define
// for other code (structs, boxed classes, ops tables, schema()), on every declaration of it, and
// nowhere without the option (the golden test fixes that output byte for byte).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "analysis.h"
#include "emitter.h"
#include "parser.h"

namespace {

constexpr const char* schema_text = R"(
int ? = Int;
string ? = String;
vector {t:Type} # [ t ] = Vector t;
leaf#45518b8a value:string = Tree;
node#e4e87247 children:Vector<Tree> = Tree;
---functions---
getTree#d9578fed root:Tree = Tree;
invokeWrapped#9220521d {X:Type} query:!X = X;
)";

std::vector<tlgen::generated_file> generate(const std::string& macro, const std::string& header) {
  tlgen::schema s;
  tlgen::parse_schema(schema_text, "export.tl", s);
  tlgen::options o;
  o.root_namespace = "lib::tl";
  auto a = tlgen::analyze(s, o);
  tlgen::emit_options eo;
  eo.shards = 1;
  eo.source_prefix = "lib_tl";
  eo.export_macro = macro;
  eo.export_header = header;
  return tlgen::emit(a, eo);
}

const std::string& file(const std::vector<tlgen::generated_file>& files, const std::string& path) {
  for (const auto& f : files)
    if (f.path == path) return f.content;
  FAIL("no generated file " << path);
  static const std::string none;
  return none;
}

}  // namespace

TEST_CASE("tlgen --export-macro annotates what the generated sources define") {
  const auto files = generate("LIB_TL_EXPORT", "lib/tl/export.h");
  const auto& box = file(files, "include/lib/tl/Tree_box.h");
  CHECK(box.find("#include \"lib/tl/export.h\"\n") != std::string::npos);
  CHECK(box.find("class LIB_TL_EXPORT Tree : public ::mtproto::tl::boxed<Tree,") != std::string::npos);

  const auto& tree = file(files, "include/lib/tl/Tree.h");
  CHECK(tree.find("#include \"lib/tl/export.h\"\n") != std::string::npos);
  CHECK(tree.find("struct LIB_TL_EXPORT leaf {") != std::string::npos);
  CHECK(tree.find("struct LIB_TL_EXPORT node {") != std::string::npos);
  CHECK(tree.find("extern LIB_TL_EXPORT const ::mtproto::tl::ctor_ops c_leaf;") != std::string::npos);

  const auto& fn = file(files, "include/lib/tl/fn/getTree.h");
  CHECK(fn.find("struct LIB_TL_EXPORT getTree {") != std::string::npos);
  CHECK(fn.find("extern LIB_TL_EXPORT const ::mtproto::tl::ctor_ops f_getTree;") != std::string::npos);
  // A generic function is a template defined in its header: nothing to export, nothing included.
  const auto& generic = file(files, "include/lib/tl/fn/invokeWrapped.h");
  CHECK(generic.find("LIB_TL_EXPORT") == std::string::npos);
  CHECK(generic.find("export.h") == std::string::npos);

  const auto& registry = file(files, "include/lib/tl/registry.h");
  CHECK(registry.find("#include \"lib/tl/export.h\"\n") != std::string::npos);
  CHECK(registry.find("LIB_TL_EXPORT const ::mtproto::tl::schema_info& schema() noexcept;") != std::string::npos);
  // The registry declares the tables again; without the macro there, hidden visibility would
  // hide them in the linked library.
  const auto& registry_source = file(files, "src/lib_tl_registry.cpp");
  CHECK(registry_source.find("extern LIB_TL_EXPORT const ::mtproto::tl::ctor_ops c_leaf;") != std::string::npos);
  CHECK(registry_source.find("extern LIB_TL_EXPORT const ::mtproto::tl::ctor_ops f_getTree;") != std::string::npos);
}

TEST_CASE("tlgen without --export-macro annotates nothing") {
  for (const auto& f : generate("", ""))
    CHECK_FALSE((f.content.find("EXPORT") != std::string::npos || f.content.find("export.h") != std::string::npos));
}
