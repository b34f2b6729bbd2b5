/* config.c - reading routing.conf.
 *
 * Design: one table of keys, each with a setter that validates its value
 * completely (ranges, list lengths, name syntax), so the file, the command
 * line (--set key=value) and the tests all go through the same checks. A
 * file is read line by line and the first bad line stops the load with its
 * line and column, because a half-applied routing configuration (a threshold
 * read, a label list not) is worse than none.
 */
#include "config.h"
#include "token.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hitl_config_defaults(hitl_config *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->db, sizeof c->db, "var/cases.db");
	snprintf(c->model, sizeof c->model, "models/model.safetensors");
	snprintf(c->listen, sizeof c->listen, "127.0.0.1");
	c->port = 8080;
	c->confidence_threshold = 0.9;
	c->blind_first = true;
	c->review_sla_hours = 24;
	c->audit_rate = 0.02;
	c->n_labels = 2;
	snprintf(c->labels[0], HITL_NAME_MAX, "deny");
	snprintf(c->labels[1], HITL_NAME_MAX, "approve");
	c->top_features = 3;
	c->max_body = 64 * 1024;
}

static int parse_double(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(v))
		return -1;
	*out = v;
	return 0;
}

static int parse_int(const char *s, long lo, long hi, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (end == s || *end || errno || v < lo || v > hi)
		return -1;
	*out = (int)v;
	return 0;
}

/* A name: a letter or '_' then letters, digits, '_', '-', '.'. */
static bool valid_name(const char *s)
{
	if (!*s || strlen(s) >= HITL_NAME_MAX || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || *s == '_' || *s == '-' || *s == '.'))
			return false;
	return true;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = 0;
	return s;
}

/* Split value on commas into at most max trimmed items; -1 when there are
 * more, or an item is empty. The items point into buf. */
static int split_list(char *buf, char **items, size_t max, size_t *n)
{
	*n = 0;
	char *p = buf;
	for (;;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = 0;
		char *item = trim(p);
		if (!*item || *n == max)
			return -1;
		items[(*n)++] = item;
		if (!comma)
			return 0;
		p = comma + 1;
	}
}

static int set_path(char *dst, const char *value, const char *base, char *err, size_t errlen)
{
	if (!*value) {
		snprintf(err, errlen, "a path cannot be empty");
		return -1;
	}
	int n;
	if (value[0] == '/' || !base || !*base || !strcmp(base, "."))
		n = snprintf(dst, HITL_PATH_MAX, "%s", value);
	else
		n = snprintf(dst, HITL_PATH_MAX, "%s/%s", base, value);
	if (n < 0 || n >= HITL_PATH_MAX) {
		snprintf(err, errlen, "path too long");
		return -1;
	}
	return 0;
}

static int set_bool(bool *dst, const char *key, const char *value, char *err, size_t errlen)
{
	if (!strcmp(value, "true") || !strcmp(value, "yes") || !strcmp(value, "on"))
		*dst = true;
	else if (!strcmp(value, "false") || !strcmp(value, "no") || !strcmp(value, "off"))
		*dst = false;
	else {
		snprintf(err, errlen, "%s: expected true or false, got '%.40s'", key, value);
		return -1;
	}
	return 0;
}

static int set_names(char (*dst)[HITL_NAME_MAX], size_t *n_out, size_t max, size_t min, const char *value,
		     const char *what, char *err, size_t errlen)
{
	char buf[HITL_MAX_FEATURES * HITL_NAME_MAX + 64];
	if (strlen(value) >= sizeof buf) {
		snprintf(err, errlen, "%s: list too long", what);
		return -1;
	}
	snprintf(buf, sizeof buf, "%s", value);
	char *items[HITL_MAX_FEATURES + 1];
	size_t n;
	if (split_list(buf, items, max, &n) < 0) {
		snprintf(err, errlen, "%s: expected 1 to %zu comma-separated names, none empty", what, max);
		return -1;
	}
	if (n < min) {
		snprintf(err, errlen, "%s: at least %zu names are needed", what, min);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!valid_name(items[i])) {
			snprintf(err, errlen, "%s: '%.40s' is not a valid name (letters, digits, '_', '-', '.')",
				 what, items[i]);
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(items[i], items[j])) {
				snprintf(err, errlen, "%s: '%.40s' appears twice", what, items[i]);
				return -1;
			}
	}
	for (size_t i = 0; i < n; i++)
		snprintf(dst[i], HITL_NAME_MAX, "%s", items[i]);
	*n_out = n;
	return 0;
}

static int set_numbers(double *dst, size_t *n_out, const char *key, const char *value, char *err, size_t errlen)
{
	char buf[HITL_MAX_FEATURES * 32 + 64];
	if (strlen(value) >= sizeof buf) {
		snprintf(err, errlen, "%s: list too long", key);
		return -1;
	}
	snprintf(buf, sizeof buf, "%s", value);
	char *items[HITL_MAX_FEATURES + 1];
	size_t n;
	if (split_list(buf, items, HITL_MAX_FEATURES, &n) < 0) {
		snprintf(err, errlen, "%s: expected 1 to %d comma-separated numbers", key, HITL_MAX_FEATURES);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		if (parse_double(items[i], &dst[i]) < 0) {
			snprintf(err, errlen, "%s: '%.40s' is not a number", key, items[i]);
			return -1;
		}
	*n_out = n;
	return 0;
}

static const char *const role_names[] = { "submit", "review", "supervise", "report" };

const char *hitl_role_name(unsigned role)
{
	for (size_t i = 0; i < sizeof role_names / sizeof role_names[0]; i++)
		if (role == 1u << i)
			return role_names[i];
	return "?";
}


/* A caller's name, as a reviewer's: letters, digits and . _ @ -. */
static bool valid_caller(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= HITL_TOKEN_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || strchr("._@-", *s)))
			return false;
	return true;
}

int hitl_config_add_token(hitl_config *c, const char *value, char *err, size_t errlen)
{
	char buf[1024];
	if (strlen(value) >= sizeof buf) {
		snprintf(err, errlen, "token: line too long");
		return -1;
	}
	snprintf(buf, sizeof buf, "%s", value);
	char *save = NULL;
	const char *name = strtok_r(buf, " \t", &save);
	const char *digest = name ? strtok_r(NULL, " \t", &save) : NULL;
	if (!name || !valid_caller(name)) {
		snprintf(err, errlen,
			 "token: expected a name (1 to 64 letters, digits, '.', '_', '@', '-'), a sha256:<hex> digest "
			 "and roles");
		return -1;
	}
	hitl_token t;
	memset(&t, 0, sizeof t);
	if (!digest || token_parse_digest(t.hash, digest) < 0) {
		snprintf(err, errlen,
			 "token: expected the token's SHA-256 as sha256:<64 hex digits> (see `hash-token`), never the "
			 "token itself");
		return -1;
	}
	const char *role;
	while ((role = strtok_r(NULL, " \t", &save))) {
		size_t i = 0;
		while (i < sizeof role_names / sizeof role_names[0] && strcmp(role, role_names[i]))
			i++;
		if (i == sizeof role_names / sizeof role_names[0]) {
			snprintf(err, errlen, "token: unknown role '%.40s' (roles: submit, review, supervise, report)",
				 role);
			return -1;
		}
		t.roles |= 1u << i;
	}
	if (!t.roles) {
		snprintf(err, errlen, "token: no role given (roles: submit, review, supervise, report)");
		return -1;
	}
	for (size_t i = 0; i < c->n_tokens; i++) {
		if (!strcmp(c->tokens[i].name, name)) {
			snprintf(err, errlen, "token: the name '%s' is used twice", name);
			return -1;
		}
		if (!memcmp(c->tokens[i].hash, t.hash, 32)) {
			snprintf(err, errlen, "token: the same digest is already given to '%s'", c->tokens[i].name);
			return -1;
		}
	}
	if (c->n_tokens == HITL_MAX_TOKENS) {
		snprintf(err, errlen, "token: at most %d tokens", HITL_MAX_TOKENS);
		return -1;
	}
	snprintf(t.name, sizeof t.name, "%s", name);
	c->tokens[c->n_tokens++] = t;
	return 0;
}

int hitl_config_set(hitl_config *c, const char *key, const char *value, const char *base, char *err,
		    size_t errlen)
{
	double d;
	if (!strcmp(key, "db"))
		return set_path(c->db, value, base, err, errlen);
	if (!strcmp(key, "model"))
		return set_path(c->model, value, base, err, errlen);
	if (!strcmp(key, "listen")) {
		unsigned a, b, cc, dd;
		char extra;
		if (sscanf(value, "%u.%u.%u.%u%c", &a, &b, &cc, &dd, &extra) != 4 || a > 255 || b > 255 ||
		    cc > 255 || dd > 255) {
			snprintf(err, errlen, "listen: expected an IPv4 address such as 127.0.0.1");
			return -1;
		}
		snprintf(c->listen, sizeof c->listen, "%s", value);
		return 0;
	}
	if (!strcmp(key, "port")) {
		if (parse_int(value, 0, 65535, &c->port) < 0) {
			snprintf(err, errlen, "port: expected an integer from 0 to 65535");
			return -1;
		}
		return 0;
	}
	if (!strcmp(key, "confidence_threshold")) {
		if (parse_double(value, &d) < 0 || d < 0.5 || d > 1.0) {
			snprintf(err, errlen, "confidence_threshold: expected a number from 0.5 to 1.0");
			return -1;
		}
		c->confidence_threshold = d;
		return 0;
	}
	if (!strcmp(key, "blind_first"))
		return set_bool(&c->blind_first, key, value, err, errlen);
	if (!strcmp(key, "review_sla_hours")) {
		if (parse_int(value, 1, 24 * 365, &c->review_sla_hours) < 0) {
			snprintf(err, errlen, "review_sla_hours: expected an integer from 1 to 8760");
			return -1;
		}
		return 0;
	}
	if (!strcmp(key, "audit_rate")) {
		if (parse_double(value, &d) < 0 || d < 0 || d > 1) {
			snprintf(err, errlen, "audit_rate: expected a number from 0 to 1");
			return -1;
		}
		c->audit_rate = d;
		return 0;
	}
	if (!strcmp(key, "labels"))
		return set_names(c->labels, &c->n_labels, HITL_MAX_LABELS, 2, value, "labels", err, errlen);
	if (!strcmp(key, "auto_labels"))
		return set_names(c->auto_labels, &c->n_auto_labels, HITL_MAX_LABELS, 1, value, "auto_labels", err,
				 errlen);
	if (!strcmp(key, "features"))
		return set_names(c->features, &c->n_features, HITL_MAX_FEATURES, 1, value, "features", err,
				 errlen);
	if (!strcmp(key, "baseline"))
		return set_numbers(c->baseline, &c->n_baseline, key, value, err, errlen);
	if (!strcmp(key, "feature_min"))
		return set_numbers(c->feature_min, &c->n_min, key, value, err, errlen);
	if (!strcmp(key, "feature_max"))
		return set_numbers(c->feature_max, &c->n_max, key, value, err, errlen);
	if (!strcmp(key, "top_features")) {
		if (parse_int(value, 1, HITL_MAX_TOP, &c->top_features) < 0) {
			snprintf(err, errlen, "top_features: expected an integer from 1 to %d", HITL_MAX_TOP);
			return -1;
		}
		return 0;
	}
	if (!strcmp(key, "max_body")) {
		int v;
		if (parse_int(value, 1024, 16 * 1024 * 1024, &v) < 0) {
			snprintf(err, errlen, "max_body: expected bytes from 1024 to 16777216");
			return -1;
		}
		c->max_body = (size_t)v;
		return 0;
	}
	if (!strcmp(key, "token"))
		return hitl_config_add_token(c, value, err, errlen);
	snprintf(err, errlen,
		 "unknown key '%.40s' (keys: db, model, listen, port, confidence_threshold, blind_first, "
		 "review_sla_hours, audit_rate, labels, auto_labels, features, baseline, feature_min, feature_max, top_features, max_body, token)",
		 key);
	return -1;
}

int hitl_config_load(hitl_config *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	char base[HITL_PATH_MAX];
	snprintf(base, sizeof base, "%s", path);
	char *slash = strrchr(base, '/');
	if (slash)
		*slash = 0;
	else
		snprintf(base, sizeof base, ".");

	char line[8192];
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		size_t len = strlen(line);
		if (len == sizeof line - 1 && line[len - 1] != '\n') {
			snprintf(err, errlen, "%s:%d:1: line longer than %zu bytes", path, lineno, sizeof line - 2);
			rc = -1;
			break;
		}
		char *hash = strchr(line, '#');
		if (hash)
			*hash = 0;
		char *s = trim(line);
		if (!*s)
			continue;
		int col = (int)(s - line) + 1;
		char *eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%d:%d: expected 'key = value'", path, lineno, col);
			rc = -1;
			break;
		}
		*eq = 0;
		char *key = trim(s);
		char *value = trim(eq + 1);
		int vcol = (int)(value - line) + 1;
		char msg[512];
		if (hitl_config_set(c, key, value, base, msg, sizeof msg) < 0) {
			int at = strncmp(msg, "unknown key", 11) ? vcol : col;
			snprintf(err, errlen, "%s:%d:%d: %s", path, lineno, at, msg);
			rc = -1;
			break;
		}
	}
	if (!rc && ferror(f)) {
		snprintf(err, errlen, "%s: read error", path);
		rc = -1;
	}
	char msg[256];
	if (!rc && hitl_config_check(c, msg, sizeof msg) < 0) {
		snprintf(err, errlen, "%s: %s", path, msg);
		rc = -1;
	}
	fclose(f);
	return rc;
}

int hitl_config_label_index(const hitl_config *c, const char *name)
{
	for (size_t i = 0; i < c->n_labels; i++)
		if (!strcmp(c->labels[i], name))
			return (int)i;
	return -1;
}

bool hitl_config_automatable(const hitl_config *c, const char *label)
{
	if (c->n_auto_labels == 0)
		return true;
	for (size_t i = 0; i < c->n_auto_labels; i++)
		if (!strcmp(c->auto_labels[i], label))
			return true;
	return false;
}

int hitl_config_check(const hitl_config *c, char *err, size_t errlen)
{
	if (c->n_min != c->n_max) {
		snprintf(err, errlen, "feature_min has %zu values and feature_max %zu: give both, one per feature",
			 c->n_min, c->n_max);
		return -1;
	}
	for (size_t i = 0; i < c->n_min; i++)
		if (c->feature_min[i] > c->feature_max[i]) {
			snprintf(err, errlen, "feature %zu: feature_min %g is above feature_max %g", i + 1,
				 c->feature_min[i], c->feature_max[i]);
			return -1;
		}
	for (size_t i = 0; i < c->n_auto_labels; i++)
		if (hitl_config_label_index(c, c->auto_labels[i]) < 0) {
			snprintf(err, errlen, "auto_labels: '%s' is not one of the labels", c->auto_labels[i]);
			return -1;
		}
	return 0;
}
