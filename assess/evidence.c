/* evidence.c - `weft assess evidence`: what a repository's files show for
 * each question of a maturity model, and where an answers file disagrees.
 *
 * Design choice: evidence supports an answer, it never rates one. Each rule
 * of an option is matched on its own and reported found (with path:line)
 * or not found; a question's supported level is the highest level up to
 * which every rule was found, and an answer is only compared with it. The
 * matchers read files as text or as YAML/JSON trees with positions (libyaml
 * through weft_yaml), never run anything, and bound what they read, so a
 * hostile repository costs at most a few reads per file and rule.
 */
#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "assess_int.h"

/* ---- reading files ---------------------------------------------------------------- */

typedef struct {
	char *buf;
	char **lines; /* NUL-terminated, without '\n' */
	size_t n;
	size_t len;
	bool borrowed; /* owned by the scan's cache: text_free leaves it */
} text;

/* What several rules read is read once: the lines of each file, kept up to
 * TEXT_CACHE_MAX bytes in all (past that, files are read per rule). */
#define TEXT_CACHE_MAX (64u << 20)
enum { TEXT_UNREAD, TEXT_CACHED, TEXT_UNUSABLE };

typedef struct {
	text *t;               /* per file of the list */
	unsigned char *state;  /* TEXT_* per file */
	size_t bytes;
} text_cache;

typedef struct {
	const char *root;
	const assess_filelist *fl;
	weft_diags *scratch; /* read and parse errors of repository files: not the user's problem */
	text_cache *cache;
} scan;

static void text_free(text *t)
{
	if (!t->borrowed) {
		free(t->buf);
		free(t->lines);
	}
	memset(t, 0, sizeof *t);
}

/* The index of rel in the sorted file list, or -1. */
static long file_index(const scan *s, const char *rel)
{
	size_t lo = 0, hi = s->fl->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->fl->paths[mid], rel);
		if (!c)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static bool files_have(const scan *s, const char *rel)
{
	return file_index(s, rel) >= 0;
}

/* Read rel as lines; false for a file that cannot be read, is too large, or
 * is binary (a NUL byte). */
static bool text_read(text *t, const scan *s, const char *rel)
{
	memset(t, 0, sizeof *t);
	char path[4096];
	struct stat st;
	if (snprintf(path, sizeof path, "%s/%s", s->root, rel) >= (int)sizeof path || lstat(path, &st) ||
	    !S_ISREG(st.st_mode) || st.st_size > (off_t)WEFT_ASSESS_EVIDENCE_MAX_READ)
		return false;
	if (weft_file_read(&t->buf, &t->len, path, WEFT_ASSESS_EVIDENCE_MAX_READ, s->scratch))
		return false;
	if (memchr(t->buf, '\0', t->len)) {
		text_free(t);
		return false;
	}
	size_t cap = 1;
	for (size_t i = 0; i < t->len; i++)
		cap += t->buf[i] == '\n';
	if (!(t->lines = malloc(cap * sizeof *t->lines))) {
		text_free(t);
		return false;
	}
	for (char *p = t->buf; p < t->buf + t->len;) {
		char *nl = memchr(p, '\n', (size_t)(t->buf + t->len - p));
		if (nl)
			*nl = '\0';
		if (nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		t->lines[t->n++] = p;
		p = nl ? nl + 1 : t->buf + t->len;
	}
	return true;
}

/* The lines of rel (a file of the list), from the cache when read before;
 * text_free(t) after use either way. */
static bool text_load(text *t, const scan *s, const char *rel)
{
	long i = file_index(s, rel);
	text_cache *c = s->cache;
	if (i < 0 || !c)
		return i >= 0 && text_read(t, s, rel);
	if (c->state[i] == TEXT_UNUSABLE)
		return false;
	if (c->state[i] == TEXT_CACHED) {
		*t = c->t[i];
		t->borrowed = true;
		return true;
	}
	if (!text_read(t, s, rel)) {
		c->state[i] = TEXT_UNUSABLE;
		return false;
	}
	if (c->bytes + t->len <= TEXT_CACHE_MAX) {
		c->t[i] = *t;
		c->state[i] = TEXT_CACHED;
		c->bytes += t->len;
		t->borrowed = true;
	}
	return true;
}

static int cache_new(text_cache *c, size_t n)
{
	c->bytes = 0;
	c->t = calloc(n ? n : 1, sizeof *c->t);
	c->state = calloc(n ? n : 1, 1);
	return c->t && c->state ? 0 : WEFT_ENOMEM;
}

static void cache_free(text_cache *c, size_t n)
{
	for (size_t i = 0; c->state && i < n; i++)
		if (c->state[i] == TEXT_CACHED)
			text_free(&c->t[i]);
	free(c->t);
	free(c->state);
}

/* ---- hits ---------------------------------------------------------------------------- */

static int hit_add(weft_assess_evidence_rule *er, const char *path, int line, const char *via, int via_line)
{
	if (er->n_hits == WEFT_ASSESS_EVIDENCE_MAX_HITS)
		return 0;
	if (!er->hits && !(er->hits = calloc(WEFT_ASSESS_EVIDENCE_MAX_HITS, sizeof *er->hits)))
		return WEFT_ENOMEM;
	weft_assess_evidence_hit *h = &er->hits[er->n_hits];
	h->path = strdup(path);
	h->via = via ? strdup(via) : NULL;
	if (!h->path || (via && !h->via)) {
		free(h->path);
		free(h->via);
		return WEFT_ENOMEM;
	}
	h->line = line;
	h->via_line = via_line;
	er->n_hits++;
	return 0;
}

static bool full(const weft_assess_evidence_rule *er)
{
	return er->n_hits == WEFT_ASSESS_EVIDENCE_MAX_HITS;
}

static bool globs_match(const weft_assess_rule *r, const char *path)
{
	for (size_t i = 0; i < r->n_globs; i++)
		if (assess_glob_match(r->globs[i], path))
			return true;
	return false;
}

/* A comment line in the common styles: a line starting with "//", "/" "*",
 * "* ", "# " or "#!" (a preprocessor line such as "#define" is code). */
static bool comment_line(const char *l)
{
	while (*l == ' ' || *l == '\t')
		l++;
	if ((l[0] == '/' && (l[1] == '/' || l[1] == '*')) || (l[0] == '*' && (!l[1] || l[1] == ' ' || l[1] == '/')))
		return true;
	return l[0] == '#' && (!l[1] || l[1] == ' ' || l[1] == '\t' || l[1] == '!' || l[1] == '#');
}

/* The first line of t (from index from) that rx matches, 1-based; 0 none.
 * Comment lines do not count: a rule looks for what the code does or the
 * configuration sets, not for what a comment says. */
static int first_line(const text *t, size_t from, const regex_t *rx)
{
	for (size_t i = from; i < t->n; i++)
		if (!comment_line(t->lines[i]) && !regexec(rx, t->lines[i], 0, NULL, 0))
			return (int)i + 1;
	return 0;
}

/* ---- test files ------------------------------------------------------------------------ */

/* A test file by the usual conventions: under a test folder, or named like
 * a test (test_x.c, x_test.go, x.test.js, x_spec.rb, XTest.java). */
static bool is_test_file(const char *path)
{
	static const char *const dirs[] = { "test", "tests", "spec", "specs", "__tests__", "testing", NULL };
	for (const char *p = path; *p;) {
		const char *e = strchr(p, '/');
		if (!e)
			break;
		for (size_t i = 0; dirs[i]; i++)
			if ((size_t)(e - p) == strlen(dirs[i]) && !strncmp(p, dirs[i], (size_t)(e - p)))
				return true;
		p = e + 1;
	}
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	const char *dot = strrchr(b, '.');
	size_t stem = dot ? (size_t)(dot - b) : strlen(b);
	return !strncmp(b, "test_", 5) || !strncmp(b, "test-", 5) || strstr(b, "_test.") || strstr(b, ".test.") ||
	       strstr(b, "_spec.") || strstr(b, ".spec.") || (stem > 4 && !strncmp(b + stem - 4, "Test", 4));
}

/* ---- YAML / JSON ---------------------------------------------------------------------- */

static weft_yaml_doc *yaml_load(const scan *s, const char *rel)
{
	char path[4096];
	if (snprintf(path, sizeof path, "%s/%s", s->root, rel) >= (int)sizeof path)
		return NULL;
	weft_yaml_opts yo = { WEFT_ASSESS_EVIDENCE_MAX_READ, 200000, 64, true };
	weft_yaml_doc *doc = NULL;
	if (weft_yaml_load_file(&doc, path, &yo, s->scratch))
		return NULL;
	return doc;
}

/* The key node of the first match of the dotted path parts[i..n) under n
 * (document order), its value matching rx when rx is not NULL. */
static const weft_yaml_node *key_find(const weft_yaml_node *n, char **parts, size_t i, size_t np,
				      const weft_yaml_node *key, const regex_t *rx, int depth)
{
	if (!n || depth > 64)
		return NULL;
	if (i == np) {
		if (!rx)
			return key;
		return n->kind == WEFT_YAML_SCALAR && !regexec(rx, n->scalar, 0, NULL, 0) ? key : NULL;
	}
	const char *part = parts[i];
	bool any = !strcmp(part, "*"), deep = !strcmp(part, "**");
	const weft_yaml_node *f = NULL;
	if (deep && (f = key_find(n, parts, i + 1, np, key, rx, depth + 1)))
		return f;
	if (n->kind == WEFT_YAML_SCALAR)
		return NULL;
	for (size_t k = 0; k < n->n && !f; k++) {
		const weft_yaml_node *kn = n->kind == WEFT_YAML_MAPPING ? n->keys[k] : n->items[k];
		bool hit = any || deep;
		if (!hit && n->kind == WEFT_YAML_MAPPING)
			hit = kn->kind == WEFT_YAML_SCALAR && !strcmp(kn->scalar, part);
		if (!hit && n->kind == WEFT_YAML_SEQUENCE) {
			char idx[24];
			snprintf(idx, sizeof idx, "%zu", k);
			hit = !strcmp(idx, part);
		}
		if (hit)
			f = key_find(n->items[k], parts, deep ? i : i + 1, np, kn, rx, depth + 1);
	}
	return f;
}

static size_t split_key(char *buf, char **parts, size_t max)
{
	size_t n = 0;
	for (char *p = buf; p && n < max;) {
		parts[n++] = p;
		p = strchr(p, '.');
		if (p)
			*p++ = '\0';
	}
	return n;
}

/* ---- matchers ------------------------------------------------------------------------- */

typedef struct {
	const scan *s;
	const weft_assess_rule *r;
	weft_assess_evidence_rule *er;
	regex_t rx, contains;
	bool has_rx, has_contains;
} matcher;

static int match_file(matcher *mt, const char *path)
{
	const weft_assess_rule *r = mt->r;
	text t;
	int line = 0, err = 0;
	switch (r->kind) {
	case WEFT_ASSESS_RULE_FILE: return hit_add(mt->er, path, 0, NULL, 0);
	case WEFT_ASSESS_RULE_CONTAINS:
		if (!text_load(&t, mt->s, path))
			return 0;
		if ((line = first_line(&t, 0, &mt->rx)))
			err = hit_add(mt->er, path, line, NULL, 0);
		text_free(&t);
		return err;
	case WEFT_ASSESS_RULE_TEST: {
		const char *b = strrchr(path, '/');
		if (!is_test_file(path) || regexec(&mt->rx, b ? b + 1 : path, 0, NULL, 0))
			return 0;
		if (!mt->has_contains)
			return hit_add(mt->er, path, 0, NULL, 0);
		if (!text_load(&t, mt->s, path))
			return 0;
		if ((line = first_line(&t, 0, &mt->contains)))
			err = hit_add(mt->er, path, line, NULL, 0);
		text_free(&t);
		return err;
	}
	default: break;
	}
	return 0;
}

static int match_key(matcher *mt, const char *path)
{
	weft_yaml_doc *doc = yaml_load(mt->s, path);
	if (!doc)
		return 0;
	char buf[512], *parts[32];
	snprintf(buf, sizeof buf, "%s", mt->r->key);
	size_t np = split_key(buf, parts, 32);
	const weft_yaml_node *k = key_find(weft_yaml_doc_root(doc), parts, 0, np, NULL,
					   mt->has_rx ? &mt->rx : NULL, 0);
	int err = k ? hit_add(mt->er, path, k->line, NULL, 0) : 0;
	weft_yaml_doc_free(doc);
	return err;
}

static bool scalar_is(const weft_yaml_node *n, const char *prefix)
{
	return n && n->kind == WEFT_YAML_SCALAR && !strncmp(n->scalar, prefix, strlen(prefix));
}

static int match_openapi(matcher *mt, const char *path)
{
	text t;
	if (!text_load(&t, mt->s, path))
		return 0;
	bool maybe = false; /* a cheap look before parsing: the key's name is in some line */
	for (size_t i = 0; i < t.n && !maybe; i++)
		maybe = strstr(t.lines[i], "openapi") || strstr(t.lines[i], "swagger");
	text_free(&t);
	if (!maybe)
		return 0;
	weft_yaml_doc *doc = yaml_load(mt->s, path);
	const weft_yaml_node *root = doc ? weft_yaml_doc_root(doc) : NULL;
	int err = 0;
	if (root && root->kind == WEFT_YAML_MAPPING) {
		const weft_yaml_node *paths = weft_yaml_get(root, "paths");
		bool v3 = scalar_is(weft_yaml_get(root, "openapi"), "3."),
		     v2 = scalar_is(weft_yaml_get(root, "swagger"), "2.0");
		for (size_t k = 0; (v2 || v3) && paths && paths->kind == WEFT_YAML_MAPPING && k < root->n; k++)
			if (!strcmp(root->keys[k]->scalar, v3 ? "openapi" : "swagger")) {
				err = hit_add(mt->er, path, root->keys[k]->line, NULL, 0);
				break;
			}
	}
	weft_yaml_doc_free(doc);
	return err;
}

/* ---- CI files ------------------------------------------------------------------------- */

/* Where CI systems read their configuration, from the repository root. */
static const char *const ci_files[] = {
	".github/workflows/*.yml", ".github/workflows/*.yaml", ".gitlab-ci.yml", ".gitlab/ci/*.yml",
	"azure-pipelines.yml", ".azure-pipelines/*.yml", ".circleci/config.yml", "bitbucket-pipelines.yml",
	".drone.yml", ".woodpecker.yml", ".buildkite/pipeline.yml", "Jenkinsfile", NULL,
};

static bool is_ci_file(const char *path)
{
	for (size_t i = 0; ci_files[i]; i++)
		if (strchr(ci_files[i], '/') ? assess_glob_match(ci_files[i], path) : !strcmp(ci_files[i], path))
			return true;
	return false;
}

/* Keys whose values CI systems run as shell commands. */
static bool command_key(const char *k)
{
	static const char *const keys[] = { "run", "script", "before_script", "after_script", "command",
					    "commands", "bash", "sh", "pwsh", "powershell", NULL };
	for (size_t i = 0; keys[i]; i++)
		if (!strcmp(k, keys[i]))
			return true;
	return false;
}

typedef struct {
	matcher *mt;
	const char *ci;  /* the CI file */
	const text *t;   /* its lines */
} ci_ctx;

/* The 1-based line of the CI file holding cmd, searching from the node's line. */
static int locate(const ci_ctx *c, const weft_yaml_node *n, const char *cmd)
{
	for (size_t i = n->line > 0 ? (size_t)n->line - 1 : 0; i < c->t->n; i++)
		if (strstr(c->t->lines[i], cmd))
			return (int)i + 1;
	return n->line;
}

/* The recipe of `make TARGET` in the Makefile: its lines matched. */
static int follow_make(ci_ctx *c, const char *target, int ci_line)
{
	text mk;
	if (!files_have(c->mt->s, "Makefile") || !text_load(&mk, c->mt->s, "Makefile"))
		return 0;
	int err = 0;
	size_t tl = strlen(target);
	for (size_t i = 0; i < mk.n && !err && !full(c->mt->er); i++) {
		if (strncmp(mk.lines[i], target, tl) || mk.lines[i][tl] != ':')
			continue;
		for (size_t j = i + 1; j < mk.n && mk.lines[j][0] == '\t'; j++)
			if (!regexec(&c->mt->rx, mk.lines[j], 0, NULL, 0)) {
				err = hit_add(c->mt->er, "Makefile", (int)j + 1, c->ci, ci_line);
				break;
			}
		break;
	}
	text_free(&mk);
	return err;
}

/* A command that runs a script of the repository (scripts/gate, ./x.sh,
 * sh tools/y) or `make TARGET`: the script's lines are matched too, one
 * level deep. */
#define SEP " \t;&|()"
static int follow(ci_ctx *c, char *cmd, int ci_line)
{
	int err = 0;
	bool make = false;
	char *save = NULL;
	for (char *tok = strtok_r(cmd, SEP, &save); tok && !err && !full(c->mt->er); tok = strtok_r(NULL, SEP, &save)) {
		size_t n = strlen(tok);
		while (n && (tok[n - 1] == '"' || tok[n - 1] == '\''))
			tok[--n] = '\0';
		while (*tok == '"' || *tok == '\'')
			tok++;
		if (make && *tok && *tok != '-' && !strchr(tok, '=')) {
			err = follow_make(c, tok, ci_line);
			make = false;
			continue;
		}
		make = !strcmp(tok, "make");
		if (!strncmp(tok, "./", 2))
			tok += 2;
		if (!*tok || *tok == '-' || strchr(tok, '$') || !strcmp(tok, c->ci) || !files_have(c->mt->s, tok))
			continue;
		text sc;
		if (!text_load(&sc, c->mt->s, tok))
			continue;
		int line = first_line(&sc, 0, &c->mt->rx);
		if (line)
			err = hit_add(c->mt->er, tok, line, c->ci, ci_line);
		text_free(&sc);
	}
	return err;
}

/* Each line of a command scalar: matched itself, else followed. */
static int ci_command(ci_ctx *c, const weft_yaml_node *n)
{
	if (n->kind != WEFT_YAML_SCALAR || strlen(n->scalar) != n->len)
		return 0;
	char *copy = strdup(n->scalar);
	if (!copy)
		return WEFT_ENOMEM;
	int err = 0;
	for (char *l = copy, *next; l && !err && !full(c->mt->er); l = next) {
		next = strchr(l, '\n');
		if (next)
			*next++ = '\0';
		while (*l == ' ' || *l == '\t')
			l++;
		if (!*l || *l == '#')
			continue;
		int line = locate(c, n, l);
		if (!regexec(&c->mt->rx, l, 0, NULL, 0))
			err = hit_add(c->mt->er, c->ci, line, NULL, 0);
		else
			err = follow(c, l, line);
	}
	free(copy);
	return err;
}

static int ci_walk(ci_ctx *c, const weft_yaml_node *n, int depth)
{
	int err = 0;
	if (!n || depth > 64 || n->kind == WEFT_YAML_SCALAR)
		return 0;
	for (size_t k = 0; k < n->n && !err && !full(c->mt->er); k++) {
		const weft_yaml_node *v = n->items[k];
		if (n->kind == WEFT_YAML_MAPPING && n->keys[k]->kind == WEFT_YAML_SCALAR &&
		    command_key(n->keys[k]->scalar) && v->kind != WEFT_YAML_MAPPING) {
			if (v->kind == WEFT_YAML_SCALAR)
				err = ci_command(c, v);
			for (size_t j = 0; v->kind == WEFT_YAML_SEQUENCE && j < v->n && !err; j++)
				err = v->items[j]->kind == WEFT_YAML_SCALAR ? ci_command(c, v->items[j])
									   : ci_walk(c, v->items[j], depth + 1);
		} else {
			err = ci_walk(c, v, depth + 1);
		}
	}
	return err;
}

static int match_ci(matcher *mt, const char *path)
{
	text t;
	if (!text_load(&t, mt->s, path))
		return 0;
	ci_ctx c = { mt, path, &t };
	int err = 0;
	if (!strcmp(path, "Jenkinsfile")) {
		int line = first_line(&t, 0, &mt->rx);
		err = line ? hit_add(mt->er, path, line, NULL, 0) : 0;
	} else {
		weft_yaml_doc *doc = yaml_load(mt->s, path);
		if (doc)
			err = ci_walk(&c, weft_yaml_doc_root(doc), 0);
		weft_yaml_doc_free(doc);
	}
	text_free(&t);
	return err;
}

/* ---- one rule over every file --------------------------------------------------------- */

static bool rule_wants(const weft_assess_rule *r, const char *path)
{
	switch (r->kind) {
	case WEFT_ASSESS_RULE_CI: return is_ci_file(path);
	case WEFT_ASSESS_RULE_OPENAPI:
		if (r->n_globs)
			return globs_match(r, path);
		return assess_glob_match("*.yaml", path) || assess_glob_match("*.yml", path) ||
		       assess_glob_match("*.json", path);
	case WEFT_ASSESS_RULE_TEST: return !r->n_globs || globs_match(r, path);
	default: return globs_match(r, path);
	}
}

static int rule_run(const scan *s, weft_assess_evidence_rule *er)
{
	matcher mt = { s, er->rule, er, .has_rx = false };
	const weft_assess_rule *r = er->rule;
	if (r->pattern) {
		if (regcomp(&mt.rx, r->pattern, REG_EXTENDED | REG_NOSUB))
			return 0; /* the model loader checked it */
		mt.has_rx = true;
	}
	if (r->contains) {
		if (regcomp(&mt.contains, r->contains, REG_EXTENDED | REG_NOSUB)) {
			if (mt.has_rx)
				regfree(&mt.rx);
			return 0;
		}
		mt.has_contains = true;
	}
	int err = 0;
	for (size_t i = 0; i < s->fl->n && !err && !full(er); i++) {
		const char *p = s->fl->paths[i];
		if (!rule_wants(r, p))
			continue;
		switch (r->kind) {
		case WEFT_ASSESS_RULE_KEY: err = match_key(&mt, p); break;
		case WEFT_ASSESS_RULE_CI: err = match_ci(&mt, p); break;
		case WEFT_ASSESS_RULE_OPENAPI: err = match_openapi(&mt, p); break;
		default: err = match_file(&mt, p); break;
		}
		weft_diags_clear(s->scratch);
	}
	if (mt.has_rx)
		regfree(&mt.rx);
	if (mt.has_contains)
		regfree(&mt.contains);
	return err;
}

/* ---- questions ----------------------------------------------------------------------- */

static size_t count_rules(const weft_assess_question *q)
{
	size_t n = 0;
	for (int L = 0; L < WEFT_ASSESS_LEVELS; L++)
		n += q->options[L].n_evidence;
	return n;
}

/* Every rule of q matched; supports_level from what was found. */
static int question_scan(weft_assess_evidence_q *eq, const weft_assess_question *q, const scan *s)
{
	eq->q = q;
	if (!(eq->rules = calloc(count_rules(q), sizeof *eq->rules)))
		return WEFT_ENOMEM;
	int err = 0;
	bool blocked = false;
	for (int L = 1; L <= WEFT_ASSESS_LEVELS && !err; L++) {
		const weft_assess_option *o = &q->options[L - 1];
		bool all = true;
		for (size_t k = 0; k < o->n_evidence && !err; k++) {
			weft_assess_evidence_rule *er = &eq->rules[eq->n_rules++];
			er->rule = &o->evidence[k];
			er->level = L;
			err = rule_run(s, er);
			all = all && er->n_hits > 0;
		}
		/* a level is supported only when every level below it with
		 * anything to check was: an option without rules ends the chain
		 * (nothing looked for its statements) except for level 1 */
		if (!all || (L > 1 && !o->n_evidence))
			blocked = true;
		if (!blocked && L > 1)
			eq->supports_level = L;
	}
	return err;
}

static bool any_found(const weft_assess_evidence_q *eq)
{
	for (size_t i = 0; i < eq->n_rules; i++)
		if (eq->rules[i].n_hits)
			return true;
	return false;
}

/* ---- conflicts ---------------------------------------------------------------------- */

static const weft_assess_qresult *qresult_of(const weft_assess_result *r, const weft_assess_question *q)
{
	const weft_assess_dresult *dr = &r->dims[q->dim];
	for (size_t j = 0; j < dr->n_questions; j++)
		if (dr->questions[j].q == q)
			return &dr->questions[j];
	return NULL;
}

/* OVER: the lowest level at or below the answer with a rule not found. */
static void conflict_over(weft_assess_evidence_q *eq)
{
	for (int L = 2; L <= eq->answer_level; L++) {
		weft_buf b = WEFT_BUF_INIT;
		size_t missing = 0;
		for (size_t i = 0; i < eq->n_rules; i++) {
			if (eq->rules[i].level != L || eq->rules[i].n_hits)
				continue;
			weft_buf_printf(&b, "%s%s", missing++ ? "; " : "", eq->rules[i].rule->text);
		}
		if (missing) {
			weft_buf t = WEFT_BUF_INIT;
			weft_buf_printf(&t, "answered %d; not found for level %d: %s", eq->answer_level, L, b.ptr);
			eq->conflict = WEFT_ASSESS_CONFLICT_OVER;
			eq->conflict_level = L;
			eq->conflict_text = t.ptr;
			weft_buf_free(&b);
			return;
		}
		weft_buf_free(&b);
	}
}

static void conflict_under(weft_assess_evidence_q *eq)
{
	int S = eq->supports_level;
	weft_buf t = WEFT_BUF_INIT;
	if (eq->out_of_scope)
		weft_buf_printf(&t, "evidence for level %d, but the dimension is declared out of scope", S);
	else if (eq->answer_status == WEFT_ASSESS_NA)
		weft_buf_printf(&t, "evidence for level %d, answered na", S);
	else
		weft_buf_printf(&t, "evidence for level %d, answered %d", S, eq->answer_level);
	eq->conflict = WEFT_ASSESS_CONFLICT_UNDER;
	eq->conflict_level = S;
	eq->conflict_text = t.ptr;
}

/* Compare each answer (rolled up, migrated: as the scorer sees it) with
 * the evidence. dim_evidence[d]: the evidence supports a level for some
 * question of dimension d (the repository takes part in it). */
static void conflicts(weft_assess_evidence *e, const weft_assess_result *r, const bool *dim_evidence)
{
	for (size_t i = 0; i < e->n_qs; i++) {
		weft_assess_evidence_q *eq = &e->qs[i];
		const weft_assess_qresult *qr = qresult_of(r, eq->q);
		const weft_assess_answer *a = weft_assess_answers_find(e->answers, eq->q->id);
		eq->out_of_scope = !r->dims[eq->q->dim].in_scope;
		eq->answer_status = qr ? qr->status : WEFT_ASSESS_UNANSWERED;
		eq->answer_level = qr ? qr->level : 0;
		if (a) {
			eq->answer_line = a->level_line ? a->level_line : a->line;
			eq->answer_col = a->level_line ? a->level_col : a->col;
		}
		bool under = eq->supports_level >= 2 &&
			     (eq->out_of_scope || eq->answer_status == WEFT_ASSESS_NA ||
			      (eq->answer_status == WEFT_ASSESS_ANSWERED && eq->answer_level < eq->supports_level));
		if (under)
			conflict_under(eq);
		else if (!eq->out_of_scope && eq->answer_status == WEFT_ASSESS_ANSWERED && dim_evidence[eq->q->dim])
			conflict_over(eq);
		if (eq->conflict)
			e->n_conflicts++;
	}
}

/* ---- the scan ------------------------------------------------------------------------- */

static int answers_compare(weft_assess_evidence *e, const weft_assess_model *m, weft_diags *d)
{
	weft_assess_result *r = NULL;
	weft_assess_score_opts so = { 0, NULL, 0, -1 };
	int err = weft_assess_score(&r, m, &e->answers, 1, &so, d);
	if (err)
		return err;
	bool *dim_evidence = calloc(m->n_dims ? m->n_dims : 1, sizeof *dim_evidence);
	if (!dim_evidence) {
		weft_assess_result_free(r);
		return WEFT_ENOMEM;
	}
	for (size_t i = 0; i < e->n_qs; i++)
		dim_evidence[e->qs[i].q->dim] |= e->qs[i].supports_level >= 2;
	conflicts(e, r, dim_evidence);
	free(dim_evidence);
	weft_assess_result_free(r);
	return 0;
}

int weft_assess_evidence_scan(weft_assess_evidence **out, const char *root, const weft_assess_model *m,
			      const weft_assess_evidence_opts *o, weft_diags *d)
{
	*out = NULL;
	weft_assess_evidence *e = calloc(1, sizeof *e);
	if (!e || !(e->root = strdup(root)) || !(e->qs = calloc(m->n_questions ? m->n_questions : 1, sizeof *e->qs))) {
		weft_assess_evidence_free(e);
		return WEFT_ENOMEM;
	}
	e->model = m;
	e->answers = o ? o->answers : NULL;
	assess_filelist fl;
	int err = assess_files_list(&fl, root, o && o->max_files ? o->max_files : WEFT_ASSESS_EVIDENCE_MAX_FILES, d);
	if (err) {
		weft_assess_evidence_free(e);
		return err;
	}
	e->git = fl.git;
	e->n_files = fl.n;
	text_cache cache = { 0 };
	scan s = { root, &fl, NULL, &cache };
	err = weft_diags_new(&s.scratch);
	if (!err)
		err = cache_new(&cache, fl.n);
	for (size_t i = 0; i < m->n_questions && !err; i++) {
		if (!count_rules(m->questions[i]))
			continue;
		weft_assess_evidence_q *eq = &e->qs[e->n_qs++];
		err = question_scan(eq, m->questions[i], &s);
		e->n_found += any_found(eq);
	}
	weft_diags_free(s.scratch);
	cache_free(&cache, fl.n);
	assess_files_free(&fl);
	if (!err && e->answers)
		err = answers_compare(e, m, d);
	if (err) {
		weft_assess_evidence_free(e);
		return err;
	}
	*out = e;
	return 0;
}

void weft_assess_evidence_free(weft_assess_evidence *e)
{
	if (!e)
		return;
	for (size_t i = 0; e->qs && i < e->n_qs; i++) {
		weft_assess_evidence_q *eq = &e->qs[i];
		for (size_t j = 0; j < eq->n_rules; j++) {
			for (size_t k = 0; k < eq->rules[j].n_hits; k++) {
				free(eq->rules[j].hits[k].path);
				free(eq->rules[j].hits[k].via);
			}
			free(eq->rules[j].hits);
		}
		free(eq->rules);
		free(eq->conflict_text);
	}
	free(e->qs);
	free(e->root);
	free(e);
}
