# tlgen parses and generates every official schema in ../shared/tl, and its summary counts match
# the table in ../shared/tl/README.md (constructors and functions: declarations with #id in the
# respective sections; id mismatches: the README's CRC self-check).
#   cmake -DTLGEN=... -DSHARED=dir -DSOURCE_DIR=repo -DOUT=dir -P check_shared_schemas.cmake
set(cases
  "api-layer-228.tl|1642 constructors, 806 functions|layer 228|0 id mismatches"
  "api-layer-228-tdlib.tl|1649 constructors, 811 functions|layer 228|9 id mismatches"
  "api-layer-144.tl|1012 constructors, 448 functions|layer 144|0 id mismatches"
  "api-layer-198.tl|1402 constructors, 689 functions|layer 198|0 id mismatches"
  "mtproto.tl|40 constructors, 10 functions|layer none|3 id mismatches"
  "mtproto-tdlib.tl|31 constructors, 8 functions|layer none|1 id mismatches")
set(failed "")
foreach(c IN LISTS cases)
  string(REPLACE "|" ";" parts "${c}")
  list(GET parts 0 file)
  file(REMOVE_RECURSE "${OUT}")
  execute_process(COMMAND "${TLGEN}" --out "${OUT}" --namespace check "${SHARED}/tl/${file}"
    RESULT_VARIABLE rc OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr)
  message(STATUS "${file}: ${stdout}")
  if(NOT rc EQUAL 0)
    message("${file}: tlgen failed (${rc}): ${stderr}")
    list(APPEND failed "${file}")
    continue()
  endif()
  list(SUBLIST parts 1 -1 wanted)
  foreach(w IN LISTS wanted)
    string(FIND "${stdout}" "${w}" at)
    if(at EQUAL -1)
      message("${file}: summary lacks '${w}'")
      list(APPEND failed "${file}")
    endif()
  endforeach()
endforeach()
# The TDLib variant's *Prefix pseudo-functions reuse real ids: reported, not fatal.
execute_process(COMMAND "${TLGEN}" --out "${OUT}" --namespace check "${SHARED}/tl/api-layer-228-tdlib.tl"
  OUTPUT_QUIET ERROR_VARIABLE stderr)
string(FIND "${stderr}" "invokeWithBusinessConnection reuses id #dd289f8e of invokeWithBusinessConnectionPrefix" at)
if(at EQUAL -1)
  message("api-layer-228-tdlib.tl: duplicate id of invokeWithBusinessConnection not reported")
  list(APPEND failed "duplicate ids")
endif()
# Declarations repeated identically across input files are merged: our api.tl is a subset of the
# layer, so both together give exactly the layer's types.
execute_process(COMMAND "${TLGEN}" --strict --out "${OUT}" --namespace check "${SHARED}/tl/api-layer-228.tl"
  "${SOURCE_DIR}/tl-schema/api.tl" RESULT_VARIABLE rc OUTPUT_VARIABLE stdout ERROR_VARIABLE stderr)
string(FIND "${stdout}" " 607 types" at)
if(NOT rc EQUAL 0 OR at EQUAL -1)
  message("layer 228 + tl-schema/api.tl: ${stdout}${stderr}")
  list(APPEND failed "merge")
endif()
# --strict turns the mismatches of the shared mtproto.tl into errors.
execute_process(COMMAND "${TLGEN}" --strict --out "${OUT}" --namespace check "${SHARED}/tl/mtproto.tl"
  RESULT_VARIABLE rc OUTPUT_QUIET ERROR_QUIET)
if(rc EQUAL 0)
  message("--strict accepted mtproto.tl despite 3 id mismatches")
  list(APPEND failed "strict")
endif()
file(REMOVE_RECURSE "${OUT}")
if(failed)
  message(FATAL_ERROR "failed: ${failed}")
endif()
