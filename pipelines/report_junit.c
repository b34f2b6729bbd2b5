/* report_junit.c - JUnit XML, so any CI shows each budget as a test.
 *
 * The layout is the one the Jenkins xunit plugin validates
 * (../shared/peer-suites/junit/junit-10.xsd, which the tests check it
 * against with xmllint) and that GitLab's JUnit report parser reads:
 *
 *   <testsuites name="weft bench" tests failures errors time>
 *     <testsuite name=PIPELINE tests failures errors skipped time timestamp
 *                hostname package="weft bench">
 *       <properties> the run's settings: pipeline, path, scenario, seed,
 *         rate, concurrency, duration, ..., weft_version, baseline </properties>
 *       <testcase classname=PIPELINE name="STAGE p99 <= 10.0 ms" time="0">
 *         <failure type="budget" message="p99 12.3 ms > budget 10.0 ms">
 *           the figures: estimate, CI, queries over, ...</failure>
 *       </testcase>
 *       ...
 *       <system-out>the run's notes</system-out>
 *     </testsuite>
 *   </testsuites>
 *
 * One <testcase> per budget (stage and end-to-end percentiles, the error
 * rate, the batch window) and one per baseline comparison. A broken budget
 * is a <failure type="budget">, a regression a <failure type="regression">;
 * an inconclusive budget is a <failure type="inconclusive"> (it fails the
 * gate), or <skipped type="inconclusive"> with --allow-inconclusive; a
 * comparison that could not be made is <skipped>. Message and body both
 * carry the numbers: Jenkins shows the message, GitLab the body.
 *
 * The schema's constraints kept here: <testsuites> takes only name, time,
 * tests, failures, errors (no skipped); <testsuite> requires name, tests,
 * failures, errors, and its time must be plain decimal seconds; <property>
 * requires name and value; <testcase> requires name. The timestamp is
 * Ant's (yyyy-MM-ddTHH:mm:ss, UTC, no zone); started_at keeps the zone.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report_int.h"

void weft_pl_put_xml(weft_buf *b, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': weft_buf_puts(b, "&amp;"); break;
		case '<': weft_buf_puts(b, "&lt;"); break;
		case '>': weft_buf_puts(b, "&gt;"); break;
		case '"': weft_buf_puts(b, "&quot;"); break;
		case '\'': weft_buf_puts(b, "&apos;"); break;
		default:
			if (c < 0x20 && c != '\t' && c != '\n' && c != '\r')
				weft_buf_putc(b, '?'); /* not allowed in XML 1.0 */
			else
				weft_buf_putc(b, (char)c);
		}
	}
}

enum { CASE_PASS, CASE_FAIL, CASE_SKIP };

typedef struct {
	char name[192];
	int state;
	const char *type;
	weft_buf message; /* one line: the figures against the budget */
	weft_buf body;    /* the detail, several lines */
} tcase;

static void emit(weft_buf *b, const char *classname, tcase *t)
{
	weft_buf_puts(b, "    <testcase classname=\"");
	weft_pl_put_xml(b, classname);
	weft_buf_puts(b, "\" name=\"");
	weft_pl_put_xml(b, t->name);
	weft_buf_puts(b, "\" time=\"0\"");
	if (t->state == CASE_PASS) {
		weft_buf_puts(b, "/>\n");
	} else {
		const char *tag = t->state == CASE_FAIL ? "failure" : "skipped";
		weft_buf_printf(b, ">\n      <%s type=\"%s\" message=\"", tag, t->type);
		weft_pl_put_xml(b, t->message.ptr ? t->message.ptr : "");
		weft_buf_puts(b, "\">");
		weft_pl_put_xml(b, t->body.ptr ? t->body.ptr : t->message.ptr);
		weft_buf_printf(b, "</%s>\n    </testcase>\n", tag);
	}
	weft_buf_free(&t->message);
	weft_buf_free(&t->body);
}

/* state and type from a verdict; inconclusive fails unless allowed */
static void from_verdict(tcase *t, weft_pipelines_verdict v, bool allow_inconclusive)
{
	if (v == WEFT_VERDICT_MET) {
		t->state = CASE_PASS;
	} else if (v == WEFT_VERDICT_BROKEN) {
		t->state = CASE_FAIL;
		t->type = "budget";
	} else {
		t->state = allow_inconclusive ? CASE_SKIP : CASE_FAIL;
		t->type = "inconclusive";
	}
}

static void check_case(tcase *t, const weft_pipelines_result *r, const weft_pipelines_series *s,
		       const weft_pipelines_check *k, bool allow)
{
	char lim[32], v[48] = "-";
	weft_pl_fmt_ms(lim, sizeof lim, k->budget.limit_ms, true);
	if (isfinite(k->at.value_ms))
		weft_pl_fmt_ms(v, sizeof v, k->at.value_ms, true);
	snprintf(t->name, sizeof t->name, "%s %s <= %s", s->name, k->budget.label, lim);
	from_verdict(t, k->verdict, allow);
	if (t->state == CASE_PASS)
		return;
	if (k->verdict == WEFT_VERDICT_BROKEN)
		weft_buf_printf(&t->message, "%s %s > budget %s", k->budget.label, v, lim);
	else if (!isfinite(k->at.value_ms))
		weft_buf_printf(&t->message, "%s not evaluated: no successful query (budget %s)", k->budget.label,
				lim);
	else
		weft_buf_printf(&t->message, "%s %s inconclusive against budget %s", k->budget.label, v, lim);
	weft_buf_printf(&t->body, "%s: %s: ", s->name, weft_pipelines_verdict_name(k->verdict));
	weft_pl_check_sentence(&t->body, r, k, true);
	weft_buf_printf(&t->body, "; budget %s\nqueries: %llu measured, %llu over the budget\n", lim,
			(unsigned long long)s->count, (unsigned long long)k->over);
}

static void error_case(tcase *t, const weft_pipelines_result *r, bool allow)
{
	char eb[32], er[32];
	weft_pipelines_number_format(eb, sizeof eb, 100.0 * (r->has_error_budget ? r->error_budget : 0.0));
	weft_pipelines_number_format(er, sizeof er, 100.0 * r->error_rate);
	if (r->has_error_budget)
		snprintf(t->name, sizeof t->name, "error rate <= %s%%", eb);
	else
		snprintf(t->name, sizeof t->name, "no errors");
	from_verdict(t, r->error_verdict, allow);
	if (t->state == CASE_PASS)
		return;
	if (r->error_verdict == WEFT_VERDICT_BROKEN)
		weft_buf_printf(&t->message, "error rate %s%% (%llu of %llu) > budget %s%%", er,
				(unsigned long long)r->errors, (unsigned long long)r->measured, eb);
	else
		weft_buf_printf(&t->message, "error rate %s%% (%llu of %llu) inconclusive against budget %s%%", er,
				(unsigned long long)r->errors, (unsigned long long)r->measured, eb);
	weft_buf_printf(&t->body, "%s: ", weft_pipelines_verdict_name(r->error_verdict));
	weft_pl_error_sentence(&t->body, r);
	weft_buf_putc(&t->body, '\n');
}

static void window_case(tcase *t, const weft_pipelines_result *r, bool allow)
{
	char p[32], w[32];
	snprintf(t->name, sizeof t->name, "batch of %llu rows <= %s", (unsigned long long)r->load.rows,
		 weft_pl_fmt_ms(w, sizeof w, r->load.window_ms, true));
	from_verdict(t, r->window_verdict, allow);
	if (t->state == CASE_PASS)
		return;
	weft_pl_fmt_ms(p, sizeof p, r->projected_ms, true);
	weft_buf_printf(&t->message, "batch %s %s window %s", p,
			r->window_verdict == WEFT_VERDICT_BROKEN ? ">" : "inconclusive against", w);
	weft_buf_printf(&t->body, "%s: ", weft_pipelines_verdict_name(r->window_verdict));
	weft_pl_window_sentence(&t->body, r, true);
	weft_buf_putc(&t->body, '\n');
}

static void cmp_case(tcase *t, const weft_pipelines_result *r, const weft_pipelines_comparison *c,
		     const weft_pipelines_pctl_cmp *p)
{
	char a[32], d[32];
	snprintf(t->name, sizeof t->name, "%s %s no regression over %.0f%% (baseline)", c->name, p->label,
		 100.0 * r->max_regression);
	weft_pl_fmt_ms(a, sizeof a, p->base_ms, true);
	weft_pl_fmt_ms(d, sizeof d, p->ms, true);
	if (p->verdict == WEFT_CMP_REGRESSION) {
		t->state = CASE_FAIL;
		t->type = "regression";
		weft_buf_printf(&t->message, "%s %s > baseline %s (x%.3f, at least x%.3f; allowed %.0f%%)", p->label, d,
				a, p->ratio, p->ratio_lo, 100.0 * r->max_regression);
	} else if (p->verdict == WEFT_CMP_TOO_FEW || p->verdict == WEFT_CMP_NONE) {
		t->state = CASE_SKIP;
		t->type = "not-compared";
		weft_buf_printf(&t->message, "not compared: %s",
				p->verdict == WEFT_CMP_TOO_FEW ? "too few queries on one side for an interval"
							       : "no matching series in the baseline");
	} else {
		t->state = CASE_PASS;
		return;
	}
	weft_buf_printf(&t->body, "%s: %s %s -> %s, ratio %.3f, one-sided bounds [%.3f, %.3f]; run-to-run "
				  "noise %.1f%%; baseline %llu queries in %llu run%s (%s)\n",
			weft_pipelines_cmp_name(p->verdict), p->label, a, d, p->ratio, p->ratio_lo, p->ratio_hi,
			100.0 * r->run_noise, (unsigned long long)c->base_count, (unsigned long long)r->base_runs,
			r->base_runs == 1 ? "" : "s", r->baseline_path ? r->baseline_path : "-");
}

/* decimal seconds as junit-10.xsd's SUREFIRE_TIME wants them */
static double seconds(double s)
{
	return isfinite(s) && s > 0 ? s : 0.0;
}

static void prop(weft_buf *b, const char *name, const char *value)
{
	weft_buf_puts(b, "      <property name=\"");
	weft_pl_put_xml(b, name);
	weft_buf_puts(b, "\" value=\"");
	weft_pl_put_xml(b, value ? value : "");
	weft_buf_puts(b, "\"/>\n");
}

static void propf(weft_buf *b, const char *name, const char *fmt, ...) WEFT_PRINTF(3, 4);
static void propf(weft_buf *b, const char *name, const char *fmt, ...)
{
	char v[128];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(v, sizeof v, fmt, ap);
	va_end(ap);
	prop(b, name, v);
}

static void properties(weft_buf *b, const weft_pipelines_result *r, bool allow)
{
	const weft_pipelines_load *l = &r->load;
	char t[32];
	weft_buf_puts(b, "    <properties>\n");
	prop(b, "weft_version", weft_version());
	prop(b, "pipeline", r->pipeline);
	if (r->path)
		prop(b, "path", r->path);
	if (r->pattern)
		prop(b, "pattern", r->pattern);
	prop(b, "started_at", r->started_at);
	prop(b, "scenario", weft_pipelines_scenario_name(l->scenario));
	propf(b, "seed", "%llu", (unsigned long long)l->seed);
	if (l->scenario == WEFT_SCENARIO_SERVER)
		propf(b, "rate", "%s q/s", weft_pipelines_number_format(t, sizeof t, l->rate));
	else
		prop(b, "rate", "none"); /* only the server scenario sends at a rate */
	if (l->concurrency)
		propf(b, "concurrency", "%zu", l->concurrency);
	prop(b, "duration", weft_pipelines_duration_format(t, sizeof t, l->duration_ms, true));
	if (l->max_duration_ms > 0)
		prop(b, "max_duration", weft_pipelines_duration_format(t, sizeof t, l->max_duration_ms, true));
	propf(b, "min_queries", "%llu", (unsigned long long)l->min_queries);
	propf(b, "warmup", "%llu", (unsigned long long)l->warmup);
	if (l->rows)
		propf(b, "rows", "%llu", (unsigned long long)l->rows);
	propf(b, "confidence", "%g", r->confidence);
	propf(b, "allow_inconclusive", "%s", allow ? "true" : "false");
	propf(b, "workers", "%zu", r->workers);
	propf(b, "queries", "%llu", (unsigned long long)r->measured);
	propf(b, "errors", "%llu", (unsigned long long)r->errors);
	propf(b, "elapsed_s", "%.3f", seconds(r->elapsed_s));
	propf(b, "throughput_qps", "%s",
	      weft_pipelines_number_format(t, sizeof t, isfinite(r->throughput_qps) ? r->throughput_qps : 0.0));
	prop(b, "baseline", r->baseline_path ? r->baseline_path : "none");
	if (r->baseline_path)
		propf(b, "max_regression", "%g%%", 100.0 * r->max_regression); /* as given: 5, 2.5 */
	weft_buf_puts(b, "    </properties>\n");
}

void weft_pl_report_junit(weft_buf *b, const weft_pipelines_result *r, const weft_pipelines_report_opts *o)
{
	bool allow = o && o->allow_inconclusive;
	/* build the cases first: the suite's counts come before them */
	size_t cap = 2;
	for (size_t i = 0; i < r->n_cmp; i++)
		cap += r->cmp[i].n_pcts;
	for (size_t i = 0; i < r->n_series; i++)
		cap += r->series[i].n_checks;
	tcase *cases = calloc(cap, sizeof *cases);
	if (!cases) {
		b->oom = true;
		return;
	}
	size_t n = 0;
	for (size_t i = 0; i < r->n_series; i++)
		for (size_t c = 0; c < r->series[i].n_checks; c++)
			check_case(&cases[n++], r, &r->series[i], &r->series[i].checks[c], allow);
	error_case(&cases[n++], r, allow);
	if (r->has_window)
		window_case(&cases[n++], r, allow);
	for (size_t i = 0; i < r->n_cmp; i++)
		for (size_t k = 0; k < r->cmp[i].n_pcts; k++)
			cmp_case(&cases[n++], r, &r->cmp[i], &r->cmp[i].pcts[k]);
	size_t failures = 0, skipped = 0;
	for (size_t i = 0; i < n; i++) {
		failures += cases[i].state == CASE_FAIL;
		skipped += cases[i].state == CASE_SKIP;
	}
	char host[256] = "localhost";
	if (gethostname(host, sizeof host) != 0 || !host[0])
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = '\0';
	/* Ant's timestamp: the UTC time without its zone letter */
	char stamp[32];
	snprintf(stamp, sizeof stamp, "%s", r->started_at);
	size_t sl = strlen(stamp);
	if (sl && stamp[sl - 1] == 'Z')
		stamp[sl - 1] = '\0';
	const char *pipeline = r->pipeline && r->pipeline[0] ? r->pipeline : "pipeline";
	double secs = seconds(r->elapsed_s);
	weft_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	weft_buf_printf(b, "<testsuites name=\"weft bench\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
			   "time=\"%.3f\">\n",
			n, failures, secs);
	weft_buf_puts(b, "  <testsuite name=\"");
	weft_pl_put_xml(b, pipeline);
	weft_buf_printf(b, "\" package=\"weft bench\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" "
			   "time=\"%.3f\" timestamp=\"",
			n, failures, skipped, secs);
	weft_pl_put_xml(b, stamp);
	weft_buf_puts(b, "\" hostname=\"");
	weft_pl_put_xml(b, host);
	weft_buf_puts(b, "\">\n");
	properties(b, r, allow);
	for (size_t i = 0; i < n; i++)
		emit(b, pipeline, &cases[i]);
	weft_buf_puts(b, "    <system-out>");
	for (size_t i = 0; i < r->n_notes; i++) {
		weft_pl_put_xml(b, r->notes[i]);
		weft_buf_putc(b, '\n');
	}
	weft_buf_puts(b, "</system-out>\n  </testsuite>\n</testsuites>\n");
	free(cases);
}
