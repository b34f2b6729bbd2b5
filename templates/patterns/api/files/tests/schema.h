/* schema.h - check JSON values against the subset of OpenAPI 3.0 Schema
 * Objects that openapi.yaml uses, and find response schemas in it.
 *
 * Supported: $ref (local "#/..."), type (object, array, string, number,
 * integer, boolean), required, properties, additionalProperties (false or
 * a schema), items, enum, oneOf, minimum, maximum, minLength, maxLength,
 * minItems, maxItems, pattern (POSIX extended). Annotations (description,
 * example, title, format, deprecated) are ignored. Any other keyword is an
 * error, so the checker never silently skips a rule the contract states.
 */
#ifndef SCHEMA_H
#define SCHEMA_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* 0 when value satisfies schema; -1 with the first problem, located as a
 * JSON path ("$.outputs[2]: expected a number"), in err. doc is the whole
 * OpenAPI document, for $ref. */
int schema_check(const cJSON *doc, const cJSON *schema, const cJSON *value, char *err, size_t errlen);

/* The schema of the application/json response of `method path` with this
 * status in an OpenAPI document, or NULL (then why in err). */
const cJSON *openapi_response_schema(const cJSON *doc, const char *path, const char *method, int status,
				     char *err, size_t errlen);

#endif
