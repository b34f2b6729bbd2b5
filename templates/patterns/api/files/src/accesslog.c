/* accesslog.c - the access log: one escaped logfmt line per request.
 *
 * Key choice: each line is formatted into a local buffer first and written
 * with one call under a lock, then flushed, so lines from concurrent
 * requests never interleave and a crash loses at most the line in flight.
 */
#define _POSIX_C_SOURCE 200809L
#include "accesslog.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct access_log {
	FILE *f;
	bool owned;
	pthread_mutex_t mu;
};

static int make(access_log **out, FILE *f, bool owned)
{
	access_log *l = calloc(1, sizeof *l);
	if (!l)
		return -1;
	l->f = f;
	l->owned = owned;
	pthread_mutex_init(&l->mu, NULL);
	*out = l;
	return 0;
}

int access_log_open(access_log **out, const char *path, char *err, size_t errlen)
{
	*out = NULL;
	if (strcmp(path, "-") == 0)
		return make(out, stderr, false);
	FILE *f = fopen(path, "a");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open the access log: %s", path, strerror(errno));
		return -1;
	}
	if (make(out, f, true) != 0) {
		fclose(f);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

int access_log_wrap(access_log **out, FILE *f)
{
	*out = NULL;
	return make(out, f, false);
}

void access_log_close(access_log *l)
{
	if (!l)
		return;
	if (l->owned)
		fclose(l->f);
	else
		fflush(l->f);
	pthread_mutex_destroy(&l->mu);
	free(l);
}

/* Append s escaped, at most max source bytes. */
static void put_escaped(char *buf, size_t size, size_t *n, const char *s, size_t max)
{
	static const char hex[] = "0123456789ABCDEF";
	if (!s || !*s)
		s = "-";
	size_t i = 0;
	for (; s[i] && i < max; i++) {
		unsigned char ch = (unsigned char)s[i];
		bool plain = ch > 0x20 && ch < 0x7f && ch != '"' && ch != '%' && ch != '=';
		if (plain) {
			if (*n + 1 < size)
				buf[(*n)++] = (char)ch;
		} else if (*n + 3 < size) {
			buf[(*n)++] = '%';
			buf[(*n)++] = hex[ch >> 4];
			buf[(*n)++] = hex[ch & 15];
		}
	}
	if (s[i] && *n + 3 < size) {
		memcpy(buf + *n, "...", 3);
		*n += 3;
	}
	buf[*n < size ? *n : size - 1] = '\0';
}

static void put_text(char *buf, size_t size, size_t *n, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void put_text(char *buf, size_t size, size_t *n, const char *fmt, ...)
{
	if (*n >= size)
		return;
	va_list ap;
	va_start(ap, fmt);
	int k = vsnprintf(buf + *n, size - *n, fmt, ap);
	va_end(ap);
	if (k > 0)
		*n = (size_t)k < size - *n ? *n + (size_t)k : size - 1;
}

size_t access_log_format(char *buf, size_t size, const access_entry *e, const struct timespec *when)
{
	if (!size)
		return 0;
	size_t n = 0;
	struct tm tm;
	time_t sec = when->tv_sec;
	gmtime_r(&sec, &tm);
	put_text(buf, size, &n, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ request_id=", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, when->tv_nsec / 1000000);
	put_escaped(buf, size, &n, e->request_id, 64);
	put_text(buf, size, &n, " method=");
	put_escaped(buf, size, &n, e->method, 16);
	put_text(buf, size, &n, " path=");
	put_escaped(buf, size, &n, e->path, 200);
	put_text(buf, size, &n, " status=%d latency_us=%" PRId64 " fallback=%s reason=", e->status,
		 e->latency_us < 0 ? 0 : e->latency_us, e->fallback ? "true" : "false");
	put_escaped(buf, size, &n, e->reason, 32);
	put_text(buf, size, &n, " client=");
	put_escaped(buf, size, &n, e->client, 64);
	put_text(buf, size, &n, " user=");
	put_escaped(buf, size, &n, e->user, 64);
	put_text(buf, size, &n, "\n");
	return n;
}

void access_log_write(access_log *l, const access_entry *e)
{
	if (!l)
		return;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	char line[1536]; /* the longest line: every field at its limit, escaped */
	size_t n = access_log_format(line, sizeof line, e, &now);
	pthread_mutex_lock(&l->mu);
	fwrite(line, 1, n, l->f);
	fflush(l->f);
	pthread_mutex_unlock(&l->mu);
}
