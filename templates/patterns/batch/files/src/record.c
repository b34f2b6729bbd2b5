/* record.c - completion records as JSON lines.
 *
 * Key choice: the JSON line is the record that survives a broken database
 * (a storage failure still leaves a trace) and is what log shippers and the
 * scheduler's log pick up; it is appended with a single write(2) on an
 * O_APPEND descriptor, so lines from overlapping runs never interleave.
 */
#include "record.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

void record_time_iso(char out[32], double epoch_s)
{
	time_t t = (time_t)floor(epoch_s);
	int ms = (int)((epoch_s - (double)t) * 1000.0);
	if (ms > 999)
		ms = 999;
	struct tm tm;
	gmtime_r(&t, &tm);
	char day[24];
	strftime(day, sizeof day, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out, 32, "%s.%03dZ", day, ms < 0 ? 0 : ms);
}

static int add_str(cJSON *o, const char *k, const char *v)
{
	return (v ? cJSON_AddStringToObject(o, k, v) : cJSON_AddNullToObject(o, k)) ? 0 : -1;
}

static int add_num(cJSON *o, const char *k, double v)
{
	return cJSON_AddNumberToObject(o, k, v) ? 0 : -1;
}

char *record_json(const run_record *r)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	int bad = 0;
	bad |= add_str(o, "run_date", r->run_date);
	bad |= add_str(o, "status", r->status);
	bad |= add_num(o, "exit_code", r->exit_code);
	bad |= add_num(o, "rows", (double)r->rows);
	bad |= add_num(o, "rows_read", (double)r->rows_read);
	bad |= add_num(o, "chunks", (double)r->chunks);
	bad |= add_num(o, "duration_ms", round(r->duration_ms * 1000.0) / 1000.0);
	bad |= add_str(o, "input", r->input);
	if (r->has_input_age)
		bad |= add_num(o, "input_age_s", round(r->input_age_s * 1000.0) / 1000.0);
	else
		bad |= !cJSON_AddNullToObject(o, "input_age_s");
	bad |= add_num(o, "max_input_age_s", r->max_input_age_s);
	bad |= add_num(o, "window_s", r->window_s);
	bad |= !cJSON_AddBoolToObject(o, "over_window", r->over_window);
	bad |= add_str(o, "model_version", r->model_version);
	bad |= add_str(o, "model_digest", r->model_digest);
	bad |= add_str(o, "export", r->export_path);
	bad |= add_str(o, "started_at", r->started_at);
	bad |= add_str(o, "finished_at", r->finished_at[0] ? r->finished_at : NULL);
	bad |= add_num(o, "pid", (double)r->pid);
	bad |= add_str(o, "message", r->message);
	char *s = bad ? NULL : cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return s;
}

int record_append(const char *path, const char *line, char *err, size_t errlen)
{
	size_t n = strlen(line);
	char *buf = malloc(n + 1);
	if (!buf) {
		errf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(buf, line, n);
	buf[n] = '\n';
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0666);
	if (fd < 0) {
		errf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		free(buf);
		return -1;
	}
	ssize_t w = write(fd, buf, n + 1);
	int rc = 0;
	if (w != (ssize_t)(n + 1)) {
		errf(err, errlen, "%s: write failed: %s", path, w < 0 ? strerror(errno) : "short write");
		rc = -1;
	} else if (fsync(fd)) {
		errf(err, errlen, "%s: fsync failed: %s", path, strerror(errno));
		rc = -1;
	}
	close(fd);
	free(buf);
	return rc;
}
