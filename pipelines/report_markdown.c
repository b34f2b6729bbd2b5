/* report_markdown.c - the report as Markdown, for CI job summaries
 * (GitHub's $GITHUB_STEP_SUMMARY, GitLab merge-request notes).
 *
 * Design: the verdict first (a reviewer reads one line), then the same
 * table and budget lines as the text report. Cells with user text (stage
 * names come from the pipeline file) have '|' and backticks escaped.
 */
#include <math.h>
#include <string.h>

#include "report_int.h"

static void md_text(weft_buf *b, const char *s)
{
	for (; *s; s++) {
		if (strchr("|`*_<>[]\\", *s))
			weft_buf_putc(b, '\\');
		weft_buf_putc(b, *s);
	}
}

static const char *mark(weft_pipelines_verdict v)
{
	return v == WEFT_VERDICT_MET ? "\xe2\x9c\x85" : v == WEFT_VERDICT_BROKEN ? "\xe2\x9d\x8c" : "\xe2\x9a\xa0\xef\xb8\x8f";
}

void weft_pl_report_markdown(weft_buf *b, const weft_pipelines_result *r, const weft_pipelines_report_opts *o)
{
	const char *ov = weft_pl_overall(r);
	weft_pipelines_verdict v = !strcmp(ov, "pass") ? WEFT_VERDICT_MET
				   : !strcmp(ov, "fail") ? WEFT_VERDICT_BROKEN
							 : WEFT_VERDICT_INCONCLUSIVE;
	weft_buf_puts(b, "## weft bench: ");
	md_text(b, r->pipeline);
	weft_buf_printf(b, " %s %s\n\n", mark(v),
			!strcmp(ov, "pass") ? "**pass**" : !strcmp(ov, "fail") ? "**fail**" : "**inconclusive**");
	weft_buf_puts(b, "Scenario: ");
	weft_pl_scenario_line(b, r, false);
	char qps[40];
	weft_buf_printf(b, ". %llu queries measured (+%llu warm-up), %llu errors, %s q/s. "
			   "Intervals at %.0f%% confidence (distribution-free, from order statistics).\n\n",
			(unsigned long long)r->measured, (unsigned long long)r->warmup_done,
			(unsigned long long)r->errors, weft_pipelines_number_format(qps, sizeof qps, r->throughput_qps),
			100.0 * r->confidence);
	if (r->n_seconds >= 2) {
		weft_buf_puts(b, "Per second: ");
		weft_pl_seconds_sentence(b, r, false);
		weft_buf_puts(b, ".\n\n");
	}
	weft_buf_puts(b, "| stage | p50 | p90 | p99 | p99.9 | max | budget | share | verdict |\n");
	weft_buf_puts(b, "|---|---:|---:|---:|---:|---:|---|---:|---|\n");
	for (size_t i = 0; i < r->n_series; i++) {
		const weft_pipelines_series *s = &r->series[i];
		weft_buf_puts(b, "| ");
		if (s->is_e2e)
			weft_buf_puts(b, "**end-to-end**");
		else
			md_text(b, s->name);
		static const size_t cols[] = { 0, 1, 3, 4, 5 };
		for (size_t c = 0; c < 5; c++) {
			char cell[64];
			weft_buf_printf(b, " | %s", weft_pl_fmt_pctl(cell, sizeof cell, &s->pctl[cols[c]], false));
		}
		if (s->n_checks) {
			const weft_pipelines_check *k = &s->checks[s->n_checks - 1];
			char lim[32];
			weft_buf_printf(b, " | %s &le; %s", k->budget.label,
					weft_pl_fmt_ms(lim, sizeof lim, k->budget.limit_ms, false));
			double share = s->is_e2e ? NAN : weft_pl_budget_share(r, k);
			if (isfinite(share))
				weft_buf_printf(b, " | %.0f%%", 100.0 * share);
			else
				weft_buf_puts(b, " | ");
			bool any;
			weft_pipelines_verdict sv = weft_pl_series_verdict(s, &any);
			weft_buf_printf(b, " | %s %s |\n", mark(sv), weft_pipelines_verdict_name(sv));
		} else {
			weft_buf_puts(b, " | | | |\n");
		}
	}
	weft_buf_puts(b, "\n### Budgets\n\n");
	for (size_t i = 0; i < r->n_series; i++) {
		const weft_pipelines_series *s = &r->series[i];
		for (size_t c = 0; c < s->n_checks; c++) {
			const weft_pipelines_check *k = &s->checks[c];
			char lim[32];
			weft_buf_printf(b, "- %s **", mark(k->verdict));
			md_text(b, s->name);
			weft_buf_printf(b, " %s &le; %s**: %s; ", k->budget.label,
					weft_pl_fmt_ms(lim, sizeof lim, k->budget.limit_ms, false),
					weft_pipelines_verdict_name(k->verdict));
			weft_pl_check_sentence(b, r, k, false);
			weft_buf_puts(b, "\n");
		}
	}
	char eb[32];
	if (r->has_error_budget)
		weft_buf_printf(b, "- %s **error rate &le; %s%%**: %s; ", mark(r->error_verdict),
				weft_pipelines_number_format(eb, sizeof eb, 100.0 * r->error_budget),
				weft_pipelines_verdict_name(r->error_verdict));
	else
		weft_buf_printf(b, "- %s **errors (none allowed)**: %s; ", mark(r->error_verdict),
				weft_pipelines_verdict_name(r->error_verdict));
	weft_pl_error_sentence(b, r);
	weft_buf_puts(b, "\n");
	if (r->has_window) {
		weft_buf_printf(b, "- %s **batch window**: %s; ", mark(r->window_verdict),
				weft_pipelines_verdict_name(r->window_verdict));
		weft_pl_window_sentence(b, r, false);
		weft_buf_puts(b, "\n");
	}
	if (r->n_cmp) {
		weft_buf_printf(b,
				"\n### Baseline (%llu run%s; regression: slower by more than %.0f%%; run-to-run noise "
				"%.1f%%)\n\n",
				(unsigned long long)r->base_runs, r->base_runs == 1 ? "" : "s", 100.0 * r->max_regression,
				100.0 * r->run_noise);
		weft_buf_puts(b, "| series | percentile | baseline | this run | ratio | bounds | verdict |\n"
				 "|---|---|---:|---:|---:|---:|---|\n");
		for (size_t i = 0; i < r->n_cmp; i++) {
			const weft_pipelines_comparison *c = &r->cmp[i];
			for (size_t k = 0; k < c->n_pcts; k++) {
				const weft_pipelines_pctl_cmp *p = &c->pcts[k];
				char a[32], d[32];
				weft_buf_puts(b, "| ");
				md_text(b, c->name);
				weft_buf_printf(b, " | %s | %s | %s | ", p->label, weft_pl_fmt_ms(a, sizeof a, p->base_ms, false),
						weft_pl_fmt_ms(d, sizeof d, p->ms, false));
				if (isfinite(p->ratio))
					weft_buf_printf(b, "x%.3f | %.3f to %.3f | ", p->ratio, p->ratio_lo, p->ratio_hi);
				else
					weft_buf_puts(b, "- | - | ");
				weft_buf_printf(b, "%s%s |\n", p->verdict == WEFT_CMP_REGRESSION ? "\xe2\x9d\x8c " : "",
						weft_pipelines_cmp_name(p->verdict));
			}
		}
	}
	bool errors = false;
	for (size_t i = 0; i < r->n_series; i++)
		errors |= r->series[i].n_error_kinds > 0;
	if (errors) {
		weft_buf_puts(b, "\n### Errors\n\n");
		for (size_t i = 0; i < r->n_series; i++) {
			const weft_pipelines_series *s = &r->series[i];
			for (size_t k = 0; k < s->n_error_kinds; k++) {
				weft_buf_puts(b, "- ");
				md_text(b, s->name);
				weft_buf_puts(b, ": ");
				md_text(b, s->error_kinds[k].error);
				weft_buf_printf(b, " &times; %llu\n", (unsigned long long)s->error_kinds[k].count);
			}
		}
	}
	if (r->n_notes) {
		weft_buf_puts(b, "\n### Notes\n\n");
		for (size_t i = 0; i < r->n_notes; i++) {
			weft_buf_puts(b, "- ");
			md_text(b, r->notes[i]);
			weft_buf_puts(b, "\n");
		}
	}
	char om[32];
	weft_buf_printf(b, "\n<sub>weft %s &middot; harness overhead %s per query (mean)</sub>\n", weft_version(),
			weft_pipelines_duration_format(om, sizeof om, r->overhead_mean_us / 1e3, false));
}
