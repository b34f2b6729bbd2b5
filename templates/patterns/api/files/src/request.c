/* request.c - parse and check the JSON body of a prediction request.
 *
 * Key choice: strict about what the model needs (count, order or names,
 * finite numbers within float range) and tolerant about everything else
 * (extra fields), which keeps old callers working as the contract grows.
 */
#include "request.h"

#include <cjson/cJSON.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

size_t request_names_split(char ***out, const char *list)
{
	*out = NULL;
	if (!list || !*list)
		return 0;
	size_t n = 1, len = strlen(list);
	for (const char *s = list; *s; s++)
		n += *s == ',';
	char **v = malloc(n * sizeof *v + len + 1);
	if (!v)
		return (size_t)-1;
	char *text = (char *)(v + n);
	memcpy(text, list, len + 1);
	size_t k = 0;
	for (char *s = text;;) {
		char *e = strchr(s, ',');
		if (e)
			*e = '\0';
		while (*s == ' ')
			s++;
		size_t l = strlen(s);
		while (l && s[l - 1] == ' ')
			s[--l] = '\0';
		v[k++] = s;
		if (!e)
			break;
		s = e + 1;
	}
	*out = v;
	return k;
}

static int number_at(float *dst, const cJSON *item, const char *what, char *err, size_t errlen)
{
	if (!cJSON_IsNumber(item)) {
		snprintf(err, errlen, "%s must be a number", what);
		return -1;
	}
	double v = item->valuedouble;
	if (!isfinite(v) || fabs(v) > FLT_MAX) {
		snprintf(err, errlen, "%s is out of range", what);
		return -1;
	}
	*dst = (float)v;
	return 0;
}

int request_parse(predict_request *r, const char *body, size_t len, size_t n_inputs, char *const *names,
		  size_t n_names, char *err, size_t errlen)
{
	r->key[0] = '\0';
	if (!body || len == 0) {
		snprintf(err, errlen, "the body is empty: send {\"features\": [...]}");
		return -1;
	}
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(body, len, &end, 0);
	if (!root) {
		/* end, not cJSON_GetErrorPtr(): that one is shared by all threads */
		long off = end && end >= body && end <= body + len ? (long)(end - body) : -1;
		snprintf(err, errlen, "the body is not valid JSON (near byte %ld)", off);
		return -1;
	}
	int rc = -1;
	while (end && end < body + len && (*end == ' ' || *end == '\t' || *end == '\r' || *end == '\n'))
		end++;
	if (end && end < body + len) {
		snprintf(err, errlen, "unexpected data after the JSON object (byte %ld)", (long)(end - body));
		goto out;
	}
	if (!cJSON_IsObject(root)) {
		snprintf(err, errlen, "the body must be a JSON object");
		goto out;
	}
	const cJSON *key = cJSON_GetObjectItemCaseSensitive(root, "key");
	if (key && !cJSON_IsNull(key)) {
		if (!cJSON_IsString(key) || !key->valuestring[0] || strlen(key->valuestring) > CACHE_KEY_MAX) {
			snprintf(err, errlen, "'key' must be a string of 1 to %d bytes", CACHE_KEY_MAX);
			goto out;
		}
		snprintf(r->key, sizeof r->key, "%s", key->valuestring);
	}
	const cJSON *f = cJSON_GetObjectItemCaseSensitive(root, "features");
	if (cJSON_IsArray(f)) {
		size_t n = (size_t)cJSON_GetArraySize(f);
		if (n != n_inputs) {
			snprintf(err, errlen, "'features' has %zu values; the model takes %zu", n, n_inputs);
			goto out;
		}
		size_t i = 0;
		const cJSON *item;
		cJSON_ArrayForEach(item, f)
		{
			char what[48];
			snprintf(what, sizeof what, "features[%zu]", i);
			if (number_at(&r->x[i], item, what, err, errlen) != 0)
				goto out;
			i++;
		}
	} else if (cJSON_IsObject(f)) {
		if (n_names != n_inputs) {
			snprintf(err, errlen,
				 "this model does not name its features: send 'features' as an array of %zu numbers",
				 n_inputs);
			goto out;
		}
		const cJSON *item;
		cJSON_ArrayForEach(item, f)
		{
			size_t i = 0;
			while (i < n_names && strcmp(names[i], item->string) != 0)
				i++;
			if (i == n_names) {
				snprintf(err, errlen, "unknown feature '%.64s'", item->string);
				goto out;
			}
		}
		for (size_t i = 0; i < n_names; i++) {
			item = cJSON_GetObjectItemCaseSensitive(f, names[i]);
			char what[96];
			snprintf(what, sizeof what, "features.%.64s", names[i]);
			if (!item) {
				snprintf(err, errlen, "feature '%.64s' is missing", names[i]);
				goto out;
			}
			if (number_at(&r->x[i], item, what, err, errlen) != 0)
				goto out;
		}
	} else {
		snprintf(err, errlen, "'features' is required: an array of %zu numbers%s", n_inputs,
			 n_names == n_inputs ? " or an object of named features" : "");
		goto out;
	}
	rc = 0;
out:
	cJSON_Delete(root);
	return rc;
}
