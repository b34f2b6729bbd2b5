/* test_pipelines_spec.c - loading pipeline files: the shipped examples load;
 * every field is read as documented; every problem is reported at its
 * line:col, all of them in one pass; durations need units. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "json_schema.h"
#include "weft_pipelines.h"

static weft_diags *d;
static void setup(void)
{
	weft_diags_new(&d);
}
static void teardown(void)
{
	weft_diags_free(d);
}
TestSuite(spec, .init = setup, .fini = teardown);

static int load(weft_pipelines_spec **s, const char *text)
{
	return weft_pipelines_spec_load_buffer(s, "p.yaml", WEFT_FIXTURES "/pipelines", text, strlen(text), d);
}

/* Is there a diagnostic at line:col whose message contains needle? */
static bool has(int line, int col, const char *needle)
{
	for (size_t i = 0; i < weft_diags_count(d); i++) {
		const weft_diag *g = weft_diags_get(d, i);
		if (g->line == line && g->col == col && strstr(g->message, needle))
			return true;
	}
	return false;
}

static void dump(void)
{
	for (size_t i = 0; i < weft_diags_count(d); i++) {
		const weft_diag *g = weft_diags_get(d, i);
		cr_log_info("%d:%d: %s", g->line, g->col, g->message);
	}
}

Test(spec, shipped_examples_load)
{
	static const char *const files[] = { "crm-churn.yaml", "nightly-demand.yaml", "fraud-on-device.yaml" };
	for (size_t i = 0; i < 3; i++) {
		char path[512];
		snprintf(path, sizeof path, "%s/pipelines/examples/%s", WEFT_FIXTURES "/../..", files[i]);
		weft_pipelines_spec *s = NULL;
		int err = weft_pipelines_spec_load(&s, path, d);
		dump();
		cr_assert_eq(err, 0, "%s", files[i]);
		cr_assert_eq(weft_diags_count(d), 0, "%s has warnings", files[i]);
		cr_assert_gt(s->n_stages, 1);
		/* offline issues every query at once: no end-to-end latency budget */
		if (s->load.scenario != WEFT_SCENARIO_OFFLINE)
			cr_assert_gt(s->n_e2e, 0);
		weft_pipelines_spec_free(s);
	}
}

Test(spec, every_field)
{
	const char *text = "pipeline: full\n"
			   "pattern: api\n"
			   "stages:\n"
			   "  - name: wan\n"
			   "    delay: {distribution: lognormal, median: 40ms, p99: 180ms}\n"
			   "    budget: {p99: 300ms, p50: 60ms}\n"
			   "  - name: fixed\n"
			   "    delay: 250us\n"
			   "  - name: api\n"
			   "    http:\n"
			   "      url: http://127.0.0.1:9/v1\n"
			   "      headers: {Content-Type: application/json}\n"
			   "      body: '{\"x\": 1}'\n"
			   "      timeout: 1.5s\n"
			   "      expect_status: [200, 201]\n"
			   "  - name: render\n"
			   "    command: {argv: [/bin/true, -x], timeout: 2s}\n"
			   "  - name: emp\n"
			   "    delay: {distribution: empirical, file: samples.txt}\n"
			   "budget:\n"
			   "  end_to_end: {p99: 2s, p99.9: 3s, max: 10s}\n"
			   "  confidence: 0.99\n"
			   "  error_rate: 0.1%\n"
			   "load: {scenario: server, rate: 25.5, concurrency: 8, duration: 1m, max_duration: 2m,\n"
			   "       min_queries: 500, warmup: 3, seed: 9}\n";
	weft_pipelines_spec *s = NULL;
	int err = load(&s, text);
	dump();
	cr_assert_eq(err, 0);
	cr_assert_str_eq(s->name, "full");
	cr_assert_str_eq(s->pattern, "api");
	cr_assert_eq(s->n_stages, 5);
	const weft_pipelines_stage *w = &s->stages[0];
	cr_assert_eq(w->kind, WEFT_STAGE_DELAY);
	cr_assert_eq(w->delay.kind, WEFT_DIST_LOGNORMAL);
	cr_assert_float_eq(w->delay.a, log(40.0), 1e-12);
	/* sigma = ln(180/40) / z_0.99, z_0.99 = 2.326348 */
	cr_assert_float_eq(w->delay.b, log(4.5) / 2.3263478740408408, 1e-6);
	cr_assert_eq(w->n_budgets, 2);
	cr_assert_str_eq(w->budgets[0].label, "p50", "budgets sorted by percentile");
	cr_assert_float_eq(w->budgets[1].limit_ms, 300.0, 1e-12);
	cr_assert_eq(w->budgets[1].line, 6);
	cr_assert_float_eq(s->stages[1].delay.a, 0.25, 1e-12);
	const weft_pipelines_http *h = &s->stages[2].http;
	cr_assert_str_eq(h->method, "POST", "a body makes a POST");
	cr_assert_eq(h->n_headers, 1);
	cr_assert_str_eq(h->headers[0], "Content-Type: application/json");
	cr_assert_eq(h->body_len, 8);
	cr_assert_float_eq(h->timeout_ms, 1500.0, 1e-9);
	cr_assert_eq(h->n_expect, 2);
	cr_assert_eq(h->expect[1], 201);
	const weft_pipelines_command *c = &s->stages[3].command;
	cr_assert_eq(c->argc, 2);
	cr_assert_str_eq(c->argv[0], "/bin/true");
	cr_assert_null(c->argv[2]);
	cr_assert_float_eq(c->timeout_ms, 2000.0, 1e-9);
	const weft_pipelines_dist *e = &s->stages[4].delay;
	cr_assert_eq(e->kind, WEFT_DIST_EMPIRICAL);
	cr_assert_eq(e->n_samples, 5, "samples.txt holds five samples");
	cr_assert_float_eq(e->samples[0], 0.5, 1e-12, "sorted, and 500us read in ms");
	cr_assert_eq(s->n_e2e, 3);
	cr_assert_float_eq(s->e2e[2].q, 1.0, 0);
	cr_assert_float_eq(s->confidence, 0.99, 0);
	cr_assert(s->has_error_budget);
	cr_assert_float_eq(s->error_rate, 0.001, 1e-15);
	cr_assert_eq(s->load.scenario, WEFT_SCENARIO_SERVER);
	cr_assert_float_eq(s->load.rate, 25.5, 0);
	cr_assert_eq(s->load.concurrency, 8);
	cr_assert_float_eq(s->load.duration_ms, 60000.0, 0);
	cr_assert_float_eq(s->load.max_duration_ms, 120000.0, 0);
	cr_assert_eq(s->load.min_queries, 500);
	cr_assert_eq(s->load.warmup, 3);
	cr_assert_eq(s->load.seed, 9);
	weft_pipelines_spec_free(s);
}

Test(spec, defaults)
{
	weft_pipelines_spec *s = NULL;
	cr_assert_eq(load(&s, "pipeline: tiny\nstages: [{name: a, delay: 1ms}]\n"), 0);
	cr_assert_float_eq(s->confidence, 0.95, 0);
	cr_assert_eq(s->load.scenario, WEFT_SCENARIO_SINGLE_STREAM);
	cr_assert_float_eq(s->load.duration_ms, 10000.0, 0);
	cr_assert_eq(s->load.min_queries, 100);
	cr_assert_eq(s->load.warmup, 10);
	cr_assert(!s->has_error_budget);
	cr_assert_eq(s->n_e2e, 0);
	weft_pipelines_spec_free(s);
}

Test(spec, all_errors_at_their_positions)
{
	const char *text = "pipeline: bad name\n"                          /* 1 */
			   "pattern: apii\n"                                /* 2 */
			   "stages:\n"                                      /* 3 */
			   "  - name: a\n"                                  /* 4 */
			   "    delay: 5\n"                                 /* 5 */
			   "  - name: a\n"                                  /* 6 */
			   "    delay: {distribution: lognormal, median: 50ms, p99: 10ms}\n" /* 7 */
			   "    budget: {p98: 1ms}\n"                       /* 8 */
			   "  - name: h\n"                                  /* 9 */
			   "    http: {url: ftp://x, timeout: 5}\n"         /* 10 */
			   "  - name: k\n"                                  /* 11 */
			   "    delay: 1ms\n"                               /* 12 */
			   "    command: {argv: [x]}\n"                     /* 13 */
			   "  - {name: none}\n"                             /* 14 */
			   "budget:\n"                                      /* 15 */
			   "  end_to_end: {p99: 1s, p50: 2s}\n"             /* 16 */
			   "  error_rate: 2\n"                              /* 17 */
			   "load: {scenario: sever, rate: -1}\n";           /* 18 */
	weft_pipelines_spec *s = NULL;
	cr_assert_eq(load(&s, text), WEFT_EINVALID);
	cr_assert_null(s);
	dump();
	cr_assert(has(1, 11, "pipeline name 'bad name' is not allowed"));
	cr_assert(has(2, 10, "unknown pattern 'apii'"));
	cr_assert(has(5, 12, "not a duration"));
	cr_assert(has(6, 5, "two stages are named 'a'"));
	cr_assert(has(7, 57, "p99 is below the median"));
	cr_assert(has(8, 14, "unknown percentile 'p98'"));
	cr_assert(has(10, 17, "must start with http://"));
	cr_assert(has(10, 35, "a duration needs a unit"));
	cr_assert(has(13, 14, "a stage has one kind"));
	cr_assert(has(14, 5, "says nothing about what to run"));
	cr_assert(has(16, 21, "p99 budget is below the p50 budget"));
	cr_assert(has(17, 15, "expected a rate between 0 and 1"));
	cr_assert(has(18, 18, "unknown scenario 'sever'"));
	cr_assert(has(18, 31, "rate must be above 0"));
	cr_assert_geq(weft_diags_errors(d), 14);
}

Test(spec, unknown_fields_warn_with_a_suggestion)
{
	weft_pipelines_spec *s = NULL;
	cr_assert_eq(load(&s, "pipeline: t\nstages:\n  - name: a\n    delay: 1ms\n    budgte: {p99: 2ms}\n"), 0);
	cr_assert_eq(weft_diags_errors(d), 0);
	cr_assert(has(5, 5, "unknown field 'budgte'"));
	const weft_diag *g = weft_diags_get(d, 0);
	cr_assert_not_null(g->hint);
	cr_assert(strstr(g->hint, "budget"));
	weft_pipelines_spec_free(s);
}

Test(spec, load_consistency)
{
	weft_pipelines_spec *s = NULL;
	cr_assert_eq(load(&s, "pipeline: t\nstages: [{name: a, delay: 1ms}]\nload: {scenario: server}\n"),
		     WEFT_EINVALID);
	cr_assert(has(3, 7, "the server scenario needs a rate"));
	weft_diags_clear(d);
	cr_assert_eq(load(&s, "pipeline: t\nstages: [{name: a, delay: 1ms}]\n"
			      "load: {scenario: offline, rows: 100}\n"),
		     WEFT_EINVALID);
	cr_assert(has(3, 7, "give rows and window together"));
	weft_diags_clear(d);
	cr_assert_eq(load(&s, "pipeline: t\nstages: [{name: a, delay: 1ms}]\n"
			      "load: {duration: 10s, max_duration: 5s}\n"),
		     WEFT_EINVALID);
	cr_assert(has(3, 7, "max_duration is shorter than duration"));
}

Test(spec, scenario_keys_in_their_place)
{
	static const struct {
		const char *load;
		int line, col;
		const char *needle;
	} bad[] = {
		{ "load:\n  scenario: multi-stream\n  samples_per_query: 0\n", 5, 22, "out of range (1 to 4096)" },
		{ "load:\n  scenario: server\n  rate: 10\n  samples_per_query: 4\n", 6, 22,
		  "samples_per_query only matters to the multi-stream scenario" },
		{ "load:\n  scenario: multi-stream\n  concurrency: 4\n", 5, 16, "concurrency does not apply" },
		{ "budget:\n  end_to_end: {p99: 40ms}\nload: {scenario: offline}\n", 4, 21,
		  "offline issues every query at once" },
		{ "load: {scenario: offline, min_queries: 0}\n", 3, 7, "an offline job of no queries" },
	};
	weft_pipelines_spec *s = NULL;
	char text[512];
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		weft_diags_clear(d);
		snprintf(text, sizeof text, "pipeline: t\nstages: [{name: a, delay: 1ms}]\n%s", bad[i].load);
		cr_assert_eq(load(&s, text), WEFT_EINVALID, "%s", bad[i].load);
		dump();
		cr_assert(has(bad[i].line, bad[i].col, bad[i].needle), "%s", bad[i].load);
	}
	cr_assert_eq(load(&s, "pipeline: t\nstages: [{name: a, delay: 1ms}]\n"
			      "load: {scenario: multi-stream, samples_per_query: 16}\n"),
		     0);
	cr_assert_eq(s->load.scenario, WEFT_SCENARIO_MULTI_STREAM);
	cr_assert_eq(s->load.samples_per_query, 16);
	weft_pipelines_spec_free(s);
	/* a stage budget is fine offline, and a rate sizes the job */
	cr_assert_eq(load(&s, "pipeline: t\nstages: [{name: a, delay: 1ms, budget: {p99: 5ms}}]\n"
			      "load: {scenario: offline, rate: 100, min_queries: 0}\n"),
		     0);
	weft_pipelines_spec_free(s);
}

Test(spec, hostile_and_odd_input)
{
	weft_pipelines_spec *s = NULL;
	cr_assert_eq(load(&s, ""), WEFT_EINVALID);
	cr_assert(has(0, 0, "the file is empty"));
	weft_diags_clear(d);
	cr_assert_eq(load(&s, "- a\n- b\n"), WEFT_EINVALID);
	cr_assert(has(1, 1, "expected a mapping, got a sequence"));
	weft_diags_clear(d);
	cr_assert_eq(load(&s, "pipeline: t\nstages: []\n"), WEFT_EINVALID);
	cr_assert(has(2, 9, "non-empty sequence"));
	weft_diags_clear(d);
	/* an alias bomb is stopped by the loader's node cap */
	const char *bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
			   "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
			   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
			   "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
			   "e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
			   "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e, *e]\n";
	cr_assert_eq(load(&s, bomb), WEFT_EINVALID);
	weft_diags_clear(d);
	/* a samples file with a bad line */
	cr_assert_eq(load(&s, "pipeline: t\nstages:\n  - name: e\n"
			      "    delay: {distribution: empirical, file: bad-samples.txt}\n"),
		     WEFT_EINVALID);
	cr_assert(has(3, 3, "not a latency sample"), "bad-samples.txt line 3, column 3");
	weft_diags_clear(d);
	cr_assert_eq(load(&s, "pipeline: t\nstages:\n  - name: e\n"
			      "    delay: {distribution: empirical, file: missing.txt}\n"),
		     WEFT_EENV);
	cr_assert(has(4, 44, "the samples file named here"));
}

Test(spec, durations)
{
	static const struct {
		const char *s;
		double ms;
	} ok[] = { { "150ms", 150 }, { "2s", 2000 }, { "1.5ms", 1.5 }, { "250us", 0.25 }, { "250\xc2\xb5s", 0.25 },
		   { "800ns", 0.0008 }, { "3m", 180000 }, { "1h", 3600000 }, { "0ms", 0 }, { "1e3ms", 1000 },
		   { "2 s", 2000 } };
	for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
		double v = -1;
		cr_assert_eq(weft_pipelines_duration_parse(&v, ok[i].s), 0, "%s", ok[i].s);
		cr_assert_float_eq(v, ok[i].ms, 1e-12 * (ok[i].ms + 1), "%s", ok[i].s);
	}
	static const char *const bad[] = { "5", "-5ms", "ms", "5 parsecs", "infms", "nanms", "0x10ms", "5msx", "",
					   "1.5.2ms", "1e999s" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		double v;
		cr_assert_eq(weft_pipelines_duration_parse(&v, bad[i]), WEFT_EINVALID, "'%s' accepted", bad[i]);
	}
}

/* YAML to JSON, typing plain scalars as YAML 1.2's core schema does. */
static cJSON *to_json(const weft_yaml_node *n)
{
	if (n->kind == WEFT_YAML_MAPPING) {
		cJSON *o = cJSON_CreateObject();
		for (size_t i = 0; i < n->n; i++)
			cJSON_AddItemToObject(o, n->keys[i]->scalar, to_json(n->items[i]));
		return o;
	}
	if (n->kind == WEFT_YAML_SEQUENCE) {
		cJSON *a = cJSON_CreateArray();
		for (size_t i = 0; i < n->n; i++)
			cJSON_AddItemToArray(a, to_json(n->items[i]));
		return a;
	}
	double v;
	bool b;
	if (!n->quoted && weft_yaml_is_null(n))
		return cJSON_CreateNull();
	if (!n->quoted && weft_yaml_as_bool(&b, n) == 0)
		return cJSON_CreateBool(b);
	if (!n->quoted && weft_yaml_as_num(&v, n) == 0)
		return cJSON_CreateNumber(v);
	return cJSON_CreateString(n->scalar);
}

Test(spec, examples_follow_the_json_schema)
{
	const char *schema = WEFT_FIXTURES "/../../docs/schemas/pipeline.schema.json";
	static const char *const files[] = {
		WEFT_FIXTURES "/../../pipelines/examples/crm-churn.yaml",
		WEFT_FIXTURES "/../../pipelines/examples/nightly-demand.yaml",
		WEFT_FIXTURES "/../../pipelines/examples/fraud-on-device.yaml",
		WEFT_FIXTURES "/../fuzz/corpus/pipeline_spec/kinds.yaml",
		WEFT_FIXTURES "/pipelines/quick-pass.yaml",
	};
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		weft_yaml_doc *doc;
		cr_assert_eq(weft_yaml_load_file(&doc, files[i], NULL, d), 0);
		cJSON *j = to_json(weft_yaml_doc_root(doc));
		char *errs = NULL;
		cr_assert_eq(weft_test_schema_check_doc(schema, j, &errs), 0, "%s: %s", files[i], errs);
		free(errs);
		/* the schema has teeth: an unknown scenario is refused */
		cJSON *load = cJSON_GetObjectItem(j, "load");
		if (load) {
			cJSON_DeleteItemFromObject(load, "scenario");
			cJSON_AddStringToObject(load, "scenario", "bursty");
			cr_assert_eq(weft_test_schema_check_doc(schema, j, &errs), 1, "%s", errs);
			cr_assert_not_null(strstr(errs, "/load/scenario: "), "%s", errs);
			free(errs);
		}
		cJSON_Delete(j);
		weft_yaml_doc_free(doc);
	}
}

Test(spec, model_stage_candidates_eval_and_softmax)
{
	weft_pipelines_spec *s = NULL;
	const char ok[] = "pipeline: p\nstages:\n"
			  "  - name: m\n"
			  "    model: {file: a.safetensors, activations: 'relu,none', softmax: true,\n"
			  "            candidates: [b.safetensors, /abs/c.safetensors], eval: data/eval.csv}\n";
	cr_assert_eq(load(&s, ok), 0);
	const weft_pipelines_model *m = &s->stages[0].model;
	cr_assert(m->softmax);
	cr_assert_str_eq(m->eval, WEFT_FIXTURES "/pipelines/data/eval.csv", "relative to the pipeline's folder");
	cr_assert_eq(m->n_candidates, 2);
	cr_assert_str_eq(m->candidates[0], WEFT_FIXTURES "/pipelines/b.safetensors");
	cr_assert_str_eq(m->candidates[1], "/abs/c.safetensors");
	weft_pipelines_spec_free(s);

	/* softmax alone would guess every layer's activation: refused, with the way out */
	const char bad[] = "pipeline: p\nstages:\n"
			   "  - name: m\n"
			   "    model: {file: a.safetensors, softmax: true, eval: [x], candidates: b}\n";
	s = NULL;
	cr_assert_eq(load(&s, bad), WEFT_EINVALID);
	dump();
	cr_assert(has(4, 43, "softmax needs activations"));
	cr_assert(has(4, 55, "expected a string"), "eval must be a file name");
	cr_assert(has(4, 72, "candidates: expected a sequence of files"));
	const char notbool[] = "pipeline: p\nstages:\n  - name: m\n    model: {file: a.safetensors, softmax: maybe}\n";
	cr_assert_eq(load(&s, notbool), WEFT_EINVALID);
	cr_assert(has(4, 43, "expected"));
}
