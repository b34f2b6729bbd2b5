/* accesslog.h - one line per request, in logfmt:
 *
 *   2025-03-01T09:12:44.120Z request_id=7f3a9c0e12d44b6e8a51c2f0d9e3b7a4
 *   method=POST path=/v1/predict status=200 latency_us=845 fallback=false
 *   reason=- client=crm-desktop user=agent-17
 *
 * (on one line). client is the calling system (its token's name); user is
 * the person it calls for, from the X-On-Behalf-Of header once auth.c has
 * checked it against the user rules (else "-"). latency_us runs from the first byte of the request the
 * service saw to the last byte of the response handed to the kernel.
 * request_id is the id the response carried in its request id header (the
 * caller's own, or one the service made up), so that a caller's complaint
 * about one request finds its line.
 */
#ifndef ACCESSLOG_H
#define ACCESSLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

typedef struct access_log access_log;

typedef struct access_entry {
	const char *method;
	const char *path;   /* as the client sent it; escaped when written */
	int status;
	int64_t latency_us;
	bool fallback;
	const char *reason; /* why a fallback answered ("deadline", ...), or NULL */
	const char *client; /* the token's name, or NULL */
	const char *user;   /* the checked X-On-Behalf-Of user, or NULL / "" */
	const char *request_id; /* the id echoed to the caller, or NULL / "" (request ids off) */
} access_entry;

/* Open path for appending ("-": standard error). Returns 0 or -1 with err. */
int access_log_open(access_log **out, const char *path, char *err, size_t errlen);
/* Log to an open stream the caller keeps. */
int access_log_wrap(access_log **out, FILE *f);
void access_log_close(access_log *l);

/* Format e at wall-clock time `when` into buf (always NUL-terminated, with a
 * trailing newline when it fits). Returns the length written. Characters
 * outside printable ASCII, spaces, '"' and '%' in method and path are
 * written as %XX so that a line can never be forged or split. */
size_t access_log_format(char *buf, size_t size, const access_entry *e, const struct timespec *when);

/* Write one line, whole (thread-safe). */
void access_log_write(access_log *l, const access_entry *e);

#endif
