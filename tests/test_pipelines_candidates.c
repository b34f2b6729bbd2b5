/* test_pipelines_candidates.c - choosing a model for a pipeline's model stage.
 *
 * Two candidates written here with hand-chosen weights, so what each predicts
 * is known without running weft: "a" (2 -> 1, sigmoid) says 1 when x0 >= 0;
 * "b" (2 -> 1536 relu -> 1536 relu -> 1, sigmoid) says 1 when x1 >= 0.5 and is
 * some ten thousand times more work. On the four evaluation rows below "a" is
 * right twice (accuracy 0.5, ROC AUC 0.5) and "b" four times (1.0, 1.0). Then:
 * with room in the budget "b" is recommended; with a p50 budget on the stage
 * between their measured medians only "a" fits; with a broken budget elsewhere nothing does; too few
 * queries for a p99 is inconclusive, never a yes. Reports: JSON against
 * docs/schemas/bench-candidates.schema.json, JUnit against our JUnit schema.
 */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "json_schema.h"
#include "requires.h"
#include "weft_kernels.h"
#include "weft_pipelines.h"

#define HIDDEN 1536

static weft_diags *d;
static char dir[64];

static void write_text(const char *name, const char *text)
{
	char path[160];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

static void add(weft_safetensors_writer *w, const char *name, uint64_t rows, uint64_t cols, const float *v)
{
	uint64_t shape[2] = { rows, cols };
	cr_assert_eq(weft_safetensors_writer_add(w, name, WEFT_DTYPE_F32, cols ? 2 : 1, shape, v), 0);
}

static void save(weft_safetensors_writer *w, const char *name)
{
	char path[160];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	cr_assert_eq(weft_safetensors_writer_save(w, path, 0, d), 0);
	weft_safetensors_writer_free(w);
}

static void write_models(void)
{
	weft_safetensors_writer *w;
	/* a: sigmoid(x0) */
	cr_assert_eq(weft_safetensors_writer_new(&w), 0);
	weft_safetensors_writer_meta(w, "weft.activations", "sigmoid");
	const float wa[2] = { 1, 0 }, ba[1] = { 0 };
	add(w, "net.0.weight", 1, 2, wa);
	add(w, "net.0.bias", 1, 0, ba);
	save(w, "a.safetensors");
	/* b: h = relu(x1) in unit 0 of both hidden layers, out = sigmoid(h - 0.5) */
	cr_assert_eq(weft_safetensors_writer_new(&w), 0);
	weft_safetensors_writer_meta(w, "weft.activations", "relu,relu,sigmoid");
	float *w0 = calloc(HIDDEN * 2, sizeof *w0), *w1 = calloc((size_t)HIDDEN * HIDDEN, sizeof *w1);
	float *w2 = calloc(HIDDEN, sizeof *w2), *bh = calloc(HIDDEN, sizeof *bh);
	cr_assert(w0 && w1 && w2 && bh);
	w0[1] = 1; /* row 0 = [0, 1] */
	w1[0] = 1;
	w2[0] = 1;
	const float bo[1] = { -0.5f };
	add(w, "net.0.weight", HIDDEN, 2, w0);
	add(w, "net.0.bias", HIDDEN, 0, bh);
	add(w, "net.1.weight", HIDDEN, HIDDEN, w1);
	add(w, "net.1.bias", HIDDEN, 0, bh);
	add(w, "net.2.weight", 1, HIDDEN, w2);
	add(w, "net.2.bias", 1, 0, bo);
	save(w, "b.safetensors");
	free(w0), free(w1), free(w2), free(bh);
	write_text("eval.csv", "x0,x1,label\n1,1,1\n-1,0,0\n1,0,0\n-1,2,1\n");
}

static void setup(void)
{
	weft_diags_new(&d);
	snprintf(dir, sizeof dir, "/tmp/weft-cand-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	write_models();
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_assert_eq(system(cmd), 0);
	weft_diags_free(d);
}

TestSuite(candidates, .init = setup, .fini = teardown, .timeout = 120);

/* A two-stage pipeline: a short delay, then the model stage. */
static weft_pipelines_spec *pipeline(const char *hop_budget, const char *model_budget, unsigned min_queries)
{
	char yaml[1024], path[160];
	snprintf(yaml, sizeof yaml,
		 "pipeline: pick\nstages:\n"
		 "  - name: hop\n    delay: 200us\n    budget: {p50: %s}\n"
		 "  - name: infer\n"
		 "    model: {file: a.safetensors, candidates: [b.safetensors], eval: eval.csv, device: cpu}\n"
		 "    budget: {%s}\n"
		 "budget:\n  end_to_end: {p50: 1s}\n"
		 "load: {scenario: single-stream, duration: 20ms, min_queries: %u, warmup: 3}\n",
		 hop_budget, model_budget, min_queries);
	write_text("pick.yaml", yaml);
	snprintf(path, sizeof path, "%s/pick.yaml", dir);
	weft_pipelines_spec *s = NULL;
	cr_assert_eq(weft_pipelines_spec_load(&s, path, d), 0);
	return s;
}

static weft_pipelines_candidates *choose(weft_pipelines_spec *s)
{
	weft_pipelines_candidates_opts o;
	weft_pipelines_candidates_opts_init(&o);
	weft_pipelines_candidates *c = NULL;
	cr_assert_eq(weft_pipelines_candidates_pipeline(&c, s, &o, d), 0);
	cr_assert_not_null(c);
	return c;
}

static const weft_pipelines_candidate *item(const weft_pipelines_candidates *c, const char *name)
{
	for (size_t i = 0; i < c->n; i++)
		if (!strcmp(c->items[i].name, name))
			return &c->items[i];
	cr_assert_fail("no candidate %s", name);
	return NULL;
}

Test(candidates, the_most_accurate_that_fits_is_recommended)
{
	weft_pipelines_spec *s = pipeline("50ms", "p50: 10s", 40);
	char *file_before = strdup(s->stages[1].model.file);
	weft_pipelines_candidates *c = choose(s);
	cr_assert_eq(c->n, 2);
	const weft_pipelines_candidate *a = item(c, "a"), *b = item(c, "b");
	cr_assert_eq(a->accuracy, 0.5);
	cr_assert_eq(a->auc, 0.5);
	cr_assert_eq(b->accuracy, 1.0);
	cr_assert_eq(b->auc, 1.0);
	cr_assert_eq(a->params, 3);
	cr_assert_eq(b->params, (size_t)HIDDEN * 2 + HIDDEN + (size_t)HIDDEN * HIDDEN + HIDDEN + HIDDEN + 1);
	for (size_t i = 0; i < 2; i++) {
		const weft_pipelines_candidate *it = &c->items[i];
		cr_assert_null(it->error);
		cr_assert(it->judged);
		cr_assert_eq(it->fits, WEFT_VERDICT_MET, "%s: %s", it->name, it->why);
		cr_assert_not_null(it->run);
		/* the table's numbers are the run's own */
		const weft_pipelines_series *st = weft_pipelines_result_series(it->run, "infer");
		const weft_pipelines_series *e2e = weft_pipelines_result_series(it->run, "end-to-end");
		cr_assert_eq(it->stage_p50.value_ms, st->pctl[0].value_ms);
		cr_assert_eq(it->stage_p99.value_ms, st->pctl[3].value_ms);
		cr_assert_eq(it->e2e_p99.value_ms, e2e->pctl[3].value_ms);
		cr_assert_geq(it->run->measured, 40);
		/* end to end holds the 200 us hop */
		cr_assert_gt(e2e->pctl[0].value_ms, 0.19);
	}
	/* "b" does ~10^4 times the work of "a" */
	cr_assert_gt(b->stage_p50.value_ms, 2 * a->stage_p50.value_ms);
	cr_assert_eq(c->recommended, (size_t)(b - c->items));
	cr_assert_eq(weft_pipelines_candidates_gate(c), 0);
	/* the spec is as it was */
	cr_assert_str_eq(s->stages[1].model.file, file_before);
	cr_assert_str_eq(s->stages[1].model.device, "cpu");
	free(file_before);
	weft_pipelines_candidates_free(c);
	weft_pipelines_spec_free(s);
}

/* A p50 budget for the model stage between the two candidates' medians as
 * measured on this machine (their geometric mean), so that "a" fits and "b"
 * does not however fast the machine is. */
static void split_budget(char *out, size_t n)
{
	weft_pipelines_spec *s = pipeline("50ms", "p50: 10s", 40);
	weft_pipelines_candidates *c = choose(s);
	double a = item(c, "a")->stage_p50.value_ms, b = item(c, "b")->stage_p50.value_ms;
	cr_assert_gt(b, 8 * a, "b does 10^4 times the work of a: %g ms against %g ms", b, a);
	snprintf(out, n, "p50: %.1fus", sqrt(a * b) * 1000.0);
	weft_pipelines_candidates_free(c);
	weft_pipelines_spec_free(s);
}

Test(candidates, a_slower_candidate_that_breaks_the_stage_budget_is_passed_over)
{
	char budget[64];
	split_budget(budget, sizeof budget);
	weft_pipelines_spec *s = pipeline("50ms", budget, 40);
	weft_pipelines_candidates *c = choose(s);
	const weft_pipelines_candidate *a = item(c, "a"), *b = item(c, "b");
	cr_assert_eq(a->fits, WEFT_VERDICT_MET, "%s", a->why);
	cr_assert_eq(b->fits, WEFT_VERDICT_BROKEN, "b p50 %g ms", b->stage_p50.value_ms);
	cr_assert_not_null(b->why);
	cr_assert(strstr(b->why, "infer p50 <= ") && strstr(b->why, " broken: p50 "), "%s", b->why);
	cr_assert_eq(c->recommended, (size_t)(a - c->items));
	cr_assert_eq(weft_pipelines_candidates_gate(c), 0);
	weft_pipelines_candidates_free(c);
	weft_pipelines_spec_free(s);
}

Test(candidates, nothing_fits_when_another_stage_breaks_its_budget)
{
	weft_pipelines_spec *s = pipeline("50us", "p50: 10s", 40);
	weft_pipelines_candidates *c = choose(s);
	for (size_t i = 0; i < c->n; i++) {
		cr_assert_eq(c->items[i].fits, WEFT_VERDICT_BROKEN);
		cr_assert(strstr(c->items[i].why, "hop p50"), "%s", c->items[i].why);
	}
	cr_assert_eq(c->recommended, SIZE_MAX);
	cr_assert_str_eq(c->reason, "no candidate fits the budget");
	cr_assert_eq(weft_pipelines_candidates_gate(c), WEFT_EGATE);
	weft_pipelines_candidates_free(c);
	weft_pipelines_spec_free(s);
}

Test(candidates, too_few_queries_for_a_p99_is_inconclusive)
{
	/* 40 queries cannot bound a p99 from above (that needs 367 at 95%) */
	weft_pipelines_spec *s = pipeline("50ms", "p99: 10s", 40);
	s->load.max_duration_ms = 0; /* no extension */
	weft_pipelines_candidates *c = choose(s);
	cr_assert_lt(c->items[0].run->measured, 367);
	for (size_t i = 0; i < c->n; i++)
		cr_assert_eq(c->items[i].fits, WEFT_VERDICT_INCONCLUSIVE);
	cr_assert_eq(c->recommended, SIZE_MAX);
	cr_assert_eq(weft_pipelines_candidates_gate(c), WEFT_EGATE);
	weft_pipelines_candidates_free(c);
	weft_pipelines_spec_free(s);
}

Test(candidates, a_candidate_that_cannot_load_is_reported_and_the_rest_run)
{
	weft_pipelines_spec *s = pipeline("50ms", "p50: 10s", 20);
	char missing[160], bpath[160];
	snprintf(missing, sizeof missing, "%s/missing.safetensors", dir);
	snprintf(bpath, sizeof bpath, "%s/b.safetensors", dir);
	const char *models[] = { missing, bpath };
	weft_pipelines_candidates_opts o;
	weft_pipelines_candidates_opts_init(&o);
	o.models = models;
	o.n_models = 2;
	weft_pipelines_candidates *c = NULL;
	cr_assert_eq(weft_pipelines_candidates_pipeline(&c, s, &o, d), 0);
	cr_assert_eq(c->n, 2);
	cr_assert_not_null(c->items[0].error);
	cr_assert_eq(c->items[0].err, WEFT_EENV);
	cr_assert_null(c->items[0].run);
	cr_assert_null(c->items[1].error);
	cr_assert_eq(c->recommended, 1);
	cr_assert_gt(weft_diags_errors(d), 0, "the loader's error stays in the diagnostics");
	weft_pipelines_candidates_free(c);
	weft_pipelines_spec_free(s);
}

Test(candidates, the_stage_must_be_a_model_stage)
{
	weft_pipelines_spec *s = pipeline("50ms", "p50: 10s", 20);
	weft_pipelines_candidates_opts o;
	weft_pipelines_candidates_opts_init(&o);
	weft_pipelines_candidates *c = NULL;
	o.stage = "hop";
	cr_assert_eq(weft_pipelines_candidates_pipeline(&c, s, &o, d), WEFT_EINVALID);
	cr_assert_null(c);
	cr_assert(strstr(weft_diags_get(d, 0)->message, "stage 'hop' is a delay stage"));
	o.stage = "nope";
	cr_assert_eq(weft_pipelines_candidates_pipeline(&c, s, &o, d), WEFT_EINVALID);
	cr_assert(strstr(weft_diags_get(d, 1)->message, "no stage named 'nope'"));
	o.stage = NULL;
	o.eval = "/no/such/eval.csv";
	cr_assert_eq(weft_pipelines_candidates_pipeline(&c, s, &o, d), WEFT_EENV);
	cr_assert_null(c);
	weft_pipelines_spec_free(s);

	/* no model stage at all; two of them without a choice */
	s = NULL;
	const char none[] = "pipeline: x\nstages:\n  - {name: w, delay: 1ms}\nload: {duration: 10ms}\n";
	cr_assert_eq(weft_pipelines_spec_load_buffer(&s, "x.yaml", dir, none, strlen(none), d), 0);
	o.eval = NULL;
	cr_assert_eq(weft_pipelines_candidates_pipeline(&c, s, &o, d), WEFT_EINVALID);
	cr_assert(strstr(weft_diags_get(d, weft_diags_count(d) - 1)->message, "no model stage"));
	weft_pipelines_spec_free(s);
	const char two[] = "pipeline: x\nstages:\n  - {name: m1, model: a.safetensors}\n"
			   "  - {name: m2, model: b.safetensors}\nload: {duration: 10ms}\n";
	cr_assert_eq(weft_pipelines_spec_load_buffer(&s, "x.yaml", dir, two, strlen(two), d), 0);
	cr_assert_eq(weft_pipelines_candidates_pipeline(&c, s, &o, d), WEFT_EINVALID);
	cr_assert(strstr(weft_diags_get(d, weft_diags_count(d) - 1)->message,
			 "2 model stages ('m1', 'm2'); choose one with --stage"));
	weft_pipelines_spec_free(s);
}

Test(candidates, every_report_format_carries_the_table)
{
	char budget[64];
	split_budget(budget, sizeof budget);
	weft_pipelines_spec *s = pipeline("50ms", budget, 40);
	weft_pipelines_candidates *c = choose(s);
	weft_buf b = WEFT_BUF_INIT;

	cr_assert_eq(weft_pipelines_candidates_report(&b, c, WEFT_REPORT_JSON, NULL), 0);
	cJSON *j = cJSON_Parse(b.ptr);
	cr_assert_not_null(j);
	char *errs = NULL;
	cr_assert_eq(weft_test_schema_check(WEFT_FIXTURES "/../../docs/schemas/bench-candidates.schema.json", b.ptr, &errs),
		     0, "%s", errs);
	free(errs);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "recommendation")->valuestring, "a");
	cJSON *cb = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "candidates"), 1);
	cr_assert_str_eq(cJSON_GetObjectItem(cb, "fits")->valuestring, "no");
	cr_assert_eq(cJSON_GetObjectItem(cb, "accuracy")->valuedouble, 1.0);
	cJSON *run = cJSON_GetObjectItem(cb, "run");
	cr_assert_str_eq(cJSON_GetObjectItem(run, "format")->valuestring, "weft-bench-report");
	cJSON_Delete(j);
	weft_buf_free(&b);

	cr_assert_eq(weft_pipelines_candidates_report(&b, c, WEFT_REPORT_TEXT, NULL), 0);
	cr_assert(strstr(b.ptr, "recommendation: a (the most accurate candidate that fits the budget)"), "%s",
		  b.ptr);
	cr_assert(strstr(b.ptr, "b: no: infer p50 <= "), "%s", b.ptr);
	weft_buf_free(&b);

	cr_assert_eq(weft_pipelines_candidates_report(&b, c, WEFT_REPORT_MARKDOWN, NULL), 0);
	cr_assert(strstr(b.ptr, "| a | 3 |"), "%s", b.ptr);
	cr_assert(strstr(b.ptr, "**Recommendation:** a"), "%s", b.ptr);
	weft_buf_free(&b);

	cr_assert_eq(weft_pipelines_candidates_report(&b, c, WEFT_REPORT_HTML, NULL), 0);
	cr_assert(strstr(b.ptr, "<tr class='rec'><td class='l'>a</td>"), "%s", b.ptr);
	cr_assert(strstr(b.ptr, "<td class='l broken'>no</td>"), "%s", b.ptr);
	/* the chart: both evaluated, "a" fits and is recommended, "b" does not */
	cr_assert(strstr(b.ptr, "class='tradeoff'"), "%s", b.ptr);
	cr_assert(strstr(b.ptr, "<g class='cand' data-name='a' data-recommended='1'"), "%s", b.ptr);
	cr_assert(strstr(b.ptr, "<g class='cand' data-name='b'"), "%s", b.ptr);
	cr_assert(strstr(b.ptr, "r='4.5' class='pt broken'"), "%s", b.ptr);
	cr_assert(strstr(b.ptr, ">a (recommended)</text>"), "%s", b.ptr);
	cr_assert(strstr(b.ptr, "</html>"));
	weft_buf_free(&b);

	cr_assert_eq(weft_pipelines_candidates_report(&b, c, WEFT_REPORT_JUNIT, NULL), 0);
	cr_assert(strstr(b.ptr, "tests=\"3\" failures=\"1\" errors=\"0\""), "%s", b.ptr);
	cr_assert(strstr(b.ptr, "<testcase name=\"b fits the budget\""), "%s", b.ptr);
	/* the Jenkins xunit plugin's schema, from the peer suites */
	weft_test_require_path(WEFT_TEST_JUNIT_XSD, "the Jenkins xunit plugin's JUnit schema");
	cr_assert_eq(weft_test_xmllint(WEFT_TEST_JUNIT_XSD, b.ptr), 0, "%s", b.ptr);
	weft_buf_free(&b);
	weft_pipelines_candidates_free(c);
	weft_pipelines_spec_free(s);
}

Test(candidates, models_alone_use_the_same_rule)
{
	char apath[160], bpath[160], epath[160];
	snprintf(apath, sizeof apath, "%s/a.safetensors", dir);
	snprintf(bpath, sizeof bpath, "%s/b.safetensors", dir);
	snprintf(epath, sizeof epath, "%s/eval.csv", dir);
	const char *models[] = { apath, bpath };
	weft_pipelines_candidates_opts o;
	weft_pipelines_candidates_opts_init(&o);
	o.models = models;
	o.n_models = 2;
	o.eval = epath;
	o.device = "cpu";
	o.iterations = 400;
	o.warmup = 3;
	o.has_budget = true;
	o.budget_ms = 1e4;
	weft_pipelines_candidates *c = NULL;
	cr_assert_eq(weft_pipelines_candidates_models(&c, &o, d), 0);
	cr_assert_eq(c->recommended, 1, "b is more accurate");
	cr_assert_eq(c->items[1].n_sweep, 1);
	cr_assert_eq(c->items[1].sweep[0].n, 400);
	cr_assert(c->items[1].stage_p99.has_hi, "400 samples bound a p99");
	weft_pipelines_candidates_free(c);
}

Test(candidates, a_hostile_file_name_is_made_printable_in_every_report)
{
	/* invalid UTF-8, an escape sequence, markup: reports put names in JSON,
	 * XML and on terminals */
	char from[160], to[192];
	snprintf(from, sizeof from, "%s/a.safetensors", dir);
	snprintf(to, sizeof to, "%s/x\xe9<y>&\"\x1b[31mred.safetensors", dir);
	cr_assert_eq(link(from, to), 0);
	const char *models[] = { to };
	weft_pipelines_candidates_opts o;
	weft_pipelines_candidates_opts_init(&o);
	o.models = models;
	o.n_models = 1;
	o.device = "cpu";
	o.iterations = 20;
	weft_pipelines_candidates *c = NULL;
	cr_assert_eq(weft_pipelines_candidates_models(&c, &o, d), 0);
	cr_assert_str_eq(c->items[0].name, "x?<y>&\"?[31mred");
	weft_buf b = WEFT_BUF_INIT;
	cr_assert_eq(weft_pipelines_candidates_report(&b, c, WEFT_REPORT_JSON, NULL), 0);
	cJSON *j = cJSON_Parse(b.ptr);
	cr_assert_not_null(j, "%s", b.ptr);
	cr_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "candidates"), 0)->child->valuestring,
			 "x?<y>&\"?[31mred");
	cJSON_Delete(j);
	weft_buf_free(&b);
	cr_assert_eq(weft_pipelines_candidates_report(&b, c, WEFT_REPORT_JUNIT, NULL), 0);
	cr_assert(strstr(b.ptr, "name=\"x?&lt;y&gt;&amp;&quot;?[31mred fits the budget\""), "%s", b.ptr);
	weft_buf_free(&b);
	cr_assert_eq(weft_pipelines_candidates_report(&b, c, WEFT_REPORT_TEXT, NULL), 0);
	cr_assert_null(strchr(b.ptr, '\x1b'));
	weft_buf_free(&b);
	weft_pipelines_candidates_free(c);
}
