/* maxrate.c - --find-max-rate: the highest Poisson rate at which every
 * budget still holds, and its report.
 *
 * Design: each step is an ordinary server-scenario run, judged by the same
 * gate as `weft bench run`, so "holds" means exactly what a CI gate at that
 * rate would say. The search doubles (or halves) from the start rate to
 * bracket the answer, then bisects on the log scale, where equal steps are
 * equal ratios of load. An undecided step is not a pass: the rate reported
 * is one that was shown to hold at the pipeline's confidence, and the
 * first failing rate above it is reported beside it.
 */
#include <cjson/cJSON.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"

void weft_pipelines_rate_search_free(weft_pipelines_rate_search *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_steps; i++)
		free(s->steps[i].why);
	free(s->steps);
	free(s->pipeline);
	weft_pipelines_result_free(s->at_max);
	free(s);
}

int weft_pipelines_rate_search_gate(const weft_pipelines_rate_search *s)
{
	return s->max_rate > 0 ? WEFT_OK : WEFT_EGATE;
}

/* The first budget of r not met, as a phrase (malloc'd). */
static char *why_not(const weft_pipelines_result *r)
{
	weft_buf b = WEFT_BUF_INIT;
	for (size_t si = 0; si < r->n_series && !b.len; si++)
		for (size_t c = 0; c < r->series[si].n_checks && !b.len; c++) {
			const weft_pipelines_check *k = &r->series[si].checks[c];
			if (k->verdict == WEFT_VERDICT_MET)
				continue;
			char v[32], l[32];
			weft_pipelines_duration_format(v, sizeof v, k->at.value_ms, true);
			weft_pipelines_duration_format(l, sizeof l, k->budget.limit_ms, true);
			if (k->verdict == WEFT_VERDICT_BROKEN)
				weft_buf_printf(&b, "%s %s %s > %s", r->series[si].name, k->budget.label, v, l);
			else
				weft_buf_printf(&b, "%s %s %s, undecided against %s", r->series[si].name,
						k->budget.label, v, l);
		}
	if (!b.len && r->error_verdict != WEFT_VERDICT_MET)
		weft_buf_printf(&b, "error rate %s (%llu of %llu failed)", weft_pipelines_verdict_name(r->error_verdict),
				(unsigned long long)r->errors, (unsigned long long)r->measured);
	if (!b.len)
		weft_buf_puts(&b, "not decided");
	return weft_buf_detach(&b);
}

static uint64_t saved_min_queries(const weft_pipelines_spec *spec)
{
	return spec->load.min_queries + spec->load.warmup;
}

/* Run one step at rate; *res gets its result. */
static int step(weft_pipelines_rate_search *s, weft_pipelines_spec *spec, const weft_pipelines_rate_opts *o,
		double rate, const weft_pipelines_load *base, weft_pipelines_result **res, weft_diags *d)
{
	*res = NULL;
	weft_pipelines_rate_step *st = realloc(s->steps, (s->n_steps + 1) * sizeof *st);
	if (!st)
		return WEFT_ENOMEM;
	s->steps = st;
	if (o->on_step)
		o->on_step(o->run.progress_ctx, s->n_steps, rate);
	spec->load.rate = rate;
	spec->load.duration_ms = base->duration_ms;
	spec->load.max_duration_ms = base->max_duration_ms;
	/* long enough to send the queries asked for at this rate, so a low
	 * rate is not judged on queries it never had time to send */
	double need_ms = (double)saved_min_queries(spec) / rate * 1e3;
	if (need_ms > spec->load.duration_ms)
		spec->load.duration_ms = need_ms;
	if (spec->load.max_duration_ms < spec->load.duration_ms)
		spec->load.max_duration_ms = 4 * spec->load.duration_ms;
	weft_pipelines_run_opts ro = o->run;
	ro.samples = NULL;
	int err = weft_pipelines_run(res, spec, &ro, d);
	if (err)
		return err;
	weft_pipelines_rate_step *x = &s->steps[s->n_steps++];
	memset(x, 0, sizeof *x);
	x->rate = rate;
	x->holds = weft_pipelines_result_gate(*res, false) == WEFT_OK;
	x->verdict = x->holds ? WEFT_VERDICT_MET : (*res)->n_broken ? WEFT_VERDICT_BROKEN : WEFT_VERDICT_INCONCLUSIVE;
	x->measured = (*res)->measured;
	x->errors = (*res)->errors;
	const weft_pipelines_series *e = weft_pipelines_result_series(*res, "end-to-end");
	x->e2e_p99_ms = e && e->count ? e->pctl[3].value_ms : NAN;
	if (!x->holds && !(x->why = why_not(*res)))
		return WEFT_ENOMEM;
	return WEFT_OK;
}

/* Keep res as the best run so far when its step held; else free it. */
static void keep(weft_pipelines_rate_search *s, weft_pipelines_result *res)
{
	if (s->steps[s->n_steps - 1].holds && s->steps[s->n_steps - 1].rate >= s->max_rate) {
		weft_pipelines_result_free(s->at_max);
		s->at_max = res;
		s->max_rate = s->steps[s->n_steps - 1].rate;
	} else {
		weft_pipelines_result_free(res);
	}
}

int weft_pipelines_find_max_rate(weft_pipelines_rate_search **out, weft_pipelines_spec *spec,
				 const weft_pipelines_rate_opts *o, weft_diags *d)
{
	*out = NULL;
	weft_pipelines_rate_opts dflt;
	memset(&dflt, 0, sizeof dflt);
	if (!o)
		o = &dflt;
	double precision = o->precision > 0 ? o->precision : 0.05;
	size_t max_steps = o->max_steps ? o->max_steps : 16;
	double ceiling = o->ceiling > 0 ? o->ceiling : 1e6;
	double rate = o->start > 0 ? o->start : spec->load.rate > 0 ? spec->load.rate : 10;
	if (rate > ceiling)
		rate = ceiling;
	weft_pipelines_rate_search *s = calloc(1, sizeof *s);
	if (!s || !(s->pipeline = strdup(spec->name ? spec->name : "pipeline"))) {
		free(s);
		return WEFT_ENOMEM;
	}
	s->precision = precision;
	s->first_fail = NAN;
	s->confidence = spec->confidence;
	weft_pipelines_load saved = spec->load;
	spec->load.scenario = WEFT_SCENARIO_SERVER;
	if (!(spec->load.max_duration_ms > 0))
		spec->load.max_duration_ms = 4 * spec->load.duration_ms;
	weft_pipelines_load base = spec->load;

	int err = WEFT_OK;
	weft_pipelines_result *res;
	double lo = 0, hi = NAN; /* held at lo; did not hold at hi */
	unsigned halvings = 0;
	/* bracket: double while it holds, halve while it does not */
	while (!err && s->n_steps < max_steps) {
		err = step(s, spec, o, rate, &base, &res, d);
		if (err)
			break;
		bool held = s->steps[s->n_steps - 1].holds;
		keep(s, res);
		if (held) {
			lo = rate;
			if (rate >= ceiling) {
				s->at_ceiling = true;
				break;
			}
			if (isfinite(hi))
				break;
			rate = rate * 2 > ceiling ? ceiling : rate * 2;
		} else {
			hi = rate;
			if (lo > 0)
				break;
			/* ten halvings (1/1024 of the start) without a rate that holds, or
			 * a rate so low that sending min_queries would take over ten
			 * times the duration: give up */
			double next_ms = (double)(base.min_queries + base.warmup) / (rate / 2) * 1e3;
			if (++halvings > 10 || rate < 0.01 || next_ms > 10 * base.duration_ms)
				break;
			rate /= 2;
		}
	}
	/* bisect on the log scale */
	while (!err && lo > 0 && isfinite(hi) && hi / lo - 1 >= precision && s->n_steps < max_steps) {
		rate = sqrt(lo * hi);
		err = step(s, spec, o, rate, &base, &res, d);
		if (err)
			break;
		bool held = s->steps[s->n_steps - 1].holds;
		keep(s, res);
		if (held)
			lo = rate;
		else
			hi = rate;
	}
	spec->load = saved;
	if (err) {
		weft_pipelines_rate_search_free(s);
		return err;
	}
	s->first_fail = hi;
	*out = s;
	return WEFT_OK;
}

/* ---- report -------------------------------------------------------------------------- */

static void rate_text(char *buf, size_t n, double rate)
{
	char v[32];
	if (!isfinite(rate))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%s q/s", weft_pipelines_number_format(v, sizeof v, rate));
}

static void summary_line(weft_buf *b, const weft_pipelines_rate_search *s)
{
	char mr[48], ff[48];
	rate_text(mr, sizeof mr, s->max_rate);
	rate_text(ff, sizeof ff, s->first_fail);
	if (s->max_rate <= 0)
		weft_buf_printf(b, "max_rate: none: no rate tried held (the lowest, %s, did not)\n", ff);
	else if (s->at_ceiling)
		weft_buf_printf(b, "max_rate: %s (held at the ceiling; the search went no higher)\n", mr);
	else if (!isfinite(s->first_fail))
		weft_buf_printf(b, "max_rate: %s (the search ran out of steps before a rate failed)\n", mr);
	else
		weft_buf_printf(b, "max_rate: %s (last passing %s, first failing %s, %.1f%% apart; at %.0f%% confidence)\n",
				mr, mr, ff, 100.0 * (s->first_fail / s->max_rate - 1), 100.0 * s->confidence);
}

/* One step as a row: fmt takes the step number, rate, verdict, queries,
 * errors, end-to-end p99 and why, in that order (text or Markdown). */
static void step_row(weft_buf *b, const char *fmt, size_t i, const weft_pipelines_rate_step *x)
{
	char r[48], p[32];
	rate_text(r, sizeof r, x->rate);
	weft_buf_printf(b, fmt, i + 1, r, x->holds ? "holds" : weft_pipelines_verdict_name(x->verdict),
			(unsigned long long)x->measured, (unsigned long long)x->errors,
			weft_pipelines_duration_format(p, sizeof p, x->e2e_p99_ms, false), x->why ? x->why : "");
}

static void report_text(weft_buf *b, const weft_pipelines_rate_search *s)
{
	weft_buf_printf(b, "weft bench: %s - the highest Poisson rate at which every budget holds\n\n", s->pipeline);
	weft_buf_printf(b, "%-4s %-14s %-13s %10s %8s  %-12s  %s\n", "step", "rate", "verdict", "queries", "errors",
			"e2e p99", "why");
	for (size_t i = 0; i < s->n_steps; i++)
		step_row(b, "%-4zu %-14s %-13s %10llu %8llu  %-12s  %s\n", i, &s->steps[i]);
	weft_buf_putc(b, '\n');
	summary_line(b, s);
}

static void report_markdown(weft_buf *b, const weft_pipelines_rate_search *s)
{
	weft_buf_printf(b, "## weft bench: %s, highest rate that holds\n\n", s->pipeline);
	weft_buf_puts(b, "| step | rate | verdict | queries | errors | end-to-end p99 | why |\n|--:|--:|---|--:|--:|--:|---|\n");
	for (size_t i = 0; i < s->n_steps; i++)
		step_row(b, "| %zu | %s | %s | %llu | %llu | %s | %s |\n", i, &s->steps[i]);
	weft_buf_puts(b, "\n**");
	summary_line(b, s);
	if (b->len && b->ptr[b->len - 1] == '\n')
		b->len--;
	weft_buf_puts(b, "**\n");
}

static void num(cJSON *o, const char *k, double v)
{
	if (isfinite(v))
		cJSON_AddNumberToObject(o, k, v);
	else
		cJSON_AddNullToObject(o, k);
}

static void report_json(weft_buf *b, const weft_pipelines_rate_search *s, const weft_pipelines_report_opts *opts)
{
	cJSON *root = cJSON_CreateObject();
	cJSON_AddStringToObject(root, "format", "weft-bench-max-rate");
	cJSON_AddNumberToObject(root, "format_version", 1);
	cJSON_AddStringToObject(root, "pipeline", s->pipeline);
	num(root, "max_rate", s->max_rate > 0 ? s->max_rate : NAN);
	num(root, "last_passing", s->max_rate > 0 ? s->max_rate : NAN);
	num(root, "first_failing", s->first_fail);
	num(root, "precision", s->precision);
	num(root, "confidence", s->confidence);
	cJSON_AddBoolToObject(root, "at_ceiling", s->at_ceiling);
	cJSON *steps = cJSON_AddArrayToObject(root, "steps");
	for (size_t i = 0; i < s->n_steps; i++) {
		const weft_pipelines_rate_step *x = &s->steps[i];
		cJSON *o = cJSON_CreateObject();
		num(o, "rate", x->rate);
		cJSON_AddBoolToObject(o, "holds", x->holds);
		cJSON_AddStringToObject(o, "verdict", weft_pipelines_verdict_name(x->verdict));
		cJSON_AddNumberToObject(o, "measured", (double)x->measured);
		cJSON_AddNumberToObject(o, "errors", (double)x->errors);
		num(o, "end_to_end_p99_ms", x->e2e_p99_ms);
		if (x->why)
			cJSON_AddStringToObject(o, "why", x->why);
		else
			cJSON_AddNullToObject(o, "why");
		cJSON_AddItemToArray(steps, o);
	}
	if (s->at_max)
		cJSON_AddItemToObject(root, "at_max_rate", weft_pl_result_json(s->at_max, opts));
	else
		cJSON_AddNullToObject(root, "at_max_rate");
	cJSON_AddBoolToObject(root, "gate_passed", weft_pipelines_rate_search_gate(s) == WEFT_OK);
	weft_pl_put_json(b, root);
}

int weft_pipelines_rate_search_report(weft_buf *out, const weft_pipelines_rate_search *s,
				      weft_pipelines_format format, const weft_pipelines_report_opts *opts)
{
	switch (format) {
	case WEFT_REPORT_TEXT:
		report_text(out, s);
		break;
	case WEFT_REPORT_MARKDOWN:
		report_markdown(out, s);
		break;
	case WEFT_REPORT_JSON:
		report_json(out, s, opts);
		break;
	default:
		return WEFT_EINVALID;
	}
	return out->oom ? WEFT_ENOMEM : WEFT_OK;
}
