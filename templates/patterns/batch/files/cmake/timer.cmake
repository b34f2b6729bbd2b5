# timer.cmake - write the systemd timer from its .in file: @ONCALENDAR@
# becomes one OnCalendar= line per value that `JOB oncalendar SCHEDULE`
# prints (two when both day fields are restricted). Run with cmake -P,
# -DJOB= -DSCHEDULE= -DIN= -DOUT=.
execute_process(COMMAND ${JOB} oncalendar "${SCHEDULE}"
  OUTPUT_VARIABLE cal ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "schedule '${SCHEDULE}': ${err}")
endif()
string(STRIP "${cal}" cal)
string(REPLACE "\n" ";" lines "${cal}")
set(ONCALENDAR "")
foreach(line IN LISTS lines)
  if(ONCALENDAR)
    string(APPEND ONCALENDAR "\n")
  endif()
  string(APPEND ONCALENDAR "OnCalendar=${line}")
endforeach()
set(CRON_SCHEDULE "${SCHEDULE}")
configure_file(${IN} ${OUT} @ONLY)
