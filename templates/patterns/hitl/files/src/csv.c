/* csv.c - a small RFC 4180 reader and writer.
 *
 * Design: a record is read character by character into one growing buffer
 * in which each field is NUL-terminated, so a record costs one allocation
 * however many fields it has. Limits on fields and bytes keep a hostile
 * file from using unbounded memory.
 */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

static int put(hitl_csv_record *r, size_t *len, char c)
{
	if (*len + 1 >= r->cap) {
		size_t ncap = r->cap ? r->cap * 2 : 256;
		if (ncap > HITL_CSV_MAX_RECORD + 2)
			return -1;
		char *nb = realloc(r->buf, ncap);
		if (!nb)
			return -1;
		/* fields point into the old buffer: move them */
		for (size_t i = 0; i < r->n; i++)
			r->field[i] = nb + (r->field[i] - r->buf);
		r->buf = nb;
		r->cap = ncap;
	}
	r->buf[(*len)++] = c;
	return 0;
}

int hitl_csv_read(FILE *f, hitl_csv_record *r, long *lineno, char *err, size_t errlen)
{
	r->n = 0;
	size_t len = 0, start = 0;
	int c = getc(f);
	if (c == EOF)
		return 0;
	r->line = *lineno + 1;
	int quoted = 0, after_quote = 0, done = 0;
	while (!done) {
		if (c == EOF) {
			if (quoted) {
				snprintf(err, errlen, "unterminated quoted field");
				return -1;
			}
			done = 1;
		} else if (quoted) {
			if (c == '"') {
				int d = getc(f);
				if (d == '"') {
					if (put(r, &len, '"') < 0)
						goto too_long;
				} else {
					quoted = 0;
					after_quote = 1;
					c = d;
					continue;
				}
			} else {
				if (c == '\n')
					(*lineno)++;
				if (put(r, &len, (char)c) < 0)
					goto too_long;
			}
		} else if (c == ',' || c == '\n' || c == '\r') {
			if (c == '\r') {
				int d = getc(f);
				if (d != '\n' && d != EOF)
					ungetc(d, f);
				c = '\n';
			}
			if (c == '\n') {
				(*lineno)++;
				done = 1;
			}
			if (r->n == HITL_CSV_MAX_FIELDS) {
				snprintf(err, errlen, "more than %d fields", HITL_CSV_MAX_FIELDS);
				return -1;
			}
			if (put(r, &len, 0) < 0)
				goto too_long;
			r->field[r->n++] = r->buf + start;
			start = len;
			after_quote = 0;
			if (done)
				return 1;
		} else if (c == '"' && len == start && !after_quote) {
			quoted = 1;
		} else if (after_quote) {
			snprintf(err, errlen, "unexpected character after a closing quote");
			return -1;
		} else if (put(r, &len, (char)c) < 0) {
			goto too_long;
		}
		c = getc(f);
	}
	/* end of input without a final newline */
	if (r->n == HITL_CSV_MAX_FIELDS) {
		snprintf(err, errlen, "more than %d fields", HITL_CSV_MAX_FIELDS);
		return -1;
	}
	if (put(r, &len, 0) < 0)
		goto too_long;
	r->field[r->n++] = r->buf + start;
	(*lineno)++;
	return 1;
too_long:
	snprintf(err, errlen, "record longer than %d bytes", HITL_CSV_MAX_RECORD);
	return -1;
}

void hitl_csv_record_free(hitl_csv_record *r)
{
	if (!r)
		return;
	free(r->buf);
	r->buf = NULL;
	r->cap = 0;
	r->n = 0;
}

int hitl_csv_column(const hitl_csv_record *header, const char *name)
{
	for (size_t i = 0; i < header->n; i++)
		if (!strcmp(header->field[i], name))
			return (int)i;
	return -1;
}

void hitl_csv_write_field(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	putc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', f);
		putc(*s, f);
	}
	putc('"', f);
}
