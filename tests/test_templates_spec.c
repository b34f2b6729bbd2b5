/* test_templates_spec.c - the official Mustache spec against templates/mustache.c.
 *
 * Every test of the core modules (comments, delimiters, interpolation,
 * inverted, partials, sections: 136) and of ~inheritance (27) runs as one
 * Criterion parameter, read in place from WEFT_PEER_SUITES/mustache-spec.
 * The expected output is the spec's own; nothing here comes from our code.
 * Spec tests assume HTML escaping, so it is switched on. Without the spec
 * folder every test skips (the suite shows as skipped in ctest), or fails
 * under CI=true, where the folder is always present (tests/requires.h).
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>
#include <sys/stat.h>

#include "requires.h"
#include "weft_templates.h"

#define SPEC_DIR WEFT_PEER_SUITES "/mustache-spec"

struct spec_case {
	char file[40];
	int index; /* -1: the spec folder is missing */
	char name[120];
};

static const char *const core_files[] = { "comments", "delimiters", "interpolation",
					  "inverted", "partials", "sections" };
static const char *const inheritance_files[] = { "~inheritance" };

static cJSON *load_spec(const char *file)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s.json", SPEC_DIR, file);
	char *text = NULL;
	weft_diags *d = NULL;
	weft_diags_new(&d);
	int err = weft_file_read(&text, NULL, path, 0, d);
	weft_diags_free(d);
	if (err)
		return NULL;
	cJSON *j = cJSON_Parse(text);
	free(text);
	return j;
}

static void free_cases(struct criterion_test_params *p)
{
	cr_free(p->params);
}

static struct criterion_test_params make_cases(const char *const *files, size_t nfiles)
{
	struct stat st;
	size_t total = 0;
	cJSON *docs[8] = { 0 };
	bool present = stat(SPEC_DIR, &st) == 0;
	for (size_t f = 0; present && f < nfiles; f++) {
		docs[f] = load_spec(files[f]);
		total += (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(docs[f], "tests"));
	}
	size_t n = total ? total : 1;
	struct spec_case *cases = cr_malloc(n * sizeof *cases);
	memset(cases, 0, n * sizeof *cases);
	if (!total)
		cases[0].index = -1;
	size_t k = 0;
	for (size_t f = 0; f < nfiles; f++) {
		const cJSON *tests = cJSON_GetObjectItem(docs[f], "tests");
		int i = 0;
		for (const cJSON *t = tests ? tests->child : NULL; t; t = t->next, i++, k++) {
			snprintf(cases[k].file, sizeof cases[k].file, "%s", files[f]);
			cases[k].index = i;
			snprintf(cases[k].name, sizeof cases[k].name, "%s",
				 cJSON_GetStringValue(cJSON_GetObjectItem(t, "name")));
		}
		cJSON_Delete(docs[f]);
	}
	return cr_make_param_array(struct spec_case, cases, n, free_cases);
}

static void run_case(const struct spec_case *c)
{
	if (c->index < 0) {
		weft_test_require_path(SPEC_DIR, "the Mustache spec");
		cr_assert_fail("%s is there but no spec test could be read from it", SPEC_DIR);
	}
	cJSON *doc = load_spec(c->file);
	cr_assert_not_null(doc, "cannot load %s.json", c->file);
	const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItem(doc, "tests"), c->index);
	cr_assert_not_null(t);
	const char *tpl = cJSON_GetStringValue(cJSON_GetObjectItem(t, "template"));
	const char *expected = cJSON_GetStringValue(cJSON_GetObjectItem(t, "expected"));
	const cJSON *data = cJSON_GetObjectItem(t, "data");
	const cJSON *partials = cJSON_GetObjectItem(t, "partials");

	weft_diags *d = NULL;
	weft_diags_new(&d);
	weft_templates_partials *ps = NULL;
	cr_assert_eq(weft_templates_partials_new(&ps), 0);
	for (const cJSON *p = partials ? partials->child : NULL; p; p = p->next)
		cr_assert_eq(weft_templates_partials_add(ps, p->string, p->valuestring,
							 strlen(p->valuestring), NULL), 0);
	weft_templates_render_opts o = { .escape_html = true, .partials = ps };
	char *out = NULL;
	int err = weft_templates_render_string(&out, c->name, tpl, data, &o, d);
	if (err)
		weft_diags_print(d, stderr, false);
	cr_assert_eq(err, 0, "%s / %s: render failed (%d)", c->file, c->name, err);
	cr_assert_str_eq(out, expected, "%s / %s: %s", c->file, c->name,
			 cJSON_GetStringValue(cJSON_GetObjectItem(t, "desc")));
	free(out);
	weft_templates_partials_free(ps);
	weft_diags_free(d);
	cJSON_Delete(doc);
}

ParameterizedTestParameters(spec, core)
{
	return make_cases(core_files, sizeof core_files / sizeof core_files[0]);
}

ParameterizedTest(struct spec_case *c, spec, core)
{
	run_case(c);
}

ParameterizedTestParameters(spec, inheritance)
{
	return make_cases(inheritance_files, 1);
}

ParameterizedTest(struct spec_case *c, spec, inheritance)
{
	run_case(c);
}

/* The suite itself is complete: a truncated copy would pass vacuously. */
Test(spec, counts)
{
	weft_test_require_path(SPEC_DIR, "the Mustache spec");
	size_t core = 0;
	for (size_t f = 0; f < sizeof core_files / sizeof core_files[0]; f++) {
		cJSON *doc = load_spec(core_files[f]);
		core += (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(doc, "tests"));
		cJSON_Delete(doc);
	}
	cJSON *inh = load_spec("~inheritance");
	size_t n_inh = (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(inh, "tests"));
	cJSON_Delete(inh);
	cr_expect_eq(core, 136);
	cr_expect_eq(n_inh, 27);
}
