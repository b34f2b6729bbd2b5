/* test_tools_schema.c - the JSON Schema check the tests rely on
 * (json_schema.h, tests/tools/validate.js, ajv) can say no: real schemas
 * from docs/schemas/ refuse a document missing a required field, a wrong
 * type, a property not allowed and an impossible date; a schema that does
 * not compile (not JSON, an unknown keyword or format, an unknown $schema,
 * not a schema at all) is an error, never "valid"; and a valid document
 * passes. Also validate.js's own command line: several documents, stdin,
 * exit codes 0/1/2, draft-07 schemas. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_run.h"
#include "json_schema.h"

#define SCHEMAS WEFT_FIXTURES "/../../docs/schemas/"
#define ANSWERS SCHEMAS "answers.schema.json"
#define PIPELINE SCHEMAS "pipeline.schema.json"
#define VALIDATE WEFT_TEST_TOOLS "/validate.js"

/* A valid answers file (the YAML of docs/formats/answers.md, as JSON);
 * each test below breaks one thing in it. */
#define ANSWERS_OK_HEAD "{\"model\": \"ai-integration\", \"model_version\": \"1.0\", \"unit\": \"Claims\", "
#define ANSWERS_OK_TAIL "\"answers\": {\"rt-auth\": {\"level\": 2, \"note\": \"n\"}, \"rt-x\": {\"level\": \"na\", \"reason\": \"r\"}}}"
static const char answers_ok[] = ANSWERS_OK_HEAD "\"date\": \"2026-09-14\", " ANSWERS_OK_TAIL;

/* Checks json against schema; asserts the result is want and, when
 * expect is not NULL, that the validator's messages contain it. Returns the
 * messages (malloc'd). */
static char *check(const char *schema, const char *json, int want, const char *expect)
{
	char *errs = NULL;
	int rc = weft_test_schema_check(schema, json, &errs);
	cr_assert_not_null(errs);
	if (want < 0)
		cr_assert_lt(rc, 0, "expected no answer (a schema error), got %d for %s:\n%s", rc, json, errs);
	else
		cr_assert_eq(rc, want, "expected %d, got %d for %s:\n%s", want, rc, json, errs);
	if (expect)
		cr_assert_not_null(strstr(errs, expect), "expected \"%s\" in:\n%s", expect, errs);
	return errs;
}

static void check_free(const char *schema, const char *json, int want, const char *expect)
{
	free(check(schema, json, want, expect));
}

/* check() on a schema given as text, written to a temporary file. */
static void check_schema_text(const char *schema_text, const char *json, int want, const char *expect)
{
	char *path = weft_test_temp_file(schema_text, ".json");
	char *errs = NULL;
	int rc = weft_test_schema_check(path, json, &errs);
	unlink(path);
	free(path);
	if (want < 0)
		cr_assert_lt(rc, 0, "expected a schema error, got %d for %s:\n%s", rc, schema_text, errs);
	else
		cr_assert_eq(rc, want, "expected %d, got %d for %s:\n%s", want, rc, schema_text, errs);
	if (expect)
		cr_assert_not_null(strstr(errs, expect), "expected \"%s\" in:\n%s", expect, errs);
	free(errs);
}

Test(tools_schema, a_valid_document_passes)
{
	char *errs = check(ANSWERS, answers_ok, 0, NULL);
	cr_assert_str_eq(errs, "");
	free(errs);
	/* and a pipeline, with the union-typed stage fields in both forms */
	check_free(PIPELINE,
		   "{\"pipeline\": \"p\", \"stages\": [{\"name\": \"a\", \"delay\": \"5ms\"},"
		   " {\"name\": \"b\", \"model\": {\"file\": \"m.safetensors\"}}, {\"name\": \"c\", \"command\": \"true\"}]}",
		   0, NULL);
}

Test(tools_schema, a_missing_required_field_is_refused)
{
	check_free(ANSWERS, "{\"model\": \"ai-integration\", \"model_version\": \"1.0\", \"answers\": {}}", 1,
		   "(root): must have required property 'unit'");
	/* required under if/then: a level of na needs a reason */
	check_free(ANSWERS, ANSWERS_OK_HEAD "\"answers\": {\"rt-x\": {\"level\": \"na\"}}}", 1,
		   "/answers/rt-x: must have required property 'reason'");
}

Test(tools_schema, a_wrong_type_is_refused)
{
	char *errs = check(ANSWERS, ANSWERS_OK_HEAD "\"respondent\": 7, " ANSWERS_OK_TAIL, 1,
			   "/respondent: must be string");
	cr_assert_eq(weft_test_schema_count(errs), 1, "%s", errs);
	free(errs);
	/* every problem is reported (allErrors), one a line */
	errs = check(ANSWERS, "{\"model\": 1, \"model_version\": [], \"unit\": null, \"answers\": {}}", 1, NULL);
	cr_assert_not_null(strstr(errs, "/model: must be string"), "%s", errs);
	cr_assert_not_null(strstr(errs, "/model_version: must be string"), "%s", errs);
	cr_assert_not_null(strstr(errs, "/unit: must be string"), "%s", errs);
	cr_assert_geq(weft_test_schema_count(errs), 3, "%s", errs);
	free(errs);
}

Test(tools_schema, a_property_not_allowed_is_refused)
{
	check_free(ANSWERS, ANSWERS_OK_HEAD "\"colour\": \"red\", " ANSWERS_OK_TAIL, 1,
		   "(root): must NOT have additional properties: colour");
	check_free(PIPELINE, "{\"pipeline\": \"p\", \"stages\": [{\"name\": \"a\", \"model\": {\"fiel\": \"m\"}}]}", 1,
		   "/stages/0/model: must NOT have additional properties: fiel");
}

Test(tools_schema, a_bad_date_is_refused)
{
	/* matches the schema's pattern; only the date format (ajv-formats) knows
	 * February has no 30th */
	check_free(ANSWERS, ANSWERS_OK_HEAD "\"date\": \"2026-02-30\", " ANSWERS_OK_TAIL, 1,
		   "/date: must match format \"date\"");
	check_free(ANSWERS, ANSWERS_OK_HEAD "\"date\": \"14.09.2026\", " ANSWERS_OK_TAIL, 1,
		   "/date: must match format \"date\"");
}

Test(tools_schema, a_broken_schema_is_an_error_not_valid)
{
	static const char v2020[] = "{\"$schema\": \"https://json-schema.org/draft/2020-12/schema\", ";
	/* not JSON */
	check_schema_text("{\"type\": \"object\",", "{}", -1, "the schema is not valid JSON");
	/* a keyword nobody knows (strict mode) */
	char s[512];
	snprintf(s, sizeof s, "%s\"type\": \"object\", \"requird\": [\"a\"]}", v2020);
	check_schema_text(s, "{}", -1, "unknown keyword: \"requird\"");
	/* a format nobody knows */
	snprintf(s, sizeof s, "%s\"type\": \"string\", \"format\": \"postcode\"}", v2020);
	check_schema_text(s, "\"x\"", -1, "unknown format \"postcode\"");
	/* not a schema: the meta-schema refuses it */
	snprintf(s, sizeof s, "%s\"type\": 5}", v2020);
	check_schema_text(s, "{}", -1, "schema does not compile");
	/* a draft the validator does not know */
	check_schema_text("{\"$schema\": \"http://json-schema.org/draft-03/schema#\", \"type\": \"object\"}", "{}", -1,
			  "unsupported $schema");
	/* a keyword that cannot apply to the type allowed (strictTypes) */
	snprintf(s, sizeof s, "%s\"type\": \"string\", \"minimum\": 1}", v2020);
	check_schema_text(s, "\"x\"", -1, "strict mode");
	/* no schema at all */
	check_free(SCHEMAS "no-such.schema.json", "{}", -1, "cannot read");
}

Test(tools_schema, a_document_that_is_not_json_is_an_error)
{
	check_free(ANSWERS, "{\"model\": ", -1, "the document is not valid JSON");
}

Test(tools_schema, every_shipped_schema_compiles)
{
	static const char *const names[] = { "answers", "assess-evidence", "assess-portfolio", "assess-report", "bench-candidates", "bench-report",
					     "maturity-model", "pipeline", "template" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		char path[512];
		snprintf(path, sizeof path, SCHEMAS "%s.schema.json", names[i]);
		/* [] is never valid (each is an object schema), but the answer must
		 * be "invalid", not "the schema does not compile" */
		char *errs = NULL;
		int rc = weft_test_schema_check(path, "[]", &errs);
		cr_assert_eq(rc, 1, "%s: %d\n%s", path, rc, errs);
		free(errs);
	}
}

Test(tools_schema, draft_07_schemas_are_supported)
{
	static const char s[] = "{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"type\": \"object\","
				" \"required\": [\"a\"], \"properties\": {\"a\": {\"$ref\": \"#/definitions/n\"}},"
				" \"definitions\": {\"n\": {\"type\": \"integer\", \"maximum\": 3}}}";
	check_schema_text(s, "{\"a\": 2}", 0, NULL);
	check_schema_text(s, "{\"a\": 4}", 1, "/a: must be <= 3");
	/* 2020-12 keywords mean nothing in draft-07: strict mode says so */
	check_schema_text("{\"$schema\": \"http://json-schema.org/draft-07/schema#\", \"$defs\": {},"
			  " \"prefixItems\": [true]}",
			  "[]", -1, "unknown keyword");
}

Test(tools_schema, command_line_exit_codes_stdin_and_several_documents)
{
	weft_test_require_validator();
	char *good = weft_test_temp_file(answers_ok, ".json");
	char *bad = weft_test_temp_file(ANSWERS_OK_HEAD "\"extra\": 1, " ANSWERS_OK_TAIL, ".json");
	char line[4096], *out, *err;

	snprintf(line, sizeof line, "node '%s' '%s' '%s' - < '%s'", VALIDATE, ANSWERS, good, good);
	cr_assert_eq(weft_test_sh(&out, &err, NULL, NULL, line), 0, "%s", err);
	cr_assert_str_eq(err, "");
	free(out);
	free(err);

	/* one bad among good ones: 1, the bad one named */
	snprintf(line, sizeof line, "node '%s' '%s' '%s' '%s'", VALIDATE, ANSWERS, good, bad);
	cr_assert_eq(weft_test_sh(&out, &err, NULL, NULL, line), 1, "%s", err);
	char want[1024];
	snprintf(want, sizeof want, "%s: (root): must NOT have additional properties: extra", bad);
	cr_assert_not_null(strstr(err, want), "%s", err);
	cr_assert_null(strstr(err, good), "%s", err);
	free(out);
	free(err);

	/* stdin */
	snprintf(line, sizeof line, "node '%s' '%s' - < '%s'", VALIDATE, ANSWERS, bad);
	cr_assert_eq(weft_test_sh(&out, &err, NULL, NULL, line), 1, "%s", err);
	cr_assert_not_null(strstr(err, "(stdin): (root): must NOT have additional properties: extra"), "%s", err);
	free(out);
	free(err);

	/* usage */
	snprintf(line, sizeof line, "node '%s' '%s'", VALIDATE, ANSWERS);
	cr_assert_eq(weft_test_sh(&out, &err, NULL, NULL, line), 2, "%s", err);
	cr_assert_not_null(strstr(err, "usage:"), "%s", err);
	free(out);
	free(err);

	unlink(good);
	unlink(bad);
	free(good);
	free(bad);
}
