/* jsonschema_mini.h - a small JSON Schema validator for the tests, covering
 * the keywords weft's own schemas use: type (a name or a list), enum,
 * required, properties, additionalProperties (boolean), items, minItems,
 * maxItems, minimum, maximum and local $ref ("#/$defs/name"). Annotation
 * keywords ($schema, $id, title, description, $comment, $defs, examples,
 * format) are ignored.
 *
 * Design choice: any other keyword is reported as an error rather than
 * skipped, so a schema that grows a keyword this validator does not know
 * fails the tests instead of passing them silently.
 *
 * Header-only (static functions) because each test file is its own
 * executable; include it from one test file.
 */
#ifndef WEFT_TESTS_JSONSCHEMA_MINI_H
#define WEFT_TESTS_JSONSCHEMA_MINI_H

#include <cjson/cJSON.h>
#include <math.h>
#include <string.h>

#include "weft_core.h"

static void jsm_err(weft_buf *errs, const char *path, const char *msg, const char *arg)
{
	weft_buf_printf(errs, "%s: %s%s%s\n", *path ? path : "(root)", msg, arg ? " " : "", arg ? arg : "");
}

static bool jsm_is_type(const cJSON *inst, const char *t)
{
	if (!strcmp(t, "null"))
		return cJSON_IsNull(inst);
	if (!strcmp(t, "boolean"))
		return cJSON_IsBool(inst);
	if (!strcmp(t, "string"))
		return cJSON_IsString(inst);
	if (!strcmp(t, "array"))
		return cJSON_IsArray(inst);
	if (!strcmp(t, "object"))
		return cJSON_IsObject(inst);
	if (!strcmp(t, "number"))
		return cJSON_IsNumber(inst);
	if (!strcmp(t, "integer"))
		return cJSON_IsNumber(inst) && floor(inst->valuedouble) == inst->valuedouble;
	return false;
}

static bool jsm_equal(const cJSON *a, const cJSON *b)
{
	return cJSON_Compare(a, b, 1);
}

static const cJSON *jsm_resolve(const cJSON *root, const char *ref)
{
	const char *prefix = "#/$defs/";
	if (strncmp(ref, prefix, strlen(prefix)) != 0)
		return NULL;
	return cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "$defs"),
						ref + strlen(prefix));
}

/* Validate inst against schema; append one line per problem to errs.
 * Returns the number of problems. */
static int jsm_validate(const cJSON *root, const cJSON *schema, const cJSON *inst, const char *path,
			weft_buf *errs)
{
	static const char *const annotations[] = { "$schema", "$id", "title", "description", "$comment",
						   "$defs", "examples", "format", NULL };
	static const char *const known[] = { "type", "enum", "required", "properties",
					     "additionalProperties", "items", "minItems", "maxItems",
					     "minimum", "maximum", "$ref", NULL };
	int n = 0;
	if (!cJSON_IsObject(schema)) {
		jsm_err(errs, path, "schema is not an object", NULL);
		return 1;
	}
	for (const cJSON *k = schema->child; k; k = k->next) {
		bool ok = false;
		for (size_t i = 0; annotations[i] && !ok; i++)
			ok = !strcmp(k->string, annotations[i]);
		for (size_t i = 0; known[i] && !ok; i++)
			ok = !strcmp(k->string, known[i]);
		if (!ok) {
			jsm_err(errs, path, "unsupported schema keyword", k->string);
			n++;
		}
	}
	const cJSON *ref = cJSON_GetObjectItemCaseSensitive(schema, "$ref");
	if (ref) {
		const cJSON *target = cJSON_IsString(ref) ? jsm_resolve(root, ref->valuestring) : NULL;
		if (!target) {
			jsm_err(errs, path, "unresolvable $ref", cJSON_IsString(ref) ? ref->valuestring : "?");
			return n + 1;
		}
		n += jsm_validate(root, target, inst, path, errs);
	}
	const cJSON *type = cJSON_GetObjectItemCaseSensitive(schema, "type");
	if (type) {
		bool match = false;
		if (cJSON_IsString(type))
			match = jsm_is_type(inst, type->valuestring);
		else
			for (const cJSON *t = type->child; t && !match; t = t->next)
				match = cJSON_IsString(t) && jsm_is_type(inst, t->valuestring);
		if (!match) {
			char *s = cJSON_PrintUnformatted(type);
			jsm_err(errs, path, "wrong type, expected", s);
			cJSON_free(s);
			return n + 1; /* the other keywords would only repeat this */
		}
	}
	const cJSON *en = cJSON_GetObjectItemCaseSensitive(schema, "enum");
	if (en) {
		bool match = false;
		for (const cJSON *e = en->child; e && !match; e = e->next)
			match = jsm_equal(e, inst);
		if (!match) {
			char *s = cJSON_PrintUnformatted(inst);
			jsm_err(errs, path, "value not in enum:", s);
			cJSON_free(s);
			n++;
		}
	}
	if (cJSON_IsNumber(inst)) {
		const cJSON *mn = cJSON_GetObjectItemCaseSensitive(schema, "minimum");
		const cJSON *mx = cJSON_GetObjectItemCaseSensitive(schema, "maximum");
		char v[64];
		snprintf(v, sizeof v, "%g", inst->valuedouble);
		if (mn && inst->valuedouble < mn->valuedouble) {
			jsm_err(errs, path, "below minimum:", v);
			n++;
		}
		if (mx && inst->valuedouble > mx->valuedouble) {
			jsm_err(errs, path, "above maximum:", v);
			n++;
		}
	}
	if (cJSON_IsArray(inst)) {
		int size = cJSON_GetArraySize(inst);
		const cJSON *mn = cJSON_GetObjectItemCaseSensitive(schema, "minItems");
		const cJSON *mx = cJSON_GetObjectItemCaseSensitive(schema, "maxItems");
		if (mn && size < mn->valueint) {
			jsm_err(errs, path, "too few items", NULL);
			n++;
		}
		if (mx && size > mx->valueint) {
			jsm_err(errs, path, "too many items", NULL);
			n++;
		}
		const cJSON *items = cJSON_GetObjectItemCaseSensitive(schema, "items");
		int i = 0;
		for (const cJSON *it = inst->child; items && it; it = it->next, i++) {
			char sub[512];
			snprintf(sub, sizeof sub, "%s[%d]", path, i);
			n += jsm_validate(root, items, it, sub, errs);
		}
	}
	if (cJSON_IsObject(inst)) {
		const cJSON *req = cJSON_GetObjectItemCaseSensitive(schema, "required");
		for (const cJSON *r = req ? req->child : NULL; r; r = r->next)
			if (cJSON_IsString(r) && !cJSON_GetObjectItemCaseSensitive(inst, r->valuestring)) {
				jsm_err(errs, path, "missing required property", r->valuestring);
				n++;
			}
		const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema, "properties");
		const cJSON *addl = cJSON_GetObjectItemCaseSensitive(schema, "additionalProperties");
		for (const cJSON *m = inst->child; m; m = m->next) {
			const cJSON *ps = props ? cJSON_GetObjectItemCaseSensitive(props, m->string) : NULL;
			char sub[512];
			snprintf(sub, sizeof sub, "%s.%s", path, m->string);
			if (ps)
				n += jsm_validate(root, ps, m, sub, errs);
			else if (addl && cJSON_IsFalse(addl)) {
				jsm_err(errs, path, "property not allowed:", m->string);
				n++;
			}
		}
	}
	return n;
}

#endif
