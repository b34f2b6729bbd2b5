/* answers_edit.c - edit an answers file in place: the text a person wrote,
 * with only the answers (and header fields) that changed edited.
 *
 * Design choice: the core YAML loader gives every node's first line and
 * column (in characters, as libyaml counts them) but no end. So every value
 * edited here is found from its key: the key's text is scanned from its
 * position to the ':' that follows, the value from there; a scalar must be
 * written on one line (plain, '...' or "..."), and a flow mapping must close
 * on the line it opens on. Each scan is checked against what the loader
 * read (a plain scalar's text, the node's position), so an anchor, an alias,
 * a tag, a block scalar, a multi-line value or anything else not understood
 * makes the edit unsafe, and the caller gets the standard layout instead.
 * Last, the patched text is loaded again and must equal the answers it is
 * meant to hold, field by field; if not, the standard layout is written.
 * That self-check is what makes editing in place safe: a scan that guesses
 * wrong can only cost the person their layout, never an answer.
 */
#include <stdlib.h>
#include <string.h>

#include "assess_int.h"

typedef struct {
	size_t start, end; /* replace orig[start, end) */
	char *text;
	size_t seq;
} edit;

typedef struct {
	const char *s;
	size_t len;
	size_t *lines; /* lines[i]: offset where line i + 1 starts */
	size_t n_lines;
	const char *eol;
	edit *e;
	size_t n, cap;
	bool bad; /* cannot be edited in place safely */
	bool oom;
} pctx;

/* One `key: value` of a mapping, found in the text. */
typedef struct {
	size_t key, colon;  /* offsets of the key's first byte and of its ':' */
	size_t vstart, vend; /* the value's text; equal when the value is empty */
	bool empty;         /* nothing after the ':' (a null value) */
	bool flow_map;      /* a {...} on one line: vstart at '{', vend after '}' */
	bool block_map;     /* a block mapping on the lines below */
} entry;

/* ---- the text ---- */

static bool build_lines(pctx *p)
{
	size_t cap = 64;
	p->lines = malloc(cap * sizeof *p->lines);
	if (!p->lines) {
		p->oom = true;
		return false;
	}
	p->lines[p->n_lines++] = 0;
	p->eol = NULL;
	for (size_t i = 0; i < p->len; i++) {
		unsigned char c = (unsigned char)p->s[i];
		size_t next;
		if (c == '\n') {
			if (!p->eol)
				p->eol = "\n";
			next = i + 1;
		} else if (c == '\r') {
			if (i + 1 < p->len && p->s[i + 1] == '\n') {
				if (!p->eol)
					p->eol = "\r\n";
				i++;
				next = i + 1;
			} else {
				return false; /* a lone CR is a line break to YAML: not worth the risk */
			}
		} else if (c == 0 || c == '\t') {
			return false; /* NUL; tabs (indentation or separation) are not handled */
		} else if (c == 0xC2 && i + 1 < p->len && (unsigned char)p->s[i + 1] == 0x85) {
			return false; /* NEL: a line break to libyaml */
		} else if (c == 0xE2 && i + 2 < p->len && (unsigned char)p->s[i + 1] == 0x80 &&
			   ((unsigned char)p->s[i + 2] == 0xA8 || (unsigned char)p->s[i + 2] == 0xA9)) {
			return false; /* LS, PS */
		} else if (i == 0 && c == 0xEF) {
			return false; /* a byte-order mark shifts libyaml's columns */
		} else {
			continue;
		}
		if (p->n_lines == cap) {
			size_t *n = realloc(p->lines, cap * 2 * sizeof *n);
			if (!n) {
				p->oom = true;
				return false;
			}
			p->lines = n;
			cap *= 2;
		}
		p->lines[p->n_lines++] = next;
	}
	if (!p->eol)
		p->eol = "\n";
	return true;
}

/* The offset where the line holding off ends (at its line break or the end). */
static size_t line_end(const pctx *p, size_t off)
{
	while (off < p->len && p->s[off] != '\n' && p->s[off] != '\r')
		off++;
	return off;
}

static size_t line_start(const pctx *p, size_t off)
{
	while (off > 0 && p->s[off - 1] != '\n')
		off--;
	return off;
}

/* The offset of a node's line and column (characters), or SIZE_MAX. */
static size_t off_at(pctx *p, int line, int col)
{
	if (line < 1 || (size_t)line > p->n_lines || col < 1) {
		p->bad = true;
		return SIZE_MAX;
	}
	size_t o = p->lines[line - 1], e = line_end(p, o);
	for (int c = 1; c < col; c++) {
		if (o >= e) {
			p->bad = true;
			return SIZE_MAX;
		}
		o++;
		while (o < e && ((unsigned char)p->s[o] & 0xC0) == 0x80)
			o++;
	}
	return o;
}

static size_t skip_spaces(const pctx *p, size_t o)
{
	while (o < p->len && p->s[o] == ' ')
		o++;
	return o;
}

/* Only spaces, or a comment, from o to the end of its line. */
static bool rest_blank(const pctx *p, size_t o)
{
	size_t q = skip_spaces(p, o);
	if (q >= p->len || p->s[q] == '\n' || p->s[q] == '\r')
		return true;
	return p->s[q] == '#' && (q == 0 || p->s[q - 1] == ' ');
}

/* Only spaces from the line's start to o. */
static bool lead_blank(const pctx *p, size_t o)
{
	for (size_t i = line_start(p, o); i < o; i++)
		if (p->s[i] != ' ')
			return false;
	return true;
}

/* The end of a one-line scalar starting at o; SIZE_MAX (and bad) when it is
 * not one: block scalars, anchors, aliases, tags, quotes not closed on the
 * line. A plain scalar must read back as n's text. */
static size_t scalar_end(pctx *p, size_t o, bool flow, bool key, const weft_yaml_node *n)
{
	size_t e = line_end(p, o);
	if (o >= e || !n || n->kind != WEFT_YAML_SCALAR || n->tag)
		goto bad;
	char c = p->s[o];
	if (c == '"') {
		for (size_t i = o + 1; i < e; i++) {
			if (p->s[i] == '\\')
				i++;
			else if (p->s[i] == '"')
				return i + 1;
		}
		goto bad;
	}
	if (c == '\'') {
		for (size_t i = o + 1; i < e; i++) {
			if (p->s[i] == '\'') {
				if (i + 1 < e && p->s[i + 1] == '\'')
					i++;
				else
					return i + 1;
			}
		}
		goto bad;
	}
	if (strchr("|>&*!?{}[],#%@`", c) || n->quoted)
		goto bad;
	size_t i = o;
	for (; i < e; i++) {
		char ch = p->s[i];
		if (ch == '#' && i > o && p->s[i - 1] == ' ')
			break;
		if (ch == ':' && (i + 1 >= e || p->s[i + 1] == ' ' ||
				  (flow && strchr(",[]{}", p->s[i + 1]))))
			break;
		if (flow && strchr(",[]{}", ch))
			break;
	}
	while (i > o && p->s[i - 1] == ' ')
		i--;
	(void)key;
	if (i - o != n->len || memcmp(p->s + o, n->scalar, n->len) != 0)
		goto bad;
	return i;
bad:
	p->bad = true;
	return SIZE_MAX;
}

/* The end (after '}') of a flow mapping opening at o and closing on the
 * same line; SIZE_MAX (and bad) otherwise. */
static size_t flow_end(pctx *p, size_t o)
{
	size_t e = line_end(p, o);
	int depth = 0;
	for (size_t i = o; i < e; i++) {
		char c = p->s[i];
		if (c == '"' || c == '\'') {
			size_t j = i + 1;
			for (; j < e; j++) {
				if (c == '"' && p->s[j] == '\\')
					j++;
				else if (p->s[j] == c) {
					if (c == '\'' && j + 1 < e && p->s[j + 1] == '\'')
						j++;
					else
						break;
				}
			}
			if (j >= e)
				break;
			i = j;
		} else if (c == '#' && i > o && p->s[i - 1] == ' ') {
			break;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			if (--depth == 0)
				return c == '}' ? i + 1 : SIZE_MAX;
		} else if (c == '&' || c == '*' || c == '!') {
			/* anchors, aliases, tags inside: not editable (a plain scalar
			 * may hold these characters too; being careful costs only the layout) */
			break;
		}
	}
	p->bad = true;
	return SIZE_MAX;
}

/* Find entry i of map (flow: map is a {...}) in the text. */
static bool locate(pctx *p, const weft_yaml_node *map, size_t i, bool flow, entry *out)
{
	memset(out, 0, sizeof *out);
	const weft_yaml_node *k = map->keys[i], *v = map->items[i];
	size_t ks = off_at(p, k->line, k->col);
	if (p->bad)
		return false;
	size_t ke = scalar_end(p, ks, flow, true, k);
	if (p->bad)
		return false;
	size_t j = skip_spaces(p, ke);
	if (j >= p->len || p->s[j] != ':') {
		p->bad = true;
		return false;
	}
	out->key = ks;
	out->colon = j;
	j = skip_spaces(p, j + 1);
	bool at_end = j >= p->len || p->s[j] == '\n' || p->s[j] == '\r' ||
		      (p->s[j] == '#' && p->s[j - 1] == ' ') || (flow && (p->s[j] == ',' || p->s[j] == '}'));
	if (v->kind == WEFT_YAML_SCALAR) {
		if (at_end) {
			if (!weft_yaml_is_null(v) || v->len || v->tag) {
				p->bad = true;
				return false;
			}
			out->empty = true;
			out->vstart = out->vend = j;
			return true;
		}
		if (off_at(p, v->line, v->col) != j) {
			p->bad = true; /* an alias, or not where it seemed */
			return false;
		}
		out->vstart = j;
		out->vend = scalar_end(p, j, flow, false, v);
		return !p->bad;
	}
	if (v->kind == WEFT_YAML_MAPPING && !at_end && p->s[j] == '{') {
		if (off_at(p, v->line, v->col) != j || v->tag) {
			p->bad = true;
			return false;
		}
		out->vstart = j;
		out->vend = flow_end(p, j);
		out->flow_map = true;
		return !p->bad;
	}
	if (v->kind == WEFT_YAML_MAPPING && at_end && !flow && v->n > 0 && !v->tag) {
		/* a block mapping: it starts at its first key, on a later line */
		size_t f = off_at(p, v->keys[0]->line, v->keys[0]->col);
		if (p->bad || off_at(p, v->line, v->col) != f || f <= line_end(p, j) ||
		    !lead_blank(p, f)) {
			p->bad = true;
			return false;
		}
		out->vstart = out->vend = j;
		out->block_map = true;
		return true;
	}
	p->bad = true;
	return false;
}

static long find_key(const weft_yaml_node *map, const char *key)
{
	for (size_t i = 0; map && i < map->n; i++)
		if (map->keys[i]->kind == WEFT_YAML_SCALAR && !strcmp(map->keys[i]->scalar, key) &&
		    map->keys[i]->len == strlen(key))
			return (long)i;
	return -1;
}

/* ---- edits ---- */

static void add_edit(pctx *p, size_t start, size_t end, weft_buf *text)
{
	if (p->bad || p->oom)
		goto out;
	if (text && text->oom) {
		p->oom = true;
		goto out;
	}
	if (p->n == p->cap) {
		size_t cap = p->cap ? p->cap * 2 : 16;
		edit *n = realloc(p->e, cap * sizeof *n);
		if (!n) {
			p->oom = true;
			goto out;
		}
		p->e = n;
		p->cap = cap;
	}
	char *t = text && text->len ? weft_buf_detach(text) : strdup("");
	if (!t) {
		p->oom = true;
		goto out;
	}
	p->e[p->n] = (edit){ start, end, t, p->n };
	p->n++;
out:
	if (text)
		weft_buf_free(text);
}

/* Insert lines (each ending in the file's line break) after the line that
 * holds off. */
static void add_lines_after(pctx *p, size_t off, weft_buf *lines)
{
	size_t e = line_end(p, off);
	if (e < p->len) {
		size_t at = e + (p->s[e] == '\r' ? 2 : 1);
		add_edit(p, at, at, lines);
		return;
	}
	/* the last line has no line break: start with one, end without */
	weft_buf b = WEFT_BUF_INIT;
	weft_buf_puts(&b, p->eol);
	size_t el = strlen(p->eol);
	if (lines->len >= el)
		weft_buf_put(&b, lines->ptr, lines->len - el);
	weft_buf_free(lines);
	add_edit(p, e, e, &b);
}

/* Replace the value of an entry (a scalar or nothing) with text ("" clears
 * it). A value written where there was none goes right after the ':', so
 * the spaces before a comment stay. */
static void replace_value(pctx *p, const entry *en, const char *text, bool flow)
{
	weft_buf b = WEFT_BUF_INIT;
	if (en->empty) {
		if (*text) {
			weft_buf_putc(&b, ' ');
			weft_buf_puts(&b, text);
		}
		add_edit(p, en->colon + 1, en->colon + 1, &b);
	} else if (!*text) {
		/* block: "level:" as init writes it; flow: "{level: }" */
		add_edit(p, flow ? en->vstart : en->colon + 1, en->vend, &b);
	} else {
		weft_buf_puts(&b, text);
		add_edit(p, en->vstart, en->vend, &b);
	}
}

/* Remove an entry whose value is a one-line scalar. */
static void remove_entry(pctx *p, const entry *en, bool flow)
{
	if (en->flow_map || en->block_map) {
		p->bad = true;
		return;
	}
	if (flow) {
		size_t k = en->key;
		while (k > 0 && p->s[k - 1] == ' ')
			k--;
		if (k > 0 && p->s[k - 1] == ',') {
			add_edit(p, k - 1, en->vend, NULL);
			return;
		}
		size_t j = skip_spaces(p, en->vend);
		if (j < p->len && p->s[j] == ',')
			j = skip_spaces(p, j + 1);
		else if (j >= p->len || p->s[j] != '}') {
			p->bad = true;
			return;
		}
		add_edit(p, en->key, j < p->len && p->s[j] == '}' ? en->vend : j, NULL);
		return;
	}
	size_t ls = line_start(p, en->key), e = line_end(p, en->vend);
	if (!lead_blank(p, en->key) || !rest_blank(p, en->vend) || e >= p->len) {
		p->bad = true;
		return;
	}
	add_edit(p, ls, e + (p->s[e] == '\r' ? 2 : 1), NULL);
}

static bool can_remove(const pctx *p, const entry *en, bool flow)
{
	if (en->flow_map || en->block_map)
		return false;
	if (flow)
		return true;
	size_t e = line_end(p, en->vend);
	return lead_blank(p, en->key) && rest_blank(p, en->vend) && e < p->len;
}

/* ---- comparing answers ---- */

static bool same(const char *a, const char *b)
{
	return (!a || !b) ? a == b : strcmp(a, b) == 0;
}

static const char *blank_null(const char *s)
{
	return s && s[strspn(s, " \t")] ? s : NULL;
}

static bool answer_same(const weft_assess_answer *x, const weft_assess_answer *y)
{
	static const weft_assess_answer none = { 0 };
	if (!x)
		x = &none;
	if (!y)
		y = &none;
	if (x->status != y->status || x->level != y->level || !same(x->reason, y->reason) ||
	    !same(x->category, y->category) || !same(x->note, y->note) ||
	    x->n_evidence != y->n_evidence)
		return false;
	for (size_t i = 0; i < x->n_evidence; i++)
		if (!same(x->evidence[i], y->evidence[i]))
			return false;
	return true;
}

static bool answers_same(const weft_assess_answers *x, const weft_assess_answers *y)
{
	if (!same(x->model, y->model) || !same(x->model_version, y->model_version) ||
	    !same(x->unit, y->unit) || !same(blank_null(x->respondent), blank_null(y->respondent)) ||
	    !same(x->date, y->date) || x->n_out_of_scope != y->n_out_of_scope)
		return false;
	for (size_t i = 0; i < x->n_out_of_scope; i++)
		if (!same(x->out_of_scope[i].dim, y->out_of_scope[i].dim) ||
		    !same(x->out_of_scope[i].reason, y->out_of_scope[i].reason))
			return false;
	for (size_t i = 0; i < x->n_answers; i++)
		if (!answer_same(&x->answers[i], weft_assess_answers_find(y, x->answers[i].question)))
			return false;
	for (size_t i = 0; i < y->n_answers; i++)
		if (!answer_same(&y->answers[i], weft_assess_answers_find(x, y->answers[i].question)))
			return false;
	return true;
}

/* ---- writing values ---- */

static void put_level(weft_buf *b, const weft_assess_answer *a)
{
	if (a->status == WEFT_ASSESS_ANSWERED)
		weft_buf_printf(b, "%d", a->level);
	else if (a->status == WEFT_ASSESS_NA)
		weft_buf_puts(b, "na");
}

static char *quoted(const char *s)
{
	weft_buf b = WEFT_BUF_INIT;
	assess_put_yaml_str(&b, s);
	return weft_buf_detach(&b);
}

/* The fields of a new answer, as "key: value" strings (level, reason,
 * category, note, evidence in flow form). */
static size_t answer_fields(weft_buf f[5], const weft_assess_answer *a, bool flow_evidence)
{
	size_t n = 0;
	if (a->status != WEFT_ASSESS_UNANSWERED) {
		weft_buf_puts(&f[n], "level: ");
		put_level(&f[n++], a);
	}
	if (a->status == WEFT_ASSESS_NA && a->reason) {
		weft_buf_puts(&f[n], "reason: ");
		assess_put_yaml_str(&f[n++], a->reason);
	}
	if (a->status == WEFT_ASSESS_NA && a->category) {
		weft_buf_puts(&f[n], "category: ");
		assess_put_yaml_str(&f[n++], a->category);
	}
	if (a->note) {
		weft_buf_puts(&f[n], "note: ");
		assess_put_yaml_str(&f[n++], a->note);
	}
	if (a->n_evidence && flow_evidence) {
		weft_buf_puts(&f[n], "evidence: [");
		for (size_t k = 0; k < a->n_evidence; k++) {
			if (k)
				weft_buf_puts(&f[n], ", ");
			assess_put_yaml_str(&f[n], a->evidence[k]);
		}
		weft_buf_putc(&f[n++], ']');
	}
	return n;
}

static void put_indent(weft_buf *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		weft_buf_putc(b, ' ');
}

/* A new answer's value: " {level: 4, ...}" (flow) or its lines (block, each
 * at indent, ending with the line break). */
static void answer_body(weft_buf *b, const weft_assess_answer *a, bool flow, size_t indent,
			const char *eol)
{
	weft_buf f[5] = { WEFT_BUF_INIT, WEFT_BUF_INIT, WEFT_BUF_INIT, WEFT_BUF_INIT, WEFT_BUF_INIT };
	size_t n = answer_fields(f, a, flow);
	if (flow) {
		weft_buf_puts(b, "{");
		for (size_t i = 0; i < n; i++) {
			if (i)
				weft_buf_puts(b, ", ");
			weft_buf_put(b, f[i].ptr, f[i].len);
		}
		weft_buf_puts(b, "}");
	} else {
		for (size_t i = 0; i < n; i++) {
			put_indent(b, indent);
			weft_buf_put(b, f[i].ptr, f[i].len);
			weft_buf_puts(b, eol);
		}
		if (a->n_evidence) {
			put_indent(b, indent);
			weft_buf_printf(b, "evidence:%s", eol);
			for (size_t k = 0; k < a->n_evidence; k++) {
				put_indent(b, indent + 2);
				weft_buf_puts(b, "- ");
				assess_put_yaml_str(b, a->evidence[k]);
				weft_buf_puts(b, eol);
			}
		}
	}
	for (size_t i = 0; i < 5; i++) {
		if (f[i].oom)
			b->oom = true;
		weft_buf_free(&f[i]);
	}
}

/* ---- one answer ---- */

typedef struct {
	bool flow;         /* new answers written {level: N} */
	size_t indent;     /* of the answer ids */
	size_t sub;        /* block answers: their fields this much deeper */
} style;

/* Edit the mapping of an answer that the file has (flow or block) from b to a. */
static void edit_fields(pctx *p, const weft_yaml_node *map, const entry *me,
			const weft_assess_answer *b, const weft_assess_answer *a)
{
	bool flow = me->flow_map;
	static const weft_assess_answer none = { 0 };
	if (!b)
		b = &none;
	/* evidence is not edited here */
	if (a->n_evidence != b->n_evidence) {
		p->bad = true;
		return;
	}
	for (size_t k = 0; k < a->n_evidence; k++)
		if (!same(a->evidence[k], b->evidence[k])) {
			p->bad = true;
			return;
		}
	const char *names[4] = { "level", "reason", "category", "note" };
	char *want[4] = { NULL, NULL, NULL, NULL }; /* NULL: absent */
	bool change[4];
	weft_buf lv = WEFT_BUF_INIT;
	put_level(&lv, a);
	want[0] = weft_buf_detach(&lv);
	if (a->status == WEFT_ASSESS_NA && a->reason)
		want[1] = quoted(a->reason);
	if (a->status == WEFT_ASSESS_NA && a->category)
		want[2] = quoted(a->category);
	if (a->note)
		want[3] = quoted(a->note);
	change[0] = a->status != b->status || a->level != b->level;
	change[1] = a->status == WEFT_ASSESS_NA ? (b->status != WEFT_ASSESS_NA || !same(a->reason, b->reason))
						: b->status == WEFT_ASSESS_NA;
	change[2] = a->status == WEFT_ASSESS_NA ? (b->status != WEFT_ASSESS_NA || !same(a->category, b->category))
						: b->status == WEFT_ASSESS_NA;
	change[3] = !same(a->note, b->note);
	if (!want[0] || (a->status == WEFT_ASSESS_NA && a->reason && !want[1]) ||
	    (a->status == WEFT_ASSESS_NA && a->category && !want[2]) || (a->note && !want[3])) {
		p->oom = true;
		goto done;
	}
	entry en[4];
	bool have[4];
	size_t kept = map->n; /* entries left after removals (flow: for commas) */
	for (int f = 0; f < 4 && !p->bad; f++) {
		long i = find_key(map, names[f]);
		have[f] = i >= 0;
		if (have[f])
			locate(p, map, (size_t)i, flow, &en[f]);
	}
	if (p->bad)
		goto done;
	/* where new fields go: flow, before the '}'; block, on new lines right
	 * after the level line, or before the first field when there is none */
	size_t ins_flow = 0, ins_block = 0, indent = 0;
	bool ins_before_first = false;
	if (flow) {
		ins_flow = me->vend - 1;
		while (ins_flow > me->vstart + 1 && p->s[ins_flow - 1] == ' ')
			ins_flow--;
	} else if (have[0]) {
		size_t end = en[0].empty ? en[0].colon + 1 : en[0].vend;
		if (!lead_blank(p, en[0].key) || !rest_blank(p, end)) {
			p->bad = true;
			goto done;
		}
		ins_block = end;
		indent = en[0].key - line_start(p, en[0].key);
	} else {
		size_t first = off_at(p, map->keys[0]->line, map->keys[0]->col);
		if (p->bad || !lead_blank(p, first)) {
			p->bad = true;
			goto done;
		}
		ins_block = line_start(p, first);
		indent = first - ins_block;
		ins_before_first = true;
	}
	weft_buf lines = WEFT_BUF_INIT; /* block: new lines, in field order */
	for (int f = 0; f < 4 && !p->bad; f++) {
		if (!change[f])
			continue;
		if (have[f] && want[f]) {
			replace_value(p, &en[f], want[f], flow);
		} else if (have[f] && !want[f]) {
			if (f == 0) {
				replace_value(p, &en[f], "", flow); /* cleared: "level:" as init writes it */
			} else if (f == 3 || can_remove(p, &en[f], flow)) {
				remove_entry(p, &en[f], flow); /* a note that cannot go: bad */
				kept--;
			}
			/* else: leaving na, a reason or category that cannot be removed
			 * safely (a multi-line or block value, more on its line) is
			 * kept; the loader reads them only for na answers and warns,
			 * and the self-check still decides. */
		} else if (!have[f] && want[f] && *want[f]) {
			if (flow) {
				weft_buf b2 = WEFT_BUF_INIT;
				weft_buf_printf(&b2, "%s%s: %s", kept ? ", " : "", names[f], want[f]);
				kept++;
				add_edit(p, ins_flow, ins_flow, &b2);
			} else {
				put_indent(&lines, indent);
				weft_buf_printf(&lines, "%s: %s%s", names[f], want[f], p->eol);
			}
		}
	}
	if (lines.len && !p->bad) {
		if (ins_before_first)
			add_edit(p, ins_block, ins_block, &lines);
		else
			add_lines_after(p, ins_block, &lines);
	}
	weft_buf_free(&lines);
done:
	for (int f = 0; f < 4; f++)
		free(want[f]);
}

/* ---- the whole file ---- */

static int apply(weft_buf *out, pctx *p)
{
	/* stable by offset; at one offset, insertions before a removal */
	for (size_t i = 1; i < p->n; i++) {
		edit t = p->e[i];
		size_t j = i;
		while (j > 0) {
			const edit *q = &p->e[j - 1];
			bool after = q->start > t.start ||
				     (q->start == t.start && q->end > q->start && t.end == t.start);
			if (!after)
				break;
			p->e[j] = p->e[j - 1];
			j--;
		}
		p->e[j] = t;
	}
	size_t cur = 0;
	for (size_t i = 0; i < p->n; i++) {
		if (p->e[i].start < cur || p->e[i].end > p->len)
			return 1;
		weft_buf_put(out, p->s + cur, p->e[i].start - cur);
		weft_buf_puts(out, p->e[i].text);
		cur = p->e[i].end;
	}
	weft_buf_put(out, p->s + cur, p->len - cur);
	return 0;
}

static bool header_changed(const char *b, const char *a, bool blank_is_null)
{
	if (blank_is_null)
		return !same(blank_null(b), blank_null(a));
	return !same(b, a);
}

/* Plan every edit; p->bad when the file cannot be edited in place. */
static void plan(pctx *p, const weft_yaml_node *root, const weft_assess_answers *before,
		 const weft_assess_answers *after)
{
	if (!root || root->kind != WEFT_YAML_MAPPING || root->n == 0 || root->tag) {
		p->bad = true;
		return;
	}
	size_t r0 = off_at(p, root->keys[0]->line, root->keys[0]->col);
	if (p->bad || off_at(p, root->line, root->col) != r0 || !lead_blank(p, r0)) {
		p->bad = true; /* a flow mapping, or properties on the document */
		return;
	}
	size_t root_indent = r0 - line_start(p, r0);
	/* what cannot change in place */
	if (!same(before->model, after->model) || !same(before->model_version, after->model_version) ||
	    before->n_out_of_scope != after->n_out_of_scope) {
		p->bad = true;
		return;
	}
	for (size_t i = 0; i < after->n_out_of_scope; i++)
		if (!same(before->out_of_scope[i].dim, after->out_of_scope[i].dim) ||
		    !same(before->out_of_scope[i].reason, after->out_of_scope[i].reason)) {
			p->bad = true;
			return;
		}
	for (size_t i = 0; i < before->n_answers; i++)
		if (!weft_assess_answers_find(after, before->answers[i].question)) {
			p->bad = true; /* an answer removed */
			return;
		}

	/* header fields */
	const char *hnames[3] = { "unit", "respondent", "date" };
	const char *hb[3] = { before->unit, before->respondent, before->date };
	const char *ha[3] = { after->unit, after->respondent, after->date };
	weft_buf hlines = WEFT_BUF_INIT;
	for (int f = 0; f < 3 && !p->bad; f++) {
		if (!header_changed(hb[f], ha[f], f == 1))
			continue;
		long i = find_key(root, hnames[f]);
		entry en;
		char *q = quoted(ha[f] ? ha[f] : "");
		if (!q) {
			p->oom = true;
			break;
		}
		if (i >= 0 && locate(p, root, (size_t)i, false, &en)) {
			if (ha[f] || f == 1)
				replace_value(p, &en, q, false);
			else
				remove_entry(p, &en, false);
		} else if (i < 0 && ha[f]) {
			put_indent(&hlines, root_indent);
			weft_buf_printf(&hlines, "%s: %s%s", hnames[f], q, p->eol);
		}
		free(q);
	}
	if (hlines.len && !p->bad) {
		long i = find_key(root, "model_version");
		entry en;
		if (i < 0 || !locate(p, root, (size_t)i, false, &en) || en.flow_map || en.block_map ||
		    !rest_blank(p, en.empty ? en.colon + 1 : en.vend))
			p->bad = true;
		else
			add_lines_after(p, en.vend, &hlines);
	}
	weft_buf_free(&hlines);
	if (p->bad)
		return;

	/* the answers mapping */
	long ai = find_key(root, "answers");
	if (ai < 0) {
		p->bad = true;
		return;
	}
	const weft_yaml_node *ans = root->items[ai];
	entry ae;
	if (!locate(p, root, (size_t)ai, false, &ae) ||
	    (ans->kind == WEFT_YAML_SCALAR && !weft_yaml_is_null(ans)))
		return (void)(p->bad = true);
	bool ans_block = ae.block_map, ans_null = ans->kind == WEFT_YAML_SCALAR;
	style st = { true, root_indent + 2, 2 };
	if (ans_block) {
		st.indent = off_at(p, ans->keys[0]->line, ans->keys[0]->col) -
			    line_start(p, off_at(p, ans->keys[0]->line, ans->keys[0]->col));
		size_t nf = 0, nb = 0;
		bool last_block = false, sub_set = false;
		for (size_t i = 0; i < ans->n; i++) {
			/* only values written after their key (not aliases) tell */
			const weft_yaml_node *v = ans->items[i], *k = ans->keys[i];
			if (v->kind != WEFT_YAML_MAPPING || v->n == 0)
				continue;
			bool fl;
			if (v->line == k->line && v->col > k->col)
				fl = true;
			else if (v->line > k->line && v->keys[0]->line == v->line &&
				 v->keys[0]->col == v->col && v->col > k->col)
				fl = false;
			else
				continue;
			if (fl) {
				nf++;
			} else {
				nb++;
				if (!sub_set) {
					st.sub = (size_t)(v->col - k->col);
					sub_set = true;
				}
			}
			last_block = !fl;
		}
		st.flow = nf > nb || (nf == nb && !last_block);
	}
	if (p->bad)
		return;

	/* answers the file has */
	for (size_t i = 0; i < after->n_answers && !p->bad; i++) {
		const weft_assess_answer *a = &after->answers[i];
		const weft_assess_answer *b = weft_assess_answers_find(before, a->question);
		if (answer_same(a, b))
			continue;
		long k = ans_block ? find_key(ans, a->question) : -1;
		if (k < 0) {
			if (!ans_block && !ans_null && ans->kind == WEFT_YAML_MAPPING)
				p->bad = true; /* a flow answers mapping: not edited */
			continue;           /* appended below */
		}
		entry en;
		if (!locate(p, ans, (size_t)k, false, &en))
			break;
		const weft_yaml_node *v = ans->items[k];
		if (v->kind == WEFT_YAML_MAPPING) {
			edit_fields(p, v, &en, b, a);
			continue;
		}
		/* listed with no value yet */
		weft_buf body = WEFT_BUF_INIT;
		if (st.flow) {
			weft_buf_putc(&body, ' ');
			answer_body(&body, a, true, 0, p->eol);
			add_edit(p, en.colon + 1, en.vend, &body);
		} else {
			size_t ind = en.key - line_start(p, en.key);
			if (!lead_blank(p, en.key) || !rest_blank(p, en.colon + 1)) {
				p->bad = true;
				weft_buf_free(&body);
				break;
			}
			answer_body(&body, a, false, ind + st.sub, p->eol);
			add_lines_after(p, en.colon, &body);
		}
	}
	if (p->bad)
		return;

	/* answers the file does not have: at the end of the answers mapping */
	weft_buf app = WEFT_BUF_INIT;
	for (size_t i = 0; i < after->n_answers; i++) {
		const weft_assess_answer *a = &after->answers[i];
		if (a->status == WEFT_ASSESS_UNANSWERED && !a->note && !a->n_evidence)
			continue;
		if (ans_block && find_key(ans, a->question) >= 0)
			continue;
		if (!ans_block && !ans_null) {
			p->bad = true;
			break;
		}
		put_indent(&app, st.indent);
		weft_buf_printf(&app, "%s:", a->question);
		if (st.flow) {
			weft_buf_putc(&app, ' ');
			answer_body(&app, a, true, 0, p->eol);
			weft_buf_puts(&app, p->eol);
		} else {
			weft_buf_puts(&app, p->eol);
			answer_body(&app, a, false, st.indent + st.sub, p->eol);
		}
	}
	if (!app.len || p->bad) {
		weft_buf_free(&app);
		return;
	}
	if (ans_null) {
		/* answers: (null) becomes a block mapping: after its line */
		if (!ae.empty) {
			weft_buf none = WEFT_BUF_INIT;
			add_edit(p, ae.colon + 1, ae.vend, &none);
		}
		if (!rest_blank(p, ae.colon + 1)) {
			p->bad = true;
			weft_buf_free(&app);
			return;
		}
		add_lines_after(p, ae.colon, &app);
		return;
	}
	/* after the last line of the mapping that is not blank or a comment,
	 * before the next top-level key */
	int stop = 0;
	for (size_t i = 0; i < root->n; i++)
		if (root->keys[i]->line > root->keys[ai]->line &&
		    (!stop || root->keys[i]->line < stop))
			stop = root->keys[i]->line;
	size_t last = SIZE_MAX;
	for (size_t ln = (size_t)root->keys[ai]->line; ln < (stop ? (size_t)stop - 1 : p->n_lines); ln++) {
		size_t o = skip_spaces(p, p->lines[ln]);
		if (o < p->len && p->s[o] != '\n' && p->s[o] != '\r' && p->s[o] != '#')
			last = o;
	}
	if (last == SIZE_MAX) {
		p->bad = true;
		weft_buf_free(&app);
		return;
	}
	add_lines_after(p, last, &app);
}

int assess_answers_patch(weft_buf *out, const char *orig, size_t len,
			 const weft_assess_answers *before, const weft_assess_answers *after,
			 const weft_assess_model *m, weft_diags *d)
{
	pctx p = { orig, len, NULL, 0, NULL, NULL, 0, 0, false, false };
	weft_diags *tmp = NULL;
	weft_yaml_doc *doc = NULL;
	weft_buf res = WEFT_BUF_INIT;
	bool ok = false;
	if (weft_diags_new(&tmp)) {
		p.oom = true;
	} else if (orig && before && build_lines(&p) &&
		   assess_yaml_buffer(&doc, NULL, "<answers>", orig, len, tmp) == WEFT_OK) {
		plan(&p, weft_yaml_doc_root(doc), before, after);
		ok = !p.bad && !p.oom && apply(&res, &p) == 0 && !res.oom;
		if (res.oom)
			p.oom = true;
	}
	/* the self-check: the edited text must load as exactly `after` */
	if (ok) {
		weft_assess_answers *re = NULL;
		weft_diags_clear(tmp);
		int err = weft_assess_answers_load_buffer(&re, "<answers>", res.ptr ? res.ptr : "",
							  res.len, tmp);
		if (err == WEFT_ENOMEM)
			p.oom = true;
		ok = !err && answers_same(re, after);
		weft_assess_answers_free(re);
	}
	weft_yaml_doc_free(doc);
	for (size_t i = 0; i < p.n; i++)
		free(p.e[i].text);
	free(p.e);
	free(p.lines);
	weft_diags_free(tmp);
	int rc = 0;
	if (p.oom) {
		rc = WEFT_ENOMEM;
	} else if (ok) {
		weft_buf_put(out, res.ptr ? res.ptr : "", res.len);
	} else {
		rc = weft_assess_answers_render(out, after, m);
		if (!rc)
			rc = 1;
	}
	weft_buf_free(&res);
	if (!rc && out->oom)
		rc = WEFT_ENOMEM;
	if (rc == WEFT_ENOMEM)
		weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL, "out of memory");
	return rc;
}
