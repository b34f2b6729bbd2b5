/* service.c - the routing service's rules in one place.
 *
 * Design: the service checks the model against the configuration once, at
 * open (feature count, label count, baseline length), so a mismatched model
 * is refused at startup instead of producing misnamed explanations at the
 * first case. What a reviewer may see is decided here, by one function
 * (hitl_service_model_visible), which both the CLI and the HTTP API call:
 * blind first cannot be bypassed by choosing the other interface.
 */
#include "service.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sha256.h"

static int features_from_model(hitl_config *c, const model *m, char *err, size_t errlen)
{
	size_t n = model_inputs(m);
	if (n == 0 || n > HITL_MAX_FEATURES) {
		snprintf(err, errlen, "the model has %zu inputs; at most %d are supported", n, HITL_MAX_FEATURES);
		return -1;
	}
	if (c->n_features == 0) {
		const char *names = model_meta(m, "weft.features");
		char msg[256];
		if (!names || hitl_config_set(c, "features", names, NULL, msg, sizeof msg) < 0 ||
		    c->n_features != n) {
			for (size_t i = 0; i < n; i++)
				snprintf(c->features[i], HITL_NAME_MAX, "f%zu", i + 1);
			c->n_features = n;
		}
	}
	if (c->n_features != n) {
		snprintf(err, errlen, "the configuration names %zu features but the model takes %zu inputs",
			 c->n_features, n);
		return -1;
	}
	if (c->n_min && c->n_min != n) {
		snprintf(err, errlen, "feature_min and feature_max have %zu values but the model takes %zu inputs",
			 c->n_min, n);
		return -1;
	}
	if (c->n_baseline && c->n_baseline != n) {
		snprintf(err, errlen, "the baseline has %zu values but the model takes %zu inputs", c->n_baseline,
			 n);
		return -1;
	}
	size_t outs = model_outputs(m), classes = outs == 1 ? 2 : outs;
	if (outs == 0 || classes > HITL_MAX_LABELS) {
		snprintf(err, errlen, "the model has %zu outputs; 1 to %d are supported", outs, HITL_MAX_LABELS);
		return -1;
	}
	if (hitl_config_check(c, err, errlen) < 0)
		return -1;
	if (c->n_labels != classes) {
		snprintf(err, errlen, "the configuration has %zu labels but the model predicts %zu classes",
			 c->n_labels, classes);
		return -1;
	}
	return 0;
}

/* Create the database's folder (one level) when it is missing. */
static void make_parent(const char *path)
{
	char dir[HITL_PATH_MAX];
	snprintf(dir, sizeof dir, "%s", path);
	char *slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return;
	*slash = 0;
	mkdir(dir, 0750);
}

int hitl_service_open(hitl_service **out, const hitl_config *cfg, char *err, size_t errlen)
{
	*out = NULL;
	hitl_service *s = calloc(1, sizeof *s);
	if (!s) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	s->cfg = *cfg;
	char msg[512];
	if (model_load(&s->model, s->cfg.model, msg, sizeof msg) < 0) {
		snprintf(err, errlen, "%s: %s", s->cfg.model, msg);
		hitl_service_close(s);
		return -1;
	}
	if (features_from_model(&s->cfg, s->model, msg, sizeof msg) < 0) {
		snprintf(err, errlen, "%s: %s", s->cfg.model, msg);
		hitl_service_close(s);
		return -1;
	}
	if (strcmp(s->cfg.db, ":memory:"))
		make_parent(s->cfg.db);
	if (hitl_store_open(&s->store, s->cfg.db, err, errlen) < 0) {
		hitl_service_close(s);
		return -1;
	}
	*out = s;
	return 0;
}

void hitl_service_close(hitl_service *s)
{
	if (!s)
		return;
	hitl_store_close(s->store);
	model_free(s->model);
	free(s);
}

bool hitl_valid_reviewer(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= HITL_REVIEWER_MAX)
		return false;
	for (; *s; s++)
		if (!(isalnum((unsigned char)*s) || strchr("._@-", *s)))
			return false;
	return true;
}

bool hitl_valid_external_id(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= HITL_ID_MAX)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

static void generate_id(hitl_service *s, int64_t now, char out[HITL_ID_MAX])
{
	unsigned char seed[32];
	if (getrandom(seed, sizeof seed, GRND_NONBLOCK) != (ssize_t)sizeof seed) {
		/* no entropy yet (early boot): time, pid and a counter are unique enough */
		memset(seed, 0, sizeof seed);
		snprintf((char *)seed, sizeof seed, "%lld-%ld-%llu", (long long)now, (long)getpid(), s->seq);
	}
	s->seq++;
	char hex[65];
	sha256_hex(seed, sizeof seed, hex);
	snprintf(out, HITL_ID_MAX, "case-%.16s", hex);
}

int hitl_service_submit(hitl_service *s, const char *external_id, const double *x, int64_t now, hitl_case *out,
			bool *existed, char *err, size_t errlen)
{
	*existed = false;
	memset(out, 0, sizeof *out);
	if (external_id && *external_id) {
		if (!hitl_valid_external_id(external_id)) {
			snprintf(err, errlen, "external_id: 1 to %d printable characters without spaces",
				 HITL_ID_MAX - 1);
			return HITL_EINVALID;
		}
		snprintf(out->external_id, sizeof out->external_id, "%s", external_id);
	} else {
		generate_id(s, now, out->external_id);
	}
	const hitl_config *c = &s->cfg;
	if (hitl_predict(&out->pred, s->model, x, c->n_baseline ? c->baseline : NULL, c->top_features, err,
			 errlen) < 0)
		return HITL_EINVALID;
	out->n_features = c->n_features;
	memcpy(out->features, x, c->n_features * sizeof *x);
	snprintf(out->recommendation, sizeof out->recommendation, "%s", c->labels[out->pred.recommendation]);
	out->route = hitl_route_decide(out->pred.confidence, c->confidence_threshold, c->audit_rate,
				       out->external_id, hitl_config_automatable(c, out->recommendation));
	if (hitl_service_unusual(s, x) >= 0)
		out->route = HITL_ROUTE_UNUSUAL;
	out->weight = out->route == HITL_ROUTE_AUDIT ? 1.0 / c->audit_rate : 1.0;
	out->created_at = now;
	out->due_at = now + (int64_t)c->review_sla_hours * 3600;
	out->threshold = c->confidence_threshold;
	snprintf(out->model_version, sizeof out->model_version, "%s", model_version(s->model));
	snprintf(out->model_digest, sizeof out->model_digest, "%s", model_digest(s->model));
	return hitl_store_insert(s->store, out, existed, err, errlen);
}

int hitl_service_unusual(const hitl_service *s, const double *x)
{
	for (size_t i = 0; i < s->cfg.n_min && i < s->cfg.n_features; i++)
		if (x[i] < s->cfg.feature_min[i] || x[i] > s->cfg.feature_max[i])
			return (int)i;
	return -1;
}

static int check_reviewer(const char *reviewer, char *err, size_t errlen)
{
	if (!reviewer || !hitl_valid_reviewer(reviewer)) {
		snprintf(err, errlen, "reviewer: 1 to %d characters from letters, digits and . _ @ -",
			 HITL_REVIEWER_MAX - 1);
		return HITL_EINVALID;
	}
	return HITL_OK;
}

static int check_label(const hitl_service *s, const char *label, char *err, size_t errlen)
{
	if (label && hitl_config_label_index(&s->cfg, label) >= 0)
		return HITL_OK;
	int n = snprintf(err, errlen, "decision: expected one of");
	for (size_t i = 0; i < s->cfg.n_labels && n > 0 && (size_t)n < errlen; i++)
		n += snprintf(err + n, errlen - (size_t)n, "%s %s", i ? "," : "", s->cfg.labels[i]);
	return HITL_EINVALID;
}

int hitl_service_claim(hitl_service *s, int64_t id, const char *reviewer, int64_t now, char *err, size_t errlen)
{
	int rc = check_reviewer(reviewer, err, errlen);
	return rc ? rc : hitl_store_claim(s->store, id, reviewer, now, err, errlen);
}

int hitl_service_release(hitl_service *s, int64_t id, const char *reviewer, bool force, int64_t now, char *err,
			 size_t errlen)
{
	int rc = check_reviewer(reviewer, err, errlen);
	return rc ? rc : hitl_store_release(s->store, id, reviewer, force, now, err, errlen);
}

int hitl_service_judge(hitl_service *s, int64_t id, const char *reviewer, const char *label, int64_t now,
		       char *err, size_t errlen)
{
	int rc = check_reviewer(reviewer, err, errlen);
	if (!rc)
		rc = check_label(s, label, err, errlen);
	return rc ? rc : hitl_store_judge(s->store, id, reviewer, label, now, err, errlen);
}

int hitl_service_decide(hitl_service *s, int64_t id, const char *reviewer, const char *label,
			const char *reason, int64_t now, char *err, size_t errlen)
{
	int rc = check_reviewer(reviewer, err, errlen);
	if (!rc)
		rc = check_label(s, label, err, errlen);
	if (rc)
		return rc;
	size_t len = reason ? strlen(reason) : 0;
	bool blank = true;
	for (size_t i = 0; i < len; i++)
		if (!isspace((unsigned char)reason[i]))
			blank = false;
	if (blank || len >= HITL_REASON_MAX) {
		snprintf(err, errlen, "reason: every decision needs a reason (1 to %d bytes)", HITL_REASON_MAX - 1);
		return HITL_EINVALID;
	}
	return hitl_store_decide(s->store, id, reviewer, label, reason, s->cfg.blind_first, now, err, errlen);
}

bool hitl_service_model_visible(const hitl_service *s, const hitl_case *c)
{
	if (!s->cfg.blind_first)
		return true;
	bool awaiting_human = !strcmp(c->status, "queued") || !strcmp(c->status, "claimed");
	return !awaiting_human || c->first_judgment[0] != 0;
}

void hitl_format_time(char buf[32], int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;
	if (!gmtime_r(&tt, &tm) || !strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, 32, "%lld", (long long)t);
}

static void add_time(cJSON *o, const char *key, int64_t t)
{
	if (!t) {
		cJSON_AddNullToObject(o, key);
		return;
	}
	char buf[32];
	hitl_format_time(buf, t);
	cJSON_AddStringToObject(o, key, buf);
}

static void add_text(cJSON *o, const char *key, const char *s)
{
	if (s && *s)
		cJSON_AddStringToObject(o, key, s);
	else
		cJSON_AddNullToObject(o, key);
}

cJSON *hitl_service_case_json(const hitl_service *s, const hitl_case *c, int64_t now, bool detail)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	cJSON_AddNumberToObject(o, "id", (double)c->id);
	cJSON_AddStringToObject(o, "external_id", c->external_id);
	cJSON_AddStringToObject(o, "status", c->status);
	/* the route says whether the model was confident (audit) or not: part of
	 * the model's output, so blind first hides it too */
	bool visible = hitl_service_model_visible(s, c);
	if (visible)
		cJSON_AddStringToObject(o, "route", hitl_route_name(c->route));
	else
		cJSON_AddNullToObject(o, "route");
	add_time(o, "created_at", c->created_at);
	add_time(o, "due_at", c->due_at);
	bool waiting = !strcmp(c->status, "queued") || !strcmp(c->status, "claimed");
	cJSON_AddBoolToObject(o, "overdue", waiting && c->due_at && c->due_at < now);
	add_text(o, "claimed_by", c->claimed_by);
	add_text(o, "first_judgment", c->first_judgment);
	add_text(o, "decision", c->decision);
	add_text(o, "decided_by", c->decided_by);
	add_text(o, "reason", c->reason);
	add_time(o, "decided_at", c->decided_at);
	if (detail) {
		cJSON *f = cJSON_AddObjectToObject(o, "features");
		for (size_t i = 0; f && i < c->n_features && i < s->cfg.n_features; i++)
			cJSON_AddNumberToObject(f, s->cfg.features[i], c->features[i]);
		/* why an unusual case is here: facts about the input, not the
		 * model's opinion, so shown even under blind first */
		cJSON *out = cJSON_AddArrayToObject(o, "out_of_range");
		for (size_t i = 0; out && i < c->n_features && i < s->cfg.n_min; i++) {
			if (c->features[i] >= s->cfg.feature_min[i] && c->features[i] <= s->cfg.feature_max[i])
				continue;
			cJSON *e = cJSON_CreateObject();
			if (!e)
				break;
			cJSON_AddStringToObject(e, "feature", s->cfg.features[i]);
			cJSON_AddNumberToObject(e, "value", c->features[i]);
			cJSON_AddNumberToObject(e, "min", s->cfg.feature_min[i]);
			cJSON_AddNumberToObject(e, "max", s->cfg.feature_max[i]);
			cJSON_AddItemToArray(out, e);
		}
	}
	if (!visible) {
		cJSON_AddNullToObject(o, "model");
		cJSON_AddBoolToObject(o, "model_hidden", true);
		return o;
	}
	cJSON_AddBoolToObject(o, "model_hidden", false);
	cJSON *m = cJSON_AddObjectToObject(o, "model");
	if (!m)
		return o;
	cJSON_AddStringToObject(m, "recommendation", c->recommendation);
	cJSON_AddNumberToObject(m, "confidence", c->pred.confidence);
	cJSON *p = cJSON_AddObjectToObject(m, "probabilities");
	for (size_t i = 0; p && i < c->pred.n_classes; i++) {
		const char *name = i < s->cfg.n_labels ? s->cfg.labels[i] : "?";
		cJSON_AddNumberToObject(p, name, c->pred.probs[i]);
	}
	cJSON *top = cJSON_AddArrayToObject(m, "top_features");
	for (size_t i = 0; top && i < c->pred.n_top; i++) {
		const hitl_contribution *t = &c->pred.top[i];
		cJSON *e = cJSON_CreateObject();
		if (!e)
			break;
		cJSON_AddStringToObject(e, "feature",
					t->feature < s->cfg.n_features ? s->cfg.features[t->feature] : "?");
		cJSON_AddNumberToObject(e, "value", t->value);
		cJSON_AddNumberToObject(e, "contribution", t->contribution);
		cJSON_AddItemToArray(top, e);
	}
	cJSON_AddNumberToObject(m, "threshold", c->threshold);
	cJSON_AddStringToObject(m, "version", c->model_version);
	cJSON_AddStringToObject(m, "digest", c->model_digest);
	return o;
}
