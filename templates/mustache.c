/* mustache.c - a Mustache parser and renderer over cJSON data.
 *
 * Design: three passes over the source, then a tree walk.
 *   1. scan: tokens (text, newline, tags) in one pass, applying set-delimiter
 *      tags as they come; every token keeps its line and column;
 *   2. lines: a line holding only whitespace and non-interpolation tags is
 *      "standalone" and disappears from the output (its indentation becomes
 *      the indentation of a partial, parent or block on it);
 *   3. tree: an explicit stack (no recursion) nests sections, inverted
 *      sections, blocks and parents, checks every closing tag, and re-indents
 *      block content: indentation is removed where a block is defined and
 *      added where it is expanded (the ~inheritance spec).
 * Rendering walks the tree recursively, with a cap on the nesting of
 * sections, partials and blocks being rendered (so a block that contains
 * itself, or deep partial recursion, errors instead of overflowing the
 * stack); a step counter and an output cap stop hostile templates
 * (exponential partials, huge loops).
 * Indentation of standalone partials is applied lazily to template text at
 * the start of each line, never to newlines that come from the data.
 */
#include <dirent.h>
#include <stdarg.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "weft_templates.h"

#define MAX_NESTING 256
#define DEFAULT_MAX_OUTPUT ((size_t)64 << 20)
#define DEFAULT_MAX_DEPTH 64u
#define DEFAULT_MAX_STEPS 50000000ull
#define MAX_DIR_DEPTH 32
#define MAX_RENDER_NEST 1024 /* sections, partials and blocks being rendered */

/* ---- tree ---------------------------------------------------------------- */

typedef enum {
	N_TEXT,
	N_VAR,
	N_SECTION,
	N_INVERTED,
	N_PARTIAL,
	N_BLOCK,
	N_PARENT,
} node_kind;

typedef struct node node;
struct node {
	node_kind kind;
	int line, col;
	char *text; /* N_TEXT: content; others: the name */
	size_t len;
	char **segs; /* dotted name split; nsegs 0 = implicit iterator "." */
	size_t nsegs;
	bool escape;           /* N_VAR */
	char *indent;          /* partial/parent/block: indentation to add, or NULL */
	bool close_standalone; /* N_BLOCK: closing tag ended its own line */
	node *kids;
	size_t n, cap;
};

struct weft_templates_mustache {
	char *path;
	node root;
};

/* ---- tokens ---------------------------------------------------------------- */

typedef enum {
	T_TEXT,
	T_NL,
	T_VAR,
	T_UNESC,
	T_SECTION,
	T_INVERTED,
	T_CLOSE,
	T_COMMENT,
	T_PARTIAL,
	T_DELIM,
	T_BLOCK,
	T_PARENT,
} tok_kind;

typedef struct {
	tok_kind kind;
	size_t off, len;         /* text bytes, or the tag's trimmed name */
	int line, col;           /* where the token starts */
	size_t lineno;           /* logical line (newline tokens end lines) */
	size_t ind_off, ind_len; /* leading blanks of the token's line */
	bool drop;               /* removed: part of a standalone line */
	bool standalone;         /* a tag alone (with other tags) on its line */
	bool line_first;         /* first surviving token of its line */
} tok;

typedef struct {
	const char *path, *src;
	size_t len;
	weft_diags *d;
	tok *t;
	size_t n, cap;
} parser;

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int tok_push(parser *p, tok t)
{
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 64;
		tok *nt = realloc(p->t, cap * sizeof *nt);
		if (!nt)
			return WEFT_ENOMEM;
		p->t = nt;
		p->cap = cap;
	}
	p->t[p->n++] = t;
	return WEFT_OK;
}

/* Position tracking while scanning: line and column of offset `pos`. */
typedef struct {
	size_t pos;
	int line;
	size_t line_off;
} cursor;

static void cur_advance(cursor *c, const char *src, size_t to)
{
	for (; c->pos < to; c->pos++) {
		if (src[c->pos] == '\n') {
			c->line++;
			c->line_off = c->pos + 1;
		}
	}
}

static int cur_col(const cursor *c)
{
	size_t col = c->pos - c->line_off + 1;
	return col > (size_t)1 << 30 ? 1 << 30 : (int)col;
}

static const char *find(const char *hay, size_t hay_len, const char *needle, size_t nlen)
{
	if (nlen == 0 || nlen > hay_len)
		return NULL;
	const char *end = hay + hay_len - nlen;
	for (const char *h = hay; h <= end; h++) {
		h = memchr(h, needle[0], (size_t)(end - h) + 1);
		if (!h)
			return NULL;
		if (memcmp(h, needle, nlen) == 0)
			return h;
	}
	return NULL;
}

static void trim(const char *src, size_t *off, size_t *len)
{
	while (*len && is_space(src[*off])) {
		(*off)++;
		(*len)--;
	}
	while (*len && is_space(src[*off + *len - 1]))
		(*len)--;
}

static int perr(parser *p, int line, int col, const char *fmt, ...) WEFT_PRINTF(4, 5);
static int perr(parser *p, int line, int col, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	weft_diags_vadd(p->d, WEFT_SEV_ERROR, p->path, line, col, NULL, fmt, ap);
	va_end(ap);
	return WEFT_EINVALID;
}

/* Pass 1: tokens. */
static int scan(parser *p)
{
	const char *s = p->src;
	size_t len = p->len;
	char otag[64] = "{{", ctag[64] = "}}";
	size_t olen = 2, clen = 2;
	cursor c = { 0, 1, 0 };
	int err;
	while (c.pos < len) {
		size_t pos = c.pos;
		if (s[pos] == '\n' || (s[pos] == '\r' && pos + 1 < len && s[pos + 1] == '\n')) {
			size_t nl = s[pos] == '\n' ? 1 : 2;
			tok t = { .kind = T_NL, .off = pos, .len = nl, .line = c.line, .col = cur_col(&c) };
			if ((err = tok_push(p, t)))
				return err;
			cur_advance(&c, s, pos + nl);
			continue;
		}
		if (len - pos >= olen && memcmp(s + pos, otag, olen) == 0) {
			tok t = { .line = c.line, .col = cur_col(&c) };
			size_t body = pos + olen;
			const char *close;
			size_t name_off, name_len, after;
			char sig = body < len ? s[body] : '\0';
			if (sig == '{' || sig == '=') {
				/* {{{name}}} and {{=a b=}}: the sigil repeats before the closer */
				char want[65];
				want[0] = sig == '{' ? '}' : '=';
				memcpy(want + 1, ctag, clen);
				close = find(s + body + 1, len - body - 1, want, clen + 1);
				if (!close)
					return perr(p, t.line, t.col, "unclosed tag: no '%.*s' after it",
						    (int)clen + 1, want);
				t.kind = sig == '{' ? T_UNESC : T_DELIM;
				name_off = body + 1;
				name_len = (size_t)(close - s) - name_off;
				after = (size_t)(close - s) + clen + 1;
			} else {
				switch (sig) {
				case '&': t.kind = T_UNESC; break;
				case '#': t.kind = T_SECTION; break;
				case '^': t.kind = T_INVERTED; break;
				case '/': t.kind = T_CLOSE; break;
				case '!': t.kind = T_COMMENT; break;
				case '>': t.kind = T_PARTIAL; break;
				case '$': t.kind = T_BLOCK; break;
				case '<': t.kind = T_PARENT; break;
				default: t.kind = T_VAR; break;
				}
				name_off = t.kind == T_VAR ? body : body + 1;
				if (name_off > len)
					name_off = len;
				close = find(s + name_off, len - name_off, ctag, clen);
				if (!close)
					return perr(p, t.line, t.col, "unclosed tag: no '%.*s' after it",
						    (int)clen, ctag);
				name_len = (size_t)(close - s) - name_off;
				after = (size_t)(close - s) + clen;
			}
			trim(s, &name_off, &name_len);
			t.off = name_off;
			t.len = name_len;
			if (t.kind == T_DELIM) {
				/* two delimiters separated by blanks, neither containing '=' */
				size_t a = name_off, end = name_off + name_len, b;
				for (b = a; b < end && !is_space(s[b]); b++)
					;
				size_t a_len = b - a;
				while (b < end && is_space(s[b]))
					b++;
				size_t b_len = end - b;
				bool bad = a_len == 0 || b_len == 0 || a_len >= sizeof otag ||
					   b_len >= sizeof ctag || memchr(s + a, '=', a_len) ||
					   memchr(s + b, '=', b_len);
				for (size_t i = b; i < end && !bad; i++)
					bad = is_space(s[i]);
				if (bad)
					return perr(p, t.line, t.col,
						    "bad set-delimiters tag '%.*s': expected two delimiters "
						    "such as {{=<%% %%>=}}",
						    (int)(after - pos), s + pos);
				memcpy(otag, s + a, a_len);
				otag[a_len] = '\0';
				olen = a_len;
				memcpy(ctag, s + b, b_len);
				ctag[b_len] = '\0';
				clen = b_len;
			} else if (t.kind != T_COMMENT) {
				if (name_len == 0)
					return perr(p, t.line, t.col, "empty tag '%.*s'",
						    (int)(after - pos), s + pos);
				if (t.kind != T_PARTIAL && t.kind != T_PARENT) {
					for (size_t i = 0; i < name_len; i++)
						if (is_space(s[name_off + i]))
							return perr(p, t.line, t.col,
								    "bad tag name '%.*s': names contain no spaces",
								    (int)name_len, s + name_off);
				}
			}
			if ((err = tok_push(p, t)))
				return err;
			cur_advance(&c, s, after);
			continue;
		}
		/* text up to the next newline or opening delimiter */
		size_t end = pos + 1;
		while (end < len && s[end] != '\n' && !(s[end] == '\r' && end + 1 < len && s[end + 1] == '\n') &&
		       !(len - end >= olen && memcmp(s + end, otag, olen) == 0))
			end++;
		tok t = { .kind = T_TEXT, .off = pos, .len = end - pos, .line = c.line, .col = cur_col(&c) };
		if ((err = tok_push(p, t)))
			return err;
		cur_advance(&c, s, end);
	}
	return WEFT_OK;
}

static bool is_var(tok_kind k)
{
	return k == T_VAR || k == T_UNESC;
}

static bool is_tag(tok_kind k)
{
	return k != T_TEXT && k != T_NL;
}

/* Pass 2: standalone lines, line numbers, indentation. */
static void mark_lines(parser *p)
{
	size_t i = 0, lineno = 0;
	while (i < p->n) {
		size_t j = i;
		while (j < p->n && p->t[j].kind != T_NL)
			j++;
		size_t end = j < p->n ? j + 1 : j; /* tokens [i, end) incl. the newline */
		bool has_tag = false, ok = true;
		for (size_t k = i; k < j; k++) {
			tok *t = &p->t[k];
			if (is_tag(t->kind)) {
				has_tag = true;
				if (is_var(t->kind))
					ok = false;
			} else {
				for (size_t b = 0; b < t->len && ok; b++)
					ok = is_blank(p->src[t->off + b]);
			}
		}
		/* leading blanks of the line as written */
		size_t ind_off = i < p->n ? p->t[i].off : 0, ind_len = 0;
		if (i < p->n && p->t[i].kind == T_TEXT) {
			while (ind_len < p->t[i].len && is_blank(p->src[ind_off + ind_len]))
				ind_len++;
		}
		bool standalone = has_tag && ok;
		bool first = true;
		for (size_t k = i; k < end; k++) {
			tok *t = &p->t[k];
			t->lineno = lineno;
			t->ind_off = ind_off;
			t->ind_len = ind_len;
			if (standalone) {
				if (is_tag(t->kind))
					t->standalone = true;
				else
					t->drop = true;
			}
			if (!t->drop && first) {
				t->line_first = true;
				first = false;
			}
		}
		lineno++;
		i = end;
	}
}

/* ---- building the tree ------------------------------------------------------ */

static void node_clear(node *n)
{
	/* iterative over siblings, recursive over depth (bounded by MAX_NESTING) */
	for (size_t i = 0; i < n->n; i++)
		node_clear(&n->kids[i]);
	free(n->kids);
	free(n->text);
	for (size_t i = 0; i < n->nsegs; i++)
		free(n->segs[i]);
	free(n->segs);
	free(n->indent);
	memset(n, 0, sizeof *n);
}

static node *node_add(node *parent)
{
	if (parent->n == parent->cap) {
		size_t cap = parent->cap ? parent->cap * 2 : 4;
		node *nk = realloc(parent->kids, cap * sizeof *nk);
		if (!nk)
			return NULL;
		parent->kids = nk;
		parent->cap = cap;
	}
	node *n = &parent->kids[parent->n++];
	memset(n, 0, sizeof *n);
	return n;
}

static char *dup_n(const char *s, size_t len)
{
	char *r = malloc(len + 1);
	if (r) {
		memcpy(r, s, len);
		r[len] = '\0';
	}
	return r;
}

/* Split a dotted name; "." is the implicit iterator (no segments). */
static int split_name(parser *p, node *n, const tok *t)
{
	const char *s = p->src + t->off;
	size_t len = t->len;
	if (len == 1 && s[0] == '.')
		return WEFT_OK;
	size_t count = 1;
	for (size_t i = 0; i < len; i++)
		count += s[i] == '.';
	n->segs = calloc(count, sizeof *n->segs);
	if (!n->segs)
		return WEFT_ENOMEM;
	size_t start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		if (i == start)
			return perr(p, t->line, t->col, "bad name '%.*s': empty part in a dotted name",
				    (int)len, s);
		if (!(n->segs[n->nsegs++] = dup_n(s + start, i - start)))
			return WEFT_ENOMEM;
		start = i + 1;
	}
	return WEFT_OK;
}

typedef struct {
	node *n;
	size_t tok_index;      /* opening token */
	size_t ded_off, ded_len; /* absolute indentation stripped from content lines */
} frame;

/* Indentation (absolute, as offsets into src) of a standalone block opened
 * at token i: that of its first content line, or of the tag's own line when
 * the block is empty. */
static void block_indent(const parser *p, size_t i, size_t *off, size_t *len)
{
	const tok *open = &p->t[i];
	*off = open->ind_off;
	*len = open->ind_len;
	for (size_t k = i + 1; k < p->n; k++) {
		const tok *t = &p->t[k];
		if (t->lineno == open->lineno)
			continue;
		if (t->kind == T_NL)
			continue;
		if (t->kind == T_TEXT) {
			bool blank = true;
			for (size_t b = 0; b < t->len && blank; b++)
				blank = is_blank(p->src[t->off + b]);
			if (blank)
				continue;
		}
		if (t->kind != T_CLOSE) {
			*off = t->ind_off;
			*len = t->ind_len;
		}
		return;
	}
}

/* The part of (off,len) beyond the common prefix with the enclosing
 * indentation (eoff,elen). */
static char *relative_indent(const parser *p, size_t off, size_t len, size_t eoff, size_t elen)
{
	size_t k = 0;
	while (k < len && k < elen && p->src[off + k] == p->src[eoff + k])
		k++;
	return dup_n(p->src + off + k, len - k);
}

static int flush_text(weft_buf *pending, node *parent)
{
	if (pending->oom)
		return WEFT_ENOMEM;
	if (!pending->len)
		return WEFT_OK;
	node *n = node_add(parent);
	if (!n)
		return WEFT_ENOMEM;
	n->kind = N_TEXT;
	n->len = pending->len;
	n->text = weft_buf_detach(pending);
	*pending = (weft_buf)WEFT_BUF_INIT;
	return n->text ? WEFT_OK : WEFT_ENOMEM;
}

static const char *kind_word(node_kind k)
{
	switch (k) {
	case N_SECTION: return "section";
	case N_INVERTED: return "inverted section";
	case N_BLOCK: return "block";
	case N_PARENT: return "parent";
	default: return "tag";
	}
}

static int build(parser *p, node *root)
{
	frame stack[MAX_NESTING + 1];
	size_t depth = 0;
	stack[0] = (frame){ root, 0, 0, 0 };
	weft_buf pending = WEFT_BUF_INIT;
	int err = WEFT_OK;
	for (size_t i = 0; i < p->n && !err; i++) {
		const tok *t = &p->t[i];
		frame *top = &stack[depth];
		if (t->drop)
			continue;
		if (t->kind == T_TEXT || t->kind == T_NL) {
			const char *s = p->src + t->off;
			size_t len = t->len;
			if (t->kind == T_TEXT && t->line_first && top->ded_len) {
				size_t k = 0;
				while (k < len && k < top->ded_len && is_blank(s[k]) &&
				       s[k] == p->src[top->ded_off + k])
					k++;
				s += k;
				len -= k;
			}
			weft_buf_put(&pending, s, len);
			continue;
		}
		if (t->kind == T_COMMENT || t->kind == T_DELIM)
			continue;
		if ((err = flush_text(&pending, top->n)))
			break;
		if (t->kind == T_CLOSE) {
			if (depth == 0) {
				err = perr(p, t->line, t->col, "closing tag '{{/%.*s}}' without an open section",
					   (int)t->len, p->src + t->off);
				break;
			}
			node *open = top->n;
			if (open->len != t->len || memcmp(open->text, p->src + t->off, t->len) != 0) {
				weft_diags_add(p->d, WEFT_SEV_ERROR, p->path, t->line, t->col, NULL,
					       "closing tag '{{/%.*s}}' does not match the open %s '%s' "
					       "(line %d, column %d)",
					       (int)t->len, p->src + t->off, kind_word(open->kind), open->text,
					       open->line, open->col);
				err = WEFT_EINVALID;
				break;
			}
			if (open->kind == N_BLOCK)
				open->close_standalone = t->standalone;
			depth--;
			continue;
		}
		node *n = node_add(top->n);
		if (!n) {
			err = WEFT_ENOMEM;
			break;
		}
		n->line = t->line;
		n->col = t->col;
		if (!(n->text = dup_n(p->src + t->off, t->len))) {
			err = WEFT_ENOMEM;
			break;
		}
		n->len = t->len;
		switch (t->kind) {
		case T_VAR:
		case T_UNESC:
			n->kind = N_VAR;
			n->escape = t->kind == T_VAR;
			err = split_name(p, n, t);
			continue;
		case T_PARTIAL:
			n->kind = N_PARTIAL;
			if (t->standalone &&
			    !(n->indent = relative_indent(p, t->ind_off, t->ind_len, top->ded_off, top->ded_len)))
				err = WEFT_ENOMEM;
			continue;
		case T_SECTION:
		case T_INVERTED:
			n->kind = t->kind == T_SECTION ? N_SECTION : N_INVERTED;
			if ((err = split_name(p, n, t)))
				continue;
			break;
		case T_PARENT:
			n->kind = N_PARENT;
			if (t->standalone &&
			    !(n->indent = relative_indent(p, t->ind_off, t->ind_len, top->ded_off, top->ded_len)))
				err = WEFT_ENOMEM;
			break;
		case T_BLOCK:
			n->kind = N_BLOCK;
			break;
		default:
			continue;
		}
		if (err)
			break;
		if (depth == MAX_NESTING) {
			weft_diags_add(p->d, WEFT_SEV_ERROR, p->path, t->line, t->col, NULL,
				       "sections nested too deeply (more than %d)", MAX_NESTING);
			err = WEFT_EINVALID;
			break;
		}
		frame f = { n, i, top->ded_off, top->ded_len };
		if (n->kind == N_BLOCK && t->standalone) {
			size_t off, len;
			block_indent(p, i, &off, &len);
			if (!(n->indent = relative_indent(p, off, len, top->ded_off, top->ded_len))) {
				err = WEFT_ENOMEM;
				break;
			}
			f.ded_off = off;
			f.ded_len = len;
		}
		stack[++depth] = f;
	}
	if (!err)
		err = flush_text(&pending, stack[depth].n);
	if (!err && depth > 0) {
		const node *open = stack[depth].n;
		weft_diags_add(p->d, WEFT_SEV_ERROR, p->path, open->line, open->col, NULL,
			       "unclosed %s '%s': no '{{/%s}}' before the end of the template",
			       kind_word(open->kind), open->text, open->text);
		err = WEFT_EINVALID;
	}
	weft_buf_free(&pending);
	return err;
}

int weft_templates_mustache_parse(weft_templates_mustache **out, const char *path, const char *src,
				  size_t len, weft_diags *d)
{
	*out = NULL;
	weft_templates_mustache *t = calloc(1, sizeof *t);
	if (!t)
		return WEFT_ENOMEM;
	if (!(t->path = strdup(path ? path : "<template>"))) {
		free(t);
		return WEFT_ENOMEM;
	}
	parser p = { .path = t->path, .src = src ? src : "", .len = src ? len : 0, .d = d };
	int err = scan(&p);
	if (!err) {
		mark_lines(&p);
		err = build(&p, &t->root);
	}
	free(p.t);
	if (err) {
		if (err == WEFT_ENOMEM)
			weft_diags_add(d, WEFT_SEV_ERROR, t->path, 0, 0, NULL, "out of memory");
		weft_templates_mustache_free(t);
		return err;
	}
	*out = t;
	return WEFT_OK;
}

void weft_templates_mustache_free(weft_templates_mustache *t)
{
	if (!t)
		return;
	node_clear(&t->root);
	free(t->path);
	free(t);
}

/* ---- partials ---------------------------------------------------------------- */

typedef struct {
	char *name, *src, *path;
	size_t len;
	weft_templates_mustache *tpl;
	bool failed;
} partial;

struct weft_templates_partials {
	partial *v;
	size_t n, cap;
};

int weft_templates_partials_new(weft_templates_partials **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? WEFT_OK : WEFT_ENOMEM;
}

static void partial_clear(partial *e)
{
	free(e->name);
	free(e->src);
	free(e->path);
	weft_templates_mustache_free(e->tpl);
	memset(e, 0, sizeof *e);
}

void weft_templates_partials_free(weft_templates_partials *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		partial_clear(&p->v[i]);
	free(p->v);
	free(p);
}

static partial *partial_find(const weft_templates_partials *p, const char *name, size_t len)
{
	for (size_t i = 0; p && i < p->n; i++)
		if (strlen(p->v[i].name) == len && memcmp(p->v[i].name, name, len) == 0)
			return &p->v[i];
	return NULL;
}

int weft_templates_partials_add(weft_templates_partials *p, const char *name, const char *src,
				size_t len, const char *path)
{
	partial e = { 0 };
	e.name = strdup(name);
	e.src = dup_n(src ? src : "", src ? len : 0);
	e.path = strdup(path ? path : name);
	e.len = src ? len : 0;
	if (!e.name || !e.src || !e.path) {
		partial_clear(&e);
		return WEFT_ENOMEM;
	}
	partial *old = partial_find(p, name, strlen(name));
	if (old) {
		partial_clear(old);
		*old = e;
		return WEFT_OK;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 8;
		partial *nv = realloc(p->v, cap * sizeof *nv);
		if (!nv) {
			partial_clear(&e);
			return WEFT_ENOMEM;
		}
		p->v = nv;
		p->cap = cap;
	}
	p->v[p->n++] = e;
	return WEFT_OK;
}

static int load_dir(weft_templates_partials *p, const char *root, const char *rel, int depth,
		    weft_diags *d)
{
	weft_buf dir = WEFT_BUF_INIT;
	weft_buf_printf(&dir, "%s%s%s", root, *rel ? "/" : "", rel);
	if (dir.oom)
		return WEFT_ENOMEM;
	if (depth > MAX_DIR_DEPTH) {
		weft_diags_add(d, WEFT_SEV_ERROR, dir.ptr, 0, 0, NULL, "partials folder nested too deeply");
		weft_buf_free(&dir);
		return WEFT_EINVALID;
	}
	DIR *dh = opendir(dir.ptr);
	if (!dh) {
		weft_diags_add(d, WEFT_SEV_ERROR, dir.ptr, 0, 0, NULL, "cannot open partials folder");
		weft_buf_free(&dir);
		return WEFT_EENV;
	}
	int err = WEFT_OK;
	struct dirent *e;
	while (!err && (e = readdir(dh))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		weft_buf sub = WEFT_BUF_INIT, full = WEFT_BUF_INIT;
		weft_buf_printf(&sub, "%s%s%s", rel, *rel ? "/" : "", e->d_name);
		weft_buf_printf(&full, "%s/%s", dir.ptr, e->d_name);
		struct stat st;
		if (sub.oom || full.oom) {
			err = WEFT_ENOMEM;
		} else if (lstat(full.ptr, &st) != 0) {
			weft_diags_add(d, WEFT_SEV_ERROR, full.ptr, 0, 0, NULL, "cannot read");
			err = WEFT_EENV;
		} else if (S_ISLNK(st.st_mode)) {
			weft_diags_add(d, WEFT_SEV_ERROR, full.ptr, 0, 0,
				       "partials must be regular files inside the template",
				       "symbolic link in the partials folder");
			err = WEFT_EINVALID;
		} else if (S_ISDIR(st.st_mode)) {
			err = load_dir(p, root, sub.ptr, depth + 1, d);
		} else if (S_ISREG(st.st_mode)) {
			char *src = NULL;
			size_t len = 0;
			err = weft_file_read(&src, &len, full.ptr, 0, d);
			if (!err) {
				size_t n = strlen(sub.ptr);
				if (n > 9 && !strcmp(sub.ptr + n - 9, ".mustache"))
					sub.ptr[n - 9] = '\0';
				err = weft_templates_partials_add(p, sub.ptr, src, len, full.ptr);
			}
			free(src);
		}
		weft_buf_free(&sub);
		weft_buf_free(&full);
	}
	closedir(dh);
	weft_buf_free(&dir);
	return err;
}

int weft_templates_partials_load_dir(weft_templates_partials *p, const char *dir, weft_diags *d)
{
	return load_dir(p, dir, "", 0, d);
}

/* ---- rendering ------------------------------------------------------------------ */

typedef struct {
	weft_buf *out;
	weft_diags *d;
	const char *path; /* template being rendered, for diagnostics */
	weft_templates_partials *partials;
	bool escape, strict;
	size_t max_output;
	unsigned max_depth, depth;
	unsigned nest; /* render_nodes calls on the stack */
	uint64_t max_steps, steps;
	const cJSON **ctx;
	size_t nctx, capctx;
	const node **parents; /* parent tags being expanded, outermost first */
	size_t nparents, capparents;
	weft_buf indent;
	bool line_start;
} rctx;

static int check_out(rctx *c, const node *n)
{
	if (c->out->oom)
		return WEFT_ENOMEM;
	if (c->out->len > c->max_output) {
		weft_diags_add(c->d, WEFT_SEV_ERROR, c->path, n ? n->line : 0, n ? n->col : 0,
			       "a template that renders more is probably recursing",
			       "output larger than the limit of %zu bytes", c->max_output);
		return WEFT_EINVALID;
	}
	return WEFT_OK;
}

static void put_indent(rctx *c)
{
	if (c->line_start && c->indent.len)
		weft_buf_put(c->out, c->indent.ptr, c->indent.len);
	c->line_start = false;
}

static void emit_text(rctx *c, const char *s, size_t len)
{
	if (!len)
		return;
	if (!c->indent.len) {
		weft_buf_put(c->out, s, len);
		c->line_start = s[len - 1] == '\n';
		return;
	}
	size_t i = 0;
	while (i < len) {
		size_t j = i;
		while (j < len && s[j] != '\n')
			j++;
		if (j < len)
			j++; /* include the newline */
		/* a line with nothing but its line ending gets no indentation */
		bool empty = s[i] == '\n' || (s[i] == '\r' && i + 1 < len && s[i + 1] == '\n');
		if (!empty)
			put_indent(c);
		weft_buf_put(c->out, s + i, j - i);
		c->line_start = s[j - 1] == '\n';
		i = j;
	}
}

static void put_number(weft_buf *b, double v)
{
	if (!isfinite(v)) {
		weft_buf_puts(b, isnan(v) ? "NaN" : v > 0 ? "Infinity" : "-Infinity");
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15) {
		weft_buf_printf(b, "%.0f", v);
		return;
	}
	char tmp[40];
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*g", prec, v);
		if (strtod(tmp, NULL) == v)
			break;
	}
	weft_buf_puts(b, tmp);
}

static const cJSON *lookup(const rctx *c, const node *n)
{
	if (n->nsegs == 0)
		return c->nctx ? c->ctx[c->nctx - 1] : NULL;
	const cJSON *v = NULL;
	for (size_t i = c->nctx; i-- > 0 && !v;)
		if (cJSON_IsObject(c->ctx[i]))
			v = cJSON_GetObjectItemCaseSensitive(c->ctx[i], n->segs[0]);
	for (size_t s = 1; v && s < n->nsegs; s++)
		v = cJSON_IsObject(v) ? cJSON_GetObjectItemCaseSensitive(v, n->segs[s]) : NULL;
	return v;
}

static bool falsey(const cJSON *v)
{
	return !v || cJSON_IsFalse(v) || cJSON_IsNull(v) || cJSON_IsInvalid(v) ||
	       (cJSON_IsArray(v) && !v->child) ||
	       (cJSON_IsString(v) && (!v->valuestring || !*v->valuestring));
}

static int ctx_push(rctx *c, const cJSON *v)
{
	if (c->nctx == c->capctx) {
		size_t cap = c->capctx ? c->capctx * 2 : 16;
		const cJSON **nc = realloc(c->ctx, cap * sizeof *nc);
		if (!nc)
			return WEFT_ENOMEM;
		c->ctx = nc;
		c->capctx = cap;
	}
	c->ctx[c->nctx++] = v;
	return WEFT_OK;
}

static int render_nodes(rctx *c, const node *kids, size_t n);

static int render_var(rctx *c, const node *n)
{
	const cJSON *v = lookup(c, n);
	if (!v || cJSON_IsNull(v) || cJSON_IsArray(v) || cJSON_IsObject(v))
		return WEFT_OK;
	weft_buf tmp = WEFT_BUF_INIT;
	const char *s;
	if (cJSON_IsString(v)) {
		s = v->valuestring ? v->valuestring : "";
	} else if (cJSON_IsNumber(v)) {
		put_number(&tmp, v->valuedouble);
		s = tmp.ptr ? tmp.ptr : "";
	} else if (cJSON_IsBool(v)) {
		s = cJSON_IsTrue(v) ? "true" : "false";
	} else {
		return WEFT_OK;
	}
	if (*s) {
		put_indent(c);
		if (n->escape && c->escape)
			weft_buf_put_html(c->out, s);
		else
			weft_buf_puts(c->out, s);
	}
	bool oom = tmp.oom;
	weft_buf_free(&tmp);
	return oom ? WEFT_ENOMEM : WEFT_OK;
}

static int get_partial(rctx *c, const node *n, const weft_templates_mustache **out)
{
	*out = NULL;
	partial *e = partial_find(c->partials, n->text, n->len);
	if (!e) {
		if (c->strict) {
			weft_diags_add(c->d, WEFT_SEV_ERROR, c->path, n->line, n->col, NULL,
				       "partial '%s' not found", n->text);
			return WEFT_EINVALID;
		}
		return WEFT_OK;
	}
	if (e->failed)
		return WEFT_EINVALID;
	if (!e->tpl) {
		int err = weft_templates_mustache_parse(&e->tpl, e->path, e->src, e->len, c->d);
		if (err) {
			e->failed = true;
			return err;
		}
	}
	*out = e->tpl;
	return WEFT_OK;
}

/* Render a whole template (partial or parent) with extra indentation. */
static int render_included(rctx *c, const node *n, const weft_templates_mustache *t)
{
	if (c->depth >= c->max_depth) {
		weft_diags_add(c->d, WEFT_SEV_ERROR, c->path, n->line, n->col,
			       "a partial that includes itself needs data that ends the recursion",
			       "partials nested more than %u deep at '%s'", c->max_depth, n->text);
		return WEFT_EINVALID;
	}
	size_t saved = c->indent.len;
	if (n->indent)
		weft_buf_puts(&c->indent, n->indent);
	if (c->indent.oom)
		return WEFT_ENOMEM;
	const char *path = c->path;
	c->path = t->path;
	c->depth++;
	int err = render_nodes(c, t->root.kids, t->root.n);
	c->depth--;
	c->path = path;
	c->indent.len = saved;
	if (c->indent.ptr)
		c->indent.ptr[saved] = '\0';
	return err;
}

static const node *find_override(const rctx *c, const node *block)
{
	for (size_t i = 0; i < c->nparents; i++) {
		const node *p = c->parents[i];
		for (size_t k = 0; k < p->n; k++)
			if (p->kids[k].kind == N_BLOCK && !strcmp(p->kids[k].text, block->text))
				return &p->kids[k];
	}
	return NULL;
}

static int render_node(rctx *c, const node *n)
{
	if (++c->steps > c->max_steps) {
		weft_diags_add(c->d, WEFT_SEV_ERROR, c->path, n->line, n->col, NULL,
			       "template takes too long to render (more than %llu steps)",
			       (unsigned long long)c->max_steps);
		return WEFT_EINVALID;
	}
	int err = WEFT_OK;
	switch (n->kind) {
	case N_TEXT:
		emit_text(c, n->text, n->len);
		break;
	case N_VAR:
		err = render_var(c, n);
		break;
	case N_SECTION: {
		const cJSON *v = lookup(c, n);
		if (falsey(v))
			break;
		if (cJSON_IsArray(v)) {
			for (const cJSON *it = v->child; it && !err; it = it->next) {
				if (!(err = ctx_push(c, it))) {
					err = render_nodes(c, n->kids, n->n);
					c->nctx--;
				}
			}
		} else if (!(err = ctx_push(c, v))) {
			err = render_nodes(c, n->kids, n->n);
			c->nctx--;
		}
		break;
	}
	case N_INVERTED:
		if (falsey(lookup(c, n)))
			err = render_nodes(c, n->kids, n->n);
		break;
	case N_PARTIAL: {
		const weft_templates_mustache *t;
		if (!(err = get_partial(c, n, &t)) && t)
			err = render_included(c, n, t);
		break;
	}
	case N_PARENT: {
		const weft_templates_mustache *t;
		if ((err = get_partial(c, n, &t)) || !t)
			break;
		if (c->nparents == c->capparents) {
			size_t cap = c->capparents ? c->capparents * 2 : 8;
			const node **np = realloc(c->parents, cap * sizeof *np);
			if (!np)
				return WEFT_ENOMEM;
			c->parents = np;
			c->capparents = cap;
		}
		c->parents[c->nparents++] = n;
		err = render_included(c, n, t);
		c->nparents--;
		break;
	}
	case N_BLOCK: {
		const node *src = find_override(c, n);
		if (!src)
			src = n;
		size_t saved = c->indent.len, start = c->out->len;
		if (n->indent)
			weft_buf_puts(&c->indent, n->indent);
		if (c->indent.oom)
			return WEFT_ENOMEM;
		err = render_nodes(c, src->kids, src->n);
		/* a block that stood on its own lines expands to whole lines */
		if (!err && n->indent && n->close_standalone && c->out->len > start &&
		    c->out->ptr[c->out->len - 1] != '\n') {
			weft_buf_putc(c->out, '\n');
			c->line_start = true;
		}
		c->indent.len = saved;
		if (c->indent.ptr)
			c->indent.ptr[saved] = '\0';
		break;
	}
	}
	if (!err)
		err = check_out(c, n);
	return err;
}

static int render_nodes(rctx *c, const node *kids, size_t n)
{
	if (c->nest >= MAX_RENDER_NEST) {
		weft_diags_add(c->d, WEFT_SEV_ERROR, c->path, n ? kids[0].line : 0, n ? kids[0].col : 0,
			       "a block or partial that contains itself never ends",
			       "template nests more than %d levels deep while rendering", MAX_RENDER_NEST);
		return WEFT_EINVALID;
	}
	c->nest++;
	int err = WEFT_OK;
	for (size_t i = 0; i < n && !err; i++)
		err = render_node(c, &kids[i]);
	c->nest--;
	return err;
}

int weft_templates_mustache_render(weft_buf *out, const weft_templates_mustache *t,
				   const cJSON *data, const weft_templates_render_opts *opts,
				   weft_diags *d)
{
	weft_templates_render_opts o = { 0 };
	if (opts)
		o = *opts;
	rctx c = {
		.out = out,
		.d = d,
		.path = t->path,
		.partials = o.partials,
		.escape = o.escape_html,
		.strict = o.strict_partials,
		.max_output = o.max_output ? o.max_output : DEFAULT_MAX_OUTPUT,
		.max_depth = o.max_depth ? o.max_depth : DEFAULT_MAX_DEPTH,
		.max_steps = o.max_steps ? o.max_steps : DEFAULT_MAX_STEPS,
		.line_start = true,
	};
	cJSON *empty = NULL;
	if (!data && !(data = empty = cJSON_CreateObject()))
		return WEFT_ENOMEM;
	int err = ctx_push(&c, data);
	if (!err)
		err = render_nodes(&c, t->root.kids, t->root.n);
	if (err == WEFT_ENOMEM)
		weft_diags_add(d, WEFT_SEV_ERROR, t->path, 0, 0, NULL, "out of memory while rendering");
	free(c.ctx);
	free(c.parents);
	weft_buf_free(&c.indent);
	cJSON_Delete(empty);
	return err;
}

int weft_templates_render_string(char **out, const char *path, const char *src, const cJSON *data,
				 const weft_templates_render_opts *opts, weft_diags *d)
{
	*out = NULL;
	weft_templates_mustache *t = NULL;
	int err = weft_templates_mustache_parse(&t, path, src, src ? strlen(src) : 0, d);
	if (err)
		return err;
	weft_buf b = WEFT_BUF_INIT;
	weft_buf_put(&b, "", 0);
	err = weft_templates_mustache_render(&b, t, data, opts, d);
	weft_templates_mustache_free(t);
	if (!err && b.oom)
		err = WEFT_ENOMEM;
	if (err) {
		weft_buf_free(&b);
		return err;
	}
	*out = weft_buf_detach(&b);
	return *out ? WEFT_OK : WEFT_ENOMEM;
}
