# mtproto_generate_tl(TARGET <library> NAMESPACE <c++ namespace> SCHEMAS <file.tl>...
#                     [OUTPUT_DIR <dir>] [INSTALL] [TESTING_TARGET <library> TESTING_INCLUDE <dir>]
#                     [EXPORT_MACRO <macro> [EXPORT_HEADER <header>]])
#
# Runs tlgen at build time and compiles its output into TARGET. Headers go to
# OUTPUT_DIR/include/<namespace as a path>/ (a PUBLIC include directory of TARGET; with INSTALL
# also installed), sources to OUTPUT_DIR/src/.
#
# How the build knows tlgen's outputs: CMake needs the list of sources at configure time, but the
# header names depend on the schema. So tlgen writes a FIXED set of sources: `--shards N`
# implementation files <prefix>_000.cpp ... plus <prefix>_registry.cpp. N is computed here from
# the number of declarations in the schemas (MTPROTO_TL_DECLARATIONS_PER_SHARD each, which keeps
# every translation unit small). Headers are not listed anywhere: only the shards include them,
# and everything else that includes them links TARGET and so is built after it.
#   - Editing a schema reruns configure (the schemas are CMAKE_CONFIGURE_DEPENDS), which
#     recomputes N, and the stamp rule below reruns tlgen.
#   - Rebuilding tlgen reruns it as well.
#   - tlgen rewrites only files whose content changed, so unchanged shards are not recompiled, and
#     it deletes files an earlier run wrote for types that no longer exist (its manifest).
# With EXPORT_MACRO (for a shared TARGET built with hidden visibility) the generated classes and
# the declarations the generated sources define carry that macro, and the headers include
# EXPORT_HEADER (e.g. one from generate_export_header()) that defines it; without it they are
# written as before and get TARGET's default visibility. The library's own mtproto::mt and
# mtproto::api pass MTPROTO_MT_EXPORT / MTPROTO_API_EXPORT.
# With TESTING_TARGET, tlgen also writes random-value helpers (testing/...) compiled into that
# library for the round-trip tests; TESTING_INCLUDE is where their tl_random.h lives.
#
# The generator run: MTPROTO_TLGEN_EXECUTABLE when set (a host tlgen, for cross-compiling), else the
# `tlgen` target of this project (codegen/), else the installed package's mtproto::tlgen.
set(MTPROTO_TL_DECLARATIONS_PER_SHARD 40 CACHE STRING
    "TL declarations per generated translation unit (smaller: less memory per compiler process)")

function(mtproto_generate_tl)
  cmake_parse_arguments(G "INSTALL"
    "TARGET;NAMESPACE;OUTPUT_DIR;TESTING_TARGET;TESTING_INCLUDE;EXPORT_MACRO;EXPORT_HEADER" "SCHEMAS" ${ARGN})
  if(NOT G_TARGET OR NOT G_NAMESPACE OR NOT G_SCHEMAS)
    message(FATAL_ERROR "mtproto_generate_tl: TARGET, NAMESPACE and SCHEMAS are required")
  endif()
  if(G_EXPORT_HEADER AND NOT G_EXPORT_MACRO)
    message(FATAL_ERROR "mtproto_generate_tl: EXPORT_HEADER needs EXPORT_MACRO")
  endif()
  string(REPLACE "::" "_" prefix "${G_NAMESPACE}")
  if(NOT G_OUTPUT_DIR)
    set(G_OUTPUT_DIR "${CMAKE_BINARY_DIR}/generated/${prefix}")
  endif()

  set(schemas "")
  set(declarations 0)
  foreach(schema IN LISTS G_SCHEMAS)
    get_filename_component(schema "${schema}" ABSOLUTE)
    if(NOT EXISTS "${schema}")
      message(FATAL_ERROR "mtproto_generate_tl: schema ${schema} not found")
    endif()
    list(APPEND schemas "${schema}")
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${schema}")
    file(STRINGS "${schema}" lines REGEX "^[^/]*;")
    list(LENGTH lines n)
    math(EXPR declarations "${declarations} + ${n}")
  endforeach()
  math(EXPR shards "(${declarations} + ${MTPROTO_TL_DECLARATIONS_PER_SHARD} - 1) / ${MTPROTO_TL_DECLARATIONS_PER_SHARD}")
  if(shards LESS 1)
    set(shards 1)
  endif()

  set(sources "${G_OUTPUT_DIR}/src/${prefix}_registry.cpp")
  set(testing_sources "")
  math(EXPR last "${shards} - 1")
  foreach(i RANGE ${last})
    string(LENGTH "${i}" len)
    set(num "${i}")
    if(len EQUAL 1)
      set(num "00${i}")
    elseif(len EQUAL 2)
      set(num "0${i}")
    endif()
    list(APPEND sources "${G_OUTPUT_DIR}/src/${prefix}_${num}.cpp")
    list(APPEND testing_sources "${G_OUTPUT_DIR}/testing/${prefix}_testing_${num}.cpp")
  endforeach()
  list(APPEND testing_sources "${G_OUTPUT_DIR}/testing/${prefix}_testing_registry.cpp")

  set(args --out "${G_OUTPUT_DIR}" --namespace "${G_NAMESPACE}" --prefix "${prefix}" --shards ${shards})
  if(G_EXPORT_MACRO)
    list(APPEND args --export-macro "${G_EXPORT_MACRO}")
  endif()
  if(G_EXPORT_HEADER)
    list(APPEND args --export-header "${G_EXPORT_HEADER}")
  endif()
  set(byproducts ${sources})
  if(G_TESTING_TARGET)
    list(APPEND args --testing)
    list(APPEND byproducts ${testing_sources})
  endif()
  if(MTPROTO_TLGEN_EXECUTABLE)
    set(generator "${MTPROTO_TLGEN_EXECUTABLE}")
  elseif(TARGET tlgen)
    set(generator tlgen)
  elseif(TARGET mtproto::tlgen)
    set(generator mtproto::tlgen)
  else()
    message(FATAL_ERROR "mtproto_generate_tl: no tlgen (set MTPROTO_TLGEN_EXECUTABLE)")
  endif()
  set(stamp "${G_OUTPUT_DIR}/tlgen.stamp")
  # The command line, in a file rewritten only when it changes: new options (EXPORT_MACRO) rerun
  # tlgen even with the Makefile generators, which do not compare command lines.
  set(options_file "${G_OUTPUT_DIR}/tlgen.options")
  set(options_text "${args};${schemas}")
  set(options_before "")
  if(EXISTS "${options_file}")
    file(READ "${options_file}" options_before)
  endif()
  if(NOT options_before STREQUAL options_text)
    file(WRITE "${options_file}" "${options_text}")
  endif()
  add_custom_command(
    OUTPUT "${stamp}"
    BYPRODUCTS ${byproducts}
    COMMAND ${generator} ${args} ${schemas}
    COMMAND ${CMAKE_COMMAND} -E touch "${stamp}"
    DEPENDS ${generator} ${schemas} "${options_file}"
    COMMENT "tlgen: ${G_NAMESPACE} from ${G_SCHEMAS} (${shards} shards)"
    VERBATIM)
  target_sources(${G_TARGET} PRIVATE ${sources} "${stamp}")
  if(MTPROTO_UNOPTIMIZED_GENERATED)
    # This project's CI: (de)serialisers compiled at -O0 build ~40% faster and cost little at run
    # time next to the crypto.
    set_source_files_properties(${sources} ${testing_sources} PROPERTIES COMPILE_OPTIONS -O0)
  endif()
  target_include_directories(${G_TARGET} PUBLIC $<BUILD_INTERFACE:${G_OUTPUT_DIR}/include>)

  if(G_INSTALL)
    install(DIRECTORY "${G_OUTPUT_DIR}/include/" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  endif()

  if(G_TESTING_TARGET)
    if(NOT TARGET ${G_TESTING_TARGET})
      add_library(${G_TESTING_TARGET} STATIC)
      set_target_properties(${G_TESTING_TARGET} PROPERTIES EXCLUDE_FROM_ALL ON)
    endif()
    target_link_libraries(${G_TESTING_TARGET} PUBLIC ${G_TARGET})
    add_dependencies(${G_TESTING_TARGET} ${G_TARGET})
    target_sources(${G_TESTING_TARGET} PRIVATE ${testing_sources})
    target_include_directories(${G_TESTING_TARGET} PUBLIC "${G_OUTPUT_DIR}/testing" "${G_TESTING_INCLUDE}")
  endif()
endfunction()
