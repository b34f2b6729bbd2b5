/* schema.c - a small, strict JSON Schema checker for the contract test.
 *
 * Key choice: refuse schema keywords it does not implement instead of
 * ignoring them, so a contract that grows a rule (say `multipleOf`) makes
 * the test fail loudly until the checker learns it, rather than pass
 * without checking it.
 */
#define _POSIX_C_SOURCE 200809L
#include "schema.h"

#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 48

typedef struct {
	const cJSON *doc;
	char *err;
	size_t errlen;
} checker;

static int fail(checker *c, const char *where, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Record "where: message"; returns -1. */
static int fail(checker *c, const char *where, const char *fmt, ...)
{
	if (!c->errlen)
		return -1;
	int n = snprintf(c->err, c->errlen, "%s: ", where);
	if (n < 0 || (size_t)n >= c->errlen)
		return -1;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err + n, c->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return -1;
}

static const cJSON *resolve_ref(const cJSON *doc, const char *ref)
{
	if (strncmp(ref, "#/", 2) != 0)
		return NULL;
	const cJSON *n = doc;
	char part[128];
	const char *s = ref + 2;
	while (n && *s) {
		size_t len = strcspn(s, "/");
		if (len >= sizeof part)
			return NULL;
		memcpy(part, s, len);
		part[len] = '\0';
		n = cJSON_GetObjectItemCaseSensitive(n, part);
		s += len;
		if (*s == '/')
			s++;
	}
	return n;
}

static const char *type_of(const cJSON *v)
{
	if (cJSON_IsObject(v))
		return "object";
	if (cJSON_IsArray(v))
		return "array";
	if (cJSON_IsString(v))
		return "string";
	if (cJSON_IsNumber(v))
		return "number";
	if (cJSON_IsBool(v))
		return "boolean";
	return "null";
}

static bool type_matches(const char *want, const cJSON *v)
{
	if (strcmp(want, "integer") == 0)
		return cJSON_IsNumber(v) && isfinite(v->valuedouble) && floor(v->valuedouble) == v->valuedouble;
	return strcmp(want, type_of(v)) == 0;
}

static bool json_equal(const cJSON *a, const cJSON *b)
{
	return cJSON_Compare(a, b, 1) != 0;
}

static int check(checker *c, const cJSON *s, const cJSON *v, const char *where, int depth);

static int check_keywords_known(checker *c, const cJSON *s, const char *where)
{
	static const char *const known[] = { "$ref",	   "type",	 "required",  "properties", "additionalProperties",
					     "items",	   "enum",	 "oneOf",     "minimum",    "maximum",
					     "minLength",  "maxLength",	 "minItems",  "maxItems",   "pattern",
					     "description", "example",	 "title",     "format",     "deprecated",
					     NULL };
	const cJSON *k;
	cJSON_ArrayForEach(k, s)
	{
		size_t i = 0;
		while (known[i] && strcmp(known[i], k->string) != 0)
			i++;
		if (!known[i])
			return fail(c, where, "schema keyword '%s' is not supported by the checker", k->string);
	}
	return 0;
}

static int check_object(checker *c, const cJSON *s, const cJSON *v, const char *where, int depth)
{
	const cJSON *req = cJSON_GetObjectItemCaseSensitive(s, "required");
	const cJSON *r;
	cJSON_ArrayForEach(r, req)
	{
		if (cJSON_IsString(r) && !cJSON_GetObjectItemCaseSensitive(v, r->valuestring))
			return fail(c, where, "required field '%s' is missing", r->valuestring);
	}
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(s, "properties");
	const cJSON *extra = cJSON_GetObjectItemCaseSensitive(s, "additionalProperties");
	const cJSON *field;
	cJSON_ArrayForEach(field, v)
	{
		char sub[512];
		snprintf(sub, sizeof sub, "%s.%s", where, field->string);
		const cJSON *ps = props ? cJSON_GetObjectItemCaseSensitive(props, field->string) : NULL;
		if (ps) {
			if (check(c, ps, field, sub, depth + 1) != 0)
				return -1;
		} else if (cJSON_IsFalse(extra)) {
			return fail(c, where, "field '%s' is not in the contract", field->string);
		} else if (cJSON_IsObject(extra)) {
			if (check(c, extra, field, sub, depth + 1) != 0)
				return -1;
		}
	}
	return 0;
}

static int check(checker *c, const cJSON *s, const cJSON *v, const char *where, int depth)
{
	if (depth > MAX_DEPTH)
		return fail(c, where, "schema nesting deeper than %d", MAX_DEPTH);
	if (!cJSON_IsObject(s))
		return fail(c, where, "the schema is not an object");
	if (check_keywords_known(c, s, where) != 0)
		return -1;
	const cJSON *ref = cJSON_GetObjectItemCaseSensitive(s, "$ref");
	if (ref) {
		const cJSON *target = cJSON_IsString(ref) ? resolve_ref(c->doc, ref->valuestring) : NULL;
		if (!target)
			return fail(c, where, "unresolved $ref '%s'", cJSON_IsString(ref) ? ref->valuestring : "?");
		return check(c, target, v, where, depth + 1);
	}
	const cJSON *one = cJSON_GetObjectItemCaseSensitive(s, "oneOf");
	if (one) {
		int matches = 0;
		const cJSON *alt;
		char saved[256] = "";
		cJSON_ArrayForEach(alt, one)
		{
			if (check(c, alt, v, where, depth + 1) == 0)
				matches++;
			else if (!saved[0])
				snprintf(saved, sizeof saved, "%s", c->err);
		}
		if (matches == 0) {
			char first[200];
			snprintf(first, sizeof first, "%.199s", saved);
			return fail(c, where, "matches none of the oneOf alternatives (the first says: %s)", first);
		}
		if (matches > 1)
			return fail(c, where, "matches %d of the oneOf alternatives (need exactly one)", matches);
	}
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(s, "type");
	if (type && !type_matches(type->valuestring ? type->valuestring : "?", v))
		return fail(c, where, "expected %s, got %s", type->valuestring, type_of(v));
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(s, "enum");
	if (en) {
		bool ok = false;
		const cJSON *e;
		cJSON_ArrayForEach(e, en)
		ok = ok || json_equal(e, v);
		if (!ok)
			return fail(c, where, "value is not one of the enum values");
	}
	if (cJSON_IsNumber(v)) {
		const cJSON *mn = cJSON_GetObjectItemCaseSensitive(s, "minimum");
		const cJSON *mx = cJSON_GetObjectItemCaseSensitive(s, "maximum");
		if (mn && v->valuedouble < mn->valuedouble)
			return fail(c, where, "%g is below the minimum %g", v->valuedouble, mn->valuedouble);
		if (mx && v->valuedouble > mx->valuedouble)
			return fail(c, where, "%g is above the maximum %g", v->valuedouble, mx->valuedouble);
	}
	if (cJSON_IsString(v)) {
		double len = (double)strlen(v->valuestring);
		const cJSON *mn = cJSON_GetObjectItemCaseSensitive(s, "minLength");
		const cJSON *mx = cJSON_GetObjectItemCaseSensitive(s, "maxLength");
		if (mn && len < mn->valuedouble)
			return fail(c, where, "shorter than %g characters", mn->valuedouble);
		if (mx && len > mx->valuedouble)
			return fail(c, where, "longer than %g characters", mx->valuedouble);
		const cJSON *pat = cJSON_GetObjectItemCaseSensitive(s, "pattern");
		if (cJSON_IsString(pat)) {
			regex_t re;
			if (regcomp(&re, pat->valuestring, REG_EXTENDED | REG_NOSUB) != 0)
				return fail(c, where, "bad pattern '%s' in the schema", pat->valuestring);
			int m = regexec(&re, v->valuestring, 0, NULL, 0);
			regfree(&re);
			if (m != 0)
				return fail(c, where, "does not match the pattern '%s'", pat->valuestring);
		}
	}
	if (cJSON_IsArray(v)) {
		double n = (double)cJSON_GetArraySize(v);
		const cJSON *mn = cJSON_GetObjectItemCaseSensitive(s, "minItems");
		const cJSON *mx = cJSON_GetObjectItemCaseSensitive(s, "maxItems");
		if (mn && n < mn->valuedouble)
			return fail(c, where, "fewer than %g items", mn->valuedouble);
		if (mx && n > mx->valuedouble)
			return fail(c, where, "more than %g items", mx->valuedouble);
		const cJSON *items = cJSON_GetObjectItemCaseSensitive(s, "items");
		if (items) {
			int i = 0;
			const cJSON *it;
			cJSON_ArrayForEach(it, v)
			{
				char sub[512];
				snprintf(sub, sizeof sub, "%s[%d]", where, i++);
				if (check(c, items, it, sub, depth + 1) != 0)
					return -1;
			}
		}
	}
	if (cJSON_IsObject(v))
		return check_object(c, s, v, where, depth);
	return 0;
}

int schema_check(const cJSON *doc, const cJSON *schema, const cJSON *value, char *err, size_t errlen)
{
	checker c = { .doc = doc, .err = err, .errlen = errlen };
	if (errlen)
		err[0] = '\0';
	return check(&c, schema, value, "$", 0);
}

const cJSON *openapi_response_schema(const cJSON *doc, const char *path, const char *method, int status,
				     char *err, size_t errlen)
{
	const cJSON *paths = cJSON_GetObjectItemCaseSensitive(doc, "paths");
	const cJSON *p = paths ? cJSON_GetObjectItemCaseSensitive(paths, path) : NULL;
	if (!p) {
		snprintf(err, errlen, "the contract has no path %s", path);
		return NULL;
	}
	char m[16];
	size_t i = 0;
	for (; method[i] && i + 1 < sizeof m; i++)
		m[i] = (char)(method[i] >= 'A' && method[i] <= 'Z' ? method[i] + 32 : method[i]);
	m[i] = '\0';
	const cJSON *op = cJSON_GetObjectItemCaseSensitive(p, m);
	if (!op) {
		snprintf(err, errlen, "the contract has no %s %s", method, path);
		return NULL;
	}
	char code[8];
	snprintf(code, sizeof code, "%d", status);
	const cJSON *responses = cJSON_GetObjectItemCaseSensitive(op, "responses");
	const cJSON *r = responses ? cJSON_GetObjectItemCaseSensitive(responses, code) : NULL;
	if (!r) {
		snprintf(err, errlen, "%s %s: status %d is not in the contract", method, path, status);
		return NULL;
	}
	const cJSON *ref = cJSON_GetObjectItemCaseSensitive(r, "$ref");
	if (cJSON_IsString(ref))
		r = resolve_ref(doc, ref->valuestring);
	const cJSON *schema = NULL;
	const cJSON *content = r ? cJSON_GetObjectItemCaseSensitive(r, "content") : NULL;
	const cJSON *json = content ? cJSON_GetObjectItemCaseSensitive(content, "application/json") : NULL;
	schema = json ? cJSON_GetObjectItemCaseSensitive(json, "schema") : NULL;
	if (!schema)
		snprintf(err, errlen, "%s %s %d: no application/json schema in the contract", method, path, status);
	return schema;
}
