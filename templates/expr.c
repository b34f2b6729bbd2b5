/* expr.c - the small condition language of template.yaml (`when`, `expr`).
 *
 *   expr    := and ( ("||" | "or") and )*
 *   and     := unary ( ("&&" | "and") unary )*
 *   unary   := ("!" | "not") unary | compare
 *   compare := primary ( ("==" | "!=" | "<" | "<=" | ">" | ">=" | "in") primary )?
 *   primary := NAME | 'string' | "string" | number | true | false | null | "(" expr ")"
 *
 * Design: one recursive-descent pass that evaluates as it parses (conditions
 * are a line long, so there is no tree to keep). The same pass, given the
 * list of declared names instead of values, checks a condition when the
 * manifest loads, so typos are reported at load time with a column. Nesting
 * is capped, so hostile input cannot exhaust the stack.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "templates_int.h"

#define MAX_NEST 64

typedef enum { V_NULL, V_BOOL, V_NUM, V_STR, V_LIST } vkind;

typedef struct {
	vkind k;
	bool b;
	double num;
	const char *s;
	const cJSON *list;
} val;

typedef struct strnode {
	struct strnode *next;
	char s[];
} strnode;

typedef struct {
	const char *src;
	size_t pos;
	const cJSON *values;
	const char *const *known; /* check mode when non-NULL */
	size_t n_known;
	unsigned depth;
	char *msg;
	size_t msglen;
	int *col;
	strnode *strings;
	bool failed;
} ev;

static int fail(ev *e, size_t at, const char *fmt, const char *arg)
{
	if (!e->failed) {
		e->failed = true;
		if (e->msg)
			snprintf(e->msg, e->msglen, fmt, arg);
		if (e->col)
			*e->col = (int)at + 1;
	}
	return WEFT_EINVALID;
}

static void skip_ws(ev *e)
{
	while (e->src[e->pos] && isspace((unsigned char)e->src[e->pos]))
		e->pos++;
}

static bool ident_start(char c)
{
	return isalpha((unsigned char)c) || c == '_';
}

static bool ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

/* Match a keyword or operator at the cursor (keywords must end there). */
static bool accept(ev *e, const char *word)
{
	skip_ws(e);
	size_t n = strlen(word);
	if (strncmp(e->src + e->pos, word, n) != 0)
		return false;
	if (ident_start(word[0]) && ident_char(e->src[e->pos + n]))
		return false;
	e->pos += n;
	return true;
}

static void text_of(const val *v, char *buf, size_t len, const char **out)
{
	switch (v->k) {
	case V_STR: *out = v->s; return;
	case V_BOOL: *out = v->b ? "true" : "false"; return;
	case V_NUM:
		if (v->num == floor(v->num) && fabs(v->num) < 1e15)
			snprintf(buf, len, "%.0f", v->num);
		else
			snprintf(buf, len, "%.17g", v->num);
		*out = buf;
		return;
	default: *out = ""; return;
	}
}

static bool truthy(const val *v)
{
	switch (v->k) {
	case V_BOOL: return v->b;
	case V_NUM: return v->num != 0;
	case V_STR: return v->s[0] != '\0';
	case V_LIST: return v->list && v->list->child;
	default: return false;
	}
}

static val from_json(const cJSON *j)
{
	val v = { V_NULL, false, 0, "", NULL };
	if (cJSON_IsBool(j)) {
		v.k = V_BOOL;
		v.b = cJSON_IsTrue(j);
	} else if (cJSON_IsNumber(j)) {
		v.k = V_NUM;
		v.num = j->valuedouble;
	} else if (cJSON_IsString(j)) {
		v.k = V_STR;
		v.s = j->valuestring ? j->valuestring : "";
	} else if (cJSON_IsArray(j)) {
		v.k = V_LIST;
		v.list = j;
	}
	return v;
}

static int parse_or(ev *e, val *out);

static int parse_primary(ev *e, val *out)
{
	skip_ws(e);
	size_t at = e->pos;
	const char *s = e->src + at;
	*out = (val){ V_NULL, false, 0, "", NULL };
	if (*s == '(') {
		if (++e->depth > MAX_NEST)
			return fail(e, at, "%s", "condition nested too deeply");
		e->pos++;
		int err = parse_or(e, out);
		e->depth--;
		if (err)
			return err;
		if (!accept(e, ")"))
			return fail(e, e->pos, "%s", "expected ')'");
		return WEFT_OK;
	}
	if (*s == '\'' || *s == '"') {
		char q = *s;
		size_t i = 1;
		strnode *sn = malloc(sizeof *sn + strlen(s) + 1);
		if (!sn)
			return fail(e, at, "%s", "out of memory");
		sn->next = e->strings;
		e->strings = sn;
		size_t o = 0;
		for (; s[i] && s[i] != q; i++) {
			if (s[i] == '\\' && s[i + 1])
				i++;
			sn->s[o++] = s[i];
		}
		sn->s[o] = '\0';
		if (s[i] != q)
			return fail(e, at, "%s", "unterminated string");
		e->pos += i + 1;
		out->k = V_STR;
		out->s = sn->s;
		return WEFT_OK;
	}
	if (isdigit((unsigned char)*s) || (*s == '-' && isdigit((unsigned char)s[1]))) {
		char *end;
		double v = strtod(s, &end);
		if (ident_char(*end) || !isfinite(v))
			return fail(e, at, "%s", "bad number");
		e->pos += (size_t)(end - s);
		out->k = V_NUM;
		out->num = v;
		return WEFT_OK;
	}
	if (ident_start(*s)) {
		size_t n = 0;
		while (ident_char(s[n]))
			n++;
		e->pos += n;
		if (n == 4 && !strncmp(s, "true", 4)) {
			out->k = V_BOOL;
			out->b = true;
			return WEFT_OK;
		}
		if (n == 5 && !strncmp(s, "false", 5)) {
			out->k = V_BOOL;
			return WEFT_OK;
		}
		if (n == 4 && !strncmp(s, "null", 4))
			return WEFT_OK;
		char name[128];
		if (n >= sizeof name)
			return fail(e, at, "%s", "name too long");
		memcpy(name, s, n);
		name[n] = '\0';
		if (e->known) {
			bool found = false;
			for (size_t i = 0; i < e->n_known && !found; i++)
				found = !strcmp(e->known[i], name);
			if (!found) {
				const char *sug = weft_suggest(name, e->known, e->n_known);
				char m[256];
				if (sug)
					snprintf(m, sizeof m, "unknown variable '%s' (did you mean '%s'?)", name, sug);
				else
					snprintf(m, sizeof m, "unknown variable '%s' (conditions may use only variables declared before)",
						 name);
				return fail(e, at, "%s", m);
			}
			return WEFT_OK;
		}
		*out = from_json(cJSON_GetObjectItemCaseSensitive(e->values, name));
		return WEFT_OK;
	}
	if (!*s)
		return fail(e, at, "%s", "condition ends too early");
	char c[2] = { *s, '\0' };
	return fail(e, at, "unexpected '%s'", c);
}

static bool equal(const val *a, const val *b)
{
	if (a->k == V_NUM && b->k == V_NUM)
		return a->num == b->num;
	if (a->k == V_NULL || b->k == V_NULL)
		return a->k == b->k;
	if (a->k == V_LIST || b->k == V_LIST)
		return false;
	char ba[40], bb[40];
	const char *sa, *sb;
	text_of(a, ba, sizeof ba, &sa);
	text_of(b, bb, sizeof bb, &sb);
	return strcmp(sa, sb) == 0;
}

static bool contains(const val *item, const val *in)
{
	if (in->k == V_LIST) {
		for (const cJSON *it = in->list->child; it; it = it->next) {
			val v = from_json(it);
			if (equal(item, &v))
				return true;
		}
		return false;
	}
	if (in->k == V_STR) {
		char b[40];
		const char *s;
		text_of(item, b, sizeof b, &s);
		return strstr(in->s, s) != NULL;
	}
	return false;
}

static int parse_compare(ev *e, val *out)
{
	int err = parse_primary(e, out);
	if (err)
		return err;
	static const char *const ops[] = { "==", "!=", "<=", ">=", "<", ">", "in" };
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		if (!accept(e, ops[i]))
			continue;
		val rhs;
		if ((err = parse_primary(e, &rhs)))
			return err;
		bool r;
		int cmp = 0;
		bool ordered = false;
		if (out->k == V_NUM && rhs.k == V_NUM) {
			cmp = out->num < rhs.num ? -1 : out->num > rhs.num;
			ordered = true;
		} else if (out->k == V_STR && rhs.k == V_STR) {
			cmp = strcmp(out->s, rhs.s);
			ordered = true;
		}
		switch (i) {
		case 0: r = equal(out, &rhs); break;
		case 1: r = !equal(out, &rhs); break;
		case 2: r = ordered && cmp <= 0; break;
		case 3: r = ordered && cmp >= 0; break;
		case 4: r = ordered && cmp < 0; break;
		case 5: r = ordered && cmp > 0; break;
		default: r = contains(out, &rhs); break;
		}
		*out = (val){ V_BOOL, r, 0, "", NULL };
		return WEFT_OK;
	}
	return WEFT_OK;
}

static int parse_unary(ev *e, val *out)
{
	skip_ws(e);
	bool bang = false;
	if (e->src[e->pos] == '!' && e->src[e->pos + 1] != '=') {
		e->pos++;
		bang = true;
	} else if (accept(e, "not")) {
		bang = true;
	}
	if (bang) {
		if (++e->depth > MAX_NEST)
			return fail(e, e->pos, "%s", "condition nested too deeply");
		int err = parse_unary(e, out);
		e->depth--;
		if (err)
			return err;
		*out = (val){ V_BOOL, !truthy(out), 0, "", NULL };
		return WEFT_OK;
	}
	return parse_compare(e, out);
}

static int parse_and(ev *e, val *out)
{
	int err = parse_unary(e, out);
	while (!err && (accept(e, "&&") || accept(e, "and"))) {
		val rhs;
		if ((err = parse_unary(e, &rhs)))
			break;
		*out = (val){ V_BOOL, truthy(out) && truthy(&rhs), 0, "", NULL };
	}
	return err;
}

static int parse_or(ev *e, val *out)
{
	int err = parse_and(e, out);
	while (!err && (accept(e, "||") || accept(e, "or"))) {
		val rhs;
		if ((err = parse_and(e, &rhs)))
			break;
		*out = (val){ V_BOOL, truthy(out) || truthy(&rhs), 0, "", NULL };
	}
	return err;
}

static int run(ev *e, bool *result)
{
	val v;
	int err = parse_or(e, &v);
	if (!err) {
		skip_ws(e);
		if (e->src[e->pos]) {
			char c[2] = { e->src[e->pos], '\0' };
			err = fail(e, e->pos, "unexpected '%s'", c);
		}
	}
	if (!err && result)
		*result = truthy(&v);
	while (e->strings) {
		strnode *n = e->strings->next;
		free(e->strings);
		e->strings = n;
	}
	return err;
}

int weft_templates_expr_check(const char *src, const char *const *known, size_t n_known, char *msg,
			      size_t msglen, int *col)
{
	static const char *const none[] = { "" };
	ev e = { .src = src, .known = known ? known : none, .n_known = known ? n_known : 0,
		 .msg = msg, .msglen = msglen, .col = col };
	if (!*src)
		return fail(&e, 0, "%s", "empty condition");
	return run(&e, NULL);
}

int weft_templates_expr_eval(bool *out, const char *src, const cJSON *values, char *msg, size_t msglen,
			     int *col)
{
	ev e = { .src = src, .values = values, .msg = msg, .msglen = msglen, .col = col };
	*out = false;
	if (!*src)
		return fail(&e, 0, "%s", "empty condition");
	return run(&e, out);
}
