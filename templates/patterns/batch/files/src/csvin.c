/* csvin.c - streaming CSV reader.
 *
 * Key choice: a byte-at-a-time state machine over a 64 KiB read buffer, so
 * memory stays bounded by one record (at most CSV_MAX_RECORD bytes and
 * CSV_MAX_FIELDS fields) however large the input is, and every field keeps
 * the line and column where it starts, so a bad value deep in a million-row
 * file is reported as input.csv:812345:17.
 */
#include "csvin.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

struct csv_reader {
	FILE *f;
	int own;
	char *name;
	unsigned char buf[65536];
	size_t pos, len;
	int eof;
	long line, col;      /* position of the next byte */
	long rec_line;
	char *text;          /* field bytes, NUL-separated */
	size_t text_len, text_cap;
	csv_field *fields;
	size_t *offs;        /* start of each field in text */
	size_t n_fields, cap_fields;
	int started;         /* BOM checked */
};

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

int csv_open_stream(csv_reader **out, FILE *f, const char *name, char *err, size_t errlen)
{
	*out = NULL;
	csv_reader *r = calloc(1, sizeof *r);
	if (!r || !(r->name = strdup(name ? name : "input"))) {
		free(r);
		errf(err, errlen, "out of memory");
		return -1;
	}
	r->f = f;
	r->line = 1;
	r->col = 1;
	*out = r;
	return 0;
}

int csv_open(csv_reader **out, const char *path, const char *name, char *err, size_t errlen)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		errf(err, errlen, "%s: cannot open: %s", name ? name : path, strerror(errno));
		return -1;
	}
	if (csv_open_stream(out, f, name ? name : path, err, errlen)) {
		fclose(f);
		return -1;
	}
	(*out)->own = 1;
	return 0;
}

void csv_close(csv_reader *r)
{
	if (!r)
		return;
	if (r->own && r->f)
		fclose(r->f);
	free(r->name);
	free(r->text);
	free(r->fields);
	free(r->offs);
	free(r);
}

long csv_record_line(const csv_reader *r)
{
	return r->rec_line;
}

/* Next byte, or -1 at end (-2 on a read error). Tracks line and column. */
static int getb(csv_reader *r)
{
	if (r->pos == r->len) {
		if (r->eof)
			return -1;
		r->len = fread(r->buf, 1, sizeof r->buf, r->f);
		r->pos = 0;
		if (r->len == 0) {
			r->eof = 1;
			return ferror(r->f) ? -2 : -1;
		}
	}
	int c = r->buf[r->pos++];
	if (c == '\n') {
		r->line++;
		r->col = 1;
	} else {
		r->col++;
	}
	return c;
}

/* Look at the next byte without taking it (-1 at end). */
static int peekb(csv_reader *r)
{
	if (r->pos == r->len) {
		if (r->eof)
			return -1;
		r->len = fread(r->buf, 1, sizeof r->buf, r->f);
		r->pos = 0;
		if (r->len == 0) {
			r->eof = 1;
			return -1;
		}
	}
	return r->buf[r->pos];
}

static int put(csv_reader *r, char c, char *err, size_t errlen)
{
	if (r->text_len + 1 >= r->text_cap) {
		if (r->text_cap >= CSV_MAX_RECORD) {
			errf(err, errlen, "%s:%ld: record longer than %zu bytes", r->name, r->rec_line,
			     CSV_MAX_RECORD);
			return -1;
		}
		size_t cap = r->text_cap ? r->text_cap * 2 : 4096;
		char *t = realloc(r->text, cap);
		if (!t) {
			errf(err, errlen, "out of memory");
			return -1;
		}
		r->text = t;
		r->text_cap = cap;
	}
	r->text[r->text_len++] = c;
	return 0;
}

static int begin_field(csv_reader *r, long line, long col, char *err, size_t errlen)
{
	if (r->n_fields == CSV_MAX_FIELDS) {
		errf(err, errlen, "%s:%ld:%ld: more than %d fields in one record", r->name, line, col,
		     CSV_MAX_FIELDS);
		return -1;
	}
	if (r->n_fields == r->cap_fields) {
		size_t cap = r->cap_fields ? r->cap_fields * 2 : 32;
		csv_field *fv = realloc(r->fields, cap * sizeof *fv);
		if (!fv) {
			errf(err, errlen, "out of memory");
			return -1;
		}
		r->fields = fv;
		size_t *ov = realloc(r->offs, cap * sizeof *ov);
		if (!ov) {
			errf(err, errlen, "out of memory");
			return -1;
		}
		r->offs = ov;
		r->cap_fields = cap;
	}
	r->offs[r->n_fields] = r->text_len;
	r->fields[r->n_fields].line = line;
	r->fields[r->n_fields].col = col;
	r->n_fields++;
	return 0;
}

static int end_field(csv_reader *r, char *err, size_t errlen)
{
	return put(r, '\0', err, errlen);
}

int csv_next(csv_reader *r, const csv_field **fields, size_t *n, char *err, size_t errlen)
{
	*fields = NULL;
	*n = 0;
	if (!r->started) {
		r->started = 1;
		if (peekb(r) == 0xEF) {
			/* a UTF-8 BOM is three bytes; anything else starting 0xEF is data */
			if (r->len - r->pos >= 3 && r->buf[r->pos + 1] == 0xBB && r->buf[r->pos + 2] == 0xBF)
				r->pos += 3;
		}
	}
	int c;
	/* skip empty lines */
	for (;;) {
		c = peekb(r);
		if (c == '\n') {
			getb(r);
		} else if (c == '\r') {
			getb(r);
			if (peekb(r) == '\n')
				getb(r);
		} else {
			break;
		}
	}
	if (c == -1) {
		if (ferror(r->f)) {
			errf(err, errlen, "%s: read error", r->name);
			return -1;
		}
		return 0;
	}
	r->text_len = 0;
	r->n_fields = 0;
	r->rec_line = r->line;
	for (;;) {
		/* start of a field */
		long fl = r->line, fc = r->col;
		if (begin_field(r, fl, fc, err, errlen))
			return -1;
		c = peekb(r);
		if (c == '"') {
			getb(r);
			for (;;) {
				c = getb(r);
				if (c < 0) {
					if (c == -2)
						errf(err, errlen, "%s: read error", r->name);
					else
						errf(err, errlen, "%s:%ld:%ld: quoted field is never closed", r->name, fl, fc);
					return -1;
				}
				if (c == 0) {
					errf(err, errlen, "%s:%ld:%ld: NUL byte in the input", r->name, r->line,
					     r->col - 1);
					return -1;
				}
				if (c == '"') {
					if (peekb(r) == '"') {
						getb(r);
						if (put(r, '"', err, errlen))
							return -1;
						continue;
					}
					break;
				}
				if (put(r, (char)c, err, errlen))
					return -1;
			}
			if (end_field(r, err, errlen))
				return -1;
			c = getb(r);
			if (c == '\r' && peekb(r) == '\n')
				c = getb(r);
			if (c == ',')
				continue;
			if (c == '\n' || c == -1)
				break;
			if (c == -2) {
				errf(err, errlen, "%s: read error", r->name);
				return -1;
			}
			errf(err, errlen, "%s:%ld:%ld: unexpected character after a closing quote", r->name, r->line,
			     r->col - 1);
			return -1;
		}
		/* unquoted field */
		for (;;) {
			c = getb(r);
			if (c == ',' || c == '\n' || c < 0)
				break;
			if (c == '\r') {
				if (peekb(r) == '\n') {
					c = getb(r);
					break;
				}
				errf(err, errlen, "%s:%ld:%ld: carriage return inside a field", r->name, r->line,
				     r->col - 1);
				return -1;
			}
			if (c == 0) {
				errf(err, errlen, "%s:%ld:%ld: NUL byte in the input", r->name, r->line, r->col - 1);
				return -1;
			}
			if (c == '"') {
				errf(err, errlen, "%s:%ld:%ld: quote inside an unquoted field (quote the whole field)",
				     r->name, r->line, r->col - 1);
				return -1;
			}
			if (put(r, (char)c, err, errlen))
				return -1;
		}
		if (c == -2) {
			errf(err, errlen, "%s: read error", r->name);
			return -1;
		}
		if (end_field(r, err, errlen))
			return -1;
		if (c != ',')
			break;
	}
	for (size_t i = 0; i < r->n_fields; i++) {
		r->fields[i].text = r->text + r->offs[i];
		r->fields[i].len = strlen(r->fields[i].text);
	}
	*fields = r->fields;
	*n = r->n_fields;
	return 1;
}
