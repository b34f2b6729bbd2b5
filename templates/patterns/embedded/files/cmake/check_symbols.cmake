# check_symbols.cmake - the library must not reference any heap allocator.
#
# cmake -DNM=nm -DLIB=libx.a -DPREDICT=x_predict -P check_symbols.cmake
# Lists the archive's symbols with nm; fails when the predict function is
# not defined (so the check cannot pass on an empty listing) or when any
# undefined symbol is malloc, calloc, realloc, free, aligned_alloc,
# posix_memalign, memalign, valloc, strdup or strndup.
if(NOT NM OR NOT LIB OR NOT PREDICT)
  message(FATAL_ERROR "usage: cmake -DNM=nm -DLIB=lib.a -DPREDICT=name -P check_symbols.cmake")
endif()
execute_process(COMMAND ${NM} ${LIB} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${NM} ${LIB} failed (${rc})")
endif()
if(NOT out MATCHES "[0-9a-f]+ T ${PREDICT}\n")
  message(FATAL_ERROR "${PREDICT} is not defined in ${LIB}:\n${out}")
endif()
set(bad "")
string(REPLACE "\n" ";" lines "${out}")
foreach(line ${lines})
  if(line MATCHES "^ +U (malloc|calloc|realloc|free|aligned_alloc|posix_memalign|memalign|valloc|strdup|strndup)$")
    list(APPEND bad ${CMAKE_MATCH_1})
  endif()
endforeach()
if(bad)
  message(FATAL_ERROR "lib references heap functions: ${bad}")
endif()
message(STATUS "no heap: ${LIB} defines ${PREDICT} and references no allocator")
