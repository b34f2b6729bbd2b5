/* csv.h - RFC 4180 CSV: reading records and writing quoted fields.
 *
 * Fields may be quoted ("a, b", "say ""hi""", embedded newlines); CRLF and
 * LF line ends are both accepted. Writing quotes a field only when it needs
 * it, so exports stay readable and every CSV reader gets the same values.
 */
#ifndef HITL_CSV_H
#define HITL_CSV_H

#include <stdio.h>

#define HITL_CSV_MAX_FIELDS 256
#define HITL_CSV_MAX_RECORD (1 << 20)

typedef struct hitl_csv_record {
	char *buf;                           /* field storage */
	size_t cap;
	char *field[HITL_CSV_MAX_FIELDS];    /* NUL-terminated fields, into buf */
	size_t n;
	long line;                           /* line where the record starts (1-based) */
} hitl_csv_record;

/* Read the next record. Returns 1 with a record, 0 at end of input, -1 on
 * a malformed record (unterminated quote, too many fields, too long) with a
 * message in err (prefixed by nothing: the caller adds the file and line).
 * *lineno counts lines consumed so far; start it at 0. */
int hitl_csv_read(FILE *f, hitl_csv_record *r, long *lineno, char *err, size_t errlen);
void hitl_csv_record_free(hitl_csv_record *r);

/* Index of the column called name in a header record, or -1. */
int hitl_csv_column(const hitl_csv_record *header, const char *name);

/* Write one field, quoted when it holds a comma, quote, CR or LF. */
void hitl_csv_write_field(FILE *f, const char *s);

#endif
