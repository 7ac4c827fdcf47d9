# mtproto/version.h from the one project version (project() in CMakeLists.txt), which also feeds
# the CMake package's version file and the pkg-config file.
set(MTPROTO_VERSION_INCLUDE_DIR "${PROJECT_BINARY_DIR}/generated/version/include")
configure_file("${PROJECT_SOURCE_DIR}/cmake/version.h.in" "${MTPROTO_VERSION_INCLUDE_DIR}/mtproto/version.h" @ONLY)
