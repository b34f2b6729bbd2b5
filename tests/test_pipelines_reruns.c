/* test_pipelines_reruns.c - the regression gate on real runs: an http stage
 * against a loopback server whose service time is known (tests/httpd_test.c,
 * /svc/US/TAIL/PM: US microseconds, TAIL for PM per thousand requests).
 *
 * A baseline of five runs merged (weft bench baseline merge: the spread
 * between them measures the run-to-run noise), then 20 reruns of the same pipeline and seed: at most
 * one may be flagged (the gate's alpha is 5%). Against the same baseline, a
 * server 20% slower and one whose tail is 4x longer at the same median
 * must be flagged, and one 3% slower must not be (threshold 5%). The
 * figures (flags, and the run-to-run spread of p50 and p99 that the reruns
 * show) are printed for docs/statistics.md.
 * Machine-dependent (a measurement, not a unit test): label "measure", run by
 * `make test-measure`, not by `make test` or CI; the CI-run statistics are in
 * test_pipelines_regress.c.
 * ctest-labels: measure
 */
#include <criterion/criterion.h>
#include <criterion/logging.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "httpd_test.h"
#include "weft_pipelines.h"

static weft_test_httpd *srv;
static weft_diags *d;

static void setup(void)
{
	cr_assert_eq(weft_test_httpd_start(&srv, 0), 0);
	weft_diags_new(&d);
}
static void teardown(void)
{
	weft_test_httpd_stop(srv);
	weft_diags_free(d);
}
TestSuite(reruns, .init = setup, .fini = teardown, .timeout = 600);

/* A run against /svc/<svc>: server scenario, 2000 q/s for 3 s. */
static weft_pipelines_result *run(const char *svc)
{
	char text[512];
	snprintf(text, sizeof text,
		 "pipeline: reruns\nstages:\n  - name: api\n    http: {url: 'http://127.0.0.1:%d/svc/%s', timeout: 2s}\n"
		 "    budget: {p99: 50ms}\n"
		 "load: {scenario: server, rate: 2000, concurrency: 16, duration: 3s, warmup: 400, seed: 7}\n",
		 weft_test_httpd_port(srv), svc);
	weft_pipelines_spec *s = NULL;
	cr_assert_eq(weft_pipelines_spec_load_buffer(&s, "reruns.yaml", ".", text, strlen(text), d), 0);
	weft_pipelines_result *r = NULL;
	cr_assert_eq(weft_pipelines_run(&r, s, NULL, d), 0);
	weft_pipelines_spec_free(s);
	cr_assert_eq(r->errors, 0, "the loopback server failed %llu queries", (unsigned long long)r->errors);
	cr_log_info("%s: p50 %.3f ms, p90 %.3f ms, p99 %.3f ms [%.3f, %.3f], max %.3f ms", svc, r->series[1].pctl[0].value_ms,
		    r->series[1].pctl[1].value_ms, r->series[1].pctl[3].value_ms, r->series[1].pctl[3].lo_ms,
		    r->series[1].pctl[3].hi_ms, r->series[1].max_ms);
	return r;
}

static char *json_of(const weft_pipelines_result *r)
{
	weft_buf b = WEFT_BUF_INIT;
	weft_pipelines_report_opts o = { false, false };
	cr_assert_eq(weft_pipelines_report(&b, r, WEFT_REPORT_JSON, &o), 0);
	return weft_buf_detach(&b);
}

/* Compare with base; true when a regression was found (and say which). */
static bool regressed(weft_pipelines_result *r, const char *base, const char *what)
{
	cr_assert_eq(weft_pipelines_baseline_compare_json(r, "base.json", base, 0.05, -1, d), 0);
	for (size_t i = 0; i < r->n_cmp; i++)
		for (size_t k = 0; k < r->cmp[i].n_pcts; k++) {
			const weft_pipelines_pctl_cmp *p = &r->cmp[i].pcts[k];
			cr_log_info("%s: %s %s x%.3f [%.3f, %.3f] %s", what, r->cmp[i].name, p->label, p->ratio,
				    p->ratio_lo, p->ratio_hi, weft_pipelines_cmp_name(p->verdict));
		}
	return r->n_regressions > 0;
}

#define BASE_SVC "1000/2000/30"

Test(reruns, identical_reruns_pass_and_real_slowdowns_fail)
{
	/* the baseline: five runs merged, so the run-to-run noise is measured */
	double l50[25], l99[25];
	char paths[5][64];
	const char *pp[5];
	for (int i = 0; i < 5; i++) {
		weft_pipelines_result *b = run(BASE_SVC);
		l50[i] = log(b->series[1].pctl[0].value_ms);
		l99[i] = log(b->series[1].pctl[3].value_ms);
		char *j = json_of(b);
		snprintf(paths[i], sizeof paths[i], "/tmp/weft-reruns-%d-%d.json", (int)getpid(), i);
		FILE *f = fopen(paths[i], "w");
		cr_assert_not_null(f);
		fputs(j, f);
		fclose(f);
		free(j);
		pp[i] = paths[i];
		weft_pipelines_result_free(b);
	}
	char *base = NULL;
	cr_assert_eq(weft_pipelines_baseline_merge(&base, pp, 5, d), 0);
	for (int i = 0; i < 5; i++)
		remove(paths[i]);
	int flagged = 0;
	for (int i = 0; i < 20; i++) {
		weft_pipelines_result *r = run(BASE_SVC);
		l50[i + 5] = log(r->series[1].pctl[0].value_ms);
		l99[i + 5] = log(r->series[1].pctl[3].value_ms);
		flagged += regressed(r, base, "rerun");
		weft_pipelines_result_free(r);
	}
	double m50 = 0, m99 = 0, v50 = 0, v99 = 0;
	for (int i = 0; i < 25; i++) {
		m50 += l50[i] / 25;
		m99 += l99[i] / 25;
	}
	for (int i = 0; i < 25; i++) {
		v50 += (l50[i] - m50) * (l50[i] - m50) / 24;
		v99 += (l99[i] - m99) * (l99[i] - m99) / 24;
	}
	cr_log_info("20 identical reruns: %d flagged; run-to-run sd of log p50 %.4f, of log p99 %.4f", flagged,
		    sqrt(v50), sqrt(v99));
	cr_expect_leq(flagged, 1, "%d of 20 identical reruns flagged", flagged);

	static const struct {
		const char *svc, *what;
		bool flag;
	} cases[] = {
		{ "1200/2400/30", "20% slower", true },
		{ "1000/8000/30", "4x the tail, same median", true },
		{ "1030/2060/30", "3% slower", false },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		weft_pipelines_result *r = run(cases[i].svc);
		bool f = regressed(r, base, cases[i].what);
		cr_log_info("%s: %s", cases[i].what, f ? "flagged" : "not flagged");
		cr_expect_eq(f, cases[i].flag, "%s: %s", cases[i].what, f ? "flagged" : "not flagged");
		weft_pipelines_result_free(r);
	}
	free(base);
}
