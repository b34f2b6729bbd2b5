/* diag.c - collected diagnostics (path:line:col: severity: message).
 *
 * Libraries record, the CLI prints: nothing here writes anywhere except
 * weft_diags_print, which the CLI calls with stderr. Diagnostics keep their
 * insertion order so the output follows the input file.
 */
#include <stdlib.h>
#include <string.h>

#include "weft_core.h"

struct weft_diags {
	weft_diag *items;
	size_t n, cap;
	size_t errors;
};

int weft_diags_new(weft_diags **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? WEFT_OK : WEFT_ENOMEM;
}

static void diag_release(weft_diag *g)
{
	free(g->path);
	free(g->message);
	free(g->hint);
}

void weft_diags_clear(weft_diags *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++)
		diag_release(&d->items[i]);
	d->n = 0;
	d->errors = 0;
}

void weft_diags_free(weft_diags *d)
{
	if (!d)
		return;
	weft_diags_clear(d);
	free(d->items);
	free(d);
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

void weft_diags_vadd(weft_diags *d, weft_severity sev, const char *path, int line, int col,
		     const char *hint, const char *fmt, va_list ap)
{
	if (!d)
		return;
	if (sev == WEFT_SEV_ERROR)
		d->errors++;
	if (d->n == d->cap) {
		size_t cap = d->cap ? d->cap * 2 : 8;
		weft_diag *items = realloc(d->items, cap * sizeof *items);
		if (!items)
			return;
		d->items = items;
		d->cap = cap;
	}
	weft_buf msg = WEFT_BUF_INIT;
	weft_buf_vprintf(&msg, fmt, ap);
	weft_diag *g = &d->items[d->n++];
	g->severity = sev;
	g->path = dup_or_null(path);
	g->line = line;
	g->col = col;
	g->message = weft_buf_detach(&msg);
	g->hint = dup_or_null(hint);
}

void weft_diags_add(weft_diags *d, weft_severity sev, const char *path, int line, int col,
		    const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	weft_diags_vadd(d, sev, path, line, col, hint, fmt, ap);
	va_end(ap);
}

int weft_diags_error(weft_diags *d, const char *path, int line, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	weft_diags_vadd(d, WEFT_SEV_ERROR, path, line, col, NULL, fmt, ap);
	va_end(ap);
	return WEFT_EINVALID;
}

size_t weft_diags_count(const weft_diags *d)
{
	return d ? d->n : 0;
}

size_t weft_diags_errors(const weft_diags *d)
{
	return d ? d->errors : 0;
}

const weft_diag *weft_diags_get(const weft_diags *d, size_t i)
{
	return d && i < d->n ? &d->items[i] : NULL;
}

/* Write text with control characters shown as \xNN: messages quote user
 * input (YAML keys, file names), which must not drive the terminal. */
static void put_clean(FILE *fp, const char *s)
{
	for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
		if (*u < 0x20 || *u == 0x7f)
			fprintf(fp, "\\x%02x", *u);
		else
			fputc(*u, fp);
	}
}

void weft_diags_print(const weft_diags *d, FILE *fp, bool colour)
{
	static const char *const names[] = { "error", "warning", "note" };
	static const char *const colours[] = { "1;31", "1;33", "1;36" };
	if (!d)
		return;
	for (size_t i = 0; i < d->n; i++) {
		const weft_diag *g = &d->items[i];
		fputs(weft_term_sgr(colour, WEFT_SGR_BOLD), fp);
		if (g->path) {
			put_clean(fp, g->path);
			if (g->line > 0) {
				fprintf(fp, ":%d", g->line);
				if (g->col > 0)
					fprintf(fp, ":%d", g->col);
			}
			fputs(": ", fp);
		}
		fprintf(fp, "%s%s%s: ", weft_term_sgr(colour, colours[g->severity]), names[g->severity],
			weft_term_sgr(colour, WEFT_SGR_RESET));
		put_clean(fp, g->message ? g->message : "(out of memory)");
		fputc('\n', fp);
		if (g->hint) {
			fprintf(fp, "  %shint:%s ", weft_term_sgr(colour, WEFT_SGR_DIM),
				weft_term_sgr(colour, WEFT_SGR_RESET));
			put_clean(fp, g->hint);
			fputc('\n', fp);
		}
	}
}
