# Including one generated type must not drag in the API: compiles a file that includes
# upload/getFile.h with -H and counts the generated headers the compiler opened.
#   cmake -DCXX=... -DINCLUDES="a;b" -DHEADER=mtproto/api/fn/upload/getFile.h -DMAX=N -DWORK=dir -P include_cost.cmake
file(WRITE "${WORK}/include_cost.cpp" "#include \"${HEADER}\"\n")
set(flags -std=c++20 -fsyntax-only -H)
foreach(dir IN LISTS INCLUDES)
  list(APPEND flags "-I${dir}")
endforeach()
execute_process(COMMAND "${CXX}" ${flags} "${WORK}/include_cost.cpp" RESULT_VARIABLE rc ERROR_VARIABLE trace OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "compiling ${HEADER} alone failed:\n${trace}")
endif()
string(REGEX MATCHALL "[^\n]*/generated/[^\n]*\\.h" opened "${trace}")
list(FILTER opened EXCLUDE REGEX "/generated/export/")  # the export macros (mtproto/<layer>/export.h), not types
list(LENGTH opened n)
message(STATUS "${HEADER} opens ${n} generated headers: ${opened}")
if(n GREATER MAX)
  message(FATAL_ERROR "${HEADER} opens ${n} generated headers (limit ${MAX})")
endif()
