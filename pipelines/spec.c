/* spec.c - loading and validating pipeline files (docs/formats/pipeline.md).
 *
 * Design: a pipeline file is checked completely in one pass and every
 * problem is reported with its line and column, so a user fixes them all at
 * once rather than one per run. Validation never stops at the first error:
 * each field reader records its own diagnostic and the loader carries on,
 * deciding only at the end whether to hand back a spec. Durations always
 * carry a unit; a bare number is refused with a hint, because "timeout: 5"
 * could mean seconds or milliseconds. Relative files resolve against the
 * pipeline file's folder, so a pipeline runs the same from any directory.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pipelines_int.h"

typedef struct {
	const weft_yaml_doc *doc;
	weft_diags *d;
	const char *path;
	const char *dir;
	int err;
} ctx;

static int fail_at(ctx *c, const weft_yaml_node *n, const char *hint, const char *fmt, ...)
	WEFT_PRINTF(4, 5);

static int fail_at(ctx *c, const weft_yaml_node *n, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	weft_diags_vadd(c->d, WEFT_SEV_ERROR, c->path, n ? n->line : 0, n ? n->col : 0, hint, fmt, ap);
	va_end(ap);
	c->err = WEFT_EINVALID;
	return WEFT_EINVALID;
}

static void keep(ctx *c, int err)
{
	if (err && !c->err)
		c->err = err;
}

char *weft_pl_resolve(const char *dir, const char *path)
{
	if (path[0] == '/' || !dir || !*dir || !strcmp(dir, "."))
		return strdup(path);
	size_t n = strlen(dir) + strlen(path) + 2;
	char *s = malloc(n);
	if (s)
		snprintf(s, n, "%s/%s", dir, path);
	return s;
}

static bool is_map(ctx *c, const weft_yaml_node *n, const char *what)
{
	if (weft_yaml_expect(c->doc, n, WEFT_YAML_MAPPING, what, c->d) != WEFT_OK) {
		c->err = WEFT_EINVALID;
		return false;
	}
	return true;
}

static void unknown_keys(ctx *c, const weft_yaml_node *map, const char *const *known)
{
	weft_yaml_check_keys(c->doc, map, known, WEFT_SEV_WARNING, c->d);
}

/* A string field; NULL when absent or wrong (recorded). */
static const char *str_field(ctx *c, const weft_yaml_node *map, const char *key, bool required)
{
	const char *s = NULL;
	keep(c, weft_yaml_str(&s, c->doc, map, key, required, c->d));
	return s;
}

/* A duration field in ms; returns false when absent or wrong. */
static bool duration_field(ctx *c, const weft_yaml_node *map, const char *key, bool required,
			   double *out)
{
	const weft_yaml_node *n = weft_yaml_get(map, key);
	if (!n || weft_yaml_is_null(n)) {
		if (required)
			fail_at(c, map, NULL, "missing required field '%s'", key);
		return false;
	}
	if (n->kind != WEFT_YAML_SCALAR) {
		fail_at(c, n, NULL, "'%s': expected a duration, got %s", key, weft_yaml_describe(n));
		return false;
	}
	double ms;
	if (weft_pipelines_duration_parse(&ms, n->scalar) != WEFT_OK) {
		double x;
		if (weft_yaml_as_num(&x, n) == WEFT_OK) {
			char hint[96];
			snprintf(hint, sizeof hint, "write the unit: %s: %sms or %ss", key, n->scalar,
				 n->scalar);
			fail_at(c, n, hint, "'%s': a duration needs a unit", key);
		} else {
			fail_at(c, n, "units: ns, us, ms, s, m, h (e.g. 250ms, 1.5s)",
				"'%s': '%.40s' is not a duration", key, n->scalar);
		}
		return false;
	}
	*out = ms;
	return true;
}

/* An integer field within [min, max]; false when absent or wrong. */
static bool int_field(ctx *c, const weft_yaml_node *map, const char *key, long long min,
		      long long max, long long *out)
{
	long long v;
	const weft_yaml_node *n = weft_yaml_get(map, key);
	if (!n || weft_yaml_is_null(n))
		return false;
	if (weft_yaml_int(&v, c->doc, map, key, false, c->d) != WEFT_OK) {
		c->err = WEFT_EINVALID;
		return false;
	}
	if (v < min || v > max) {
		fail_at(c, n, NULL, "'%s': %lld is out of range (%lld to %lld)", key, v, min, max);
		return false;
	}
	*out = v;
	return true;
}

static bool num_field(ctx *c, const weft_yaml_node *map, const char *key, double *out)
{
	const weft_yaml_node *n = weft_yaml_get(map, key);
	if (!n || weft_yaml_is_null(n))
		return false;
	if (weft_yaml_num(out, c->doc, map, key, false, c->d) != WEFT_OK) {
		c->err = WEFT_EINVALID;
		return false;
	}
	return true;
}

static char *dup_or_fail(ctx *c, const char *s)
{
	if (!s)
		return NULL;
	char *r = strdup(s);
	if (!r)
		c->err = WEFT_ENOMEM;
	return r;
}

/* ---- budgets -------------------------------------------------------------------- */

static const char *const pctl_keys[] = { "p50", "p90", "p95", "p99", "p99.9", "max", NULL };
static const double pctl_keys_q[] = { 0.5, 0.9, 0.95, 0.99, 0.999, 1.0 };

static int cmp_budget(const void *a, const void *b)
{
	const weft_pipelines_budget *x = a, *y = b;
	return (x->q > y->q) - (x->q < y->q);
}

static void parse_budgets(ctx *c, const weft_yaml_node *map, weft_pipelines_budget *out, size_t *n,
			  const char *what)
{
	*n = 0;
	if (!is_map(c, map, what))
		return;
	for (size_t i = 0; i < map->n; i++) {
		const weft_yaml_node *k = map->keys[i];
		size_t j = 0;
		while (pctl_keys[j] && strcmp(pctl_keys[j], k->scalar))
			j++;
		if (!pctl_keys[j]) {
			const char *s = weft_suggest(k->scalar, pctl_keys, 6);
			char hint[96];
			snprintf(hint, sizeof hint, "%s%s%sbudgets are p50, p90, p95, p99, p99.9 or max",
				 s ? "did you mean '" : "", s ? s : "", s ? "'? " : "");
			fail_at(c, k, hint, "%s: unknown percentile '%.40s'", what, k->scalar);
			continue;
		}
		double ms;
		if (!duration_field(c, map, k->scalar, true, &ms))
			continue;
		if (!(ms > 0)) {
			fail_at(c, map->items[i], NULL, "%s: a budget must be above zero", what);
			continue;
		}
		weft_pipelines_budget *b = &out[(*n)++];
		snprintf(b->label, sizeof b->label, "%s", pctl_keys[j]);
		b->q = pctl_keys_q[j];
		b->limit_ms = ms;
		b->line = map->items[i]->line;
		b->col = map->items[i]->col;
	}
	if (!map->n)
		fail_at(c, map, "e.g. {p99: 300ms}", "%s: no percentile given", what);
	qsort(out, *n, sizeof *out, cmp_budget);
	/* a higher percentile cannot have a lower limit */
	for (size_t i = 1; i < *n; i++)
		if (out[i].limit_ms < out[i - 1].limit_ms) {
			weft_diags_add(c->d, WEFT_SEV_ERROR, c->path, out[i].line, out[i].col,
				       "a higher percentile is never below a lower one",
				       "%s: %s budget is below the %s budget", what, out[i].label,
				       out[i - 1].label);
			c->err = WEFT_EINVALID;
		}
}

/* ---- stages ----------------------------------------------------------------------- */

static void parse_delay(ctx *c, const weft_yaml_node *n, weft_pipelines_dist *dist)
{
	memset(dist, 0, sizeof *dist);
	if (n->kind == WEFT_YAML_SCALAR) {
		double ms;
		if (weft_pipelines_duration_parse(&ms, n->scalar) != WEFT_OK) {
			fail_at(c, n, "e.g. delay: 40ms, or a mapping with a distribution",
				"delay: '%.40s' is not a duration", n->scalar);
			return;
		}
		dist->kind = WEFT_DIST_FIXED;
		dist->a = ms;
		return;
	}
	if (!is_map(c, n, "delay"))
		return;
	static const char *const kinds[] = { "fixed", "uniform", "normal", "lognormal", "empirical", NULL };
	static const char *const known[] = { "distribution", "value", "min", "max", "mean", "sd",
					     "median", "p99", "file", "unit", NULL };
	unknown_keys(c, n, known);
	const char *kind = str_field(c, n, "distribution", true);
	if (!kind)
		return;
	size_t k = 0;
	while (kinds[k] && strcmp(kinds[k], kind))
		k++;
	if (!kinds[k]) {
		const char *s = weft_suggest(kind, kinds, 5);
		char hint[96];
		snprintf(hint, sizeof hint, "%s%s%sone of fixed, uniform, normal, lognormal, empirical",
			 s ? "did you mean '" : "", s ? s : "", s ? "'? " : "");
		fail_at(c, weft_yaml_get(n, "distribution"), hint, "unknown distribution '%.40s'", kind);
		return;
	}
	dist->kind = (weft_pipelines_dist_kind)k;
	switch (dist->kind) {
	case WEFT_DIST_FIXED:
		duration_field(c, n, "value", true, &dist->a);
		break;
	case WEFT_DIST_UNIFORM:
		if (duration_field(c, n, "min", true, &dist->a) &&
		    duration_field(c, n, "max", true, &dist->b) && dist->b < dist->a)
			fail_at(c, weft_yaml_get(n, "max"), NULL, "uniform: max is below min");
		break;
	case WEFT_DIST_NORMAL:
		if (duration_field(c, n, "mean", true, &dist->a))
			duration_field(c, n, "sd", true, &dist->b);
		break;
	case WEFT_DIST_LOGNORMAL: {
		double med = 0, p99 = 0;
		if (duration_field(c, n, "median", true, &med) && duration_field(c, n, "p99", true, &p99)) {
			if (!(med > 0))
				fail_at(c, weft_yaml_get(n, "median"), NULL, "lognormal: the median must be above zero");
			else if (weft_pipelines_dist_lognormal(dist, med, p99) != WEFT_OK)
				fail_at(c, weft_yaml_get(n, "p99"), "a latency's p99 is at least its median",
					"lognormal: p99 is below the median");
		}
		break;
	}
	case WEFT_DIST_EMPIRICAL: {
		const char *file = str_field(c, n, "file", true);
		double unit = 1.0;
		const weft_yaml_node *u = weft_yaml_get(n, "unit");
		if (u && !weft_yaml_is_null(u)) {
			if (u->kind != WEFT_YAML_SCALAR ||
			    (strcmp(u->scalar, "ns") && strcmp(u->scalar, "us") && strcmp(u->scalar, "ms") &&
			     strcmp(u->scalar, "s"))) {
				fail_at(c, u, "one of ns, us, ms, s", "empirical: unknown unit");
				return;
			}
			char one[16];
			snprintf(one, sizeof one, "1%s", u->scalar);
			weft_pipelines_duration_parse(&unit, one);
		}
		if (!file)
			return;
		char *path = weft_pl_resolve(c->dir, file);
		if (!path) {
			c->err = WEFT_ENOMEM;
			return;
		}
		size_t before = weft_diags_count(c->d);
		int err = weft_pipelines_dist_empirical(dist, path, unit, c->d);
		if (err) {
			keep(c, err);
			if (weft_diags_count(c->d) == before || err == WEFT_EENV) {
				const weft_yaml_node *fn = weft_yaml_get(n, "file");
				weft_diags_add(c->d, WEFT_SEV_NOTE, c->path, fn->line, fn->col, NULL,
					       "the samples file named here");
			}
		}
		free(path);
		break;
	}
	}
}

static const char *const http_methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", NULL };

/* A header value with each ${NAME} replaced by that environment variable,
 * so tokens stay out of pipeline files (malloc'd; NULL after an error at v). */
static char *expand_env(ctx *c, const weft_yaml_node *v)
{
	weft_buf b = WEFT_BUF_INIT;
	const char *p = v->scalar;
	while (*p) {
		const char *open = strstr(p, "${");
		if (!open) {
			weft_buf_puts(&b, p);
			break;
		}
		weft_buf_printf(&b, "%.*s", (int)(open - p), p);
		const char *close = strchr(open + 2, '}');
		size_t len = close ? (size_t)(close - open - 2) : 0;
		char name[128];
		bool ok = close && len && len < sizeof name;
		for (size_t i = 0; ok && i < len; i++)
			ok = isalnum((unsigned char)open[2 + i]) || open[2 + i] == '_';
		if (!ok) {
			fail_at(c, v, "write ${NAME} with letters, digits and _", "http: header: malformed '${' in the value");
			weft_buf_free(&b);
			return NULL;
		}
		memcpy(name, open + 2, len);
		name[len] = '\0';
		const char *val = getenv(name);
		if (!val) {
			fail_at(c, v, "export it before the run (it is never written into reports)",
				"http: header: environment variable %s is not set", name);
			weft_buf_free(&b);
			return NULL;
		}
		if (strpbrk(val, "\r\n")) {
			fail_at(c, v, NULL, "http: header: environment variable %s holds a line break", name);
			weft_buf_free(&b);
			return NULL;
		}
		weft_buf_puts(&b, val);
		p = close + 1;
	}
	char *out = weft_buf_detach(&b);
	if (!out)
		out = strdup("");
	if (!out)
		c->err = WEFT_ENOMEM;
	return out;
}

/* A file named in the stage, resolved against the pipeline's folder; it
 * must be readable (an error at its node otherwise). NULL when absent. */
static char *file_field(ctx *c, const weft_yaml_node *n, const char *key, const char *what)
{
	const char *v = str_field(c, n, key, false);
	if (!v)
		return NULL;
	char *path = weft_pl_resolve(c->dir, v);
	if (!path) {
		c->err = WEFT_ENOMEM;
		return NULL;
	}
	if (access(path, R_OK) != 0) {
		fail_at(c, weft_yaml_get(n, key), NULL, "http: %s '%.200s' cannot be read: %s", what, v, strerror(errno));
		free(path);
		return NULL;
	}
	return path;
}

/* bodies_file: one request body per line (blank lines skipped). */
static void read_bodies(ctx *c, const weft_yaml_node *n, weft_pipelines_http *h)
{
	const char *v = str_field(c, n, "bodies_file", false);
	if (!v)
		return;
	const weft_yaml_node *fn = weft_yaml_get(n, "bodies_file");
	char *path = weft_pl_resolve(c->dir, v);
	char *text = NULL;
	size_t len = 0;
	int err = path ? weft_file_read(&text, &len, path, 256u << 20, c->d) : WEFT_ENOMEM;
	free(path);
	if (err) {
		keep(c, err);
		weft_diags_add(c->d, WEFT_SEV_NOTE, c->path, fn->line, fn->col, NULL, "the bodies file named here");
		return;
	}
	size_t cap = 0;
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		size_t k = nl ? (size_t)(nl - line) : strlen(line);
		if (k && line[k - 1] == '\r')
			k--;
		if (k) {
			if (h->n_bodies == cap) {
				cap = cap ? cap * 2 : 64;
				char **b = realloc(h->bodies, cap * sizeof *b);
				if (!b) {
					c->err = WEFT_ENOMEM;
					break;
				}
				h->bodies = b;
			}
			if (!(h->bodies[h->n_bodies] = strndup(line, k))) {
				c->err = WEFT_ENOMEM;
				break;
			}
			h->n_bodies++;
		}
		line = nl ? nl + 1 : NULL;
	}
	free(text);
	if (!h->n_bodies && !c->err)
		fail_at(c, fn, "one request body per line", "http: bodies_file '%.200s' holds no body", v);
}

/* connection, tls, http_version, bodies_file. */
static void parse_http_more(ctx *c, const weft_yaml_node *n, weft_pipelines_http *h, bool has_body)
{
	const char *conn = str_field(c, n, "connection", false);
	if (conn) {
		if (!strcmp(conn, "new"))
			h->new_connection = true;
		else if (strcmp(conn, "keep-alive"))
			fail_at(c, weft_yaml_get(n, "connection"), "keep-alive (default) or new",
				"http: connection: unknown value '%.20s'", conn);
	}
	const char *ver = str_field(c, n, "http_version", false);
	if (ver) {
		if (!strcmp(ver, "2"))
			h->http_version = 2;
		else if (!strcmp(ver, "1.1"))
			h->http_version = 11;
		else
			fail_at(c, weft_yaml_get(n, "http_version"), "\"1.1\" or \"2\"",
				"http: http_version: unknown value '%.20s'", ver);
	}
	const weft_yaml_node *tls = weft_yaml_get(n, "tls");
	if (tls && !weft_yaml_is_null(tls)) {
		if (tls->kind != WEFT_YAML_MAPPING) {
			fail_at(c, tls, "e.g. tls: {ca_file: ca.pem}", "http: tls: expected a mapping, got %s",
				weft_yaml_describe(tls));
		} else {
			static const char *const tk[] = { "ca_file", "cert", "key", "insecure", NULL };
			unknown_keys(c, tls, tk);
			h->ca_file = file_field(c, tls, "ca_file", "tls.ca_file");
			h->cert = file_field(c, tls, "cert", "tls.cert");
			h->key = file_field(c, tls, "key", "tls.key");
			if (h->key && !h->cert)
				fail_at(c, weft_yaml_get(tls, "key"), "give tls.cert with it", "http: tls.key without tls.cert");
			bool insecure = false;
			keep(c, weft_yaml_bool(&insecure, c->doc, tls, "insecure", false, c->d));
			if (insecure) {
				h->insecure = true;
				const weft_yaml_node *in = weft_yaml_get(tls, "insecure");
				weft_diags_add(c->d, WEFT_SEV_WARNING, c->path, in->line, in->col,
					       "set tls.ca_file to the CA that signed the endpoint's certificate",
					       "http: tls.insecure: the endpoint's certificate is not checked; any "
					       "server (or a man in the middle) is accepted");
			}
		}
	}
	if (weft_yaml_get(n, "bodies_file") && has_body)
		fail_at(c, weft_yaml_get(n, "bodies_file"), NULL, "http: give one of body, body_file, bodies_file");
	else
		read_bodies(c, n, h);
}

static void parse_http(ctx *c, const weft_yaml_node *n, weft_pipelines_http *h)
{
	h->timeout_ms = 5000;
	if (!is_map(c, n, "http"))
		return;
	static const char *const known[] = { "url", "method", "headers", "body", "body_file", "bodies_file",
					     "timeout", "connect_timeout", "expect_status", "connection", "tls",
					     "http_version", NULL };
	unknown_keys(c, n, known);
	const char *url = str_field(c, n, "url", true);
	if (url) {
		if (strncmp(url, "http://", 7) && strncmp(url, "https://", 8))
			fail_at(c, weft_yaml_get(n, "url"), "e.g. http://127.0.0.1:8080/v1/predict",
				"http: the url must start with http:// or https://");
		else
			h->url = dup_or_fail(c, url);
	}
	const char *body = str_field(c, n, "body", false);
	const char *body_file = str_field(c, n, "body_file", false);
	if (body && body_file)
		fail_at(c, weft_yaml_get(n, "body_file"), NULL, "http: give body or body_file, not both");
	else if (body) {
		h->body = dup_or_fail(c, body);
		h->body_len = strlen(body);
	} else if (body_file) {
		char *path = weft_pl_resolve(c->dir, body_file);
		if (path) {
			int err = weft_file_read(&h->body, &h->body_len, path, 0, c->d);
			if (err) {
				keep(c, err);
				const weft_yaml_node *fn = weft_yaml_get(n, "body_file");
				weft_diags_add(c->d, WEFT_SEV_NOTE, c->path, fn->line, fn->col, NULL,
					       "the body file named here");
			}
			free(path);
		}
	}
	parse_http_more(c, n, h, body || body_file);
	const char *method = str_field(c, n, "method", false);
	if (method) {
		char up[16];
		size_t i = 0;
		for (; method[i] && i < sizeof up - 1; i++)
			up[i] = (char)toupper((unsigned char)method[i]);
		up[i] = '\0';
		size_t k = 0;
		while (http_methods[k] && strcmp(http_methods[k], up))
			k++;
		if (!http_methods[k] || method[i])
			fail_at(c, weft_yaml_get(n, "method"), "GET, POST, PUT, PATCH, DELETE or HEAD",
				"http: unknown method '%.20s'", method);
		else
			h->method = dup_or_fail(c, up);
	} else {
		h->method = dup_or_fail(c, h->body || h->n_bodies ? "POST" : "GET");
	}
	const weft_yaml_node *hd = weft_yaml_get(n, "headers");
	if (hd && !weft_yaml_is_null(hd)) {
		if (hd->kind == WEFT_YAML_MAPPING) {
			h->headers = calloc(hd->n + 1, sizeof *h->headers);
			for (size_t i = 0; h->headers && i < hd->n; i++) {
				const weft_yaml_node *v = hd->items[i];
				if (v->kind != WEFT_YAML_SCALAR || strchr(v->scalar, '\n') ||
				    strchr(hd->keys[i]->scalar, ':') || strchr(hd->keys[i]->scalar, '\n') ||
				    !hd->keys[i]->len) {
					fail_at(c, v, NULL, "http: header '%.40s' must be a one-line string",
						hd->keys[i]->scalar);
					continue;
				}
				char *value = expand_env(c, v);
				if (!value)
					continue;
				size_t len = hd->keys[i]->len + strlen(value) + 3;
				char *s = malloc(len);
				if (!s) {
					free(value);
					c->err = WEFT_ENOMEM;
					break;
				}
				snprintf(s, len, "%s: %s", hd->keys[i]->scalar, value);
				free(value);
				h->headers[h->n_headers++] = s;
			}
		} else {
			fail_at(c, hd, "e.g. headers: {Content-Type: application/json}",
				"http: headers: expected a mapping, got %s", weft_yaml_describe(hd));
		}
	}
	double t;
	if (duration_field(c, n, "timeout", false, &t)) {
		if (!(t >= 1))
			fail_at(c, weft_yaml_get(n, "timeout"), NULL, "http: timeout must be at least 1ms");
		else
			h->timeout_ms = t;
	}
	h->connect_timeout_ms = h->timeout_ms;
	if (duration_field(c, n, "connect_timeout", false, &t)) {
		if (!(t >= 1))
			fail_at(c, weft_yaml_get(n, "connect_timeout"), NULL,
				"http: connect_timeout must be at least 1ms");
		else
			h->connect_timeout_ms = t;
	}
	const weft_yaml_node *ex = weft_yaml_get(n, "expect_status");
	if (ex && !weft_yaml_is_null(ex)) {
		const weft_yaml_node *const *items = &ex;
		size_t count = 1;
		if (ex->kind == WEFT_YAML_SEQUENCE) {
			items = (const weft_yaml_node *const *)ex->items;
			count = ex->n;
		}
		for (size_t i = 0; i < count; i++) {
			long long v;
			if (weft_yaml_as_int(&v, items[i]) != WEFT_OK || v < 100 || v > 599) {
				fail_at(c, items[i], NULL, "http: expect_status: expected a status code (100-599)");
				continue;
			}
			if (h->n_expect == sizeof h->expect / sizeof *h->expect) {
				fail_at(c, items[i], NULL, "http: expect_status: at most 8 codes");
				break;
			}
			h->expect[h->n_expect++] = (int)v;
		}
	}
}

static void parse_command(ctx *c, const weft_yaml_node *n, weft_pipelines_command *cmd)
{
	cmd->timeout_ms = 10000;
	const weft_yaml_node *argv = NULL, *shell = NULL;
	if (n->kind == WEFT_YAML_SCALAR) {
		shell = n;
	} else {
		if (!is_map(c, n, "command"))
			return;
		static const char *const known[] = { "argv", "shell", "timeout", NULL };
		unknown_keys(c, n, known);
		argv = weft_yaml_get(n, "argv");
		shell = weft_yaml_get(n, "shell");
		if (argv && weft_yaml_is_null(argv))
			argv = NULL;
		if (shell && weft_yaml_is_null(shell))
			shell = NULL;
		double t;
		if (duration_field(c, n, "timeout", false, &t)) {
			if (!(t >= 1))
				fail_at(c, weft_yaml_get(n, "timeout"), NULL, "command: timeout must be at least 1ms");
			else
				cmd->timeout_ms = t;
		}
	}
	if (argv && shell) {
		fail_at(c, shell, NULL, "command: give argv or shell, not both");
		return;
	}
	if (!argv && !shell) {
		fail_at(c, n, "e.g. command: {argv: [./render.sh, --fast]}",
			"command: missing 'argv' (or 'shell')");
		return;
	}
	if (shell) {
		if (shell->kind != WEFT_YAML_SCALAR || !shell->len || shell->len != strlen(shell->scalar)) {
			fail_at(c, shell, NULL, "command: shell: expected a command line string");
			return;
		}
		cmd->shell = true;
		cmd->argv = calloc(2, sizeof *cmd->argv);
		if (!cmd->argv || !(cmd->argv[0] = strdup(shell->scalar))) {
			c->err = WEFT_ENOMEM;
			return;
		}
		cmd->argc = 1;
		return;
	}
	if (argv->kind != WEFT_YAML_SEQUENCE || !argv->n) {
		fail_at(c, argv, "e.g. argv: [./score, --fast]",
			"command: argv: expected a non-empty sequence of strings");
		return;
	}
	cmd->argv = calloc(argv->n + 1, sizeof *cmd->argv);
	if (!cmd->argv) {
		c->err = WEFT_ENOMEM;
		return;
	}
	for (size_t i = 0; i < argv->n; i++) {
		const weft_yaml_node *a = argv->items[i];
		if (a->kind != WEFT_YAML_SCALAR || a->len != strlen(a->scalar) || (i == 0 && !a->len)) {
			fail_at(c, a, NULL, "command: argv[%zu]: expected a string", i);
			continue;
		}
		/* the program: a relative path with a slash is relative to the pipeline */
		char *s = (i == 0 && strchr(a->scalar, '/')) ? weft_pl_resolve(c->dir, a->scalar)
							     : strdup(a->scalar);
		if (!s) {
			c->err = WEFT_ENOMEM;
			return;
		}
		cmd->argv[cmd->argc++] = s;
	}
}

static bool rate_field(ctx *c, const weft_yaml_node *n, const char *what, double *out);

/* hitl: {max_error: E}: the error budget of the automatic decisions. */
static void parse_hitl(ctx *c, const weft_yaml_node *n, weft_pipelines_model *m)
{
	if (!is_map(c, n, "model: hitl"))
		return;
	static const char *const known[] = { "max_error", NULL };
	unknown_keys(c, n, known);
	const weft_yaml_node *e = weft_yaml_get(n, "max_error");
	if (!e || weft_yaml_is_null(e))
		fail_at(c, n, "e.g. hitl: {max_error: 2%}", "model: hitl: missing required field 'max_error'");
	else
		m->has_hitl = rate_field(c, e, "model: hitl: max_error", &m->hitl_max_error);
}

static void parse_model(ctx *c, const weft_yaml_node *n, weft_pipelines_model *m)
{
	m->batch = 1;
	m->instances = 1;
	m->threads = 1;
	if (n->kind == WEFT_YAML_SCALAR && !weft_yaml_is_null(n)) {
		m->file = weft_pl_resolve(c->dir, n->scalar);
		m->device = dup_or_fail(c, "auto");
		m->precision = dup_or_fail(c, "fp32");
		return;
	}
	if (!is_map(c, n, "model"))
		return;
	static const char *const known[] = { "file", "batch", "device", "precision", "instances",
					     "threads", "activations", "softmax", "candidates", "eval", "hitl",
					     NULL };
	unknown_keys(c, n, known);
	const char *file = str_field(c, n, "file", true);
	if (file && !(m->file = weft_pl_resolve(c->dir, file)))
		c->err = WEFT_ENOMEM;
	long long v;
	if (int_field(c, n, "batch", 1, 65536, &v))
		m->batch = (size_t)v;
	if (int_field(c, n, "instances", 1, 64, &v))
		m->instances = (size_t)v;
	if (int_field(c, n, "threads", 1, 256, &v))
		m->threads = (int)v;
	static const char *const devices[] = { "auto", "cpu", "gpu", NULL };
	static const char *const precisions[] = { "fp32", "tf32", "fp16", "bf16", NULL };
	const char *dev = str_field(c, n, "device", false);
	const char *prec = str_field(c, n, "precision", false);
	struct {
		const char *v, *key;
		const char *const *allowed;
		char **dst;
		const char *dflt;
	} choice[] = { { dev, "device", devices, &m->device, "auto" },
		       { prec, "precision", precisions, &m->precision, "fp32" } };
	for (size_t i = 0; i < 2; i++) {
		if (!choice[i].v) {
			*choice[i].dst = dup_or_fail(c, choice[i].dflt);
			continue;
		}
		size_t k = 0;
		while (choice[i].allowed[k] && strcmp(choice[i].allowed[k], choice[i].v))
			k++;
		if (!choice[i].allowed[k])
			fail_at(c, weft_yaml_get(n, choice[i].key), NULL, "model: unknown %s '%.20s'",
				choice[i].key, choice[i].v);
		else
			*choice[i].dst = dup_or_fail(c, choice[i].v);
	}
	const char *act = str_field(c, n, "activations", false);
	if (act)
		m->activations = dup_or_fail(c, act);
	keep(c, weft_yaml_bool(&m->softmax, c->doc, n, "softmax", false, c->d));
	if (m->softmax && !act)
		fail_at(c, weft_yaml_get(n, "softmax"), "name every layer's activation too, e.g. "
			"activations: relu,none", "model: softmax needs activations");
	const char *ev = str_field(c, n, "eval", false);
	if (ev && !(m->eval = weft_pl_resolve(c->dir, ev)))
		c->err = WEFT_ENOMEM;
	const weft_yaml_node *hitl = weft_yaml_get(n, "hitl");
	if (hitl && !weft_yaml_is_null(hitl))
		parse_hitl(c, hitl, m);
	const weft_yaml_node *cand = weft_yaml_get(n, "candidates");
	if (cand && !weft_yaml_is_null(cand)) {
		if (cand->kind != WEFT_YAML_SEQUENCE) {
			fail_at(c, cand, NULL, "model: candidates: expected a sequence of files");
			return;
		}
		m->candidates = calloc(cand->n + 1, sizeof *m->candidates);
		for (size_t i = 0; m->candidates && i < cand->n; i++) {
			const weft_yaml_node *f = cand->items[i];
			if (f->kind != WEFT_YAML_SCALAR || !f->len || f->len != strlen(f->scalar)) {
				fail_at(c, f, NULL, "model: candidates[%zu]: expected a file name", i);
				continue;
			}
			m->candidates[m->n_candidates++] = weft_pl_resolve(c->dir, f->scalar);
		}
	}
}

static bool valid_name(const char *s)
{
	if (!*s || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("-_.", *s))
			return false;
	return true;
}

static const char *const stage_kinds[] = { "delay", "http", "model", "command", NULL };

static void parse_stage(ctx *c, const weft_yaml_node *n, weft_pipelines_stage *st)
{
	st->line = n->line;
	st->col = n->col;
	if (!is_map(c, n, "stage"))
		return;
	static const char *const known[] = { "name", "budget", "description", "delay", "http", "model",
					     "command", NULL };
	unknown_keys(c, n, known);
	const char *name = str_field(c, n, "name", true);
	if (name) {
		if (!valid_name(name) || !strcmp(name, "end-to-end"))
			fail_at(c, weft_yaml_get(n, "name"),
				"letters, digits, '-', '_' and '.', at most 64; 'end-to-end' is reserved",
				"stage name '%.64s' is not allowed", name);
		else
			st->name = dup_or_fail(c, name);
	}
	const weft_yaml_node *kind_node = NULL;
	int kinds = 0;
	for (size_t k = 0; stage_kinds[k]; k++) {
		const weft_yaml_node *v = weft_yaml_get(n, stage_kinds[k]);
		if (!v)
			continue;
		if (kinds++) {
			fail_at(c, v, "split it into two stages", "a stage has one kind; this one also has '%s'",
				stage_kinds[k]);
			continue;
		}
		kind_node = v;
		st->kind = (weft_pipelines_stage_kind)k;
	}
	if (!kinds) {
		fail_at(c, n, "add one of delay, http, model or command",
			"stage '%s' says nothing about what to run", name ? name : "?");
		return;
	}
	switch (st->kind) {
	case WEFT_STAGE_DELAY:
		parse_delay(c, kind_node, &st->delay);
		break;
	case WEFT_STAGE_HTTP:
		parse_http(c, kind_node, &st->http);
		break;
	case WEFT_STAGE_MODEL:
		parse_model(c, kind_node, &st->model);
		break;
	case WEFT_STAGE_COMMAND:
		parse_command(c, kind_node, &st->command);
		break;
	}
	const weft_yaml_node *b = weft_yaml_get(n, "budget");
	if (b && !weft_yaml_is_null(b))
		parse_budgets(c, b, st->budgets, &st->n_budgets, "budget");
}

/* ---- load ---------------------------------------------------------------------------- */

const char *weft_pipelines_scenario_name(weft_pipelines_scenario s)
{
	switch (s) {
	case WEFT_SCENARIO_SINGLE_STREAM: return "single-stream";
	case WEFT_SCENARIO_SERVER: return "server";
	case WEFT_SCENARIO_OFFLINE: return "offline";
	case WEFT_SCENARIO_CONCURRENCY: return "concurrency";
	case WEFT_SCENARIO_MULTI_STREAM: return "multi-stream";
	}
	return "?";
}

static const char *const scenario_names[] = { "single-stream", "server", "offline", "concurrency",
					       "multi-stream", NULL };

int weft_pipelines_scenario_parse(weft_pipelines_scenario *out, const char *s)
{
	for (size_t i = 0; scenario_names[i]; i++)
		if (!strcmp(s, scenario_names[i])) {
			*out = (weft_pipelines_scenario)i;
			return WEFT_OK;
		}
	return WEFT_EINVALID;
}

static void load_defaults(weft_pipelines_load *l)
{
	memset(l, 0, sizeof *l);
	l->scenario = WEFT_SCENARIO_SINGLE_STREAM;
	l->duration_ms = 10000;
	l->min_queries = 100;
	l->warmup = 10;
	l->seed = 1;
	l->late_ms = 1.0;
}

static void parse_load(ctx *c, const weft_yaml_node *n, weft_pipelines_load *l)
{
	if (!is_map(c, n, "load"))
		return;
	static const char *const known[] = { "scenario", "rate", "concurrency", "threads", "duration",
					     "max_duration", "min_queries", "warmup", "seed", "rows", "window",
					     "rows_per_query", "late", "samples_per_query", NULL };
	unknown_keys(c, n, known);
	const char *sc = str_field(c, n, "scenario", false);
	if (sc && weft_pipelines_scenario_parse(&l->scenario, sc) != WEFT_OK) {
		const char *s = weft_suggest(sc, scenario_names, 5);
		char hint[128];
		snprintf(hint, sizeof hint, "%s%s%sone of single-stream, server, offline, concurrency, multi-stream",
			 s ? "did you mean '" : "", s ? s : "", s ? "'? " : "");
		fail_at(c, weft_yaml_get(n, "scenario"), hint, "unknown scenario '%.40s'", sc);
	}
	double x;
	if (num_field(c, n, "rate", &x)) {
		if (!(x > 0 && x <= 1e6))
			fail_at(c, weft_yaml_get(n, "rate"), NULL, "load: rate must be above 0 and at most 1000000 queries per second");
		else
			l->rate = x;
	}
	long long v;
	if (int_field(c, n, "concurrency", 1, 4096, &v))
		l->concurrency = (size_t)v;
	if (int_field(c, n, "threads", 1, 256, &v))
		l->threads = (size_t)v;
	if (duration_field(c, n, "duration", false, &x))
		l->duration_ms = x;
	if (duration_field(c, n, "max_duration", false, &x))
		l->max_duration_ms = x;
	if (int_field(c, n, "min_queries", 0, 1000000000LL, &v))
		l->min_queries = (uint64_t)v;
	if (int_field(c, n, "warmup", 0, 1000000LL, &v))
		l->warmup = (uint64_t)v;
	if (int_field(c, n, "seed", 0, INT64_MAX, &v))
		l->seed = (uint64_t)v;
	if (int_field(c, n, "rows", 1, INT64_MAX, &v))
		l->rows = (uint64_t)v;
	if (duration_field(c, n, "window", false, &x))
		l->window_ms = x;
	if (int_field(c, n, "rows_per_query", 1, 1000000000LL, &v))
		l->rows_per_query = (uint64_t)v;
	if (duration_field(c, n, "late", false, &x))
		l->late_ms = x;
	const weft_yaml_node *spq = weft_yaml_get(n, "samples_per_query");
	if (int_field(c, n, "samples_per_query", 1, 4096, &v)) {
		if (l->scenario != WEFT_SCENARIO_MULTI_STREAM)
			fail_at(c, spq, "use scenario: multi-stream, or drop samples_per_query",
				"load: samples_per_query only matters to the multi-stream scenario");
		else
			l->samples_per_query = (uint64_t)v;
	}
	if (l->scenario == WEFT_SCENARIO_MULTI_STREAM && weft_yaml_get(n, "concurrency"))
		fail_at(c, weft_yaml_get(n, "concurrency"), "set samples_per_query instead",
			"load: multi-stream runs samples_per_query samples at once; concurrency does not apply");
	if (l->scenario != WEFT_SCENARIO_OFFLINE && (weft_yaml_get(n, "rows") || weft_yaml_get(n, "window")))
		weft_diags_add(c->d, WEFT_SEV_WARNING, c->path, n->line, n->col, NULL,
			       "rows and window only matter to the offline scenario");
}

int weft_pipelines_load_check(const weft_pipelines_spec *s, weft_diags *d)
{
	const weft_pipelines_load *l = &s->load;
	int err = WEFT_OK;
#define LOAD_ERR(hint, ...)                                                                        \
	do {                                                                                        \
		weft_diags_add(d, WEFT_SEV_ERROR, s->path, s->load_line, s->load_col, hint, __VA_ARGS__); \
		err = WEFT_EINVALID;                                                                    \
	} while (0)
	if (l->scenario == WEFT_SCENARIO_SERVER && !(l->rate > 0))
		LOAD_ERR("set load.rate or pass --rate", "the server scenario needs a rate (queries per second)");
	if (!(l->duration_ms > 0))
		LOAD_ERR(NULL, "load: duration must be above zero");
	if (l->max_duration_ms > 0 && l->max_duration_ms < l->duration_ms)
		LOAD_ERR(NULL, "load: max_duration is shorter than duration");
	if (l->scenario == WEFT_SCENARIO_OFFLINE && !(l->rate > 0) && !l->min_queries)
		LOAD_ERR("set load.min_queries, or load.rate (the expected throughput: rate x duration queries)",
			 "load: an offline job of no queries (min_queries is 0 and no rate sizes it)");
	if (l->scenario == WEFT_SCENARIO_OFFLINE && ((l->rows > 0) != (l->window_ms > 0)))
		LOAD_ERR("e.g. rows: 2000000 and window: 4h", "load: give rows and window together");
	if (l->concurrency > 4096)
		LOAD_ERR(NULL, "load: concurrency is at most 4096");
	if (l->scenario == WEFT_SCENARIO_SINGLE_STREAM && l->concurrency > 1)
		LOAD_ERR("use scenario: concurrency", "load: single-stream runs one query at a time");
	if (l->scenario == WEFT_SCENARIO_MULTI_STREAM && l->concurrency)
		LOAD_ERR("set load.samples_per_query instead",
			 "load: multi-stream runs samples_per_query samples at once; concurrency does not apply");
	if (l->scenario != WEFT_SCENARIO_MULTI_STREAM && l->samples_per_query)
		LOAD_ERR("use scenario: multi-stream", "load: samples_per_query only matters to the multi-stream scenario");
	if (l->scenario == WEFT_SCENARIO_OFFLINE && s->n_e2e) {
		/* every query is issued at the start: its end-to-end latency is
		 * when the job got to it, not what a query costs */
		weft_diags_add(d, WEFT_SEV_ERROR, s->path, s->e2e[0].line, s->e2e[0].col,
			       "budget the stages, or the job's time with load.rows and load.window",
			       "offline issues every query at once: end-to-end latency is each query's time "
			       "to completion from the start, and a budget on it judges the job's length");
		err = WEFT_EINVALID;
	}
	if (l->shard_count > 1) {
		if (l->shard_index >= l->shard_count)
			LOAD_ERR("shards are numbered from 0, e.g. --shard 0/4 ... --shard 3/4",
				 "shard %u of %u does not exist", (unsigned)l->shard_index, (unsigned)l->shard_count);
		if (l->scenario == WEFT_SCENARIO_SINGLE_STREAM || l->scenario == WEFT_SCENARIO_MULTI_STREAM)
			LOAD_ERR("use scenario: concurrency or server",
				 "a %s run sends one query at a time and cannot be split into shards",
				 weft_pipelines_scenario_name(l->scenario));
		if ((l->scenario == WEFT_SCENARIO_CONCURRENCY || l->scenario == WEFT_SCENARIO_OFFLINE) &&
		    l->concurrency && l->concurrency < l->shard_count)
			LOAD_ERR("raise load.concurrency to at least the number of shards",
				 "%zu workers cannot be split into %u shards", l->concurrency, (unsigned)l->shard_count);
	}
	if (!(s->confidence >= 0.5 && s->confidence < 1))
		LOAD_ERR(NULL, "confidence must be above 0.5 and below 1");
#undef LOAD_ERR
	return err;
}

/* ---- top level ---------------------------------------------------------------------- */

static const char *const patterns[] = { "api", "batch", "embedded", "edge", "hitl", NULL };

/* A rate written as a fraction (0.001) or a percentage (0.1%) into *out;
 * false (recorded, what naming the field) otherwise. */
static bool rate_field(ctx *c, const weft_yaml_node *n, const char *what, double *out)
{
	double v;
	if (n->kind == WEFT_YAML_SCALAR && n->len > 1 && n->scalar[n->len - 1] == '%') {
		char *end;
		char tmp[64];
		snprintf(tmp, sizeof tmp, "%.*s", (int)(n->len - 1), n->scalar);
		v = strtod(tmp, &end);
		if (*end || end == tmp || !(v >= 0 && v <= 100)) {
			fail_at(c, n, "e.g. 0.1%", "%s: '%.20s' is not a percentage", what, n->scalar);
			return false;
		}
		v /= 100.0;
	} else if (weft_yaml_as_num(&v, n) != WEFT_OK || !(v >= 0 && v <= 1)) {
		fail_at(c, n, "a fraction (0.001) or a percentage (0.1%)", "%s: expected a rate between 0 and 1",
			what);
		return false;
	}
	*out = v;
	return true;
}

static void parse_error_rate(ctx *c, const weft_yaml_node *n, weft_pipelines_spec *s)
{
	s->has_error_budget = rate_field(c, n, "budget: error_rate", &s->error_rate);
}

static void parse_top(ctx *c, const weft_yaml_node *root, weft_pipelines_spec *s)
{
	if (!root) {
		fail_at(c, NULL, "start with 'pipeline: NAME' and a list of stages", "the file is empty");
		return;
	}
	if (!is_map(c, root, "pipeline file"))
		return;
	static const char *const known[] = { "pipeline", "pattern", "description", "stages", "budget",
					     "load", NULL };
	unknown_keys(c, root, known);
	const char *name = str_field(c, root, "pipeline", true);
	if (name) {
		if (!valid_name(name))
			fail_at(c, weft_yaml_get(root, "pipeline"), "letters, digits, '-', '_' and '.'",
				"pipeline name '%.64s' is not allowed", name);
		else
			s->name = dup_or_fail(c, name);
	}
	const char *pattern = str_field(c, root, "pattern", false);
	if (pattern) {
		size_t k = 0;
		while (patterns[k] && strcmp(patterns[k], pattern))
			k++;
		if (!patterns[k]) {
			const char *sg = weft_suggest(pattern, patterns, 5);
			char hint[96];
			snprintf(hint, sizeof hint, "%s%s%sone of api, batch, embedded, edge, hitl",
				 sg ? "did you mean '" : "", sg ? sg : "", sg ? "'? " : "");
			fail_at(c, weft_yaml_get(root, "pattern"), hint, "unknown pattern '%.40s'", pattern);
		} else {
			s->pattern = dup_or_fail(c, pattern);
		}
	}
	const char *desc = str_field(c, root, "description", false);
	if (desc)
		s->description = dup_or_fail(c, desc);

	const weft_yaml_node *stages = weft_yaml_get(root, "stages");
	if (!stages || weft_yaml_is_null(stages)) {
		fail_at(c, root, "e.g. stages: [{name: model, delay: 5ms}]", "missing required field 'stages'");
	} else if (stages->kind != WEFT_YAML_SEQUENCE || !stages->n) {
		fail_at(c, stages, NULL, "stages: expected a non-empty sequence of stages");
	} else if (stages->n > 64) {
		fail_at(c, stages, NULL, "stages: at most 64 stages");
	} else {
		s->stages = calloc(stages->n, sizeof *s->stages);
		if (!s->stages) {
			c->err = WEFT_ENOMEM;
			return;
		}
		s->n_stages = stages->n;
		for (size_t i = 0; i < stages->n; i++)
			parse_stage(c, stages->items[i], &s->stages[i]);
		for (size_t i = 0; i < s->n_stages; i++)
			for (size_t j = 0; j < i; j++)
				if (s->stages[i].name && s->stages[j].name &&
				    !strcmp(s->stages[i].name, s->stages[j].name)) {
					char hint[64];
					snprintf(hint, sizeof hint, "the first is at line %d", s->stages[j].line);
					weft_diags_add(c->d, WEFT_SEV_ERROR, c->path, s->stages[i].line,
						       s->stages[i].col, hint, "two stages are named '%s'",
						       s->stages[i].name);
					c->err = WEFT_EINVALID;
				}
	}

	s->confidence = 0.95;
	const weft_yaml_node *budget = weft_yaml_get(root, "budget");
	if (budget && !weft_yaml_is_null(budget) && is_map(c, budget, "budget")) {
		static const char *const bknown[] = { "end_to_end", "confidence", "error_rate", NULL };
		unknown_keys(c, budget, bknown);
		const weft_yaml_node *e2e = weft_yaml_get(budget, "end_to_end");
		if (e2e && !weft_yaml_is_null(e2e))
			parse_budgets(c, e2e, s->e2e, &s->n_e2e, "end_to_end");
		double conf;
		if (num_field(c, budget, "confidence", &conf)) {
			if (!(conf >= 0.5 && conf <= 0.9999))
				fail_at(c, weft_yaml_get(budget, "confidence"), "e.g. 0.95 or 0.99",
					"budget: confidence must be between 0.5 and 0.9999");
			else
				s->confidence = conf;
		}
		const weft_yaml_node *er = weft_yaml_get(budget, "error_rate");
		if (er && !weft_yaml_is_null(er))
			parse_error_rate(c, er, s);
	}

	load_defaults(&s->load);
	const weft_yaml_node *load = weft_yaml_get(root, "load");
	if (load && !weft_yaml_is_null(load)) {
		s->load_line = load->line;
		s->load_col = load->col;
		parse_load(c, load, &s->load);
	}
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

int weft_pipelines_spec_load_buffer(weft_pipelines_spec **out, const char *name, const char *dir,
				    const char *buf, size_t len, weft_diags *d)
{
	*out = NULL;
	weft_yaml_opts yo = { .max_bytes = 4u << 20, .max_nodes = 200000, .max_depth = 64 };
	weft_yaml_doc *doc;
	int err = weft_yaml_load_buffer(&doc, name, buf, len, &yo, d);
	if (err)
		return err;
	weft_pipelines_spec *s = calloc(1, sizeof *s);
	if (!s) {
		weft_yaml_doc_free(doc);
		return WEFT_ENOMEM;
	}
	s->path = strdup(name ? name : "<input>");
	s->dir = strdup(dir ? dir : ".");
	ctx c = { doc, d, s->path, s->dir, s->path && s->dir ? WEFT_OK : WEFT_ENOMEM };
	if (!c.err)
		parse_top(&c, weft_yaml_doc_root(doc), s);
	weft_yaml_doc_free(doc);
	if (!c.err)
		c.err = weft_pipelines_load_check(s, d);
	if (c.err) {
		weft_pipelines_spec_free(s);
		return c.err;
	}
	*out = s;
	return WEFT_OK;
}

int weft_pipelines_spec_load(weft_pipelines_spec **out, const char *path, weft_diags *d)
{
	*out = NULL;
	char *buf;
	size_t len;
	int err = weft_file_read(&buf, &len, path, 4u << 20, d);
	if (err)
		return err;
	char *dir = dir_of(path);
	if (!dir) {
		free(buf);
		return WEFT_ENOMEM;
	}
	err = weft_pipelines_spec_load_buffer(out, path, dir, buf, len, d);
	free(dir);
	free(buf);
	return err;
}

static void free_strv(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void weft_pipelines_spec_free(weft_pipelines_spec *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_stages; i++) {
		weft_pipelines_stage *st = &s->stages[i];
		free(st->name);
		weft_pipelines_dist_clear(&st->delay);
		free(st->http.method);
		free(st->http.url);
		free_strv(st->http.headers, st->http.n_headers);
		free(st->http.body);
		free(st->http.ca_file);
		free(st->http.cert);
		free(st->http.key);
		free_strv(st->http.bodies, st->http.n_bodies);
		free_strv(st->command.argv, st->command.argc);
		free(st->model.file);
		free(st->model.device);
		free(st->model.precision);
		free(st->model.activations);
		free(st->model.eval);
		free_strv(st->model.candidates, st->model.n_candidates);
	}
	free(s->stages);
	free(s->path);
	free(s->dir);
	free(s->name);
	free(s->pattern);
	free(s->description);
	free(s);
}

int weft_pipelines_stage_set_model(weft_pipelines_stage *st, const char *file)
{
	if (st->kind != WEFT_STAGE_MODEL)
		return WEFT_EINVALID;
	char *f = strdup(file);
	if (!f)
		return WEFT_ENOMEM;
	free(st->model.file);
	st->model.file = f;
	return WEFT_OK;
}

const char *weft_pipelines_stage_kind_name(weft_pipelines_stage_kind k)
{
	return (unsigned)k < 4 ? stage_kinds[k] : "?";
}
