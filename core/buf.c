/* buf.c - weft_buf, the growable string every report writer appends to.
 *
 * Allocation failure is sticky (b->oom) rather than returned from every
 * append, so writers can append freely and check once at the end.
 */
#include <stdlib.h>
#include <string.h>

#include "weft_core.h"

static bool grow(weft_buf *b, size_t extra)
{
	if (b->oom)
		return false;
	if (extra > SIZE_MAX - b->len - 1) {
		b->oom = true;
		return false;
	}
	size_t need = b->len + extra + 1;
	if (need <= b->cap)
		return true;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	char *p = realloc(b->ptr, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->ptr = p;
	b->cap = cap;
	return true;
}

void weft_buf_put(weft_buf *b, const void *data, size_t len)
{
	if (!grow(b, len))
		return;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
}

void weft_buf_puts(weft_buf *b, const char *s)
{
	weft_buf_put(b, s, strlen(s));
}

void weft_buf_putc(weft_buf *b, char c)
{
	weft_buf_put(b, &c, 1);
}

void weft_buf_vprintf(weft_buf *b, const char *fmt, va_list ap)
{
	va_list cp;
	va_copy(cp, ap);
	int n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	if (n < 0 || !grow(b, (size_t)n)) {
		b->oom = true;
		return;
	}
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void weft_buf_printf(weft_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	weft_buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void weft_buf_put_html(weft_buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': weft_buf_puts(b, "&amp;"); break;
		case '<': weft_buf_puts(b, "&lt;"); break;
		case '>': weft_buf_puts(b, "&gt;"); break;
		case '"': weft_buf_puts(b, "&quot;"); break;
		case '\'': weft_buf_puts(b, "&#39;"); break;
		default: weft_buf_putc(b, *s);
		}
	}
}

char *weft_buf_detach(weft_buf *b)
{
	if (b->oom) {
		weft_buf_free(b);
		return NULL;
	}
	char *p = b->ptr;
	if (!p)
		p = calloc(1, 1);
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

void weft_buf_free(weft_buf *b)
{
	if (!b)
		return;
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->oom = false;
}
