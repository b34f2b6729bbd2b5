/* diff.c - what moved between two assessments: overall, per dimension and
 * per question, in text, JSON (docs/schemas/assess-diff.schema.json) and
 * Markdown, with the warnings that say when a diff may not mean what it
 * seems to (other unit, NEW older than OLD, other model, migration, other
 * min_coverage or weights).
 *
 * Design choice: the diff compares two finished results (each scored the
 * usual way) rather than raw answers, so "what moved" uses exactly the
 * numbers the reports show. One pass (build) classifies every dimension and
 * question and collects the warnings; the three writers only format it, so
 * they cannot disagree. Rating status is part of what is compared: a
 * dimension going from rated to not rated is "no longer rated" with the
 * reason weft_assess_explain gives, never a drop to level 0, and a question
 * going from a level to unanswered is "no longer answered", never a drop.
 * PercentToTarget is evaluated for both results at one target (the
 * option's, else NEW's), so a moved target cannot move the delta.
 * Questions and dimensions are matched by id, so two results of different
 * versions of a model still diff (ids only in one side are added/removed).
 */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "assess_int.h"

#define FORMAT_VERSION 1
#define EPS 1e-9

/* ---- classifying ---------------------------------------------------------------- */

typedef enum { DS_ABSENT, DS_OUT_OF_SCOPE, DS_NOT_RATED, DS_RATED } dstate;
typedef enum { QS_ABSENT, QS_OUT_OF_SCOPE, QS_UNANSWERED, QS_NA, QS_ANSWERED } qstate;

/* Dimension (and overall) changes. */
typedef enum {
	DC_SAME,
	DC_UP,              /* both rated (or both not rated): level, else score, higher */
	DC_DOWN,
	DC_NOW_RATED,       /* not rated or out of scope -> rated */
	DC_NO_LONGER_RATED, /* rated -> not rated or out of scope */
	DC_CHANGED,         /* another status change, another reason, coverage only */
	DC_ADDED,           /* only in NEW's model */
	DC_REMOVED,         /* only in OLD's model */
} dchange;
static const char *const dchange_names[] = { "same",   "up",      "down",  "now_rated", "no_longer_rated",
					     "changed", "added", "removed" };
static const char *const dchange_words[] = { "same",    "up",      "down",   "now rated", "no longer rated",
					     "changed", "added", "removed" };

typedef enum {
	QC_SAME,
	QC_UP,
	QC_DOWN,
	QC_ANSWERED,           /* no level -> a level */
	QC_NO_LONGER_ANSWERED, /* a level -> unanswered, na or out of scope */
	QC_CHANGED,            /* neither has a level, and the status differs */
	QC_ADDED,
	QC_REMOVED,
} qchange;
static const char *const qchange_names[] = { "same",    "up",      "down",   "answered", "no_longer_answered",
					     "changed", "added", "removed" };
static const char *const qchange_words[] = { "same",    "up",      "down",   "newly answered",
					     "no longer answered", "changed", "added to the model",
					     "removed from the model" };
static const char *const qstate_names[] = { "absent", "out_of_scope", "unanswered", "na", "answered" };

typedef struct {
	const char *id, *title;
	const weft_assess_dresult *o, *n;
	dchange c;
} drow;

typedef struct {
	const char *id, *dim_id, *dim_title;
	const weft_assess_qresult *o, *n;
	qstate os, ns;
	qchange c;
} qrow;

typedef struct {
	const weft_assess_result *o, *n;
	int target;
	bool target_option;
	double ptt_o, ptt_n; /* at target; meaningful when the side is scored */
	dchange overall;
	drow *dims;
	size_t n_dims;
	qrow *qs; /* changed questions only */
	size_t n_qs, q_same;
	size_t counts[8]; /* per qchange */
	size_t dims_changed;
	weft_assess_diff_warning *w;
	size_t n_w;
	bool oom;
} diff;

static const weft_assess_dresult *find_dim(const weft_assess_result *r, const char *id)
{
	const weft_assess_dimension *d = weft_assess_model_dimension(r->model, id);
	return d && d->index < r->n_dims ? &r->dims[d->index] : NULL;
}

static const weft_assess_qresult *find_q(const weft_assess_result *r, const char *id,
					 const weft_assess_dresult **dr_out)
{
	const weft_assess_question *q = weft_assess_model_question(r->model, id);
	*dr_out = NULL;
	if (!q || q->dim >= r->n_dims)
		return NULL;
	const weft_assess_dresult *dr = &r->dims[q->dim];
	size_t j = (size_t)(q - r->model->dims[q->dim].questions);
	if (j >= dr->n_questions)
		return NULL;
	*dr_out = dr;
	return &dr->questions[j];
}

static dstate d_state(const weft_assess_dresult *d)
{
	return !d ? DS_ABSENT : !d->in_scope ? DS_OUT_OF_SCOPE : d->rated ? DS_RATED : DS_NOT_RATED;
}

static qstate q_state(const weft_assess_qresult *q, const weft_assess_dresult *d)
{
	if (!q)
		return QS_ABSENT;
	if (d && !d->in_scope)
		return QS_OUT_OF_SCOPE;
	switch (q->status) {
	case WEFT_ASSESS_ANSWERED: return QS_ANSWERED;
	case WEFT_ASSESS_NA: return QS_NA;
	case WEFT_ASSESS_UNANSWERED: break;
	}
	return QS_UNANSWERED;
}

/* Two numbers as the reports show them (4 decimals) differ. */
static bool moved(double a, double b)
{
	return fabs(assess_round4(a) - assess_round4(b)) > EPS;
}

/* Shared by dimensions and the overall result. */
static dchange classify(bool o_present, bool n_present, dstate os, dstate ns, bool o_scored,
			bool n_scored, int ol, int nl, double osc, double nsc, double ocov, double ncov,
			unsigned owhy, unsigned nwhy)
{
	if (!o_present)
		return n_present ? DC_ADDED : DC_SAME;
	if (!n_present)
		return DC_REMOVED;
	if (os == DS_RATED && ns != DS_RATED)
		return DC_NO_LONGER_RATED;
	if (os != DS_RATED && ns == DS_RATED)
		return DC_NOW_RATED;
	if (os != ns || (os != DS_RATED && owhy != nwhy) || o_scored != n_scored)
		return DC_CHANGED;
	if (os == DS_RATED && nl != ol)
		return nl > ol ? DC_UP : DC_DOWN;
	if (o_scored && moved(osc, nsc))
		return nsc > osc ? DC_UP : DC_DOWN;
	if (o_scored && moved(ocov, ncov))
		return DC_CHANGED;
	return DC_SAME;
}

static dchange d_change(const weft_assess_dresult *o, const weft_assess_dresult *n)
{
	return classify(o != NULL, n != NULL, d_state(o), d_state(n), o && o->scored, n && n->scored,
			o ? o->level : 0, n ? n->level : 0, o ? o->score : 0, n ? n->score : 0,
			o ? o->coverage : 0, n ? n->coverage : 0, o && !o->rated ? o->why : 0,
			n && !n->rated ? n->why : 0);
}

static qchange q_change(qstate os, qstate ns, int ol, int nl)
{
	if (os == QS_ABSENT)
		return ns == QS_ABSENT ? QC_SAME : QC_ADDED;
	if (ns == QS_ABSENT)
		return QC_REMOVED;
	if (os == QS_ANSWERED && ns == QS_ANSWERED)
		return nl > ol ? QC_UP : nl < ol ? QC_DOWN : QC_SAME;
	if (ns == QS_ANSWERED)
		return QC_ANSWERED;
	if (os == QS_ANSWERED)
		return QC_NO_LONGER_ANSWERED;
	return os == ns ? QC_SAME : QC_CHANGED;
}

/* ---- warnings ---------------------------------------------------------------------- */

static void warn(diff *df, weft_assess_diff_warning_kind kind, const char *fmt, ...) WEFT_PRINTF(3, 4);
static void warn(diff *df, weft_assess_diff_warning_kind kind, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	weft_buf b = WEFT_BUF_INIT;
	weft_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	char *text = weft_buf_detach(&b);
	weft_assess_diff_warning *w = text ? realloc(df->w, (df->n_w + 1) * sizeof *w) : NULL;
	if (!w) {
		free(text);
		df->oom = true;
		return;
	}
	df->w = w;
	df->w[df->n_w++] = (weft_assess_diff_warning){ kind, text };
}

/* The latest date of r's sources and its file; NULL when none is dated. */
static const weft_assess_source *latest(const weft_assess_result *r)
{
	const weft_assess_source *best = NULL;
	for (size_t i = 0; i < r->n_sources; i++)
		if (r->sources[i].date && (!best || strcmp(r->sources[i].date, best->date) > 0))
			best = &r->sources[i];
	return best;
}

/* The model version r's answers were migrated from ("" when none was;
 * "mixed" when its sources differ). */
static const char *migration_of(const weft_assess_result *r)
{
	const char *v = NULL;
	for (size_t i = 0; i < r->n_sources; i++) {
		const char *x = r->sources[i].migrated_from ? r->sources[i].migrated_from : "";
		if (!v)
			v = x;
		else if (strcmp(v, x))
			return "mixed";
	}
	return v ? v : "";
}

static const char *file_of(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;
	return s ? s + 1 : path ? path : "";
}

static void warnings(diff *df)
{
	const weft_assess_result *o = df->o, *n = df->n;
	if ((o->unit || n->unit) && (!o->unit || !n->unit || strcmp(o->unit, n->unit)))
		warn(df, WEFT_ASSESS_DIFF_WARN_UNIT,
		     "OLD is for unit '%s' and NEW for unit '%s': this compares two different units.",
		     o->unit ? assess_clean(o->unit) : "(none)", n->unit ? assess_clean(n->unit) : "(none)");
	const weft_assess_source *lo = latest(o), *ln = latest(n);
	if (lo && ln && strcmp(ln->date, lo->date) < 0)
		warn(df, WEFT_ASSESS_DIFF_WARN_ORDER,
		     "NEW is older than OLD: NEW's latest answers are dated %s (%s), OLD's %s (%s); "
		     "the files may be given the wrong way round.",
		     ln->date, assess_clean(file_of(ln->path)), lo->date, assess_clean(file_of(lo->path)));
	const weft_assess_model *mo = o->model, *mn = n->model;
	if (strcmp(mo->id, mn->id))
		warn(df, WEFT_ASSESS_DIFF_WARN_MODEL,
		     "OLD was scored with model %s %s and NEW with model %s %s: questions and dimensions "
		     "are matched by id only.",
		     mo->id, assess_clean(mo->version), mn->id, assess_clean(mn->version));
	else if (strcmp(mo->version, mn->version))
		warn(df, WEFT_ASSESS_DIFF_WARN_MODEL,
		     "OLD was scored with version %s of model %s and NEW with version %s: some moves may "
		     "come from the model's changes, not the unit's.",
		     assess_clean(mo->version), mo->id, assess_clean(mn->version));
	else if (strcmp(mo->sha256, mn->sha256))
		warn(df, WEFT_ASSESS_DIFF_WARN_MODEL,
		     "OLD and NEW were scored with different files of model %s %s (sha256 %.12s and "
		     "%.12s): the model changed without a new version.",
		     mo->id, assess_clean(mo->version), mo->sha256, mn->sha256);
	const char *mgo = migration_of(o), *mgn = migration_of(n);
	if (strcmp(mgo, mgn)) {
		weft_buf a = WEFT_BUF_INIT, b = WEFT_BUF_INIT;
		if (*mgo)
			weft_buf_printf(&a, "OLD's answers were migrated from model version %s", assess_clean(mgo));
		else
			weft_buf_puts(&a, "OLD's answers were written for the model's version");
		if (*mgn)
			weft_buf_printf(&b, "NEW's were migrated from model version %s", assess_clean(mgn));
		else
			weft_buf_puts(&b, "NEW's were written for the model's version");
		warn(df, WEFT_ASSESS_DIFF_WARN_MIGRATION,
		     "%s and %s: some moves may come from the migration, not the unit.",
		     a.ptr ? a.ptr : "", b.ptr ? b.ptr : "");
		df->oom |= a.oom || b.oom;
		weft_buf_free(&a);
		weft_buf_free(&b);
	}
	if (fabs(o->min_coverage - n->min_coverage) > EPS)
		warn(df, WEFT_ASSESS_DIFF_WARN_MIN_COVERAGE,
		     "OLD was rated with a minimum coverage of %d%% and NEW with %d%%: a dimension can "
		     "become rated or not rated by the threshold alone.",
		     assess_pct(o->min_coverage), assess_pct(n->min_coverage));
	bool wo = o->weights_name != NULL, wn = n->weights_name != NULL;
	if (wo != wn || (wo && strcmp(o->weights_sha256 ? o->weights_sha256 : "",
				      n->weights_sha256 ? n->weights_sha256 : ""))) {
		weft_buf a = WEFT_BUF_INIT, b = WEFT_BUF_INIT;
		if (wo)
			weft_buf_printf(&a, "the weights of %s", assess_clean(file_of(o->weights_name)));
		else
			weft_buf_puts(&a, "the model's own weights");
		if (wn)
			weft_buf_printf(&b, "the weights of %s", assess_clean(file_of(n->weights_name)));
		else
			weft_buf_puts(&b, "the model's own weights");
		warn(df, WEFT_ASSESS_DIFF_WARN_WEIGHTS,
		     "OLD was scored with %s and NEW with %s%s: scores can move by the weights alone.",
		     a.ptr ? a.ptr : "", b.ptr ? b.ptr : "",
		     wo && wn && !strcmp(a.ptr ? a.ptr : "", b.ptr ? b.ptr : "") ? " (another version of the file)" : "");
		df->oom |= a.oom || b.oom;
		weft_buf_free(&a);
		weft_buf_free(&b);
	}
}

/* ---- the whole diff ------------------------------------------------------------------ */

static void diff_free(diff *df)
{
	free(df->dims);
	free(df->qs);
	for (size_t i = 0; i < df->n_w; i++)
		free(df->w[i].text);
	free(df->w);
}

static int build(diff *df, const weft_assess_result *o, const weft_assess_result *n,
		 const weft_assess_diff_opts *opts)
{
	memset(df, 0, sizeof *df);
	df->o = o;
	df->n = n;
	int t = opts ? opts->target : 0;
	df->target_option = t >= 1 && t <= WEFT_ASSESS_LEVELS;
	df->target = df->target_option ? t : n->target;
	if (df->target < 1 || df->target > WEFT_ASSESS_LEVELS)
		df->target = 1;
	df->ptt_o = weft_assess_percent_to_target(o, df->target);
	df->ptt_n = weft_assess_percent_to_target(n, df->target);
	df->overall = classify(true, true, o->rated ? DS_RATED : DS_NOT_RATED,
			       n->rated ? DS_RATED : DS_NOT_RATED, o->scored, n->scored, o->level, n->level,
			       o->score, n->score, o->coverage, n->coverage, o->rated ? 0 : o->why,
			       n->rated ? 0 : n->why);
	if (df->overall == DC_SAME && o->scored && moved(df->ptt_o, df->ptt_n))
		df->overall = DC_CHANGED;

	size_t nd = n->n_dims + o->n_dims, nq = n->model->n_questions + o->model->n_questions;
	df->dims = calloc(nd ? nd : 1, sizeof *df->dims);
	df->qs = calloc(nq ? nq : 1, sizeof *df->qs);
	if (!df->dims || !df->qs)
		return WEFT_ENOMEM;
	for (size_t i = 0; i < n->n_dims; i++) {
		const weft_assess_dresult *ndr = &n->dims[i];
		drow *r = &df->dims[df->n_dims++];
		*r = (drow){ ndr->dim->id, ndr->dim->title, find_dim(o, ndr->dim->id), ndr, DC_SAME };
		r->c = d_change(r->o, r->n);
	}
	for (size_t i = 0; i < o->n_dims; i++)
		if (!find_dim(n, o->dims[i].dim->id))
			df->dims[df->n_dims++] = (drow){ o->dims[i].dim->id, o->dims[i].dim->title, &o->dims[i],
							 NULL, DC_REMOVED };
	for (size_t i = 0; i < df->n_dims; i++)
		df->dims_changed += df->dims[i].c != DC_SAME;

	/* questions: NEW's model order, then those only in OLD's */
	for (size_t k = 0; k < n->model->n_questions + o->model->n_questions; k++) {
		bool in_new = k < n->model->n_questions;
		const weft_assess_question *q =
			in_new ? n->model->questions[k] : o->model->questions[k - n->model->n_questions];
		const weft_assess_dresult *odr = NULL, *ndr = NULL;
		const weft_assess_qresult *oq = find_q(o, q->id, &odr), *nqr = find_q(n, q->id, &ndr);
		if (!in_new && nqr)
			continue; /* already seen */
		const weft_assess_dresult *where = ndr ? ndr : odr;
		qrow r = { q->id, where ? where->dim->id : "", where ? where->dim->title : "", oq, nqr,
			   q_state(oq, odr), q_state(nqr, ndr), QC_SAME };
		r.c = q_change(r.os, r.ns, oq ? oq->level : 0, nqr ? nqr->level : 0);
		df->counts[r.c]++;
		if (r.c == QC_SAME)
			df->q_same++;
		else
			df->qs[df->n_qs++] = r;
	}
	warnings(df);
	return df->oom ? WEFT_ENOMEM : WEFT_OK;
}

static bool any_change(const diff *df)
{
	return df->overall != DC_SAME || df->dims_changed || df->n_qs;
}

int weft_assess_diff_summarize(weft_assess_diff_summary *out, const weft_assess_result *o,
			       const weft_assess_result *n, const weft_assess_diff_opts *opts)
{
	memset(out, 0, sizeof *out);
	diff df;
	int err = build(&df, o, n, opts);
	if (!err) {
		out->target = df.target;
		out->target_from_option = df.target_option;
		out->changed = any_change(&df);
		out->overall_changed = df.overall != DC_SAME;
		out->dims_changed = df.dims_changed;
		out->questions_changed = df.n_qs;
		out->questions_same = df.q_same;
		out->warnings = df.w;
		out->n_warnings = df.n_w;
		df.w = NULL;
		df.n_w = 0;
	}
	diff_free(&df);
	return err;
}

void weft_assess_diff_summary_free(weft_assess_diff_summary *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n_warnings; i++)
		free(s->warnings[i].text);
	free(s->warnings);
	s->warnings = NULL;
	s->n_warnings = 0;
}

/* ---- words shared by text and Markdown ------------------------------------------------- */

static void put_dlevel(weft_buf *b, const weft_assess_dresult *d)
{
	switch (d_state(d)) {
	case DS_ABSENT: weft_buf_puts(b, "not in model"); break;
	case DS_OUT_OF_SCOPE: weft_buf_puts(b, "out of scope"); break;
	case DS_NOT_RATED: weft_buf_puts(b, "not rated"); break;
	case DS_RATED: weft_buf_printf(b, "%d", d->level); break;
	}
}

static void put_level_move(weft_buf *b, bool orated, int ol, bool nrated, int nl, const char *ow,
			   const char *nw)
{
	if (orated)
		weft_buf_printf(b, "%d", ol);
	else
		weft_buf_puts(b, ow);
	weft_buf_puts(b, " -> ");
	if (nrated)
		weft_buf_printf(b, "%d", nl);
	else
		weft_buf_puts(b, nw);
	if (orated && nrated && ol != nl)
		weft_buf_printf(b, " (%+d)", nl - ol);
}

static void put_num_move(weft_buf *b, bool oh, double ov, bool nh, double nv, bool pct)
{
	for (int k = 0; k < 2; k++) {
		bool h = k ? nh : oh;
		double v = k ? nv : ov;
		if (k)
			weft_buf_puts(b, " -> ");
		if (!h)
			weft_buf_puts(b, "-");
		else if (pct)
			weft_buf_printf(b, "%d%%", assess_pct(v));
		else
			weft_buf_printf(b, "%.2f", v);
	}
	if (!pct && oh && nh && moved(ov, nv))
		weft_buf_printf(b, " (%+.2f)", nv - ov);
}

static void put_ptt(weft_buf *b, const diff *df)
{
	bool os = df->o->scored, ns = df->n->scored;
	if (os)
		weft_buf_printf(b, "%.1f%%", 100.0 * df->ptt_o);
	else
		weft_buf_puts(b, "-");
	weft_buf_puts(b, " -> ");
	if (ns)
		weft_buf_printf(b, "%.1f%%", 100.0 * df->ptt_n);
	else
		weft_buf_puts(b, "-");
	if (os && ns) {
		double pts = 100.0 * (df->ptt_n - df->ptt_o);
		if (fabs(pts) < 0.05)
			pts = 0;
		weft_buf_printf(b, " (%+.1f points)", pts);
	}
}

static void put_qside(weft_buf *b, const weft_assess_qresult *q, qstate s)
{
	switch (s) {
	case QS_ABSENT: weft_buf_puts(b, "not in model"); break;
	case QS_OUT_OF_SCOPE: weft_buf_puts(b, "out of scope"); break;
	case QS_UNANSWERED: weft_buf_puts(b, "unanswered"); break;
	case QS_NA: weft_buf_puts(b, "na"); break;
	case QS_ANSWERED: weft_buf_printf(b, "%d", q->level); break;
	}
}

static void put_qchange(weft_buf *b, const qrow *r)
{
	weft_buf_puts(b, qchange_words[r->c]);
	if (r->c == QC_UP || r->c == QC_DOWN)
		weft_buf_printf(b, " %d", abs(r->n->level - r->o->level));
}

/* weft_assess_explain of a side, printable. */
static char *explain(const weft_assess_result *r, const weft_assess_dresult *d)
{
	weft_buf b = WEFT_BUF_INIT;
	weft_assess_explain(&b, r, d);
	char *s = assess_printable(b.ptr ? b.ptr : "", false);
	weft_buf_free(&b);
	return s;
}

/* Whether a dimension's reasons are worth a line: its rating status or its
 * reason for having no level changed. */
static bool says_why(dchange c)
{
	return c == DC_NOW_RATED || c == DC_NO_LONGER_RATED || c == DC_CHANGED;
}

static void put_side_line(weft_buf *b, const weft_assess_result *r, bool md)
{
	const char *unit = r->unit ? r->unit : "(no answers)";
	char *u = assess_printable(unit, false);
	if (md)
		assess_put_md(b, u ? u : "");
	else
		weft_buf_puts(b, u ? u : "");
	free(u);
	for (size_t i = 0; i < r->n_sources; i++) {
		const weft_assess_source *s = &r->sources[i];
		char *who = assess_printable(s->respondent, false), *f = assess_printable(file_of(s->path), false);
		weft_buf_puts(b, i ? "; " : " (");
		if (md) {
			assess_put_md(b, who ? who : "");
		} else {
			weft_buf_puts(b, who ? who : "");
		}
		if (s->date)
			weft_buf_printf(b, " %s", s->date);
		weft_buf_puts(b, ", ");
		if (md)
			assess_put_md(b, f ? f : "");
		else
			weft_buf_puts(b, f ? f : "");
		if (s->migrated_from) {
			weft_buf_puts(b, ", migrated from ");
			char *v = assess_printable(s->migrated_from, false);
			if (md)
				assess_put_md(b, v ? v : "");
			else
				weft_buf_puts(b, v ? v : "");
			free(v);
		}
		free(who);
		free(f);
	}
	if (r->n_sources)
		weft_buf_puts(b, ")");
	weft_buf_printf(b, md ? ", model %s " : ", model %s ", r->model->id);
	char *v = assess_printable(r->model->version, false);
	if (md)
		assess_put_md(b, v ? v : "");
	else
		weft_buf_puts(b, v ? v : "");
	free(v);
}

static void put_target(weft_buf *b, const diff *df)
{
	weft_buf_printf(b, "level %d (%s)", df->target,
			df->target_option ? "--target" : "the new assessment's target");
}

static void put_summary(weft_buf *b, const diff *df)
{
	if (!any_change(df)) {
		weft_buf_puts(b, "no changes");
		return;
	}
	bool sep = false;
	if (df->overall != DC_SAME) {
		weft_buf_puts(b, "the overall result");
		sep = true;
	}
	if (df->dims_changed) {
		weft_buf_printf(b, "%s%zu of %zu dimension%s", sep ? ", " : "", df->dims_changed, df->n_dims,
				df->n_dims == 1 ? "" : "s");
		sep = true;
	}
	if (df->n_qs)
		weft_buf_printf(b, "%s%zu of %zu question%s", sep ? ", " : "", df->n_qs, df->n_qs + df->q_same,
				df->n_qs + df->q_same == 1 ? "" : "s");
	weft_buf_puts(b, " changed");
}

/* ---- text ------------------------------------------------------------------------------ */

static const char *dcol(bool colour, dchange c)
{
	switch (c) {
	case DC_UP:
	case DC_NOW_RATED:
	case DC_ADDED: return weft_term_sgr(colour, WEFT_SGR_GREEN);
	case DC_DOWN:
	case DC_NO_LONGER_RATED:
	case DC_REMOVED: return weft_term_sgr(colour, WEFT_SGR_RED);
	case DC_CHANGED: return weft_term_sgr(colour, WEFT_SGR_YELLOW);
	case DC_SAME: break;
	}
	return weft_term_sgr(colour, WEFT_SGR_DIM);
}

static const char *qcol(bool colour, qchange c)
{
	switch (c) {
	case QC_UP:
	case QC_ANSWERED:
	case QC_ADDED: return weft_term_sgr(colour, WEFT_SGR_GREEN);
	case QC_DOWN:
	case QC_NO_LONGER_ANSWERED:
	case QC_REMOVED: return weft_term_sgr(colour, WEFT_SGR_RED);
	case QC_CHANGED: return weft_term_sgr(colour, WEFT_SGR_YELLOW);
	case QC_SAME: break;
	}
	return weft_term_sgr(colour, WEFT_SGR_DIM);
}

/* One "Level  Score  Coverage" row after a 30-column name. */
static void text_row(weft_buf *b, bool orated, int ol, const char *ow, bool nrated, int nl,
		     const char *nw, bool osc, double os, bool nsc, double ns, double oc, double nc)
{
	weft_buf cell = WEFT_BUF_INIT;
	put_level_move(&cell, orated, ol, nrated, nl, ow, nw);
	assess_put_cols(b, cell.ptr ? cell.ptr : "", 30, true);
	weft_buf_free(&cell);
	weft_buf_puts(b, "  ");
	put_num_move(&cell, osc, os, nsc, ns, false);
	assess_put_cols(b, cell.ptr ? cell.ptr : "", 22, true);
	weft_buf_free(&cell);
	weft_buf_puts(b, "  ");
	put_num_move(&cell, osc, oc, nsc, nc, true);
	weft_buf_put(b, cell.ptr ? cell.ptr : "", cell.len);
	weft_buf_free(&cell);
}

static const char *dword(const weft_assess_dresult *d)
{
	switch (d_state(d)) {
	case DS_ABSENT: return "not in model";
	case DS_OUT_OF_SCOPE: return "out of scope";
	default: return "not rated";
	}
}

static void text_why(weft_buf *b, const weft_assess_result *o, const weft_assess_dresult *od,
		     const weft_assess_result *n, const weft_assess_dresult *nd, bool overall)
{
	bool orated = overall ? o->rated : od && od->rated, nrated = overall ? n->rated : nd && nd->rated;
	if ((overall || od) && !orated) {
		char *s = explain(o, od);
		weft_buf_printf(b, "%-32swas %s\n", "", s ? s : "");
		free(s);
	}
	if ((overall || nd) && !nrated) {
		char *s = explain(n, nd);
		weft_buf_printf(b, "%-32snow %s\n", "", s ? s : "");
		free(s);
	}
}

int weft_assess_diff_text(weft_buf *b, const weft_assess_result *o, const weft_assess_result *n,
			  const weft_assess_diff_opts *opts)
{
	diff df;
	int err = build(&df, o, n, opts);
	if (err) {
		diff_free(&df);
		return err;
	}
	bool colour = opts && opts->colour;
	const char *bold = weft_term_sgr(colour, WEFT_SGR_BOLD), *reset = weft_term_sgr(colour, WEFT_SGR_RESET);
	weft_buf_printf(b, "%sOld:%s ", bold, reset);
	put_side_line(b, o, false);
	weft_buf_printf(b, "\n%sNew:%s ", bold, reset);
	put_side_line(b, n, false);
	weft_buf_printf(b, "\n%sTarget:%s ", bold, reset);
	put_target(b, &df);
	weft_buf_puts(b, "\n");

	for (size_t i = 0; i < df.n_w; i++) {
		char *s = assess_printable(df.w[i].text, false);
		weft_buf_printf(b, "%swarning:%s %s\n", weft_term_sgr(colour, WEFT_SGR_YELLOW), reset, s ? s : "");
		free(s);
	}

	weft_buf_printf(b, "\n%-30s  %-30s  %-22s  %s\n", "", "Level", "Score", "Coverage");
	weft_buf_printf(b, "%s%s", dcol(colour, df.overall), bold);
	assess_put_cols(b, "Overall", 30, true);
	weft_buf_printf(b, "%s%s  ", reset, dcol(colour, df.overall));
	text_row(b, o->rated, o->level, "not rated", n->rated, n->level, "not rated", o->scored, o->score,
		 n->scored, n->score, o->coverage, n->coverage);
	weft_buf_printf(b, "%s\n", reset);
	if (says_why(df.overall) && (o->rated != n->rated || o->why != n->why))
		text_why(b, o, NULL, n, NULL, true);
	weft_buf cell = WEFT_BUF_INIT;
	weft_buf_printf(&cell, "To target (level %d)", df.target);
	assess_put_cols(b, cell.ptr ? cell.ptr : "", 30, true);
	weft_buf_free(&cell);
	weft_buf_puts(b, "  ");
	put_ptt(b, &df);
	weft_buf_puts(b, "\n\n");

	weft_buf_printf(b, "%sDimensions%s\n", bold, reset);
	for (size_t i = 0; i < df.n_dims; i++) {
		const drow *r = &df.dims[i];
		char *t = assess_printable(r->title, false);
		weft_buf_puts(b, dcol(colour, r->c));
		assess_put_cols(b, t ? t : "", 30, true);
		free(t);
		weft_buf_puts(b, "  ");
		text_row(b, r->o && r->o->rated, r->o ? r->o->level : 0, dword(r->o), r->n && r->n->rated,
			 r->n ? r->n->level : 0, dword(r->n), r->o && r->o->scored, r->o ? r->o->score : 0,
			 r->n && r->n->scored, r->n ? r->n->score : 0, r->o ? r->o->coverage : 0,
			 r->n ? r->n->coverage : 0);
		if (r->c != DC_SAME)
			weft_buf_printf(b, "  %s", dchange_words[r->c]);
		weft_buf_printf(b, "%s\n", reset);
		if (says_why(r->c))
			text_why(b, o, r->o, n, r->n, false);
	}

	weft_buf_printf(b, "\n%sQuestions%s: %zu up, %zu down, %zu newly answered, %zu no longer answered, "
			   "%zu otherwise changed, %zu the same",
			bold, reset, df.counts[QC_UP], df.counts[QC_DOWN], df.counts[QC_ANSWERED],
			df.counts[QC_NO_LONGER_ANSWERED], df.counts[QC_CHANGED], df.q_same);
	if (df.counts[QC_ADDED] || df.counts[QC_REMOVED])
		weft_buf_printf(b, ", %zu only in the new model, %zu only in the old model", df.counts[QC_ADDED],
				df.counts[QC_REMOVED]);
	weft_buf_puts(b, "\n");
	for (size_t i = 0; i < df.n_qs; i++) {
		const qrow *r = &df.qs[i];
		weft_buf_puts(b, qcol(colour, r->c));
		weft_buf_puts(b, "  ");
		assess_put_cols(b, r->id, 28, true);
		weft_buf_puts(b, "  ");
		char *t = assess_printable(r->dim_title, false);
		assess_put_cols(b, t ? t : "", 26, true);
		free(t);
		weft_buf_puts(b, "  ");
		put_qside(b, r->o, r->os);
		weft_buf_puts(b, " -> ");
		put_qside(b, r->n, r->ns);
		weft_buf_puts(b, "  ");
		put_qchange(b, r);
		weft_buf_printf(b, "%s\n", reset);
	}
	weft_buf_printf(b, "\n%sSummary:%s ", bold, reset);
	put_summary(b, &df);
	weft_buf_printf(b, "%s\n", df.n_w ? " (see the warnings above)" : "");
	diff_free(&df);
	return b->oom ? WEFT_ENOMEM : WEFT_OK;
}

/* ---- Markdown ------------------------------------------------------------------------- */

static void md_dside(weft_buf *b, const weft_assess_dresult *d)
{
	put_dlevel(b, d);
	if (d && d->scored)
		weft_buf_printf(b, " (score %.2f, coverage %d%%)", d->score, assess_pct(d->coverage));
}

static void md_why(weft_buf *b, const char *lead, const weft_assess_result *r, const weft_assess_dresult *d)
{
	char *s = explain(r, d);
	weft_buf_puts(b, lead);
	assess_put_md(b, s ? s : "");
	free(s);
}

int weft_assess_diff_markdown(weft_buf *b, const weft_assess_result *o, const weft_assess_result *n,
			      const weft_assess_diff_opts *opts)
{
	diff df;
	int err = build(&df, o, n, opts);
	if (err) {
		diff_free(&df);
		return err;
	}
	weft_buf_puts(b, "# Assessment diff: ");
	char *u = assess_printable(n->unit ? n->unit : "(no answers)", false);
	assess_put_md(b, u ? u : "");
	free(u);
	weft_buf_puts(b, "\n\n- Old: ");
	put_side_line(b, o, true);
	weft_buf_puts(b, "\n- New: ");
	put_side_line(b, n, true);
	weft_buf_puts(b, "\n- Target: ");
	put_target(b, &df);
	weft_buf_puts(b, "\n");
	if (opts && (opts->generator || opts->generated_at)) {
		weft_buf_puts(b, "- Generated");
		if (opts->generator) {
			weft_buf_puts(b, " by ");
			assess_put_md(b, opts->generator);
		}
		if (opts->generated_at) {
			weft_buf_puts(b, " at ");
			assess_put_md(b, opts->generated_at);
		}
		weft_buf_puts(b, "\n");
	}
	weft_buf_puts(b, "\n");
	if (df.n_w) {
		weft_buf_puts(b, "> **Warnings**\n>\n");
		for (size_t i = 0; i < df.n_w; i++) {
			char *s = assess_printable(df.w[i].text, false);
			weft_buf_puts(b, "> - ");
			assess_put_md(b, s ? s : "");
			weft_buf_puts(b, "\n");
			free(s);
		}
		weft_buf_puts(b, "\n");
	}

	weft_buf_puts(b, "**Overall:** level ");
	put_level_move(b, o->rated, o->level, n->rated, n->level, "not rated", "not rated");
	weft_buf_puts(b, ", score ");
	put_num_move(b, o->scored, o->score, n->scored, n->score, false);
	weft_buf_puts(b, ", coverage ");
	put_num_move(b, o->scored, o->coverage, n->scored, n->coverage, true);
	weft_buf_printf(b, "; PercentToTarget at level %d: ", df.target);
	put_ptt(b, &df);
	weft_buf_puts(b, ".");
	if (says_why(df.overall) && (o->rated != n->rated || o->why != n->why)) {
		if (!o->rated)
			md_why(b, " Old: ", o, NULL);
		if (!n->rated)
			md_why(b, " New: ", n, NULL);
	}
	weft_buf_puts(b, "\n\n| Dimension | Old | New | Change |\n|---|---|---|---|\n");
	for (size_t i = 0; i < df.n_dims; i++) {
		const drow *r = &df.dims[i];
		char *t = assess_printable(r->title, false);
		weft_buf_puts(b, "| ");
		assess_put_md(b, t ? t : "");
		free(t);
		weft_buf_puts(b, " | ");
		md_dside(b, r->o);
		weft_buf_puts(b, " | ");
		md_dside(b, r->n);
		weft_buf_printf(b, " | %s", dchange_words[r->c]);
		if (r->o && r->n && r->o->rated && r->n->rated && r->o->level != r->n->level)
			weft_buf_printf(b, " (level %+d)", r->n->level - r->o->level);
		if (says_why(r->c)) {
			if (r->o && !r->o->rated)
				md_why(b, "; was ", o, r->o);
			if (r->n && !r->n->rated)
				md_why(b, "; now ", n, r->n);
		}
		weft_buf_puts(b, " |\n");
	}
	weft_buf_puts(b, "\n");
	if (df.n_qs) {
		weft_buf_puts(b, "## Changed questions\n\n| Question | Dimension | Old | New | Change |\n"
				 "|---|---|---|---|---|\n");
		for (size_t i = 0; i < df.n_qs; i++) {
			const qrow *r = &df.qs[i];
			char *t = assess_printable(r->dim_title, false);
			weft_buf_puts(b, "| ");
			assess_put_md(b, r->id);
			weft_buf_puts(b, " | ");
			assess_put_md(b, t ? t : "");
			free(t);
			weft_buf_puts(b, " | ");
			put_qside(b, r->o, r->os);
			weft_buf_puts(b, " | ");
			put_qside(b, r->n, r->ns);
			weft_buf_puts(b, " | ");
			put_qchange(b, r);
			weft_buf_puts(b, " |\n");
		}
		weft_buf_puts(b, "\n");
	}
	weft_buf_puts(b, "**Summary:** ");
	put_summary(b, &df);
	weft_buf_puts(b, ".\n");
	diff_free(&df);
	return b->oom ? WEFT_ENOMEM : WEFT_OK;
}

/* ---- JSON ----------------------------------------------------------------------------- */

static cJSON *str_or_null(const char *s)
{
	return s ? cJSON_CreateString(s) : cJSON_CreateNull();
}

static cJSON *num_if(bool have, double v)
{
	return have ? cJSON_CreateNumber(assess_round4(v)) : cJSON_CreateNull();
}

static cJSON *int_if(bool have, int v)
{
	return have ? cJSON_CreateNumber(v) : cJSON_CreateNull();
}

/* One side's provenance and overall result. */
static cJSON *jside(assess_jguard *g, const weft_assess_result *r, const diff *df, bool is_new)
{
	cJSON *o = cJSON_CreateObject();
	assess_jadd(g, o, "unit", str_or_null(r->unit));
	cJSON *mo = cJSON_CreateObject();
	assess_jadd(g, mo, "id", cJSON_CreateString(r->model->id));
	assess_jadd(g, mo, "version", cJSON_CreateString(r->model->version));
	assess_jadd(g, mo, "sha256", cJSON_CreateString(r->model->sha256));
	assess_jadd(g, o, "model", mo);
	assess_jadd(g, o, "min_coverage", cJSON_CreateNumber(assess_round4(r->min_coverage)));
	cJSON *wo = cJSON_CreateNull();
	if (r->weights_name) {
		cJSON_Delete(wo);
		wo = cJSON_CreateObject();
		assess_jadd(g, wo, "file", cJSON_CreateString(file_of(r->weights_name)));
		assess_jadd(g, wo, "sha256", str_or_null(r->weights_sha256));
	}
	assess_jadd(g, o, "weights", wo);
	cJSON *src = cJSON_CreateArray();
	for (size_t i = 0; src && i < r->n_sources; i++) {
		const weft_assess_source *s = &r->sources[i];
		cJSON *x = cJSON_CreateObject();
		assess_jadd(g, x, "file", cJSON_CreateString(file_of(s->path)));
		assess_jadd(g, x, "respondent", cJSON_CreateString(s->respondent ? s->respondent : ""));
		assess_jadd(g, x, "date", str_or_null(s->date));
		assess_jadd(g, x, "sha256", str_or_null(s->sha256 && *s->sha256 ? s->sha256 : NULL));
		assess_jadd(g, x, "migrated_from", str_or_null(s->migrated_from));
		assess_jpush(g, src, x);
	}
	assess_jadd(g, o, "sources", src);
	cJSON *ov = cJSON_CreateObject();
	assess_jadd(g, ov, "rated", cJSON_CreateBool(r->rated));
	assess_jadd(g, ov, "not_rated", assess_json_why(g, r->rated ? 0 : r->why));
	assess_jadd(g, ov, "explanation", assess_json_explain(r, NULL));
	assess_jadd(g, ov, "level", int_if(r->rated, r->level));
	assess_jadd(g, ov, "score", num_if(r->scored, r->score));
	assess_jadd(g, ov, "coverage", num_if(r->scored, r->coverage));
	assess_jadd(g, ov, "percent_to_target", num_if(r->scored, is_new ? df->ptt_n : df->ptt_o));
	assess_jadd(g, ov, "own_target", cJSON_CreateNumber(r->target));
	assess_jadd(g, o, "overall", ov);
	return o;
}

static cJSON *move(assess_jguard *g, bool oh, double ov, bool nh, double nv, bool integer)
{
	cJSON *o = cJSON_CreateObject();
	assess_jadd(g, o, "old", integer ? int_if(oh, (int)ov) : num_if(oh, ov));
	assess_jadd(g, o, "new", integer ? int_if(nh, (int)nv) : num_if(nh, nv));
	assess_jadd(g, o, "delta", integer ? int_if(oh && nh, (int)(nv - ov))
					   : num_if(oh && nh, assess_round4(nv) - assess_round4(ov)));
	return o;
}

static cJSON *jdside(assess_jguard *g, const weft_assess_result *r, const weft_assess_dresult *d)
{
	if (!d)
		return cJSON_CreateNull();
	static const char *const st[] = { "absent", "out_of_scope", "not_rated", "rated" };
	cJSON *o = cJSON_CreateObject();
	assess_jadd(g, o, "status", cJSON_CreateString(st[d_state(d)]));
	assess_jadd(g, o, "not_rated", assess_json_why(g, d->rated ? 0 : d->why));
	assess_jadd(g, o, "explanation", assess_json_explain(r, d));
	assess_jadd(g, o, "level", int_if(d->rated, d->level));
	assess_jadd(g, o, "score", num_if(d->scored, d->score));
	assess_jadd(g, o, "coverage", num_if(d->scored, d->coverage));
	return o;
}

static cJSON *jqside(assess_jguard *g, const weft_assess_qresult *q, qstate s)
{
	if (s == QS_ABSENT)
		return cJSON_CreateNull();
	cJSON *o = cJSON_CreateObject();
	assess_jadd(g, o, "status", cJSON_CreateString(qstate_names[s]));
	assess_jadd(g, o, "level", int_if(s == QS_ANSWERED, q->level));
	return o;
}

int weft_assess_diff_json(weft_buf *b, const weft_assess_result *o, const weft_assess_result *n,
			  const weft_assess_diff_opts *opts)
{
	diff df;
	int err = build(&df, o, n, opts);
	if (err) {
		diff_free(&df);
		return err;
	}
	assess_jguard g = { false };
	cJSON *root = cJSON_CreateObject();
	assess_jadd(&g, root, "format", cJSON_CreateString("weft-assess-diff"));
	assess_jadd(&g, root, "format_version", cJSON_CreateNumber(FORMAT_VERSION));
	assess_jadd(&g, root, "generator", str_or_null(opts ? opts->generator : NULL));
	assess_jadd(&g, root, "generated_at", str_or_null(opts ? opts->generated_at : NULL));
	cJSON *t = cJSON_CreateObject();
	assess_jadd(&g, t, "level", cJSON_CreateNumber(df.target));
	assess_jadd(&g, t, "from", cJSON_CreateString(df.target_option ? "option" : "new_target"));
	assess_jadd(&g, root, "target", t);
	assess_jadd(&g, root, "old", jside(&g, o, &df, false));
	assess_jadd(&g, root, "new", jside(&g, n, &df, true));

	cJSON *ov = cJSON_CreateObject();
	assess_jadd(&g, ov, "change", cJSON_CreateString(dchange_names[df.overall]));
	assess_jadd(&g, ov, "level", move(&g, o->rated, o->level, n->rated, n->level, true));
	assess_jadd(&g, ov, "score", move(&g, o->scored, o->score, n->scored, n->score, false));
	assess_jadd(&g, ov, "coverage", move(&g, o->scored, o->coverage, n->scored, n->coverage, false));
	cJSON *pt = cJSON_CreateObject();
	assess_jadd(&g, pt, "target", cJSON_CreateNumber(df.target));
	assess_jadd(&g, pt, "old", num_if(o->scored, df.ptt_o));
	assess_jadd(&g, pt, "new", num_if(n->scored, df.ptt_n));
	assess_jadd(&g, pt, "delta_points",
		    num_if(o->scored && n->scored, 100.0 * (assess_round4(df.ptt_n) - assess_round4(df.ptt_o))));
	assess_jadd(&g, ov, "percent_to_target", pt);
	assess_jadd(&g, root, "overall", ov);

	cJSON *sum = cJSON_CreateObject();
	assess_jadd(&g, sum, "changed", cJSON_CreateBool(any_change(&df)));
	assess_jadd(&g, sum, "overall_changed", cJSON_CreateBool(df.overall != DC_SAME));
	assess_jadd(&g, sum, "dimensions_changed", cJSON_CreateNumber((double)df.dims_changed));
	assess_jadd(&g, sum, "questions_changed", cJSON_CreateNumber((double)df.n_qs));
	assess_jadd(&g, sum, "questions_same", cJSON_CreateNumber((double)df.q_same));
	assess_jadd(&g, root, "summary", sum);

	cJSON *dims = cJSON_CreateArray();
	for (size_t i = 0; dims && i < df.n_dims; i++) {
		const drow *r = &df.dims[i];
		bool rated2 = r->o && r->n && r->o->rated && r->n->rated;
		bool scored2 = r->o && r->n && r->o->scored && r->n->scored;
		cJSON *d = cJSON_CreateObject();
		assess_jadd(&g, d, "id", cJSON_CreateString(r->id));
		assess_jadd(&g, d, "title", cJSON_CreateString(r->title));
		assess_jadd(&g, d, "change", cJSON_CreateString(dchange_names[r->c]));
		assess_jadd(&g, d, "old", jdside(&g, o, r->o));
		assess_jadd(&g, d, "new", jdside(&g, n, r->n));
		assess_jadd(&g, d, "level_delta", int_if(rated2, rated2 ? r->n->level - r->o->level : 0));
		assess_jadd(&g, d, "score_delta",
			    num_if(scored2, scored2 ? assess_round4(r->n->score) - assess_round4(r->o->score) : 0));
		assess_jadd(&g, d, "coverage_delta",
			    num_if(scored2, scored2 ? assess_round4(r->n->coverage) - assess_round4(r->o->coverage) : 0));
		assess_jpush(&g, dims, d);
	}
	assess_jadd(&g, root, "dimensions", dims);

	cJSON *qs = cJSON_CreateArray();
	for (size_t i = 0; qs && i < df.n_qs; i++) {
		const qrow *r = &df.qs[i];
		bool both = r->os == QS_ANSWERED && r->ns == QS_ANSWERED;
		cJSON *q = cJSON_CreateObject();
		assess_jadd(&g, q, "id", cJSON_CreateString(r->id));
		assess_jadd(&g, q, "dimension", cJSON_CreateString(r->dim_id));
		assess_jadd(&g, q, "change", cJSON_CreateString(qchange_names[r->c]));
		assess_jadd(&g, q, "old", jqside(&g, r->o, r->os));
		assess_jadd(&g, q, "new", jqside(&g, r->n, r->ns));
		assess_jadd(&g, q, "delta", int_if(both, both ? r->n->level - r->o->level : 0));
		assess_jpush(&g, qs, q);
	}
	assess_jadd(&g, root, "questions", qs);

	static const char *const kinds[] = { "", "unit", "order", "model", "migration", "min_coverage", "weights" };
	cJSON *ws = cJSON_CreateArray();
	for (size_t i = 0; ws && i < df.n_w; i++) {
		cJSON *w = cJSON_CreateObject();
		assess_jadd(&g, w, "kind", cJSON_CreateString(kinds[df.w[i].kind]));
		assess_jadd(&g, w, "text", cJSON_CreateString(df.w[i].text));
		assess_jpush(&g, ws, w);
	}
	assess_jadd(&g, root, "warnings", ws);
	diff_free(&df);

	return assess_json_emit(b, &g, root);
}
