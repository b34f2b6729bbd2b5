/* test_cron.c - cron schedules: parsing, next run times worked out by hand,
 * the systemd OnCalendar= translation (by hand, and against
 * `systemd-analyze calendar` where it is installed). */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cron.h"

static char err[256];

static void use_utc(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
}

static const char *oncal(const char *expr)
{
	static char out[1024];
	cron_expr e;
	cr_assert_eq(cron_parse(&e, expr, err, sizeof err), 0, "%s: %s", expr, err);
	cr_assert_eq(cron_to_oncalendar(&e, out, sizeof out), 0);
	return out;
}

Test(cron, oncalendar_by_hand)
{
	cr_assert_str_eq(oncal("0 2 * * *"), "*-*-* 02:00:00");
	cr_assert_str_eq(oncal("*/15 9-17 * * 1-5"), "Mon..Fri *-*-* 09,10,11,12,13,14,15,16,17:00/15:00");
	cr_assert_str_eq(oncal("30 4 1,15 * 5"), "*-*-01,15 04:30:00\nFri *-*-* 04:30:00");
	cr_assert_str_eq(oncal("0 0 1 jan *"), "*-01-01 00:00:00");
	cr_assert_str_eq(oncal("0 12 * * 0,6"), "Sat,Sun *-*-* 12:00:00");
	cr_assert_str_eq(oncal("0 12 * * 7"), "Sun *-*-* 12:00:00");
	cr_assert_str_eq(oncal("5 */6 */2 * *"), "*-*-01/2 00/6:05:00");
	cr_assert_str_eq(oncal("@weekly"), "Sun *-*-* 00:00:00");
	cr_assert_str_eq(oncal("@hourly"), "*-*-* *:00:00");
	cr_assert_str_eq(oncal("0 3 * * mon,wed,fri"), "Mon,Wed,Fri *-*-* 03:00:00");
}

Test(cron, bad_schedules_are_refused)
{
	static const char *const bad[] = { "0 2 * *",	  "0 2 * * * *", "60 * * * *", "* 24 * * *",  "* * 0 * *",
					   "* * * 13 *",  "* * * * 8",	 "5-1 * * * *", "*/0 * * * *", "@reboot",
					   "x * * * *",	  "1,,2 * * * *", "*/5x * * * *", "",	       "0 2 * * foo" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		cron_expr e;
		cr_assert_eq(cron_parse(&e, bad[i], err, sizeof err), -1, "'%s' was accepted", bad[i]);
		cr_assert(err[0], "no message for '%s'", bad[i]);
	}
}

Test(cron, next_run_by_hand, .init = use_utc)
{
	cron_expr e;
	/* 2024-05-01T00:00:00Z = 1714521600 (a Wednesday) */
	cr_assert_eq(cron_parse(&e, "0 2 * * *", err, sizeof err), 0);
	cr_assert_eq(cron_next(&e, 1714521600 + 7140), 1714521600 + 7200);	     /* 01:59 -> 02:00 */
	cr_assert_eq(cron_next(&e, 1714521600 + 7200), 1714521600 + 86400 + 7200); /* strictly after */
	/* day of month OR day of week: from Wed 05:00 the next is Fri 04:30 */
	cr_assert_eq(cron_parse(&e, "30 4 1,15 * 5", err, sizeof err), 0);
	cr_assert_eq(cron_next(&e, 1714521600 + 5 * 3600), 1714521600 + 2 * 86400 + 16200);
	/* ... but AND when one starts with '*': the 2nd of a month that is a Friday */
	cr_assert_eq(cron_parse(&e, "0 0 */2 * 5", err, sizeof err), 0);
	time_t t = cron_next(&e, 1714521600);
	struct tm tm;
	gmtime_r(&t, &tm);
	cr_assert(tm.tm_wday == 5 && tm.tm_mday % 2 == 1, "%d %d", tm.tm_wday, tm.tm_mday);
	cr_assert_eq(t, 1714521600 + 2 * 86400); /* Fri 3 May */
	/* never */
	cr_assert_eq(cron_parse(&e, "0 0 31 2 *", err, sizeof err), 0);
	cr_assert_eq(cron_next(&e, 1714521600), (time_t)-1);
}

/* Compare our next run times with systemd's reading of our OnCalendar=
 * lines: the two must agree for the first 12 elapses. */
static void compare_with_systemd(const char *expr)
{
	cron_expr e;
	char cal[1024];
	cr_assert_eq(cron_parse(&e, expr, err, sizeof err), 0);
	cr_assert_eq(cron_to_oncalendar(&e, cal, sizeof cal), 0);
	const time_t base = 1714521600 + 123; /* 2024-05-01T00:02:03Z */
	/* systemd: every line, 12 iterations each; merge and keep the 12 first */
	time_t got[64];
	int ng = 0;
	char *save = NULL, *copy = strdup(cal);
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char cmd[1400];
		snprintf(cmd, sizeof cmd,
			 "TZ=UTC systemd-analyze calendar --iterations=12 --base-time='@%ld' '%s' 2>&1",
			 (long)base, line);
		FILE *p = popen(cmd, "r");
		cr_assert(p);
		char buf[512];
		while (fgets(buf, sizeof buf, p)) {
			char *m = strstr(buf, "Next elapse: ");
			char *it = strstr(buf, "Iter. #");
			const char *s = m ? m + 13 : it ? strchr(it, ':') + 2 : NULL;
			if (!s)
				continue;
			struct tm tm = { 0 };
			char wd[8];
			int y, mo, d, h, mi, sec;
			cr_assert_eq(sscanf(s, "%3s %d-%d-%d %d:%d:%d", wd, &y, &mo, &d, &h, &mi, &sec), 7, "%s", s);
			tm.tm_year = y - 1900;
			tm.tm_mon = mo - 1;
			tm.tm_mday = d;
			tm.tm_hour = h;
			tm.tm_min = mi;
			tm.tm_sec = sec;
			cr_assert(ng < 64);
			got[ng++] = timegm(&tm);
		}
		cr_assert_eq(pclose(p), 0, "systemd-analyze refused '%s'", line);
	}
	free(copy);
	/* sort, drop duplicates, compare the first 12 */
	for (int i = 1; i < ng; i++)
		for (int j = i; j > 0 && got[j] < got[j - 1]; j--) {
			time_t x = got[j];
			got[j] = got[j - 1];
			got[j - 1] = x;
		}
	int nu = 0;
	for (int i = 0; i < ng; i++)
		if (!nu || got[i] != got[nu - 1])
			got[nu++] = got[i];
	cr_assert(nu >= 12, "%s: systemd gave %d elapses", expr, nu);
	time_t t = base;
	for (int i = 0; i < 12; i++) {
		t = cron_next(&e, t);
		cr_assert_eq(t, got[i], "%s (OnCalendar=%s): run %d: cron %ld, systemd %ld", expr, cal, i, (long)t,
			     (long)got[i]);
	}
}

Test(cron, agrees_with_systemd, .init = use_utc)
{
	if (system("command -v systemd-analyze >/dev/null 2>&1") != 0)
		cr_skip_test("systemd-analyze is not installed");
	compare_with_systemd("0 2 * * *");
	compare_with_systemd("*/15 9-17 * * 1-5");
	compare_with_systemd("30 4 1,15 * 5");
	compare_with_systemd("5 */6 */2 * *");
	compare_with_systemd("0 0 1 jan,jul *");
	compare_with_systemd("0 12 * * 0,6");
	compare_with_systemd(JOB_SCHEDULE);
}

Test(cron, the_project_schedule_parses)
{
	cron_expr e;
	cr_assert_eq(cron_parse(&e, JOB_SCHEDULE, err, sizeof err), 0, "'%s': %s", JOB_SCHEDULE, err);
}
