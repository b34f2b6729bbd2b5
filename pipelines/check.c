/* check.c - what `weft bench validate` checks beyond the file itself: that
 * every file a stage names can be read and is what it must be.
 *
 * Design: a pipeline that validates must not fail a minute into a run (or
 * into a candidates comparison) for a reason that was knowable up front. So
 * models and candidates are loaded here the way the stage will load them
 * (on the CPU: validation needs no device), the evaluation set is read and
 * its width compared with each model's inputs, and programs must be
 * executable. Each problem is reported at the stage's position; the
 * loaders' own messages follow with the file's path.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "pipelines_int.h"
#include "weft_kernels.h"

/* Load one model file as the stage would; its inputs, or 0 when it fails. */
static size_t check_model(const weft_pipelines_spec *s, const weft_pipelines_stage *st, const char *file,
			  const char *what, weft_diags *d)
{
	if (access(file, R_OK) != 0) {
		weft_diags_add(d, WEFT_SEV_ERROR, s->path, st->line, st->col, NULL,
			       "stage '%s': cannot read the %s '%s': %s", st->name, what, file, strerror(errno));
		return 0;
	}
	weft_model_opts o;
	weft_model_opts_init(&o);
	o.device = WEFT_DEVICE_CPU;
	o.max_batch = st->model.batch;
	o.activations = st->model.activations;
	o.softmax = st->model.softmax;
	weft_model *m = NULL;
	if (weft_model_load(&m, file, &o, d)) {
		weft_diags_add(d, WEFT_SEV_NOTE, s->path, st->line, st->col, NULL,
			       "stage '%s': the %s above is not a usable model", st->name, what);
		return 0;
	}
	size_t inputs = weft_model_inputs(m);
	weft_model_free(m);
	return inputs;
}

static void check_model_stage(const weft_pipelines_spec *s, const weft_pipelines_stage *st, weft_diags *d)
{
	const weft_pipelines_model *m = &st->model;
	weft_evalset *ev = NULL;
	if (m->eval && access(m->eval, R_OK) != 0)
		weft_diags_add(d, WEFT_SEV_ERROR, s->path, st->line, st->col, NULL,
			       "stage '%s': cannot read the evaluation set '%s': %s", st->name, m->eval,
			       strerror(errno));
	else if (m->eval && weft_evalset_load(&ev, m->eval, d))
		ev = NULL;
	for (size_t k = 0; k <= m->n_candidates; k++) {
		const char *file = k ? m->candidates[k - 1] : m->file;
		if (!file)
			continue;
		size_t inputs = check_model(s, st, file, k ? "candidate" : "model file", d);
		if (ev && inputs && inputs != ev->cols)
			weft_diags_add(d, WEFT_SEV_ERROR, s->path, st->line, st->col, NULL,
				       "stage '%s': the evaluation set has %zu features per row but '%s' "
				       "takes %zu", st->name, ev->cols, file, inputs);
	}
	weft_evalset_free(ev);
}

int weft_pipelines_spec_check_files(const weft_pipelines_spec *s, weft_diags *d)
{
	size_t before = weft_diags_errors(d);
	for (size_t i = 0; i < s->n_stages; i++) {
		const weft_pipelines_stage *st = &s->stages[i];
		if (st->kind == WEFT_STAGE_MODEL)
			check_model_stage(s, st, d);
		if (st->kind == WEFT_STAGE_COMMAND && !st->command.shell && st->command.argv &&
		    strchr(st->command.argv[0], '/') && access(st->command.argv[0], X_OK) != 0)
			weft_diags_add(d, WEFT_SEV_ERROR, s->path, st->line, st->col, NULL,
				       "stage '%s': cannot run '%s': %s", st->name, st->command.argv[0],
				       strerror(errno));
	}
	return weft_diags_errors(d) > before ? WEFT_EINVALID : WEFT_OK;
}
