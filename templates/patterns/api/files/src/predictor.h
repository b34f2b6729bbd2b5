/* predictor.h - the model stage: a pool of worker threads, each with its own
 * copy of the model, fed by a bounded queue, and a call that waits for a
 * prediction no longer than a deadline.
 *
 * A request whose prediction is not ready by its deadline gets
 * PRED_DEADLINE at once; its job still runs, and a late result still
 * reaches on_result (so the fallback cache stays fresh). A full queue
 * answers PRED_OVERLOADED without waiting.
 */
#ifndef PREDICTOR_H
#define PREDICTOR_H

#include <stddef.h>
#include <stdint.h>

typedef struct predictor predictor;

/* Test hook: runs in the worker just before the model, for each job. It may
 * sleep (a stalled model) or return non-zero (a failed model stage). NULL in
 * production: nothing in the config or the environment can set it. */
typedef int (*predictor_hook)(void *ctx);

/* Called from a worker for each successful prediction that has a key, on
 * time or late. */
typedef void (*predictor_result_fn)(void *ctx, const char *key, double score);

typedef struct predictor_opts {
	const char *model_path;
	int workers;   /* threads, one model copy each (>= 1) */
	int queue;     /* jobs waiting for a worker (>= 1) */
	predictor_hook hook;
	void *hook_ctx;
	predictor_result_fn on_result;
	void *result_ctx;
} predictor_opts;

typedef enum pred_status {
	PRED_OK,
	PRED_DEADLINE,   /* not ready by the deadline */
	PRED_FAILED,     /* the model stage failed (non-finite output, hook) */
	PRED_OVERLOADED, /* the queue is full */
} pred_status;

/* "ok", "deadline", "model_error", "overloaded". */
const char *pred_status_name(pred_status s);

/* Load the model once per worker and start the workers. Returns 0, or -1
 * with a message in err. */
int predictor_new(predictor **out, const predictor_opts *o, char *err, size_t errlen);
/* Stop the workers (a job running finishes first) and free; accepts NULL. */
void predictor_free(predictor *p);

size_t predictor_inputs(const predictor *p);
size_t predictor_outputs(const predictor *p);
const char *predictor_version(const predictor *p);
const char *predictor_digest(const predictor *p);
/* Model metadata by key, or NULL. */
const char *predictor_meta(const predictor *p, const char *key);

/* Run one row x[inputs] (copied) with an optional key, waiting until
 * deadline_ns (CLOCK_MONOTONIC). On PRED_OK, y[outputs] and *score are set. */
pred_status predictor_run(predictor *p, const float *x, const char *key, int64_t deadline_ns, float *y,
			  double *score);

/* Jobs waiting for a worker now (for monitoring and tests). */
int predictor_queued(predictor *p);

/* The score of an output row: the single output of a one-output model,
 * else the last output (the positive class of a two-class model). */
double predictor_score(const float *y, size_t n);

/* CLOCK_MONOTONIC in nanoseconds. */
int64_t predictor_now_ns(void);

#endif
