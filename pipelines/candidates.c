/* candidates.c - which candidate model to put in a model stage.
 *
 * Design: a candidate's verdict means what a `weft bench run` verdict
 * means. Through a pipeline, each candidate gets a full run of the unchanged
 * harness with only the model stage's file swapped, so network hops, queueing
 * behind other stages and every budget (stage, end-to-end, error rate) count
 * exactly as in a run. Alone, the forward pass is timed per query and its p99
 * judged with the same order-statistic interval and rule. Accuracy and ROC AUC
 * come from the kernels library, on the device and precision the stage uses.
 * The recommendation rule lives in one place (recommend()) for both modes.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "report_int.h"
#include "weft_kernels.h"

void weft_pipelines_candidates_opts_init(weft_pipelines_candidates_opts *o)
{
	memset(o, 0, sizeof *o);
	o->batch = 1;
	o->max_batch = 64;
	o->iterations = 1000;
	o->warmup = 20;
}

void weft_pipelines_candidates_free(weft_pipelines_candidates *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n; i++) {
		weft_pipelines_candidate *it = &c->items[i];
		free(it->name);
		free(it->path);
		free(it->error);
		free(it->why);
		free(it->sweep);
		weft_pipelines_result_free(it->run);
	}
	free(c->items);
	free(c->pipeline);
	free(c->path);
	free(c->stage);
	free(c->eval);
	free(c);
}

int weft_pipelines_candidates_gate(const weft_pipelines_candidates *c)
{
	bool any_budget = c->has_budget;
	for (size_t i = 0; i < c->n; i++)
		any_budget = any_budget || c->items[i].judged;
	return any_budget && c->recommended == SIZE_MAX ? WEFT_EGATE : WEFT_OK;
}

/* ---- shared steps ------------------------------------------------------------ */

/* The file's base name without .safetensors, made printable: a name is
 * any bytes, and reports put it in JSON, XML and on terminals. */
static char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	s = s ? s + 1 : path;
	size_t n = strlen(s);
	if (n > 12 && strcmp(s + n - 12, ".safetensors") == 0)
		n -= 12;
	char *raw = strndup(s, n);
	if (!raw)
		return NULL;
	weft_buf b = WEFT_BUF_INIT;
	weft_buf_put_printable(&b, raw, '?');
	free(raw);
	return b.oom ? (weft_buf_free(&b), NULL) : weft_buf_detach(&b);
}

static int candidates_new(weft_pipelines_candidates **out, const char *const *paths, size_t n,
			  const char *eval)
{
	weft_pipelines_candidates *c = calloc(1, sizeof *c);
	if (!c)
		return WEFT_ENOMEM;
	*out = c;
	c->recommended = SIZE_MAX;
	c->reason = "";
	c->confidence = 0.95;
	if (eval && !(c->eval = strdup(eval)))
		return WEFT_ENOMEM;
	if (!(c->items = calloc(n ? n : 1, sizeof *c->items)))
		return WEFT_ENOMEM;
	for (size_t i = 0; i < n; i++, c->n++) {
		weft_pipelines_candidate *it = &c->items[i];
		it->precision = "fp32";
		it->fits = WEFT_VERDICT_INCONCLUSIVE;
		if (!(it->path = strdup(paths[i])) || !(it->name = base_name(paths[i]))) {
			c->n++;
			return WEFT_ENOMEM;
		}
	}
	return WEFT_OK;
}

/* The first error recorded at index `from` or later, as the candidate's
 * error text (the diagnostics themselves stay in d for the caller). */
static void keep_error(weft_pipelines_candidate *it, int err, const weft_diags *d, size_t from)
{
	it->err = err ? err : WEFT_EINVALID;
	for (size_t i = from; i < weft_diags_count(d); i++) {
		const weft_diag *g = weft_diags_get(d, i);
		if (g->severity == WEFT_SEV_ERROR && g->message) {
			it->error = strdup(g->message);
			return;
		}
	}
	it->error = strdup("could not be measured");
}

/* Load the candidate with the stage's options, note what it is and score
 * it on the evaluation set. Returns the model (caller frees) or NULL. */
/* The candidate's hitl operating point at c's error budget (on the
 * evaluation set, with the model as loaded). */
static int operating_point(weft_pipelines_candidate *it, const weft_pipelines_candidates *c, weft_model *m,
			   const weft_evalset *ev, weft_diags *d)
{
	double *scores = NULL;
	weft_pipelines_threshold_data *td = NULL;
	weft_pipelines_threshold_result *tr = NULL;
	weft_pipelines_threshold_opts to;
	weft_pipelines_threshold_opts_init(&to);
	to.max_error = c->hitl_max_error;
	to.confidence = c->confidence;
	int err = weft_model_scores(&scores, m, ev, d);
	if (!err)
		err = weft_pipelines_threshold_data_new(&td, it->name, scores, ev->labels, NULL, ev->rows);
	if (!err)
		err = weft_pipelines_threshold_analyse(&tr, td, &to, d);
	if (!err && tr->recommended != SIZE_MAX) {
		const weft_pipelines_threshold_point *p = &tr->points[tr->recommended];
		it->has_hitl = true;
		it->hitl_threshold = p->threshold;
		weft_pl_threshold_text(it->hitl_text, sizeof it->hitl_text, tr, tr->recommended);
		it->hitl_automation = p->automation_rate;
		it->hitl_error_rate = p->error_rate;
		it->hitl_error_upper = p->error_upper;
	}
	weft_pipelines_threshold_result_free(tr);
	weft_pipelines_threshold_data_free(td);
	free(scores);
	return err;
}

static weft_model *load_and_score(weft_pipelines_candidate *it, const weft_pipelines_candidates *c,
				  const weft_model_opts *mo, const weft_evalset *ev, weft_diags *d)
{
	weft_model *m = NULL;
	size_t from = weft_diags_count(d);
	int err = weft_model_load(&m, it->path, mo, d);
	if (err) {
		keep_error(it, err, d, from);
		return NULL;
	}
	it->params = weft_model_params(m);
	it->bytes = weft_model_bytes(m);
	it->on_gpu = weft_model_on_gpu(m);
	it->precision = weft_precision_name(weft_model_precision(m));
	if (ev) {
		weft_model_eval e;
		if ((err = weft_model_evaluate(&e, m, ev, d)) == WEFT_OK) {
			it->evaluated = true;
			it->accuracy = e.accuracy;
			it->has_auc = e.has_auc;
			it->auc = e.auc;
		}
		if (!err && c->has_hitl)
			err = operating_point(it, c, m, ev, d);
		if (err) {
			keep_error(it, err, d, from);
			weft_model_free(m);
			return NULL;
		}
	}
	return m;
}

/* The most accurate candidate that fits (ties: fewer parameters); with a
 * hitl error budget the one that automates most (ties: as before); without
 * an evaluation set the fastest (model-stage p99) that fits. */
static void recommend(weft_pipelines_candidates *c)
{
	bool by_acc = c->eval != NULL, any_budget = false, by_auto = by_acc && c->has_hitl;
	size_t best = SIZE_MAX;
	for (size_t i = 0; i < c->n; i++) {
		const weft_pipelines_candidate *it = &c->items[i];
		any_budget = any_budget || it->judged;
		bool fits = !it->judged || it->fits == WEFT_VERDICT_MET ||
			    (c->allow_inconclusive && it->fits == WEFT_VERDICT_INCONCLUSIVE);
		if (it->err || it->error || !fits || (by_acc && !it->evaluated))
			continue;
		if (best == SIZE_MAX) {
			best = i;
			continue;
		}
		const weft_pipelines_candidate *b = &c->items[best];
		bool sure = !it->judged || it->fits == WEFT_VERDICT_MET;
		bool b_sure = !b->judged || b->fits == WEFT_VERDICT_MET;
		double au = it->has_hitl ? it->hitl_automation : 0, bu = b->has_hitl ? b->hitl_automation : 0;
		bool same = by_acc ? it->accuracy == b->accuracy && it->params == b->params && (!by_auto || au == bu)
				   : it->stage_p99.value_ms == b->stage_p99.value_ms;
		if (same ? sure && !b_sure
			 : by_auto && au != bu ? au > bu
			 : by_acc ? it->accuracy > b->accuracy ||
					    (it->accuracy == b->accuracy && it->params < b->params)
				  : it->stage_p99.value_ms < b->stage_p99.value_ms)
			best = i;
	}
	c->recommended = best;
	if (best != SIZE_MAX && c->items[best].judged && c->items[best].fits == WEFT_VERDICT_INCONCLUSIVE)
		c->reason = by_acc ? "the most accurate candidate not over the budget, though whether it fits "
				     "is inconclusive: --allow-inconclusive"
				   : "the fastest candidate not over the budget, though whether it fits is "
				     "inconclusive: --allow-inconclusive; no evaluation set";
	else if (best == SIZE_MAX)
		c->reason = any_budget ? "no candidate fits the budget" : "no candidate could be measured";
	else if (by_auto)
		c->reason = any_budget ? "the candidate that automates most within the hitl error budget among "
					 "those that fit the latency budget"
				       : "the candidate that automates most within the hitl error budget; no "
					 "latency budget was given";
	else if (by_acc)
		c->reason = any_budget ? "the most accurate candidate that fits the budget"
				       : "the most accurate candidate; no budget was given";
	else
		c->reason = any_budget ? "the fastest candidate that fits; no evaluation set"
				       : "the fastest candidate; no budget, no evaluation set";
}

static int load_eval(weft_evalset **ev, const char *path, weft_diags *d)
{
	*ev = NULL;
	return path ? weft_evalset_load(ev, path, d) : WEFT_OK;
}

/* ---- model-only ------------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Estimate and interval of the q-quantile of n sorted samples (ms). */
static void pctl_sorted(weft_pipelines_pctl *p, const char *label, double q, const double *sorted,
			size_t n, double confidence)
{
	memset(p, 0, sizeof *p);
	snprintf(p->label, sizeof p->label, "%s", label);
	p->q = q;
	p->se_log = p->vif = NAN; /* not measured for forward passes timed alone */
	p->value_ms = sorted[weft_pipelines_quantile_rank(n, q) - 1];
	uint64_t lo = 0, hi = 0;
	if (weft_pipelines_quantile_ci(&lo, &hi, NULL, n, q, confidence) == 0) {
		p->lo_rank = lo;
		p->hi_rank = hi;
		if ((p->has_lo = lo >= 1))
			p->lo_ms = sorted[lo - 1];
		if ((p->has_hi = hi <= n))
			p->hi_ms = sorted[hi - 1];
	}
}

/* Warm-up, then `iters` timed forward passes of one batch size. */
static int time_batch(weft_pipelines_sweep_row *row, weft_model *m, const float *in, float *out,
		      size_t batch, const weft_pipelines_candidates_opts *o, double confidence,
		      weft_diags *d)
{
	double *t = malloc(o->iterations * sizeof *t);
	if (!t)
		return WEFT_ENOMEM;
	int err = 0;
	weft_model_timing tm;
	for (size_t i = 0; i < o->warmup && !err; i++)
		err = weft_model_forward(m, out, in, batch, &tm, d);
	double h2d = 0, comp = 0, d2h = 0;
	for (size_t i = 0; i < o->iterations && !err; i++) {
		err = weft_model_forward(m, out, in, batch, &tm, d);
		t[i] = tm.host_ms;
		h2d += tm.h2d_ms, comp += tm.compute_ms, d2h += tm.d2h_ms;
	}
	if (!err) {
		size_t n = o->iterations;
		qsort(t, n, sizeof *t, cmp_double);
		row->batch = batch;
		row->n = n;
		pctl_sorted(&row->p50, "p50", 0.50, t, n, confidence);
		pctl_sorted(&row->p99, "p99", 0.99, t, n, confidence);
		row->rows_per_s = row->p50.value_ms > 0 ? (double)batch / (row->p50.value_ms / 1000.0) : 0;
		row->h2d_ms = h2d / (double)n;
		row->compute_ms = comp / (double)n;
		row->d2h_ms = d2h / (double)n;
	}
	free(t);
	return err;
}

static int model_opts_from(weft_model_opts *mo, const weft_pipelines_candidates_opts *o,
			   const char *device, const char *precision, weft_diags *d)
{
	weft_model_opts_init(mo);
	if (device && weft_device_parse(&mo->device, device))
		return weft_diags_error(d, NULL, 0, 0, "unknown device '%s' (auto, cpu or gpu)", device);
	if (precision && weft_precision_parse(&mo->precision, precision))
		return weft_diags_error(d, NULL, 0, 0, "unknown precision '%s' (fp32, tf32, fp16, bf16)",
					precision);
	mo->use_graph = !o->no_graph;
	mo->prefix = o->prefix;
	mo->activations = o->activations;
	mo->softmax = o->softmax;
	return WEFT_OK;
}

static int cmp_row(const void *a, const void *b)
{
	size_t x = ((const weft_pipelines_sweep_row *)a)->batch, y = ((const weft_pipelines_sweep_row *)b)->batch;
	return x < y ? -1 : x > y;
}

/* Why the forward pass alone does not fit, in the words of a run report. */
static char *why_not_alone(const weft_pipelines_sweep_row *at, double budget_ms, double confidence,
			   weft_pipelines_verdict v)
{
	weft_buf b = WEFT_BUF_INIT;
	char lim[32];
	weft_buf_printf(&b, "p99 <= %s %s at batch %zu: ", weft_pl_fmt_ms(lim, sizeof lim, budget_ms, false),
			weft_pipelines_verdict_name(v), at->batch);
	weft_pl_pctl_sentence(&b, "p99", &at->p99, confidence, false);
	if (b.oom) {
		weft_buf_free(&b);
		return NULL;
	}
	return b.ptr;
}

static int time_candidate(weft_pipelines_candidate *it, weft_model *m,
			  const weft_pipelines_candidates_opts *o, const weft_evalset *ev,
			  double confidence, weft_diags *d)
{
	size_t top = o->sweep ? o->max_batch : o->batch;
	if (o->batch > top)
		top = o->batch;
	size_t in_n = weft_model_inputs(m), out_n = weft_model_outputs(m);
	float *in = malloc(top * in_n * sizeof *in);
	float *out = malloc(top * out_n * sizeof *out);
	it->sweep = calloc(66, sizeof *it->sweep);
	int err = in && out && it->sweep ? WEFT_OK : WEFT_ENOMEM;
	/* timing input: evaluation rows when they match, else a fixed pattern */
	uint64_t s = 0x9e3779b97f4a7c15ull;
	for (size_t i = 0; !err && i < top * in_n; i++)
		in[i] = ev && ev->cols == in_n ? ev->features[i % (ev->rows * ev->cols)]
					       : (float)(weft_pipelines_rng_uniform(&s) * 2.0 - 1.0);
	size_t sweep_top = o->sweep ? o->max_batch : 0;
	bool have_batch = false;
	for (size_t b = 1; !err && sweep_top && it->n_sweep < 64; b *= 2) {
		size_t bb = b < sweep_top ? b : sweep_top;
		err = time_batch(&it->sweep[it->n_sweep], m, in, out, bb, o, confidence, d);
		if (!err) {
			if (it->sweep[it->n_sweep].batch == o->batch)
				have_batch = true;
			it->n_sweep++;
		}
		if (bb == sweep_top)
			break;
	}
	if (!err && !have_batch) { /* the judged batch size, when the sweep missed it */
		err = time_batch(&it->sweep[it->n_sweep], m, in, out, o->batch, o, confidence, d);
		if (!err)
			it->n_sweep++;
		qsort(it->sweep, it->n_sweep, sizeof *it->sweep, cmp_row);
	}
	const weft_pipelines_sweep_row *at = NULL;
	for (size_t k = 0; !err && k < it->n_sweep; k++)
		if (it->sweep[k].batch == o->batch)
			at = &it->sweep[k];
	if (at) {
		it->stage_p50 = at->p50;
		it->stage_p99 = at->p99;
		if (o->has_budget) {
			it->judged = true;
			it->fits = weft_pipelines_judge(at->p99.has_lo, at->p99.lo_ms, at->p99.has_hi,
							at->p99.hi_ms, o->budget_ms);
			if (it->fits != WEFT_VERDICT_MET)
				it->why = why_not_alone(at, o->budget_ms, confidence, it->fits);
		}
	}
	free(in);
	free(out);
	return err;
}

int weft_pipelines_candidates_models(weft_pipelines_candidates **out,
				     const weft_pipelines_candidates_opts *o, weft_diags *d)
{
	*out = NULL;
	if (!o->batch || !o->iterations || (o->sweep && !o->max_batch) || !o->n_models)
		return weft_diags_error(d, NULL, 0, 0, "candidates: batch, iterations, max_batch and the "
					"list of models must not be empty");
	weft_model_opts mo;
	int err = model_opts_from(&mo, o, o->device, o->precision, d);
	if (err)
		return err;
	weft_evalset *ev = NULL;
	if ((err = load_eval(&ev, o->eval, d)))
		return err;
	weft_pipelines_candidates *c = NULL;
	if ((err = candidates_new(&c, o->models, o->n_models, o->eval))) {
		weft_pipelines_candidates_free(c);
		weft_evalset_free(ev);
		return err;
	}
	c->has_budget = o->has_budget;
	c->budget_ms = o->budget_ms;
	c->has_hitl = o->has_hitl_max_error && ev;
	c->hitl_max_error = o->hitl_max_error;
	c->batch = o->batch;
	c->iterations = o->iterations;
	c->warmup = o->warmup;
	c->sweep = o->sweep;
	c->eval_rows = ev ? ev->rows : 0;
	mo.max_batch = o->sweep && o->max_batch > o->batch ? o->max_batch : o->batch;
	if (ev && ev->rows > mo.max_batch && mo.max_batch < 256)
		mo.max_batch = 256; /* evaluate in larger chunks */
	for (size_t i = 0; i < c->n; i++) {
		weft_pipelines_candidate *it = &c->items[i];
		weft_model *m = load_and_score(it, c, &mo, ev, d);
		if (m && mo.device == WEFT_DEVICE_AUTO) /* said once, not per candidate */
			mo.device = it->on_gpu ? WEFT_DEVICE_GPU : WEFT_DEVICE_CPU;
		size_t from = weft_diags_count(d);
		int e = m ? time_candidate(it, m, o, ev, c->confidence, d) : 0;
		if (e)
			keep_error(it, e, d, from);
		weft_model_free(m);
	}
	c->allow_inconclusive = o->allow_inconclusive;
	recommend(c);
	weft_evalset_free(ev);
	*out = c;
	return WEFT_OK;
}

/* ---- through a pipeline --------------------------------------------------- */

static int find_stage(weft_pipelines_stage **out, weft_pipelines_spec *spec, const char *name,
		      weft_diags *d)
{
	*out = NULL;
	size_t n_model = 0;
	weft_buf names = WEFT_BUF_INIT;
	for (size_t i = 0; i < spec->n_stages; i++) {
		weft_pipelines_stage *st = &spec->stages[i];
		if (name && !strcmp(st->name, name)) {
			weft_buf_free(&names);
			if (st->kind != WEFT_STAGE_MODEL)
				return weft_diags_error(d, spec->path, st->line, st->col,
							"stage '%s' is a %s stage; candidates replace a "
							"model stage", name, weft_pipelines_stage_kind_name(st->kind));
			*out = st;
			return WEFT_OK;
		}
		if (!name && st->kind == WEFT_STAGE_MODEL) {
			weft_buf_printf(&names, "%s'%s'", n_model ? ", " : "", st->name);
			if (!n_model++)
				*out = st;
		}
	}
	int err = WEFT_OK;
	if (name)
		err = weft_diags_error(d, spec->path, 0, 0, "no stage named '%s'", name);
	else if (!n_model)
		err = weft_diags_error(d, spec->path, 0, 0, "the pipeline has no model stage to put "
					"candidates in (a stage with model: {file: ...})");
	else if (n_model > 1)
		err = weft_diags_error(d, spec->path, 0, 0, "the pipeline has %zu model stages (%s); "
					"choose one with --stage", n_model, names.ptr ? names.ptr : "");
	weft_buf_free(&names);
	if (err)
		*out = NULL;
	return err;
}

/* Why a run does not fit, in one sentence: the first broken budget, else
 * the first inconclusive one. */
static char *why_not(const weft_pipelines_result *r)
{
	weft_pipelines_verdict want[] = { WEFT_VERDICT_BROKEN, WEFT_VERDICT_INCONCLUSIVE };
	weft_buf b = WEFT_BUF_INIT;
	for (size_t w = 0; w < 2 && !b.len; w++) {
		for (size_t i = 0; i < r->n_series && !b.len; i++) {
			const weft_pipelines_series *s = &r->series[i];
			for (size_t k = 0; k < s->n_checks && !b.len; k++) {
				const weft_pipelines_check *c = &s->checks[k];
				if (c->verdict != want[w])
					continue;
				char lim[32];
				weft_buf_printf(&b, "%s %s <= %s %s: ", s->name, c->budget.label,
						weft_pl_fmt_ms(lim, sizeof lim, c->budget.limit_ms, false),
						weft_pipelines_verdict_name(c->verdict));
				weft_pl_check_sentence(&b, r, c, false);
			}
		}
		if (!b.len && r->has_error_budget && r->error_verdict == want[w]) {
			char eb[32];
			weft_buf_printf(&b, "error rate <= %s%% %s: ",
					weft_pipelines_number_format(eb, sizeof eb, 100.0 * r->error_budget),
					weft_pipelines_verdict_name(want[w]));
			weft_pl_error_sentence(&b, r);
		}
		if (!b.len && r->has_window && r->window_verdict == want[w]) {
			weft_buf_printf(&b, "batch window %s: ", weft_pipelines_verdict_name(want[w]));
			weft_pl_window_sentence(&b, r, false);
		}
	}
	if (b.oom || !b.len) {
		weft_buf_free(&b);
		return NULL;
	}
	return b.ptr;
}

static void take_run(weft_pipelines_candidate *it, weft_pipelines_result *r, const char *stage)
{
	it->run = r;
	const weft_pipelines_series *s = weft_pipelines_result_series(r, stage);
	const weft_pipelines_series *e = weft_pipelines_result_series(r, "end-to-end");
	if (s) {
		it->stage_p50 = s->pctl[0];
		it->stage_p99 = s->pctl[3];
	}
	if (e) {
		it->has_e2e = true;
		it->e2e_p99 = e->pctl[3];
	}
	it->judged = r->n_met + r->n_broken + r->n_inconclusive > 0;
	it->fits = r->n_broken ? WEFT_VERDICT_BROKEN
		   : r->n_inconclusive ? WEFT_VERDICT_INCONCLUSIVE
				       : WEFT_VERDICT_MET;
	if (it->judged && it->fits != WEFT_VERDICT_MET)
		it->why = why_not(r);
}

/* Swap a stage's string field for an override, remembering the original. */
static int swap_str(char **field, const char *value, char **saved)
{
	*saved = NULL;
	if (!value)
		return WEFT_OK;
	char *v = strdup(value);
	if (!v)
		return WEFT_ENOMEM;
	*saved = *field;
	*field = v;
	return WEFT_OK;
}

static void restore_str(char **field, char *saved)
{
	if (!saved)
		return;
	free(*field);
	*field = saved;
}

int weft_pipelines_candidates_pipeline(weft_pipelines_candidates **out, weft_pipelines_spec *spec,
				       const weft_pipelines_candidates_opts *o, weft_diags *d)
{
	*out = NULL;
	weft_pipelines_stage *st;
	int err = find_stage(&st, spec, o->stage, d);
	if (!err) /* a load section every run would refuse is said once */
		err = weft_pipelines_load_check(spec, d);
	if (err)
		return err;
	weft_pipelines_model *sm = &st->model;
	if (o->device && strcmp(o->device, "auto") && strcmp(o->device, "cpu") && strcmp(o->device, "gpu"))
		return weft_diags_error(d, NULL, 0, 0, "unknown device '%s' (auto, cpu or gpu)", o->device);
	weft_precision pp;
	if (o->precision && weft_precision_parse(&pp, o->precision))
		return weft_diags_error(d, NULL, 0, 0, "unknown precision '%s' (fp32, tf32, fp16, bf16)",
					o->precision);

	/* the list: given, or the stage's own file then its candidates */
	const char *const *paths = o->models;
	size_t n = o->n_models;
	const char **own = NULL;
	if (!n) {
		own = calloc(1 + sm->n_candidates, sizeof *own);
		if (!own)
			return WEFT_ENOMEM;
		if (sm->file)
			own[n++] = sm->file;
		for (size_t i = 0; i < sm->n_candidates; i++)
			own[n++] = sm->candidates[i];
		paths = own;
	}
	const char *eval = o->eval ? o->eval : sm->eval;
	weft_pipelines_candidates *c = NULL;
	err = candidates_new(&c, paths, n, eval);
	free(own);
	weft_evalset *ev = NULL;
	if (!err)
		err = load_eval(&ev, eval, d);
	if (!err && (!(c->pipeline = strdup(spec->name)) || !(c->path = strdup(spec->path)) ||
		     !(c->stage = strdup(st->name))))
		err = WEFT_ENOMEM;
	char *saved_file = NULL, *saved_dev = NULL, *saved_prec = NULL;
	if (!err)
		err = swap_str(&sm->device, o->device, &saved_dev);
	if (!err)
		err = swap_str(&sm->precision, o->precision, &saved_prec);
	if (err) {
		restore_str(&sm->device, saved_dev);
		weft_evalset_free(ev);
		weft_pipelines_candidates_free(c);
		return err;
	}
	/* the stage's own file is put back as it was, without allocating */
	saved_file = sm->file;
	sm->file = NULL;
	c->through_pipeline = true;
	c->confidence = spec->confidence;
	c->has_hitl = (o->has_hitl_max_error || sm->has_hitl) && ev;
	c->hitl_max_error = o->has_hitl_max_error ? o->hitl_max_error : sm->hitl_max_error;
	c->batch = sm->batch;
	c->eval_rows = ev ? ev->rows : 0;

	weft_model_opts mo;
	weft_model_opts_init(&mo);
	weft_device_parse(&mo.device, sm->device);
	weft_precision_parse(&mo.precision, sm->precision);
	mo.activations = sm->activations;
	mo.softmax = sm->softmax;
	mo.max_batch = sm->batch > 256 ? sm->batch : 256;
	mo.threads = sm->threads;
	for (size_t i = 0; i < c->n; i++) {
		weft_pipelines_candidate *it = &c->items[i];
		weft_model *m = load_and_score(it, c, &mo, ev, d);
		weft_model_free(m); /* the run loads its own instances */
		if (!m)
			continue;
		/* "auto" is settled by the first load: say it once, not per run */
		if (mo.device == WEFT_DEVICE_AUTO) {
			mo.device = it->on_gpu ? WEFT_DEVICE_GPU : WEFT_DEVICE_CPU;
			char *v = strdup(weft_device_name(mo.device));
			if (v && saved_dev) {
				free(sm->device);
				sm->device = v;
			} else if (v) {
				saved_dev = sm->device;
				sm->device = v;
			}
		}
		size_t from = weft_diags_count(d);
		weft_pipelines_result *r = NULL;
		if (o->on_candidate)
			o->on_candidate(o->run.progress_ctx, i, c->n, it->name);
		int e = weft_pipelines_stage_set_model(st, it->path);
		if (!e)
			e = weft_pipelines_run(&r, spec, &o->run, d);
		if (e) {
			keep_error(it, e, d, from);
			continue;
		}
		take_run(it, r, st->name);
	}
	free(sm->file);
	sm->file = saved_file;
	restore_str(&sm->device, saved_dev);
	restore_str(&sm->precision, saved_prec);
	c->allow_inconclusive = o->allow_inconclusive;
	recommend(c);
	weft_evalset_free(ev);
	*out = c;
	return WEFT_OK;
}
