/* config.c - reads config/service.conf, a `key = value` file.
 *
 * Key choice: a line format instead of JSON or YAML, so that operators can
 * comment settings out and diff them, and every problem can be reported as
 * path:line:col (all problems at once, not only the first). Numbers are
 * range-checked here, so the rest of the service can trust the struct.
 */
#define _POSIX_C_SOURCE 200809L
#include "config.h"
#include "token.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const route_paths[ROUTE_COUNT] = { "/v1/predict", "/v1/model", "/healthz" };
static const char *const route_methods[ROUTE_COUNT] = { "POST", "GET", "GET" };

const char *api_route_path(api_route r)
{
	return (unsigned)r < ROUTE_COUNT ? route_paths[r] : "?";
}

const char *api_route_method(api_route r)
{
	return (unsigned)r < ROUTE_COUNT ? route_methods[r] : "?";
}

int api_route_find(const char *path)
{
	for (int i = 0; i < ROUTE_COUNT; i++)
		if (path && strcmp(path, route_paths[i]) == 0)
			return i;
	return -1;
}

void api_config_defaults(api_config *c)
{
	memset(c, 0, sizeof *c);
	snprintf(c->listen, sizeof c->listen, "127.0.0.1");
	c->port = 8080;
	snprintf(c->model_path, sizeof c->model_path, "models/model.safetensors");
	c->workers = 2;
	c->queue = 64;
	c->deadline_ms = 200;
	c->fallback_default = 0.5;
	c->fallback_cache = true;
	c->cache_entries = 10000;
	c->cache_ttl_ms = 24 * 3600 * 1000;
	c->max_body_bytes = 64 * 1024;
	c->connection_timeout_s = 10;
	c->max_connections = 256;
	c->drain_timeout_ms = 5000;
	snprintf(c->access_log, sizeof c->access_log, "-");
	snprintf(c->request_id_header, sizeof c->request_id_header, "X-Request-Id");
	c->public_routes = 1u << ROUTE_HEALTHZ;
}


/* ---- parsing state ----------------------------------------------------------- */

typedef struct {
	api_config *c;
	const char *name, *dir;
	char *err;
	size_t errlen, used;
	int errors;
	int line;
	const char *line_start;
	int set_on[32]; /* line where each scalar key was set, to refuse repeats */
} parser;

static void fail(parser *p, const char *at, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Record "name:line:col: message"; at points into the current line. */
static void fail(parser *p, const char *at, const char *fmt, ...)
{
	p->errors++;
	if (!p->err || p->used + 1 >= p->errlen)
		return;
	int col = at ? (int)(at - p->line_start) + 1 : 1;
	int n = snprintf(p->err + p->used, p->errlen - p->used, "%s%s:%d:%d: ", p->used ? "\n" : "",
			 p->name, p->line, col);
	if (n < 0 || (size_t)n >= p->errlen - p->used) {
		p->used = p->errlen - 1;
		return;
	}
	p->used += (size_t)n;
	va_list ap;
	va_start(ap, fmt);
	n = vsnprintf(p->err + p->used, p->errlen - p->used, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= p->errlen - p->used)
		p->used = p->errlen - 1;
	else
		p->used += (size_t)n;
}

static bool parse_long(const char *s, long long lo, long long hi, long long *out)
{
	if (!*s)
		return false;
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (errno || *end || v < lo || v > hi)
		return false;
	*out = v;
	return true;
}

static bool parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "on", "true", "yes", "1" }, *const no[] = { "off", "false", "no", "0" };
	for (size_t i = 0; i < 4; i++) {
		if (strcmp(s, yes[i]) == 0)
			return (*out = true), true;
		if (strcmp(s, no[i]) == 0)
			return (*out = false), true;
	}
	return false;
}

static int levenshtein(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 40 || lb > 40)
		return 99;
	int row[41];
	for (size_t j = 0; j <= lb; j++)
		row[j] = (int)j;
	for (size_t i = 1; i <= la; i++) {
		int diag = row[0];
		row[0] = (int)i;
		for (size_t j = 1; j <= lb; j++) {
			int up = row[j];
			int best = diag + (a[i - 1] != b[j - 1]);
			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[lb];
}

/* Resolve a relative path against the config's folder. */
static bool set_path(parser *p, char *dst, size_t size, const char *value, const char *at)
{
	int n;
	if (value[0] == '/' || strcmp(value, "-") == 0 || !p->dir || !*p->dir)
		n = snprintf(dst, size, "%s", value);
	else
		n = snprintf(dst, size, "%s/%s", p->dir, value);
	if (n < 0 || (size_t)n >= size) {
		fail(p, at, "path too long");
		return false;
	}
	return true;
}

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

/* Split the next whitespace-separated word of *s into buf; returns where it
 * starts in the line, or NULL at the end. */
static const char *next_word(const char **s, char *buf, size_t size)
{
	const char *w = skip_space(*s);
	if (!*w)
		return NULL;
	const char *e = w;
	while (*e && *e != ' ' && *e != '\t')
		e++;
	size_t n = (size_t)(e - w);
	if (n >= size)
		n = size - 1;
	memcpy(buf, w, n);
	buf[n] = '\0';
	*s = e;
	return w;
}

static bool valid_name(const char *s)
{
	if (!*s || strlen(s) >= API_TOKEN_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return false;
	return true;
}

/* Days in month m (1-12) of year y. */
static int month_days(int y, int m)
{
	static const int d[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
	return m == 2 && leap ? 29 : d[m - 1];
}

/* Day of the week, 0 = Sunday (Sakamoto's method). */
static int weekday(int y, int m, int d)
{
	static const int t[12] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };
	if (m < 3)
		y -= 1;
	return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

static void parse_sunset(parser *p, const char *value, const char *at)
{
	char word[64];
	const char *s = value;
	const char *w = next_word(&s, word, sizeof word);
	int r = w ? api_route_find(word) : -1;
	if (r < 0) {
		fail(p, w ? w : at, "sunset: expected a route (/v1/predict, /v1/model, /healthz) and a date");
		return;
	}
	const char *dw = next_word(&s, word, sizeof word);
	int y, m, d;
	char tail;
	if (!dw || sscanf(word, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || y < 1970 || y > 9999 || m < 1 ||
	    m > 12 || d < 1 || d > month_days(y, m)) {
		fail(p, dw ? dw : at, "sunset: expected a date as YYYY-MM-DD");
		return;
	}
	const char *xw = next_word(&s, word, sizeof word);
	if (xw) {
		fail(p, xw, "sunset: unexpected text after the date");
		return;
	}
	static const char *const days[7] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const months[12] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
						"Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	snprintf(p->c->sunset[r], sizeof p->c->sunset[r], "%s, %02d %s %04d 00:00:00 GMT",
		 days[weekday(y, m, d)], d, months[m - 1], y);
}

bool api_valid_request_id(const char *s)
{
	if (!*s || strlen(s) > API_REQUEST_ID_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.' && *s != ':')
			return false;
	return true;
}

/* request_id_header: a header name, or `none`. Headers that carry
 * credentials or mean something else to the service are refused: their
 * values would be echoed to the caller and written to the log. */
static void parse_request_id_header(parser *p, const char *v, const char *at)
{
	static const char *const taken[] = { "Authorization", "Proxy-Authorization", "Cookie", "Set-Cookie",
					     "X-On-Behalf-Of", "Content-Type", "Content-Length", "Host" };
	if (strcmp(v, "none") == 0) {
		p->c->request_id_header[0] = '\0';
		return;
	}
	bool ok = strlen(v) < sizeof p->c->request_id_header;
	for (const char *q = v; ok && *q; q++)
		ok = isalnum((unsigned char)*q) || *q == '-';
	if (!ok) {
		fail(p, at, "request_id_header: expected a header name (letters, digits, '-'; under %d characters) "
			    "or none",
		     API_HEADER_NAME_MAX);
		return;
	}
	for (size_t i = 0; i < sizeof taken / sizeof taken[0]; i++)
		if (strcasecmp(v, taken[i]) == 0) {
			fail(p, at, "request_id_header: %s cannot carry request ids (its value would be echoed and "
				    "logged)",
			     taken[i]);
			return;
		}
	snprintf(p->c->request_id_header, sizeof p->c->request_id_header, "%s", v);
}

bool api_valid_user(const char *s)
{
	if (!*s || strlen(s) >= API_USER_NAME_MAX)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.' && *s != '@')
			return false;
	return true;
}

const api_user *api_config_user(const api_config *c, const char *name)
{
	const api_user *any = NULL;
	for (size_t i = 0; i < c->n_users; i++) {
		if (strcmp(c->users[i].name, name) == 0)
			return &c->users[i];
		if (strcmp(c->users[i].name, "*") == 0)
			any = &c->users[i];
	}
	return any;
}

/* Routes, one a word; with flag non-NULL the word `act_for_users` sets it. */
static unsigned parse_routes_flag(parser *p, const char *s, const char *at, const char *what, bool *flag)
{
	unsigned routes = 0;
	char word[128];
	const char *w;
	while ((w = next_word(&s, word, sizeof word))) {
		if (flag && strcmp(word, "act_for_users") == 0) {
			*flag = true;
			continue;
		}
		int r = api_route_find(word);
		if (r < 0) {
			fail(p, w, "%s: unknown route '%.60s' (routes: /v1/predict, /v1/model, /healthz%s)", what, word,
			     flag ? "; and the word act_for_users" : "");
			continue;
		}
		routes |= 1u << r;
	}
	if (!routes && !p->errors)
		fail(p, at, "%s: no route given", what);
	return routes;
}

static unsigned parse_routes(parser *p, const char *s, const char *at, const char *what)
{
	return parse_routes_flag(p, s, at, what, NULL);
}

static void parse_user(parser *p, const char *value, const char *at)
{
	api_config *c = p->c;
	char name[128];
	const char *s = value;
	const char *nw = next_word(&s, name, sizeof name);
	if (!nw || (strcmp(name, "*") != 0 && !api_valid_user(name))) {
		fail(p, nw ? nw : at,
		     "user: expected a user name (letters, digits, '-', '_', '.', '@'; under %d characters) or '*', "
		     "then routes",
		     API_USER_NAME_MAX);
		return;
	}
	int before = p->errors;
	unsigned routes = parse_routes(p, s, at, "user");
	if (p->errors != before)
		return;
	for (size_t i = 0; i < c->n_users; i++)
		if (strcmp(c->users[i].name, name) == 0) {
			fail(p, nw, "user: '%s' has a rule already", name);
			return;
		}
	if (c->n_users == API_MAX_USERS) {
		fail(p, at, "user: at most %d user rules", API_MAX_USERS);
		return;
	}
	api_user *u = &c->users[c->n_users++];
	memcpy(u->name, name, strlen(name) + 1); /* checked: shorter than the field */
	u->routes = routes;
}

static void parse_token(parser *p, const char *value, const char *at)
{
	api_config *c = p->c;
	char name[128], hash[128];
	const char *s = value;
	const char *nw = next_word(&s, name, sizeof name);
	if (!nw || !valid_name(name)) {
		fail(p, nw ? nw : at,
		     "token: expected a name (letters, digits, '-', '_', '.'; under %d characters), a sha256:<hex> "
		     "digest and routes",
		     API_TOKEN_NAME_MAX);
		return;
	}
	const char *hw = next_word(&s, hash, sizeof hash);
	unsigned char digest[32];
	if (!hw || token_parse_digest(digest, hash) != 0) {
		fail(p, hw ? hw : at,
		     "token: expected the token's SHA-256 as sha256:<64 hex digits> (see `hash-token`), never the "
		     "token itself");
		return;
	}
	int before = p->errors;
	bool delegates = false;
	unsigned routes = parse_routes_flag(p, s, at, "token", &delegates);
	if (p->errors != before)
		return;
	for (size_t i = 0; i < c->n_tokens; i++) {
		if (strcmp(c->tokens[i].name, name) == 0) {
			fail(p, nw, "token: the name '%s' is used twice", name);
			return;
		}
		if (memcmp(c->tokens[i].hash, digest, 32) == 0) {
			fail(p, hw, "token: the same digest is already given to '%s'", c->tokens[i].name);
			return;
		}
	}
	if (c->n_tokens == API_MAX_TOKENS) {
		fail(p, at, "token: at most %d tokens", API_MAX_TOKENS);
		return;
	}
	api_token *t = &c->tokens[c->n_tokens++];
	memcpy(t->name, name, strlen(name) + 1); /* valid_name: shorter than the field */
	memcpy(t->hash, digest, 32);
	t->routes = routes;
	t->act_for_users = delegates;
}

enum {
	K_LISTEN,
	K_PORT,
	K_MODEL,
	K_FEATURES,
	K_WORKERS,
	K_QUEUE,
	K_DEADLINE,
	K_FALLBACK_DEFAULT,
	K_FALLBACK_CACHE,
	K_CACHE_ENTRIES,
	K_CACHE_TTL,
	K_MAX_BODY,
	K_CONN_TIMEOUT,
	K_MAX_CONN,
	K_DRAIN,
	K_ACCESS_LOG,
	K_REQUEST_ID_HEADER,
	K_PUBLIC,
	K_SUNSET,
	K_TOKEN,
	K_USER,
	K_COUNT
};

static const char *const keys[K_COUNT] = {
	"listen",	 "port",	     "model",	     "features",      "workers",
	"queue",	 "deadline_ms",	     "fallback_default", "fallback_cache", "cache_entries",
	"cache_ttl_ms",	 "max_body_bytes",   "connection_timeout_s", "max_connections", "drain_timeout_ms",
	"access_log",	 "request_id_header", "public",	     "sunset",	      "token",
	"user",
};

static void set_int(parser *p, const char *v, const char *at, long long lo, long long hi, long long *out)
{
	if (!parse_long(v, lo, hi, out))
		fail(p, at, "expected a whole number from %lld to %lld, got '%.40s'", lo, hi, v);
}

static void parse_setting(parser *p, const char *key, const char *key_at, const char *v, const char *v_at)
{
	api_config *c = p->c;
	int k = 0;
	while (k < K_COUNT && strcmp(keys[k], key))
		k++;
	if (k == K_COUNT) {
		const char *best = NULL;
		int bd = 3;
		for (int i = 0; i < K_COUNT; i++) {
			int d = levenshtein(key, keys[i]);
			if (d < bd)
				bd = d, best = keys[i];
		}
		if (best)
			fail(p, key_at, "unknown setting '%.40s' (did you mean '%s'?)", key, best);
		else
			fail(p, key_at, "unknown setting '%.40s'", key);
		return;
	}
	if (k != K_TOKEN && k != K_SUNSET && k != K_USER) {
		if (p->set_on[k]) {
			fail(p, key_at, "'%s' is already set on line %d", key, p->set_on[k]);
			return;
		}
		p->set_on[k] = p->line;
	}
	if (!*v && k != K_TOKEN) {
		fail(p, v_at, "'%s' needs a value", key);
		return;
	}
	long long n = 0;
	switch (k) {
	case K_LISTEN: {
		unsigned char buf[16];
		if (strlen(v) >= sizeof c->listen ||
		    (inet_pton(AF_INET, v, buf) != 1 && inet_pton(AF_INET6, v, buf) != 1))
			fail(p, v_at, "listen: expected an IPv4 or IPv6 address such as 127.0.0.1 or 0.0.0.0");
		else
			snprintf(c->listen, sizeof c->listen, "%s", v);
		break;
	}
	case K_PORT:
		set_int(p, v, v_at, 0, 65535, &n);
		c->port = (int)n;
		break;
	case K_MODEL:
		set_path(p, c->model_path, sizeof c->model_path, v, v_at);
		break;
	case K_FEATURES:
		set_int(p, v, v_at, 0, 1000000, &n);
		c->features = (size_t)n;
		break;
	case K_WORKERS:
		set_int(p, v, v_at, 1, 64, &n);
		c->workers = (int)n;
		break;
	case K_QUEUE:
		set_int(p, v, v_at, 1, 100000, &n);
		c->queue = (int)n;
		break;
	case K_DEADLINE:
		set_int(p, v, v_at, 1, 600000, &n);
		c->deadline_ms = (int)n;
		break;
	case K_FALLBACK_DEFAULT: {
		char *end;
		errno = 0;
		double d = strtod(v, &end);
		if (errno || *end || !isfinite(d) || d < 0 || d > 1)
			fail(p, v_at, "fallback_default: expected a score from 0 to 1, got '%.40s'", v);
		else
			c->fallback_default = d;
		break;
	}
	case K_FALLBACK_CACHE:
		if (!parse_bool(v, &c->fallback_cache))
			fail(p, v_at, "fallback_cache: expected on or off, got '%.40s'", v);
		break;
	case K_CACHE_ENTRIES:
		set_int(p, v, v_at, 1, 10000000, &n);
		c->cache_entries = (size_t)n;
		break;
	case K_CACHE_TTL:
		set_int(p, v, v_at, 1, 30LL * 24 * 3600 * 1000, &n);
		c->cache_ttl_ms = (int)n;
		break;
	case K_MAX_BODY:
		set_int(p, v, v_at, 64, 64LL * 1024 * 1024, &n);
		c->max_body_bytes = (size_t)n;
		break;
	case K_CONN_TIMEOUT:
		set_int(p, v, v_at, 1, 3600, &n);
		c->connection_timeout_s = (int)n;
		break;
	case K_MAX_CONN:
		set_int(p, v, v_at, 1, 100000, &n);
		c->max_connections = (int)n;
		break;
	case K_DRAIN:
		set_int(p, v, v_at, 0, 600000, &n);
		c->drain_timeout_ms = (int)n;
		break;
	case K_ACCESS_LOG:
		set_path(p, c->access_log, sizeof c->access_log, v, v_at);
		break;
	case K_REQUEST_ID_HEADER:
		parse_request_id_header(p, v, v_at);
		break;
	case K_PUBLIC:
		if (strcmp(v, "none") == 0)
			c->public_routes = 0;
		else
			c->public_routes = parse_routes(p, v, v_at, "public");
		break;
	case K_SUNSET:
		parse_sunset(p, v, v_at);
		break;
	case K_TOKEN:
		parse_token(p, v, v_at);
		break;
	case K_USER:
		parse_user(p, v, v_at);
		break;
	}
}

static void parse_line(parser *p, char *line)
{
	/* a comment starts at '#' at the start or after a blank */
	for (char *h = line; *h; h++)
		if (*h == '#' && (h == line || h[-1] == ' ' || h[-1] == '\t')) {
			*h = '\0';
			break;
		}
	size_t n = strlen(line);
	while (n && (line[n - 1] == ' ' || line[n - 1] == '\t' || line[n - 1] == '\r'))
		line[--n] = '\0';
	const char *s = skip_space(line);
	if (!*s)
		return;
	for (const char *q = line; *q; q++)
		if ((unsigned char)*q < 0x20 && *q != '\t') {
			fail(p, q, "control character in the line");
			return;
		}
	char *eq = strchr(s, '=');
	if (!eq) {
		fail(p, s, "expected `key = value`");
		return;
	}
	const char *key_end = eq;
	while (key_end > s && (key_end[-1] == ' ' || key_end[-1] == '\t'))
		key_end--;
	char key[64];
	size_t kl = (size_t)(key_end - s);
	if (!kl) {
		fail(p, s, "missing setting name before '='");
		return;
	}
	if (kl >= sizeof key)
		kl = sizeof key - 1;
	memcpy(key, s, kl);
	key[kl] = '\0';
	const char *v = skip_space(eq + 1);
	parse_setting(p, key, s, v, v);
}

int api_config_parse(api_config *c, const char *text, const char *name, const char *dir, char *err,
		     size_t errlen)
{
	parser p = { .c = c, .name = name ? name : "config", .dir = dir, .err = err, .errlen = errlen };
	if (err && errlen)
		err[0] = '\0';
	const char *s = text;
	char buf[4096];
	while (*s) {
		const char *e = strchr(s, '\n');
		size_t len = e ? (size_t)(e - s) : strlen(s);
		p.line++;
		if (len >= sizeof buf) {
			p.line_start = s;
			fail(&p, s, "line longer than %zu characters", sizeof buf - 1);
		} else {
			memcpy(buf, s, len);
			buf[len] = '\0';
			p.line_start = buf;
			parse_line(&p, buf);
		}
		s += len;
		if (*s == '\n')
			s++;
	}
	if (!p.errors && c->n_tokens == 0 && c->public_routes != (1u << ROUTE_COUNT) - 1) {
		p.line = p.line ? p.line : 1;
		p.line_start = NULL;
		fail(&p, NULL, "no token is configured: only public routes could be called (add `token = ...`)");
	}
	return p.errors ? -1 : 0;
}

int api_config_load(api_config *c, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	size_t cap = 1 << 20, len = 0;
	char *text = malloc(cap + 1);
	if (!text) {
		fclose(f);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	len = fread(text, 1, cap + 1, f);
	bool bad = ferror(f);
	fclose(f);
	if (bad || len > cap) {
		free(text);
		snprintf(err, errlen, "%s: %s", path, bad ? "read error" : "larger than 1 MiB");
		return -1;
	}
	text[len] = '\0';
	if (strlen(text) != len) {
		/* find the line of the NUL for the message */
		int line = 1;
		for (size_t i = 0; text[i]; i++)
			line += text[i] == '\n';
		free(text);
		snprintf(err, errlen, "%s:%d:1: NUL byte in the file", path, line);
		return -1;
	}
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	if (slash)
		snprintf(dir, sizeof dir, "%.*s", (int)(slash - path), path);
	else
		snprintf(dir, sizeof dir, ".");
	if (slash == path)
		snprintf(dir, sizeof dir, "/");
	int rc = api_config_parse(c, text, path, dir, err, errlen);
	free(text);
	return rc;
}
