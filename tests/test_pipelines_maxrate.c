/* test_pipelines_maxrate.c - --find-max-rate finds the queueing bound.
 *
 * Two workers with a fixed 5 ms service time can serve at most 400 queries
 * a second; with Poisson arrivals the queue grows without bound as the rate
 * nears that, so an end-to-end p99 <= 50 ms (ten service times) must hold
 * well below it and fail at or above it. The search must land between 200
 * and 400 q/s, its last passing step must be the one reported, every step
 * above max_rate that was tried must have failed, and a pipeline that can
 * never meet its budget (p99 <= 1 ms behind a 5 ms stage) finds no rate and
 * fails the gate.
 *
 * ctest-labels: serial
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "weft_pipelines.h"

static weft_diags *d;
static void setup(void)
{
	weft_diags_new(&d);
}
static void teardown(void)
{
	for (size_t i = 0; i < weft_diags_count(d); i++)
		cr_log_info("%s", weft_diags_get(d, i)->message);
	weft_diags_free(d);
}
TestSuite(maxrate, .init = setup, .fini = teardown, .timeout = 240);

static weft_pipelines_rate_search *search(const char *text, double start)
{
	weft_pipelines_spec *s = NULL;
	cr_assert_eq(weft_pipelines_spec_load_buffer(&s, "t.yaml", ".", text, strlen(text), d), 0);
	weft_pipelines_rate_opts o;
	memset(&o, 0, sizeof o);
	o.start = start;
	weft_pipelines_rate_search *r = NULL;
	cr_assert_eq(weft_pipelines_find_max_rate(&r, s, &o, d), 0);
	/* the spec is given back as it was */
	cr_assert_eq(s->load.scenario, WEFT_SCENARIO_CONCURRENCY);
	weft_pipelines_spec_free(s);
	return r;
}

Test(maxrate, two_5ms_workers_hold_between_200_and_400)
{
	weft_pipelines_rate_search *r =
		search("pipeline: mdc\nstages: [{name: svc, delay: 5ms}]\n"
		       "budget: {end_to_end: {p99: 50ms}}\n"
		       "load: {scenario: concurrency, concurrency: 2, duration: 2s, warmup: 20, seed: 3}\n",
		       100);
	cr_log_info("max_rate %.1f first_fail %.1f steps %zu", r->max_rate, r->first_fail, r->n_steps);
	cr_assert_gt(r->max_rate, 200.0);
	cr_assert_lt(r->max_rate, 400.0);
	cr_assert(isfinite(r->first_fail));
	cr_assert_gt(r->first_fail, r->max_rate);
	cr_assert_lt(r->first_fail / r->max_rate - 1, r->precision + 1e-9);
	cr_assert_not_null(r->at_max);
	cr_assert_eq(weft_pipelines_result_gate(r->at_max, false), 0);
	cr_assert_eq(r->at_max->load.scenario, WEFT_SCENARIO_SERVER);
	cr_assert_eq(r->at_max->load.rate, r->max_rate);
	size_t held = 0;
	for (size_t i = 0; i < r->n_steps; i++) {
		const weft_pipelines_rate_step *x = &r->steps[i];
		if (x->rate > r->max_rate)
			cr_assert(!x->holds, "step %zu at %.1f q/s held above max_rate", i, x->rate);
		if (x->holds) {
			held++;
			cr_assert_leq(x->e2e_p99_ms, 50.0 * 1.001);
			cr_assert_null(x->why);
		} else {
			cr_assert_not_null(x->why);
		}
	}
	cr_assert_geq(held, 2);
	cr_assert_eq(weft_pipelines_rate_search_gate(r), 0);
	weft_buf b = WEFT_BUF_INIT;
	cr_assert_eq(weft_pipelines_rate_search_report(&b, r, WEFT_REPORT_TEXT, NULL), 0);
	cr_assert(strstr(b.ptr, "max_rate: ") && strstr(b.ptr, "first failing"), "%s", b.ptr);
	b.len = 0;
	cr_assert_eq(weft_pipelines_rate_search_report(&b, r, WEFT_REPORT_JSON, NULL), 0);
	cr_assert(strstr(b.ptr, "\"max_rate\"") && strstr(b.ptr, "\"first_failing\""));
	cr_assert_eq(weft_pipelines_rate_search_report(&b, r, WEFT_REPORT_JUNIT, NULL), WEFT_EINVALID);
	weft_buf_free(&b);
	weft_pipelines_rate_search_free(r);
}

Test(maxrate, a_budget_no_rate_meets_fails_the_gate)
{
	weft_pipelines_rate_search *r =
		search("pipeline: never\nstages: [{name: svc, delay: 5ms}]\n"
		       "budget: {end_to_end: {p99: 1ms}}\n"
		       "load: {scenario: concurrency, concurrency: 2, duration: 300ms, warmup: 0}\n",
		       40);
	cr_assert_eq(r->max_rate, 0);
	cr_assert_null(r->at_max);
	for (size_t i = 0; i < r->n_steps; i++)
		cr_assert(!r->steps[i].holds);
	cr_assert_eq(weft_pipelines_rate_search_gate(r), WEFT_EGATE);
	weft_pipelines_rate_search_free(r);
}
