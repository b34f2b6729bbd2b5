/* test_pipelines_scenarios.c - LoadGen's multi-stream and offline scenarios.
 *
 * Multi-stream: a query is samples_per_query samples run at once, and its
 * latency is its slowest sample's. N samples of a fixed delay take about
 * that delay (not N times it); with a uniform delay on [a, b] the query's
 * q-quantile is the max of N uniforms', a + (b - a) q^(1/N), computed here
 * independently; the --samples rows show each query's latency as the max
 * of its samples'. Both engines: threads (delay stages) and the event loop
 * (http stages, a loopback server).
 *
 * Offline: M queries issued at once to K workers of a fixed delay take
 * about ceil(M/K) delays; the throughput is M over that, and the window
 * verdict follows from it, met or broken, with the exit code to match.
 *
 * ctest-labels: serial
 */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_run.h"
#include "httpd_test.h"
#include "json_schema.h"
#include "weft_pipelines.h"

TestSuite(scenarios, .timeout = 120);

static weft_pipelines_result *run_text(const char *text, const char *samples)
{
	weft_diags *d;
	weft_diags_new(&d);
	weft_pipelines_spec *s = NULL;
	weft_pipelines_result *r = NULL;
	weft_pipelines_run_opts o = { .samples = samples, .samples_force = true };
	int err = weft_pipelines_spec_load_buffer(&s, "t.yaml", ".", text, strlen(text), d);
	if (!err)
		err = weft_pipelines_run(&r, s, &o, d);
	for (size_t i = 0; i < weft_diags_count(d); i++)
		cr_log_info("%s", weft_diags_get(d, i)->message);
	weft_pipelines_spec_free(s);
	weft_diags_free(d);
	cr_assert_eq(err, 0, "%s", text);
	return r;
}

static const weft_pipelines_series *series(const weft_pipelines_result *r, const char *name)
{
	const weft_pipelines_series *s = weft_pipelines_result_series(r, name);
	cr_assert_not_null(s, "no series %s", name);
	return s;
}

/* The percentile labelled label of s. */
static const weft_pipelines_pctl *pctl(const weft_pipelines_series *s, const char *label)
{
	for (size_t p = 0; p < WEFT_PIPELINES_N_PCTL; p++)
		if (!strcmp(s->pctl[p].label, label))
			return &s->pctl[p];
	cr_assert_fail("no percentile %s", label);
	return NULL;
}

/* ---- multi-stream ------------------------------------------------------------- */

Test(scenarios, multi_stream_of_a_fixed_delay_takes_the_delay)
{
	weft_pipelines_result *r = run_text("pipeline: m\nstages: [{name: a, delay: 5ms}]\n"
					    "load: {scenario: multi-stream, samples_per_query: 4, duration: 50ms,\n"
					    "       min_queries: 40, warmup: 2}\n",
					    NULL);
	cr_assert_eq(r->load.scenario, WEFT_SCENARIO_MULTI_STREAM);
	cr_assert_eq(r->errors, 0);
	cr_assert_geq(r->measured, 40);
	cr_assert_eq(r->samples, 4 * r->measured);
	cr_assert_eq(r->workers, 4);
	const weft_pipelines_series *a = series(r, "a"), *e = series(r, "end-to-end");
	/* the stage series counts samples, the end-to-end series queries */
	cr_assert_eq(a->count, r->samples);
	cr_assert_eq(e->count, r->measured);
	cr_assert(a->exact && e->exact);
	cr_assert_eq(e->n_samples, r->measured);
	/* at once: about 5 ms a query, not 4 x 5 ms */
	cr_assert_geq(e->min_ms, 5.0);
	cr_assert_lt(pctl(e, "p50")->value_ms, 6.5, "p50 %.3f ms", pctl(e, "p50")->value_ms);
	/* one query at a time: about 200 q/s at most */
	cr_assert_leq(r->throughput_qps, 1000.0 / 5.0 * 1.01);
	cr_assert_gt(r->throughput_qps, 100.0);
	weft_pipelines_result_free(r);
}

Test(scenarios, multi_stream_latency_is_the_max_of_its_samples)
{
	char path[] = "/tmp/weft-ms-XXXXXX";
	int fd = mkstemp(path);
	cr_assert_geq(fd, 0);
	close(fd);
	/* uniform on [1 ms, 5 ms], 4 samples a query */
	const double lo = 1.0, hi = 5.0, n = 4;
	weft_pipelines_result *r = run_text("pipeline: m\nstages:\n"
					    "  - {name: a, delay: {distribution: uniform, min: 1ms, max: 5ms}}\n"
					    "load: {scenario: multi-stream, samples_per_query: 4, duration: 100ms,\n"
					    "       min_queries: 600, warmup: 5, seed: 11}\n",
					    path);
	cr_assert_eq(r->errors, 0);
	const weft_pipelines_series *a = series(r, "a"), *e = series(r, "end-to-end");
	/* the stage's own distribution in the stage series: median 3 ms */
	cr_assert_float_eq(pctl(a, "p50")->value_ms, 3.0, 0.25, "stage p50 %.3f", pctl(a, "p50")->value_ms);
	/* the query's: max of 4, F(x)^4; the harness adds a little on top */
	static const char *const labels[] = { "p50", "p90" };
	static const double qs[] = { 0.5, 0.9 };
	for (size_t i = 0; i < 2; i++) {
		double want = lo + (hi - lo) * pow(qs[i], 1.0 / n);
		const weft_pipelines_pctl *p = pctl(e, labels[i]);
		cr_assert(p->value_ms > want - 0.15 && p->value_ms < want + 0.4, "%s %.3f ms, max of 4: %.3f ms",
			  labels[i], p->value_ms, want);
	}
	/* the rows: one per sample, the query's latency in each, the max of
	 * its samples' spans from the query's issue */
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f);
	char line[512];
	cr_assert_not_null(fgets(line, sizeof line, f));
	cr_assert(!strncmp(line, "id,scheduled_ns,sent_ns,a_ns,end_to_end_ns", 42), "%s", line);
	unsigned long long id, sched, sent, ns, e2e, q_e2e = 0, q_id = UINT64_MAX, span_max = 0;
	uint64_t rows = 0, queries = 0, late = 0;
	while (fgets(line, sizeof line, f)) {
		cr_assert_eq(sscanf(line, "%llu,%llu,%llu,%llu,%llu", &id, &sched, &sent, &ns, &e2e), 5, "%s", line);
		rows++;
		if (id / 4 != q_id) {
			if (q_id != UINT64_MAX) {
				cr_assert_geq(q_e2e, span_max, "query %llu", q_id);
				cr_assert_lt(q_e2e - span_max, 1000000u, "query %llu: %llu ns vs its slowest %llu ns",
					     q_id, q_e2e, span_max);
			}
			q_id = id / 4;
			q_e2e = e2e;
			span_max = 0;
			queries++;
		}
		cr_assert_eq(e2e, q_e2e, "sample %llu: every sample carries its query's latency", id);
		cr_assert_geq(sent, sched);
		late += sent - sched > 1000000u; /* not sent at once (a thread woke late) */
		unsigned long long span = sent - sched + ns;
		if (span > span_max)
			span_max = span;
	}
	fclose(f);
	unlink(path);
	cr_assert(q_e2e >= span_max && q_e2e - span_max < 1000000u, "the last query");
	cr_assert_eq(rows, r->samples);
	cr_assert_eq(queries, r->measured);
	/* sent at once: nearly every sample within a millisecond of its query's issue */
	cr_assert_lt(late, rows / 20, "%llu of %llu samples sent over 1 ms late", (unsigned long long)late,
		     (unsigned long long)rows);
	weft_pipelines_result_free(r);
}

Test(scenarios, multi_stream_on_the_event_loop)
{
	weft_test_httpd *srv;
	cr_assert_eq(weft_test_httpd_start(&srv, 0), 0);
	char text[512];
	snprintf(text, sizeof text,
		 "pipeline: h\nstages: [{name: api, http: {url: 'http://127.0.0.1:%d/slow/20', timeout: 2s}}]\n"
		 "budget: {end_to_end: {p50: 1s}}\n"
		 "load: {scenario: multi-stream, samples_per_query: 4, duration: 50ms, min_queries: 12, warmup: 1}\n",
		 weft_test_httpd_port(srv));
	weft_pipelines_result *r = run_text(text, NULL);
	cr_assert_eq(r->errors, 0);
	cr_assert_geq(r->measured, 12);
	cr_assert_eq(r->samples, 4 * r->measured);
	const weft_pipelines_series *a = series(r, "api"), *e = series(r, "end-to-end");
	cr_assert_eq(a->count, r->samples);
	cr_assert_eq(e->count, r->measured);
	/* four 20 ms requests at once: about 20 ms, not 80 */
	cr_assert_geq(e->min_ms, 20.0);
	cr_assert_lt(pctl(e, "p50")->value_ms, 40.0, "p50 %.3f ms", pctl(e, "p50")->value_ms);
	cr_assert_geq(weft_test_httpd_requests(srv), (r->measured + 1) * 4);
	weft_pipelines_result_free(r);
	weft_test_httpd_stop(srv);
}

/* ---- offline ------------------------------------------------------------------- */

Test(scenarios, offline_issues_every_query_at_once)
{
	/* 42 queries on 4 workers of 10 ms: 11 rounds, about 110 ms */
	weft_pipelines_result *r = run_text("pipeline: o\nstages: [{name: a, delay: 10ms}]\n"
					    "load: {scenario: offline, concurrency: 4, min_queries: 42, warmup: 4}\n",
					    NULL);
	cr_assert_eq(r->measured, 42);
	cr_assert_eq(r->warmup_done, 4);
	cr_assert_eq(r->errors, 0);
	cr_assert(r->elapsed_s >= 0.110 && r->elapsed_s < 0.140, "elapsed %.4f s", r->elapsed_s);
	cr_assert_float_eq(r->throughput_qps, 42.0 / r->elapsed_s, 1e-9 * r->throughput_qps);
	/* latency from the start: the first wave about 10 ms, the last about 110 */
	const weft_pipelines_series *e = series(r, "end-to-end"), *a = series(r, "a");
	cr_assert(e->min_ms >= 10.0 && e->min_ms < 13.0, "min %.3f", e->min_ms);
	cr_assert(e->max_ms >= 110.0 && e->max_ms < 140.0, "max %.3f", e->max_ms);
	cr_assert_float_eq(e->max_ms, r->elapsed_s * 1e3, 0.01);
	/* the stage keeps each query's own time */
	cr_assert_lt(pctl(a, "p50")->value_ms, 10.5);
	/* the queries' own time, which the window's interval uses */
	cr_assert(r->service_mean_ms >= 10.0 && r->service_mean_ms < 11.5, "service %.3f", r->service_mean_ms);
	cr_assert(isnan(e->drift), "no drift test on latencies that rise by design");
	weft_pipelines_result_free(r);

	/* with a rate, the job is rate x duration (above min_queries) */
	r = run_text("pipeline: o\nstages: [{name: a, delay: 1ms}]\n"
		     "load: {scenario: offline, concurrency: 2, rate: 500, duration: 100ms, min_queries: 10, warmup: 0}\n",
		     NULL);
	cr_assert_eq(r->measured, 50);
	weft_pipelines_result_free(r);
}

/* Write text to a pipeline file in a fresh folder; returns the folder. */
static char *pipeline_file(const char *text)
{
	char *dir = strdup("/tmp/weft-off-XXXXXX");
	cr_assert_not_null(mkdtemp(dir));
	char path[256];
	snprintf(path, sizeof path, "%s/p.yaml", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
	return dir;
}

static void remove_dir(char *dir)
{
	char path[256];
	snprintf(path, sizeof path, "%s/p.yaml", dir);
	unlink(path);
	snprintf(path, sizeof path, "%s/r.json", dir);
	unlink(path);
	rmdir(dir);
	free(dir);
}

Test(scenarios, offline_window_met_and_broken_with_exit_codes)
{
	/* 4 workers x 5 ms, 10 rows a query: at most 8000 rows/s; 80 queries */
	static const char *const fmt = "pipeline: o\nstages: [{name: a, delay: 5ms}]\n"
				       "load: {scenario: offline, concurrency: 4, min_queries: 80, warmup: 4,\n"
				       "       rows: 8000, window: %s, rows_per_query: 10}\n";
	static const struct {
		const char *window;
		weft_pipelines_verdict v;
		int rc;
	} cases[] = {
		{ "3s", WEFT_VERDICT_MET, 0 },      /* 8000 rows take about 1 s */
		{ "500ms", WEFT_VERDICT_BROKEN, 1 }, /* and never less than 1 s */
	};
	for (size_t i = 0; i < 2; i++) {
		char text[512];
		snprintf(text, sizeof text, fmt, cases[i].window);
		weft_pipelines_result *r = run_text(text, NULL);
		cr_assert(r->has_window);
		cr_assert_leq(r->rows_per_s, 8000.0 * 1.001, "cannot beat 4 workers x 5 ms");
		cr_assert_gt(r->rows_per_s, 8000.0 * 0.8, "%.0f rows/s", r->rows_per_s);
		cr_assert_float_eq(r->rows_per_s, r->throughput_qps * 10.0, 1e-9 * r->rows_per_s);
		cr_assert_float_eq(r->projected_ms, 8000.0 / r->rows_per_s * 1e3, 1e-6 * r->projected_ms);
		cr_assert(r->projected_lo_ms <= r->projected_ms && r->projected_ms <= r->projected_hi_ms);
		cr_assert_eq(r->window_verdict, cases[i].v, "window %s: projected %.0f ms", cases[i].window,
			     r->projected_ms);
		weft_pipelines_result_free(r);

		char *dir = pipeline_file(text), *o, *e, args[512];
		snprintf(args, sizeof args, "bench run %s/p.yaml -q --json %s/r.json", dir, dir);
		int rc = weft_test_run(&o, &e, NULL, args);
		cr_assert_eq(rc, cases[i].rc, "window %s: exit %d\n%s%s", cases[i].window, rc, o, e);
		cr_assert(strstr(o, "offline, 4 workers, every query issued at once"), "%s", o);
		cr_assert(strstr(o, "batch window"), "%s", o);
		free(o);
		free(e);
		remove_dir(dir);
	}
}

/* ---- reports -------------------------------------------------------------------- */

static char *render(const weft_pipelines_result *r, weft_pipelines_format f)
{
	weft_buf b = WEFT_BUF_INIT;
	weft_pipelines_report_opts o = { .allow_inconclusive = true };
	cr_assert_eq(weft_pipelines_report(&b, r, f, &o), 0);
	return weft_buf_detach(&b);
}

Test(scenarios, reports_carry_samples_and_the_service_time)
{
	const char *schema = WEFT_FIXTURES "/../../docs/schemas/bench-report.schema.json";
	weft_pipelines_result *r = run_text("pipeline: m\nstages: [{name: a, delay: 1ms}]\n"
					    "load: {scenario: multi-stream, samples_per_query: 3, duration: 20ms,\n"
					    "       min_queries: 20, warmup: 0}\n",
					    NULL);
	char *json = render(r, WEFT_REPORT_JSON), *errs = NULL;
	cr_assert_eq(weft_test_schema_check(schema, json, &errs), 0, "%s", errs);
	free(errs);
	cJSON *doc = cJSON_Parse(json);
	const cJSON *lo = cJSON_GetObjectItem(doc, "load"), *q = cJSON_GetObjectItem(doc, "queries");
	cr_assert_str_eq(cJSON_GetObjectItem(lo, "scenario")->valuestring, "multi-stream");
	cr_assert_eq(cJSON_GetObjectItem(lo, "samples_per_query")->valuedouble, 3);
	cr_assert_eq((uint64_t)cJSON_GetObjectItem(q, "samples")->valuedouble, 3 * r->measured);
	cJSON_Delete(doc);
	free(json);
	char *text = render(r, WEFT_REPORT_TEXT), *md = render(r, WEFT_REPORT_MARKDOWN),
	     *html = render(r, WEFT_REPORT_HTML);
	char want[64];
	snprintf(want, sizeof want, "(%llu samples)", (unsigned long long)r->samples);
	cr_assert(strstr(text, "multi-stream, 3 samples per query") && strstr(text, want), "%s", text);
	cr_assert(strstr(md, "multi-stream, 3 samples per query"), "%s", md);
	cr_assert(strstr(html, "multi-stream, 3 samples per query"));
	free(text);
	free(md);
	free(html);
	weft_pipelines_result_free(r);

	r = run_text("pipeline: o\nstages: [{name: a, delay: 1ms}]\n"
		     "load: {scenario: offline, concurrency: 2, min_queries: 40, warmup: 0, rows: 400, window: 1s}\n",
		     NULL);
	json = render(r, WEFT_REPORT_JSON);
	cr_assert_eq(weft_test_schema_check(schema, json, &errs), 0, "%s", errs);
	free(errs);
	doc = cJSON_Parse(json);
	const cJSON *of = cJSON_GetObjectItem(doc, "offline");
	cr_assert_float_eq(cJSON_GetObjectItem(of, "service_mean_ms")->valuedouble, r->service_mean_ms, 1e-9);
	cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(of, "service_sd_ms")));
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "load"), "samples_per_query")));
	cJSON_Delete(doc);
	/* merged back, the window is judged on the same service time */
	weft_pipelines_result *m = NULL;
	const char *names[] = { "r.json" }, *texts[] = { json };
	weft_diags *d;
	weft_diags_new(&d);
	cr_assert_eq(weft_pipelines_result_merge_json(&m, names, texts, 1, d), 0);
	weft_diags_free(d);
	cr_assert_float_eq(m->service_mean_ms, r->service_mean_ms, 1e-9 * r->service_mean_ms);
	cr_assert_float_eq(m->projected_hi_ms, r->projected_hi_ms, 1e-6 * r->projected_hi_ms);
	cr_assert_eq(m->window_verdict, r->window_verdict);
	weft_pipelines_result_free(m);
	free(json);
	weft_pipelines_result_free(r);
}

Test(scenarios, samples_per_query_on_the_command_line)
{
	char *dir = pipeline_file("pipeline: c\nstages: [{name: a, delay: 1ms}]\n"
				  "load: {duration: 10ms, min_queries: 10, warmup: 0}\n");
	char args[512], *o, *e;
	/* samples per query without a scenario: multi-stream */
	snprintf(args, sizeof args, "bench run %s/p.yaml -q --samples-per-query 3", dir);
	int rc = weft_test_run(&o, &e, NULL, args);
	cr_assert(rc == 0 || rc == 1, "exit %d: %s", rc, e);
	cr_assert(strstr(o, "multi-stream, 3 samples per query"), "%s", o);
	free(o);
	free(e);
	snprintf(args, sizeof args, "bench run %s/p.yaml -q --samples-per-query 0", dir);
	cr_assert_eq(weft_test_run(&o, &e, NULL, args), 2);
	cr_assert(strstr(e, "--samples-per-query needs a whole number of at least 1"), "%s", e);
	free(o);
	free(e);
	snprintf(args, sizeof args, "bench run %s/p.yaml -q --scenario offline --samples-per-query 3", dir);
	cr_assert_eq(weft_test_run(&o, &e, NULL, args), 3);
	cr_assert(strstr(e, "samples_per_query only matters to the multi-stream scenario"), "%s", e);
	free(o);
	free(e);
	remove_dir(dir);
}
