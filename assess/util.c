/* util.c - helpers the assess files share: YAML loading under the assess
 * limits, id checks, and text layout for the reports.
 *
 * Design choice: a file over the size limit is reported at the line and
 * column where the limit is passed (not at 0:0), so even "file too large"
 * points somewhere a user can look. Text layout counts UTF-8 code points as
 * columns: report text is mostly Latin script, and a wrong width for a rare
 * wide character only misaligns one row.
 */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assess_int.h"

#define MAX_NODES 500000u
#define MAX_DEPTH 64u

/* Line and column (1-based, in code points) of byte offset off in the
 * stream read through next(); used for "too large" errors. */
typedef struct {
	int line, col;
} pos;

static void pos_advance(pos *p, const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\n') {
			p->line++;
			p->col = 1;
		} else if ((s[i] & 0xC0) != 0x80) {
			p->col++;
		}
	}
}

static void too_large(weft_diags *d, const char *path, pos p)
{
	weft_diags_add(d, WEFT_SEV_ERROR, path, p.line, p.col,
		       "maturity models and answers files are normally well under 1 MiB",
		       "file is larger than the limit of %u bytes (4 MiB); the limit is passed here",
		       (unsigned)WEFT_ASSESS_MAX_FILE);
}

static int load(weft_yaml_doc **out, const char *name, const char *buf, size_t len, weft_diags *d)
{
	weft_yaml_opts o = { 0 };
	o.max_bytes = WEFT_ASSESS_MAX_FILE;
	o.max_nodes = MAX_NODES;
	o.max_depth = MAX_DEPTH;
	return weft_yaml_load_buffer(out, name, buf, len, &o, d);
}

int assess_yaml_buffer(weft_yaml_doc **out, char sha256[65], const char *name, const char *buf,
		       size_t len, weft_diags *d)
{
	*out = NULL;
	if (sha256)
		weft_sha256_hex(sha256, buf, len);
	if (len > WEFT_ASSESS_MAX_FILE) {
		pos p = { 1, 1 };
		pos_advance(&p, (const unsigned char *)buf, WEFT_ASSESS_MAX_FILE);
		too_large(d, name ? name : "<input>", p);
		return WEFT_EINVALID;
	}
	return load(out, name, buf, len, d);
}

int assess_yaml_file(weft_yaml_doc **out, char sha256[65], const char *path, weft_diags *d)
{
	*out = NULL;
	weft_diags *tmp = NULL;
	if (weft_diags_new(&tmp))
		return WEFT_ENOMEM;
	char *buf = NULL;
	size_t len = 0;
	int err = weft_file_read(&buf, &len, path, WEFT_ASSESS_MAX_FILE, tmp);
	if (err == WEFT_EINVALID) {
		/* too large: find where the limit is passed */
		pos p = { 1, 1 };
		FILE *fp = fopen(path, "rb");
		if (fp) {
			unsigned char chunk[65536];
			size_t left = WEFT_ASSESS_MAX_FILE, got;
			while (left && (got = fread(chunk, 1, left < sizeof chunk ? left : sizeof chunk, fp)) > 0) {
				pos_advance(&p, chunk, got);
				left -= got;
			}
			fclose(fp);
		}
		too_large(d, path, p);
	} else {
		for (size_t i = 0; i < weft_diags_count(tmp); i++) {
			const weft_diag *g = weft_diags_get(tmp, i);
			weft_diags_add(d, g->severity, g->path, g->line, g->col, g->hint, "%s",
				       g->message ? g->message : "out of memory");
		}
	}
	weft_diags_free(tmp);
	if (err)
		return err;
	if (sha256)
		weft_sha256_hex(sha256, buf, len);
	err = load(out, path, buf, len, d);
	free(buf);
	return err;
}

bool assess_id_ok(const char *s, bool model_id)
{
	size_t n = strlen(s);
	if (n == 0 || n > 128)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
		if (i > 0 && !ok)
			ok = c == '-' || (!model_id && (c == '_' || c == '.'));
		if (!ok)
			return false;
	}
	return true;
}

int assess_req_str(const char **out, const weft_yaml_doc *doc, const weft_yaml_node *map,
		   const char *key, weft_diags *d)
{
	const char *s = NULL;
	int err = weft_yaml_str(&s, doc, map, key, true, d);
	if (err)
		return err;
	const char *p = s;
	while (*p && isspace((unsigned char)*p))
		p++;
	if (!*p) {
		const weft_yaml_node *n = weft_yaml_get(map, key);
		weft_diags_add(d, WEFT_SEV_ERROR, weft_yaml_doc_path(doc), n ? n->line : 0,
			       n ? n->col : 0, NULL, "field '%s' is empty", key);
		return WEFT_EINVALID;
	}
	*out = s;
	return WEFT_OK;
}

/* ---- text ------------------------------------------------------------------ */

size_t assess_utf8_cols(const char *s, size_t len)
{
	return weft_utf8_cols(s, len);
}

void assess_put_cols(weft_buf *b, const char *s, size_t cols, bool pad)
{
	if (!s)
		s = "";
	size_t len = strlen(s);
	/* a newline in a one-line cell ends it, with the cut marker when more
	 * text follows (not for the final newline of a block scalar) */
	const char *nl = memchr(s, '\n', len);
	bool more = false;
	if (nl) {
		len = (size_t)(nl - s);
		for (const char *q = nl; *q && !more; q++)
			more = !isspace((unsigned char)*q);
	}
	size_t w = weft_utf8_cols(s, len);
	if (more || w > cols) {
		size_t dots = cols > 3 ? 3 : cols;
		/* never splits a code point or a wide character: a CJK character
		 * that would straddle the limit is left out whole */
		size_t bytes = weft_utf8_fit(&w, s, len, cols - dots);
		/* do not end the cut on a space */
		while (bytes > 0 && s[bytes - 1] == ' ') {
			bytes--;
			w--;
		}
		weft_buf_put(b, s, bytes);
		weft_buf_put(b, "...", dots);
		w += dots;
	} else {
		weft_buf_put(b, s, len);
	}
	if (pad)
		for (; w < cols; w++)
			weft_buf_putc(b, ' ');
}

void assess_wrap(weft_buf *b, const char *text, size_t width, const char *first,
		 const char *indent)
{
	if (!text)
		text = "";
	const char *lead = first;
	size_t lead_cols = assess_utf8_cols(lead, strlen(lead));
	size_t avail = width > lead_cols + 10 ? width - lead_cols : 10;
	size_t col = 0;
	bool line_empty = true;
	const char *p = text;
	weft_buf_puts(b, lead);
	for (;;) {
		/* skip blanks between words; a newline forces a break */
		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (*p == '\n' || !*p) {
			if (!*p)
				break;
			p++;
			if (!*p)
				break;
			weft_buf_putc(b, '\n');
			lead = indent;
			lead_cols = assess_utf8_cols(lead, strlen(lead));
			avail = width > lead_cols + 10 ? width - lead_cols : 10;
			weft_buf_puts(b, lead);
			col = 0;
			line_empty = true;
			continue;
		}
		const char *w = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			p++;
		size_t wlen = (size_t)(p - w), wcols = assess_utf8_cols(w, wlen);
		if (!line_empty && col + 1 + wcols > avail) {
			weft_buf_putc(b, '\n');
			lead = indent;
			lead_cols = assess_utf8_cols(lead, strlen(lead));
			avail = width > lead_cols + 10 ? width - lead_cols : 10;
			weft_buf_puts(b, lead);
			col = 0;
			line_empty = true;
		}
		if (!line_empty) {
			weft_buf_putc(b, ' ');
			col++;
		}
		/* a word longer than a line is split at the width */
		while (wcols > avail) {
			size_t bytes = weft_utf8_fit(NULL, w, wlen, avail); /* col is 0 here */
			if (bytes == 0 || bytes >= wlen)
				break;
			weft_buf_put(b, w, bytes);
			w += bytes;
			wlen -= bytes;
			wcols = assess_utf8_cols(w, wlen);
			weft_buf_putc(b, '\n');
			weft_buf_puts(b, indent);
			lead_cols = assess_utf8_cols(indent, strlen(indent));
			avail = width > lead_cols + 10 ? width - lead_cols : 10;
			col = 0;
		}
		weft_buf_put(b, w, wlen);
		col += wcols;
		line_empty = false;
	}
	weft_buf_putc(b, '\n');
}

/* Decode one UTF-8 sequence at s (NUL-terminated); *len gets its length.
 * Malformed bytes decode as themselves with length 1 (returned as
 * 0xFFFD so callers treat them as replaceable). */
char *assess_clean_into(char out[ASSESS_CLEAN_MAX], const char *s)
{
	/* 80 code points of at most 4 bytes, "..." and the NUL fit in 400 */
	size_t o = 0, cols = 0;
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p && cols < 80) {
		size_t n;
		unsigned long cp = weft_utf8_next(p, &n);
		if (!weft_utf8_printable(cp) || (cp == 0xFFFD && n == 1)) {
			out[o++] = '?';
		} else {
			memcpy(out + o, p, n);
			o += n;
		}
		cols++;
		p += n;
	}
	if (*p) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return out;
}

char *assess_printable(const char *s, bool keep_newlines)
{
	weft_buf b = WEFT_BUF_INIT;
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		size_t n;
		unsigned long cp = weft_utf8_next(p, &n);
		bool nl = cp == '\n' || cp == 0x85 || cp == 0x2028 || cp == 0x2029 || cp == '\r';
		if (nl && keep_newlines && cp != '\r')
			weft_buf_putc(&b, '\n');
		else if (nl || cp == '\t' || (cp == 0xFFFD && n == 1))
			weft_buf_putc(&b, ' ');
		else if (!weft_utf8_printable(cp))
			weft_buf_putc(&b, ' ');
		else
			weft_buf_put(&b, p, n);
		p += n;
	}
	return weft_buf_detach(&b);
}

void assess_put_yaml_str(weft_buf *b, const char *s)
{
	weft_buf_putc(b, '"');
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	while (*p) {
		size_t n;
		unsigned long cp = weft_utf8_next(p, &n);
		if ((cp == 0xFFFD && n == 1) || cp == 0) {
			weft_buf_puts(b, "\\uFFFD"); /* a malformed byte, or an overlong NUL */
		} else if (cp == '"') {
			weft_buf_puts(b, "\\\"");
		} else if (cp == '\\') {
			weft_buf_puts(b, "\\\\");
		} else if (cp == '\n') {
			weft_buf_puts(b, "\\n");
		} else if (cp == '\t') {
			weft_buf_puts(b, "\\t");
		} else if (cp == '\r') {
			weft_buf_puts(b, "\\r");
		} else if (cp == 0x85) {
			weft_buf_puts(b, "\\N");
		} else if (cp == 0x2028) {
			weft_buf_puts(b, "\\L");
		} else if (cp == 0x2029) {
			weft_buf_puts(b, "\\P");
		} else if (!weft_utf8_printable(cp)) {
			if (cp <= 0xFF)
				weft_buf_printf(b, "\\x%02lx", cp);
			else if (cp >= 0xD800 && cp <= 0xDFFF)
				weft_buf_puts(b, "\\uFFFD");
			else if (cp <= 0xFFFF)
				weft_buf_printf(b, "\\u%04lx", cp);
			else
				weft_buf_printf(b, "\\U%08lx", cp);
		} else {
			weft_buf_put(b, p, n);
		}
		p += n;
	}
	weft_buf_putc(b, '"');
}

void assess_put_md_text(weft_buf *b, const char *s)
{
	char *c = assess_printable(s ? s : "", false);
	if (!c) {
		b->oom = true;
		return;
	}
	assess_put_md(b, c);
	free(c);
}

void assess_put_md(weft_buf *b, const char *s)
{
	for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
		switch (*p) {
		case '|': weft_buf_puts(b, "\\|"); break;
		case '\n':
		case '\r':
		case '\t': weft_buf_putc(b, ' '); break;
		case '<': weft_buf_puts(b, "&lt;"); break;
		case '>': weft_buf_puts(b, "&gt;"); break;
		case '&': weft_buf_puts(b, "&amp;"); break;
		case '*':
		case '_':
		case '`':
		case '[':
		case ']':
		case '\\':
			weft_buf_putc(b, '\\');
			weft_buf_putc(b, (char)*p);
			break;
		default:
			if (*p >= 0x20)
				weft_buf_putc(b, (char)*p);
		}
	}
}

void assess_put_score(weft_buf *b, double v)
{
	weft_buf_printf(b, "%.2f", v);
}

double assess_round4(double v)
{
	return round(v * 10000.0) / 10000.0;
}

int assess_pct(double frac)
{
	if (!(frac > 0))
		return 0;
	if (frac >= 1.0 - 1e-12)
		return 100;
	int p = (int)floor(frac * 100.0 + 1e-9);
	return p > 99 ? 99 : p;
}

cJSON *assess_json_str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

void assess_jadd(assess_jguard *g, cJSON *obj, const char *key, cJSON *val)
{
	if (!val || !obj || !cJSON_AddItemToObject(obj, key, val)) {
		cJSON_Delete(val);
		g->oom = true;
	}
}

void assess_jpush(assess_jguard *g, cJSON *arr, cJSON *val)
{
	if (!val || !arr || !cJSON_AddItemToArray(arr, val)) {
		cJSON_Delete(val);
		g->oom = true;
	}
}

void assess_end_sentence(weft_buf *b)
{
	char last = b->len ? b->ptr[b->len - 1] : '\0';
	if (last != '.' && last != '!' && last != '?')
		weft_buf_putc(b, '.');
}

cJSON *assess_json_why(assess_jguard *g, unsigned why)
{
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {
		{ WEFT_ASSESS_WHY_OUT_OF_SCOPE, "out_of_scope" },
		{ WEFT_ASSESS_WHY_COVERAGE, "coverage" },
		{ WEFT_ASSESS_WHY_CRITICAL, "critical_unanswered" },
		{ WEFT_ASSESS_WHY_ALL_NA, "all_na" },
		{ WEFT_ASSESS_WHY_DIMENSIONS, "dimensions_not_rated" },
		{ WEFT_ASSESS_WHY_NO_ANSWERS, "no_answers" },
	};
	cJSON *arr = cJSON_CreateArray();
	for (size_t i = 0; arr && i < sizeof names / sizeof names[0]; i++)
		if (why & names[i].bit)
			assess_jpush(g, arr, cJSON_CreateString(names[i].name));
	return arr;
}

cJSON *assess_json_explain(const weft_assess_result *r, const weft_assess_dresult *dr)
{
	weft_buf b = WEFT_BUF_INIT;
	weft_assess_explain(&b, r, dr);
	cJSON *s = b.oom ? NULL : cJSON_CreateString(b.ptr ? b.ptr : "");
	weft_buf_free(&b);
	return s;
}
