/* expr.c - the small expression language of template.yaml (`when`, `expr`,
 * and the `validate:` rules).
 *
 *   expr    := and ( ("||" | "or") and )*
 *   and     := unary ( ("&&" | "and") unary )*
 *   unary   := ("!" | "not") unary | compare
 *   compare := sum ( ("==" | "!=" | "<" | "<=" | ">" | ">=" | "in") sum )?
 *   sum     := term ( ("+" | "-") term )*
 *   term    := neg ( ("*" | "/" | "%") neg )*
 *   neg     := "-" neg | primary
 *   primary := NAME | 'string' | "string" | number | true | false | null | "(" expr ")"
 *
 * Design: one recursive-descent pass that evaluates as it parses (an
 * expression is a line long, so there is no tree to keep). The same pass,
 * given the list of declared names instead of values, checks an expression
 * when the manifest loads, so typos are reported at load time with a column;
 * given the names with their types (validation rules), it also checks that
 * every operator gets operands of the types it takes. `and`/`or` short-
 * circuit: the side not taken is parsed but not evaluated, so a guard such
 * as `b != 0 and a / b > 2` never divides by zero.
 *
 * Safety: nesting (parentheses, `!`, unary `-`) is capped, so hostile input
 * cannot exhaust the stack; arithmetic is on 64-bit integers with every
 * overflow detected (an error, never undefined behaviour), and division or
 * remainder by zero is an error, not a crash.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "templates_int.h"

#define MAX_NEST 64

/* V_ANY: a name in an untyped check (any type goes). V_INT: a whole number
 * (int variables, integer literals, arithmetic); V_NUM: a literal with a
 * fraction or exponent, compared as a double. */
typedef enum { V_NULL, V_BOOL, V_INT, V_NUM, V_STR, V_LIST, V_ANY } vkind;

typedef struct {
	vkind k;
	bool b;
	long long i;
	double num;
	const char *s;
	const cJSON *list;
} val;

static const val v_null = { V_NULL, false, 0, 0, "", NULL };

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
	const weft_templates_expr_var *typed; /* typed check mode when non-NULL */
	size_t n_typed;
	bool *used; /* typed check: which of typed[] the expression names */
	unsigned depth;
	unsigned skip; /* > 0: inside the side of and/or not taken */
	char *msg;
	size_t msglen;
	int *col;
	strnode *strings;
	bool failed;
} ev;

/* The first error of an evaluation or check: its message and (1-based)
 * column; later ones are dropped. Returns WEFT_EINVALID. */
static int fail(ev *e, size_t at, const char *fmt, ...) WEFT_PRINTF(3, 4);
static int fail(ev *e, size_t at, const char *fmt, ...)
{
	if (!e->failed) {
		e->failed = true;
		if (e->msg) {
			va_list ap;
			va_start(ap, fmt);
			vsnprintf(e->msg, e->msglen, fmt, ap);
			va_end(ap);
		}
		if (e->col)
			*e->col = (int)at + 1;
	}
	return WEFT_EINVALID;
}

static bool checking(const ev *e)
{
	return e->known || e->typed;
}

/* Are values computed (not a check, not a skipped side)? */
static bool live(const ev *e)
{
	return !checking(e) && e->skip == 0;
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

static const char *kind_name(vkind k)
{
	switch (k) {
	case V_NULL: return "null";
	case V_BOOL: return "bool";
	case V_INT: return "int";
	case V_NUM: return "number";
	case V_STR: return "string";
	case V_LIST: return "list";
	default: return "value";
	}
}

static bool numeric(vkind k)
{
	return k == V_INT || k == V_NUM;
}

static double as_double(const val *v)
{
	return v->k == V_INT ? (double)v->i : v->num;
}

static void text_of(const val *v, char *buf, size_t len, const char **out)
{
	switch (v->k) {
	case V_STR: *out = v->s; return;
	case V_BOOL: *out = v->b ? "true" : "false"; return;
	case V_INT:
		snprintf(buf, len, "%lld", v->i);
		*out = buf;
		return;
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
	case V_INT: return v->i != 0;
	case V_NUM: return v->num != 0;
	case V_STR: return v->s[0] != '\0';
	case V_LIST: return v->list && v->list->child;
	default: return false;
	}
}

static val from_json(const cJSON *j)
{
	val v = v_null;
	if (cJSON_IsBool(j)) {
		v.k = V_BOOL;
		v.b = cJSON_IsTrue(j);
	} else if (cJSON_IsNumber(j)) {
		double x = j->valuedouble;
		if (x == floor(x) && fabs(x) <= 9007199254740992.0) { /* 2^53: exact */
			v.k = V_INT;
			v.i = (long long)x;
		} else {
			v.k = V_NUM;
			v.num = x;
		}
	} else if (cJSON_IsString(j)) {
		v.k = V_STR;
		v.s = j->valuestring ? j->valuestring : "";
	} else if (cJSON_IsArray(j)) {
		v.k = V_LIST;
		v.list = j;
	}
	return v;
}

static vkind kind_of_type(weft_templates_type t)
{
	switch (t) {
	case WEFT_TEMPLATES_INT: return V_INT;
	case WEFT_TEMPLATES_BOOL: return V_BOOL;
	case WEFT_TEMPLATES_LIST: return V_LIST;
	default: return V_STR;
	}
}

/* A type error: reported in a typed check; at run time (or in an untyped
 * check) only where the operator cannot give an answer at all. */
static int type_error(ev *e, size_t at, const char *op, const val *a, const val *b)
{
	char m[160];
	if (b)
		snprintf(m, sizeof m, "'%s' cannot take %s and %s", op, kind_name(a->k), kind_name(b->k));
	else
		snprintf(m, sizeof m, "'%s' cannot take %s", op, kind_name(a->k));
	return fail(e, at, "%s", m);
}

static int parse_or(ev *e, val *out);

static int parse_number(ev *e, val *out, size_t at)
{
	const char *s = e->src + at;
	size_t n = 0;
	while (isdigit((unsigned char)s[n]))
		n++;
	if (s[n] == '.' || s[n] == 'e' || s[n] == 'E') {
		char *end;
		double v = strtod(s, &end);
		if (ident_char(*end) || *end == '.' || !isfinite(v))
			return fail(e, at, "bad number");
		e->pos += (size_t)(end - s);
		out->k = V_NUM;
		out->num = v;
		return WEFT_OK;
	}
	if (ident_char(s[n]))
		return fail(e, at, "bad number");
	errno = 0;
	char *end;
	long long v = strtoll(s, &end, 10);
	if (errno == ERANGE || end != s + n)
		return fail(e, at, "number too large (integers are 64-bit)");
	e->pos += n;
	out->k = V_INT;
	out->i = v;
	return WEFT_OK;
}

static int parse_name(ev *e, val *out, size_t at, size_t n)
{
	const char *s = e->src + at;
	char name[128];
	if (n >= sizeof name)
		return fail(e, at, "name too long");
	memcpy(name, s, n);
	name[n] = '\0';
	if (e->typed) {
		for (size_t i = 0; i < e->n_typed; i++) {
			if (strcmp(e->typed[i].name, name))
				continue;
			if (e->used)
				e->used[i] = true;
			out->k = kind_of_type(e->typed[i].type);
			return WEFT_OK;
		}
		const char *names[256];
		size_t k = 0;
		for (; k < e->n_typed && k < 256; k++)
			names[k] = e->typed[k].name;
		const char *sug = weft_suggest(name, names, k);
		char m[256];
		if (sug)
			snprintf(m, sizeof m, "unknown variable '%s' (did you mean '%s'?)", name, sug);
		else
			snprintf(m, sizeof m, "unknown variable '%s'", name);
		return fail(e, at, "%s", m);
	}
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
		out->k = V_ANY;
		return WEFT_OK;
	}
	*out = from_json(cJSON_GetObjectItemCaseSensitive(e->values, name));
	return WEFT_OK;
}

static int parse_primary(ev *e, val *out)
{
	skip_ws(e);
	size_t at = e->pos;
	const char *s = e->src + at;
	*out = v_null;
	if (*s == '(') {
		if (++e->depth > MAX_NEST)
			return fail(e, at, "condition nested too deeply");
		e->pos++;
		int err = parse_or(e, out);
		e->depth--;
		if (err)
			return err;
		if (!accept(e, ")"))
			return fail(e, e->pos, "expected ')'");
		return WEFT_OK;
	}
	if (*s == '\'' || *s == '"') {
		char q = *s;
		size_t i = 1;
		strnode *sn = malloc(sizeof *sn + strlen(s) + 1);
		if (!sn)
			return fail(e, at, "out of memory");
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
			return fail(e, at, "unterminated string");
		e->pos += i + 1;
		out->k = V_STR;
		out->s = sn->s;
		return WEFT_OK;
	}
	if (isdigit((unsigned char)*s))
		return parse_number(e, out, at);
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
		return parse_name(e, out, at, n);
	}
	if (!*s)
		return fail(e, at, "condition ends too early");
	char c[2] = { *s, '\0' };
	return fail(e, at, "unexpected '%s'", c);
}

/* Integer operands for arithmetic: ints (or, in an untyped check, names of
 * any type). */
static bool int_operand(const val *v)
{
	return v->k == V_INT || v->k == V_ANY;
}

static int parse_neg(ev *e, val *out)
{
	skip_ws(e);
	size_t at = e->pos;
	if (e->src[at] != '-')
		return parse_primary(e, out);
	e->pos++;
	if (++e->depth > MAX_NEST)
		return fail(e, at, "condition nested too deeply");
	int err = parse_neg(e, out);
	e->depth--;
	if (err)
		return err;
	if (out->k == V_NUM) { /* a literal such as -0.5 */
		out->num = -out->num;
		return WEFT_OK;
	}
	if (!int_operand(out)) {
		if (e->typed || live(e))
			return type_error(e, at, "-", out, NULL);
		*out = (val){ V_INT, false, 0, 0, "", NULL };
		return WEFT_OK;
	}
	if (out->k == V_INT && live(e)) {
		if (out->i == LLONG_MIN)
			return fail(e, at, "integer overflow in '-'");
		out->i = -out->i;
	}
	out->k = V_INT;
	return WEFT_OK;
}

/* a op b on 64-bit integers, every overflow and division by zero caught. */
static int arith(ev *e, size_t at, char op, val *a, const val *b)
{
	char ops[2] = { op, '\0' };
	if (!int_operand(a) || !int_operand(b)) {
		if (e->typed || live(e))
			return type_error(e, at, ops, a, b);
		*a = (val){ V_INT, false, 0, 0, "", NULL };
		return WEFT_OK;
	}
	if (!live(e) || a->k != V_INT || b->k != V_INT) {
		*a = (val){ V_INT, false, 0, 0, "", NULL };
		return WEFT_OK;
	}
	long long x = a->i, y = b->i, r = 0;
	bool over = false;
	switch (op) {
	case '+': over = __builtin_add_overflow(x, y, &r); break;
	case '-': over = __builtin_sub_overflow(x, y, &r); break;
	case '*': over = __builtin_mul_overflow(x, y, &r); break;
	default:
		if (y == 0)
			return fail(e, at, "%s", op == '/' ? "division by zero" : "remainder of a division by zero");
		if (x == LLONG_MIN && y == -1) {
			over = true;
			break;
		}
		r = op == '/' ? x / y : x % y;
		break;
	}
	if (over)
		return fail(e, at, "integer overflow in '%s'", ops);
	a->i = r;
	return WEFT_OK;
}

static int parse_term(ev *e, val *out)
{
	int err = parse_neg(e, out);
	while (!err) {
		skip_ws(e);
		char op = e->src[e->pos];
		if (op != '*' && op != '/' && op != '%')
			break;
		size_t at = e->pos++;
		val rhs;
		if ((err = parse_neg(e, &rhs)))
			break;
		err = arith(e, at, op, out, &rhs);
	}
	return err;
}

static int parse_sum(ev *e, val *out)
{
	int err = parse_term(e, out);
	while (!err) {
		skip_ws(e);
		char op = e->src[e->pos];
		if (op != '+' && op != '-')
			break;
		size_t at = e->pos++;
		val rhs;
		if ((err = parse_term(e, &rhs)))
			break;
		err = arith(e, at, op, out, &rhs);
	}
	return err;
}

static bool equal(const val *a, const val *b)
{
	if (numeric(a->k) && numeric(b->k)) {
		if (a->k == V_INT && b->k == V_INT)
			return a->i == b->i;
		return as_double(a) == as_double(b);
	}
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
		for (const cJSON *it = in->list ? in->list->child : NULL; it; it = it->next) {
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

/* The typed check of a comparison (validation rules): like with like. */
static int check_compare(ev *e, size_t at, size_t op, const char *name, const val *a, const val *b)
{
	if (a->k == V_ANY || b->k == V_ANY)
		return WEFT_OK;
	bool ok;
	if (op <= 1) /* == != */
		ok = a->k == V_NULL || b->k == V_NULL || (numeric(a->k) && numeric(b->k)) || a->k == b->k;
	else if (op <= 5) /* order */
		ok = (numeric(a->k) && numeric(b->k)) || (a->k == V_STR && b->k == V_STR);
	else /* in */
		ok = (b->k == V_LIST || b->k == V_STR) && a->k == V_STR;
	return ok ? WEFT_OK : type_error(e, at, name, a, b);
}

static int parse_compare(ev *e, val *out)
{
	int err = parse_sum(e, out);
	if (err)
		return err;
	static const char *const ops[] = { "==", "!=", "<=", ">=", "<", ">", "in" };
	skip_ws(e);
	size_t at = e->pos;
	for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		if (!accept(e, ops[i]))
			continue;
		val rhs;
		if ((err = parse_sum(e, &rhs)))
			return err;
		if (e->typed && (err = check_compare(e, at, i, ops[i], out, &rhs)))
			return err;
		bool r;
		int cmp = 0;
		bool ordered = false;
		if (out->k == V_INT && rhs.k == V_INT) {
			cmp = out->i < rhs.i ? -1 : out->i > rhs.i;
			ordered = true;
		} else if (numeric(out->k) && numeric(rhs.k)) {
			double x = as_double(out), y = as_double(&rhs);
			cmp = x < y ? -1 : x > y;
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
		*out = (val){ V_BOOL, r, 0, 0, "", NULL };
		return WEFT_OK;
	}
	return WEFT_OK;
}

/* In a typed check, the operands of !, and, or are yes/no values. */
static int want_bool(ev *e, size_t at, const char *op, const val *v)
{
	if (!e->typed || v->k == V_BOOL)
		return WEFT_OK;
	char m[160];
	snprintf(m, sizeof m, "'%s' takes yes/no values (a comparison or a bool variable), not %s", op,
		 kind_name(v->k));
	return fail(e, at, "%s", m);
}

static int parse_unary(ev *e, val *out)
{
	skip_ws(e);
	bool bang = false;
	const char *op = "!";
	if (e->src[e->pos] == '!' && e->src[e->pos + 1] != '=') {
		e->pos++;
		bang = true;
	} else if (accept(e, "not")) {
		bang = true;
		op = "not";
	}
	if (bang) {
		if (++e->depth > MAX_NEST)
			return fail(e, e->pos, "condition nested too deeply");
		skip_ws(e);
		size_t arg_at = e->pos;
		int err = parse_unary(e, out);
		e->depth--;
		if (err)
			return err;
		if ((err = want_bool(e, arg_at, op, out)))
			return err;
		*out = (val){ V_BOOL, !truthy(out), 0, 0, "", NULL };
		return WEFT_OK;
	}
	return parse_compare(e, out);
}

/* One side of and/or: when skip, parsed (and checked) but not evaluated. */
static int parse_side(ev *e, val *out, int (*parse)(ev *, val *), bool skip, const char *op)
{
	skip_ws(e);
	size_t at = e->pos;
	if (skip)
		e->skip++;
	int err = parse(e, out);
	if (skip)
		e->skip--;
	if (!err)
		err = want_bool(e, at, op, out);
	return err;
}

static int parse_and(ev *e, val *out)
{
	skip_ws(e);
	size_t first = e->pos;
	int err = parse_unary(e, out);
	bool checked = false;
	for (;;) {
		if (err)
			return err;
		const char *op = "&&";
		if (!accept(e, "&&")) {
			if (!accept(e, "and"))
				break;
			op = "and";
		}
		if (!checked && (err = want_bool(e, first, op, out)))
			return err;
		checked = true;
		bool lhs = truthy(out);
		val rhs;
		if ((err = parse_side(e, &rhs, parse_unary, !lhs, op)))
			return err;
		*out = (val){ V_BOOL, lhs && truthy(&rhs), 0, 0, "", NULL };
	}
	return WEFT_OK;
}

static int parse_or(ev *e, val *out)
{
	skip_ws(e);
	size_t first = e->pos;
	int err = parse_and(e, out);
	bool checked = false;
	for (;;) {
		if (err)
			return err;
		const char *op = "||";
		if (!accept(e, "||")) {
			if (!accept(e, "or"))
				break;
			op = "or";
		}
		if (!checked && (err = want_bool(e, first, op, out)))
			return err;
		checked = true;
		bool lhs = truthy(out);
		val rhs;
		if ((err = parse_side(e, &rhs, parse_and, lhs, op)))
			return err;
		*out = (val){ V_BOOL, lhs || truthy(&rhs), 0, 0, "", NULL };
	}
	return WEFT_OK;
}

static int run(ev *e, bool *result, vkind *kind)
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
	if (!err && kind)
		*kind = v.k;
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
	return run(&e, NULL, NULL);
}

int weft_templates_expr_check_rule(const char *src, const weft_templates_expr_var *vars, size_t n_vars,
				   bool *used, char *msg, size_t msglen, int *col)
{
	static const weft_templates_expr_var none[] = { { "", WEFT_TEMPLATES_STRING } };
	ev e = { .src = src, .typed = vars ? vars : none, .n_typed = vars ? n_vars : 0, .used = used,
		 .msg = msg, .msglen = msglen, .col = col };
	if (!*src)
		return fail(&e, 0, "%s", "empty rule");
	vkind k = V_NULL;
	int err = run(&e, NULL, &k);
	if (!err && k != V_BOOL) {
		char m[160];
		snprintf(m, sizeof m, "a rule must be yes or no (a comparison, or and/or/not of them), not %s",
			 kind_name(k));
		err = fail(&e, 0, "%s", m);
	}
	return err;
}

int weft_templates_expr_eval(bool *out, const char *src, const cJSON *values, char *msg, size_t msglen,
			     int *col)
{
	ev e = { .src = src, .values = values, .msg = msg, .msglen = msglen, .col = col };
	*out = false;
	if (!*src)
		return fail(&e, 0, "%s", "empty condition");
	return run(&e, out, NULL);
}
