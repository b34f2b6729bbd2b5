/* manifest.c - template.yaml: typed variables, file rules, answers.
 *
 * Design: everything that can be checked without the user's answers is
 * checked when the manifest loads (types, regexes, ranges, literal defaults,
 * conditions and the names they use, file-rule globs), so a broken template
 * fails with path:line:col before anyone is asked a question. Values then go
 * through one parser per type (weft_templates_value_parse) whatever their
 * source: --set, an answers file, a prompt or a default.
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "templates_int.h"

#define MAX_VARS 256
#define MAX_RULES 1024
#define MAX_LIST_ITEMS 1024
#define MAX_INCLUDES 16

static const char *const type_names[] = { "string", "int", "bool", "choice", "list" };

const char *weft_templates_type_name(weft_templates_type t)
{
	return (unsigned)t < 5 ? type_names[t] : "?";
}

static const char *const top_keys[] = { "name", "version", "summary", "description", "variables",
					"files", "root", "partials", "escape_html", "include", "validate",
					"case_sensitive_paths", "migrations", NULL };
static const char *const include_keys[] = { "from", "to", NULL };
static const char *const var_keys[] = { "name", "type", "help", "default", "pattern", "min", "max",
					"choices", "when", "value", "expr", "transform", "secret", NULL };
static const char *const rule_keys[] = { "path", "render", "copy", "executable", "skip", "when",
					 "escape_html", NULL };
static const char *const transforms[] = { "lower", "upper", "snake", "kebab", "camel", "pascal" };

/* ---- paths and globs ------------------------------------------------------ */

/* The rules of weft_templates_path_check (paths.c) less the one about .git:
 * a path that stays inside its folder. Where a path is written into a
 * project, callers use weft_templates_path_check itself. */
bool weft_templates_path_is_safe(const char *p)
{
	weft_templates_path_rule r = weft_templates_path_check(p, NULL);
	return r == WEFT_TEMPLATES_PATH_OK || r == WEFT_TEMPLATES_PATH_GIT;
}

/* Match glob components [g, gend) against path components [p, pend). */
static bool match_parts(char **g, size_t ng, char **p, size_t np, unsigned budget)
{
	if (budget == 0)
		return false;
	if (ng == 0)
		return np == 0;
	if (!strcmp(g[0], "**")) {
		for (size_t skip = 0; skip <= np; skip++)
			if (match_parts(g + 1, ng - 1, p + skip, np - skip, budget - 1))
				return true;
		return false;
	}
	if (np == 0)
		return false;
	if (fnmatch(g[0], p[0], 0) != 0)
		return false;
	return match_parts(g + 1, ng - 1, p + 1, np - 1, budget - 1);
}

static size_t split_path(char *s, char **parts, size_t max)
{
	size_t n = 0;
	char *save = NULL;
	for (char *t = strtok_r(s, "/", &save); t && n < max; t = strtok_r(NULL, "/", &save))
		parts[n++] = t;
	return n;
}

bool weft_templates_glob_match(const char *glob, const char *path)
{
	char *g = strdup(glob), *p = strdup(path);
	bool r = false;
	if (g && p) {
		char *gp[64], *pp[64];
		size_t ng = split_path(g, gp, 64), np = split_path(p, pp, 64);
		/* the path itself or any folder above it */
		for (size_t k = np; k >= 1 && !r; k--)
			r = match_parts(gp, ng, pp, k, 4096);
	}
	free(g);
	free(p);
	return r;
}

/* ---- loading -------------------------------------------------------------------- */

static char *xstrdup(const char *s, bool *oom)
{
	if (!s)
		return NULL;
	char *r = strdup(s);
	if (!r)
		*oom = true;
	return r;
}

/* An error at YAML node n of path (n NULL: the file); returns WEFT_EINVALID. */
static int at(weft_diags *d, const char *path, const weft_yaml_node *n, const char *hint, const char *fmt,
	      ...) WEFT_PRINTF(5, 6);
static int at(weft_diags *d, const char *path, const weft_yaml_node *n, const char *hint, const char *fmt,
	      ...)
{
	va_list ap;
	va_start(ap, fmt);
	weft_diags_vadd(d, WEFT_SEV_ERROR, path, n ? n->line : 0, n ? n->col : 0, hint, fmt, ap);
	va_end(ap);
	return WEFT_EINVALID;
}

bool weft_templates_ident_ok(const char *s)
{
	if (!s || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	size_t n = 0;
	for (; *s; s++, n++)
		if (!(isalnum((unsigned char)*s) || *s == '_'))
			return false;
	return n <= 64;
}

static bool valid_template_name(const char *s)
{
	if (!s || !isalnum((unsigned char)*s))
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '-' || *s == '_' || *s == '.'))
			return false;
	return true;
}

/* Check a Mustache string (a default or a derived value) parses; report at
 * the YAML node on failure. */
static int check_mustache(const char *path, const weft_yaml_node *n, const char *what, const char *src,
			  weft_diags *d)
{
	weft_diags *scratch = NULL;
	if (weft_diags_new(&scratch))
		return WEFT_ENOMEM;
	weft_templates_mustache *t = NULL;
	int err = weft_templates_mustache_parse(&t, what, src, strlen(src), scratch);
	if (err) {
		const weft_diag *g = weft_diags_count(scratch) ? weft_diags_get(scratch, 0) : NULL;
		weft_diags_add(d, WEFT_SEV_ERROR, path, n->line, n->col, NULL, "%s: %s", what,
			       g && g->message ? g->message : "bad template");
		err = WEFT_EINVALID;
	}
	weft_templates_mustache_free(t);
	weft_diags_free(scratch);
	return err;
}

static int check_condition(const char *path, const weft_yaml_node *n, const char *what, const char *src,
			   const char *const *known, size_t n_known, weft_diags *d)
{
	char msg[256];
	int col = 0;
	if (weft_templates_expr_check(src, known, n_known, msg, sizeof msg, &col) == 0)
		return WEFT_OK;
	weft_diags_add(d, WEFT_SEV_ERROR, path, n->line, n->col + (n->quoted ? 1 : 0) + col - 1, NULL,
		       "%s '%s': %s", what, src, msg);
	return WEFT_EINVALID;
}

/* The scalar text of a node, or NULL when it is not a plain scalar. */
static const char *scalar(const weft_yaml_node *n)
{
	if (!n || n->kind != WEFT_YAML_SCALAR || n->len != strlen(n->scalar))
		return NULL;
	return n->scalar;
}

/* A variable's entry as written, while load_var checks it field by field. */
typedef struct {
	const char *path; /* template.yaml, for messages */
	const weft_yaml_doc *doc;
	const weft_yaml_node *vn;      /* the variable's mapping */
	const weft_yaml_node *def;     /* default, or NULL (absent or null) */
	const weft_yaml_node *choices; /* choices, or NULL (absent or null) */
	const char *name, *type, *help, *pattern, *when, *value, *expr, *transform;
	weft_templates_type t; /* explicit, else inferred (var_type) */
} var_src;

/* Read vn's scalar fields into s: a mapping, a name that is an identifier
 * declared for the first time, string fields that are strings. */
static int var_read(var_src *s, const weft_yaml_node *vn, const char *const *earlier, size_t n_earlier,
		    weft_diags *d)
{
	int err = weft_yaml_expect(s->doc, vn, WEFT_YAML_MAPPING, "variable", d);
	if (err)
		return err;
	weft_yaml_check_keys(s->doc, vn, var_keys, WEFT_SEV_WARNING, d);
	s->vn = vn;
	if ((err = weft_yaml_str(&s->name, s->doc, vn, "name", true, d)))
		return err;
	const weft_yaml_node *name_n = weft_yaml_get(vn, "name");
	if (!weft_templates_ident_ok(s->name))
		return at(d, s->path, name_n, "letters, digits and '_', not starting with a digit",
			  "bad variable name '%s'", s->name);
	for (size_t i = 0; i < n_earlier; i++)
		if (!strcmp(earlier[i], s->name))
			return at(d, s->path, name_n, NULL, "variable '%s' declared twice", s->name);
	err |= weft_yaml_str(&s->type, s->doc, vn, "type", false, d);
	err |= weft_yaml_str(&s->help, s->doc, vn, "help", false, d);
	err |= weft_yaml_str(&s->pattern, s->doc, vn, "pattern", false, d);
	err |= weft_yaml_str(&s->when, s->doc, vn, "when", false, d);
	err |= weft_yaml_str(&s->value, s->doc, vn, "value", false, d);
	err |= weft_yaml_str(&s->expr, s->doc, vn, "expr", false, d);
	err |= weft_yaml_str(&s->transform, s->doc, vn, "transform", false, d);
	if (err)
		return WEFT_EINVALID;
	s->def = weft_yaml_get(vn, "default");
	if (s->def && weft_yaml_is_null(s->def))
		s->def = NULL;
	s->choices = weft_yaml_get(vn, "choices");
	if (s->choices && weft_yaml_is_null(s->choices))
		s->choices = NULL;
	return WEFT_OK;
}

/* s->t: the type given (one of type_names), else inferred from expr, the
 * default's shape or value, and choices; string when nothing says. */
static int var_type(var_src *s, weft_diags *d)
{
	bool b;
	long long ll;
	s->t = WEFT_TEMPLATES_STRING;
	if (s->type) {
		size_t k = 0;
		while (k < 5 && strcmp(s->type, type_names[k]))
			k++;
		if (k == 5) {
			const char *g = weft_suggest(s->type, type_names, 5);
			char hint[80];
			snprintf(hint, sizeof hint, "one of string, int, bool, choice, list%s%s%s",
				 g ? "; did you mean '" : "", g ? g : "", g ? "'?" : "");
			return at(d, s->path, weft_yaml_get(s->vn, "type"), hint, "unknown type '%s'", s->type);
		}
		s->t = (weft_templates_type)k;
	} else if (s->expr) {
		s->t = WEFT_TEMPLATES_BOOL;
	} else if (s->def && s->def->kind == WEFT_YAML_SEQUENCE) {
		s->t = WEFT_TEMPLATES_LIST;
	} else if (s->choices) {
		s->t = WEFT_TEMPLATES_CHOICE;
	} else if (s->def && weft_yaml_as_bool(&b, s->def) == 0) {
		s->t = WEFT_TEMPLATES_BOOL;
	} else if (s->def && weft_yaml_as_int(&ll, s->def) == 0) {
		s->t = WEFT_TEMPLATES_INT;
	}
	return WEFT_OK;
}

/* Copy s's text fields into v and check the fields of derived variables:
 * secret only when asked, value or expr (not both), no default, expr a
 * bool, transform known and only on a derived string. */
static int var_fields(weft_templates_var_impl *v, const var_src *s, weft_diags *d)
{
	bool oom = false;
	const char *name = s->name;
	v->pub.type = s->t;
	v->pub.name = xstrdup(name, &oom);
	v->pub.help = xstrdup(s->help, &oom);
	v->pub.when = xstrdup(s->when, &oom);
	v->pub.pattern = xstrdup(s->pattern, &oom);
	v->pub.value = xstrdup(s->value, &oom);
	v->pub.expr = xstrdup(s->expr, &oom);
	v->pub.transform = xstrdup(s->transform, &oom);
	v->pub.derived = s->value || s->expr;
	if (oom)
		return WEFT_ENOMEM;
	int err = weft_yaml_bool(&v->pub.secret, s->doc, s->vn, "secret", false, d);
	if (err)
		return err;
	if (v->pub.secret && v->pub.derived)
		return at(d, s->path, weft_yaml_get(s->vn, "secret"), "a derived variable is never written anyway",
			  "variable '%s': 'secret' applies to asked variables", name);
	if (s->value && s->expr)
		return at(d, s->path, s->vn, NULL, "variable '%s': give 'value' or 'expr', not both", name);
	if (v->pub.derived && s->def)
		return at(d, s->path, s->def, "a derived variable is computed from 'value' or 'expr'",
			  "variable '%s' is derived and cannot have a default", name);
	if (s->expr && s->t != WEFT_TEMPLATES_BOOL)
		return at(d, s->path, s->vn, NULL, "variable '%s': 'expr' gives a bool, but the type is %s", name,
			  type_names[s->t]);
	if (s->transform) {
		const weft_yaml_node *tn = weft_yaml_get(s->vn, "transform");
		size_t k = 0;
		while (k < 6 && strcmp(s->transform, transforms[k]))
			k++;
		if (k == 6)
			return at(d, s->path, tn, "one of lower, upper, snake, kebab, camel, pascal",
				  "unknown transform '%s'", s->transform);
		if (!s->value || s->t != WEFT_TEMPLATES_STRING)
			return at(d, s->path, tn, NULL,
				  "variable '%s': 'transform' applies to a derived string ('value')", name);
	}
	return WEFT_OK;
}

/* The constraints on values: pattern (strings and lists; compiled into
 * v->re) and min/max (ints, min <= max). */
static int var_constraints(weft_templates_var_impl *v, const var_src *s, weft_diags *d)
{
	int err;
	if (s->pattern) {
		const weft_yaml_node *pn = weft_yaml_get(s->vn, "pattern");
		if (s->t != WEFT_TEMPLATES_STRING && s->t != WEFT_TEMPLATES_LIST)
			return at(d, s->path, pn, NULL,
				  "variable '%s': 'pattern' applies to string and list variables, not %s", s->name,
				  type_names[s->t]);
		int rc = regcomp(&v->re, s->pattern, REG_EXTENDED);
		if (rc) {
			char msg[200];
			regerror(rc, &v->re, msg, sizeof msg);
			return at(d, s->path, pn, NULL, "bad regular expression '%s': %s", s->pattern, msg);
		}
		v->has_re = true;
	}
	const weft_yaml_node *mn = weft_yaml_get(s->vn, "min"), *xn = weft_yaml_get(s->vn, "max");
	if ((mn || xn) && s->t != WEFT_TEMPLATES_INT)
		return at(d, s->path, mn ? mn : xn, NULL,
			  "variable '%s': 'min' and 'max' apply to int variables, not %s", s->name, type_names[s->t]);
	if (mn) {
		if ((err = weft_yaml_int(&v->pub.min, s->doc, s->vn, "min", false, d)))
			return err;
		v->pub.has_min = true;
	}
	if (xn) {
		if ((err = weft_yaml_int(&v->pub.max, s->doc, s->vn, "max", false, d)))
			return err;
		v->pub.has_max = true;
	}
	if (v->pub.has_min && v->pub.has_max && v->pub.min > v->pub.max)
		return at(d, s->path, mn, NULL, "variable '%s': min is larger than max", s->name);
	return WEFT_OK;
}

/* choices (choice and list variables; required for choice): a non-empty
 * sequence of distinct non-empty strings without commas, into v->choices. */
static int var_choices(weft_templates_var_impl *v, const var_src *s, weft_diags *d)
{
	const weft_yaml_node *choices = s->choices;
	if (!choices) {
		if (s->t == WEFT_TEMPLATES_CHOICE)
			return at(d, s->path, s->vn, NULL, "variable '%s' of type choice needs 'choices'", s->name);
		return WEFT_OK;
	}
	if (s->t != WEFT_TEMPLATES_CHOICE && s->t != WEFT_TEMPLATES_LIST)
		return at(d, s->path, choices, NULL, "variable '%s': 'choices' apply to choice and list variables, not %s",
			  s->name, type_names[s->t]);
	int err = weft_yaml_expect(s->doc, choices, WEFT_YAML_SEQUENCE, "choices", d);
	if (err)
		return err;
	if (choices->n == 0)
		return at(d, s->path, choices, NULL, "variable '%s': 'choices' is empty", s->name);
	v->choices = calloc(choices->n + 1, sizeof *v->choices);
	if (!v->choices)
		return WEFT_ENOMEM;
	for (size_t i = 0; i < choices->n; i++) {
		const char *c = scalar(choices->items[i]);
		if (!c || !*c || strchr(c, ','))
			return at(d, s->path, choices->items[i], "choices are non-empty strings without commas",
				  "variable '%s': bad choice", s->name);
		for (size_t k = 0; k < i; k++)
			if (!strcmp(v->choices[k], c))
				return at(d, s->path, choices->items[i], NULL, "variable '%s': choice '%s' listed twice",
					  s->name, c);
		if (!(v->choices[i] = strdup(c)))
			return WEFT_ENOMEM;
	}
	v->pub.choices = (const char *const *)v->choices;
	v->pub.n_choices = choices->n;
	return WEFT_OK;
}

/* The default's text as written into text: a scalar, or for a list a
 * sequence of strings without commas joined with ", ". */
static int var_default_text(weft_buf *text, const var_src *s, weft_diags *d)
{
	const weft_yaml_node *def = s->def;
	if (def->kind != WEFT_YAML_SEQUENCE) {
		const char *t = scalar(def);
		if (!t)
			return at(d, s->path, def, NULL, "variable '%s': default must be a scalar or a list", s->name);
		weft_buf_puts(text, t);
		return WEFT_OK;
	}
	if (s->t != WEFT_TEMPLATES_LIST)
		return at(d, s->path, def, NULL, "variable '%s': a list default for a %s variable", s->name,
			  type_names[s->t]);
	if (def->n > MAX_LIST_ITEMS)
		return at(d, s->path, def, NULL, "variable '%s': default has too many items", s->name);
	for (size_t i = 0; i < def->n; i++) {
		const char *it = scalar(def->items[i]);
		if (!it || strchr(it, ','))
			return at(d, s->path, def->items[i], "list items are strings without commas",
				  "variable '%s': bad default item", s->name);
		weft_buf_printf(text, "%s%s", i ? ", " : "", it);
	}
	weft_buf_put(text, "", 0);
	return WEFT_OK;
}

/* The default (v->pub.default_text): a Mustache template when it holds
 * {{ (it must parse), else a valid value of v's type. */
static int var_default(weft_templates_var_impl *v, const var_src *s, weft_diags *d)
{
	weft_buf text = WEFT_BUF_INIT;
	int err = var_default_text(&text, s, d);
	if (!err && text.oom)
		err = WEFT_ENOMEM;
	if (err) {
		weft_buf_free(&text);
		return err;
	}
	v->pub.default_text = text.ptr;
	v->default_templated = strstr(text.ptr, "{{") != NULL;
	if (v->default_templated)
		return check_mustache(s->path, s->def, "default", text.ptr, d);
	char problem[256];
	cJSON *tmp = NULL;
	if (weft_templates_value_parse(&tmp, &v->pub, text.ptr, problem, sizeof problem) != 0)
		return at(d, s->path, s->def, NULL, "variable '%s': bad default: %s", s->name, problem);
	cJSON_Delete(tmp);
	return WEFT_OK;
}

/* Load and check one entry of vars: into v (zeroed by the caller, freed by
 * the manifest's free whatever happens). Conditions and templates may name
 * only the variables declared before it (earlier[0..n_earlier)). */
static int load_var(weft_templates_manifest *m, const weft_yaml_doc *doc, const weft_yaml_node *vn,
		    weft_templates_var_impl *v, const char *const *earlier, size_t n_earlier, weft_diags *d)
{
	var_src s = { .path = m->path, .doc = doc };
	v->pub.line = vn->line;
	v->pub.col = vn->col;
	int err = var_read(&s, vn, earlier, n_earlier, d);
	if (!err)
		err = var_type(&s, d);
	if (!err)
		err = var_fields(v, &s, d);
	if (!err)
		err = var_constraints(v, &s, d);
	if (!err)
		err = var_choices(v, &s, d);
	/* conditions and templates, over earlier names only */
	if (!err && s.when)
		err = check_condition(s.path, weft_yaml_get(vn, "when"), "when", s.when, earlier, n_earlier, d);
	if (!err && s.expr)
		err = check_condition(s.path, weft_yaml_get(vn, "expr"), "expr", s.expr, earlier, n_earlier, d);
	if (!err && s.value)
		err = check_mustache(s.path, weft_yaml_get(vn, "value"), "value", s.value, d);
	if (!err && s.def)
		err = var_default(v, &s, d);
	return err;
}

static int load_rule(weft_templates_manifest *m, const weft_yaml_doc *doc, const weft_yaml_node *rn,
		     weft_templates_rule *r, const char *const *names, size_t n_names, weft_diags *d)
{
	int err = weft_yaml_expect(doc, rn, WEFT_YAML_MAPPING, "file rule", d);
	if (err)
		return err;
	weft_yaml_check_keys(doc, rn, rule_keys, WEFT_SEV_WARNING, d);
	r->line = rn->line;
	r->col = rn->col;
	r->render = r->executable = r->escape_html = -1;
	const char *glob = NULL, *when = NULL;
	bool render = false, copy = false, exec = false, skip = false, esc = false;
	if ((err = weft_yaml_str(&glob, doc, rn, "path", true, d)))
		return err;
	const weft_yaml_node *pn = weft_yaml_get(rn, "path");
	/* a trailing '/' names a folder; the glob matches folders anyway */
	char *g = strdup(glob);
	if (!g)
		return WEFT_ENOMEM;
	size_t gl = strlen(g);
	while (gl > 1 && g[gl - 1] == '/')
		g[--gl] = '\0';
	r->glob = g;
	if (!weft_templates_path_is_safe(g) && strcmp(g, "**") != 0 && strcmp(g, "*") != 0)
		return at(d, m->path, pn, "paths are relative to the template's files folder, without '..'",
			  "bad path pattern '%s'", glob);
	if (weft_yaml_get(rn, "render") && !(err = weft_yaml_bool(&render, doc, rn, "render", false, d)))
		r->render = render;
	if (!err && weft_yaml_get(rn, "copy") && !(err = weft_yaml_bool(&copy, doc, rn, "copy", false, d))) {
		if (r->render == (int)copy)
			return at(d, m->path, rn, NULL, "rule '%s': 'render' and 'copy' disagree", glob);
		r->render = !copy;
	}
	if (!err && weft_yaml_get(rn, "executable") &&
	    !(err = weft_yaml_bool(&exec, doc, rn, "executable", false, d)))
		r->executable = exec;
	if (!err && weft_yaml_get(rn, "escape_html") &&
	    !(err = weft_yaml_bool(&esc, doc, rn, "escape_html", false, d)))
		r->escape_html = esc;
	if (!err && weft_yaml_get(rn, "skip") && !(err = weft_yaml_bool(&skip, doc, rn, "skip", false, d)))
		r->skip = skip;
	if (!err)
		err = weft_yaml_str(&when, doc, rn, "when", false, d);
	if (err)
		return err;
	if (when) {
		if ((err = check_condition(m->path, weft_yaml_get(rn, "when"), "when", when, names, n_names, d)))
			return err;
		if (!(r->when = strdup(when)))
			return WEFT_ENOMEM;
	}
	return WEFT_OK;
}

/* dir/sub must be a real folder inside dir (no symlink), or absent when
 * optional. */
static int check_subdir_in(char **out, const char *base, const weft_templates_manifest *m,
			   const weft_yaml_node *n, const char *sub, bool optional, const char *what,
			   weft_diags *d)
{
	*out = NULL;
	weft_templates_path_rule rule = weft_templates_path_check(sub, NULL);
	if (rule) {
		weft_diags_add(d, WEFT_SEV_ERROR, m->path, n ? n->line : 0, n ? n->col : 0,
			       "a folder inside the template, without '..'", "bad %s folder '%s': %s", what, sub,
			       weft_templates_path_rule_text(rule));
		return WEFT_EINVALID;
	}
	weft_buf p = WEFT_BUF_INIT;
	weft_buf_printf(&p, "%s/%s", base, sub);
	if (p.oom)
		return WEFT_ENOMEM;
	/* every component must be a real folder: no symlink may lead outside */
	struct stat st;
	int err = WEFT_OK;
	for (char *s = p.ptr + strlen(base) + 1;; s++) {
		char c = *s;
		if (c != '/' && c != '\0')
			continue;
		*s = '\0';
		int rc = lstat(p.ptr, &st);
		*s = c;
		if (rc != 0) {
			if (!optional)
				err = at(d, m->path, n, NULL, "%s folder '%s' not found in the template", what, sub);
			break;
		}
		if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)) {
			err = at(d, m->path, n, "template folders must be real folders, not symbolic links",
				 "%s folder '%s' is not a folder inside the template", what, sub);
			break;
		}
		if (!c) {
			*out = weft_buf_detach(&p);
			return *out ? WEFT_OK : WEFT_ENOMEM;
		}
	}
	weft_buf_free(&p);
	return err;
}

static int check_subdir(char **out, const weft_templates_manifest *m, const weft_yaml_node *n,
			const char *sub, bool optional, const char *what, weft_diags *d)
{
	return check_subdir_in(out, m->dir, m, n, sub, optional, what, d);
}

/* include: [{from: _shared/x, to: src}]. from names a folder of the
 * template's collection (the folder holding the template) whose first
 * component starts with '_', so templates stay apart from shared parts. */
static int load_includes(weft_templates_manifest *m, const weft_yaml_doc *doc,
			 const weft_yaml_node *list, weft_diags *d)
{
	int err = weft_yaml_expect(doc, list, WEFT_YAML_SEQUENCE, "include", d);
	if (err)
		return err;
	if (list->n > MAX_INCLUDES)
		return at(d, m->path, list, NULL, "too many includes (the limit is %d)", MAX_INCLUDES);
	if (!(m->includes = calloc(list->n ? list->n : 1, sizeof *m->includes)))
		return WEFT_ENOMEM;
	char *collection = strdup(m->dir);
	if (!collection)
		return WEFT_ENOMEM;
	char *slash = strrchr(collection, '/');
	if (slash && slash != collection)
		*slash = '\0';
	else
		strcpy(collection, slash ? "/" : ".");
	for (size_t i = 0; i < list->n && !err; i++) {
		const weft_yaml_node *in = list->items[i];
		if ((err = weft_yaml_expect(doc, in, WEFT_YAML_MAPPING, "include", d)))
			break;
		weft_yaml_check_keys(doc, in, include_keys, WEFT_SEV_WARNING, d);
		const char *from = NULL, *to = "";
		if ((err = weft_yaml_str(&from, doc, in, "from", true, d)) ||
		    (err = weft_yaml_str(&to, doc, in, "to", false, d)))
			break;
		weft_templates_include *inc = &m->includes[m->n_includes++];
		inc->line = in->line;
		inc->col = in->col;
		weft_templates_path_rule rule = weft_templates_path_check(from, NULL);
		if (from[0] != '_' || rule) {
			const weft_yaml_node *fn = weft_yaml_get(in, "from");
			weft_diags_add(d, WEFT_SEV_ERROR, m->path, fn ? fn->line : 0, fn ? fn->col : 0,
				       "a shared folder beside the template whose name starts with '_', e.g. _shared/runtime",
				       "bad include folder '%s'%s%s", from, rule ? ": " : "",
				       rule ? weft_templates_path_rule_text(rule) : "");
			err = WEFT_EINVALID;
			break;
		}
		/* "src/" is the folder src; "" (or absent) the project's root */
		if (!(inc->to = strdup(to))) {
			err = WEFT_ENOMEM;
			break;
		}
		for (size_t tl = strlen(inc->to); tl > 1 && inc->to[tl - 1] == '/';)
			inc->to[--tl] = '\0';
		rule = *inc->to ? weft_templates_path_check(inc->to, NULL) : WEFT_TEMPLATES_PATH_OK;
		size_t first = strcspn(inc->to, "/");
		bool answers = first == strlen(WEFT_TEMPLATES_ANSWERS_FILE) &&
			       !strncmp(inc->to, WEFT_TEMPLATES_ANSWERS_FILE, first);
		if (rule || answers) {
			const weft_yaml_node *tn = weft_yaml_get(in, "to");
			weft_diags_add(d, WEFT_SEV_ERROR, m->path, tn ? tn->line : 0, tn ? tn->col : 0,
				       "a folder inside the project, without '..' and outside its .git",
				       "bad include destination '%s': %s", to,
				       rule ? weft_templates_path_rule_text(rule) : "weft writes .weft-answers.yaml itself");
			err = WEFT_EINVALID;
			break;
		}
		err = check_subdir_in(&inc->dir, collection, m, weft_yaml_get(in, "from"), from, false,
				      "include", d);
	}
	free(collection);
	return err;
}

/* ---- validation rules (validate:) ------------------------------------------------ */

#define MAX_VALIDATIONS 256

static const char *const validate_keys[] = { "rule", "message", "vars", NULL };

typedef struct weft_templates_validation_impl weft_templates_validation_impl;

struct weft_templates_validation_impl {
	weft_templates_validation pub; /* first: a public pointer converts back */
	char *rule, *message;
	char **vars;  /* asked again when the rule fails (pub.vars) */
	bool *uses;   /* uses[i]: the rule names m->vars[i] */
	int rule_line, rule_col;
};

static void free_validations(weft_templates_manifest *m)
{
	for (size_t i = 0; i < m->n_validations; i++) {
		weft_templates_validation_impl *v = &m->validations[i];
		free(v->rule);
		free(v->message);
		for (size_t k = 0; k < v->pub.n_vars; k++)
			free(v->vars[k]);
		free(v->vars);
		free(v->uses);
	}
	free(m->validations);
	m->validations = NULL;
	m->n_validations = 0;
}

size_t weft_templates_manifest_nvalidations(const weft_templates_manifest *m)
{
	return m->n_validations;
}

const weft_templates_validation *weft_templates_manifest_validation(const weft_templates_manifest *m, size_t i)
{
	return i < m->n_validations ? &m->validations[i].pub : NULL;
}

/* Placeholder values of every variable's type, to try a message on. */
static cJSON *sample_values(const weft_templates_manifest *m)
{
	cJSON *o = cJSON_CreateObject();
	for (size_t i = 0; o && i < m->n_vars; i++) {
		const weft_templates_var *v = &m->vars[i].pub;
		cJSON *j = v->type == WEFT_TEMPLATES_INT    ? cJSON_CreateNumber(v->has_min ? (double)v->min : 0)
			   : v->type == WEFT_TEMPLATES_BOOL ? cJSON_CreateFalse()
			   : v->type == WEFT_TEMPLATES_LIST ? cJSON_CreateArray()
							    : cJSON_CreateString(v->name);
		cJSON_AddItemToObject(o, v->name, j);
	}
	return o;
}

static int load_validation(weft_templates_manifest *m, const weft_yaml_doc *doc, const weft_yaml_node *n,
			   weft_templates_validation_impl *v, const weft_templates_expr_var *vars,
			   const char *const *names, weft_diags *d)
{
	int err = weft_yaml_expect(doc, n, WEFT_YAML_MAPPING, "validation rule", d);
	if (err)
		return err;
	weft_yaml_check_keys(doc, n, validate_keys, WEFT_SEV_WARNING, d);
	v->pub.line = n->line;
	v->pub.col = n->col;
	const char *rule = NULL, *message = NULL;
	if ((err = weft_yaml_str(&rule, doc, n, "rule", true, d)) ||
	    (err = weft_yaml_str(&message, doc, n, "message", false, d)))
		return err;
	const weft_yaml_node *rn = weft_yaml_get(n, "rule");
	v->rule_line = rn->line;
	v->rule_col = rn->col;
	if (!(v->rule = strdup(rule)) || !(v->uses = calloc(m->n_vars ? m->n_vars : 1, sizeof *v->uses)))
		return WEFT_ENOMEM;
	char msg[256];
	int col = 0;
	if (weft_templates_expr_check_rule(rule, vars, m->n_vars, v->uses, msg, sizeof msg, &col)) {
		weft_diags_add(d, WEFT_SEV_ERROR, m->path, rn->line, rn->col + (rn->quoted ? 1 : 0) + col - 1,
			       "a rule is a comparison over the variables, e.g. deadline_ms < model_budget_ms",
			       "rule '%s': %s", rule, msg);
		return WEFT_EINVALID;
	}
	/* the message: Mustache over the values; it must parse and render */
	weft_buf dm = WEFT_BUF_INIT;
	if (!message) {
		weft_buf_printf(&dm, "the values break the template's rule '%s'", rule);
		message = dm.ptr;
	}
	v->message = message ? strdup(message) : NULL;
	weft_buf_free(&dm);
	if (!v->message)
		return WEFT_ENOMEM;
	const weft_yaml_node *mn = weft_yaml_get(n, "message");
	if (mn && (err = check_mustache(m->path, mn, "message", v->message, d)))
		return err;
	if (mn) {
		cJSON *sample = sample_values(m);
		weft_diags *scratch = NULL;
		char *text = NULL;
		weft_templates_render_opts ro = { .max_output = 4096 };
		if (!sample || weft_diags_new(&scratch)) {
			cJSON_Delete(sample);
			return WEFT_ENOMEM;
		}
		err = weft_templates_render_string(&text, m->path, v->message, sample, &ro, scratch);
		if (err && err != WEFT_ENOMEM) {
			const weft_diag *g = weft_diags_count(scratch) ? weft_diags_get(scratch, 0) : NULL;
			weft_diags_add(d, WEFT_SEV_ERROR, m->path, mn->line, mn->col, NULL, "message: %s",
				       g && g->message ? g->message : "does not render");
			err = WEFT_EINVALID;
		}
		free(text);
		cJSON_Delete(sample);
		weft_diags_free(scratch);
		if (err)
			return err;
	}
	/* vars: who is asked again; by default the rule's own asked variables */
	const weft_yaml_node *vn = weft_yaml_get(n, "vars");
	if (vn && weft_yaml_is_null(vn))
		vn = NULL;
	if (vn && (err = weft_yaml_expect(doc, vn, WEFT_YAML_SEQUENCE, "vars", d)))
		return err;
	size_t cap = vn ? vn->n : m->n_vars;
	if (!(v->vars = calloc(cap ? cap : 1, sizeof *v->vars)))
		return WEFT_ENOMEM;
	for (size_t i = 0; i < cap; i++) {
		const char *name = NULL;
		if (vn) {
			const weft_yaml_node *it = vn->items[i];
			name = scalar(it);
			size_t k = 0;
			while (name && k < m->n_vars && strcmp(names[k], name))
				k++;
			if (!name || k == m->n_vars) {
				const char *s = name ? weft_suggest(name, names, m->n_vars) : NULL;
				char hint[128];
				snprintf(hint, sizeof hint, "did you mean '%s'?", s ? s : "");
				return at(d, m->path, it, s ? hint : NULL, "vars: unknown variable '%s'",
					  name ? name : "?");
			}
			if (m->vars[k].pub.derived)
				return at(d, m->path, it, "name the variables it is computed from",
					  "vars: '%s' is computed by the template and cannot be asked again", name);
		} else if (v->uses[i] && !m->vars[i].pub.derived) {
			name = names[i];
		} else {
			continue;
		}
		if (!(v->vars[v->pub.n_vars] = strdup(name)))
			return WEFT_ENOMEM;
		v->pub.n_vars++;
	}
	v->pub.rule = v->rule;
	v->pub.message = v->message;
	v->pub.vars = (const char *const *)v->vars;
	return WEFT_OK;
}

/* validate: [{rule: EXPR, message: TEXT, vars: [NAME, ...]}], over every
 * variable (derived ones too), checked here for syntax, names and types. */
static int load_validations(weft_templates_manifest *m, const weft_yaml_doc *doc, const weft_yaml_node *root,
			    weft_diags *d)
{
	const weft_yaml_node *list = weft_yaml_get(root, "validate");
	if (!list || weft_yaml_is_null(list))
		return WEFT_OK;
	int err = weft_yaml_expect(doc, list, WEFT_YAML_SEQUENCE, "validate", d);
	if (err)
		return err;
	if (list->n > MAX_VALIDATIONS)
		return at(d, m->path, list, NULL, "too many validation rules (the limit is %d)", MAX_VALIDATIONS);
	if (!(m->validations = calloc(list->n ? list->n : 1, sizeof *m->validations)))
		return WEFT_ENOMEM;
	weft_templates_expr_var vars[MAX_VARS];
	const char *names[MAX_VARS];
	for (size_t i = 0; i < m->n_vars && i < MAX_VARS; i++) {
		vars[i] = (weft_templates_expr_var){ m->vars[i].pub.name, m->vars[i].pub.type };
		names[i] = m->vars[i].pub.name;
	}
	for (size_t i = 0; i < list->n; i++) {
		int e = load_validation(m, doc, list->items[i], &m->validations[m->n_validations++], vars, names, d);
		if (e == WEFT_ENOMEM)
			return e;
		if (e)
			err = e; /* report every broken rule */
	}
	return err;
}

/* A new manifest for dir: its paths set, once dir/template.yaml is found to
 * be a regular file. */
static int manifest_new(weft_templates_manifest **out, const char *dir, weft_diags *d)
{
	weft_templates_manifest *m = calloc(1, sizeof *m);
	if (!m)
		return WEFT_ENOMEM;
	weft_buf p = WEFT_BUF_INIT;
	weft_buf_printf(&p, "%s/template.yaml", dir);
	m->dir = strdup(dir);
	m->path = weft_buf_detach(&p);
	if (!m->dir || !m->path) {
		weft_templates_manifest_free(m);
		return WEFT_ENOMEM;
	}
	struct stat st;
	if (lstat(m->path, &st) != 0 || !S_ISREG(st.st_mode)) {
		weft_diags_add(d, WEFT_SEV_ERROR, dir, 0, 0,
			       "a template is a folder with a template.yaml (see docs/formats/template.md)",
			       "not a weft template: no template.yaml in this folder");
		weft_templates_manifest_free(m);
		return WEFT_EINVALID;
	}
	*out = m;
	return WEFT_OK;
}

/* The files folder (root:, "." for the template folder itself) and the
 * partials folder (partials:, optional when not given) of the mapping root. */
static int load_folders(weft_templates_manifest *m, const weft_yaml_node *root, const char *rootdir,
			const char *partials, weft_diags *d)
{
	int err;
	const weft_yaml_node *rn = weft_yaml_get(root, "root"), *pn = weft_yaml_get(root, "partials");
	if (!strcmp(rootdir, ".")) {
		/* the template folder itself, less what belongs to the template */
		m->root_is_dir = true;
		if (!(m->files_dir = strdup(m->dir)))
			return WEFT_ENOMEM;
	} else if ((err = check_subdir(&m->files_dir, m, rn ? rn : root, rootdir, false, "files", d))) {
		return err;
	}
	if ((err = check_subdir(&m->partials_dir, m, pn ? pn : root, partials ? partials : "partials",
				partials == NULL, "partials", d)))
		return err;
	return (m->partials_rel = strdup(partials ? partials : "partials")) ? WEFT_OK : WEFT_ENOMEM;
}

/* The top-level scalars of the mapping root: name, version, summary,
 * description, escape_html, case_sensitive_paths; then the folders. */
static int load_header(weft_templates_manifest *m, const weft_yaml_doc *doc, const weft_yaml_node *root,
		       weft_diags *d)
{
	weft_yaml_check_keys(doc, root, top_keys, WEFT_SEV_WARNING, d);
	const char *name = NULL, *version = NULL, *summary = NULL, *description = NULL, *rootdir = "files",
		   *partials = NULL;
	int err = 0;
	err |= weft_yaml_str(&name, doc, root, "name", true, d);
	err |= weft_yaml_str(&version, doc, root, "version", true, d);
	err |= weft_yaml_str(&summary, doc, root, "summary", true, d);
	err |= weft_yaml_str(&description, doc, root, "description", false, d);
	err |= weft_yaml_str(&rootdir, doc, root, "root", false, d);
	err |= weft_yaml_str(&partials, doc, root, "partials", false, d);
	err |= weft_yaml_bool(&m->escape_html, doc, root, "escape_html", false, d);
	err |= weft_yaml_bool(&m->case_sensitive_paths, doc, root, "case_sensitive_paths", false, d);
	if (err)
		return WEFT_EINVALID;
	if (!valid_template_name(name))
		return at(d, m->path, weft_yaml_get(root, "name"), "letters, digits, '-', '_' and '.'",
			  "bad template name '%s'", name);
	bool oom = false;
	m->name = xstrdup(name, &oom);
	m->version = xstrdup(version, &oom);
	m->summary = xstrdup(summary, &oom);
	m->description = xstrdup(description, &oom);
	if (oom)
		return WEFT_ENOMEM;
	return load_folders(m, root, rootdir, partials, d);
}

/* The optional sequence root[key] (variables, files) into *out, NULL when
 * absent or null; more than max items is an error. */
static int optional_list(const weft_yaml_node **out, const weft_templates_manifest *m, const weft_yaml_doc *doc,
			 const weft_yaml_node *root, const char *key, size_t max, weft_diags *d)
{
	const weft_yaml_node *n = weft_yaml_get(root, key);
	*out = NULL;
	if (!n || weft_yaml_is_null(n))
		return WEFT_OK;
	int err = weft_yaml_expect(doc, n, WEFT_YAML_SEQUENCE, key, d);
	if (err)
		return err;
	if (n->n > max)
		return at(d, m->path, n, NULL, "too many %s (the limit is %zu)",
			  strcmp(key, "files") ? key : "file rules", max);
	*out = n;
	return WEFT_OK;
}

/* variables: (a sequence, at most MAX_VARS) into m->vars, each checked
 * against those before it; names[i] gets each one's name. Every bad
 * variable is reported, unless one is too broken to name. */
static int load_vars(weft_templates_manifest *m, const weft_yaml_doc *doc, const weft_yaml_node *root,
		     const char *names[MAX_VARS], weft_diags *d)
{
	const weft_yaml_node *vars;
	int err = optional_list(&vars, m, doc, root, "variables", MAX_VARS, d);
	if (err || !vars)
		return err;
	if (!(m->vars = calloc(vars->n ? vars->n : 1, sizeof *m->vars)))
		return WEFT_ENOMEM;
	for (size_t i = 0; i < vars->n; i++) {
		weft_templates_var_impl *v = &m->vars[m->n_vars];
		int e = load_var(m, doc, vars->items[i], v, names, m->n_vars, d);
		m->n_vars++; /* freed even when half-loaded */
		if (e) {
			err = e;
			if (e == WEFT_ENOMEM || !v->pub.name)
				return err;
		}
		names[m->n_vars - 1] = v->pub.name ? v->pub.name : "";
	}
	return err;
}

/* files: (a sequence, at most MAX_RULES) into m->rules; conditions may name
 * the variables names[0..m->n_vars). Every bad rule is reported. */
static int load_rules(weft_templates_manifest *m, const weft_yaml_doc *doc, const weft_yaml_node *root,
		      const char *const *names, weft_diags *d)
{
	const weft_yaml_node *files;
	int err = optional_list(&files, m, doc, root, "files", MAX_RULES, d);
	if (err || !files)
		return err;
	if (!(m->rules = calloc(files->n ? files->n : 1, sizeof *m->rules)))
		return WEFT_ENOMEM;
	for (size_t i = 0; i < files->n; i++) {
		int e = load_rule(m, doc, files->items[i], &m->rules[m->n_rules++], names, m->n_vars, d);
		if (e == WEFT_ENOMEM)
			return e;
		if (e)
			err = e;
	}
	return err;
}

int weft_templates_manifest_load(weft_templates_manifest **out, const char *dir, weft_diags *d)
{
	*out = NULL;
	weft_templates_manifest *m = NULL;
	int err = manifest_new(&m, dir, d);
	if (err)
		return err;
	weft_yaml_opts yo = { .max_bytes = 1u << 20, .max_nodes = 100000 };
	weft_yaml_doc *doc = NULL;
	err = weft_yaml_load_file(&doc, m->path, &yo, d);
	const weft_yaml_node *root = doc ? weft_yaml_doc_root(doc) : NULL;
	if (!err && !root)
		err = at(d, m->path, NULL, NULL, "empty manifest: expected name, version, summary");
	if (!err)
		err = weft_yaml_expect(doc, root, WEFT_YAML_MAPPING, "template.yaml", d);
	if (!err)
		err = load_header(m, doc, root, d);
	const char *names[MAX_VARS];
	if (!err)
		err = load_vars(m, doc, root, names, d);
	if (!err)
		err = load_rules(m, doc, root, names, d);
	const weft_yaml_node *inc = root ? weft_yaml_get(root, "include") : NULL;
	if (!err && inc && !weft_yaml_is_null(inc))
		err = load_includes(m, doc, inc, d);
	if (!err)
		err = load_validations(m, doc, root, d);
	if (!err)
		err = weft_templates_migrations_load(m, doc, root, d);
	weft_yaml_doc_free(doc);
	if (err) {
		weft_templates_manifest_free(m);
		return err;
	}
	m->info = (weft_templates_info){ m->name, m->version, m->summary, m->description, m->dir, m->path };
	*out = m;
	return WEFT_OK;
}

void weft_templates_manifest_free(weft_templates_manifest *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_vars; i++) {
		weft_templates_var_impl *v = &m->vars[i];
		free((char *)v->pub.name);
		free((char *)v->pub.help);
		free((char *)v->pub.when);
		free((char *)v->pub.pattern);
		free((char *)v->pub.value);
		free((char *)v->pub.expr);
		free((char *)v->pub.transform);
		free((char *)v->pub.default_text);
		for (size_t k = 0; v->choices && v->choices[k]; k++)
			free(v->choices[k]);
		free(v->choices);
		if (v->has_re)
			regfree(&v->re);
	}
	free(m->vars);
	for (size_t i = 0; i < m->n_rules; i++) {
		free(m->rules[i].glob);
		free(m->rules[i].when);
	}
	free(m->rules);
	for (size_t i = 0; i < m->n_includes; i++) {
		free(m->includes[i].dir);
		free(m->includes[i].to);
	}
	free(m->includes);
	free_validations(m);
	weft_templates_migrations_free(m);
	free(m->dir);
	free(m->path);
	free(m->name);
	free(m->version);
	free(m->summary);
	free(m->description);
	free(m->files_dir);
	free(m->partials_dir);
	free(m->partials_rel);
	free(m);
}

const weft_templates_info *weft_templates_manifest_info(const weft_templates_manifest *m)
{
	return &m->info;
}

size_t weft_templates_manifest_nvars(const weft_templates_manifest *m)
{
	return m->n_vars;
}

const weft_templates_var *weft_templates_manifest_var(const weft_templates_manifest *m, size_t i)
{
	return i < m->n_vars ? &m->vars[i].pub : NULL;
}

/* ---- values ---------------------------------------------------------------------- */

static bool full_match(const weft_templates_var_impl *v, const char *s)
{
	regmatch_t mt;
	if (regexec(&v->re, s, 1, &mt, 0) != 0)
		return false;
	return mt.rm_so == 0 && (size_t)mt.rm_eo == strlen(s);
}

static void choices_text(const weft_templates_var *v, char *buf, size_t len)
{
	size_t o = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < v->n_choices && o < len; i++) {
		int n = snprintf(buf + o, len - o, "%s%s", i ? ", " : "", v->choices[i]);
		if (n < 0)
			break;
		o += (size_t)n;
	}
}

static int check_choice(const weft_templates_var *v, const char *s, char *problem, size_t plen)
{
	for (size_t i = 0; i < v->n_choices; i++)
		if (!strcmp(v->choices[i], s))
			return WEFT_OK;
	char list[512];
	choices_text(v, list, sizeof list);
	const char *sug = weft_suggest(s, v->choices, v->n_choices);
	snprintf(problem, plen, "'%s' is not one of: %s%s%s%s", s, list, sug ? " (did you mean '" : "",
		 sug ? sug : "", sug ? "'?)" : "");
	return WEFT_EINVALID;
}

static bool parse_bool_word(const char *s, bool *out)
{
	static const char *const yes[] = { "true", "yes", "y", "on", "1" };
	static const char *const no[] = { "false", "no", "n", "off", "0" };
	for (size_t i = 0; i < 5; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return true;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return true;
		}
	}
	return false;
}

static int value_parse_shown(cJSON **out, const weft_templates_var *pv, const char *text, char *problem,
			     size_t plen)
{
	const weft_templates_var_impl *v = (const weft_templates_var_impl *)pv;
	*out = NULL;
	problem[0] = '\0';
	switch (pv->type) {
	case WEFT_TEMPLATES_STRING:
		if (v->has_re && !full_match(v, text)) {
			snprintf(problem, plen, "'%s' does not match the pattern %s", text, pv->pattern);
			return WEFT_EINVALID;
		}
		*out = cJSON_CreateString(text);
		break;
	case WEFT_TEMPLATES_INT: {
		const char *s = text;
		while (isspace((unsigned char)*s))
			s++;
		char *end;
		errno = 0;
		long long n = strtoll(s, &end, 10);
		while (end && isspace((unsigned char)*end))
			end++;
		if (!*s || errno || *end) {
			snprintf(problem, plen, "'%s' is not a whole number", text);
			return WEFT_EINVALID;
		}
		if ((pv->has_min && n < pv->min) || (pv->has_max && n > pv->max)) {
			if (pv->has_min && pv->has_max)
				snprintf(problem, plen, "%lld is outside %lld..%lld", n, pv->min, pv->max);
			else if (pv->has_min)
				snprintf(problem, plen, "%lld is less than the minimum %lld", n, pv->min);
			else
				snprintf(problem, plen, "%lld is more than the maximum %lld", n, pv->max);
			return WEFT_EINVALID;
		}
		if (n > (1LL << 53) || n < -(1LL << 53)) {
			snprintf(problem, plen, "%lld is too large", n);
			return WEFT_EINVALID;
		}
		*out = cJSON_CreateNumber((double)n);
		break;
	}
	case WEFT_TEMPLATES_BOOL: {
		bool b;
		char w[16];
		snprintf(w, sizeof w, "%s", text);
		char *e = w + strlen(w);
		while (e > w && isspace((unsigned char)e[-1]))
			*--e = '\0';
		const char *s = w;
		while (isspace((unsigned char)*s))
			s++;
		if (strlen(text) >= sizeof w || !parse_bool_word(s, &b)) {
			snprintf(problem, plen, "'%s' is not yes or no (true/false)", text);
			return WEFT_EINVALID;
		}
		*out = cJSON_CreateBool(b);
		break;
	}
	case WEFT_TEMPLATES_CHOICE:
		if (check_choice(pv, text, problem, plen))
			return WEFT_EINVALID;
		*out = cJSON_CreateString(text);
		break;
	case WEFT_TEMPLATES_LIST: {
		cJSON *arr = cJSON_CreateArray();
		if (!arr)
			return WEFT_ENOMEM;
		const char *s = text;
		size_t count = 0;
		while (*s) {
			const char *e = strchr(s, ',');
			size_t n = e ? (size_t)(e - s) : strlen(s);
			const char *a = s, *b = s + n;
			while (a < b && isspace((unsigned char)*a))
				a++;
			while (b > a && isspace((unsigned char)b[-1]))
				b--;
			if (b > a) {
				char *item = strndup(a, (size_t)(b - a));
				if (!item) {
					cJSON_Delete(arr);
					return WEFT_ENOMEM;
				}
				int bad = 0;
				if (++count > MAX_LIST_ITEMS) {
					snprintf(problem, plen, "more than %d items", MAX_LIST_ITEMS);
					bad = 1;
				} else if (pv->n_choices && check_choice(pv, item, problem, plen)) {
					bad = 1;
				} else if (v->has_re && !full_match(v, item)) {
					snprintf(problem, plen, "item '%s' does not match the pattern %s", item, pv->pattern);
					bad = 1;
				}
				if (bad) {
					free(item);
					cJSON_Delete(arr);
					return WEFT_EINVALID;
				}
				cJSON_AddItemToArray(arr, cJSON_CreateString(item));
				free(item);
			}
			s += n;
			if (*s == ',')
				s++;
		}
		*out = arr;
		break;
	}
	}
	return *out ? WEFT_OK : WEFT_ENOMEM;
}

/* The reasons above quote the value; a secret's never is: its reason says
 * what was expected of "the value given for NAME" instead. */
int weft_templates_value_parse(cJSON **out, const weft_templates_var *pv, const char *text, char *problem,
			       size_t plen)
{
	int err = value_parse_shown(out, pv, text, problem, plen);
	if (err != WEFT_EINVALID || !pv->secret)
		return err;
	const weft_templates_var_impl *v = (const weft_templates_var_impl *)pv;
	char list[512];
	choices_text(pv, list, sizeof list);
	int n = snprintf(problem, plen, "the value given for %s ", pv->name);
	size_t o = n < 0 ? 0 : (size_t)n < plen ? (size_t)n : plen - 1;
	switch (pv->type) {
	case WEFT_TEMPLATES_STRING:
		snprintf(problem + o, plen - o, "does not match the pattern %s", pv->pattern ? pv->pattern : "");
		break;
	case WEFT_TEMPLATES_INT:
		if (pv->has_min && pv->has_max)
			snprintf(problem + o, plen - o, "is not a whole number in %lld..%lld", pv->min, pv->max);
		else if (pv->has_min)
			snprintf(problem + o, plen - o, "is not a whole number of at least %lld", pv->min);
		else if (pv->has_max)
			snprintf(problem + o, plen - o, "is not a whole number of at most %lld", pv->max);
		else
			snprintf(problem + o, plen - o, "is not a whole number (at most 2^53)");
		break;
	case WEFT_TEMPLATES_BOOL:
		snprintf(problem + o, plen - o, "is not yes or no (true/false)");
		break;
	case WEFT_TEMPLATES_CHOICE:
		snprintf(problem + o, plen - o, "is not one of: %s", list);
		break;
	case WEFT_TEMPLATES_LIST:
		snprintf(problem + o, plen - o, "is not a list of at most %d items%s%s%s%s", MAX_LIST_ITEMS,
			 pv->n_choices ? " from: " : "", pv->n_choices ? list : "",
			 v->has_re ? ", each matching the pattern " : "", v->has_re ? pv->pattern : "");
		break;
	}
	return err;
}

/* Words of s for case transforms: split at non-alphanumerics and at a
 * lower-to-upper change ("myService" -> my, Service). */
static void transform(weft_buf *out, const char *s, const char *how)
{
	if (!strcmp(how, "lower") || !strcmp(how, "upper")) {
		for (; *s; s++)
			weft_buf_putc(out, (char)(how[0] == 'l' ? tolower((unsigned char)*s) : toupper((unsigned char)*s)));
		weft_buf_put(out, "", 0);
		return;
	}
	char sep = !strcmp(how, "snake") ? '_' : !strcmp(how, "kebab") ? '-' : 0;
	bool camel = !strcmp(how, "camel");
	size_t word = 0;
	const unsigned char *u = (const unsigned char *)s;
	for (size_t i = 0; u[i];) {
		while (u[i] && !isalnum(u[i]))
			i++;
		if (!u[i])
			break;
		size_t j = i + 1;
		while (u[j] && isalnum(u[j]) && !(isupper(u[j]) && islower(u[j - 1])))
			j++;
		if (word && sep)
			weft_buf_putc(out, sep);
		for (size_t k = i; k < j; k++) {
			int c = tolower(u[k]);
			if (k == i && !sep && (word || !camel))
				c = toupper(u[k]);
			weft_buf_putc(out, (char)c);
		}
		word++;
		i = j;
	}
	weft_buf_put(out, "", 0);
}

struct weft_templates_answers {
	weft_yaml_doc *doc;
	const weft_yaml_node *answers; /* mapping */
	const weft_yaml_node *tmpl;    /* the 'template' mapping or NULL */
};

int weft_templates_answers_load(weft_templates_answers **out, const char *path, weft_diags *d)
{
	*out = NULL;
	weft_templates_answers *a = calloc(1, sizeof *a);
	if (!a)
		return WEFT_ENOMEM;
	weft_yaml_opts yo = { .max_bytes = 1u << 20, .max_nodes = 100000 };
	int err = weft_yaml_load_file(&a->doc, path, &yo, d);
	const weft_yaml_node *root = a->doc ? weft_yaml_doc_root(a->doc) : NULL;
	if (!err && root) {
		err = weft_yaml_expect(a->doc, root, WEFT_YAML_MAPPING, "answers file", d);
		const weft_yaml_node *ans = weft_yaml_get(root, "answers");
		if (!err && ans && !weft_yaml_is_null(ans)) {
			err = weft_yaml_expect(a->doc, ans, WEFT_YAML_MAPPING, "answers", d);
			a->answers = ans;
			a->tmpl = weft_yaml_get(root, "template");
			if (a->tmpl && a->tmpl->kind != WEFT_YAML_MAPPING)
				a->tmpl = NULL;
		} else if (!err && !ans && !weft_yaml_get(root, "template")) {
			a->answers = root; /* a plain mapping of name: value */
		}
	}
	if (err) {
		weft_templates_answers_free(a);
		return err;
	}
	*out = a;
	return WEFT_OK;
}

void weft_templates_answers_free(weft_templates_answers *a)
{
	if (!a)
		return;
	weft_yaml_doc_free(a->doc);
	free(a);
}

const char *weft_templates_answers_field(const weft_templates_answers *a, const char *key)
{
	const weft_yaml_node *n = a ? weft_yaml_get(a->tmpl, key) : NULL;
	if (!n || weft_yaml_is_null(n))
		return NULL;
	return scalar(n);
}

/* ---- replays: what changed since the answers were written ------------------------- */

static void yaml_quoted(weft_buf *b, const char *s);

/* One variable's definition as comparable text fields, the same whether read
 * back from an answers file or taken from a manifest. */
typedef struct {
	const char *type, *def, *when, *pattern;
	char choices[1024], min[32], max[32];
	bool secret;
} var_shape;

static void shape_of_var(var_shape *sh, const weft_templates_var *v)
{
	memset(sh, 0, sizeof *sh);
	sh->type = weft_templates_type_name(v->type);
	sh->def = v->secret ? NULL : v->default_text;
	sh->when = v->when;
	sh->pattern = v->pattern;
	sh->secret = v->secret;
	size_t at_ = 0;
	for (size_t i = 0; i < v->n_choices && at_ < sizeof sh->choices; i++)
		at_ += (size_t)snprintf(sh->choices + at_, sizeof sh->choices - at_, "%s%s", i ? "," : "",
				       v->choices[i]);
	if (v->has_min)
		snprintf(sh->min, sizeof sh->min, "%lld", v->min);
	if (v->has_max)
		snprintf(sh->max, sizeof sh->max, "%lld", v->max);
}

static void shape_of_node(var_shape *sh, const weft_yaml_node *n)
{
	memset(sh, 0, sizeof *sh);
	sh->type = scalar(weft_yaml_get(n, "type"));
	const weft_yaml_node *f = weft_yaml_get(n, "default");
	sh->def = f && !weft_yaml_is_null(f) ? scalar(f) : NULL;
	f = weft_yaml_get(n, "when");
	sh->when = f && !weft_yaml_is_null(f) ? scalar(f) : NULL;
	f = weft_yaml_get(n, "pattern");
	sh->pattern = f && !weft_yaml_is_null(f) ? scalar(f) : NULL;
	bool b = false;
	f = weft_yaml_get(n, "secret");
	sh->secret = f && weft_yaml_as_bool(&b, f) == 0 && b;
	const weft_yaml_node *c = weft_yaml_get(n, "choices");
	size_t at_ = 0;
	for (size_t i = 0; c && c->kind == WEFT_YAML_SEQUENCE && i < c->n && at_ < sizeof sh->choices; i++) {
		const char *it = scalar(c->items[i]);
		at_ += (size_t)snprintf(sh->choices + at_, sizeof sh->choices - at_, "%s%s", i ? "," : "",
				       it ? it : "?");
	}
	const char *mn = scalar(weft_yaml_get(n, "min")), *mx = scalar(weft_yaml_get(n, "max"));
	snprintf(sh->min, sizeof sh->min, "%s", mn ? mn : "");
	snprintf(sh->max, sizeof sh->max, "%s", mx ? mx : "");
}

static bool same_text(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

/* "a" -> "b", either side possibly none, into out. */
static void change_text(weft_buf *out, const char *what, const char *a, const char *b)
{
	weft_buf_printf(out, "%s%s ", out->len ? "; " : "", what);
	if (a)
		yaml_quoted(out, a);
	else
		weft_buf_puts(out, "none");
	weft_buf_puts(out, " -> ");
	if (b)
		yaml_quoted(out, b);
	else
		weft_buf_puts(out, "none");
}

static void shape_diff(weft_buf *out, const var_shape *was, const var_shape *now)
{
	if (!same_text(was->type, now->type))
		change_text(out, "type", was->type, now->type);
	if (!same_text(was->def, now->def) && !was->secret && !now->secret)
		change_text(out, "default", was->def, now->def);
	if (strcmp(was->choices, now->choices))
		change_text(out, "choices", *was->choices ? was->choices : NULL, *now->choices ? now->choices : NULL);
	if (strcmp(was->min, now->min))
		change_text(out, "min", *was->min ? was->min : NULL, *now->min ? now->min : NULL);
	if (strcmp(was->max, now->max))
		change_text(out, "max", *was->max ? was->max : NULL, *now->max ? now->max : NULL);
	if (!same_text(was->pattern, now->pattern))
		change_text(out, "pattern", was->pattern, now->pattern);
	if (!same_text(was->when, now->when))
		change_text(out, "condition (when)", was->when, now->when);
	if (was->secret != now->secret)
		weft_buf_printf(out, "%s%s", out->len ? "; " : "", now->secret ? "now secret" : "no longer secret");
}

static void short_id(char *out, size_t len, const char *id)
{
	/* "sha256:" and 12 hex digits, or 12 digits of a commit */
	size_t keep = strncmp(id, "sha256:", 7) ? 12 : 19;
	snprintf(out, len, "%.*s", (int)keep, id);
}

size_t weft_templates_answers_compare(const weft_templates_answers *a, const weft_templates_manifest *m,
				      const char *digest, const char *commit, weft_diags *d)
{
	if (!a || !a->tmpl)
		return 0;
	const char *path = weft_yaml_doc_path(a->doc);
	size_t warnings = 0;
	const char *was_name = weft_templates_answers_field(a, "name");
	if (was_name && strcmp(was_name, m->name)) {
		weft_diags_add(d, WEFT_SEV_WARNING, path, 0, 0, NULL,
			       "these answers were written for template '%s', not '%s'", was_name, m->name);
		warnings++;
	}
	weft_buf why = WEFT_BUF_INIT;
	const char *was_version = weft_templates_answers_field(a, "version");
	if (was_version && strcmp(was_version, m->version))
		weft_buf_printf(&why, "version %s then, %s now", was_version, m->version);
	const char *was_digest = weft_templates_answers_field(a, "template_digest");
	if (was_digest && digest && strcmp(was_digest, digest)) {
		char x[32], y[32];
		short_id(x, sizeof x, was_digest);
		short_id(y, sizeof y, digest);
		weft_buf_printf(&why, "%sfiles %s... then, %s... now", why.len ? "; " : "", x, y);
	}
	const char *was_commit = weft_templates_answers_field(a, "commit");
	if (was_commit && commit && strcmp(was_commit, commit)) {
		char x[32], y[32];
		short_id(x, sizeof x, was_commit);
		short_id(y, sizeof y, commit);
		weft_buf_printf(&why, "%scommit %s then, %s now", why.len ? "; " : "", x, y);
	}

	/* the variables, when the file recorded them */
	const weft_yaml_node *vars = weft_yaml_get(a->tmpl, "variables");
	if (vars && vars->kind != WEFT_YAML_MAPPING)
		vars = NULL;
	size_t changed = 0;
	typedef struct {
		char *text;
	} note;
	note list[MAX_VARS * 2];
	size_t n_list = 0;
	for (size_t i = 0; vars && i < m->n_vars && n_list < MAX_VARS * 2; i++) {
		const weft_templates_var *v = &m->vars[i].pub;
		if (v->derived)
			continue;
		const weft_yaml_node *rec = weft_yaml_get(vars, v->name);
		const char *was_names[64], *renamed = NULL;
		size_t n_was = rec ? 0 : weft_templates_migrate_old_names(was_names, 64, m, was_version, v->name);
		for (size_t j = 0; !rec && j < n_was; j++)
			if ((rec = weft_yaml_get(vars, was_names[j])))
				renamed = was_names[j];
		var_shape now, was;
		shape_of_var(&now, v);
		weft_buf t = WEFT_BUF_INIT;
		if (renamed) {
			weft_buf_printf(&t, "variable '%s' is now '%s' (a migration of the template): its answer carried over",
					renamed, v->name);
			list[n_list++] = (note){ weft_buf_detach(&t) };
		}
		if (!rec) {
			weft_buf_printf(&t, "variable '%s' added (%s", v->name, now.type);
			if (now.def) {
				weft_buf_puts(&t, ", default ");
				yaml_quoted(&t, now.def);
			} else {
				weft_buf_puts(&t, now.secret ? ", secret" : ", required");
			}
			weft_buf_puts(&t, "): these answers have no value for it");
			list[n_list++] = (note){ weft_buf_detach(&t) };
			continue;
		}
		shape_of_node(&was, rec);
		weft_buf diff = WEFT_BUF_INIT;
		shape_diff(&diff, &was, &now);
		if (diff.len) {
			weft_buf_printf(&t, "variable '%s' changed: %s", v->name, diff.ptr);
			list[n_list++] = (note){ weft_buf_detach(&t) };
		}
		weft_buf_free(&diff);
		weft_buf_free(&t);
	}
	for (size_t i = 0; vars && i < vars->n && n_list < MAX_VARS * 2; i++) {
		const char *key = scalar(vars->keys[i]);
		size_t k = 0;
		while (key && k < m->n_vars && strcmp(m->vars[k].pub.name, key))
			k++;
		if (!key || (k < m->n_vars && !m->vars[k].pub.derived) ||
		    weft_templates_migrate_renamed(m, was_version, key))
			continue;
		weft_buf t = WEFT_BUF_INIT;
		weft_buf_printf(&t, "variable '%s' removed%s", key ? key : "?",
				k < m->n_vars ? " (now computed by the template)" : "");
		list[n_list++] = (note){ weft_buf_detach(&t) };
	}
	changed = n_list;
	if (changed)
		weft_buf_printf(&why, "%s%zu variable%s differ%s", why.len ? "; " : "", changed,
				changed == 1 ? "" : "s", changed == 1 ? "s" : "");
	if (why.len) {
		weft_diags_add(d, WEFT_SEV_WARNING, path, 0, 0,
			       vars ? NULL
				    : "this answers file does not record the template's variables (an older weft "
				      "wrote it), so what changed in them cannot be listed",
			       "the template changed since these answers were written (%s); the project may differ",
			       why.ptr);
		warnings++;
	}
	/* the variables that differ, each on a line of its own (no path: a
	 * cloned template's folder is gone when the messages are read) */
	for (size_t i = 0; i < n_list; i++) {
		weft_diags_add(d, WEFT_SEV_NOTE, NULL, 0, 0, NULL, "%s", list[i].text ? list[i].text : "?");
		free(list[i].text);
	}
	weft_buf_free(&why);

	const char *dirty = weft_templates_answers_field(a, "dirty");
	bool was_dirty = false;
	if (dirty && weft_yaml_as_bool(&was_dirty, weft_yaml_get(a->tmpl, "dirty")) == 0 && was_dirty) {
		weft_diags_add(d, WEFT_SEV_WARNING, path, 0, 0,
			       "the files then were the repository's work tree, which its commit does not hold",
			       "these answers were written from a template with uncommitted changes (dirty: true); "
			       "this replay may not give the same project");
		warnings++;
	}
	const char *was_weft = weft_templates_answers_field(a, "weft_version");
	if (was_weft && strcmp(was_weft, weft_version())) {
		weft_diags_add(d, WEFT_SEV_WARNING, path, 0, 0, NULL,
			       "these answers were written by weft %s; this is weft %s, whose output may differ",
			       was_weft, weft_version());
		warnings++;
	}
	return warnings;
}

/* The text form of an answer node, for the type parser. */
static int answer_text(weft_buf *out, const weft_templates_var *v, const weft_yaml_node *n)
{
	if (n->kind == WEFT_YAML_SCALAR) {
		if (n->len != strlen(n->scalar))
			return WEFT_EINVALID;
		weft_buf_puts(out, n->scalar);
		return WEFT_OK;
	}
	if (n->kind == WEFT_YAML_SEQUENCE && v->type == WEFT_TEMPLATES_LIST) {
		weft_buf_put(out, "", 0);
		for (size_t i = 0; i < n->n; i++) {
			const char *s = scalar(n->items[i]);
			if (!s || strchr(s, ','))
				return WEFT_EINVALID;
			weft_buf_printf(out, "%s%s", i ? "," : "", s);
		}
		return WEFT_OK;
	}
	return WEFT_EINVALID;
}

static const char *find_set(const weft_templates_values_opts *o, const char *name)
{
	size_t n = strlen(name);
	const char *found = NULL;
	for (size_t i = 0; i < o->n_sets; i++)
		if (!strncmp(o->sets[i], name, n) && o->sets[i][n] == '=')
			found = o->sets[i] + n + 1; /* the last one wins */
	return found;
}

/* ---- validation rules at resolve time ------------------------------------------- */

#define MAX_ASK_ROUNDS 20

/* The questions of an interactive resolve that can go round again: every
 * answer is kept, so a later round replays them without asking, except for
 * the variables of a failing rule, which are asked again with its message. */
typedef struct {
	weft_templates_ask_fn ask; /* the caller's */
	void *ctx;
	const weft_templates_manifest *m;
	char *answer[MAX_VARS]; /* the last answer to each variable; NULL: never asked */
	char *again[MAX_VARS];  /* ask again in this round, with this problem */
	unsigned round;
	bool retry; /* set by check_validations: go round again */
} replay;

static int replay_ask(void *ctx, const weft_templates_var *v, const char *def, const char *problem, char **answer)
{
	replay *r = ctx;
	size_t i = (size_t)((const weft_templates_var_impl *)(const void *)v - r->m->vars);
	if (i >= r->m->n_vars || i >= MAX_VARS)
		return r->ask(r->ctx, v, def, problem, answer);
	int err;
	if (!problem && r->again[i]) {
		/* offer the previous answer, so that only what must change changes */
		const char *prev = r->answer[i] && *r->answer[i] ? r->answer[i] : def;
		err = r->ask(r->ctx, v, prev, r->again[i], answer);
		free(r->again[i]);
		r->again[i] = NULL;
	} else if (!problem && r->answer[i]) {
		*answer = strdup(r->answer[i]);
		return *answer ? WEFT_OK : WEFT_ENOMEM;
	} else {
		err = r->ask(r->ctx, v, def, problem, answer);
	}
	if (!err) {
		free(r->answer[i]);
		r->answer[i] = strdup(*answer);
	}
	return err;
}

static void replay_free(replay *r)
{
	for (size_t i = 0; i < MAX_VARS; i++) {
		free(r->answer[i]);
		free(r->again[i]);
	}
	free(r);
}

/* The answer to variable name: under its name, else (weft update) under
 * an earlier name the template's migrations renamed it from; NULL if none
 * or null. */
static const weft_yaml_node *answer_of(const weft_templates_manifest *m, const weft_templates_values_opts *o,
				       const char *name)
{
	if (!o->answers || !o->answers->answers)
		return NULL;
	const weft_yaml_node *a = weft_yaml_get(o->answers->answers, name);
	const char *was[64];
	size_t n = a ? 0 : weft_templates_migrate_old_names(was, 64, m, o->answers_version, name);
	for (size_t i = 0; !a && i < n; i++)
		a = weft_yaml_get(o->answers->answers, was[i]);
	return a && !weft_yaml_is_null(a) ? a : NULL;
}

/* Did the user give variable k (--set, answers file, a prompt)? */
static bool user_given(const weft_templates_manifest *m, const weft_templates_values_opts *o, const replay *r,
		       size_t k)
{
	const char *name = m->vars[k].pub.name;
	if (find_set(o, name))
		return true;
	if (answer_of(m, o, name))
		return true;
	return r && k < MAX_VARS && r->answer[k];
}

static int var_index(const weft_templates_manifest *m, const char *name)
{
	for (size_t k = 0; k < m->n_vars; k++)
		if (!strcmp(m->vars[k].pub.name, name))
			return (int)k;
	return -1;
}

/* Check every rule over the resolved values. A rule naming a variable that
 * is not in effect (its `when` is false) is skipped. Every failing rule is
 * reported; when asking, the failing rules' asked variables are marked to
 * be asked again instead (WEFT_EUSAGE with r->retry set). */
static int check_validations(const weft_templates_manifest *m, const cJSON *vals,
			     const weft_templates_values_opts *o, weft_diags *d)
{
	if (!m->n_validations)
		return WEFT_OK;
	replay *r = o->ask == replay_ask ? o->ask_ctx : NULL;
	char **text = calloc(m->n_validations, sizeof *text);
	if (!text)
		return WEFT_ENOMEM;
	weft_templates_render_opts ro = { .max_output = 4096 };
	size_t n_failed = 0;
	int err = WEFT_OK;
	for (size_t i = 0; i < m->n_validations && !err; i++) {
		const weft_templates_validation_impl *v = &m->validations[i];
		bool in_effect = true;
		for (size_t k = 0; k < m->n_vars && in_effect; k++)
			in_effect = !v->uses[k] || cJSON_GetObjectItemCaseSensitive(vals, m->vars[k].pub.name);
		if (!in_effect)
			continue;
		bool holds = false;
		char msg[256];
		int col = 0;
		int e = weft_templates_expr_eval(&holds, v->rule, vals, msg, sizeof msg, &col);
		if (!e && holds)
			continue;
		char *said = NULL;
		weft_diags *scratch = NULL;
		if (weft_diags_new(&scratch)) {
			err = WEFT_ENOMEM;
			break;
		}
		if (weft_templates_render_string(&said, m->path, v->message, vals, &ro, scratch)) {
			free(said);
			said = NULL;
		}
		weft_diags_free(scratch);
		weft_buf b = WEFT_BUF_INIT;
		weft_buf_puts(&b, said ? said : v->message);
		if (e)
			weft_buf_printf(&b, " (the rule '%s' cannot be checked: %s)", v->rule, msg);
		free(said);
		if (!(text[i] = weft_buf_detach(&b)))
			err = WEFT_ENOMEM;
		n_failed++;
	}
	if (err || !n_failed)
		goto done;

	/* asking: every failing rule has an asked variable to ask again? */
	if (r && r->round + 1 < MAX_ASK_ROUNDS) {
		bool all = true;
		for (size_t i = 0; i < m->n_validations && all; i++) {
			const weft_templates_validation_impl *v = &m->validations[i];
			bool any = false;
			for (size_t k = 0; text[i] && k < v->pub.n_vars && !any; k++) {
				int x = var_index(m, v->vars[k]);
				any = x >= 0 && x < MAX_VARS && r->answer[x] &&
				      cJSON_GetObjectItemCaseSensitive(vals, v->vars[k]);
			}
			all = !text[i] || any;
		}
		if (all) {
			for (size_t i = 0; i < m->n_validations; i++) {
				const weft_templates_validation_impl *v = &m->validations[i];
				for (size_t k = 0; text[i] && k < v->pub.n_vars; k++) {
					int x = var_index(m, v->vars[k]);
					if (x < 0 || x >= MAX_VARS || !r->answer[x] || r->again[x] ||
					    !cJSON_GetObjectItemCaseSensitive(vals, v->vars[k]))
						continue;
					if (!(r->again[x] = strdup(text[i])))
						err = WEFT_ENOMEM;
				}
			}
			r->retry = !err;
			if (!err)
				err = WEFT_EUSAGE;
			goto done;
		}
	}

	/* report them all */
	bool any_given = false;
	for (size_t i = 0; i < m->n_validations; i++) {
		if (!text[i])
			continue;
		const weft_templates_validation_impl *v = &m->validations[i];
		bool given = false, derived = false;
		weft_buf from = WEFT_BUF_INIT;
		weft_buf_put(&from, "", 0);
		for (size_t k = 0; k < m->n_vars; k++) {
			if (!v->uses[k])
				continue;
			const weft_templates_var *pv = &m->vars[k].pub;
			if (pv->derived) {
				derived = true;
				continue;
			}
			const char *set = find_set(o, pv->name);
			if (set) {
				weft_buf_printf(&from, "%s--set %s=%s", from.len ? ", " : "", pv->name,
						pv->secret ? "(secret)" : set);
				given = true;
			} else if (user_given(m, o, r, k)) {
				weft_buf_printf(&from, "%s%s %s", from.len ? ", " : "", pv->name,
						r && k < MAX_VARS && r->answer[k] ? "as answered" : "from the answers file");
				given = true;
			}
		}
		if (derived && !given && (o->n_sets || (o->answers && o->answers->answers) || r))
			given = true;
		weft_buf hint = WEFT_BUF_INIT;
		if (given) {
			weft_buf_printf(&hint, "the template's rule: %s (%s:%d:%d)%s%s", v->rule, m->path, v->rule_line,
					v->rule_col, from.len ? "; given: " : "", from.len ? from.ptr : "");
			weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, hint.ptr, "%s", text[i]);
		} else {
			weft_buf_printf(&hint, "the template's defaults break its own rule: %s", v->rule);
			weft_diags_add(d, WEFT_SEV_ERROR, m->path, v->rule_line, v->rule_col, hint.ptr, "%s", text[i]);
		}
		weft_buf_free(&hint);
		weft_buf_free(&from);
		any_given |= given;
	}
	err = any_given ? WEFT_EUSAGE : WEFT_EINVALID;
done:
	for (size_t i = 0; i < m->n_validations; i++)
		free(text[i]);
	free(text);
	return err;
}

/* An interactive resolve of a template with rules: resolve, and while the
 * rules fail on asked values, ask those again and resolve once more. The
 * rounds' diagnostics are kept only for the last one. */
static int resolve_asking(cJSON **out, const weft_templates_manifest *m, const weft_templates_values_opts *o,
			  weft_diags *d)
{
	replay *r = calloc(1, sizeof *r);
	if (!r)
		return WEFT_ENOMEM;
	r->ask = o->ask;
	r->ctx = o->ask_ctx;
	r->m = m;
	weft_templates_values_opts ro = *o;
	ro.ask = replay_ask;
	ro.ask_ctx = r;
	weft_diags *round = NULL;
	int err;
	for (;;) {
		if (weft_diags_new(&round)) {
			replay_free(r);
			return WEFT_ENOMEM;
		}
		r->retry = false;
		err = weft_templates_values_resolve(out, m, &ro, round);
		if (!err || !r->retry)
			break;
		weft_diags_free(round);
		round = NULL;
		r->round++;
	}
	for (size_t i = 0; i < weft_diags_count(round); i++) {
		const weft_diag *g = weft_diags_get(round, i);
		weft_diags_add(d, g->severity, g->path, g->line, g->col, g->hint, "%s", g->message ? g->message : "");
	}
	weft_diags_free(round);
	replay_free(r);
	return err;
}

/* Every --set names a variable that can be set (declared, not derived);
 * one usage error per bad one. names[0..m->n_vars) are the variables. */
static int check_sets(const weft_templates_manifest *m, const weft_templates_values_opts *o,
		      const char *const *names, weft_diags *d)
{
	int err = WEFT_OK;
	for (size_t i = 0; i < o->n_sets; i++) {
		const char *eq = strchr(o->sets[i], '=');
		char name[128];
		if (!eq || eq == o->sets[i] || (size_t)(eq - o->sets[i]) >= sizeof name) {
			weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, "write --set name=value",
				       "bad --set '%s'", o->sets[i]);
			err = WEFT_EUSAGE;
			continue;
		}
		memcpy(name, o->sets[i], (size_t)(eq - o->sets[i]));
		name[eq - o->sets[i]] = '\0';
		size_t k = 0;
		while (k < m->n_vars && strcmp(names[k], name))
			k++;
		if (k == m->n_vars) {
			const char *s = weft_suggest(name, names, m->n_vars);
			char hint[160];
			snprintf(hint, sizeof hint, "did you mean '%s'? ('weft templates show %s' lists them)",
				 s ? s : "", m->name);
			weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, s ? hint : NULL,
				       "--set %s: template '%s' has no variable '%s'", o->sets[i], m->name, name);
			err = WEFT_EUSAGE;
		} else if (m->vars[k].pub.derived) {
			weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL,
				       "--set %s: '%s' is computed by the template and cannot be set", o->sets[i],
				       name);
			err = WEFT_EUSAGE;
		}
	}
	return err;
}

/* A warning for each answer that is not a variable that can be set. */
static void warn_unknown_answers(const weft_templates_manifest *m, const weft_templates_values_opts *o,
				 const char *const *names, weft_diags *d)
{
	if (!o->answers || !o->answers->answers)
		return;
	const weft_yaml_node *am = o->answers->answers;
	for (size_t i = 0; i < am->n; i++) {
		const char *key = scalar(am->keys[i]);
		size_t k = 0;
		while (key && k < m->n_vars && strcmp(names[k], key))
			k++;
		if (key && k < m->n_vars && !m->vars[k].pub.derived)
			continue;
		if (key && weft_templates_migrate_renamed(m, o->answers_version, key))
			continue;
		const char *s = key ? weft_suggest(key, names, m->n_vars) : NULL;
		char hint[128];
		snprintf(hint, sizeof hint, "did you mean '%s'?", s ? s : "");
		weft_diags_add(d, WEFT_SEV_WARNING, weft_yaml_doc_path(o->answers->doc), am->keys[i]->line,
			       am->keys[i]->col, s ? hint : NULL, "answer '%s' is not a variable of '%s'; ignored",
			       key ? key : "?", m->name);
	}
}

/* One resolve in progress: what each variable's value comes from, the
 * values so far, and the error to return (the last one met; a variable
 * whose value failed is left out and the next one tried). */
typedef struct {
	const weft_templates_manifest *m;
	const weft_templates_values_opts *o;
	cJSON *vals;
	weft_templates_render_opts ro;
	weft_diags *d;
	int err;
	bool stop; /* ask() gave up: return WEFT_EUSAGE now */
} resolver;

/* Does pv's `when` hold over the values so far? A --set of a variable left
 * out is a warning; a condition that fails to evaluate is an error. */
static bool var_applies(resolver *rs, const weft_templates_var *pv)
{
	char msg[256];
	int col;
	bool holds = true;
	if (!pv->when)
		return true;
	if (weft_templates_expr_eval(&holds, pv->when, rs->vals, msg, sizeof msg, &col)) {
		weft_diags_add(rs->d, WEFT_SEV_ERROR, rs->m->path, pv->line, pv->col, NULL,
			       "variable '%s': when: %s", pv->name, msg);
		rs->err = WEFT_EINVALID;
		return false;
	}
	if (!holds && find_set(rs->o, pv->name))
		weft_diags_add(rs->d, WEFT_SEV_WARNING, NULL, 0, 0, NULL,
			       "--set %s: ignored, '%s' applies only when %s", pv->name, pv->name, pv->when);
	return holds;
}

/* A derived variable's value: its expr evaluated, or its value rendered
 * (then transformed) and parsed as its type; NULL on failure. */
static cJSON *var_derived_value(resolver *rs, const weft_templates_var *pv)
{
	char problem[512], msg[256];
	int col;
	cJSON *val = NULL;
	if (pv->expr) {
		bool r;
		if (weft_templates_expr_eval(&r, pv->expr, rs->vals, msg, sizeof msg, &col)) {
			weft_diags_add(rs->d, WEFT_SEV_ERROR, rs->m->path, pv->line, pv->col, NULL,
				       "variable '%s': expr: %s", pv->name, msg);
			rs->err = WEFT_EINVALID;
			return NULL;
		}
		return cJSON_CreateBool(r);
	}
	char *text = NULL;
	int e = weft_templates_render_string(&text, rs->m->path, pv->value, rs->vals, &rs->ro, rs->d);
	if (e) {
		rs->err = e;
		return NULL;
	}
	if (pv->transform) {
		weft_buf b = WEFT_BUF_INIT;
		transform(&b, text, pv->transform);
		free(text);
		if (!(text = weft_buf_detach(&b))) {
			rs->err = WEFT_ENOMEM;
			return NULL;
		}
	}
	if (weft_templates_value_parse(&val, pv, text, problem, sizeof problem)) {
		weft_diags_add(rs->d, WEFT_SEV_ERROR, rs->m->path, pv->line, pv->col, NULL,
			       "variable '%s': computed value: %s", pv->name, problem);
		rs->err = WEFT_EINVALID;
	}
	free(text);
	return val;
}

/* The value given with --set NAME=set, parsed as pv's type (a secret's
 * value is not repeated in the message). */
static cJSON *value_of_set(resolver *rs, const weft_templates_var *pv, const char *set)
{
	char problem[512];
	cJSON *val = NULL;
	if (!weft_templates_value_parse(&val, pv, set, problem, sizeof problem))
		return val;
	if (pv->secret) /* problem names it "the value given for NAME" */
		weft_diags_add(rs->d, WEFT_SEV_ERROR, NULL, 0, 0, pv->help, "--set %s: %s", pv->name, problem);
	else
		weft_diags_add(rs->d, WEFT_SEV_ERROR, NULL, 0, 0, pv->help, "--set %s=%s: %s", pv->name, set,
			       problem);
	rs->err = WEFT_EUSAGE;
	return NULL;
}

/* The value the answers file gives (node ans), parsed as pv's type. */
static cJSON *value_of_answer(resolver *rs, const weft_templates_var *pv, const weft_yaml_node *ans)
{
	char problem[512];
	cJSON *val = NULL;
	const char *file = weft_yaml_doc_path(rs->o->answers->doc);
	weft_buf t = WEFT_BUF_INIT;
	if (answer_text(&t, pv, ans)) {
		weft_diags_add(rs->d, WEFT_SEV_ERROR, file, ans->line, ans->col, NULL,
			       "answer '%s': expected %s, got %s", pv->name,
			       pv->type == WEFT_TEMPLATES_LIST ? "a list of strings" : "a scalar",
			       weft_yaml_describe(ans));
		rs->err = WEFT_EINVALID;
	} else if (weft_templates_value_parse(&val, pv, t.ptr ? t.ptr : "", problem, sizeof problem)) {
		weft_diags_add(rs->d, WEFT_SEV_ERROR, file, ans->line, ans->col, NULL, "answer '%s': %s", pv->name,
			       problem);
		rs->err = WEFT_EINVALID;
	}
	weft_buf_free(&t);
	return val;
}

/* Ask for pv's value (an empty answer takes def) until one is valid, at
 * most 100 times; ask() giving up sets rs->stop. */
static cJSON *value_asked(resolver *rs, const weft_templates_var *pv, const char *def)
{
	char problem[512];
	const char *why = NULL;
	cJSON *val = NULL;
	for (int tries = 0; tries < 100 && !val; tries++) {
		char *answer = NULL;
		if (rs->o->ask(rs->o->ask_ctx, pv, def, why, &answer)) {
			weft_diags_add(rs->d, WEFT_SEV_ERROR, NULL, 0, 0, NULL, "no answer for '%s'; stopped",
				       pv->name);
			rs->stop = true;
			return NULL;
		}
		const char *text = answer;
		if (!*answer && def)
			text = def;
		if (!*text && pv->type != WEFT_TEMPLATES_LIST)
			why = "a value is required";
		else if (weft_templates_value_parse(&val, pv, text, problem, sizeof problem))
			why = problem;
		free(answer);
	}
	if (!val) {
		weft_diags_add(rs->d, WEFT_SEV_ERROR, NULL, 0, 0, NULL, "no valid answer for '%s'", pv->name);
		rs->err = WEFT_EUSAGE;
	}
	return val;
}

/* An asked variable's default as its value; none: a required value that
 * nothing gave (a usage error unless the template is already broken). */
static cJSON *value_of_default(resolver *rs, const weft_templates_var *pv, const char *def)
{
	char problem[512];
	cJSON *val = NULL;
	if (!def) {
		weft_diags_add(rs->d, WEFT_SEV_ERROR, NULL, 0, 0, pv->help,
			       "no value for '%s' (%s, required): pass --set %s=... or --answers FILE", pv->name,
			       weft_templates_type_name(pv->type), pv->name);
		if (rs->err != WEFT_EINVALID)
			rs->err = WEFT_EUSAGE;
	} else if (weft_templates_value_parse(&val, pv, def, problem, sizeof problem)) {
		weft_diags_add(rs->d, WEFT_SEV_ERROR, rs->m->path, pv->line, pv->col, NULL,
			       "variable '%s': default '%s': %s", pv->name, def, problem);
		rs->err = WEFT_EINVALID;
	}
	return val;
}

/* An asked variable's value: --set, else the answers, else ask() (with the
 * default, rendered over the values so far, offered), else the default. */
static cJSON *var_given_value(resolver *rs, const weft_templates_var_impl *v)
{
	const weft_templates_var *pv = &v->pub;
	const weft_templates_values_opts *o = rs->o;
	const char *set = find_set(o, pv->name);
	const weft_yaml_node *ans = answer_of(rs->m, o, pv->name);
	if (set)
		return value_of_set(rs, pv, set);
	if (ans)
		return value_of_answer(rs, pv, ans);
	char *def = NULL;
	if (pv->default_text) {
		int e = v->default_templated
				? weft_templates_render_string(&def, rs->m->path, pv->default_text, rs->vals, &rs->ro,
							       rs->d)
				: (def = strdup(pv->default_text)) ? WEFT_OK : WEFT_ENOMEM;
		if (e) {
			rs->err = e;
			return NULL;
		}
	}
	cJSON *val = o->ask ? value_asked(rs, pv, def) : value_of_default(rs, pv, def);
	free(def);
	return val;
}

int weft_templates_values_resolve(cJSON **out, const weft_templates_manifest *m,
				  const weft_templates_values_opts *o, weft_diags *d)
{
	*out = NULL;
	weft_templates_values_opts none = { 0 };
	if (!o)
		o = &none;
	if (o->ask && o->ask != replay_ask && m->n_validations)
		return resolve_asking(out, m, o, d); /* rules may send questions round again */
	const char *names[MAX_VARS];
	for (size_t i = 0; i < m->n_vars; i++)
		names[i] = m->vars[i].pub.name;
	int err = check_sets(m, o, names, d);
	warn_unknown_answers(m, o, names, d);
	if (err)
		return err;
	resolver rs = { .m = m, .o = o, .vals = cJSON_CreateObject(), .ro = { .max_output = 1u << 20 }, .d = d };
	if (!rs.vals)
		return WEFT_ENOMEM;
	for (size_t i = 0; i < m->n_vars && rs.err != WEFT_ENOMEM && !rs.stop; i++) {
		const weft_templates_var_impl *v = &m->vars[i];
		if (!var_applies(&rs, &v->pub))
			continue;
		cJSON *val = v->pub.derived ? var_derived_value(&rs, &v->pub) : var_given_value(&rs, v);
		if (val)
			cJSON_AddItemToObject(rs.vals, v->pub.name, val);
	}
	err = rs.stop ? WEFT_EUSAGE : rs.err;
	if (!err)
		err = check_validations(m, rs.vals, o, d);
	if (err) {
		cJSON_Delete(rs.vals);
		return err;
	}
	*out = rs.vals;
	return WEFT_OK;
}

/* ---- the answers file we write ---------------------------------------------------- */

static void yaml_quoted(weft_buf *b, const char *s)
{
	weft_buf_putc(b, '"');
	for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
		switch (*u) {
		case '"': weft_buf_puts(b, "\\\""); break;
		case '\\': weft_buf_puts(b, "\\\\"); break;
		case '\n': weft_buf_puts(b, "\\n"); break;
		case '\t': weft_buf_puts(b, "\\t"); break;
		case '\r': weft_buf_puts(b, "\\r"); break;
		default:
			if (*u < 0x20 || *u == 0x7f)
				weft_buf_printf(b, "\\x%02x", *u);
			else
				weft_buf_putc(b, (char)*u);
		}
	}
	weft_buf_putc(b, '"');
}

static void yaml_field(weft_buf *b, const char *indent, const char *key, const char *value)
{
	weft_buf_printf(b, "%s%s: ", indent, key);
	if (value)
		yaml_quoted(b, value);
	else
		weft_buf_puts(b, "null");
	weft_buf_putc(b, '\n');
}

/* A variable's definition on one line: {type: "int", default: "8080", ...}. */
static void yaml_var(weft_buf *b, const weft_templates_var *v)
{
	weft_buf_printf(b, "    %s: {type: ", v->name);
	yaml_quoted(b, weft_templates_type_name(v->type));
	if (v->default_text && !v->secret) {
		weft_buf_puts(b, ", default: ");
		yaml_quoted(b, v->default_text);
	}
	if (v->n_choices) {
		weft_buf_puts(b, ", choices: [");
		for (size_t i = 0; i < v->n_choices; i++) {
			if (i)
				weft_buf_puts(b, ", ");
			yaml_quoted(b, v->choices[i]);
		}
		weft_buf_putc(b, ']');
	}
	if (v->has_min)
		weft_buf_printf(b, ", min: %lld", v->min);
	if (v->has_max)
		weft_buf_printf(b, ", max: %lld", v->max);
	if (v->pattern) {
		weft_buf_puts(b, ", pattern: ");
		yaml_quoted(b, v->pattern);
	}
	if (v->when) {
		weft_buf_puts(b, ", when: ");
		yaml_quoted(b, v->when);
	}
	if (v->secret)
		weft_buf_puts(b, ", secret: true");
	weft_buf_puts(b, "}\n");
}

int weft_templates_answers_text(weft_buf *b, const weft_templates_manifest *m,
				const weft_templates_record *r, const cJSON *values)
{
	weft_buf_puts(b, "# Written by weft new. To make this project again:\n"
			 "#   weft new SOURCE DEST --answers .weft-answers.yaml\n"
			 "template:\n");
	yaml_field(b, "  ", "name", m->name);
	yaml_field(b, "  ", "version", m->version);
	yaml_field(b, "  ", "source", r->source);
	if (r->subdir)
		yaml_field(b, "  ", "subdir", r->subdir);
	if (r->ref)
		yaml_field(b, "  ", "ref", r->ref);
	if (r->commit) {
		yaml_field(b, "  ", "commit", r->commit);
		weft_buf_printf(b, "  dirty: %s\n", r->dirty ? "true" : "false");
	}
	if (r->digest[0])
		yaml_field(b, "  ", "template_digest", r->digest);
	if (r->weft_version)
		yaml_field(b, "  ", "weft_version", r->weft_version);
	weft_buf_puts(b, "  variables:");
	bool vars = false;
	for (size_t i = 0; i < m->n_vars; i++) {
		if (m->vars[i].pub.derived)
			continue;
		if (!vars)
			weft_buf_putc(b, '\n');
		vars = true;
		yaml_var(b, &m->vars[i].pub);
	}
	if (!vars)
		weft_buf_puts(b, " {}\n");
	weft_buf_puts(b, "answers:");
	bool any = false;
	for (size_t i = 0; i < m->n_vars; i++) {
		const weft_templates_var *v = &m->vars[i].pub;
		const cJSON *j = cJSON_GetObjectItemCaseSensitive(values, v->name);
		if (v->derived || v->secret || !j)
			continue; /* a secret is asked again (or --set) on a replay */
		if (!any)
			weft_buf_putc(b, '\n');
		any = true;
		weft_buf_printf(b, "  %s:", v->name);
		if (cJSON_IsBool(j)) {
			weft_buf_puts(b, cJSON_IsTrue(j) ? " true" : " false");
		} else if (cJSON_IsNumber(j)) {
			weft_buf_printf(b, " %.0f", j->valuedouble);
		} else if (cJSON_IsString(j)) {
			weft_buf_putc(b, ' ');
			yaml_quoted(b, j->valuestring);
		} else if (cJSON_IsArray(j)) {
			if (!j->child)
				weft_buf_puts(b, " []");
			for (const cJSON *it = j->child; it; it = it->next) {
				weft_buf_puts(b, "\n    - ");
				yaml_quoted(b, cJSON_IsString(it) ? it->valuestring : "");
			}
		}
		weft_buf_putc(b, '\n');
	}
	if (!any)
		weft_buf_puts(b, " {}\n");
	return b->oom ? WEFT_ENOMEM : WEFT_OK;
}
