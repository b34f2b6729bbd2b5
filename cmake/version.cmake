# Writes OUT (weft_version.h) with the project VERSION and `git describe` of
# SRC, touching the file only when its content changes so nothing rebuilds
# needlessly.
set(describe "")
find_program(GIT git)
if(GIT AND EXISTS "${SRC}/.git")
  execute_process(COMMAND ${GIT} -C ${SRC} describe --always --dirty --tags
                  OUTPUT_VARIABLE describe ERROR_QUIET OUTPUT_STRIP_TRAILING_WHITESPACE)
endif()
set(text "#define WEFT_VERSION \"${VERSION}\"\n#define WEFT_GIT_DESCRIBE \"${describe}\"\n")
if(EXISTS "${OUT}")
  file(READ "${OUT}" old)
else()
  set(old "")
endif()
if(NOT old STREQUAL text)
  file(WRITE "${OUT}" "${text}")
endif()
