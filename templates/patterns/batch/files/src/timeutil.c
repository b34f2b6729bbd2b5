/* timeutil.c - calendar arithmetic and timestamp parsing.
 *
 * Key choice: our own days-from-civil arithmetic instead of timegm() or
 * mktime(), so parsing never depends on the process's TZ setting, and a
 * date is rejected unless it exists (2023-02-29 is an error, not March 1st).
 */
#include "timeutil.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int64_t time_days_from_civil(int y, int m, int d)
{
	/* Howard Hinnant's algorithm: eras of 400 years starting in March */
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	int64_t yoe = y - era * 400;
	int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int days_in_month(int y, int m)
{
	static const int dm[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 ? 28 + leap : dm[m - 1];
}

/* n digits at s into *v. */
static int digits(const char *s, int n, int *v)
{
	int x = 0;
	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		x = x * 10 + (s[i] - '0');
	}
	*v = x;
	return 0;
}

/* YYYY-MM-DD at s (not necessarily the end of the string). */
static int date_at(const char *s, int *y, int *m, int *d)
{
	if (digits(s, 4, y) || s[4] != '-' || digits(s + 5, 2, m) || s[7] != '-' || digits(s + 8, 2, d))
		return -1;
	if (*y < 1970 || *m < 1 || *m > 12 || *d < 1 || *d > days_in_month(*y, *m))
		return -1;
	return 0;
}

int time_parse_date(const char *s, int *y, int *m, int *d)
{
	if (strlen(s) != 10)
		return -1;
	return date_at(s, y, m, d);
}

int time_parse_timestamp(const char *s, double *epoch)
{
	/* plain seconds */
	if (isdigit((unsigned char)s[0]) && strlen(s) <= 20 && !strchr(s, '-') && !strchr(s, ':')) {
		char *end;
		double v = strtod(s, &end);
		if (*end || !(v >= 0 && v < 253402300800.0)) /* before year 10000 */
			return -1;
		for (const char *p = s; *p; p++)
			if (!isdigit((unsigned char)*p) && *p != '.')
				return -1;
		*epoch = v;
		return 0;
	}
	int y, mo, d, h, mi, sec = 0;
	if (date_at(s, &y, &mo, &d))
		return -1;
	const char *p = s + 10;
	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (digits(p, 2, &h) || p[2] != ':' || digits(p + 3, 2, &mi))
		return -1;
	p += 5;
	double frac = 0;
	if (*p == ':') {
		if (digits(p + 1, 2, &sec))
			return -1;
		p += 3;
		if (*p == '.' || *p == ',') {
			p++;
			double scale = 0.1;
			if (!isdigit((unsigned char)*p))
				return -1;
			while (isdigit((unsigned char)*p)) {
				frac += (*p - '0') * scale;
				scale /= 10;
				p++;
			}
		}
	}
	if (h > 23 || mi > 59 || sec > 60) /* 60: a leap second */
		return -1;
	int offset_min;
	if (*p == 'Z' || *p == 'z') {
		offset_min = 0;
		p++;
	} else if (*p == '+' || *p == '-') {
		int oh, om;
		int sign = *p == '-' ? -1 : 1;
		p++;
		if (digits(p, 2, &oh))
			return -1;
		p += 2;
		if (*p == ':')
			p++;
		if (digits(p, 2, &om))
			return -1;
		p += 2;
		if (oh > 23 || om > 59)
			return -1;
		offset_min = sign * (oh * 60 + om);
	} else {
		return -1; /* no zone */
	}
	if (*p)
		return -1;
	*epoch = (double)time_days_from_civil(y, mo, d) * 86400.0 + h * 3600.0 + mi * 60.0 + sec + frac -
		 offset_min * 60.0;
	return 0;
}

void time_today_local(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;
	localtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

double time_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double time_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}
