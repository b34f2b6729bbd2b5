/* test_store.c - the review workflow: claim semantics (also under a race
 * between connections), blind first, one decision per case, the feedback
 * row written with the model's output, the audit trail and the SLA. */
#include <criterion/criterion.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "service.h"
#include "store.h"
#include "testutil.h"

static char *dir;
static hitl_service *svc;

/* A one-feature model p(approve) = sigmoid(x): a case with x = logit(p)
 * has exactly confidence max(p, 1 - p). */
static hitl_service *open_svc(bool blind)
{
	char *path = tu_path(dir, "m.safetensors");
	float w[1] = { 1.0f };
	tu_write_logistic_model(path, 1, w, 0.0f, "score", "t-1");
	hitl_config c;
	tu_config(&c, dir, path);
	c.blind_first = blind;
	c.audit_rate = 0;
	free(path);
	hitl_service *s;
	char err[512];
	cr_assert_eq(hitl_service_open(&s, &c, err, sizeof err), 0, "%s", err);
	return s;
}

static void setup(void)
{
	dir = tu_tempdir();
	svc = open_svc(true);
}

static void teardown(void)
{
	hitl_service_close(svc);
	tu_rmtree(dir);
	free(dir);
}

TestSuite(store, .init = setup, .fini = teardown);

static int64_t submit(hitl_service *s, const char *id, double p_approve, int64_t now)
{
	double x[1] = { tu_logit(p_approve) };
	hitl_case c;
	bool existed;
	char err[512];
	cr_assert_eq(hitl_service_submit(s, id, x, now, &c, &existed, err, sizeof err), 0, "%s", err);
	return c.id;
}

Test(store, confident_cases_are_decided_and_the_rest_queued)
{
	char err[512];
	int64_t a = submit(svc, "a", 0.97, 100), b = submit(svc, "b", 0.6, 100);
	hitl_case c;
	cr_assert_eq(hitl_store_get(svc->store, a, &c, err, sizeof err), 0);
	cr_assert_str_eq(c.status, "auto");
	cr_assert_str_eq(c.decision, "approve");
	cr_assert_eq(c.due_at, 0);
	cr_assert_eq(hitl_store_get(svc->store, b, &c, err, sizeof err), 0);
	cr_assert_str_eq(c.status, "queued");
	cr_assert_str_eq(c.decision, "");
	cr_assert_eq(c.due_at, 100 + 24 * 3600, "review_sla_hours 24 by default");
	cr_assert_str_eq(c.model_version, "t-1");
	cr_assert_eq(strlen(c.model_digest), 64);
	cr_assert_float_eq(c.pred.confidence, 0.6, 1e-6);
}

Test(store, resubmitting_an_external_id_returns_the_stored_case)
{
	int64_t a = submit(svc, "dup", 0.6, 100);
	double x[1] = { tu_logit(0.99) };
	hitl_case c;
	bool existed;
	char err[512];
	cr_assert_eq(hitl_service_submit(svc, "dup", x, 200, &c, &existed, err, sizeof err), 0);
	cr_assert(existed);
	cr_assert_eq(c.id, a);
	cr_assert_str_eq(c.status, "queued", "the first routing stands");
}

Test(store, a_claimed_case_cannot_be_claimed_by_someone_else)
{
	char err[512];
	int64_t id = submit(svc, "c", 0.6, 100);
	cr_assert_eq(hitl_service_claim(svc, id, "alice", 110, err, sizeof err), HITL_OK, "%s", err);
	cr_assert_eq(hitl_service_claim(svc, id, "bob", 111, err, sizeof err), HITL_ECONFLICT);
	cr_assert(strstr(err, "claimed by alice"), "%s", err);
	cr_assert_eq(hitl_service_claim(svc, id, "alice", 112, err, sizeof err), HITL_OK, "the holder may claim again");
	hitl_case c;
	cr_assert_eq(hitl_store_get(svc->store, id, &c, err, sizeof err), 0);
	cr_assert_str_eq(c.claimed_by, "alice");
	cr_assert_eq(c.claimed_at, 110, "claiming again does not move the claim time");
	/* bob cannot act on alice's case either */
	cr_assert_eq(hitl_service_judge(svc, id, "bob", "deny", 113, err, sizeof err), HITL_ECONFLICT);
	cr_assert_eq(hitl_service_decide(svc, id, "bob", "deny", "r", 113, err, sizeof err), HITL_ECONFLICT);
	cr_assert_eq(hitl_service_release(svc, id, "bob", false, 113, err, sizeof err), HITL_ECONFLICT);
}

Test(store, release_returns_the_case_and_clears_the_first_judgment)
{
	char err[512];
	int64_t id = submit(svc, "r", 0.6, 100);
	cr_assert_eq(hitl_service_claim(svc, id, "alice", 110, err, sizeof err), HITL_OK);
	cr_assert_eq(hitl_service_judge(svc, id, "alice", "deny", 111, err, sizeof err), HITL_OK);
	cr_assert_eq(hitl_service_release(svc, id, "alice", false, 112, err, sizeof err), HITL_OK, "%s", err);
	cr_assert_eq(hitl_service_claim(svc, id, "bob", 113, err, sizeof err), HITL_OK, "%s", err);
	hitl_case c;
	cr_assert_eq(hitl_store_get(svc->store, id, &c, err, sizeof err), 0);
	cr_assert_str_eq(c.first_judgment, "", "bob must make his own judgment");
	cr_assert(!hitl_service_model_visible(svc, &c));
	/* a supervisor may force a release */
	cr_assert_eq(hitl_service_release(svc, id, "carol", true, 114, err, sizeof err), HITL_OK, "%s", err);
	cr_assert_eq(hitl_store_get(svc->store, id, &c, err, sizeof err), 0);
	cr_assert_str_eq(c.status, "queued");
	int64_t n;
	cr_assert_eq(hitl_store_event_count(svc->store, id, "release", &n, err, sizeof err), 0);
	cr_assert_eq(n, 2);
}

Test(store, automatic_decided_and_unknown_cases_cannot_be_claimed)
{
	char err[512];
	int64_t a = submit(svc, "auto", 0.99, 100);
	cr_assert_eq(hitl_service_claim(svc, a, "alice", 110, err, sizeof err), HITL_ECONFLICT);
	cr_assert(strstr(err, "decided automatically"), "%s", err);
	cr_assert_eq(hitl_service_claim(svc, 9999, "alice", 110, err, sizeof err), HITL_ENOTFOUND);
	int64_t id = submit(svc, "d", 0.6, 100);
	cr_assert_eq(hitl_service_claim(svc, id, "alice", 110, err, sizeof err), HITL_OK);
	cr_assert_eq(hitl_service_judge(svc, id, "alice", "approve", 111, err, sizeof err), HITL_OK);
	cr_assert_eq(hitl_service_decide(svc, id, "alice", "approve", "fine", 112, err, sizeof err), HITL_OK, "%s", err);
	cr_assert_eq(hitl_service_claim(svc, id, "bob", 113, err, sizeof err), HITL_ECONFLICT);
	cr_assert(strstr(err, "already decided by alice"), "%s", err);
	cr_assert_eq(hitl_service_decide(svc, id, "alice", "deny", "again", 114, err, sizeof err), HITL_ECONFLICT,
		     "one decision per case");
}

Test(store, invalid_reviewer_label_and_reason_are_refused)
{
	char err[512];
	int64_t id = submit(svc, "v", 0.6, 100);
	cr_assert_eq(hitl_service_claim(svc, id, "", 110, err, sizeof err), HITL_EINVALID);
	cr_assert_eq(hitl_service_claim(svc, id, "al ice", 110, err, sizeof err), HITL_EINVALID);
	cr_assert_eq(hitl_service_claim(svc, id, "alice", 110, err, sizeof err), HITL_OK);
	cr_assert_eq(hitl_service_judge(svc, id, "alice", "maybe", 111, err, sizeof err), HITL_EINVALID);
	cr_assert(strstr(err, "deny, approve"), "%s", err);
	cr_assert_eq(hitl_service_judge(svc, id, "alice", "deny", 111, err, sizeof err), HITL_OK);
	cr_assert_eq(hitl_service_decide(svc, id, "alice", "deny", "   ", 112, err, sizeof err), HITL_EINVALID);
	cr_assert_eq(hitl_service_decide(svc, id, "alice", "deny", NULL, 112, err, sizeof err), HITL_EINVALID);
	cr_assert(strstr(err, "reason"), "%s", err);
}

Test(store, blind_first_requires_a_judgment_and_hides_the_model_until_then)
{
	char err[512];
	int64_t id = submit(svc, "blind", 0.7, 100);
	hitl_case c;
	cr_assert_eq(hitl_service_claim(svc, id, "alice", 110, err, sizeof err), HITL_OK);
	cr_assert_eq(hitl_store_get(svc->store, id, &c, err, sizeof err), 0);
	cr_assert(!hitl_service_model_visible(svc, &c));
	cr_assert_eq(hitl_service_decide(svc, id, "alice", "approve", "ok", 111, err, sizeof err), HITL_EJUDGMENT);
	cr_assert(strstr(err, "record your own judgment first"), "%s", err);
	cr_assert_eq(hitl_service_judge(svc, id, "alice", "deny", 112, err, sizeof err), HITL_OK);
	cr_assert_eq(hitl_service_judge(svc, id, "alice", "approve", 113, err, sizeof err), HITL_ECONFLICT,
		     "the first judgment cannot be rewritten");
	cr_assert_eq(hitl_store_get(svc->store, id, &c, err, sizeof err), 0);
	cr_assert_str_eq(c.first_judgment, "deny");
	cr_assert(hitl_service_model_visible(svc, &c));
	cr_assert_eq(hitl_service_decide(svc, id, "alice", "approve", "model convinced me", 114, err, sizeof err),
		     HITL_OK, "%s", err);
}

Test(store, without_blind_first_the_model_is_visible_and_no_judgment_is_needed)
{
	hitl_service_close(svc);
	svc = open_svc(false);
	char err[512];
	int64_t id = submit(svc, "open", 0.7, 100);
	hitl_case c;
	cr_assert_eq(hitl_store_get(svc->store, id, &c, err, sizeof err), 0);
	cr_assert(hitl_service_model_visible(svc, &c));
	cr_assert_eq(hitl_service_claim(svc, id, "alice", 110, err, sizeof err), HITL_OK);
	cr_assert_eq(hitl_service_decide(svc, id, "alice", "approve", "ok", 111, err, sizeof err), HITL_OK, "%s", err);
}

typedef struct {
	const char *reviewer;
	int64_t id;
	int rc;
} race_arg;

static char *race_db;

static void *race(void *p)
{
	race_arg *a = p;
	hitl_store *s;
	char err[256];
	if (hitl_store_open(&s, race_db, err, sizeof err) < 0) {
		a->rc = 99;
		return NULL;
	}
	a->rc = hitl_store_claim(s, a->id, a->reviewer, 200, err, sizeof err);
	hitl_store_close(s);
	return NULL;
}

Test(store, racing_claims_from_separate_connections_give_one_holder)
{
	race_db = svc->cfg.db;
	enum { N = 8 };
	static const char *names[N] = { "r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7" };
	for (int round = 0; round < 5; round++) {
		char ext[32];
		snprintf(ext, sizeof ext, "race-%d", round);
		int64_t id = submit(svc, ext, 0.6, 100);
		pthread_t t[N];
		race_arg a[N];
		for (int i = 0; i < N; i++) {
			a[i] = (race_arg){ names[i], id, -100 };
			pthread_create(&t[i], NULL, race, &a[i]);
		}
		int winners = 0, losers = 0;
		const char *winner = NULL;
		for (int i = 0; i < N; i++) {
			pthread_join(t[i], NULL);
			if (a[i].rc == HITL_OK) {
				winners++;
				winner = a[i].reviewer;
			} else if (a[i].rc == HITL_ECONFLICT) {
				losers++;
			}
		}
		cr_assert_eq(winners, 1, "round %d: %d winners", round, winners);
		cr_assert_eq(losers, N - 1);
		hitl_case c;
		char err[256];
		cr_assert_eq(hitl_store_get(svc->store, id, &c, err, sizeof err), 0);
		cr_assert_str_eq(c.claimed_by, winner);
	}
}

typedef struct {
	hitl_feedback rows[4];
	int n;
} fb_list;

static int keep(void *ctx, const hitl_feedback *f)
{
	fb_list *l = ctx;
	if (l->n < 4)
		l->rows[l->n++] = *f;
	return 0;
}

Test(store, every_decision_is_stored_as_a_label_with_the_model_output)
{
	char err[512];
	int64_t id = submit(svc, "fb", 0.7, 100);
	cr_assert_eq(hitl_service_claim(svc, id, "alice", 110, err, sizeof err), HITL_OK);
	cr_assert_eq(hitl_service_judge(svc, id, "alice", "deny", 120, err, sizeof err), HITL_OK);
	cr_assert_eq(hitl_service_decide(svc, id, "alice", "deny", "prior fraud", 400, err, sizeof err), HITL_OK);
	fb_list l = { .n = 0 };
	cr_assert_eq(hitl_store_feedback_each(svc->store, keep, &l, err, sizeof err), 0);
	cr_assert_eq(l.n, 1);
	const hitl_feedback *f = &l.rows[0];
	cr_assert_eq(f->case_id, id);
	cr_assert_str_eq(f->external_id, "fb");
	cr_assert_str_eq(f->label, "deny");
	cr_assert_str_eq(f->first_judgment, "deny");
	cr_assert_str_eq(f->recommendation, "approve");
	cr_assert_float_eq(f->confidence, 0.7, 1e-6);
	cr_assert_eq(f->n_classes, 2);
	cr_assert_float_eq(f->probs[0], 0.3, 1e-6);
	cr_assert_eq(f->n_features, 1);
	cr_assert_float_eq(f->features[0], tu_logit(0.7), 1e-12);
	cr_assert_str_eq(f->reviewer, "alice");
	cr_assert_str_eq(f->reason, "prior fraud");
	cr_assert_eq(f->route, HITL_ROUTE_REVIEW);
	cr_assert_float_eq(f->weight, 1.0, 1e-12);
	cr_assert(f->blind);
	cr_assert_str_eq(f->model_version, "t-1");
	cr_assert_eq(f->decided_at, 400);
	cr_assert_eq(f->review_seconds, 300);
	int64_t n;
	const char *kinds[] = { "review", "claim", "judgment", "decision" };
	for (int i = 0; i < 4; i++) {
		cr_assert_eq(hitl_store_event_count(svc->store, id, kinds[i], &n, err, sizeof err), 0);
		cr_assert_eq(n, 1, "event %s", kinds[i]);
	}
}

Test(store, audited_cases_carry_the_inverse_sampling_weight)
{
	hitl_service_close(svc);
	svc = open_svc(true);
	svc->cfg.audit_rate = 1.0; /* every confident case is audited */
	char err[512];
	int64_t id = submit(svc, "aud", 0.99, 100);
	hitl_case c;
	cr_assert_eq(hitl_store_get(svc->store, id, &c, err, sizeof err), 0);
	cr_assert_str_eq(c.status, "queued");
	cr_assert_eq(c.route, HITL_ROUTE_AUDIT);
	cr_assert_float_eq(c.weight, 1.0, 1e-12);
	svc->cfg.audit_rate = 0.25;
	int audited = 0;
	for (int i = 0; i < 200 && !audited; i++) {
		char ext[32];
		snprintf(ext, sizeof ext, "aud-%d", i);
		id = submit(svc, ext, 0.99, 100);
		cr_assert_eq(hitl_store_get(svc->store, id, &c, err, sizeof err), 0);
		if (c.route == HITL_ROUTE_AUDIT) {
			audited = 1;
			cr_assert_float_eq(c.weight, 4.0, 1e-12, "1 / audit_rate");
		}
	}
	cr_assert(audited);
}

Test(store, unusual_cases_always_go_to_a_person)
{
	char err[512];
	svc->cfg.n_min = svc->cfg.n_max = 1;
	svc->cfg.feature_min[0] = -4.0;
	svc->cfg.feature_max[0] = 4.0;
	/* logit(0.98) = 3.89: inside, confident: automatic */
	int64_t in = submit(svc, "in", 0.98, 100);
	/* logit(0.99) = 4.60: above 4, so unusual however confident */
	int64_t out = submit(svc, "out", 0.99, 100);
	hitl_case c;
	cr_assert_eq(hitl_store_get(svc->store, in, &c, err, sizeof err), 0);
	cr_assert_eq(c.route, HITL_ROUTE_AUTO);
	cr_assert_eq(hitl_store_get(svc->store, out, &c, err, sizeof err), 0);
	cr_assert_eq(c.route, HITL_ROUTE_UNUSUAL);
	cr_assert_str_eq(c.status, "queued");
	cr_assert_float_eq(c.weight, 1.0, 1e-12);
	/* the reviewer is told why, even before the first judgment */
	cJSON *j = hitl_service_case_json(svc, &c, 100, true);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "model_hidden")));
	cJSON *why = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "out_of_range"), 0);
	cr_assert_not_null(why);
	cr_assert_str_eq(cJSON_GetObjectItem(why, "feature")->valuestring, "score");
	cr_assert_float_eq(cJSON_GetObjectItem(why, "max")->valuedouble, 4.0, 1e-12);
	cJSON_Delete(j);
}

Test(store, overdue_cases_are_counted_against_the_sla)
{
	char err[512];
	submit(svc, "o1", 0.6, 0);
	submit(svc, "o2", 0.6, 3600);
	submit(svc, "o3", 0.99, 0);
	hitl_counts k;
	/* due at 24 h and 25 h */
	cr_assert_eq(hitl_store_counts(svc->store, 24 * 3600 + 1, &k, err, sizeof err), 0);
	cr_assert_eq(k.total, 3);
	cr_assert_eq(k.automated, 1);
	cr_assert_eq(k.queued, 2);
	cr_assert_eq(k.overdue, 1);
	cr_assert_eq(hitl_store_counts(svc->store, 25 * 3600 + 1, &k, err, sizeof err), 0);
	cr_assert_eq(k.overdue, 2);
}

Test(store, list_orders_by_due_time_and_filters_by_status)
{
	char err[512];
	int64_t late = submit(svc, "l1", 0.6, 5000);
	int64_t early = submit(svc, "l2", 0.6, 1000);
	submit(svc, "l3", 0.99, 0);
	hitl_case *cs;
	size_t n;
	cr_assert_eq(hitl_store_list(svc->store, "queued", 10, &cs, &n, err, sizeof err), 0);
	cr_assert_eq(n, 2);
	cr_assert_eq(cs[0].id, early);
	cr_assert_eq(cs[1].id, late);
	free(cs);
	cr_assert_eq(hitl_store_list(svc->store, NULL, 10, &cs, &n, err, sizeof err), 0);
	cr_assert_eq(n, 3);
	free(cs);
	cr_assert_eq(hitl_store_list(svc->store, "queued", 1, &cs, &n, err, sizeof err), 0);
	cr_assert_eq(n, 1);
	free(cs);
}

Test(store, a_newer_schema_is_refused)
{
	char *path = tu_path(dir, "future.db");
	hitl_store *s;
	char err[512];
	cr_assert_eq(hitl_store_open(&s, path, err, sizeof err), 0);
	hitl_store_close(s);
	/* bump user_version with a second, raw connection */
	FILE *f = fopen(path, "r+b");
	cr_assert(f);
	/* the header's user_version is the big-endian int at offset 60 */
	fseek(f, 60, SEEK_SET);
	unsigned char v[4] = { 0, 0, 0, 99 };
	fwrite(v, 1, 4, f);
	fclose(f);
	cr_assert_eq(hitl_store_open(&s, path, err, sizeof err), -1);
	cr_assert(strstr(err, "newer"), "%s", err);
	free(path);
}
