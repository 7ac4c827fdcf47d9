# `cmake --install` yields headers, libraries, tlgen and its CMake function, a CMake package
# (find_package(mtproto CONFIG) -> mtproto::mtproto) with a version file, and a pkg-config file.
# The build tree is a package too (export()): find_package(mtproto) with mtproto_DIR=<build>.
include(CMakePackageConfigHelpers)

set(MTPROTO_EXPORTED_TOOLS "")
if(TARGET tlgen)
  set_target_properties(tlgen PROPERTIES EXPORT_NAME tlgen)
  set(MTPROTO_EXPORTED_TOOLS tlgen)
endif()

set(MTPROTO_CMAKE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/mtproto")

install(TARGETS ${MTPROTO_INSTALL_TARGETS} mtproto ${MTPROTO_EXPORTED_TOOLS}
  EXPORT mtprotoTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY include/mtproto DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(FILES "${MTPROTO_VERSION_INCLUDE_DIR}/mtproto/version.h" DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/mtproto)
install(EXPORT mtprotoTargets NAMESPACE mtproto:: DESTINATION ${MTPROTO_CMAKE_DIR})
install(FILES cmake/Tlgen.cmake DESTINATION ${MTPROTO_CMAKE_DIR} RENAME mtprotoTlgen.cmake)
export(EXPORT mtprotoTargets NAMESPACE mtproto:: FILE "${PROJECT_BINARY_DIR}/mtprotoTargets.cmake")
configure_file(cmake/Tlgen.cmake "${PROJECT_BINARY_DIR}/mtprotoTlgen.cmake" COPYONLY)

configure_package_config_file(cmake/mtprotoConfig.cmake.in
  "${PROJECT_BINARY_DIR}/mtprotoConfig.cmake" INSTALL_DESTINATION ${MTPROTO_CMAKE_DIR})
write_basic_package_version_file("${PROJECT_BINARY_DIR}/mtprotoConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/mtprotoConfig.cmake" "${PROJECT_BINARY_DIR}/mtprotoConfigVersion.cmake"
  DESTINATION ${MTPROTO_CMAKE_DIR})

# pkg-config: static libraries listed innermost last so a plain link line resolves.
set(MTPROTO_PC_LIBS "")
foreach(t IN LISTS MTPROTO_INSTALL_TARGETS)
  get_target_property(_name ${t} OUTPUT_NAME)
  if(NOT _name)
    set(_name ${t})
  endif()
  string(APPEND MTPROTO_PC_LIBS " -l${_name}")
endforeach()
# Static layers: the same *_STATIC_DEFINE their CMake targets give users (src/CMakeLists.txt).
get_property(_static_defines GLOBAL PROPERTY MTPROTO_STATIC_DEFINES)
set(MTPROTO_PC_DEFINES "")
foreach(d IN LISTS _static_defines)
  string(APPEND MTPROTO_PC_DEFINES " -D${d}")
endforeach()
# Relocatable: the prefix is found from the .pc file's own location.
file(RELATIVE_PATH MTPROTO_PC_TO_PREFIX "/root/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/root")
configure_file(cmake/mtproto.pc.in "${PROJECT_BINARY_DIR}/mtproto.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/mtproto.pc" DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
