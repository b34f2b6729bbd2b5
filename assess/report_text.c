/* report_text.c - the terminal report: a table per dimension (score,
 * level, coverage, a bar against the target), the overall level and score,
 * the top gaps with their improvement plans, disagreements, and what was
 * not answered.
 *
 * Design choice: every line fits 100 columns (cells are cut with "...",
 * prose is wrapped), and colour is an overlay applied after padding, so the
 * layout is identical with and without colour. All text from the model and
 * the answers is made printable first, so a hostile file cannot send
 * terminal escape sequences through the report.
 */
#include <stdlib.h>
#include <string.h>

#include "assess_int.h"

#define WIDTH 100
#define BAR 25 /* columns for 0..5, 5 per level */

typedef struct {
	weft_buf *b;
	bool colour;
	const weft_assess_result *r;
	const weft_assess_report_opts *opts;
} out;

static const char *sgr(const out *o, const char *code)
{
	return weft_term_sgr(o->colour, code);
}

/* Cell text: printable, cut/padded to cols. */
static void cell(out *o, const char *s, size_t cols, bool pad)
{
	char *c = assess_printable(s, false);
	assess_put_cols(o->b, c ? c : "", cols, pad);
	free(c);
}

static void wrap(out *o, const char *s, const char *first, const char *indent)
{
	char *c = assess_printable(s, true);
	assess_wrap(o->b, c ? c : "", WIDTH, first, indent);
	free(c);
}

static const char *level_colour(const out *o, int level)
{
	if (!level)
		return WEFT_SGR_DIM;
	if (level >= o->r->target)
		return WEFT_SGR_GREEN;
	return level + 1 >= o->r->target ? WEFT_SGR_YELLOW : WEFT_SGR_RED;
}

/* A bar from 0 to 5 with the target's column always visible: '|' where
 * the bar is empty, '+' where the score has reached or passed it. */
static void bar(out *o, bool scored, double score, int level)
{
	int fill = scored ? (int)(score * BAR / WEFT_ASSESS_LEVELS + 0.5) : 0;
	int mark = o->r->target * BAR / WEFT_ASSESS_LEVELS; /* the target's column */
	weft_buf_putc(o->b, '[');
	weft_buf_puts(o->b, sgr(o, level_colour(o, level)));
	for (int i = 0; i < BAR; i++) {
		if (i == mark - 1) {
			weft_buf_puts(o->b, sgr(o, WEFT_SGR_RESET));
			weft_buf_putc(o->b, i < fill ? '+' : '|');
			weft_buf_puts(o->b, sgr(o, level_colour(o, level)));
		} else {
			weft_buf_putc(o->b, i < fill ? '#' : '.');
		}
	}
	weft_buf_puts(o->b, sgr(o, WEFT_SGR_RESET));
	weft_buf_putc(o->b, ']');
}

/* "3 Defined", "not rated" or "out of scope". */
static void level_cell(out *o, bool rated, int level, const char *instead)
{
	const weft_assess_model *m = o->r->model;
	weft_buf b2 = WEFT_BUF_INIT;
	if (rated)
		weft_buf_printf(&b2, "%d %s", level, weft_assess_level_name(m, level));
	else
		weft_buf_puts(&b2, instead);
	weft_buf_puts(o->b, sgr(o, level_colour(o, rated ? level : 0)));
	cell(o, b2.ptr ? b2.ptr : "", 18, true);
	weft_buf_puts(o->b, sgr(o, WEFT_SGR_RESET));
	weft_buf_free(&b2);
}

static void row(out *o, const char *name, bool scored, double score, bool rated, int level,
		const char *instead, double coverage, bool bold)
{
	if (bold)
		weft_buf_puts(o->b, sgr(o, WEFT_SGR_BOLD));
	cell(o, name, 30, true);
	if (bold)
		weft_buf_puts(o->b, sgr(o, WEFT_SGR_RESET));
	if (scored)
		weft_buf_printf(o->b, "  %5.2f  ", score);
	else
		weft_buf_puts(o->b, "      -  ");
	level_cell(o, rated, level, instead);
	if (scored)
		weft_buf_printf(o->b, " %4d%%  ", assess_pct(coverage));
	else
		weft_buf_puts(o->b, "     -  ");
	bar(o, scored, score, rated ? level : 0);
	weft_buf_putc(o->b, '\n');
}

static void header(out *o)
{
	const weft_assess_result *r = o->r;
	const weft_assess_model *m = r->model;
	weft_buf t = WEFT_BUF_INIT;
	weft_buf_printf(&t, "%s (%s %s)", m->title, m->id, m->version);
	weft_buf_puts(o->b, sgr(o, WEFT_SGR_BOLD));
	wrap(o, t.ptr ? t.ptr : "", "", "  ");
	weft_buf_puts(o->b, sgr(o, WEFT_SGR_RESET));
	weft_buf_free(&t);
	weft_buf_printf(&t, "Unit: %s", r->unit ? r->unit : "(no answers)");
	if (r->n_sources) {
		weft_buf_printf(&t, "; %s: ", r->n_sources > 1 ? "respondents" : "respondent");
		for (size_t i = 0; i < r->n_sources; i++)
			weft_buf_printf(&t, "%s%s%s%s%s", i ? ", " : "", r->sources[i].respondent,
					r->sources[i].date ? " (" : "",
					r->sources[i].date ? r->sources[i].date : "",
					r->sources[i].date ? ")" : "");
	}
	wrap(o, t.ptr ? t.ptr : "", "", "  ");
	weft_buf_free(&t);
	weft_buf_printf(&t, "Target: level %d %s (%s)", r->target, weft_assess_level_name(m, r->target),
			r->target_from == WEFT_ASSESS_TARGET_OPTION ? "--target"
			: r->rated ? "one above the overall level"
			: r->scored ? "one above the lowest dimension score"
				    : "nothing scored yet");
	wrap(o, t.ptr ? t.ptr : "", "", "  ");
	weft_buf_free(&t);
	weft_buf_putc(o->b, '\n');
}

static void table(out *o)
{
	const weft_assess_result *r = o->r;
	weft_buf_printf(o->b, "%s%-30s  %5s  %-18s %5s  %s%s\n", sgr(o, WEFT_SGR_BOLD), "Dimension",
			"Score", "Level", "Cover", "0    1    2    3    4    5", sgr(o, WEFT_SGR_RESET));
	for (size_t i = 0; i < r->n_dims; i++) {
		const weft_assess_dresult *dr = &r->dims[i];
		row(o, dr->dim->title, dr->scored, dr->score, dr->rated, dr->level,
		    dr->in_scope ? "not rated" : "out of scope", dr->coverage, false);
	}
	weft_buf_puts(o->b, "------------------------------  -----  ------------------ -----  "
			    "---------------------------\n");
	row(o, "Overall", r->scored, r->score, r->rated, r->level, "not rated", r->coverage, true);
	weft_buf_putc(o->b, '\n');
}

/* The overall sentence, then one line per dimension whose level is not
 * simply its score (capped, not rated, out of scope). */
static void summary(out *o)
{
	const weft_assess_result *r = o->r;
	const weft_assess_model *m = r->model;
	weft_buf t = WEFT_BUF_INIT;
	if (r->rated) {
		weft_buf_printf(&t, "Overall level %d %s, score %.2f, %d%% of the way to level %d. ",
				r->level, weft_assess_level_name(m, r->level), r->score,
				assess_pct(r->percent_to_target), r->target);
		size_t k = 0;
		for (size_t i = 0; i < r->n_dims; i++)
			if (r->dims[i].rated && r->dims[i].level == r->level)
				weft_buf_printf(&t, "%s%s", k++ ? ", " : "Held at this level by: ",
						r->dims[i].dim->title);
		weft_buf_puts(&t, ".");
	} else {
		weft_buf_puts(&t, "Overall ");
		weft_assess_explain(&t, r, NULL);
	}
	if (!r->rated && r->scored)
		weft_buf_printf(&t, ". Score %.2f (unanswered questions counted as 1), %d%% of the way "
				    "to level %d.",
				r->score, assess_pct(r->percent_to_target), r->target);
	else if (!r->rated)
		weft_buf_puts(&t, ".");
	wrap(o, t.ptr ? t.ptr : "", "", "  ");
	weft_buf_free(&t);
	for (size_t i = 0; i < r->n_dims; i++) {
		const weft_assess_dresult *dr = &r->dims[i];
		if (dr->rated && dr->cap.kind != WEFT_ASSESS_CAP_CRITICAL && !dr->n_unanswered)
			continue;
		weft_buf_printf(&t, "%s: ", dr->dim->title);
		weft_assess_explain(&t, r, dr);
		assess_end_sentence(&t);
		wrap(o, t.ptr ? t.ptr : "", "  ", "    ");
		weft_buf_free(&t);
	}
	weft_buf_putc(o->b, '\n');
}

static void gaps(out *o, size_t top)
{
	const weft_assess_result *r = o->r;
	if (!r->n_gaps) {
		if (r->scored)
			weft_buf_printf(o->b, "No gaps: every answered question is at level %d or above.\n\n",
					r->target);
		return;
	}
	size_t n = r->n_gaps < top ? r->n_gaps : top;
	weft_buf_printf(o->b, "%sTop gaps to level %d%s (%zu of %zu; what unlocks a level first, then "
			      "the most points)\n",
			sgr(o, WEFT_SGR_BOLD), r->target, sgr(o, WEFT_SGR_RESET), n, r->n_gaps);
	for (size_t i = 0; i < n; i++) {
		const weft_assess_qresult *qr = r->gaps[i].q;
		const weft_assess_dresult *dr = r->gaps[i].d;
		weft_buf t = WEFT_BUF_INIT;
		char lead[32];
		snprintf(lead, sizeof lead, "%2zu. ", i + 1);
		weft_buf_printf(&t, "%s (%s): level %d -> %d, +%.1f points%s%s", qr->q->id, dr->dim->title,
				qr->level, r->target, qr->points, qr->q->critical ? ", critical" : "",
				qr->holds_level ? "; holds the dimension's level" : "");
		wrap(o, t.ptr ? t.ptr : "", lead, "    ");
		weft_buf_free(&t);
		wrap(o, qr->q->text, "    ", "    ");
		if (qr->improve)
			wrap(o, qr->improve, "    Plan: ", "          ");
	}
	weft_buf_putc(o->b, '\n');
}

static void disagreements(out *o)
{
	const weft_assess_result *r = o->r;
	if (!r->n_disagreements)
		return;
	weft_buf_printf(o->b, "%sDisagreements%s (2 or more levels apart, or na against a level; the "
			      "median is scored)\n",
			sgr(o, WEFT_SGR_BOLD), sgr(o, WEFT_SGR_RESET));
	for (size_t i = 0; i < r->n_disagreements; i++) {
		const weft_assess_qresult *qr = r->disagreements[i];
		weft_buf t = WEFT_BUF_INIT;
		weft_buf_printf(&t, "%s: ", qr->q->id);
		for (size_t k = 0; k < qr->n_votes; k++) {
			const weft_assess_vote *v = &qr->votes[k];
			weft_buf_printf(&t, "%s%s ", k ? ", " : "", v->respondent);
			if (v->out_of_scope)
				weft_buf_puts(&t, "out of scope");
			else if (v->status == WEFT_ASSESS_ANSWERED)
				weft_buf_printf(&t, "%d", v->level);
			else
				weft_buf_puts(&t, v->status == WEFT_ASSESS_NA ? "na" : "-");
		}
		if (qr->status == WEFT_ASSESS_ANSWERED)
			weft_buf_printf(&t, "; median %d", qr->level);
		wrap(o, t.ptr ? t.ptr : "", "  ", "    ");
		weft_buf_free(&t);
	}
	weft_buf_putc(o->b, '\n');
}

static void unanswered(out *o)
{
	const weft_assess_result *r = o->r;
	if (!r->n_unanswered)
		return;
	weft_buf t = WEFT_BUF_INIT;
	weft_buf_printf(&t, "Not answered (%zu, each counted as level 1): ", r->n_unanswered);
	for (size_t i = 0; i < r->n_unanswered; i++)
		weft_buf_printf(&t, "%s%s", i ? ", " : "", r->unanswered[i]->q->id);
	wrap(o, t.ptr ? t.ptr : "", "", "  ");
	weft_buf_free(&t);
	weft_buf_putc(o->b, '\n');
}

/* Provenance: what produced these numbers, so two reports can be told apart. */
static void how(out *o)
{
	const weft_assess_result *r = o->r;
	const weft_assess_model *m = r->model;
	weft_buf t = WEFT_BUF_INIT;
	weft_buf_printf(o->b, "%sHow this was scored%s\n", sgr(o, WEFT_SGR_BOLD), sgr(o, WEFT_SGR_RESET));
	weft_buf_printf(&t, "Model %s %s (sha256 %.12s); a dimension is rated with at least %d%% of "
			    "its applicable weight answered.",
			m->id, m->version, m->sha256, assess_pct(r->min_coverage));
	wrap(o, t.ptr ? t.ptr : "", "  ", "    ");
	weft_buf_free(&t);
	if (r->weights_name) {
		weft_buf_printf(&t, "Weights from %s (sha256 %.12s): ", r->weights_name, r->weights_sha256);
		for (size_t i = 0; i < r->n_weight_changes; i++) {
			const weft_assess_weight_change *c = &r->weight_changes[i];
			weft_buf_printf(&t, "%s%s %g -> %g", i ? ", " : "", c->id, c->from, c->to);
		}
		if (!r->n_weight_changes)
			weft_buf_puts(&t, "no weight changed");
		weft_buf_putc(&t, '.');
	} else {
		weft_buf_puts(&t, "The model's own weights.");
	}
	wrap(o, t.ptr ? t.ptr : "", "  ", "    ");
	weft_buf_free(&t);
	for (size_t i = 0; i < r->n_dims; i++) {
		const weft_assess_dresult *dr = &r->dims[i];
		if (dr->in_scope)
			continue;
		weft_buf_printf(&t, "Out of scope: %s (%s): %s", dr->dim->title, dr->dim->id,
				dr->scope_reason ? dr->scope_reason : "");
		assess_end_sentence(&t);
		wrap(o, t.ptr ? t.ptr : "", "  ", "    ");
		weft_buf_free(&t);
	}
	for (size_t i = 0; i < r->n_sources; i++) {
		const weft_assess_source *src = &r->sources[i];
		weft_buf_printf(&t, "Answers: %s, %s%s%s", src->path, src->respondent,
				src->date ? ", " : "", src->date ? src->date : "");
		if (src->sha256 && *src->sha256)
			weft_buf_printf(&t, " (sha256 %.12s)", src->sha256);
		if (src->migrated_from)
			weft_buf_printf(&t, "; written for version %s, migrated", src->migrated_from);
		weft_buf_putc(&t, '.');
		wrap(o, t.ptr ? t.ptr : "", "  ", "    ");
		weft_buf_free(&t);
	}
	for (size_t i = 0; i < r->n_notes; i++)
		wrap(o, r->notes[i].text, "  Note: ", "    ");
	const weft_assess_report_opts *ro = o->opts;
	if (ro && (ro->generator || ro->generated_at)) {
		weft_buf_printf(&t, "Report by %s%s%s.", ro->generator ? ro->generator : "weft",
				ro->generated_at ? ", " : "", ro->generated_at ? ro->generated_at : "");
		wrap(o, t.ptr ? t.ptr : "", "  ", "    ");
		weft_buf_free(&t);
	}
}

int weft_assess_report_text(weft_buf *b, const weft_assess_result *r,
			    const weft_assess_report_opts *opts)
{
	out o = { b, opts && opts->colour, r, opts };
	size_t top = opts && opts->top_gaps ? opts->top_gaps : 5;
	header(&o);
	table(&o);
	summary(&o);
	gaps(&o, top);
	disagreements(&o);
	unanswered(&o);
	how(&o);
	if (opts && opts->history)
		assess_history_trend_text(b, opts->history);
	return b->oom ? WEFT_ENOMEM : WEFT_OK;
}
