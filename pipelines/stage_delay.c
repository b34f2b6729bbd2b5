/* stage_delay.c - the delay stage: waits for a time drawn from its distribution.
 *
 * Design: the stage models what cannot be measured here (a WAN hop, the
 * caller's own work), so it must cost what it says and nothing else. It
 * sleeps until an absolute monotonic deadline and spins the last 80 µs
 * (weft_pl_sleep_until), so a 300 µs delay measures close to 300 µs rather
 * than the scheduler's wake-up slack. The draw is seeded per query and stage,
 * so runs are reproducible whatever the thread interleaving.
 */
#include "pipelines_int.h"

static int delay_shared_new(void **out, const weft_pipelines_stage *st, const weft_pipelines_spec *spec,
			    weft_diags *d)
{
	*out = NULL;
	return WEFT_OK;
}

static void delay_shared_free(void *shared)
{
}

static int delay_worker_new(void **out, void *shared, const weft_pipelines_stage *st, weft_diags *d)
{
	*out = NULL;
	return WEFT_OK;
}

static void delay_worker_free(void *worker)
{
}

static void delay_run(void *worker, void *shared, const weft_pipelines_stage *st, uint64_t seed,
		      weft_pl_outcome *o)
{
	uint64_t rng = seed;
	double ms = weft_pipelines_dist_sample(&st->delay, &rng);
	uint64_t start = weft_now_ns();
	weft_pl_sleep_until(start + (uint64_t)(ms * 1e6));
}

const weft_pl_stage_ops weft_pl_stage_delay = {
	.shared_new = delay_shared_new,
	.shared_free = delay_shared_free,
	.worker_new = delay_worker_new,
	.worker_free = delay_worker_free,
	.run = delay_run,
};
