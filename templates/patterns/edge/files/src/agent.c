/* agent.c - the device agent loop.
 *
 * Design: nothing but the result leaves agent_process_line: the feature
 * values live on the stack for one prediction and are never written, so
 * raw sensor data stays on the device (privacy, bandwidth). Every result
 * carries the model version and digest, so the central side knows which
 * model of the fleet produced it. */
#include "agent.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "manifest.h"
#include "sync.h"
#include "update.h"

#define AGENT_MAX_FEATURES 256

static int open_model(agent *a, char *err, size_t errlen)
{
	char mfp[1024], mp[1024];
	manifest mf;
	snprintf(mfp, sizeof mfp, "%s/manifest.json", a->prof.models_dir);
	if (manifest_load(&mf, mfp, err, errlen) != 0)
		return -1;
	snprintf(mp, sizeof mp, "%s/%s", a->prof.models_dir, mf.file);
	if (update_verify(&mf, &a->prof, mp, err, errlen) != 0)
		return -1;
	char merr[256];
	if (model_load(&a->m, mp, merr, sizeof merr) != 0) {
		snprintf(err, errlen, "%s: %s", mp, merr);
		return -1;
	}
	/* the file could change between the check and the load: compare digests */
	if (strcmp(model_digest(a->m), mf.sha256) != 0) {
		snprintf(err, errlen, "%s changed while loading", mp);
		model_free(a->m);
		a->m = NULL;
		return -1;
	}
	if (model_inputs(a->m) > AGENT_MAX_FEATURES) {
		snprintf(err, errlen, "model has %zu inputs, at most %d supported", model_inputs(a->m),
			 AGENT_MAX_FEATURES);
		model_free(a->m);
		a->m = NULL;
		return -1;
	}
	snprintf(a->model_version, sizeof a->model_version, "%s", mf.version);
	return 0;
}

int agent_open(agent *a, const profile *prof, char *err, size_t errlen)
{
	memset(a, 0, sizeof *a);
	a->prof = *prof;
	a->rng = (uint64_t)time(NULL) ^ ((uint64_t)(uintptr_t)a << 16);
	if (open_model(a, err, errlen) != 0) {
		char first[512], rerr[256];
		snprintf(first, sizeof first, "%s", err);
		if (update_rollback(&a->prof, rerr, sizeof rerr) != 0 || open_model(a, err, errlen) != 0) {
			snprintf(err, errlen, "%s", first);
			return -1;
		}
		a->rolled_back = 1;
	}
	if (outbox_open(&a->ob, prof->outbox_path, prof->outbox_max_rows, err, errlen) != 0) {
		agent_close(a);
		return -1;
	}
	return 0;
}

void agent_close(agent *a)
{
	model_free(a->m);
	outbox_close(a->ob);
	a->m = NULL;
	a->ob = NULL;
}

struct result_ctx {
	agent *a;
	double score;
	double latency_ms;
};

static char *make_body(void *vctx, const char *id, int64_t seq)
{
	struct result_ctx *c = vctx;
	cJSON *j = cJSON_CreateObject();
	cJSON_AddStringToObject(j, "id", id);
	cJSON_AddStringToObject(j, "device_id", c->a->prof.device_id);
	cJSON_AddStringToObject(j, "device_class", c->a->prof.device_class);
	cJSON_AddNumberToObject(j, "seq", (double)seq);
	cJSON_AddNumberToObject(j, "ts_ms", (double)sync_now_ms());
	cJSON_AddStringToObject(j, "model_version", c->a->model_version);
	cJSON_AddStringToObject(j, "model_digest", model_digest(c->a->m));
	cJSON_AddNumberToObject(j, "score", round(c->score * 1e6) / 1e6);
	cJSON_AddBoolToObject(j, "defect", c->score >= c->a->prof.threshold);
	cJSON_AddNumberToObject(j, "latency_ms", round(c->latency_ms * 1000) / 1000);
	char *s = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return s;
}

static double mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

int agent_process_line(agent *a, const char *line, char *id_out)
{
	double t0 = mono_ms();
	float x[AGENT_MAX_FEATURES];
	size_t need = model_inputs(a->m), got = 0;
	const char *p = line;
	while (isspace((unsigned char)*p))
		p++;
	if (!*p)
		return 0;
	while (got < need) {
		char *end;
		errno = 0;
		float v = strtof(p, &end);
		if (end == p || errno == ERANGE || !isfinite(v))
			break;
		x[got++] = v;
		while (isspace((unsigned char)*end))
			end++;
		if (*end == ',')
			end++;
		else if (*end && *end != '\n' && *end != '\r') {
			got = 0;
			break;
		}
		p = end;
	}
	if (got != need) {
		a->rejected++;
		return 0;
	}
	float y[8];
	if (model_outputs(a->m) > 8 || model_predict(a->m, x, y) != 0) {
		a->rejected++;
		return 0;
	}
	memset(x, 0, sizeof x); /* the raw input goes no further */
	struct result_ctx c = {a, y[model_outputs(a->m) - 1], 0};
	c.latency_ms = mono_ms() - t0;
	if (c.latency_ms > (double)a->prof.latency_budget_ms)
		a->over_budget++;
	if (outbox_put(a->ob, a->prof.device_id, make_body, &c, id_out) != 0)
		return -1;
	a->processed++;
	return 1;
}

int agent_sync(agent *a, int64_t now_ms, int *sent, int *unreachable)
{
	sync_opts o = {
		.url = a->prof.sync_url,
		.base_backoff_ms = 500,
		.max_backoff_ms = a->prof.max_backoff_s * 1000,
		.timeout_ms = 3000,
		.batch = 64,
		.rng = &a->rng,
	};
	sync_report r;
	int rc = sync_run(a->ob, &o, now_ms, &r);
	if (sent)
		*sent = r.sent;
	if (unreachable)
		*unreachable = r.unreachable;
	return rc;
}

int agent_run(agent *a, FILE *in, int sync_every)
{
	char line[8192];
	long since = 0;
	while (fgets(line, sizeof line, in)) {
		if (agent_process_line(a, line, NULL) < 0)
			return -1;
		if (sync_every > 0 && ++since >= sync_every) {
			since = 0;
			agent_sync(a, sync_now_ms(), NULL, NULL);
		}
	}
	agent_sync(a, sync_now_ms(), NULL, NULL);
	return 0;
}
