/* stage_model.c - the model stage: a candidate model's forward pass per query.
 *
 * Design: the model comes from kernels' API (weft_kernels.h): loaded once per
 * run, `instances` copies (default one), each guarded by a mutex, so with
 * several workers queries take turns on a model as they would on one model
 * server; the wait for a free instance is part of the stage's latency. Each
 * worker owns its output buffer. On a GPU the CUDA-event split (h2d,
 * compute, d2h) is recorded as the stage's phases.
 *
 * Inputs (issue 14): the stage's latency is the forward pass only, so no
 * input is made inside the timed call. Before the run, a pool of input
 * batches is prepared once and shared read-only by every worker: the rows
 * of the evaluation set when the stage names one whose width fits the
 * model, else seeded random features in [-1, 1). A query takes batch
 * (seed mod pool) in place, without a copy. A model's cost does not depend
 * on the values; the pool spans up to POOL_BYTES so that, for large
 * batches, successive queries do not find their input in cache.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pipelines_int.h"
#include "weft_kernels.h"

#define POOL_BATCHES 64                 /* at most */
#define POOL_MIN_BATCHES 2              /* at least, whatever their size */
#define POOL_BYTES ((size_t)64 << 20)   /* up to this much for the rest */

static const char *const model_phases[] = { "h2d", "compute", "d2h", NULL };

/* Test hook (tests/test_pipelines_model.c): called once per input batch the
 * stage generates, so a test can make generation slow and check that the
 * stage's latency does not include it. NULL outside the tests. */
extern void (*weft_pl_model_input_hook)(size_t rows);
void (*weft_pl_model_input_hook)(size_t rows);

typedef struct {
	weft_model **models;
	pthread_mutex_t *locks;
	size_t n;
	size_t inputs, outputs, batch;
	float *pool;     /* n_pool batches of batch x inputs, prepared before the run */
	size_t n_pool;
} model_shared;

typedef struct {
	model_shared *sh;
	float *out;
	size_t next; /* round-robin start */
	weft_diags *d;
} model_worker;

static void model_shared_free(void *shared)
{
	model_shared *s = shared;
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		weft_model_free(s->models[i]);
		pthread_mutex_destroy(&s->locks[i]);
	}
	free(s->models);
	free(s->locks);
	free(s->pool);
	free(s);
}

/* The input pool: evaluation rows (cycled) when ev fits, else random. */
static int pool_fill(model_shared *s, const weft_evalset *ev, uint64_t seed)
{
	size_t per = s->batch * s->inputs;
	size_t n = POOL_BYTES / ((per ? per : 1) * sizeof(float));
	if (ev) {
		/* enough batches to cover the set once, within the same limits */
		size_t need = (ev->rows + s->batch - 1) / s->batch;
		n = need < n ? need : n;
	}
	n = n > POOL_BATCHES ? POOL_BATCHES : n;
	n = n < POOL_MIN_BATCHES ? POOL_MIN_BATCHES : n;
	if (!(s->pool = malloc((n * per + 1) * sizeof *s->pool)))
		return WEFT_ENOMEM;
	s->n_pool = n;
	if (ev) {
		size_t row = 0;
		for (size_t r = 0; r < n * s->batch; r++) {
			memcpy(s->pool + r * s->inputs, ev->features + row * ev->cols,
			       s->inputs * sizeof *s->pool);
			row = row + 1 < ev->rows ? row + 1 : 0;
		}
		return WEFT_OK;
	}
	uint64_t rng = seed;
	for (size_t b = 0; b < n; b++) {
		float *in = s->pool + b * per;
		for (size_t i = 0; i < per; i++)
			in[i] = (float)(weft_pipelines_rng_uniform(&rng) * 2.0 - 1.0);
		if (weft_pl_model_input_hook)
			weft_pl_model_input_hook(s->batch);
	}
	return WEFT_OK;
}

static int model_shared_new(void **out, const weft_pipelines_stage *st, const weft_pipelines_spec *spec,
			    weft_diags *d)
{
	*out = NULL;
	const weft_pipelines_model *m = &st->model;
	weft_model_opts o;
	weft_model_opts_init(&o);
	if (m->device && weft_device_parse(&o.device, m->device) != WEFT_OK)
		return weft_diags_error(d, spec->path, st->line, st->col, "stage '%s': unknown device '%s'",
					st->name, m->device);
	if (m->precision && weft_precision_parse(&o.precision, m->precision) != WEFT_OK)
		return weft_diags_error(d, spec->path, st->line, st->col,
					"stage '%s': unknown precision '%s'", st->name, m->precision);
	o.max_batch = m->batch;
	o.threads = m->threads;
	o.activations = m->activations;
	o.softmax = m->softmax;
	model_shared *s = calloc(1, sizeof *s);
	if (!s || !(s->models = calloc(m->instances, sizeof *s->models)) ||
	    !(s->locks = calloc(m->instances, sizeof *s->locks))) {
		model_shared_free(s);
		return WEFT_ENOMEM;
	}
	s->batch = m->batch;
	for (size_t i = 0; i < m->instances; i++) {
		int err = weft_model_load(&s->models[i], m->file, &o, d);
		if (err) {
			weft_diags_add(d, WEFT_SEV_NOTE, spec->path, st->line, st->col, NULL,
				       "while loading the model of stage '%s'", st->name);
			model_shared_free(s);
			return err;
		}
		pthread_mutex_init(&s->locks[i], NULL);
		s->n++;
	}
	s->inputs = weft_model_inputs(s->models[0]);
	s->outputs = weft_model_outputs(s->models[0]);
	/* an evaluation set that does not fit is check.c's error to report;
	 * here it only means random inputs */
	weft_evalset *ev = NULL;
	if (m->eval) {
		weft_diags *quiet = NULL;
		if (weft_diags_new(&quiet) == WEFT_OK &&
		    weft_evalset_load(&ev, m->eval, quiet) == WEFT_OK &&
		    (ev->cols != s->inputs || ev->rows == 0)) {
			weft_evalset_free(ev);
			ev = NULL;
		}
		weft_diags_free(quiet);
	}
	int err = pool_fill(s, ev, spec->load.seed ^ UINT64_C(0x6a09e667f3bcc909));
	weft_evalset_free(ev);
	if (err) {
		model_shared_free(s);
		return err;
	}
	*out = s;
	return WEFT_OK;
}

static void model_worker_free(void *worker)
{
	model_worker *w = worker;
	if (!w)
		return;
	free(w->out);
	weft_diags_free(w->d);
	free(w);
}

static int model_worker_new(void **out, void *shared, const weft_pipelines_stage *st, weft_diags *d)
{
	*out = NULL;
	model_shared *s = shared;
	model_worker *w = calloc(1, sizeof *w);
	if (!w)
		return WEFT_ENOMEM;
	w->sh = s;
	w->out = malloc((s->batch * s->outputs + 1) * sizeof *w->out);
	if (!w->out || weft_diags_new(&w->d)) {
		model_worker_free(w);
		return WEFT_ENOMEM;
	}
	*out = w;
	return WEFT_OK;
}

static void model_run(void *worker, void *shared, const weft_pipelines_stage *st, uint64_t seed,
		      weft_pl_outcome *o)
{
	model_worker *w = worker;
	model_shared *s = w->sh;
	/* the input was made before the run: no work here but the forward pass */
	const float *in = s->pool + (size_t)(seed % s->n_pool) * s->batch * s->inputs;
	/* take a free instance if there is one, else wait for ours */
	size_t pick = w->next % s->n;
	bool got = false;
	for (size_t k = 0; k < s->n && !got; k++) {
		size_t i = (w->next + k) % s->n;
		if (pthread_mutex_trylock(&s->locks[i]) == 0) {
			pick = i;
			got = true;
		}
	}
	if (!got)
		pthread_mutex_lock(&s->locks[pick]);
	w->next = pick + 1;
	weft_model_timing t;
	int err = weft_model_forward(s->models[pick], w->out, in, s->batch, &t, w->d);
	pthread_mutex_unlock(&s->locks[pick]);
	if (err) {
		const weft_diag *g = weft_diags_get(w->d, 0);
		weft_pl_fail(o, "model: %s", g && g->message ? g->message : "forward pass failed");
		weft_diags_clear(w->d);
		return;
	}
	if (weft_model_on_gpu(s->models[pick])) {
		o->phase_ns[0] = (uint64_t)(t.h2d_ms * 1e6);
		o->phase_ns[1] = (uint64_t)(t.compute_ms * 1e6);
		o->phase_ns[2] = (uint64_t)(t.d2h_ms * 1e6);
		o->n_phases = 3;
	}
}

const weft_pl_stage_ops weft_pl_stage_model = {
	.shared_new = model_shared_new,
	.shared_free = model_shared_free,
	.worker_new = model_worker_new,
	.worker_free = model_worker_free,
	.run = model_run,
	.phases = model_phases,
};
