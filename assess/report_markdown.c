/* report_markdown.c - the report as GitHub-flavoured Markdown, for wikis
 * and CI job summaries ($GITHUB_STEP_SUMMARY).
 *
 * Design choice: tables only where the data is tabular (dimensions, gaps,
 * disagreements) and every cell escaped (pipes, newlines, HTML, emphasis
 * markers), so text from a model or answers file cannot break the table or
 * inject markup into a wiki page.
 */
#include <stdlib.h>
#include <string.h>

#include "assess_int.h"

static void md(weft_buf *b, const char *s)
{
	assess_put_md(b, s);
}

static void dims_table(weft_buf *b, const weft_assess_result *r)
{
	const weft_assess_model *m = r->model;
	weft_buf_puts(b, "| Dimension | Score | Level | Coverage | To target | Capped by |\n"
			 "|---|---:|---|---:|---:|---|\n");
	for (size_t i = 0; i < r->n_dims; i++) {
		const weft_assess_dresult *dr = &r->dims[i];
		weft_buf_puts(b, "| ");
		md(b, dr->dim->title);
		if (dr->assessed) {
			weft_buf_printf(b, " | %.2f | %d ", dr->score, dr->level);
			md(b, weft_assess_level_name(m, dr->level));
			weft_buf_printf(b, " | %d%% | %d%% | ", assess_pct(dr->coverage),
					assess_pct(dr->percent_to_target));
			if (strcmp(dr->capped_by, "score") == 0)
				weft_buf_puts(b, "score");
			else {
				weft_buf_puts(b, "critical `");
				weft_buf_puts(b, dr->capped_by); /* ids are [a-z0-9._-] */
				weft_buf_puts(b, "`");
			}
			weft_buf_puts(b, " |\n");
		} else {
			weft_buf_printf(b, " | - | not assessed | %d%% | - | - |\n", assess_pct(dr->coverage));
		}
	}
	if (r->assessed) {
		weft_buf_printf(b, "| **Overall** | **%.2f** | **%d ", r->score, r->level);
		md(b, weft_assess_level_name(m, r->level));
		weft_buf_printf(b, "** | %d%% | %d%% | lowest dimension |\n\n", assess_pct(r->coverage),
				assess_pct(r->percent_to_target));
	} else {
		weft_buf_printf(b, "| **Overall** | - | not assessed | %d%% | - | - |\n\n",
				assess_pct(r->coverage));
	}
}

static void gaps(weft_buf *b, const weft_assess_result *r, size_t top)
{
	if (!r->n_gaps)
		return;
	size_t n = r->n_gaps < top ? r->n_gaps : top;
	weft_buf_printf(b, "## Top gaps to level %d\n\n", r->target);
	weft_buf_printf(b, "%zu of %zu, most weighted first. *Points*: how much closing the gap adds to "
			   "the overall progress to target.\n\n",
			n, r->n_gaps);
	weft_buf_puts(b, "| # | Question | Dimension | Level | Points | Improvement plan |\n"
			 "|---:|---|---|---|---:|---|\n");
	for (size_t i = 0; i < n; i++) {
		const weft_assess_qresult *qr = r->gaps[i].q;
		weft_buf_printf(b, "| %zu | `%s`%s: ", i + 1, qr->q->id, qr->q->critical ? " (critical)" : "");
		md(b, qr->q->text);
		weft_buf_puts(b, " | ");
		md(b, r->gaps[i].d->dim->title);
		weft_buf_printf(b, " | %d → %d | %.1f | ", qr->level, r->target, qr->points);
		md(b, qr->improve);
		weft_buf_puts(b, " |\n");
	}
	weft_buf_puts(b, "\n");
}

static void disagreements(weft_buf *b, const weft_assess_result *r)
{
	if (!r->n_disagreements)
		return;
	weft_buf_puts(b, "## Disagreements\n\nRespondents 2 or more levels apart; the median (low on "
			 "ties) is scored.\n\n| Question | Answers | Median |\n|---|---|---:|\n");
	for (size_t i = 0; i < r->n_disagreements; i++) {
		const weft_assess_qresult *qr = r->disagreements[i];
		weft_buf_printf(b, "| `%s` | ", qr->q->id);
		for (size_t k = 0; k < qr->n_votes; k++) {
			const weft_assess_vote *v = &qr->votes[k];
			if (k)
				weft_buf_puts(b, ", ");
			md(b, v->respondent);
			if (v->status == WEFT_ASSESS_ANSWERED)
				weft_buf_printf(b, " %d", v->level);
			else
				weft_buf_puts(b, v->status == WEFT_ASSESS_NA ? " na" : " -");
		}
		weft_buf_printf(b, " | %d |\n", qr->level);
	}
	weft_buf_puts(b, "\n");
}

int weft_assess_report_markdown(weft_buf *b, const weft_assess_result *r,
				const weft_assess_report_opts *opts)
{
	const weft_assess_model *m = r->model;
	size_t top = opts && opts->top_gaps ? opts->top_gaps : 5;
	weft_buf_puts(b, "# ");
	md(b, m->title);
	weft_buf_puts(b, ": ");
	md(b, r->unit ? r->unit : "(no answers)");
	weft_buf_puts(b, "\n\n");
	weft_buf_printf(b, "Model `%s` version ", m->id);
	md(b, m->version);
	if (r->n_sources) {
		weft_buf_puts(b, r->n_sources > 1 ? "; respondents: " : "; respondent: ");
		for (size_t i = 0; i < r->n_sources; i++) {
			if (i)
				weft_buf_puts(b, ", ");
			md(b, r->sources[i].respondent);
			if (r->sources[i].date) {
				weft_buf_puts(b, " (");
				md(b, r->sources[i].date);
				weft_buf_puts(b, ")");
			}
		}
	}
	weft_buf_puts(b, ".\n\n");
	if (r->assessed) {
		weft_buf_printf(b, "**Overall level %d ", r->level);
		md(b, weft_assess_level_name(m, r->level));
		weft_buf_printf(b, "**, score %.2f, coverage %d%%, %d%% of the way to level %d ", r->score,
				assess_pct(r->coverage), assess_pct(r->percent_to_target), r->target);
		md(b, weft_assess_level_name(m, r->target));
		weft_buf_printf(b, " (%s).\n\n", r->target_explicit ? "target set with --target"
								   : "one above the overall level");
	} else {
		weft_buf_puts(b, "**Nothing assessed**: no question has a level 1-5 answer.\n\n");
	}
	weft_buf_puts(b, "## Dimensions\n\n");
	dims_table(b, r);
	gaps(b, r, top);
	disagreements(b, r);
	if (r->n_unanswered) {
		weft_buf_printf(b, "## Not answered (%zu)\n\n", r->n_unanswered);
		for (size_t i = 0; i < r->n_unanswered; i++)
			weft_buf_printf(b, "%s`%s`", i ? ", " : "", r->unanswered[i]->q->id);
		weft_buf_puts(b, "\n");
	}
	return b->oom ? WEFT_ENOMEM : WEFT_OK;
}
