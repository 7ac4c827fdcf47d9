# Runs a port's portfile.cmake the way vcpkg would for the x64-linux triplet (static libraries),
# release configuration only, with stand-ins for the vcpkg functions it calls: vcpkg itself is not
# installed here. The stand-ins do what vcpkg's documentation says those functions do, as far as
# this port needs (see each one); anything the portfile calls that has no stand-in here stops the
# replay (CMake: unknown command), so the replay cannot silently skip a step.
#
#   cmake -DPORT_DIR=<ports/mtproto> -DREPLAY_ROOT=<scratch> [-DREPLAY_JOBS=2] [-DREPLAY_CXX=<c++>]
#         -P vcpkg_shim.cmake
#
# Layout under REPLAY_ROOT, as vcpkg's: buildtrees/<port>/ (build tree and logs),
# packages/<port>_x64-linux/ (what the portfile installs), installed/x64-linux/ (where consumers
# find it; vcpkg copies packages/ there after the post-build checks).
# Dependencies come from the system (Debian), not from vcpkg ports.
cmake_minimum_required(VERSION 3.25)

foreach(var PORT_DIR REPLAY_ROOT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "usage: cmake -DPORT_DIR=<port dir> -DREPLAY_ROOT=<dir> [-DREPLAY_JOBS=N] -P vcpkg_shim.cmake")
  endif()
endforeach()
if(NOT REPLAY_JOBS)
  set(REPLAY_JOBS 2)
endif()
get_filename_component(PORT_DIR "${PORT_DIR}" ABSOLUTE)
get_filename_component(REPLAY_ROOT "${REPLAY_ROOT}" ABSOLUTE)

# What vcpkg gives a portfile: PORT and VERSION from vcpkg.json, the triplet's variables, the dirs.
file(READ "${PORT_DIR}/vcpkg.json" _replay_manifest)
string(JSON PORT GET "${_replay_manifest}" name)
string(JSON VERSION GET "${_replay_manifest}" version)
set(TARGET_TRIPLET x64-linux)
set(VCPKG_TARGET_ARCHITECTURE x64)
set(VCPKG_CRT_LINKAGE dynamic)
set(VCPKG_LIBRARY_LINKAGE static)
set(VCPKG_CMAKE_SYSTEM_NAME Linux)
set(VCPKG_TARGET_IS_LINUX ON)
set(VCPKG_TARGET_EXECUTABLE_SUFFIX "")
set(VCPKG_BUILD_TYPE release)  # the replay builds release only; vcpkg also builds debug/
set(CURRENT_PORT_DIR "${PORT_DIR}")
set(CURRENT_BUILDTREES_DIR "${REPLAY_ROOT}/buildtrees/${PORT}")
set(CURRENT_PACKAGES_DIR "${REPLAY_ROOT}/packages/${PORT}_${TARGET_TRIPLET}")
set(CURRENT_INSTALLED_DIR "${REPLAY_ROOT}/installed/${TARGET_TRIPLET}")
file(REMOVE_RECURSE "${CURRENT_BUILDTREES_DIR}" "${CURRENT_PACKAGES_DIR}" "${CURRENT_INSTALLED_DIR}")
file(MAKE_DIRECTORY "${CURRENT_BUILDTREES_DIR}" "${CURRENT_PACKAGES_DIR}" "${CURRENT_INSTALLED_DIR}")

# Runs a command with its output in <buildtrees>/<name>.log; on failure prints the end of it.
# The command's stderr is returned in z_replay_stderr.
function(z_replay_run name)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "WORKING_DIRECTORY" "COMMAND")
  if(NOT arg_WORKING_DIRECTORY)
    set(arg_WORKING_DIRECTORY "${CURRENT_BUILDTREES_DIR}")
  endif()
  set(log "${CURRENT_BUILDTREES_DIR}/${name}.log")
  list(JOIN arg_COMMAND " " shown)
  message(STATUS "vcpkg replay: ${shown}")
  execute_process(COMMAND ${arg_COMMAND} WORKING_DIRECTORY "${arg_WORKING_DIRECTORY}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  file(WRITE "${log}" "${shown}\n\n${out}\n${err}")
  if(NOT rc EQUAL 0)
    string(LENGTH "${out}" len)
    if(len GREATER 6000)
      math(EXPR start "${len} - 6000")
      string(SUBSTRING "${out}" ${start} -1 out)
    endif()
    message(FATAL_ERROR "vcpkg replay: ${name} failed (${rc}); log ${log}\n...${out}\n${err}")
  endif()
  set(z_replay_stderr "${err}" PARENT_SCOPE)
endfunction()

# --- stand-ins ----------------------------------------------------------------------------------

function(vcpkg_from_github)
  message(FATAL_ERROR "vcpkg replay: the portfile asked for vcpkg_from_github(${ARGN}); the replay is "
    "offline and replays only the build from a checkout (ports/ inside the source tree)")
endfunction()

function(vcpkg_replace_string filename match replace)
  cmake_parse_arguments(PARSE_ARGV 3 arg "REGEX;IGNORE_UNCHANGED" "" "")
  file(READ "${filename}" before)
  if(arg_REGEX)
    string(REGEX REPLACE "${match}" "${replace}" after "${before}")
  else()
    string(REPLACE "${match}" "${replace}" after "${before}")
  endif()
  if(after STREQUAL before AND NOT arg_IGNORE_UNCHANGED)
    message(FATAL_ERROR "vcpkg replay: vcpkg_replace_string made no change in ${filename}")
  endif()
  file(WRITE "${filename}" "${after}")
endfunction()

# vcpkg_cmake_configure: Ninja, CMAKE_BUILD_TYPE=Release, installing to CURRENT_PACKAGES_DIR,
# BUILD_SHARED_LIBS from the triplet's linkage, plus the options vcpkg always adds that matter for
# an install tree (lib/ and bin/, no package registry, relative install destinations only). Not
# replayed: vcpkg's toolchain file (scripts/buildsystems/vcpkg.cmake and the triplet's flags).
# Like vcpkg, it reports port options the project never read (unless MAYBE_UNUSED_VARIABLES).
function(vcpkg_cmake_configure)
  cmake_parse_arguments(PARSE_ARGV 0 arg "DISABLE_PARALLEL_CONFIGURE;WINDOWS_USE_MSBUILD;NO_CHARSET_FLAG"
    "SOURCE_PATH;GENERATOR;LOGFILE_BASE" "OPTIONS;OPTIONS_RELEASE;OPTIONS_DEBUG;MAYBE_UNUSED_VARIABLES")
  if(DEFINED arg_UNPARSED_ARGUMENTS OR NOT arg_SOURCE_PATH)
    message(FATAL_ERROR "vcpkg replay: vcpkg_cmake_configure(SOURCE_PATH ...) expected; got ${ARGN}")
  endif()
  set(build "${CURRENT_BUILDTREES_DIR}/${TARGET_TRIPLET}-rel")
  file(REMOVE_RECURSE "${build}")
  set(generator "${arg_GENERATOR}")
  if(NOT generator)
    find_program(_replay_ninja ninja)
    if(_replay_ninja)
      set(generator Ninja)
    else()
      set(generator "Unix Makefiles")
      message(STATUS "vcpkg replay: no ninja here; Unix Makefiles instead (vcpkg brings its own ninja)")
    endif()
  endif()
  if(VCPKG_LIBRARY_LINKAGE STREQUAL "dynamic")
    set(shared ON)
  else()
    set(shared OFF)
  endif()
  set(port_options ${arg_OPTIONS} ${arg_OPTIONS_RELEASE})
  list(JOIN port_options "\n" text)
  file(WRITE "${REPLAY_ROOT}/port-options.txt" "${text}\n")
  set(tool_options
    -DCMAKE_BUILD_TYPE=Release
    "-DCMAKE_INSTALL_PREFIX=${CURRENT_PACKAGES_DIR}"
    -DBUILD_SHARED_LIBS=${shared}
    -DCMAKE_INSTALL_LIBDIR:STRING=lib
    -DCMAKE_INSTALL_BINDIR:STRING=bin
    -DCMAKE_EXPORT_NO_PACKAGE_REGISTRY=ON
    -DCMAKE_FIND_PACKAGE_NO_PACKAGE_REGISTRY=ON
    -DCMAKE_FIND_PACKAGE_NO_SYSTEM_PACKAGE_REGISTRY=ON
    -DCMAKE_INSTALL_SYSTEM_RUNTIME_LIBS_SKIP=TRUE
    -DCMAKE_ERROR_ON_ABSOLUTE_INSTALL_DESTINATION=ON
    -DFETCHCONTENT_FULLY_DISCONNECTED=ON)
  if(REPLAY_CXX)
    list(APPEND tool_options "-DCMAKE_CXX_COMPILER=${REPLAY_CXX}")
  endif()
  z_replay_run(config-${TARGET_TRIPLET}-rel
    COMMAND "${CMAKE_COMMAND}" -S "${arg_SOURCE_PATH}" -B "${build}" -G "${generator}" ${tool_options} ${port_options})

  if(z_replay_stderr MATCHES "Manually-specified variables were not used by the project:(.*)")
    set(unused_text "${CMAKE_MATCH_1}")
    set(unused "")
    foreach(option IN LISTS port_options)
      if(option MATCHES "^-D([^:=]+)[:=]")
        set(var "${CMAKE_MATCH_1}")
        if(unused_text MATCHES "\n[ \t]+${var}[ \t]*(\n|$)" AND NOT var IN_LIST arg_MAYBE_UNUSED_VARIABLES)
          list(APPEND unused "${var}")
        endif()
      endif()
    endforeach()
    if(unused)
      message(FATAL_ERROR "vcpkg replay: options the project does not use: ${unused}")
    endif()
  endif()
  set_property(GLOBAL PROPERTY z_replay_build_dir "${build}")
endfunction()

# vcpkg_cmake_install: builds the `install` target of the configured tree.
function(vcpkg_cmake_install)
  cmake_parse_arguments(PARSE_ARGV 0 arg "DISABLE_PARALLEL;ADD_BIN_TO_PATH" "" "")
  get_property(build GLOBAL PROPERTY z_replay_build_dir)
  if(NOT build)
    message(FATAL_ERROR "vcpkg replay: vcpkg_cmake_install before vcpkg_cmake_configure")
  endif()
  z_replay_run(install-${TARGET_TRIPLET}-rel
    COMMAND "${CMAKE_COMMAND}" --build "${build}" --target install --parallel ${REPLAY_JOBS})
endfunction()

# vcpkg_clean_executables_in_bin: removes the named executables from bin/ and debug/bin/, and
# those directories when nothing is left in them.
function(vcpkg_clean_executables_in_bin)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "" "FILE_NAMES")
  foreach(dir IN ITEMS "${CURRENT_PACKAGES_DIR}/bin" "${CURRENT_PACKAGES_DIR}/debug/bin")
    foreach(name IN LISTS arg_FILE_NAMES)
      file(REMOVE "${dir}/${name}${VCPKG_TARGET_EXECUTABLE_SUFFIX}")
    endforeach()
    file(GLOB left "${dir}/*")
    if(EXISTS "${dir}" AND NOT left)
      file(REMOVE_RECURSE "${dir}")
    endif()
  endforeach()
endfunction()

# vcpkg_copy_tools: copies each tool from bin/ to tools/<port>/ (AUTO_CLEAN: and removes it from
# bin/). vcpkg also copies the DLLs a tool needs, which only matters on Windows.
function(vcpkg_copy_tools)
  cmake_parse_arguments(PARSE_ARGV 0 arg "AUTO_CLEAN" "SEARCH_DIR;DESTINATION" "TOOL_NAMES")
  if(NOT arg_TOOL_NAMES)
    message(FATAL_ERROR "vcpkg replay: vcpkg_copy_tools needs TOOL_NAMES")
  endif()
  if(NOT arg_SEARCH_DIR)
    set(arg_SEARCH_DIR "${CURRENT_PACKAGES_DIR}/bin")
  endif()
  if(NOT arg_DESTINATION)
    set(arg_DESTINATION "${CURRENT_PACKAGES_DIR}/tools/${PORT}")
  endif()
  foreach(name IN LISTS arg_TOOL_NAMES)
    set(tool "${arg_SEARCH_DIR}/${name}${VCPKG_TARGET_EXECUTABLE_SUFFIX}")
    if(NOT EXISTS "${tool}")
      message(FATAL_ERROR "vcpkg replay: no tool ${tool}")
    endif()
    file(COPY "${tool}" DESTINATION "${arg_DESTINATION}")
  endforeach()
  if(arg_AUTO_CLEAN)
    vcpkg_clean_executables_in_bin(FILE_NAMES ${arg_TOOL_NAMES})
  endif()
endfunction()

# vcpkg_cmake_config_fixup, release half (as documented): moves CONFIG_PATH to
# share/<PACKAGE_NAME> (and deletes its parent when that is named cmake), points references to
# ${_IMPORT_PREFIX}/bin/<file> in *-release.cmake at ${_IMPORT_PREFIX}/<TOOLS_PATH>/<file>,
# recomputes _IMPORT_PREFIX / PACKAGE_PREFIX_DIR for the new depth (share/<name>: two levels), and
# turns leftover absolute paths to the packages or installed dir into ${_IMPORT_PREFIX}. Not
# replayed: the merge of the debug configuration's targets files (no debug build here).
function(vcpkg_cmake_config_fixup)
  cmake_parse_arguments(PARSE_ARGV 0 arg "DO_NOT_DELETE_PARENT_CONFIG_PATH;NO_PREFIX_CORRECTION"
    "PACKAGE_NAME;CONFIG_PATH;TOOLS_PATH" "")
  if(DEFINED arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "vcpkg replay: vcpkg_cmake_config_fixup: unexpected ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT arg_PACKAGE_NAME)
    set(arg_PACKAGE_NAME "${PORT}")
  endif()
  if(NOT arg_CONFIG_PATH)
    set(arg_CONFIG_PATH "share/${arg_PACKAGE_NAME}")
  endif()
  if(NOT arg_TOOLS_PATH)
    set(arg_TOOLS_PATH "tools/${PORT}")
  endif()
  set(share "${CURRENT_PACKAGES_DIR}/share/${arg_PACKAGE_NAME}")
  if(NOT arg_CONFIG_PATH STREQUAL "share/${arg_PACKAGE_NAME}")
    set(from "${CURRENT_PACKAGES_DIR}/${arg_CONFIG_PATH}")
    if(NOT IS_DIRECTORY "${from}")
      message(FATAL_ERROR "vcpkg replay: '${from}' does not exist.")
    endif()
    file(GLOB files "${from}/*")
    file(MAKE_DIRECTORY "${share}")
    file(COPY ${files} DESTINATION "${share}")
    file(REMOVE_RECURSE "${from}")
    get_filename_component(from_name "${from}" NAME)
    get_filename_component(parent "${from}" DIRECTORY)
    get_filename_component(parent_name "${parent}" NAME)
    string(TOLOWER "${parent_name}" parent_name)
    string(TOLOWER "${from_name}" from_name)
    if(NOT arg_DO_NOT_DELETE_PARENT_CONFIG_PATH AND NOT from_name STREQUAL "cmake" AND parent_name STREQUAL "cmake")
      file(REMOVE_RECURSE "${parent}")
    endif()
  endif()
  if(NOT IS_DIRECTORY "${share}")
    message(FATAL_ERROR "vcpkg replay: '${share}' does not exist.")
  endif()

  string(REPLACE "." "\\." suffix "${VCPKG_TARGET_EXECUTABLE_SUFFIX}")
  set(bin_file [[\${_IMPORT_PREFIX}/bin/([^ ";]+]])
  string(APPEND bin_file "${suffix})")
  set(tool_file "\${_IMPORT_PREFIX}/${arg_TOOLS_PATH}/\\1")
  file(GLOB_RECURSE release_targets "${share}/*-release.cmake")
  foreach(f IN LISTS release_targets)
    file(READ "${f}" text)
    string(REGEX REPLACE "${bin_file}" "${tool_file}" text "${text}")
    file(WRITE "${f}" "${text}")
  endforeach()

  set(import_chain [[get_filename_component\(_IMPORT_PREFIX "\${CMAKE_CURRENT_LIST_FILE}" PATH\)(
get_filename_component\(_IMPORT_PREFIX "\${_IMPORT_PREFIX}" PATH\))*]])
  set(import_two_up [[get_filename_component(_IMPORT_PREFIX "${CMAKE_CURRENT_LIST_FILE}" PATH)
get_filename_component(_IMPORT_PREFIX "${_IMPORT_PREFIX}" PATH)
get_filename_component(_IMPORT_PREFIX "${_IMPORT_PREFIX}" PATH)]])
  set(package_prefix [[get_filename_component\(PACKAGE_PREFIX_DIR "\${CMAKE_CURRENT_LIST_DIR}/\.\./(\.\./)*" ABSOLUTE\)]])
  set(package_two_up [[get_filename_component(PACKAGE_PREFIX_DIR "${CMAKE_CURRENT_LIST_DIR}/../../" ABSOLUTE)]])
  file(GLOB_RECURSE cmake_files "${share}/*.cmake")
  foreach(f IN LISTS cmake_files)
    file(READ "${f}" text)
    if(NOT arg_NO_PREFIX_CORRECTION)
      string(REGEX REPLACE "${import_chain}" "${import_two_up}" text "${text}")
      string(REGEX REPLACE "${package_prefix}" "${package_two_up}" text "${text}")
    endif()
    string(REPLACE "${CURRENT_INSTALLED_DIR}" [[${_IMPORT_PREFIX}]] text "${text}")
    string(REPLACE "${CURRENT_PACKAGES_DIR}" [[${_IMPORT_PREFIX}]] text "${text}")
    file(WRITE "${f}" "${text}")
  endforeach()
endfunction()

# vcpkg_fixup_pkgconfig, release half: absolute paths to the packages/installed dir become
# ${prefix}, a `prefix=` line that is then ${prefix} is made relative to ${pcfiledir}, and
# pkg-config must accept the file (--exists, --static --libs). vcpkg resolves the Requires: from its
# own installed tree; here they resolve from the system's .pc files.
function(vcpkg_fixup_pkgconfig)
  cmake_parse_arguments(PARSE_ARGV 0 arg "SKIP_CHECK" "" "RELEASE_FILES;DEBUG_FILES;SYSTEM_LIBRARIES;SYSTEM_PACKAGES;IGNORE_FLAGS")
  if(NOT arg_RELEASE_FILES)
    file(GLOB_RECURSE arg_RELEASE_FILES "${CURRENT_PACKAGES_DIR}/*.pc")
    list(FILTER arg_RELEASE_FILES EXCLUDE REGEX "^${CURRENT_PACKAGES_DIR}/debug/")
  endif()
  find_program(_replay_pkg_config pkg-config)
  foreach(pc IN LISTS arg_RELEASE_FILES)
    get_filename_component(pc_dir "${pc}" DIRECTORY)
    file(RELATIVE_PATH to_prefix "${pc_dir}" "${CURRENT_PACKAGES_DIR}")
    string(REGEX REPLACE "/$" "" to_prefix "${to_prefix}")
    file(READ "${pc}" text)
    string(REPLACE "${CURRENT_PACKAGES_DIR}" [[${prefix}]] text "${text}")
    string(REPLACE "${CURRENT_INSTALLED_DIR}" [[${prefix}]] text "${text}")
    string(REGEX REPLACE "(^|\n)prefix=\\\${prefix}" "\\1prefix=\${pcfiledir}/${to_prefix}" text "${text}")
    file(WRITE "${pc}" "${text}")
    if(NOT arg_SKIP_CHECK)
      if(NOT _replay_pkg_config)
        message(FATAL_ERROR "vcpkg replay: pkg-config not found (vcpkg_fixup_pkgconfig checks with it)")
      endif()
      get_filename_component(name "${pc}" NAME_WE)
      set(ENV{PKG_CONFIG_PATH} "${pc_dir}")
      z_replay_run(pkgconfig-exists-${name} COMMAND "${_replay_pkg_config}" --print-errors --exists "${name}")
      z_replay_run(pkgconfig-libs-${name} COMMAND "${_replay_pkg_config}" --print-errors --static --libs "${name}")
    endif()
  endforeach()
endfunction()

# vcpkg_install_copyright: the license file(s), concatenated, as share/<port>/copyright.
function(vcpkg_install_copyright)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "COMMENT" "FILE_LIST")
  if(NOT arg_FILE_LIST)
    message(FATAL_ERROR "vcpkg replay: vcpkg_install_copyright needs FILE_LIST")
  endif()
  set(text "")
  if(arg_COMMENT)
    string(APPEND text "${arg_COMMENT}\n\n")
  endif()
  list(LENGTH arg_FILE_LIST n)
  foreach(f IN LISTS arg_FILE_LIST)
    if(NOT EXISTS "${f}")
      message(FATAL_ERROR "vcpkg replay: no license file ${f}")
    endif()
    file(READ "${f}" content)
    if(n GREATER 1)
      get_filename_component(fname "${f}" NAME)
      string(APPEND text "${fname}:\n\n")
    endif()
    string(APPEND text "${content}\n")
  endforeach()
  file(WRITE "${CURRENT_PACKAGES_DIR}/share/${PORT}/copyright" "${text}")
endfunction()

# --- the port -----------------------------------------------------------------------------------
include("${PORT_DIR}/portfile.cmake")

# --- a few of vcpkg's post-build checks ---------------------------------------------------------
set(problems "")
if(NOT EXISTS "${CURRENT_PACKAGES_DIR}/share/${PORT}/copyright")
  list(APPEND problems "no share/${PORT}/copyright")
endif()
if(VCPKG_LIBRARY_LINKAGE STREQUAL "static")
  foreach(dir bin debug/bin)
    if(EXISTS "${CURRENT_PACKAGES_DIR}/${dir}")
      list(APPEND problems "${dir}/ exists in a static build")
    endif()
  endforeach()
endif()
file(GLOB_RECURSE cmake_files RELATIVE "${CURRENT_PACKAGES_DIR}" "${CURRENT_PACKAGES_DIR}/*.cmake")
foreach(f IN LISTS cmake_files)
  if(NOT f MATCHES "^share/")
    list(APPEND problems "CMake file outside share/: ${f}")
  endif()
endforeach()
file(GLOB_RECURSE text_files "${CURRENT_PACKAGES_DIR}/share/*" "${CURRENT_PACKAGES_DIR}/include/*"
  "${CURRENT_PACKAGES_DIR}/lib/pkgconfig/*")
get_filename_component(source_dir "${PORT_DIR}/../.." ABSOLUTE)
foreach(f IN LISTS text_files)
  file(READ "${f}" text)
  foreach(abs IN ITEMS "${CURRENT_PACKAGES_DIR}" "${CURRENT_BUILDTREES_DIR}" "${source_dir}")
    string(FIND "${text}" "${abs}" at)
    if(NOT at EQUAL -1)
      file(RELATIVE_PATH rel "${CURRENT_PACKAGES_DIR}" "${f}")
      list(APPEND problems "absolute path ${abs} in ${rel}")
    endif()
  endforeach()
endforeach()
if(problems)
  list(JOIN problems "\n  " text)
  message(FATAL_ERROR "vcpkg replay: post-build checks failed:\n  ${text}")
endif()

# vcpkg then copies the package into the installed tree.
file(GLOB entries "${CURRENT_PACKAGES_DIR}/*")
file(COPY ${entries} DESTINATION "${CURRENT_INSTALLED_DIR}")
message(STATUS "vcpkg replay: ${PORT} ${VERSION} installed to ${CURRENT_INSTALLED_DIR}")
