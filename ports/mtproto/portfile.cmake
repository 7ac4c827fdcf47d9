# vcpkg overlay port for mtproto-cpp.
#
#   vcpkg install mtproto --overlay-ports=<checkout>/ports                 (classic mode)
#   vcpkg-configuration.json: { "overlay-ports": ["<checkout>/ports"] }     (manifest mode)
#
# Where the source comes from: used from a checkout (this file at <checkout>/ports/mtproto/), the
# port builds that checkout's working tree, uncommitted changes included. vcpkg's binary cache
# keys on the port files, not on that tree: after changing the source, install with
# --binarysource=clear (or bump "port-version") so a cached build is not reused. Copied into a
# registry, the port downloads the release tag instead.
#
# scripts/replay-packaging.py runs this file with stand-ins for the vcpkg functions (no vcpkg here).
get_filename_component(MTPROTO_CHECKOUT "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
if(EXISTS "${MTPROTO_CHECKOUT}/cmake/mtprotoConfig.cmake.in")
  set(SOURCE_PATH "${MTPROTO_CHECKOUT}")
else()
  # Not filled in yet: no release has been published. REPO is the project's GitHub repository;
  # SHA512 0 makes vcpkg fail and print the archive's real hash, to be pasted here.
  vcpkg_from_github(
    OUT_SOURCE_PATH SOURCE_PATH
    REPO mtproto-cpp/mtproto-cpp
    REF "v${VERSION}"
    SHA512 0
    HEAD_REF main
  )
endif()

# The library and tlgen only: tests, examples, benchmarks, the emulator and fuzzers are ours.
vcpkg_cmake_configure(
  SOURCE_PATH "${SOURCE_PATH}"
  OPTIONS
    -DMTPROTO_BUILD_TESTING=OFF
    -DMTPROTO_BUILD_EXAMPLES=OFF
    -DMTPROTO_BUILD_BENCHMARKS=OFF
    -DMTPROTO_BUILD_EMULATOR=OFF
    -DMTPROTO_BUILD_FUZZERS=OFF
    -DMTPROTO_INSTALL=ON
)
vcpkg_cmake_install()

# tlgen (run by mtproto_generate_tl() in consumers) goes to tools/mtproto/. The exported target
# mtproto::tlgen says ${_IMPORT_PREFIX}/bin/tlgen; vcpkg_cmake_config_fixup rewrites /bin/<file> to
# /tools/mtproto/<file> in the targets files (debug ones included), so the package keeps finding it.
vcpkg_copy_tools(TOOL_NAMES tlgen AUTO_CLEAN)
vcpkg_cmake_config_fixup(PACKAGE_NAME mtproto CONFIG_PATH lib/cmake/mtproto)
vcpkg_fixup_pkgconfig()

file(REMOVE_RECURSE "${CURRENT_PACKAGES_DIR}/debug/include" "${CURRENT_PACKAGES_DIR}/debug/share")
file(INSTALL "${CMAKE_CURRENT_LIST_DIR}/usage" DESTINATION "${CURRENT_PACKAGES_DIR}/share/${PORT}")
vcpkg_install_copyright(FILE_LIST "${SOURCE_PATH}/LICENSE")
