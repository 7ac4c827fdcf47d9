# Fails when a file of one layer includes a header of a layer above it (ARCHITECTURE.md).
#
# Generated headers need no check: mtproto/mt/ and mtproto/api/ are include directories of their
# own targets, so a layer that does not link them cannot even find them. The hand-written headers
# all live under include/, visible to everyone, so this scan is what keeps them in order.
#
# Included from the top-level CMakeLists.txt (configure stops), and run as the ctest test
# `layer_check` with  cmake -DMTPROTO_SOURCE_DIR=<repo> -P cmake/CheckLayers.cmake

# Area (the directory under include/mtproto/, src/, or testing/include/mtproto/) -> the areas its
# files may include. Transport, handshake and session are siblings inside mtproto::core: they share
# only the vocabulary in core/ and crypto.
set(_mtproto_layers_tl        tl)
set(_mtproto_layers_crypto    crypto)
set(_mtproto_layers_core      core crypto)
set(_mtproto_layers_transport transport core crypto)
set(_mtproto_layers_handshake handshake core crypto tl mt)
set(_mtproto_layers_session   session core crypto tl mt)
set(_mtproto_layers_client    client core transport handshake session crypto tl mt api)
set(_mtproto_layers_download  download client core transport handshake session crypto tl mt api)
# The emulator is the core in the server role: it never uses the client runtime.
set(_mtproto_layers_testdc    testdc core transport handshake session crypto tl mt api)

function(mtproto_check_layers source_dir)
  set(violations "")
  set(areas tl crypto core transport handshake session client download testdc)
  foreach(area IN LISTS areas)
    file(GLOB_RECURSE files LIST_DIRECTORIES false
      "${source_dir}/include/mtproto/${area}/*"
      "${source_dir}/src/${area}/*.h" "${source_dir}/src/${area}/*.cpp")
    if(area STREQUAL "testdc")
      file(GLOB_RECURSE more LIST_DIRECTORIES false
        "${source_dir}/testing/include/*" "${source_dir}/testing/src/*" "${source_dir}/testing/main.cpp")
      list(APPEND files ${more})
    endif()
    foreach(file IN LISTS files)
      file(STRINGS "${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*[\"<]mtproto/")
      foreach(line IN LISTS includes)
        string(REGEX MATCH "mtproto/([A-Za-z0-9_]+)/" _ "${line}")
        set(target_area "${CMAKE_MATCH_1}")
        if(target_area STREQUAL "")
          continue()  # mtproto/version.h and other top-level headers are below every layer
        endif()
        list(FIND _mtproto_layers_${area} "${target_area}" allowed)
        if(allowed EQUAL -1)
          file(RELATIVE_PATH rel "${source_dir}" "${file}")
          string(STRIP "${line}" line)
          list(APPEND violations "  ${rel} (${area}): ${line}")
        endif()
      endforeach()
    endforeach()
  endforeach()
  if(violations)
    list(JOIN violations "\n" text)
    message(FATAL_ERROR "mtproto: headers included from a layer above (see cmake/CheckLayers.cmake):\n${text}")
  endif()
endfunction()

if(CMAKE_SCRIPT_MODE_FILE)
  if(NOT MTPROTO_SOURCE_DIR)
    message(FATAL_ERROR "usage: cmake -DMTPROTO_SOURCE_DIR=<repo> -P CheckLayers.cmake")
  endif()
  mtproto_check_layers("${MTPROTO_SOURCE_DIR}")
  message(STATUS "mtproto: layers in order")
else()
  mtproto_check_layers("${PROJECT_SOURCE_DIR}")
endif()
