/* cron.c - cron expressions.
 *
 * Key choice: every field is expanded to a bit set, so matching is a bit
 * test and the systemd form is written from the sets rather than from the
 * text: a list, a range or a step in cron becomes an explicit list (or a
 * start/step repetition) that systemd reads the same way. The one semantic
 * gap - cron ORs day-of-month and day-of-week when both are restricted,
 * systemd ANDs them - is bridged with two OnCalendar= lines.
 */
#include "cron.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static void errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void errf(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static const char *const field_names[5] = { "minute", "hour", "day of month", "month", "day of week" };
static const int field_lo[5] = { 0, 0, 1, 1, 0 };
static const int field_hi[5] = { 59, 23, 31, 12, 7 };
static const char *const months[12] = { "jan", "feb", "mar", "apr", "may", "jun",
					"jul", "aug", "sep", "oct", "nov", "dec" };
static const char *const days[7] = { "sun", "mon", "tue", "wed", "thu", "fri", "sat" };

/* A number or (month, day-of-week) a three-letter name at *p. */
static int read_value(const char **p, int field, int *v)
{
	const char *s = *p;
	if (isdigit((unsigned char)*s)) {
		int x = 0, n = 0;
		while (isdigit((unsigned char)*s) && n < 3) {
			x = x * 10 + (*s++ - '0');
			n++;
		}
		if (isdigit((unsigned char)*s))
			return -1;
		*v = x;
		*p = s;
		return 0;
	}
	const char *const *names = field == 3 ? months : field == 4 ? days : NULL;
	int count = field == 3 ? 12 : 7;
	if (!names || !isalpha((unsigned char)s[0]) || !isalpha((unsigned char)s[1]) ||
	    !isalpha((unsigned char)s[2]) || isalpha((unsigned char)s[3]))
		return -1;
	for (int i = 0; i < count; i++)
		if (!strncasecmp(s, names[i], 3)) {
			*v = field == 3 ? i + 1 : i;
			*p = s + 3;
			return 0;
		}
	return -1;
}

/* Parse one field (text of length n) into a bit set. */
static int parse_field(const char *s, size_t n, int field, uint64_t *bits, int *star, char *err, size_t errlen)
{
	char buf[128];
	if (n >= sizeof buf) {
		errf(err, errlen, "%s field is too long", field_names[field]);
		return -1;
	}
	memcpy(buf, s, n);
	buf[n] = '\0';
	*bits = 0;
	*star = buf[0] == '*';
	if (buf[0] == ',' || (n && buf[n - 1] == ',') || strstr(buf, ",,")) {
		errf(err, errlen, "%s field: '%s' has an empty list item", field_names[field], buf);
		return -1;
	}
	int lo = field_lo[field], hi = field_hi[field];
	char *save = NULL;
	for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		const char *p = item;
		int a, b, step = 1;
		if (*p == '*') {
			a = lo;
			b = hi;
			p++;
		} else {
			if (read_value(&p, field, &a)) {
				errf(err, errlen, "%s field: '%s' is not a value", field_names[field], item);
				return -1;
			}
			b = a;
			if (*p == '-') {
				p++;
				if (read_value(&p, field, &b)) {
					errf(err, errlen, "%s field: '%s' is not a range", field_names[field], item);
					return -1;
				}
			}
		}
		if (*p == '/') {
			p++;
			if (!isdigit((unsigned char)*p)) {
				errf(err, errlen, "%s field: '%s' has no step after '/'", field_names[field], item);
				return -1;
			}
			step = 0;
			while (isdigit((unsigned char)*p) && step <= 100)
				step = step * 10 + (*p++ - '0');
			if (step < 1 || step > hi) {
				errf(err, errlen, "%s field: step in '%s' must be from 1 to %d", field_names[field], item,
				     hi);
				return -1;
			}
			if (b == a && item[0] != '*' && !strchr(item, '-'))
				b = hi; /* "a/n": from a to the end, every n */
		}
		if (*p) {
			errf(err, errlen, "%s field: unexpected '%s'", field_names[field], p);
			return -1;
		}
		if (a < lo || b > hi || a > hi || b < lo) {
			errf(err, errlen, "%s field: '%s' is outside %d..%d", field_names[field], item, lo, hi);
			return -1;
		}
		if (a > b) {
			errf(err, errlen, "%s field: range '%s' runs backwards", field_names[field], item);
			return -1;
		}
		for (int v = a; v <= b; v += step)
			*bits |= (uint64_t)1 << v;
	}
	if (!*bits) {
		errf(err, errlen, "%s field is empty", field_names[field]);
		return -1;
	}
	return 0;
}

int cron_parse(cron_expr *out, const char *s, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	while (isspace((unsigned char)*s))
		s++;
	if (*s == '@') {
		static const struct {
			const char *name, *expr;
		} macros[] = { { "@yearly", "0 0 1 1 *" },  { "@annually", "0 0 1 1 *" }, { "@monthly", "0 0 1 * *" },
			       { "@weekly", "0 0 * * 0" },  { "@daily", "0 0 * * *" },	  { "@midnight", "0 0 * * *" },
			       { "@hourly", "0 * * * *" } };
		size_t n = strlen(s);
		while (n && isspace((unsigned char)s[n - 1]))
			n--;
		for (size_t i = 0; i < sizeof macros / sizeof *macros; i++)
			if (strlen(macros[i].name) == n && !strncmp(s, macros[i].name, n))
				return cron_parse(out, macros[i].expr, err, errlen);
		errf(err, errlen, "unknown schedule '%.*s' (@hourly @daily @weekly @monthly @yearly, or five fields)",
		     (int)(n > 40 ? 40 : n), s);
		return -1;
	}
	const char *start[5];
	size_t len[5];
	int nf = 0;
	const char *p = s;
	while (*p) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		if (nf == 5) {
			errf(err, errlen, "a schedule has five fields (minute hour day-of-month month day-of-week); "
			     "this one has more");
			return -1;
		}
		start[nf] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		len[nf] = (size_t)(p - start[nf]);
		nf++;
	}
	if (nf != 5) {
		errf(err, errlen, "a schedule has five fields (minute hour day-of-month month day-of-week); "
		     "this one has %d", nf);
		return -1;
	}
	uint64_t bits[5];
	int star[5];
	for (int i = 0; i < 5; i++)
		if (parse_field(start[i], len[i], i, &bits[i], &star[i], err, errlen))
			return -1;
	out->minute = bits[0];
	out->hour = (uint32_t)bits[1];
	out->dom = (uint32_t)bits[2];
	out->month = (uint32_t)bits[3];
	out->dow = (uint32_t)((bits[4] | (bits[4] >> 7)) & 0x7f); /* 7 is Sunday */
	out->dom_star = star[2];
	out->dow_star = star[4];
	return 0;
}

static int day_matches(const cron_expr *e, const struct tm *tm)
{
	int dm = (e->dom >> tm->tm_mday) & 1;
	int wm = (e->dow >> tm->tm_wday) & 1;
	return e->dom_star || e->dow_star ? dm && wm : dm || wm;
}

int cron_matches(const cron_expr *e, const struct tm *tm)
{
	return ((e->minute >> tm->tm_min) & 1) && ((e->hour >> tm->tm_hour) & 1) &&
	       ((e->month >> (tm->tm_mon + 1)) & 1) && day_matches(e, tm);
}

time_t cron_next(const cron_expr *e, time_t t)
{
	struct tm tm;
	time_t x = t - (t % 60 + 60) % 60 + 60; /* the next whole minute */
	localtime_r(&x, &tm);
	int limit_year = tm.tm_year + 10;
	for (int guard = 0; guard < 200000; guard++) {
		if (tm.tm_year > limit_year)
			return (time_t)-1;
		int step = 0;
		if (!((e->month >> (tm.tm_mon + 1)) & 1)) {
			tm.tm_mon++;
			tm.tm_mday = 1;
			tm.tm_hour = tm.tm_min = 0;
			step = 1;
		} else if (!day_matches(e, &tm)) {
			tm.tm_mday++;
			tm.tm_hour = tm.tm_min = 0;
			step = 1;
		} else if (!((e->hour >> tm.tm_hour) & 1)) {
			tm.tm_hour++;
			tm.tm_min = 0;
			step = 1;
		} else if (!((e->minute >> tm.tm_min) & 1)) {
			tm.tm_min++;
			step = 1;
		}
		tm.tm_sec = 0;
		tm.tm_isdst = -1;
		time_t r = mktime(&tm); /* normalises the fields and sets tm_wday */
		if (r == (time_t)-1)
			return (time_t)-1;
		if (!step && r > t)
			return r;
		if (!step) { /* a DST fold put us at or before t: move on */
			tm.tm_min++;
			tm.tm_isdst = -1;
			mktime(&tm);
		}
	}
	return (time_t)-1;
}

/* Append to out at *k; -1 when full. */
static int put(char *out, size_t outlen, size_t *k, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int put(char *out, size_t outlen, size_t *k, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(out + *k, outlen - *k, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= outlen - *k)
		return -1;
	*k += (size_t)n;
	return 0;
}

/* A numeric component: "*" when full, "a/s" for a repetition that runs to
 * the end, else a comma list; two digits each. */
static int put_set(char *out, size_t outlen, size_t *k, uint64_t bits, int lo, int hi)
{
	uint64_t full = 0;
	for (int v = lo; v <= hi; v++)
		full |= (uint64_t)1 << v;
	bits &= full;
	if (bits == full)
		return put(out, outlen, k, "*");
	int vals[64], n = 0;
	for (int v = lo; v <= hi; v++)
		if ((bits >> v) & 1)
			vals[n++] = v;
	if (n >= 3) {
		int s = vals[1] - vals[0], ap = 1;
		for (int i = 2; i < n && ap; i++)
			ap = vals[i] - vals[i - 1] == s;
		if (ap && vals[n - 1] + s > hi)
			return put(out, outlen, k, "%02d/%d", vals[0], s);
	}
	for (int i = 0; i < n; i++)
		if (put(out, outlen, k, "%s%02d", i ? "," : "", vals[i]))
			return -1;
	return 0;
}

static int put_dow(char *out, size_t outlen, size_t *k, uint32_t dow)
{
	static const char *const names[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
	/* systemd weeks start on Monday: index 0 = Monday */
	int on[7];
	for (int i = 0; i < 7; i++)
		on[i] = (dow >> ((i + 1) % 7)) & 1;
	int first = 1;
	for (int i = 0; i < 7;) {
		if (!on[i]) {
			i++;
			continue;
		}
		int j = i;
		while (j + 1 < 7 && on[j + 1])
			j++;
		if (put(out, outlen, k, "%s%s", first ? "" : ",", names[i]))
			return -1;
		if (j >= i + 2) {
			if (put(out, outlen, k, "..%s", names[j]))
				return -1;
		} else if (j == i + 1) {
			if (put(out, outlen, k, ",%s", names[j]))
				return -1;
		}
		first = 0;
		i = j + 1;
	}
	return put(out, outlen, k, " ");
}

static int put_line(char *out, size_t outlen, size_t *k, const cron_expr *e, uint32_t dom, uint32_t dow)
{
	if ((dow & 0x7f) != 0x7f && put_dow(out, outlen, k, dow))
		return -1;
	if (put(out, outlen, k, "*-") || put_set(out, outlen, k, e->month, 1, 12) || put(out, outlen, k, "-") ||
	    put_set(out, outlen, k, dom, 1, 31) || put(out, outlen, k, " ") ||
	    put_set(out, outlen, k, e->hour, 0, 23) || put(out, outlen, k, ":") ||
	    put_set(out, outlen, k, e->minute, 0, 59) || put(out, outlen, k, ":00"))
		return -1;
	return 0;
}

int cron_to_oncalendar(const cron_expr *e, char *out, size_t outlen)
{
	size_t k = 0;
	if (!outlen)
		return -1;
	out[0] = '\0';
	const uint32_t all_days = 0xfffffffeu; /* bits 1..31 */
	if (!e->dom_star && !e->dow_star) {
		/* cron: dom OR dow; systemd: one line each */
		if (put_line(out, outlen, &k, e, e->dom, 0x7f) || put(out, outlen, &k, "\n") ||
		    put_line(out, outlen, &k, e, all_days, e->dow))
			return -1;
		return 0;
	}
	return put_line(out, outlen, &k, e, e->dom, e->dow);
}
