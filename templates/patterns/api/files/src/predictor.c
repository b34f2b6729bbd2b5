/* predictor.c - worker threads around the shared model runtime (model.h).
 *
 * Key choice: the caller never runs the model itself. It queues a job and
 * waits on the job's condition variable with a deadline; whoever lets go of
 * a job last (the waiting request or the worker) frees it, so a request can
 * give up at its deadline while the worker finishes the job safely. The
 * model is not thread-safe, so each worker loads its own copy.
 */
#define _POSIX_C_SOURCE 200809L
#include "predictor.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cache.h"
#include "model.h"

typedef enum { JOB_PENDING, JOB_DONE, JOB_FAILED } job_state;

typedef struct job {
	struct job *next;
	int refs;
	job_state state;
	pthread_cond_t cv;
	char key[CACHE_KEY_MAX + 1];
	float *x, *y;
	float data[]; /* inputs, then outputs */
} job;

typedef struct worker {
	predictor *p;
	model *m;
	pthread_t thread;
	bool started;
} worker;

struct predictor {
	pthread_mutex_t mu;
	pthread_cond_t work_cv;
	job *head, *tail;
	int queued, queue_cap;
	bool stopping;
	worker *workers;
	int n_workers;
	size_t inputs, outputs;
	predictor_hook hook;
	void *hook_ctx;
	predictor_result_fn on_result;
	void *result_ctx;
	pthread_condattr_t cattr;
};

const char *pred_status_name(pred_status s)
{
	switch (s) {
	case PRED_OK: return "ok";
	case PRED_DEADLINE: return "deadline";
	case PRED_FAILED: return "model_error";
	case PRED_OVERLOADED: return "overloaded";
	}
	return "?";
}

int64_t predictor_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

double predictor_score(const float *y, size_t n)
{
	return n ? (double)y[n - 1] : 0.0;
}

/* Drop one reference; the caller holds p->mu. */
static void job_release(job *j)
{
	if (--j->refs == 0) {
		pthread_cond_destroy(&j->cv);
		free(j);
	}
}

static void *worker_main(void *arg)
{
	worker *w = arg;
	predictor *p = w->p;
	pthread_mutex_lock(&p->mu);
	for (;;) {
		while (!p->head && !p->stopping)
			pthread_cond_wait(&p->work_cv, &p->mu);
		if (p->stopping)
			break;
		job *j = p->head;
		p->head = j->next;
		if (!p->head)
			p->tail = NULL;
		p->queued--;
		pthread_mutex_unlock(&p->mu);

		int rc = p->hook ? p->hook(p->hook_ctx) : 0;
		if (rc == 0)
			rc = model_predict(w->m, j->x, j->y);
		if (rc == 0 && j->key[0] && p->on_result)
			p->on_result(p->result_ctx, j->key, predictor_score(j->y, p->outputs));

		pthread_mutex_lock(&p->mu);
		j->state = rc == 0 ? JOB_DONE : JOB_FAILED;
		pthread_cond_signal(&j->cv);
		job_release(j);
	}
	pthread_mutex_unlock(&p->mu);
	return NULL;
}

int predictor_new(predictor **out, const predictor_opts *o, char *err, size_t errlen)
{
	*out = NULL;
	if (o->workers < 1 || o->queue < 1) {
		snprintf(err, errlen, "predictor: workers and queue must be at least 1");
		return -1;
	}
	predictor *p = calloc(1, sizeof *p);
	worker *ws = calloc((size_t)o->workers, sizeof *ws);
	if (!p || !ws) {
		free(p);
		free(ws);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	p->workers = ws;
	p->n_workers = o->workers;
	p->queue_cap = o->queue;
	p->hook = o->hook;
	p->hook_ctx = o->hook_ctx;
	p->on_result = o->on_result;
	p->result_ctx = o->result_ctx;
	pthread_mutex_init(&p->mu, NULL);
	pthread_condattr_init(&p->cattr);
	pthread_condattr_setclock(&p->cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&p->work_cv, NULL);

	char merr[256];
	for (int i = 0; i < o->workers; i++) {
		if (model_load(&ws[i].m, o->model_path, merr, sizeof merr) != 0) {
			snprintf(err, errlen, "%s: %s", o->model_path, merr);
			predictor_free(p);
			return -1;
		}
		ws[i].p = p;
	}
	p->inputs = model_inputs(ws[0].m);
	p->outputs = model_outputs(ws[0].m);
	if (p->inputs == 0 || p->outputs == 0) {
		snprintf(err, errlen, "%s: the model has no inputs or no outputs", o->model_path);
		predictor_free(p);
		return -1;
	}
	for (int i = 0; i < o->workers; i++) {
		int rc = pthread_create(&ws[i].thread, NULL, worker_main, &ws[i]);
		if (rc != 0) {
			snprintf(err, errlen, "cannot start a worker thread: %s", strerror(rc));
			predictor_free(p);
			return -1;
		}
		ws[i].started = true;
	}
	*out = p;
	return 0;
}

void predictor_free(predictor *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->mu);
	p->stopping = true;
	pthread_cond_broadcast(&p->work_cv);
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->n_workers; i++)
		if (p->workers[i].started)
			pthread_join(p->workers[i].thread, NULL);
	/* jobs nobody ran: their requests have already answered */
	pthread_mutex_lock(&p->mu);
	for (job *j = p->head, *n; j; j = n) {
		n = j->next;
		job_release(j);
	}
	p->head = p->tail = NULL;
	pthread_mutex_unlock(&p->mu);
	for (int i = 0; i < p->n_workers; i++)
		model_free(p->workers[i].m);
	free(p->workers);
	pthread_cond_destroy(&p->work_cv);
	pthread_condattr_destroy(&p->cattr);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

size_t predictor_inputs(const predictor *p)
{
	return p->inputs;
}

size_t predictor_outputs(const predictor *p)
{
	return p->outputs;
}

const char *predictor_version(const predictor *p)
{
	return model_version(p->workers[0].m);
}

const char *predictor_digest(const predictor *p)
{
	return model_digest(p->workers[0].m);
}

const char *predictor_meta(const predictor *p, const char *key)
{
	return model_meta(p->workers[0].m, key);
}

int predictor_queued(predictor *p)
{
	pthread_mutex_lock(&p->mu);
	int n = p->queued;
	pthread_mutex_unlock(&p->mu);
	return n;
}

pred_status predictor_run(predictor *p, const float *x, const char *key, int64_t deadline_ns, float *y,
			  double *score)
{
	if (predictor_now_ns() >= deadline_ns)
		return PRED_DEADLINE;
	job *j = malloc(sizeof *j + (p->inputs + p->outputs) * sizeof(float));
	if (!j)
		return PRED_OVERLOADED;
	j->next = NULL;
	j->refs = 2; /* this request and the worker */
	j->state = JOB_PENDING;
	j->x = j->data;
	j->y = j->data + p->inputs;
	memcpy(j->x, x, p->inputs * sizeof(float));
	snprintf(j->key, sizeof j->key, "%s", key && strlen(key) <= CACHE_KEY_MAX ? key : "");
	pthread_cond_init(&j->cv, &p->cattr);

	pthread_mutex_lock(&p->mu);
	if (p->stopping || p->queued >= p->queue_cap) {
		pthread_mutex_unlock(&p->mu);
		pthread_cond_destroy(&j->cv);
		free(j);
		return PRED_OVERLOADED;
	}
	if (p->tail)
		p->tail->next = j;
	else
		p->head = j;
	p->tail = j;
	p->queued++;
	pthread_cond_signal(&p->work_cv);

	struct timespec until = { .tv_sec = (time_t)(deadline_ns / 1000000000),
				  .tv_nsec = (long)(deadline_ns % 1000000000) };
	while (j->state == JOB_PENDING) {
		int rc = pthread_cond_timedwait(&j->cv, &p->mu, &until);
		if (rc == ETIMEDOUT)
			break;
	}
	pred_status st;
	switch (j->state) {
	case JOB_DONE:
		memcpy(y, j->y, p->outputs * sizeof(float));
		*score = predictor_score(y, p->outputs);
		st = PRED_OK;
		break;
	case JOB_FAILED:
		st = PRED_FAILED;
		break;
	default:
		st = PRED_DEADLINE;
		break;
	}
	job_release(j);
	pthread_mutex_unlock(&p->mu);
	return st;
}
