/* timeutil.h - dates and timestamps: strict parsing, no time-zone guessing. */
#ifndef TIMEUTIL_H
#define TIMEUTIL_H

#include <stdint.h>

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t time_days_from_civil(int y, int m, int d);
/* A real calendar date written YYYY-MM-DD (years 1970..9999). 0 or -1. */
int time_parse_date(const char *s, int *y, int *m, int *d);
/* A timestamp as seconds since the epoch: either a plain number of seconds
 * ("1714528800", "1714528800.5") or ISO 8601 with an explicit zone
 * ("2024-05-01T02:00:00Z", "2024-05-01 04:00:00+02:00", "...T02:00Z",
 * fractions of a second allowed). A timestamp without a zone is refused:
 * its age would depend on the machine's time zone. 0 or -1. */
int time_parse_timestamp(const char *s, double *epoch);
/* Today's date in local time (the scheduler's calendar), YYYY-MM-DD. */
void time_today_local(char out[11]);
/* Wall-clock now, seconds since the epoch. */
double time_now(void);
/* Monotonic clock in seconds (for durations). */
double time_mono(void);

#endif
