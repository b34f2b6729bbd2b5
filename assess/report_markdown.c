/* report_markdown.c - the report as GitHub-flavoured Markdown, for wikis
 * and CI job summaries ($GITHUB_STEP_SUMMARY).
 *
 * Design choice: tables only where the data is tabular (dimensions, gaps,
 * disagreements, respondents, weight changes) and every cell escaped
 * (pipes, newlines, HTML, emphasis markers), so text from a model or
 * answers file cannot break the table or inject markup into a wiki page. A
 * dimension without a level says "not rated" or "out of scope" with the
 * reason from weft_assess_explain, never a number that looks like a level.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "assess_int.h"


static void explain(weft_buf *b, const weft_assess_result *r, const weft_assess_dresult *dr)
{
	weft_buf e = WEFT_BUF_INIT;
	weft_assess_explain(&e, r, dr);
	if (e.oom)
		b->oom = true;
	else
		assess_put_md_text(b, e.ptr ? e.ptr : "");
	weft_buf_free(&e);
}

/* An id or file name in a code span, where backslash escapes do not work:
 * only when it is made of [A-Za-z0-9._-] (ids always are: the loader
 * checks); anything else is escaped text instead. */
static void code(weft_buf *b, const char *id)
{
	const char *s = id ? id : "";
	bool plain = *s != '\0';
	for (const char *p = s; *p && plain; p++)
		plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
			*p == '.' || *p == '_' || *p == '-';
	if (!plain) {
		assess_put_md_text(b, s);
		return;
	}
	weft_buf_puts(b, "`");
	weft_buf_puts(b, s);
	weft_buf_puts(b, "`");
}

static bool holds_overall(const weft_assess_result *r, const weft_assess_dresult *dr)
{
	return r->rated && dr->rated && dr->level == r->level;
}

static void dims_table(weft_buf *b, const weft_assess_result *r)
{
	const weft_assess_model *m = r->model;
	weft_buf_puts(b, "| Dimension | Weight | Score | Level | Coverage | To target | How the level is set |\n"
			 "|---|---:|---:|---|---:|---:|---|\n");
	for (size_t i = 0; i < r->n_dims; i++) {
		const weft_assess_dresult *dr = &r->dims[i];
		bool holds = holds_overall(r, dr);
		weft_buf_puts(b, holds ? "| **" : "| ");
		assess_put_md_text(b, dr->dim->title);
		weft_buf_puts(b, holds ? "** (holds the overall level)" : "");
		weft_buf_printf(b, " | %g | ", dr->weight);
		if (dr->scored)
			weft_buf_printf(b, "%.2f", dr->score);
		else
			weft_buf_puts(b, "-");
		weft_buf_puts(b, " | ");
		if (dr->rated) {
			weft_buf_printf(b, "%d ", dr->level);
			assess_put_md_text(b, weft_assess_level_name(m, dr->level));
		} else {
			weft_buf_puts(b, dr->in_scope ? "not rated" : "out of scope");
		}
		if (dr->in_scope)
			weft_buf_printf(b, " | %d%% | ", assess_pct(dr->coverage));
		else
			weft_buf_puts(b, " | - | ");
		if (dr->scored)
			weft_buf_printf(b, "%d%%", assess_pct(dr->percent_to_target));
		else
			weft_buf_puts(b, "-");
		weft_buf_puts(b, " | ");
		explain(b, r, dr);
		weft_buf_puts(b, " |\n");
	}
	weft_buf_puts(b, "| **Overall** | | ");
	if (r->scored)
		weft_buf_printf(b, "**%.2f**", r->score);
	else
		weft_buf_puts(b, "-");
	weft_buf_puts(b, " | ");
	if (r->rated) {
		weft_buf_printf(b, "**%d ", r->level);
		assess_put_md_text(b, weft_assess_level_name(m, r->level));
		weft_buf_puts(b, "**");
	} else {
		weft_buf_puts(b, "not rated");
	}
	weft_buf_printf(b, " | %d%% | ", assess_pct(r->coverage));
	if (r->scored)
		weft_buf_printf(b, "%d%%", assess_pct(r->percent_to_target));
	else
		weft_buf_puts(b, "-");
	weft_buf_puts(b, " | ");
	explain(b, r, NULL);
	weft_buf_puts(b, " |\n\n");
}

static void gaps(weft_buf *b, const weft_assess_result *r, size_t top)
{
	if (!r->n_gaps)
		return;
	size_t n = r->n_gaps < top ? r->n_gaps : top;
	weft_buf_printf(b, "## Top gaps to level %d\n\n", r->target);
	weft_buf_printf(b, "%zu of %zu: first what unlocks the next level, then by points. *Points*: how "
			   "much closing the gap adds to the overall progress to target.\n\n",
			n, r->n_gaps);
	weft_buf_puts(b, "| # | Question | Dimension | Level | Points | Improvement plan |\n"
			 "|---:|---|---|---|---:|---|\n");
	for (size_t i = 0; i < n; i++) {
		const weft_assess_qresult *qr = r->gaps[i].q;
		weft_buf_printf(b, "| %zu | ", i + 1);
		code(b, qr->q->id);
		if (qr->q->critical || qr->holds_level)
			weft_buf_printf(b, " (%s%s%s)", qr->q->critical ? "critical" : "",
					qr->q->critical && qr->holds_level ? ", " : "",
					qr->holds_level ? "**unlocks next level**" : "");
		weft_buf_puts(b, ": ");
		assess_put_md_text(b, qr->q->text);
		weft_buf_puts(b, " | ");
		assess_put_md_text(b, r->gaps[i].d->dim->title);
		weft_buf_printf(b, " | %d → %d | %.1f | ", qr->level, r->target, qr->points);
		assess_put_md_text(b, qr->improve);
		weft_buf_puts(b, " |\n");
	}
	weft_buf_puts(b, "\n");
}

static void disagreements(weft_buf *b, const weft_assess_result *r)
{
	if (!r->n_disagreements)
		return;
	weft_buf_puts(b, "## Disagreements\n\nRespondents 2 or more levels apart, or na against a level; "
			 "the median (low on ties) is scored.\n\n| Question | Answers | Scored |\n|---|---|---:|\n");
	for (size_t i = 0; i < r->n_disagreements; i++) {
		const weft_assess_qresult *qr = r->disagreements[i];
		weft_buf_puts(b, "| ");
		code(b, qr->q->id);
		weft_buf_puts(b, " | ");
		for (size_t k = 0; k < qr->n_votes; k++) {
			const weft_assess_vote *v = &qr->votes[k];
			if (k)
				weft_buf_puts(b, ", ");
			assess_put_md_text(b, v->respondent);
			if (v->out_of_scope)
				weft_buf_puts(b, " out of scope");
			else if (v->status == WEFT_ASSESS_ANSWERED)
				weft_buf_printf(b, " %d", v->level);
			else
				weft_buf_puts(b, v->status == WEFT_ASSESS_NA ? " na" : " -");
		}
		if (qr->status == WEFT_ASSESS_ANSWERED)
			weft_buf_printf(b, " | %d |\n", qr->level);
		else
			weft_buf_printf(b, " | %s |\n", qr->status == WEFT_ASSESS_NA ? "na" : "-");
	}
	weft_buf_puts(b, "\n");
}

static void provenance(weft_buf *b, const weft_assess_result *r, const weft_assess_report_opts *o)
{
	const weft_assess_model *m = r->model;
	weft_buf_puts(b, "## How this was scored\n\n- **Model**: ");
	code(b, m->id);
	weft_buf_puts(b, " version ");
	assess_put_md_text(b, m->version);
	weft_buf_puts(b, " (");
	assess_put_md_text(b, m->title);
	weft_buf_printf(b, "), sha256 `%s`\n", m->sha256);
	weft_buf_printf(b, "- **Minimum coverage**: %d%% of a dimension's applicable weight answered to "
			   "rate it",
			assess_pct(r->min_coverage));
	if (fabs(r->min_coverage - m->min_coverage) > 1e-9)
		weft_buf_printf(b, " (set with --min-coverage; the model's own is %d%%)",
				assess_pct(m->min_coverage));
	else
		weft_buf_puts(b, " (the model's own)");
	weft_buf_puts(b, "; unanswered questions count as level 1\n- **Weights**: ");
	if (r->weights_name) {
		code(b, r->weights_name);
		weft_buf_printf(b, ", sha256 `%s`", r->weights_sha256 ? r->weights_sha256 : "");
		if (!r->n_weight_changes)
			weft_buf_puts(b, "; it changes no weight of the model");
		else
			weft_buf_puts(b, ", which changes:");
		for (size_t i = 0; i < r->n_weight_changes; i++) {
			const weft_assess_weight_change *c = &r->weight_changes[i];
			weft_buf_printf(b, "\n  - %s ", c->dimension ? "dimension" : "question");
			code(b, c->id);
			weft_buf_printf(b, ": %g -> %g", c->from, c->to);
		}
		weft_buf_puts(b, "\n");
	} else {
		weft_buf_puts(b, "the model's own weights\n");
	}
	weft_buf_puts(b, "- **Scope**:");
	size_t n_out = 0;
	for (size_t i = 0; i < r->n_dims; i++)
		n_out += !r->dims[i].in_scope;
	if (!n_out)
		weft_buf_puts(b, " every dimension in scope");
	for (size_t i = 0; i < r->n_dims; i++) {
		const weft_assess_dresult *dr = &r->dims[i];
		if (dr->in_scope)
			continue;
		weft_buf_puts(b, "\n  - ");
		assess_put_md_text(b, dr->dim->title);
		weft_buf_puts(b, " (");
		code(b, dr->dim->id);
		weft_buf_puts(b, "): ");
		explain(b, r, dr);
	}
	weft_buf_printf(b, "\n- **Target**: level %d ", r->target);
	assess_put_md_text(b, weft_assess_level_name(m, r->target));
	weft_buf_puts(b, ", ");
	assess_target_from(b, r);
	weft_buf_puts(b, "\n");
	if (o && (o->generator || o->generated_at)) {
		weft_buf_puts(b, "- **Generated**:");
		if (o->generator) {
			weft_buf_puts(b, " by ");
			assess_put_md_text(b, o->generator);
		}
		if (o->generated_at) {
			weft_buf_puts(b, " at ");
			assess_put_md_text(b, o->generated_at);
		}
		weft_buf_puts(b, "\n");
	}
	weft_buf_puts(b, "\n");
	if (r->n_sources) {
		weft_buf_printf(b, "### Respondents (%zu)\n\n| Respondent | Date | File | sha256 | Migrated from |\n"
				   "|---|---|---|---|---|\n",
				r->n_sources);
		for (size_t i = 0; i < r->n_sources; i++) {
			const weft_assess_source *s = &r->sources[i];
			weft_buf_puts(b, "| ");
			assess_put_md_text(b, s->respondent);
			weft_buf_puts(b, " | ");
			assess_put_md_text(b, s->date ? s->date : "-");
			weft_buf_puts(b, " | ");
			assess_put_md_text(b, s->path ? s->path : "-");
			if (s->sha256 && *s->sha256)
				weft_buf_printf(b, " | `%s` | ", s->sha256);
			else
				weft_buf_puts(b, " | - | ");
			if (s->migrated_from) {
				weft_buf_puts(b, "model version ");
				assess_put_md_text(b, s->migrated_from);
			} else {
				weft_buf_puts(b, "-");
			}
			weft_buf_puts(b, " |\n");
		}
		weft_buf_puts(b, "\n");
	}
	if (r->n_notes) {
		weft_buf_puts(b, "### Notes\n\n");
		for (size_t i = 0; i < r->n_notes; i++) {
			weft_buf_puts(b, "- ");
			assess_put_md_text(b, r->notes[i].text);
			weft_buf_puts(b, "\n");
		}
		weft_buf_puts(b, "\n");
	}
}

int weft_assess_report_markdown(weft_buf *b, const weft_assess_result *r,
				const weft_assess_report_opts *opts)
{
	const weft_assess_model *m = r->model;
	size_t top = opts && opts->top_gaps ? opts->top_gaps : 5;
	weft_buf_puts(b, "# ");
	assess_put_md_text(b, m->title);
	weft_buf_puts(b, ": ");
	assess_put_md_text(b, r->unit ? r->unit : "(no answers)");
	weft_buf_puts(b, "\n\nModel ");
	code(b, m->id);
	weft_buf_puts(b, " version ");
	assess_put_md_text(b, m->version);
	if (r->n_sources) {
		weft_buf_puts(b, r->n_sources > 1 ? "; respondents: " : "; respondent: ");
		for (size_t i = 0; i < r->n_sources; i++) {
			if (i)
				weft_buf_puts(b, ", ");
			assess_put_md_text(b, r->sources[i].respondent);
			if (r->sources[i].date) {
				weft_buf_puts(b, " (");
				assess_put_md_text(b, r->sources[i].date);
				weft_buf_puts(b, ")");
			}
		}
	}
	weft_buf_puts(b, ".\n\n");
	if (r->rated) {
		weft_buf_printf(b, "**Overall level %d ", r->level);
		assess_put_md_text(b, weft_assess_level_name(m, r->level));
		weft_buf_printf(b, "**, score %.2f, coverage %d%%, %d%% of the way to level %d ", r->score,
				assess_pct(r->coverage), assess_pct(r->percent_to_target), r->target);
		assess_put_md_text(b, weft_assess_level_name(m, r->target));
		weft_buf_puts(b, " (target ");
		assess_target_from(b, r);
		weft_buf_puts(b, ").\n\nHeld at this level by: ");
		size_t k = 0;
		for (size_t i = 0; i < r->n_dims; i++) {
			const weft_assess_dresult *dr = &r->dims[i];
			if (!holds_overall(r, dr))
				continue;
			weft_buf_puts(b, k++ ? "; **" : "**");
			assess_put_md_text(b, dr->dim->title);
			weft_buf_puts(b, "** (");
			explain(b, r, dr);
			weft_buf_puts(b, ")");
		}
		weft_buf_puts(b, ".\n\n");
	} else {
		weft_buf_puts(b, "**Overall level: ");
		explain(b, r, NULL);
		weft_buf_puts(b, "**");
		if (r->scored)
			weft_buf_printf(b, ". Score %.2f, coverage %d%%, %d%% of the way to level %d", r->score,
					assess_pct(r->coverage), assess_pct(r->percent_to_target), r->target);
		else
			weft_buf_printf(b, ". Nothing is scored; target level %d", r->target);
		weft_buf_puts(b, ". The target is ");
		assess_target_from(b, r);
		weft_buf_puts(b, ".\n\n");
	}
	weft_buf_puts(b, "## Dimensions\n\nScores count unanswered questions as level 1.\n\n");
	dims_table(b, r);
	gaps(b, r, top);
	disagreements(b, r);
	if (r->n_unanswered) {
		weft_buf_printf(b, "## Not answered (%zu)\n\nEach counts as level 1 in its dimension's "
				   "score.\n\n",
				r->n_unanswered);
		for (size_t i = 0; i < r->n_unanswered; i++) {
			weft_buf_puts(b, i ? ", " : "");
			code(b, r->unanswered[i]->q->id);
		}
		weft_buf_puts(b, "\n\n");
	}
	if (opts && opts->history)
		assess_history_trend_markdown(b, opts->history);
	provenance(b, r, opts);
	return b->oom ? WEFT_ENOMEM : WEFT_OK;
}
