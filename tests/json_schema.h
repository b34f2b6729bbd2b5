/* json_schema.h - validating JSON against a JSON Schema in the tests, with
 * a real validator: ajv (tests/tools/validate.js, run with node; the
 * versions pinned in tests/tools/package-lock.json, installed by
 * scripts/bootstrap with `npm ci --prefix tests/tools`).
 *
 * The draft is the one the schema's $schema names (2020-12, 2019-09,
 * draft-07); ajv runs in strict mode with allErrors and ajv-formats, so a
 * schema that uses an unknown keyword or format does not compile, and that
 * is an error, never "valid". See tests/tools/validate.js for the details.
 *
 * When node, or ajv under tests/tools/node_modules, is missing, the calling
 * test is skipped outside CI and fails under CI=true (the convention of
 * requires.h). */
#ifndef WEFT_TESTS_JSON_SCHEMA_H
#define WEFT_TESTS_JSON_SCHEMA_H

struct cJSON;

/* Validates json_text against the schema file schema_path with the
 * validator in tools_dir (the folder of validate.js and node_modules).
 * Returns 0 when valid, 1 when invalid, and a negative number when the
 * validator could not give an answer: -2 when it refused its input (the
 * schema does not compile, a file is not JSON), -1 when it could not run or
 * died. *errors_out (when errors_out is not NULL) gets what the validator
 * said, malloc'd, one problem a line as "INSTANCE-PATH: MESSAGE" (the
 * instance path a JSON Pointer such as /dimensions/0/level, or "(root)");
 * "" when valid. Use weft_test_schema_check, which passes the tools folder
 * of this checkout. */
int weft_test_schema_check_in(const char *tools_dir, const char *schema_path, const char *json_text,
			      char **errors_out);

/* Returns when node and ajv are there; otherwise skips the calling test
 * outside CI and fails it under CI. The checks above call it themselves. */
void weft_test_require_validator_in(const char *tools_dir);

/* The same for a parsed document (printed, then checked). */
int weft_test_schema_check_doc_in(const char *tools_dir, const char *schema_path, const struct cJSON *doc,
				  char **errors_out);

/* Writes text to a new temporary file whose name ends in suffix (e.g.
 * ".json"); returns its path, malloc'd; the caller unlinks and frees it. A
 * test assertion fails when it cannot. */
char *weft_test_temp_file(const char *text, const char *suffix);

/* The number of lines in errors (a validator's *errors_out): how many
 * problems it reported. */
int weft_test_schema_count(const char *errors);

#ifdef WEFT_TEST_TOOLS
/* weft_test_schema_check_in with this checkout's tests/tools. Static
 * inline because WEFT_TEST_TOOLS is defined per test executable, not for
 * the helper library. */
static inline int weft_test_schema_check(const char *schema_path, const char *json_text, char **errors_out)
{
	return weft_test_schema_check_in(WEFT_TEST_TOOLS, schema_path, json_text, errors_out);
}

static inline void weft_test_require_validator(void)
{
	weft_test_require_validator_in(WEFT_TEST_TOOLS);
}

/* The same for a parsed document. */
static inline int weft_test_schema_check_doc(const char *schema_path, const struct cJSON *doc, char **errors_out)
{
	return weft_test_schema_check_doc_in(WEFT_TEST_TOOLS, schema_path, doc, errors_out);
}
#endif

#endif
