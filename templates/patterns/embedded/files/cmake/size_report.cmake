# size_report.cmake - code and weight bytes of the shipped library.
#
# cmake -DSIZE=size -DLIB=libx.a -DWEIGHTS=weights_f32.c -DF32=... -DINT8=... -P size_report.cmake
# Code: the text section totals of size(1) over every object of the archive
# except the weights. Weights: the bytes of the arrays declared in the
# generated weights file (element count times element size, counted from
# the declarations), for the shipped variant and for both, so the saving
# of the int8 build is visible.
function(array_bytes file outvar)
  file(STRINGS ${file} decls REGEX "^static const (float|signed char) [a-z_0-9]+(\\[[0-9]+\\])? =")
  set(total 0)
  foreach(d ${decls})
    if(d MATCHES "^static const float [a-z_0-9]+\\[([0-9]+)\\]")
      math(EXPR total "${total} + ${CMAKE_MATCH_1} * 4")
    elseif(d MATCHES "^static const signed char [a-z_0-9]+\\[([0-9]+)\\]")
      math(EXPR total "${total} + ${CMAKE_MATCH_1}")
    elseif(d MATCHES "^static const float ")
      math(EXPR total "${total} + 4")
    endif()
  endforeach()
  set(${outvar} ${total} PARENT_SCOPE)
endfunction()

execute_process(COMMAND ${SIZE} -t ${LIB} OUTPUT_VARIABLE out RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "${SIZE} ${LIB} failed (${rc})")
endif()
set(code 0)
set(data 0)
string(REPLACE "\n" ";" lines "${out}")
foreach(line ${lines})
  # text data bss dec hex filename
  if(line MATCHES "^ *([0-9]+)\t *([0-9]+)\t *([0-9]+)\t *[0-9]+\t *[0-9a-f]+\t(.*)$")
    set(t "${CMAKE_MATCH_1}")
    set(d "${CMAKE_MATCH_2}")
    set(b "${CMAKE_MATCH_3}")
    set(name "${CMAKE_MATCH_4}")
    if(name MATCHES "weights_" OR name MATCHES "TOTALS")
      continue()
    endif()
    math(EXPR code "${code} + ${t}")
    math(EXPR data "${data} + ${d} + ${b}")
  endif()
endforeach()
array_bytes(${WEIGHTS} weights)
array_bytes(${F32} f32)
array_bytes(${INT8} int8)
math(EXPR total "${code} + ${weights}")
message("size report for ${LIB}")
message("  code: ${code} bytes (text of the library objects), static data: ${data} bytes")
message("  weights: ${weights} bytes (shipped arrays)")
message("  total: ${total} bytes")
message("  float32 weights ${f32} bytes, int8 weights ${int8} bytes")
