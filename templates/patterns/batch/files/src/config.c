/* config.c - reading job.conf: `key = value` lines, '#' comments.
 *
 * Key choice: the format is deliberately tiny (no quoting, no sections) so
 * that operators can edit it with anything and a mistake is reported with
 * its exact line and column; an unknown key is an error, not ignored, so a
 * typo ("chunk_szie") never silently falls back to a default.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void errf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void errf(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || !errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static char *dupstr(const char *s)
{
	size_t n = strlen(s) + 1;
	char *d = malloc(n);
	if (d)
		memcpy(d, s, n);
	return d;
}

static int set_str(char **dst, const char *v)
{
	char *d = dupstr(v);
	if (!d)
		return -1;
	free(*dst);
	*dst = d;
	return 0;
}

void config_free_names(char **names, size_t n)
{
	for (size_t i = 0; names && i < n; i++)
		free(names[i]);
	free(names);
}

int config_split_names(char ***out, size_t *n, const char *s)
{
	*out = NULL;
	*n = 0;
	size_t cap = 1;
	for (const char *p = s; *p; p++)
		cap += *p == ',';
	if (cap > CONFIG_MAX_NAMES)
		return -1;
	char **v = calloc(cap, sizeof *v);
	if (!v)
		return -1;
	size_t k = 0;
	const char *p = s;
	for (;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		while (len && isspace((unsigned char)*p)) {
			p++;
			len--;
		}
		while (len && isspace((unsigned char)p[len - 1]))
			len--;
		if (!len) {
			config_free_names(v, k);
			return -1;
		}
		v[k] = malloc(len + 1);
		if (!v[k]) {
			config_free_names(v, k);
			return -1;
		}
		memcpy(v[k], p, len);
		v[k][len] = '\0';
		k++;
		if (!e)
			break;
		p = e + 1;
	}
	*out = v;
	*n = k;
	return 0;
}

int config_is_identifier(const char *s)
{
	if (!s || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	size_t n = 0;
	for (; s[n]; n++)
		if (!(isalnum((unsigned char)s[n]) || s[n] == '_'))
			return 0;
	return n <= 63;
}

int config_defaults(job_config *c)
{
	memset(c, 0, sizeof *c);
	c->chunk_size = 1000;
	c->max_input_age_hours = 24;
	c->freshness = FRESH_MTIME;
	c->window_minutes = 60;
	if (set_str(&c->dir, ".") || set_str(&c->input, "data/input.csv") || set_str(&c->key_column, "key") ||
	    set_str(&c->model, "models/model.safetensors") || set_str(&c->db, "out/predictions.db") ||
	    set_str(&c->table, "predictions") || set_str(&c->export_path, "out/predictions-{date}.csv") ||
	    set_str(&c->runs_log, "out/runs.jsonl") || set_str(&c->timestamp_column, "as_of")) {
		config_clear(c);
		return -1;
	}
	return 0;
}

void config_clear(job_config *c)
{
	if (!c)
		return;
	free(c->path);
	free(c->dir);
	free(c->input);
	free(c->key_column);
	config_free_names(c->features, c->n_features);
	config_free_names(c->outputs, c->n_outputs);
	free(c->model);
	free(c->db);
	free(c->table);
	free(c->export_path);
	free(c->runs_log);
	free(c->timestamp_column);
	memset(c, 0, sizeof *c);
}

/* Strict integer in [lo, hi]. */
static int parse_long(const char *v, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (errno || end == v || *end || x < lo || x > hi)
		return -1;
	*out = x;
	return 0;
}

static int parse_double(const char *v, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double x = strtod(v, &end);
	if (errno || end == v || *end || !isfinite(x) || x < lo || x > hi)
		return -1;
	*out = x;
	return 0;
}

static const char *const known_keys[] = { "input", "key_column", "features", "outputs", "model", "db",
					  "table", "export", "runs_log", "chunk_size", "max_input_age_hours",
					  "freshness", "timestamp_column", "window_minutes", NULL };

/* Apply one key. Returns 0, or -1 with a message (without position) in msg. */
static int apply(job_config *c, const char *key, const char *v, char *msg, size_t msglen)
{
	if (!*v) {
		errf(msg, msglen, "'%s' has no value", key);
		return -1;
	}
	if (!strcmp(key, "chunk_size")) {
		if (parse_long(v, 1, CONFIG_CHUNK_MAX, &c->chunk_size) == 0)
			return 0;
		errf(msg, msglen, "chunk_size must be an integer from 1 to %ld, not '%s'", CONFIG_CHUNK_MAX, v);
		return -1;
	}
	if (!strcmp(key, "window_minutes")) {
		if (parse_long(v, 1, 7L * 24 * 60, &c->window_minutes) == 0)
			return 0;
		errf(msg, msglen, "window_minutes must be an integer from 1 to 10080, not '%s'", v);
		return -1;
	}
	if (!strcmp(key, "max_input_age_hours")) {
		if (parse_double(v, 0, 24.0 * 366 * 10, &c->max_input_age_hours) == 0)
			return 0;
		errf(msg, msglen, "max_input_age_hours must be a number from 0 (no limit) to 87840, not '%s'", v);
		return -1;
	}
	if (!strcmp(key, "freshness")) {
		if (!strcmp(v, "mtime"))
			c->freshness = FRESH_MTIME;
		else if (!strcmp(v, "column"))
			c->freshness = FRESH_COLUMN;
		else {
			errf(msg, msglen, "freshness must be 'mtime' or 'column', not '%s'", v);
			return -1;
		}
		return 0;
	}
	if (!strcmp(key, "features") || !strcmp(key, "outputs")) {
		char ***names = key[0] == 'f' ? &c->features : &c->outputs;
		size_t *n = key[0] == 'f' ? &c->n_features : &c->n_outputs;
		char **v2;
		size_t n2;
		if (config_split_names(&v2, &n2, v)) {
			errf(msg, msglen, "%s: a comma-separated list of non-empty names (at most %d)", key,
			     CONFIG_MAX_NAMES);
			return -1;
		}
		config_free_names(*names, *n);
		*names = v2;
		*n = n2;
		return 0;
	}
	char **dst = !strcmp(key, "input")	      ? &c->input
		     : !strcmp(key, "key_column")     ? &c->key_column
		     : !strcmp(key, "model")	      ? &c->model
		     : !strcmp(key, "db")	      ? &c->db
		     : !strcmp(key, "table")	      ? &c->table
		     : !strcmp(key, "export")	      ? &c->export_path
		     : !strcmp(key, "runs_log")	      ? &c->runs_log
		     : !strcmp(key, "timestamp_column") ? &c->timestamp_column
						      : NULL;
	if (!dst) {
		/* a hint for the nearest known key: same first letter and length within 2 */
		const char *near = NULL;
		for (size_t i = 0; known_keys[i]; i++) {
			size_t a = strlen(known_keys[i]), b = strlen(key);
			if (known_keys[i][0] == key[0] && (a > b ? a - b : b - a) <= 2)
				near = known_keys[i];
		}
		if (near)
			errf(msg, msglen, "unknown key '%s' (did you mean '%s'?)", key, near);
		else
			errf(msg, msglen, "unknown key '%s'", key);
		return -1;
	}
	if (set_str(dst, v)) {
		errf(msg, msglen, "out of memory");
		return -1;
	}
	return 0;
}

int config_load(job_config *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		errf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	if (set_str(&c->path, path)) {
		fclose(f);
		errf(err, errlen, "out of memory");
		return -1;
	}
	const char *slash = strrchr(path, '/');
	char *dir = slash ? malloc((size_t)(slash - path) + 2) : dupstr(".");
	if (dir && slash) {
		size_t n = slash == path ? 1 : (size_t)(slash - path);
		memcpy(dir, path, n);
		dir[n] = '\0';
	}
	if (!dir) {
		fclose(f);
		errf(err, errlen, "out of memory");
		return -1;
	}
	free(c->dir);
	c->dir = dir;

	char line[8192];
	char seen[sizeof known_keys / sizeof *known_keys] = { 0 };
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		size_t len = strlen(line);
		if (len == sizeof line - 1 && line[len - 1] != '\n') {
			errf(err, errlen, "%s:%d:1: line longer than %zu bytes", path, lineno, sizeof line - 2);
			rc = -1;
			break;
		}
		while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			line[--len] = '\0';
		char *p = line;
		while (*p == ' ' || *p == '\t')
			p++;
		if (!*p || *p == '#')
			continue;
		int key_col = (int)(p - line) + 1;
		char *eq = strchr(p, '=');
		if (!eq) {
			errf(err, errlen, "%s:%d:%d: expected 'key = value'", path, lineno, key_col);
			rc = -1;
			break;
		}
		char *ke = eq;
		while (ke > p && (ke[-1] == ' ' || ke[-1] == '\t'))
			ke--;
		*ke = '\0';
		char *v = eq + 1;
		while (*v == ' ' || *v == '\t')
			v++;
		char *ve = v + strlen(v);
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			*--ve = '\0';
		int val_col = (int)(v - line) + 1;
		if (!*p) {
			errf(err, errlen, "%s:%d:%d: a key is missing before '='", path, lineno, key_col);
			rc = -1;
			break;
		}
		size_t k = 0;
		while (known_keys[k] && strcmp(known_keys[k], p))
			k++;
		if (known_keys[k] && seen[k]) {
			errf(err, errlen, "%s:%d:%d: '%s' is set twice", path, lineno, key_col, p);
			rc = -1;
			break;
		}
		if (known_keys[k])
			seen[k] = 1;
		char msg[512];
		if (apply(c, p, v, msg, sizeof msg)) {
			errf(err, errlen, "%s:%d:%d: %s", path, lineno, known_keys[k] ? val_col : key_col, msg);
			rc = -1;
			break;
		}
	}
	if (!rc && ferror(f)) {
		errf(err, errlen, "%s: read error", path);
		rc = -1;
	}
	fclose(f);
	if (!rc)
		rc = config_check(c, err, errlen);
	return rc;
}

int config_check(const job_config *c, char *err, size_t errlen)
{
	const char *where = c->path ? c->path : "config";
	if (!config_is_identifier(c->table)) {
		errf(err, errlen, "%s: table '%s' is not a plain SQL name (letters, digits, '_')", where, c->table);
		return -1;
	}
	if (!config_is_identifier(c->key_column)) {
		errf(err, errlen, "%s: key_column '%s' is not a plain SQL name (letters, digits, '_')", where,
		     c->key_column);
		return -1;
	}
	if (!strcmp(c->key_column, "run_date")) {
		errf(err, errlen, "%s: key_column cannot be 'run_date' (the partition column)", where);
		return -1;
	}
	for (size_t i = 0; i < c->n_outputs; i++) {
		const char *o = c->outputs[i];
		if (!config_is_identifier(o) || !strcmp(o, "run_date") || !strcmp(o, c->key_column)) {
			errf(err, errlen, "%s: output name '%s' must be a plain SQL name other than run_date and "
			     "the key column", where, o);
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c->outputs[j], o)) {
				errf(err, errlen, "%s: output name '%s' is given twice", where, o);
				return -1;
			}
	}
	for (size_t i = 0; i < c->n_features; i++) {
		if (!strcmp(c->features[i], c->key_column)) {
			errf(err, errlen, "%s: '%s' is both the key column and a feature", where, c->key_column);
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(c->features[j], c->features[i])) {
				errf(err, errlen, "%s: feature '%s' is given twice", where, c->features[i]);
				return -1;
			}
	}
	if (c->freshness == FRESH_COLUMN && (!c->timestamp_column || !*c->timestamp_column)) {
		errf(err, errlen, "%s: freshness = column needs timestamp_column", where);
		return -1;
	}
	if (c->chunk_size < 1 || c->chunk_size > CONFIG_CHUNK_MAX) {
		errf(err, errlen, "%s: chunk_size must be from 1 to %ld", where, CONFIG_CHUNK_MAX);
		return -1;
	}
	return 0;
}

char *config_resolve(const job_config *c, const char *p, const char *date)
{
	const char *dir = c->dir && *c->dir && strcmp(c->dir, ".") && p[0] != '/' ? c->dir : NULL;
	size_t n = strlen(p) + 1 + (dir ? strlen(dir) + 1 : 0);
	for (const char *q = strstr(p, "{date}"); q; q = strstr(q + 6, "{date}"))
		n += date ? strlen(date) : 0;
	char *s = malloc(n);
	if (!s)
		return NULL;
	size_t k = 0;
	if (dir) {
		k = (size_t)snprintf(s, n, "%s", dir);
		if (k && s[k - 1] != '/')
			s[k++] = '/';
	}
	for (const char *q = p; *q;) {
		if (!strncmp(q, "{date}", 6) && date) {
			size_t dl = strlen(date);
			memcpy(s + k, date, dl);
			k += dl;
			q += 6;
		} else {
			s[k++] = *q++;
		}
	}
	s[k] = '\0';
	return s;
}
