/* yaml.c - a YAML loader on libyaml that keeps the position of every node.
 *
 * libyaml's own document loader drops nothing we need except safety: it
 * expands nothing but also caps nothing, and its callers must walk aliases
 * themselves. We compose the tree from the event stream instead, with an
 * explicit stack (no recursion), so that we can
 *   - keep 1-based line and column on every node,
 *   - count nodes *after* alias expansion while composing, and stop a
 *     billion-laughs document as soon as the count passes the cap (aliases
 *     share the anchored node, so memory stays linear in the input),
 *   - refuse aliases to anchors not yet complete (no cycles),
 *   - reject duplicate keys (sorted check, O(n log n) per mapping),
 *   - cap nesting depth and document size,
 *   - say where text that is not UTF-8 goes wrong. libyaml's reader reports
 *     a bad byte by its offset only, and reads UTF-16 silently; check_text()
 *     scans the buffer first and names the line and column (in characters,
 *     counted as libyaml counts them) of the first byte that is not UTF-8,
 *     the first NUL or control character, or refuses a UTF-16/32 BOM.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "weft_core.h"

#define DEFAULT_MAX_BYTES (16u << 20)
#define DEFAULT_MAX_NODES 1000000u
#define DEFAULT_MAX_DEPTH 256u

struct weft_yaml_doc {
	char *path;
	weft_yaml_node *root;
	weft_yaml_node **all; /* every node allocated, for freeing */
	size_t n_all, cap_all;
};

typedef struct {
	char *name;
	weft_yaml_node *node;
	size_t weight;
} anchor;

/* A collection being composed. */
typedef struct {
	weft_yaml_node *node;
	char *anchor;       /* registered when the collection ends */
	size_t weight;      /* expanded node count so far, this node included */
	size_t cap;
	weft_yaml_node *pending_key; /* mappings: key waiting for its value */
	size_t pending_key_weight;
} frame;

typedef struct {
	weft_yaml_doc *doc;
	weft_diags *d;
	weft_yaml_opts o;
	anchor *anchors;
	size_t n_anchors, cap_anchors;
	frame *stack;
	size_t depth, cap_stack;
	size_t expanded; /* nodes after alias expansion, whole document */
} composer;

static size_t sat_add(size_t a, size_t b)
{
	return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

static weft_yaml_node *node_new(composer *c, weft_yaml_kind kind, yaml_mark_t mark)
{
	weft_yaml_doc *doc = c->doc;
	if (doc->n_all == doc->cap_all) {
		size_t cap = doc->cap_all ? doc->cap_all * 2 : 64;
		weft_yaml_node **all = realloc(doc->all, cap * sizeof *all);
		if (!all)
			return NULL;
		doc->all = all;
		doc->cap_all = cap;
	}
	weft_yaml_node *n = calloc(1, sizeof *n);
	if (!n)
		return NULL;
	n->kind = kind;
	n->line = (int)mark.line + 1;
	n->col = (int)mark.column + 1;
	doc->all[doc->n_all++] = n;
	return n;
}

static void node_release(weft_yaml_node *n)
{
	free(n->tag);
	free(n->scalar);
	free(n->items);
	free(n->keys);
	free(n);
}

void weft_yaml_doc_free(weft_yaml_doc *doc)
{
	if (!doc)
		return;
	for (size_t i = 0; i < doc->n_all; i++)
		node_release(doc->all[i]);
	free(doc->all);
	free(doc->path);
	free(doc);
}

const weft_yaml_node *weft_yaml_doc_root(const weft_yaml_doc *doc)
{
	return doc ? doc->root : NULL;
}

const char *weft_yaml_doc_path(const weft_yaml_doc *doc)
{
	return doc ? doc->path : NULL;
}

static int oom(composer *c)
{
	weft_diags_error(c->d, c->doc->path, 0, 0, "out of memory while loading YAML");
	return WEFT_ENOMEM;
}

static int error_at(composer *c, yaml_mark_t m, const char *hint, const char *fmt, const char *arg)
{
	weft_diags_add(c->d, WEFT_SEV_ERROR, c->doc->path, (int)m.line + 1, (int)m.column + 1, hint,
		       fmt, arg);
	return WEFT_EINVALID;
}

/* Count weight more expanded nodes; fail past the cap. */
static int count(composer *c, size_t weight, yaml_mark_t m)
{
	c->expanded = sat_add(c->expanded, weight);
	if (c->expanded > c->o.max_nodes) {
		weft_diags_add(c->d, WEFT_SEV_ERROR, c->doc->path, (int)m.line + 1, (int)m.column + 1,
			       "the document expands aliases into too many nodes (a \"billion laughs\" "
			       "document?)",
			       "document has more than %zu nodes after alias expansion", c->o.max_nodes);
		return WEFT_EINVALID;
	}
	return WEFT_OK;
}

static int anchor_add(composer *c, char *name, weft_yaml_node *n, size_t weight)
{
	/* a redefined anchor shadows the earlier one: search from the end */
	if (c->n_anchors == c->cap_anchors) {
		size_t cap = c->cap_anchors ? c->cap_anchors * 2 : 16;
		anchor *a = realloc(c->anchors, cap * sizeof *a);
		if (!a) {
			free(name);
			return oom(c);
		}
		c->anchors = a;
		c->cap_anchors = cap;
	}
	c->anchors[c->n_anchors++] = (anchor){ name, n, weight };
	return WEFT_OK;
}

static const anchor *anchor_find(const composer *c, const char *name)
{
	for (size_t i = c->n_anchors; i-- > 0;)
		if (strcmp(c->anchors[i].name, name) == 0)
			return &c->anchors[i];
	return NULL;
}

static int frame_append(composer *c, frame *f, weft_yaml_node *child, size_t weight)
{
	weft_yaml_node *p = f->node;
	if (p->kind == WEFT_YAML_MAPPING && !f->pending_key) {
		if (child->kind != WEFT_YAML_SCALAR) {
			weft_diags_add(c->d, WEFT_SEV_ERROR, c->doc->path, child->line, child->col,
				       "write the key as a plain string",
				       "mapping keys must be scalars, got %s", weft_yaml_describe(child));
			return WEFT_EINVALID;
		}
		f->pending_key = child;
		f->pending_key_weight = weight;
		return WEFT_OK;
	}
	if (p->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 4;
		weft_yaml_node **items = realloc(p->items, cap * sizeof *items);
		if (!items)
			return oom(c);
		p->items = items;
		if (p->kind == WEFT_YAML_MAPPING) {
			weft_yaml_node **keys = realloc(p->keys, cap * sizeof *keys);
			if (!keys)
				return oom(c);
			p->keys = keys;
		}
		f->cap = cap;
	}
	if (p->kind == WEFT_YAML_MAPPING) {
		p->keys[p->n] = f->pending_key;
		f->weight = sat_add(f->weight, f->pending_key_weight);
		f->pending_key = NULL;
	}
	p->items[p->n++] = child;
	f->weight = sat_add(f->weight, weight);
	return WEFT_OK;
}

/* Attach a finished node to its parent, or make it the root. */
static int attach(composer *c, weft_yaml_node *n, size_t weight)
{
	if (c->depth == 0) {
		c->doc->root = n;
		return WEFT_OK;
	}
	return frame_append(c, &c->stack[c->depth - 1], n, weight);
}

static int cmp_keys(const void *a, const void *b)
{
	const weft_yaml_node *x = *(const weft_yaml_node *const *)a;
	const weft_yaml_node *y = *(const weft_yaml_node *const *)b;
	size_t l = x->len < y->len ? x->len : y->len;
	int r = memcmp(x->scalar, y->scalar, l);
	if (r)
		return r;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	/* equal keys: earlier position first */
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->col < y->col ? -1 : (x->col > y->col);
}

static int check_duplicates(composer *c, const weft_yaml_node *map)
{
	if (c->o.allow_duplicates || map->n < 2)
		return WEFT_OK;
	weft_yaml_node **sorted = malloc(map->n * sizeof *sorted);
	if (!sorted)
		return oom(c);
	memcpy(sorted, map->keys, map->n * sizeof *sorted);
	qsort(sorted, map->n, sizeof *sorted, cmp_keys);
	int err = WEFT_OK;
	for (size_t i = 1; i < map->n; i++) {
		const weft_yaml_node *a = sorted[i - 1], *b = sorted[i];
		if (a->len == b->len && memcmp(a->scalar, b->scalar, a->len) == 0) {
			char hint[64];
			snprintf(hint, sizeof hint, "first defined at line %d, column %d", a->line, a->col);
			weft_diags_add(c->d, WEFT_SEV_ERROR, c->doc->path, b->line, b->col, hint,
				       "duplicate key '%s'", b->scalar);
			err = WEFT_EINVALID;
		}
	}
	free(sorted);
	return err;
}

static int push(composer *c, weft_yaml_node *n, yaml_char_t *anchor_name, yaml_mark_t m)
{
	if (c->depth >= c->o.max_depth)
		return error_at(c, m, "flatten the document", "nesting deeper than %s levels",
				c->o.max_depth == DEFAULT_MAX_DEPTH ? "256" : "the limit of");
	if (c->depth == c->cap_stack) {
		size_t cap = c->cap_stack ? c->cap_stack * 2 : 16;
		frame *s = realloc(c->stack, cap * sizeof *s);
		if (!s)
			return oom(c);
		c->stack = s;
		c->cap_stack = cap;
	}
	frame *f = &c->stack[c->depth++];
	memset(f, 0, sizeof *f);
	f->node = n;
	f->weight = 1;
	if (anchor_name && !(f->anchor = strdup((char *)anchor_name)))
		return oom(c);
	return WEFT_OK;
}

static int pop(composer *c)
{
	frame f = c->stack[--c->depth];
	int err = WEFT_OK;
	if (f.node->kind == WEFT_YAML_MAPPING)
		err = check_duplicates(c, f.node);
	if (!err && f.anchor) {
		err = anchor_add(c, f.anchor, f.node, f.weight);
		f.anchor = NULL;
	}
	free(f.anchor);
	if (!err)
		err = attach(c, f.node, f.weight);
	return err;
}

static int set_tag(composer *c, weft_yaml_node *n, const yaml_char_t *tag)
{
	if (tag && !(n->tag = strdup((const char *)tag)))
		return oom(c);
	return WEFT_OK;
}

static int on_event(composer *c, yaml_event_t *ev, bool *done)
{
	int err;
	weft_yaml_node *n;
	switch (ev->type) {
	case YAML_STREAM_START_EVENT:
	case YAML_DOCUMENT_END_EVENT:
		return WEFT_OK;
	case YAML_DOCUMENT_START_EVENT:
		return WEFT_OK;
	case YAML_STREAM_END_EVENT:
		*done = true;
		return WEFT_OK;
	case YAML_SCALAR_EVENT:
		if ((err = count(c, 1, ev->start_mark)))
			return err;
		if (!(n = node_new(c, WEFT_YAML_SCALAR, ev->start_mark)))
			return oom(c);
		n->len = ev->data.scalar.length;
		if (!(n->scalar = malloc(n->len + 1)))
			return oom(c);
		memcpy(n->scalar, ev->data.scalar.value, n->len);
		n->scalar[n->len] = '\0';
		n->quoted = ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		if ((err = set_tag(c, n, ev->data.scalar.tag)))
			return err;
		if (ev->data.scalar.anchor) {
			char *name = strdup((char *)ev->data.scalar.anchor);
			if (!name || (err = anchor_add(c, name, n, 1)))
				return name ? err : oom(c);
		}
		return attach(c, n, 1);
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool seq = ev->type == YAML_SEQUENCE_START_EVENT;
		if ((err = count(c, 1, ev->start_mark)))
			return err;
		if (!(n = node_new(c, seq ? WEFT_YAML_SEQUENCE : WEFT_YAML_MAPPING, ev->start_mark)))
			return oom(c);
		if ((err = set_tag(c, n, seq ? ev->data.sequence_start.tag : ev->data.mapping_start.tag)))
			return err;
		return push(c, n, seq ? ev->data.sequence_start.anchor : ev->data.mapping_start.anchor,
			    ev->start_mark);
	}
	case YAML_SEQUENCE_END_EVENT:
	case YAML_MAPPING_END_EVENT:
		return pop(c);
	case YAML_ALIAS_EVENT: {
		const anchor *a = anchor_find(c, (const char *)ev->data.alias.anchor);
		if (!a)
			return error_at(c, ev->start_mark, "an alias must follow its complete anchor",
					"unknown anchor '%s'", (const char *)ev->data.alias.anchor);
		if ((err = count(c, a->weight, ev->start_mark)))
			return err;
		return attach(c, a->node, a->weight);
	}
	case YAML_NO_EVENT:
		return WEFT_OK;
	}
	return WEFT_OK;
}

static int parser_error(composer *c, const yaml_parser_t *p, const char *buf, size_t len)
{
	yaml_mark_t m = p->problem_mark;
	const char *hint = NULL;
	if (m.index < len && buf[m.index] == '\t')
		hint = "YAML does not allow tabs for indentation; use spaces";
	else if (p->problem && strstr(p->problem, "duplicate"))
		hint = NULL;
	weft_buf msg = WEFT_BUF_INIT;
	weft_buf_puts(&msg, p->problem ? p->problem : "malformed YAML");
	if (p->context) {
		weft_buf_printf(&msg, " %s", p->context);
		if (p->context_mark.line != m.line || p->context_mark.column != m.column)
			weft_buf_printf(&msg, " that starts at line %zu, column %zu",
					(size_t)p->context_mark.line + 1, (size_t)p->context_mark.column + 1);
	}
	if (p->error == YAML_READER_ERROR) {
		/* reader errors carry a byte offset, not a line */
		weft_diags_add(c->d, WEFT_SEV_ERROR, c->doc->path, 0, 0, "YAML files must be UTF-8 text",
			       "%s (at byte %zu)", msg.ptr ? msg.ptr : "invalid input",
			       (size_t)p->problem_offset);
	} else {
		weft_diags_add(c->d, WEFT_SEV_ERROR, c->doc->path, (int)m.line + 1, (int)m.column + 1, hint,
			       "%s", msg.ptr ? msg.ptr : "malformed YAML");
	}
	weft_buf_free(&msg);
	return WEFT_EINVALID;
}

/* ---- encoding ----------------------------------------------------------------- */

static bool starts_with(const char *buf, size_t len, const char *prefix, size_t n)
{
	return len >= n && memcmp(buf, prefix, n) == 0;
}

/* Why a file with a NUL in it is not text, for the hint. */
static const char *nul_hint(const char *buf, size_t len)
{
	/* ASCII as UTF-16: every other byte is 0 */
	if (len >= 2 && (buf[0] == 0) != (buf[1] == 0))
		return "this looks like UTF-16 text without a byte order mark; save it as UTF-8";
	return "this looks like a binary file, not YAML text; YAML files must be UTF-8 text";
}

/* Check that buf is YAML text: UTF-8 (after an optional UTF-8 BOM) of
 * characters YAML allows (no NUL, no C0 or C1 controls but tab, CR, LF and
 * NEL, no DEL, no U+FFFE/U+FFFF: what libyaml's reader allows). On the first
 * offence record an error at its line and column: 1-based, columns in
 * characters; CR LF, CR, LF, NEL, U+2028 and U+2029 each end a line, as in
 * libyaml's marks. */
static int check_text(weft_diags *d, const char *path, const char *buf, size_t len)
{
	static const char save[] = "most editors can change the encoding under \"Save as\"";
	if (starts_with(buf, len, "\0\0\xfe\xff", 4) || starts_with(buf, len, "\xff\xfe\0\0", 4)) {
		weft_diags_add(d, WEFT_SEV_ERROR, path, 1, 1, save,
			       "UTF-32 is not supported; save as UTF-8");
		return WEFT_EINVALID;
	}
	if (starts_with(buf, len, "\xfe\xff", 2) || starts_with(buf, len, "\xff\xfe", 2)) {
		weft_diags_add(d, WEFT_SEV_ERROR, path, 1, 1, save,
			       "UTF-16 is not supported; save as UTF-8");
		return WEFT_EINVALID;
	}
	bool binary = memchr(buf, 0, len) != NULL;
	size_t i = starts_with(buf, len, "\xef\xbb\xbf", 3) ? 3 : 0; /* the BOM takes no column */
	int line = 1, col = 1;
	while (i < len) {
		unsigned char c = (unsigned char)buf[i];
		if (c >= 0x20 && c < 0x7F) { /* the common case */
			i++;
			col++;
			continue;
		}
		unsigned long cp;
		size_t n = weft_utf8_decode(&cp, buf + i, len - i);
		if (!n) {
			weft_diags_add(d, WEFT_SEV_ERROR, path, line, col,
				       binary ? nul_hint(buf, len)
					      : "save the file as UTF-8 (a byte like this often means "
						"Latin-1 or Windows-1252 text)",
				       "not UTF-8 text (byte 0x%02x)", c);
			return WEFT_EINVALID;
		}
		if (cp == 0) {
			weft_diags_add(d, WEFT_SEV_ERROR, path, line, col, nul_hint(buf, len),
				       "NUL byte in text");
			return WEFT_EINVALID;
		}
		bool brk = cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
		if (!brk && cp != '\t' && (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))) {
			weft_diags_add(d, WEFT_SEV_ERROR, path, line, col,
				       binary ? nul_hint(buf, len)
					      : "YAML allows no control characters but tab and line "
						"breaks; in a double-quoted string write it as an escape",
				       "control character U+%04lX in text", cp);
			return WEFT_EINVALID;
		}
		if (cp == 0xFFFE || cp == 0xFFFF) {
			weft_diags_add(d, WEFT_SEV_ERROR, path, line, col, NULL,
				       "non-character U+%04lX in text", cp);
			return WEFT_EINVALID;
		}
		i += n;
		if (brk) {
			if (cp == '\r' && i < len && buf[i] == '\n')
				i++;
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	return WEFT_OK;
}

int weft_yaml_load_buffer(weft_yaml_doc **out, const char *name, const char *buf, size_t len,
			  const weft_yaml_opts *opts, weft_diags *d)
{
	*out = NULL;
	composer c = { 0 };
	c.d = d;
	if (opts)
		c.o = *opts;
	if (!c.o.max_bytes)
		c.o.max_bytes = DEFAULT_MAX_BYTES;
	if (!c.o.max_nodes)
		c.o.max_nodes = DEFAULT_MAX_NODES;
	if (!c.o.max_depth)
		c.o.max_depth = DEFAULT_MAX_DEPTH;
	if (!(c.doc = calloc(1, sizeof *c.doc)) || !(c.doc->path = strdup(name ? name : "<input>"))) {
		weft_yaml_doc_free(c.doc);
		weft_diags_error(d, name, 0, 0, "out of memory");
		return WEFT_ENOMEM;
	}
	if (len > c.o.max_bytes) {
		weft_diags_add(d, WEFT_SEV_ERROR, c.doc->path, 0, 0, NULL,
			       "document is %zu bytes, larger than the limit of %zu", len, c.o.max_bytes);
		weft_yaml_doc_free(c.doc);
		return WEFT_EINVALID;
	}
	if (check_text(d, c.doc->path, buf, len)) {
		weft_yaml_doc_free(c.doc);
		return WEFT_EINVALID;
	}

	yaml_parser_t parser;
	if (!yaml_parser_initialize(&parser)) {
		weft_yaml_doc_free(c.doc);
		return WEFT_ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	int err = WEFT_OK;
	bool done = false;
	int documents = 0;
	while (!err && !done) {
		yaml_event_t ev;
		if (!yaml_parser_parse(&parser, &ev)) {
			err = parser_error(&c, &parser, buf, len);
			break;
		}
		if (ev.type == YAML_DOCUMENT_START_EVENT && ++documents > 1)
			err = error_at(&c, ev.start_mark, "split the file, one document per file",
				       "%s", "expected a single YAML document, found a second one");
		else
			err = on_event(&c, &ev, &done);
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);

	while (c.depth > 0) {
		frame *f = &c.stack[--c.depth];
		free(f->anchor);
	}
	free(c.stack);
	for (size_t i = 0; i < c.n_anchors; i++)
		free(c.anchors[i].name);
	free(c.anchors);
	if (err) {
		weft_yaml_doc_free(c.doc);
		return err;
	}
	*out = c.doc;
	return WEFT_OK;
}

int weft_yaml_load_file(weft_yaml_doc **out, const char *path, const weft_yaml_opts *opts,
			weft_diags *d)
{
	*out = NULL;
	size_t max = opts && opts->max_bytes ? opts->max_bytes : DEFAULT_MAX_BYTES;
	char *buf;
	size_t len;
	int err = weft_file_read(&buf, &len, path, max, d);
	if (err)
		return err;
	err = weft_yaml_load_buffer(out, path, buf, len, opts, d);
	free(buf);
	return err;
}

/* ---- typed access ---------------------------------------------------------- */

bool weft_yaml_is_null(const weft_yaml_node *n)
{
	if (!n)
		return true;
	if (n->kind != WEFT_YAML_SCALAR || n->quoted)
		return false;
	const char *s = n->scalar;
	return !*s || !strcmp(s, "~") || !strcmp(s, "null") || !strcmp(s, "Null") || !strcmp(s, "NULL");
}

int weft_yaml_as_bool(bool *out, const weft_yaml_node *n)
{
	if (!n || n->kind != WEFT_YAML_SCALAR || n->quoted)
		return WEFT_EINVALID;
	const char *s = n->scalar;
	if (!strcmp(s, "true") || !strcmp(s, "True") || !strcmp(s, "TRUE")) {
		*out = true;
		return WEFT_OK;
	}
	if (!strcmp(s, "false") || !strcmp(s, "False") || !strcmp(s, "FALSE")) {
		*out = false;
		return WEFT_OK;
	}
	return WEFT_EINVALID;
}

int weft_yaml_as_int(long long *out, const weft_yaml_node *n)
{
	if (!n || n->kind != WEFT_YAML_SCALAR || n->quoted || !n->len || n->len != strlen(n->scalar))
		return WEFT_EINVALID;
	const char *s = n->scalar;
	int base = 10;
	const char *digits = s + (*s == '-' || *s == '+');
	if (digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'o')) {
		if (digits != s) /* YAML 1.2 core: no sign on hex or octal */
			return WEFT_EINVALID;
		base = digits[1] == 'x' ? 16 : 8;
		s += 2;
	}
	if (!*s || *s == ' ')
		return WEFT_EINVALID;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, base);
	if (errno || *end)
		return WEFT_EINVALID;
	*out = v;
	return WEFT_OK;
}

int weft_yaml_as_num(double *out, const weft_yaml_node *n)
{
	if (!n || n->kind != WEFT_YAML_SCALAR || n->quoted || !n->len || n->len != strlen(n->scalar))
		return WEFT_EINVALID;
	long long i;
	if (weft_yaml_as_int(&i, n) == WEFT_OK) {
		*out = (double)i;
		return WEFT_OK;
	}
	/* plain decimal only: strtod alone would also take "inf", "nan", hex */
	for (const char *p = n->scalar; *p; p++)
		if (!strchr("0123456789+-.eE", *p))
			return WEFT_EINVALID;
	char *end;
	errno = 0;
	double v = strtod(n->scalar, &end);
	if (errno || *end || !isfinite(v))
		return WEFT_EINVALID;
	*out = v;
	return WEFT_OK;
}

const char *weft_yaml_describe(const weft_yaml_node *n)
{
	if (!n)
		return "nothing";
	switch (n->kind) {
	case WEFT_YAML_MAPPING:
		return "a mapping";
	case WEFT_YAML_SEQUENCE:
		return "a sequence";
	case WEFT_YAML_SCALAR:
		break;
	}
	if (n->quoted)
		return "a string";
	bool b;
	double v;
	if (weft_yaml_is_null(n))
		return "null";
	if (weft_yaml_as_bool(&b, n) == WEFT_OK)
		return "a boolean";
	if (weft_yaml_as_num(&v, n) == WEFT_OK)
		return "a number";
	return "a string";
}

const weft_yaml_node *weft_yaml_get(const weft_yaml_node *map, const char *key)
{
	if (!map || map->kind != WEFT_YAML_MAPPING)
		return NULL;
	size_t len = strlen(key);
	for (size_t i = 0; i < map->n; i++)
		if (map->keys[i]->len == len && memcmp(map->keys[i]->scalar, key, len) == 0)
			return map->items[i];
	return NULL;
}

static const char *kind_name(weft_yaml_kind k)
{
	switch (k) {
	case WEFT_YAML_MAPPING: return "a mapping";
	case WEFT_YAML_SEQUENCE: return "a sequence";
	case WEFT_YAML_SCALAR: break;
	}
	return "a scalar";
}

int weft_yaml_expect(const weft_yaml_doc *doc, const weft_yaml_node *n, weft_yaml_kind k,
		     const char *what, weft_diags *d)
{
	if (n && n->kind == k)
		return WEFT_OK;
	weft_diags_add(d, WEFT_SEV_ERROR, weft_yaml_doc_path(doc), n ? n->line : 0, n ? n->col : 0, NULL,
		       "%s%sexpected %s, got %s", what ? what : "", what ? ": " : "", kind_name(k),
		       weft_yaml_describe(n));
	return WEFT_EINVALID;
}

/* Find key in map; handle absence. Returns 1 when found, 0 when absent and
 * fine, negative on error. */
static int field(const weft_yaml_node **out, const weft_yaml_doc *doc, const weft_yaml_node *map,
		 const char *key, bool required, weft_diags *d)
{
	*out = weft_yaml_get(map, key);
	if (*out && !weft_yaml_is_null(*out))
		return 1;
	if (!required)
		return 0;
	weft_diags_add(d, WEFT_SEV_ERROR, weft_yaml_doc_path(doc), map ? map->line : 0, map ? map->col : 0,
		       NULL, *out ? "field '%s' is empty" : "missing required field '%s'", key);
	return WEFT_EINVALID;
}

static int type_error(const weft_yaml_doc *doc, const weft_yaml_node *n, const char *key,
		      const char *expected, weft_diags *d)
{
	weft_diags_add(d, WEFT_SEV_ERROR, weft_yaml_doc_path(doc), n->line, n->col, NULL,
		       "'%s': expected %s, got %s", key, expected, weft_yaml_describe(n));
	return WEFT_EINVALID;
}

int weft_yaml_str(const char **out, const weft_yaml_doc *doc, const weft_yaml_node *map,
		  const char *key, bool required, weft_diags *d)
{
	const weft_yaml_node *n;
	int r = field(&n, doc, map, key, required, d);
	if (r <= 0)
		return r;
	if (n->kind != WEFT_YAML_SCALAR)
		return type_error(doc, n, key, "a string", d);
	if (n->len != strlen(n->scalar)) {
		weft_diags_add(d, WEFT_SEV_ERROR, weft_yaml_doc_path(doc), n->line, n->col, NULL,
			       "'%s': string contains a NUL character", key);
		return WEFT_EINVALID;
	}
	*out = n->scalar;
	return WEFT_OK;
}

int weft_yaml_int(long long *out, const weft_yaml_doc *doc, const weft_yaml_node *map,
		  const char *key, bool required, weft_diags *d)
{
	const weft_yaml_node *n;
	int r = field(&n, doc, map, key, required, d);
	if (r <= 0)
		return r;
	return weft_yaml_as_int(out, n) == WEFT_OK ? WEFT_OK : type_error(doc, n, key, "an integer", d);
}

int weft_yaml_num(double *out, const weft_yaml_doc *doc, const weft_yaml_node *map,
		  const char *key, bool required, weft_diags *d)
{
	const weft_yaml_node *n;
	int r = field(&n, doc, map, key, required, d);
	if (r <= 0)
		return r;
	return weft_yaml_as_num(out, n) == WEFT_OK ? WEFT_OK : type_error(doc, n, key, "a number", d);
}

int weft_yaml_bool(bool *out, const weft_yaml_doc *doc, const weft_yaml_node *map,
		   const char *key, bool required, weft_diags *d)
{
	const weft_yaml_node *n;
	int r = field(&n, doc, map, key, required, d);
	if (r <= 0)
		return r;
	return weft_yaml_as_bool(out, n) == WEFT_OK ? WEFT_OK
						    : type_error(doc, n, key, "a boolean (true or false)", d);
}

size_t weft_yaml_check_keys(const weft_yaml_doc *doc, const weft_yaml_node *map,
			    const char *const *known, weft_severity sev, weft_diags *d)
{
	if (!map || map->kind != WEFT_YAML_MAPPING)
		return 0;
	size_t n_known = 0;
	while (known[n_known])
		n_known++;
	size_t unknown = 0;
	for (size_t i = 0; i < map->n; i++) {
		const weft_yaml_node *k = map->keys[i];
		bool found = false;
		for (size_t j = 0; j < n_known && !found; j++)
			found = strcmp(k->scalar, known[j]) == 0;
		if (found)
			continue;
		unknown++;
		const char *s = weft_suggest(k->scalar, known, n_known);
		char hint[128];
		if (s)
			snprintf(hint, sizeof hint, "did you mean '%s'?", s);
		weft_diags_add(d, sev, weft_yaml_doc_path(doc), k->line, k->col, s ? hint : NULL,
			       "unknown field '%s'", k->scalar);
	}
	return unknown;
}
