# completion.cmake - bash, zsh and fish completion for weft.
#
# The scripts are written at build time by the weft just built (`weft
# completion bash|zsh|fish` makes them from its command table), so they
# always match the binary beside them, and are installed (component weft)
# where each shell looks for the completions a package ships:
#   ${CMAKE_INSTALL_DATADIR}/bash-completion/completions/weft
#   ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions/_weft
#   ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d/weft.fish
# Include it from the top-level CMakeLists.txt, after the weft target.
# Option WEFT_COMPLETION (ON) turns it off.
#
# Running weft at build time: a cross build runs it through
# CMAKE_CROSSCOMPILING_EMULATOR; without an emulator, set
# WEFT_COMPLETION_GENERATOR to a weft that runs on the build machine (any
# build of the same sources writes the same scripts), else the scripts are
# left out with a notice. A sanitizer build runs the instrumented binary with
# leak detection off: leaks are for the tests to find, not a reason for the
# build to fail.
#
# The same file, run as a script (cmake -P), writes one of them:
#   cmake -DWEFT=path/to/weft -DEMULATOR=... -DSHELL_NAME=bash -DOUT=file -P completion.cmake

if(CMAKE_SCRIPT_MODE_FILE)
  set(ENV{ASAN_OPTIONS} "$ENV{ASAN_OPTIONS}:detect_leaks=0")
  execute_process(COMMAND ${EMULATOR} ${WEFT} completion ${SHELL_NAME}
                  OUTPUT_FILE ${OUT}.tmp ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    file(REMOVE ${OUT}.tmp)
    message(FATAL_ERROR "`weft completion ${SHELL_NAME}` failed (${rc}): ${err}")
  endif()
  file(RENAME ${OUT}.tmp ${OUT})
  return()
endif()

option(WEFT_COMPLETION "Write and install bash, zsh and fish completion for weft" ON)
set(WEFT_COMPLETION_GENERATOR "" CACHE FILEPATH
    "A weft that runs on the build machine, to write the completion scripts of a cross build")
if(NOT WEFT_COMPLETION)
  return()
endif()

set(weft_completion_script ${CMAKE_CURRENT_LIST_FILE})
set(weft_completion_dir ${CMAKE_BINARY_DIR}/completion)
if(WEFT_COMPLETION_GENERATOR)
  set(weft_completion_weft ${WEFT_COMPLETION_GENERATOR})
  set(weft_completion_emulator "")
  set(weft_completion_depends ${WEFT_COMPLETION_GENERATOR})
elseif(CMAKE_CROSSCOMPILING AND NOT CMAKE_CROSSCOMPILING_EMULATOR)
  message(STATUS "weft: cross build without CMAKE_CROSSCOMPILING_EMULATOR: no completion scripts "
                 "(set WEFT_COMPLETION_GENERATOR to a weft that runs here)")
  return()
else()
  set(weft_completion_weft $<TARGET_FILE:weft>)
  set(weft_completion_emulator "")
  if(CMAKE_CROSSCOMPILING)
    set(weft_completion_emulator "${CMAKE_CROSSCOMPILING_EMULATOR}")
  endif()
  set(weft_completion_depends weft)
endif()

set(weft_completion_files)
foreach(shell bash zsh fish)
  if(shell STREQUAL "bash")
    set(file weft.bash)
  elseif(shell STREQUAL "zsh")
    set(file _weft)
  else()
    set(file weft.fish)
  endif()
  add_custom_command(
    OUTPUT ${weft_completion_dir}/${file}
    COMMAND ${CMAKE_COMMAND} -E make_directory ${weft_completion_dir}
    COMMAND ${CMAKE_COMMAND} "-DWEFT=${weft_completion_weft}" "-DEMULATOR=${weft_completion_emulator}"
            -DSHELL_NAME=${shell} -DOUT=${weft_completion_dir}/${file} -P ${weft_completion_script}
    DEPENDS ${weft_completion_depends} ${weft_completion_script}
    COMMENT "Writing the ${shell} completion of weft"
    VERBATIM)
  list(APPEND weft_completion_files ${weft_completion_dir}/${file})
endforeach()
add_custom_target(weft_completion ALL DEPENDS ${weft_completion_files})

install(FILES ${weft_completion_dir}/weft.bash RENAME weft
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions COMPONENT weft)
install(FILES ${weft_completion_dir}/_weft
        DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions COMPONENT weft)
install(FILES ${weft_completion_dir}/weft.fish
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d COMPONENT weft)
