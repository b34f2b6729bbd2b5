/* yaml_json.h - load a YAML file (openapi.yaml, weft-pipeline.yaml) as a
 * cJSON tree, so the contract test can walk it like JSON.
 */
#ifndef YAML_JSON_H
#define YAML_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>

/* The file's first document as cJSON, or NULL with "path:line:col: ..." in
 * err. Plain scalars that read as null, true/false or a number become
 * those; quoted scalars stay strings; mapping keys are always strings. */
cJSON *yaml_load_json(const char *path, char *err, size_t errlen);

#endif
