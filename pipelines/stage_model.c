/* stage_model.c - the model stage: a candidate model's forward pass per query.
 *
 * Design: the model comes from kernels' API (weft_kernels.h): loaded once per
 * run, `instances` copies (default one), each guarded by a mutex, so with
 * several workers queries take turns on a model as they would on one model
 * server; the wait for a free instance is part of the stage's latency. Each
 * worker owns its input and output buffers and fills the input with fresh
 * seeded random features per query (a model's cost does not depend on the
 * values, but caches must not make repeated inputs look cheap). On a GPU the
 * CUDA-event split (h2d, compute, d2h) is recorded as the stage's phases.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "pipelines_int.h"
#include "weft_kernels.h"

static const char *const model_phases[] = { "h2d", "compute", "d2h", NULL };

typedef struct {
	weft_model **models;
	pthread_mutex_t *locks;
	size_t n;
	size_t inputs, outputs, batch;
} model_shared;

typedef struct {
	model_shared *sh;
	float *in, *out;
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
	free(s);
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
	*out = s;
	return WEFT_OK;
}

static void model_worker_free(void *worker)
{
	model_worker *w = worker;
	if (!w)
		return;
	free(w->in);
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
	w->in = malloc((s->batch * s->inputs + 1) * sizeof *w->in);
	w->out = malloc((s->batch * s->outputs + 1) * sizeof *w->out);
	if (!w->in || !w->out || weft_diags_new(&w->d)) {
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
	uint64_t rng = seed;
	size_t n_in = s->batch * s->inputs;
	for (size_t i = 0; i < n_in; i++)
		w->in[i] = (float)(weft_pipelines_rng_uniform(&rng) * 2.0 - 1.0);
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
	int err = weft_model_forward(s->models[pick], w->out, w->in, s->batch, &t, w->d);
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
	model_shared_new, model_shared_free, model_worker_new, model_worker_free, model_run, model_phases,
};
