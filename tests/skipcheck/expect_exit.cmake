# expect_exit.cmake - run CMD (one program, with the ;-separated ARGS if
# given) and fail unless it exits with EXPECT and, when MATCH is given, its
# output matches MATCH.
#   cmake -DCMD=prog -DEXPECT=77 [-DARGS=a;b] [-DMATCH=regex] -P expect_exit.cmake
if(NOT DEFINED CMD OR NOT DEFINED EXPECT)
  message(FATAL_ERROR "usage: cmake -DCMD=prog -DEXPECT=code [-DMATCH=regex] -P expect_exit.cmake")
endif()
execute_process(COMMAND ${CMD} --jobs=1 ${ARGS} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT "${rc}" STREQUAL "${EXPECT}")
  message(FATAL_ERROR "${CMD} exited with ${rc}, expected ${EXPECT}")
endif()
if(DEFINED MATCH AND NOT "${out}${err}" MATCHES "${MATCH}")
  message(FATAL_ERROR "${CMD}: output does not match '${MATCH}'")
endif()
message("${CMD} exited with ${rc}, as expected")
