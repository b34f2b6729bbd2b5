/* report_junit.c - JUnit XML, so any CI shows each budget as a test.
 *
 * Design: one <testsuite> per run, one <testcase> per budget (stage and
 * end-to-end percentiles, the error rate, the batch window) and one per
 * baseline comparison. A broken budget or a regression is a <failure> whose
 * message carries the numbers; an inconclusive budget is a <failure> too,
 * unless inconclusive verdicts are allowed, when it is <skipped> with the
 * reason. The layout follows the common JUnit schema (the one Jenkins and
 * GitLab read); tests/fixtures/pipelines/junit.xsd is our own statement of
 * it and the tests validate against it with xmllint.
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

typedef struct {
	const char *classname;
	char name[160];
	int state; /* 0 pass, 1 failure, 2 skipped */
	const char *type;
	weft_buf message;
} tcase;

static void emit(weft_buf *b, tcase *t)
{
	weft_buf_puts(b, "    <testcase name=\"");
	weft_pl_put_xml(b, t->name);
	weft_buf_puts(b, "\" classname=\"");
	weft_pl_put_xml(b, t->classname);
	weft_buf_puts(b, "\" time=\"0\"");
	if (t->state == 0) {
		weft_buf_puts(b, "/>\n");
	} else if (t->state == 1) {
		weft_buf_puts(b, ">\n      <failure message=\"");
		weft_pl_put_xml(b, t->message.ptr ? t->message.ptr : "");
		weft_buf_printf(b, "\" type=\"%s\">", t->type);
		weft_pl_put_xml(b, t->message.ptr ? t->message.ptr : "");
		weft_buf_puts(b, "</failure>\n    </testcase>\n");
	} else {
		weft_buf_puts(b, ">\n      <skipped message=\"");
		weft_pl_put_xml(b, t->message.ptr ? t->message.ptr : "");
		weft_buf_puts(b, "\"/>\n    </testcase>\n");
	}
	weft_buf_free(&t->message);
}

static void from_verdict(tcase *t, weft_pipelines_verdict v, bool allow_inconclusive)
{
	if (v == WEFT_VERDICT_MET) {
		t->state = 0;
	} else if (v == WEFT_VERDICT_BROKEN) {
		t->state = 1;
		t->type = "budget-broken";
	} else {
		t->state = allow_inconclusive ? 2 : 1;
		t->type = "inconclusive";
	}
}

void weft_pl_report_junit(weft_buf *b, const weft_pipelines_result *r, const weft_pipelines_report_opts *o)
{
	bool allow = o && o->allow_inconclusive;
	/* build the cases first: the suite's counts come before them */
	size_t cap = 2 + r->n_cmp;
	for (size_t i = 0; i < r->n_series; i++)
		cap += r->series[i].n_checks;
	tcase *cases = calloc(cap, sizeof *cases);
	if (!cases) {
		b->oom = true;
		return;
	}
	weft_buf cls = WEFT_BUF_INIT;
	weft_buf_printf(&cls, "weft.bench.%s", r->pipeline);
	char **classnames = calloc(r->n_series + 1, sizeof *classnames);
	size_t n = 0;
	for (size_t i = 0; i < r->n_series && classnames; i++) {
		const weft_pipelines_series *s = &r->series[i];
		weft_buf cn = WEFT_BUF_INIT;
		weft_buf_printf(&cn, "weft.bench.%s.%s", r->pipeline, s->name);
		classnames[i] = weft_buf_detach(&cn);
		for (size_t c = 0; c < s->n_checks; c++) {
			const weft_pipelines_check *k = &s->checks[c];
			tcase *t = &cases[n++];
			char lim[32];
			t->classname = classnames[i] ? classnames[i] : "weft.bench";
			snprintf(t->name, sizeof t->name, "%s %s <= %s", s->name, k->budget.label,
				 weft_pl_fmt_ms(lim, sizeof lim, k->budget.limit_ms, true));
			from_verdict(t, k->verdict, allow);
			if (t->state) {
				weft_buf_printf(&t->message, "%s: ", weft_pipelines_verdict_name(k->verdict));
				weft_pl_check_sentence(&t->message, r, k, true);
				weft_buf_printf(&t->message, "; budget %s", lim);
			}
		}
	}
	{
		tcase *t = &cases[n++];
		t->classname = cls.ptr ? cls.ptr : "weft.bench";
		if (r->has_error_budget)
			snprintf(t->name, sizeof t->name, "error rate <= %.3g%%", 100.0 * r->error_budget);
		else
			snprintf(t->name, sizeof t->name, "no errors");
		from_verdict(t, r->error_verdict, allow);
		if (t->state) {
			weft_buf_printf(&t->message, "%s: ", weft_pipelines_verdict_name(r->error_verdict));
			weft_pl_error_sentence(&t->message, r);
		}
	}
	if (r->has_window) {
		tcase *t = &cases[n++];
		t->classname = cls.ptr ? cls.ptr : "weft.bench";
		snprintf(t->name, sizeof t->name, "batch of %llu rows fits its window",
			 (unsigned long long)r->load.rows);
		from_verdict(t, r->window_verdict, allow);
		if (t->state) {
			weft_buf_printf(&t->message, "%s: ", weft_pipelines_verdict_name(r->window_verdict));
			weft_pl_window_sentence(&t->message, r, true);
		}
	}
	for (size_t i = 0; i < r->n_cmp; i++) {
		const weft_pipelines_comparison *c = &r->cmp[i];
		tcase *t = &cases[n++];
		t->classname = cls.ptr ? cls.ptr : "weft.bench";
		snprintf(t->name, sizeof t->name, "%s no regression over %.0f%%", c->name, 100.0 * r->max_regression);
		if (c->verdict == WEFT_CMP_REGRESSION) {
			char a[32], d[32];
			t->state = 1;
			t->type = "regression";
			weft_buf_printf(&t->message, "regression: p50 %s -> %s (%+.1f%%), one-sided p = %.3g",
					weft_pl_fmt_ms(a, sizeof a, c->base_p50_ms, true),
					weft_pl_fmt_ms(d, sizeof d, c->p50_ms, true), 100.0 * c->change_p50,
					c->p_regression);
		} else if (c->verdict == WEFT_CMP_TOO_FEW) {
			t->state = 2;
			weft_buf_puts(&t->message, "too few samples to compare");
		}
	}
	size_t failures = 0, skipped = 0;
	for (size_t i = 0; i < n; i++) {
		failures += cases[i].state == 1;
		skipped += cases[i].state == 2;
	}
	char host[256] = "localhost";
	if (gethostname(host, sizeof host) != 0 || !host[0])
		snprintf(host, sizeof host, "localhost");
	host[sizeof host - 1] = '\0';
	weft_buf_puts(b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
	/* the Jenkins JUnit schema allows no skipped count on <testsuites>; the
	 * suite below carries it */
	weft_buf_printf(b, "<testsuites name=\"weft bench\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" "
			   "time=\"%.3f\">\n",
			n, failures, r->elapsed_s);
	weft_buf_puts(b, "  <testsuite name=\"");
	weft_pl_put_xml(b, r->pipeline);
	weft_buf_printf(b, "\" tests=\"%zu\" failures=\"%zu\" errors=\"0\" skipped=\"%zu\" time=\"%.3f\" "
			   "timestamp=\"%s\" hostname=\"",
			n, failures, skipped, r->elapsed_s, r->started_at);
	weft_pl_put_xml(b, host);
	weft_buf_puts(b, "\">\n    <properties>\n");
	struct {
		const char *k;
		char v[64];
	} props[6];
	size_t np = 0;
	props[np].k = "scenario";
	snprintf(props[np++].v, 64, "%s", weft_pipelines_scenario_name(r->load.scenario));
	props[np].k = "confidence";
	snprintf(props[np++].v, 64, "%g", r->confidence);
	props[np].k = "queries";
	snprintf(props[np++].v, 64, "%llu", (unsigned long long)r->measured);
	props[np].k = "errors";
	snprintf(props[np++].v, 64, "%llu", (unsigned long long)r->errors);
	props[np].k = "seed";
	snprintf(props[np++].v, 64, "%llu", (unsigned long long)r->load.seed);
	props[np].k = "weft_version";
	snprintf(props[np++].v, 64, "%s", weft_version());
	for (size_t i = 0; i < np; i++) {
		weft_buf_printf(b, "      <property name=\"%s\" value=\"", props[i].k);
		weft_pl_put_xml(b, props[i].v);
		weft_buf_puts(b, "\"/>\n");
	}
	weft_buf_puts(b, "    </properties>\n");
	for (size_t i = 0; i < n; i++)
		emit(b, &cases[i]);
	weft_buf_puts(b, "    <system-out>");
	for (size_t i = 0; i < r->n_notes; i++) {
		weft_pl_put_xml(b, r->notes[i]);
		weft_buf_putc(b, '\n');
	}
	weft_buf_puts(b, "</system-out>\n  </testsuite>\n</testsuites>\n");
	if (classnames)
		for (size_t i = 0; i < r->n_series; i++)
			free(classnames[i]);
	free(classnames);
	free(cases);
	weft_buf_free(&cls);
}
