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

static void bar(out *o, bool assessed, double score, int level)
{
	int fill = assessed ? (int)(score * BAR / WEFT_ASSESS_LEVELS + 0.5) : 0;
	int mark = o->r->target * BAR / WEFT_ASSESS_LEVELS; /* the target's column */
	weft_buf_putc(o->b, '[');
	weft_buf_puts(o->b, sgr(o, level_colour(o, level)));
	for (int i = 0; i < BAR; i++) {
		if (i == mark - 1 && i >= fill) {
			weft_buf_puts(o->b, sgr(o, WEFT_SGR_RESET));
			weft_buf_putc(o->b, '|');
			weft_buf_puts(o->b, sgr(o, level_colour(o, level)));
		} else {
			weft_buf_putc(o->b, i < fill ? '#' : '.');
		}
	}
	weft_buf_puts(o->b, sgr(o, WEFT_SGR_RESET));
	weft_buf_putc(o->b, ']');
}

static void level_cell(out *o, bool assessed, int level)
{
	const weft_assess_model *m = o->r->model;
	char s[64];
	if (assessed)
		snprintf(s, sizeof s, "%d ", level);
	else
		s[0] = '\0';
	weft_buf b2 = WEFT_BUF_INIT;
	weft_buf_puts(&b2, s);
	weft_buf_puts(&b2, weft_assess_level_name(m, assessed ? level : 0));
	weft_buf_puts(o->b, sgr(o, level_colour(o, assessed ? level : 0)));
	cell(o, b2.ptr ? b2.ptr : "", 18, true);
	weft_buf_puts(o->b, sgr(o, WEFT_SGR_RESET));
	weft_buf_free(&b2);
}

static void row(out *o, const char *name, bool assessed, double score, int level, double coverage,
		bool bold)
{
	if (bold)
		weft_buf_puts(o->b, sgr(o, WEFT_SGR_BOLD));
	cell(o, name, 30, true);
	if (bold)
		weft_buf_puts(o->b, sgr(o, WEFT_SGR_RESET));
	if (assessed)
		weft_buf_printf(o->b, "  %5.2f  ", score);
	else
		weft_buf_puts(o->b, "      -  ");
	level_cell(o, assessed, level);
	weft_buf_printf(o->b, " %4d%%  ", assess_pct(coverage));
	bar(o, assessed, score, level);
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
			r->target_explicit ? "--target" : r->assessed ? "one above the overall level"
								       : "nothing assessed yet");
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
		row(o, dr->dim->title, dr->assessed, dr->score, dr->level, dr->coverage, false);
	}
	weft_buf_puts(o->b, "------------------------------  -----  ------------------ -----  "
			    "---------------------------\n");
	row(o, "Overall", r->assessed, r->score, r->level, r->coverage, true);
	weft_buf_putc(o->b, '\n');
}

static void summary(out *o)
{
	const weft_assess_result *r = o->r;
	const weft_assess_model *m = r->model;
	weft_buf t = WEFT_BUF_INIT;
	if (!r->assessed) {
		weft_buf_puts(&t, "Nothing assessed: no question has a level 1-5 answer.");
		wrap(o, t.ptr, "", "  ");
		weft_buf_free(&t);
		return;
	}
	weft_buf_printf(&t, "Overall level %d %s, score %.2f, %d%% of the way to level %d. ", r->level,
			weft_assess_level_name(m, r->level), r->score, assess_pct(r->percent_to_target),
			r->target);
	size_t k = 0;
	for (size_t i = 0; i < r->n_dims; i++) {
		const weft_assess_dresult *dr = &r->dims[i];
		if (!dr->assessed || dr->level != r->level)
			continue;
		weft_buf_printf(&t, "%s%s", k++ ? ", " : "Held at this level by: ", dr->dim->title);
		if (strcmp(dr->capped_by, "score") != 0)
			weft_buf_printf(&t, " (critical question %s at level %d; the score alone gives %d)",
					dr->capped_by, dr->level, dr->score_level);
	}
	if (k)
		weft_buf_puts(&t, ".");
	wrap(o, t.ptr ? t.ptr : "", "", "  ");
	weft_buf_free(&t);
	for (size_t i = 0; i < r->n_dims; i++) {
		const weft_assess_dresult *dr = &r->dims[i];
		if (!dr->assessed || dr->level == r->level || strcmp(dr->capped_by, "score") == 0)
			continue;
		weft_buf_printf(&t, "%s is capped at level %d by critical question %s (the score alone gives %d).",
				dr->dim->title, dr->level, dr->capped_by, dr->score_level);
		wrap(o, t.ptr ? t.ptr : "", "", "  ");
		weft_buf_free(&t);
	}
	weft_buf_putc(o->b, '\n');
}

static void gaps(out *o, size_t top)
{
	const weft_assess_result *r = o->r;
	if (!r->n_gaps) {
		if (r->assessed)
			weft_buf_printf(o->b, "No gaps: every answered question is at level %d or above.\n\n",
					r->target);
		return;
	}
	size_t n = r->n_gaps < top ? r->n_gaps : top;
	weft_buf_printf(o->b, "%sTop gaps to level %d%s (%zu of %zu, most weighted first)\n",
			sgr(o, WEFT_SGR_BOLD), r->target, sgr(o, WEFT_SGR_RESET), n, r->n_gaps);
	for (size_t i = 0; i < n; i++) {
		const weft_assess_qresult *qr = r->gaps[i].q;
		const weft_assess_dresult *dr = r->gaps[i].d;
		weft_buf t = WEFT_BUF_INIT;
		char lead[32];
		snprintf(lead, sizeof lead, "%2zu. ", i + 1);
		weft_buf_printf(&t, "%s (%s): level %d -> %d, +%.1f points%s", qr->q->id, dr->dim->title,
				qr->level, r->target, qr->points, qr->q->critical ? ", critical" : "");
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
	weft_buf_printf(o->b, "%sDisagreements%s (respondents 2 or more levels apart; the median is scored)\n",
			sgr(o, WEFT_SGR_BOLD), sgr(o, WEFT_SGR_RESET));
	for (size_t i = 0; i < r->n_disagreements; i++) {
		const weft_assess_qresult *qr = r->disagreements[i];
		weft_buf t = WEFT_BUF_INIT;
		weft_buf_printf(&t, "%s: ", qr->q->id);
		for (size_t k = 0; k < qr->n_votes; k++) {
			const weft_assess_vote *v = &qr->votes[k];
			weft_buf_printf(&t, "%s%s ", k ? ", " : "", v->respondent);
			if (v->status == WEFT_ASSESS_ANSWERED)
				weft_buf_printf(&t, "%d", v->level);
			else
				weft_buf_puts(&t, v->status == WEFT_ASSESS_NA ? "na" : "-");
		}
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
	weft_buf_printf(&t, "Not answered (%zu): ", r->n_unanswered);
	for (size_t i = 0; i < r->n_unanswered; i++)
		weft_buf_printf(&t, "%s%s", i ? ", " : "", r->unanswered[i]->q->id);
	wrap(o, t.ptr ? t.ptr : "", "", "  ");
	weft_buf_free(&t);
}

int weft_assess_report_text(weft_buf *b, const weft_assess_result *r,
			    const weft_assess_report_opts *opts)
{
	out o = { b, opts && opts->colour, r };
	size_t top = opts && opts->top_gaps ? opts->top_gaps : 5;
	header(&o);
	table(&o);
	summary(&o);
	gaps(&o, top);
	disagreements(&o);
	unanswered(&o);
	return b->oom ? WEFT_ENOMEM : WEFT_OK;
}
