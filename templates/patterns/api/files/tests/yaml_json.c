/* yaml_json.c - YAML to cJSON through libyaml's document loader.
 *
 * Key choice: resolve plain scalars the way YAML 1.2's core schema does
 * (null, booleans, numbers written in full), so that `minimum: 0` is a
 * number and `openapi: 3.0.3` a string, without a schema language of our
 * own. Depth is capped, so aliases cannot make the walk loop.
 */
#define _POSIX_C_SOURCE 200809L
#include "yaml_json.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define MAX_DEPTH 64

static cJSON *scalar(const yaml_node_t *n)
{
	const char *s = (const char *)n->data.scalar.value;
	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return cJSON_CreateString(s);
	if (!*s || strcmp(s, "~") == 0 || strcmp(s, "null") == 0 || strcmp(s, "Null") == 0 ||
	    strcmp(s, "NULL") == 0)
		return cJSON_CreateNull();
	if (strcmp(s, "true") == 0 || strcmp(s, "True") == 0 || strcmp(s, "TRUE") == 0)
		return cJSON_CreateTrue();
	if (strcmp(s, "false") == 0 || strcmp(s, "False") == 0 || strcmp(s, "FALSE") == 0)
		return cJSON_CreateFalse();
	if (strchr("+-.0123456789", s[0])) {
		char *end;
		errno = 0;
		double v = strtod(s, &end);
		if (!*end && !errno && isfinite(v))
			return cJSON_CreateNumber(v);
	}
	return cJSON_CreateString(s);
}

static cJSON *convert(yaml_document_t *doc, yaml_node_t *n, int depth)
{
	if (!n || depth > MAX_DEPTH)
		return NULL;
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return scalar(n);
	case YAML_SEQUENCE_NODE: {
		cJSON *a = cJSON_CreateArray();
		for (yaml_node_item_t *it = n->data.sequence.items.start; a && it < n->data.sequence.items.top; it++) {
			cJSON *v = convert(doc, yaml_document_get_node(doc, *it), depth + 1);
			if (!v) {
				cJSON_Delete(a);
				return NULL;
			}
			cJSON_AddItemToArray(a, v);
		}
		return a;
	}
	case YAML_MAPPING_NODE: {
		cJSON *o = cJSON_CreateObject();
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; o && p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(doc, p->key);
			cJSON *v = convert(doc, yaml_document_get_node(doc, p->value), depth + 1);
			if (!k || k->type != YAML_SCALAR_NODE || !v) {
				cJSON_Delete(v);
				cJSON_Delete(o);
				return NULL;
			}
			cJSON_AddItemToObject(o, (const char *)k->data.scalar.value, v);
		}
		return o;
	}
	default:
		return NULL;
	}
}

cJSON *yaml_load_json(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_file(&parser, f);
	cJSON *out = NULL;
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(err, errlen, "%s:%zu:%zu: %s", path, parser.problem_mark.line + 1,
			 parser.problem_mark.column + 1, parser.problem ? parser.problem : "YAML error");
	} else {
		yaml_node_t *root = yaml_document_get_root_node(&doc);
		out = root ? convert(&doc, root, 0) : NULL;
		if (!out)
			snprintf(err, errlen, "%s: empty document, a non-scalar key, or nesting deeper than %d", path,
				 MAX_DEPTH);
		yaml_document_delete(&doc);
	}
	yaml_parser_delete(&parser);
	fclose(f);
	return out;
}
