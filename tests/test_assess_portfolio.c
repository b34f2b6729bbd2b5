/* test_assess_portfolio.c - one view across units (assess/portfolio.c,
 * assess/portfolio_report.c, `weft assess portfolio`).
 *
 * Answers files are written into a temporary folder from the shipped
 * examples with their unit, respondent and date rewritten, and every unit
 * of a portfolio is checked against weft_assess_score of that unit's files,
 * loaded and scored separately here at the portfolio's target. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "assess_int.h"
#include "assess_test_util.h"
#include "cli_run.h"
#include "json_schema.h"

#define EXAMPLES WEFT_FIXTURES "/../../assess/examples"
#define SCHEMA WEFT_FIXTURES "/../../docs/schemas/assess-portfolio.schema.json"

static weft_diags *d;
static weft_assess_model *m;
static char *dir;

static void setup(void)
{
	weft_diags_new(&d);
	m = fixture_model(weft_assess_default_model_path());
	dir = temp_dir();
}

static void teardown(void)
{
	rm_rf(dir);
	weft_assess_model_free(m);
	weft_diags_free(d);
}

TestSuite(portfolio, .init = setup, .fini = teardown, .timeout = 60);

/* The example's text with its top-level key lines replaced (NULL: kept). */
static char *variant(const char *example, const char *unit, const char *respondent, const char *date)
{
	char p[512];
	snprintf(p, sizeof p, EXAMPLES "/%s", example);
	char *text = read_file(p);
	cr_assert_not_null(text, "%s", p);
	weft_buf b = WEFT_BUF_INIT;
	for (char *line = text; *line;) {
		char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line + 1) : strlen(line);
		if (unit && !strncmp(line, "unit:", 5))
			weft_buf_printf(&b, "unit: %s\n", unit);
		else if (respondent && !strncmp(line, "respondent:", 11))
			weft_buf_printf(&b, "respondent: %s\n", respondent);
		else if (date && !strncmp(line, "date:", 5))
			weft_buf_printf(&b, "date: %s\n", date);
		else
			weft_buf_put(&b, line, len);
		line += len;
	}
	free(text);
	return weft_buf_detach(&b);
}

/* Write name into the temporary folder; returns its path (malloc'd). */
static char *put(const char *name, const char *example, const char *unit, const char *respondent,
		 const char *date)
{
	char *text = variant(example, unit, respondent, date);
	char *p = path_in(dir, name);
	write_file(p, text);
	free(text);
	return p;
}

static void put_text(const char *name, const char *text)
{
	char *p = path_in(dir, name);
	write_file(p, text);
	free(p);
}

static weft_assess_portfolio *load_dir(const weft_assess_portfolio_opts *o)
{
	const char *paths[] = { dir };
	weft_assess_portfolio *p = NULL;
	int err = weft_assess_portfolio_load(&p, paths, 1, m, o, d);
	if (err)
		weft_diags_print(d, stderr, false);
	cr_assert_eq(err, 0);
	return p;
}

static const weft_assess_portfolio_unit *unit_of(const weft_assess_portfolio *p, const char *name)
{
	for (size_t i = 0; i < p->n_units; i++)
		if (!strcmp(p->units[i].unit, name))
			return &p->units[i];
	cr_assert_fail("no unit %s", name);
	return NULL;
}

static bool ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), k = strlen(tail);
	return n >= k && !strcmp(s + n - k, tail);
}

/* The unit's result equals weft_assess_score of files (paths) at target. */
static void same_as_score(const weft_assess_portfolio_unit *u, const char *const *files, size_t n, int target)
{
	weft_assess_answers *as[8] = { 0 };
	for (size_t i = 0; i < n; i++)
		cr_assert_eq(weft_assess_answers_load(&as[i], files[i], d), 0, "%s", files[i]);
	weft_assess_score_opts so = { target, NULL, 0, 0 };
	weft_assess_result *want = NULL;
	cr_assert_eq(weft_assess_score(&want, m, (const weft_assess_answers *const *)as, n, &so, d), 0);
	const weft_assess_result *got = u->result;
	cr_assert_eq(got->target, target);
	cr_assert_eq(got->rated, want->rated, "%s", u->unit);
	cr_assert_eq(got->level, want->level, "%s", u->unit);
	cr_assert_float_eq(got->score, want->score, 1e-12, "%s", u->unit);
	cr_assert_float_eq(got->coverage, want->coverage, 1e-12);
	cr_assert_float_eq(got->percent_to_target, want->percent_to_target, 1e-12);
	cr_assert_eq(got->n_sources, want->n_sources);
	for (size_t k = 0; k < got->n_dims; k++) {
		cr_assert_eq(got->dims[k].level, want->dims[k].level, "%s %s", u->unit, got->dims[k].dim->id);
		cr_assert_float_eq(got->dims[k].score, want->dims[k].score, 1e-12);
		cr_assert_eq(got->dims[k].in_scope, want->dims[k].in_scope);
	}
	weft_assess_result_free(want);
	for (size_t i = 0; i < n; i++)
		weft_assess_answers_free(as[i]);
}

Test(portfolio, each_unit_is_its_own_score_at_one_target)
{
	char *c25 = put("claims-2025.yaml", "claims-2025.yaml", NULL, NULL, NULL);
	char *c26 = put("claims-2026.yaml", "claims-2026.yaml", NULL, NULL, NULL);
	char *fi = put("field.yaml", "field-inspection-2026.yaml", NULL, NULL, NULL);
	char *ua = put("uw-a.yaml", "underwriting-alice.yaml", NULL, NULL, NULL);
	char *ub = put("uw-b.yaml", "underwriting-bob.yaml", NULL, NULL, NULL);
	weft_assess_portfolio *p = load_dir(NULL);
	cr_assert_eq(p->n_units, 3);
	cr_assert_str_eq(p->units[0].unit, "Claims");
	cr_assert_str_eq(p->units[1].unit, "Field Inspection");
	cr_assert_str_eq(p->units[2].unit, "Underwriting");
	/* one above the lowest rated overall level */
	int lo = 5;
	for (size_t i = 0; i < p->n_units; i++)
		if (p->units[i].result->rated && p->units[i].result->level < lo)
			lo = p->units[i].result->level;
	cr_assert_eq(p->target, lo + 1 > 5 ? 5 : lo + 1);
	cr_assert(!p->target_explicit);
	const char *cl[] = { c26 }, *f[] = { fi }, *uw[] = { ua, ub };
	same_as_score(unit_of(p, "Claims"), cl, 1, p->target);
	same_as_score(unit_of(p, "Field Inspection"), f, 1, p->target);
	same_as_score(unit_of(p, "Underwriting"), uw, 2, p->target);
	weft_assess_portfolio_free(p);
	free(c25), free(c26), free(fi), free(ua), free(ub);
}

Test(portfolio, latest_date_wins_and_older_files_are_listed)
{
	char *a = put("a.yaml", "claims-2026.yaml", NULL, NULL, "2026-01-10");
	char *b = put("b.yaml", "claims-2026.yaml", NULL, NULL, "2026-03-01");
	char *c = put("c.yaml", "claims-2025.yaml", NULL, NULL, "2025-12-31");
	weft_assess_portfolio *p = load_dir(NULL);
	cr_assert_eq(p->n_units, 1);
	const weft_assess_portfolio_unit *u = &p->units[0];
	cr_assert_str_eq(u->date, "2026-03-01");
	cr_assert_eq(u->n_files, 1);
	cr_assert(ends_with(u->files[0], "/b.yaml"), "%s", u->files[0]);
	cr_assert_eq(u->n_older, 2);
	bool saw_a = false, saw_c = false;
	for (size_t i = 0; i < u->n_older; i++) {
		saw_a |= ends_with(u->older[i], "/a.yaml");
		saw_c |= ends_with(u->older[i], "/c.yaml");
	}
	cr_assert(saw_a && saw_c);
	const char *files[] = { b };
	same_as_score(u, files, 1, p->target);
	weft_assess_portfolio_free(p);
	free(a), free(b), free(c);
}

Test(portfolio, same_date_respondents_are_rolled_up)
{
	char *a = put("alice.yaml", "underwriting-alice.yaml", NULL, NULL, "2026-06-01");
	char *b = put("bob.yaml", "underwriting-bob.yaml", NULL, NULL, "2026-06-01");
	char *old = put("carol.yaml", "underwriting-bob.yaml", NULL, "Carol", "2026-01-01");
	weft_assess_portfolio_opts o = { { 3, NULL, 0, 0 } };
	weft_assess_portfolio *p = load_dir(&o);
	cr_assert_eq(p->n_units, 1);
	cr_assert_eq(p->target, 3);
	cr_assert(p->target_explicit);
	const weft_assess_portfolio_unit *u = &p->units[0];
	cr_assert_eq(u->n_files, 2);
	cr_assert_eq(u->result->n_sources, 2);
	cr_assert_eq(u->n_older, 1);
	cr_assert(ends_with(u->older[0], "/carol.yaml"));
	const char *files[] = { a, b };
	same_as_score(u, files, 2, 3);
	weft_assess_portfolio_free(p);
	free(a), free(b), free(old);
}

Test(portfolio, files_that_are_not_answers_are_skipped_with_a_note)
{
	char *c = put("claims.yaml", "claims-2026.yaml", NULL, NULL, NULL);
	char *model = read_file(weft_assess_default_model_path());
	put_text("model.yaml", model);
	free(model);
	put_text("weights.yml", "dimensions:\n  realtime: 2\n");
	put_text("ci.yaml", "name: ci\nsteps: []\n");
	put_text("notes.txt", "not YAML at all: [\n");
	weft_assess_portfolio *p = load_dir(NULL);
	cr_assert_eq(p->n_units, 1);
	cr_assert_eq(p->n_skipped, 3);
	size_t notes = 0;
	for (size_t i = 0; i < weft_diags_count(d); i++) {
		const weft_diag *g = weft_diags_get(d, i);
		notes += g->severity == WEFT_SEV_NOTE && strstr(g->message, "skipped");
	}
	cr_assert_eq(notes, 3);
	cr_assert_eq(weft_diags_errors(d), 0);
	weft_assess_file_kind kinds[3] = { 0 };
	for (size_t i = 0; i < 3; i++)
		kinds[i] = p->skipped[i].kind; /* sorted by name: ci, model, weights */
	cr_assert_eq(kinds[0], WEFT_ASSESS_FILE_UNKNOWN);
	cr_assert_eq(kinds[1], WEFT_ASSESS_FILE_MODEL);
	cr_assert_eq(kinds[2], WEFT_ASSESS_FILE_WEIGHTS);
	weft_assess_portfolio_free(p);
	free(c);
}

Test(portfolio, a_broken_file_is_an_error_at_its_position)
{
	char *c = put("claims.yaml", "claims-2026.yaml", NULL, NULL, NULL);
	put_text("broken.yaml", "model: ai-integration\nmodel_version: \"2.0\"\nunit: X\nanswers:\n  rt-auth: [\n");
	put_text("bad.yaml", "model: ai-integration\nmodel_version: \"2.0\"\nunit: X\nanswers:\n  rt-auth:\n"
			     "    level: 9\n");
	const char *paths[] = { dir };
	weft_assess_portfolio *p = NULL;
	cr_assert_eq(weft_assess_portfolio_load(&p, paths, 1, m, NULL, d), WEFT_EINVALID);
	cr_assert_null(p);
	char *bad = path_in(dir, "bad.yaml"), *broken = path_in(dir, "broken.yaml");
	assert_error_at(d, bad, 6, 12, "out of range");
	bool at = false;
	for (size_t i = 0; i < weft_diags_count(d); i++) {
		const weft_diag *g = weft_diags_get(d, i);
		at |= g->severity == WEFT_SEV_ERROR && g->path && !strcmp(g->path, broken) && g->line > 0 &&
		      g->col > 0;
	}
	cr_assert(at, "no error with a position in broken.yaml");
	free(bad), free(broken), free(c);
}

Test(portfolio, missing_and_empty_inputs)
{
	const char *missing[] = { "/nonexistent/weft/answers.yaml" };
	weft_assess_portfolio *p = NULL;
	cr_assert_eq(weft_assess_portfolio_load(&p, missing, 1, m, NULL, d), WEFT_EENV);
	weft_diags_clear(d);
	const char *empty[] = { dir };
	cr_assert_eq(weft_assess_portfolio_load(&p, empty, 1, m, NULL, d), WEFT_EINVALID);
	assert_error_at(d, dir, 0, 0, "no answers files");
	cr_assert_null(p);
}

Test(portfolio, a_file_given_twice_counts_once)
{
	char *c = put("claims.yaml", "claims-2026.yaml", NULL, NULL, NULL);
	const char *paths[] = { dir, c };
	weft_assess_portfolio *p = NULL;
	cr_assert_eq(weft_assess_portfolio_load(&p, paths, 2, m, NULL, d), 0);
	cr_assert_eq(p->n_units, 1);
	cr_assert_eq(p->units[0].n_files, 1);
	weft_assess_portfolio_free(p);
	/* a copy elsewhere (same bytes) is counted once, with a note */
	char *sub = path_in(dir, "copy");
	cr_assert_eq(mkdir(sub, 0700), 0);
	char *text = read_file(c), *copy = path_in(sub, "claims.yaml");
	write_file(copy, text);
	const char *two[] = { dir, sub };
	weft_diags_clear(d);
	cr_assert_eq(weft_assess_portfolio_load(&p, two, 2, m, NULL, d), 0);
	cr_assert_eq(p->units[0].n_files, 1);
	cr_assert_eq(weft_diags_errors(d), 0);
	weft_assess_portfolio_free(p);
	free(text), free(copy), free(sub), free(c);
}

Test(portfolio, unit_names_from_the_files_are_escaped)
{
	char *c = put("x.yaml", "claims-2026.yaml", "\"<script>alert(1)</script> & co\"", NULL, NULL);
	weft_assess_portfolio *p = load_dir(NULL);
	weft_buf b = WEFT_BUF_INIT;
	cr_assert_eq(weft_assess_portfolio_html(&b, p, NULL), 0);
	cr_assert_null(strstr(b.ptr, "<script"));
	cr_assert_not_null(strstr(b.ptr, "&lt;script&gt;"));
	weft_buf_free(&b);
	cr_assert_eq(weft_assess_portfolio_markdown(&b, p, NULL), 0);
	cr_assert_eq(weft_assess_portfolio_text(&b, p, NULL), 0);
	weft_buf_free(&b);
	weft_assess_portfolio_free(p);
	free(c);
}

Test(portfolio, weakest_dimensions_and_shared_gaps)
{
	char *a = put("a.yaml", "claims-2026.yaml", "Unit A", NULL, NULL);
	char *b = put("b.yaml", "claims-2026.yaml", "Unit B", NULL, NULL);
	char *c = put("c.yaml", "underwriting-bob.yaml", "Unit C", NULL, NULL);
	weft_assess_portfolio_opts o = { { 3, NULL, 0, 0 } };
	weft_assess_portfolio *p = load_dir(&o);
	cr_assert_eq(p->n_units, 3);
	cr_assert_eq(p->n_dims, m->n_dims);
	for (size_t k = 1; k < p->n_dims; k++)
		if (p->dims[k].n_scored && p->dims[k - 1].n_scored)
			cr_assert_leq(p->dims[k - 1].median, p->dims[k].median);
	/* the gaps: counted from the results, most units first */
	cr_assert_gt(p->n_gaps, 0);
	for (size_t i = 0; i < p->n_gaps; i++) {
		const weft_assess_portfolio_gap *g = &p->gaps[i];
		size_t n = 0;
		for (size_t u = 0; u < p->n_units; u++) {
			const weft_assess_dresult *dr = &p->units[u].result->dims[g->q->dim];
			for (size_t k = 0; k < dr->n_questions; k++)
				n += dr->in_scope && dr->questions[k].q == g->q && dr->questions[k].gap > 0;
		}
		cr_assert_eq(g->n_units, n, "%s", g->q->id);
		if (i)
			cr_assert_geq(p->gaps[i - 1].n_units, g->n_units);
	}
	/* bt-storage is level 1 in Claims (twice) and 3 in Underwriting-bob */
	bool found = false;
	for (size_t i = 0; i < p->n_gaps; i++)
		if (!strcmp(p->gaps[i].q->id, "bt-storage")) {
			found = true;
			cr_assert_eq(p->gaps[i].n_units, 2);
			cr_assert_str_eq(p->gaps[i].units[0], "Unit A");
			cr_assert_str_eq(p->gaps[i].units[1], "Unit B");
		}
	cr_assert(found);
	weft_assess_portfolio_free(p);
	free(a), free(b), free(c);
}

/* ---- the shipped examples, every format ---- */

static weft_assess_portfolio *examples(void)
{
	const char *paths[] = { EXAMPLES };
	weft_assess_portfolio *p = NULL;
	cr_assert_eq(weft_assess_portfolio_load(&p, paths, 1, m, NULL, d), 0);
	return p;
}

static const weft_assess_report_opts ro = { .generator = "weft test", .generated_at = "2026-12-03T12:00:00Z" };

Test(portfolio, examples_have_four_units_in_every_format)
{
	weft_assess_portfolio *p = examples();
	cr_assert_geq(p->n_units, 4);
	const weft_assess_portfolio_unit *claims = unit_of(p, "Claims");
	cr_assert_str_eq(claims->date, "2026-09-14");
	cr_assert(ends_with(claims->files[0], "claims-2026.yaml"));
	cr_assert_eq(claims->n_older, 1);
	cr_assert_eq(unit_of(p, "Underwriting")->n_files, 2);
	int (*fmt[])(weft_buf *, const weft_assess_portfolio *, const weft_assess_report_opts *) = {
		weft_assess_portfolio_text, weft_assess_portfolio_json, weft_assess_portfolio_markdown,
		weft_assess_portfolio_html,
	};
	for (size_t f = 0; f < 4; f++) {
		weft_buf b = WEFT_BUF_INIT;
		cr_assert_eq(fmt[f](&b, p, &ro), 0);
		for (size_t i = 0; i < p->n_units; i++)
			cr_assert_not_null(strstr(b.ptr, p->units[i].unit), "format %zu lacks %s", f, p->units[i].unit);
		weft_buf_free(&b);
	}
	weft_assess_portfolio_free(p);
}

Test(portfolio, json_reuses_the_score_report_objects_and_validates)
{
	weft_assess_portfolio *p = examples();
	weft_buf b = WEFT_BUF_INIT;
	cr_assert_eq(weft_assess_portfolio_json(&b, p, &ro), 0);
	char *said = NULL;
	int rc = weft_test_schema_check(SCHEMA, b.ptr, &said);
	cr_assert_eq(rc, 0, "schema check %d:\n%s", rc, said ? said : "");
	free(said);
	cJSON *doc = cJSON_Parse(b.ptr);
	cJSON *units = cJSON_GetObjectItem(doc, "units");
	cr_assert_eq((size_t)cJSON_GetArraySize(units), p->n_units);
	/* a unit's overall and dimensions are the score report's, at the same target */
	const weft_assess_portfolio_unit *u = unit_of(p, "Underwriting");
	weft_buf rep = WEFT_BUF_INIT;
	cr_assert_eq(weft_assess_report_json(&rep, u->result, &ro), 0);
	cJSON *want = cJSON_Parse(rep.ptr);
	cJSON *got = NULL;
	cJSON *it;
	cJSON_ArrayForEach(it, units)
	if (!strcmp(cJSON_GetObjectItem(it, "unit")->valuestring, "Underwriting"))
		got = it;
	cr_assert_not_null(got);
	cr_assert(cJSON_Compare(cJSON_GetObjectItem(got, "overall"), cJSON_GetObjectItem(want, "overall"), true));
	cr_assert(cJSON_Compare(cJSON_GetObjectItem(got, "dimensions"), cJSON_GetObjectItem(want, "dimensions"),
				true));
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(got, "files")), 2);
	cJSON_Delete(want);
	cJSON_Delete(doc);
	weft_buf_free(&rep);
	weft_buf_free(&b);
	weft_assess_portfolio_free(p);
}

static size_t count(const char *s, const char *needle)
{
	size_t n = 0;
	for (const char *q = s; (q = strstr(q, needle)); q += strlen(needle))
		n++;
	return n;
}

Test(portfolio, html_is_self_contained_with_one_cell_per_unit_and_dimension)
{
	weft_assess_portfolio *p = examples();
	weft_buf b = WEFT_BUF_INIT;
	cr_assert_eq(weft_assess_portfolio_html(&b, p, &ro), 0);
	size_t svg = count(b.ptr, "xmlns=\"http://www.w3.org/2000/svg\"");
	cr_assert_eq(count(b.ptr, "http://"), svg, "an external http:// reference");
	cr_assert_eq(count(b.ptr, "https://"), 0, "an external https:// reference");
	cr_assert_null(strstr(b.ptr, "<script"));
	cr_assert_null(strstr(b.ptr, " src="));
	cr_assert_null(strstr(b.ptr, "<link"));
	cr_assert_eq(count(b.ptr, " data-dim=\""), p->n_units * m->n_dims);
	cr_assert_eq(count(b.ptr, " data-overall"), p->n_units);
	/* each unit's row: a rated cell in the colour the score report gives it */
	const weft_assess_result *r = unit_of(p, "Claims")->result;
	char want[128];
	snprintf(want, sizeof want, "data-dim=\"%s\" style=\"background:%s\"", r->dims[0].dim->id,
		 assess_html_level_colour(r->dims[0].rated, r->dims[0].level, p->target));
	cr_assert_not_null(strstr(b.ptr, want), "%s", want);
	weft_buf_free(&b);
	weft_assess_portfolio_free(p);
}

/* ---- the command ---- */

Test(portfolio, cli_examples_errors_and_exit_codes)
{
	char *out = NULL, *err = NULL;
	cr_assert_eq(weft_test_run(&out, &err, NULL, "assess portfolio '" EXAMPLES "'"), 0, "%s", err);
	cr_assert_not_null(strstr(out, "Customer Service"));
	cr_assert_not_null(strstr(out, "left out (older)"));
	free(out), free(err);
	cr_assert_eq(weft_test_run(&out, &err, NULL, "assess portfolio /nonexistent/weft.yaml"), 4);
	cr_assert_not_null(strstr(err, "/nonexistent/weft.yaml"));
	free(out), free(err);
	put_text("broken.yaml", "model: ai-integration\nanswers:\n  rt-auth: [\n");
	cr_assert_eq(weft_test_run(&out, &err, dir, "assess portfolio ."), 3);
	cr_assert_not_null(strstr(err, "broken.yaml:4:1:"), "%s", err);
	free(out), free(err);
	char *b = path_in(dir, "broken.yaml");
	unlink(b);
	free(b);
	cr_assert_eq(weft_test_run(&out, &err, dir, "assess portfolio ."), 3);
	cr_assert_not_null(strstr(err, "no answers files found"), "%s", err);
	free(out), free(err);
	cr_assert_eq(weft_test_run(&out, &err, NULL, "assess portfolio --help"), 0);
	cr_assert_not_null(strstr(out, "Exit codes"));
	free(out), free(err);
	cr_assert_eq(weft_test_run(&out, &err, NULL, "assess portfolio '" EXAMPLES "' --target 9"), 2);
	free(out), free(err);
}
