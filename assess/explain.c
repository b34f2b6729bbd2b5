/* explain.c - the sentences that say how a level was reached or why there
 * is none, and the CI gate built on them.
 *
 * Design choice: every report (text, JSON, Markdown, HTML), `validate` and
 * the gate word caps and not-rated reasons through weft_assess_explain, so
 * one wording is tested once and no two outputs can tell a different story.
 */
#include <math.h>
#include <string.h>

#include "assess_int.h"

static void not_rated(weft_buf *b, const weft_assess_result *r, const weft_assess_dresult *dr)
{
	weft_buf_puts(b, "not rated: ");
	bool sep = false;
	if (dr->why & WEFT_ASSESS_WHY_COVERAGE) {
		weft_buf_printf(b, "%d%% of its applicable weight answered, %d%% needed",
				assess_pct(dr->coverage), assess_pct(r->min_coverage));
		sep = true;
	}
	if (dr->why & WEFT_ASSESS_WHY_CRITICAL) {
		weft_buf_printf(b, "%scritical question %s unanswered", sep ? "; " : "",
				dr->critical_unanswered->id);
		if (dr->n_critical_unanswered > 1)
			weft_buf_printf(b, " (and %zu more)", dr->n_critical_unanswered - 1);
	}
}

void weft_assess_explain(weft_buf *b, const weft_assess_result *r, const weft_assess_dresult *dr)
{
	if (dr) {
		if (!dr->in_scope) {
			weft_buf_printf(b, "out of scope: %s", dr->scope_reason ? dr->scope_reason : "");
		} else if (dr->why & WEFT_ASSESS_WHY_ALL_NA) {
			weft_buf_puts(b, "not rated: every question answered na (does not apply)");
		} else if (!dr->rated) {
			not_rated(b, r, dr);
		} else if (dr->cap.kind == WEFT_ASSESS_CAP_CRITICAL) {
			weft_buf_printf(b, "level %d: capped by critical question %s (the score %.2f alone "
					   "gives %d",
					dr->level, dr->cap.question->id, dr->score, dr->score_level);
			if (dr->n_unanswered)
				weft_buf_printf(b, ", with %zu unanswered question%s counted as level 1",
						dr->n_unanswered, dr->n_unanswered == 1 ? "" : "s");
			weft_buf_putc(b, ')');
		} else {
			weft_buf_printf(b, "level %d: the score %.2f", dr->level, dr->score);
			if (dr->n_unanswered)
				weft_buf_printf(b, ", with %zu unanswered question%s counted as level 1",
						dr->n_unanswered, dr->n_unanswered == 1 ? "" : "s");
		}
		return;
	}
	if (r->rated) {
		const weft_assess_dresult *low = NULL;
		for (size_t i = 0; i < r->n_dims && !low; i++)
			if (r->dims[i].rated && r->dims[i].level == r->level)
				low = &r->dims[i];
		weft_buf_printf(b, "level %d: the lowest level of the %zu in-scope dimension%s (%s)",
				r->level, r->n_in_scope, r->n_in_scope == 1 ? "" : "s",
				low ? low->dim->id : "");
	} else if (r->why & WEFT_ASSESS_WHY_NO_ANSWERS) {
		weft_buf_puts(b, "not rated: no answers");
	} else if (r->why & WEFT_ASSESS_WHY_OUT_OF_SCOPE) {
		weft_buf_puts(b, "not rated: no dimension in scope has a question that applies");
	} else {
		weft_buf_printf(b, "not rated: %zu of %zu in-scope dimension%s not rated (",
				r->n_in_scope - r->n_rated, r->n_in_scope, r->n_in_scope == 1 ? "" : "s");
		bool sep = false;
		for (size_t i = 0; i < r->n_dims; i++) {
			const weft_assess_dresult *x = &r->dims[i];
			if (!x->scored || x->rated)
				continue;
			weft_buf_printf(b, "%s%s", sep ? ", " : "", x->dim->id);
			sep = true;
		}
		weft_buf_puts(b, ")");
	}
}

int weft_assess_gate_check(const weft_assess_result *r, const weft_assess_gate *g, weft_buf *why)
{
	int failed = 0;
	weft_buf e = WEFT_BUF_INIT;
	weft_assess_explain(&e, r, NULL);
	const char *ex = e.ptr ? e.ptr : "";
	if (g->fail_below >= 1) {
		if (!r->rated) {
			weft_buf_printf(why, "overall level %s (--fail-below %d)\n", ex, g->fail_below);
			failed = 1;
		} else if (r->level < g->fail_below) {
			weft_buf_printf(why, "overall level %d is below --fail-below %d\n", r->level,
					g->fail_below);
			failed = 1;
		}
	}
	if (g->fail_below_score >= 0) {
		/* compared at the two decimals the reports show */
		if (!r->scored) {
			weft_buf_printf(why, "no score: %s (--fail-below-score %g)\n", ex, g->fail_below_score);
			failed = 1;
		} else if (!r->rated) {
			weft_buf_printf(why, "overall score %.2f, but the level is %s (--fail-below-score %g)\n",
					r->score, ex, g->fail_below_score);
			failed = 1;
		} else if (round(r->score * 100) < round(g->fail_below_score * 100)) {
			weft_buf_printf(why, "overall score %.2f is below --fail-below-score %g\n", r->score,
					g->fail_below_score);
			failed = 1;
		}
	}
	if (g->fail_below_coverage >= 0 &&
	    (!r->scored || r->coverage + 1e-9 < g->fail_below_coverage)) {
		weft_buf_printf(why, "coverage %d%% is below --fail-below-coverage %d%%\n",
				assess_pct(r->coverage), assess_pct(g->fail_below_coverage));
		failed = 1;
	}
	weft_buf_free(&e);
	return failed;
}

void assess_target_from(weft_buf *b, const weft_assess_result *r)
{
	if (r->target_from == WEFT_ASSESS_TARGET_OPTION)
		weft_buf_puts(b, "set with --target");
	else if (r->rated && r->level >= WEFT_ASSESS_LEVELS)
		weft_buf_puts(b, "the top level (the overall level is already there)");
	else if (r->rated)
		weft_buf_printf(b, "one above the overall level %d", r->level);
	else if (r->scored)
		weft_buf_printf(b, "one above level %d, the lowest level a dimension's score reaches "
				   "(the overall level is not rated)",
				r->target - 1);
	else
		weft_buf_puts(b, "level 2, as nothing is scored");
}
