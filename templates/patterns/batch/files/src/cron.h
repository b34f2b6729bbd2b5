/* cron.h - cron schedules: parse, match, next run, and the same schedule as
 * systemd OnCalendar= lines (so the timer and the cron line never drift). */
#ifndef CRON_H
#define CRON_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

typedef struct cron_expr {
	uint64_t minute; /* bit i: minute i (0..59) */
	uint32_t hour;   /* 0..23 */
	uint32_t dom;    /* 1..31 */
	uint32_t month;  /* 1..12 */
	uint32_t dow;    /* 0..6, Sunday = 0 (7 is read as 0) */
	int dom_star;    /* the field started with '*': vixie cron then ANDs the day fields */
	int dow_star;
} cron_expr;

/* Five fields (minute hour day-of-month month day-of-week) with lists,
 * ranges, steps and names (jan..dec, sun..sat), or @hourly @daily @midnight
 * @weekly @monthly @yearly @annually. 0, or -1 with a message in err. */
int cron_parse(cron_expr *out, const char *s, char *err, size_t errlen);
/* Whether e fires at the minute in tm (local time fields). Day of month
 * and day of week combine as in vixie cron: OR when both are restricted,
 * AND when either starts with '*'. */
int cron_matches(const cron_expr *e, const struct tm *tm);
/* The first minute strictly after t at which e fires (local time), or -1
 * when there is none within ten years ("0 0 31 2 *"). */
time_t cron_next(const cron_expr *e, time_t t);
/* The schedule as systemd OnCalendar= values, one per line ("\n"-separated,
 * without "OnCalendar="): one line, or two when day-of-month and
 * day-of-week are both restricted (systemd ANDs them, cron ORs them).
 * Returns 0, or -1 when out is too small. */
int cron_to_oncalendar(const cron_expr *e, char *out, size_t outlen);

#endif
