/* csvin.h - a streaming CSV reader (RFC 4180) with positions for errors. */
#ifndef CSVIN_H
#define CSVIN_H

#include <stddef.h>
#include <stdio.h>

#define CSV_MAX_FIELDS 4096
#define CSV_MAX_RECORD ((size_t)1 << 20) /* bytes of field text in one record */

typedef struct csv_reader csv_reader;

/* One field of the current record: text (NUL-terminated, quotes removed) and
 * where it starts in the file (1-based line and byte column). */
typedef struct csv_field {
	const char *text;
	size_t len;
	long line;
	long col;
} csv_field;

/* Open path for reading (name is used in messages; NULL = path). */
int csv_open(csv_reader **out, const char *path, const char *name, char *err, size_t errlen);
/* Read from an open stream (not closed by csv_close). */
int csv_open_stream(csv_reader **out, FILE *f, const char *name, char *err, size_t errlen);
void csv_close(csv_reader *r);

/* The next record: returns 1 with *fields[0..*n) valid until the next call,
 * 0 at the end, -1 for malformed input with "name:line:col: message" in err.
 * A UTF-8 byte-order mark at the start is skipped; empty lines are skipped;
 * CRLF and LF both end a record; a NUL byte is an error. */
int csv_next(csv_reader *r, const csv_field **fields, size_t *n, char *err, size_t errlen);

/* Line on which the last record returned started. */
long csv_record_line(const csv_reader *r);

#endif
