/* test_fallback.c - availability: the request deadline and the fallback,
 * exercised by making the model stage stall or fail through the test hook.
 */
#define _POSIX_C_SOURCE 200809L
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "support.h"

/* Scheduling slack allowed above a deadline (loaded CI machines, sanitizers). */
#define SLACK_S 0.4

static const char *row_a = "[45,111.67,2,1,1,6.2,0,22]";
static const char *row_b = "[61,71.94,0,1,0,2,0,51]";

static void sleep_ms(int ms)
{
	struct timespec t = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };
	while (nanosleep(&t, &t) != 0)
		;
}

typedef struct {
	long status;
	double seconds;
	double score;
	bool fallback;
	char source[16], reason[16];
	double age_ms;
} answer;

static answer predict(test_server *ts, const char *key, const char *row)
{
	char body[256];
	if (key)
		snprintf(body, sizeof body, "{\"key\":\"%s\",\"features\":%s}", key, row);
	else
		snprintf(body, sizeof body, "{\"features\":%s}", row);
	http_res r = http_call(ts->port, "POST", "/v1/predict", TOKEN_CRM, body);
	answer a = { .status = r.status, .seconds = r.seconds, .age_ms = -1 };
	cJSON *j = cJSON_Parse(r.body);
	cr_assert_not_null(j, "%s", r.body);
	a.score = cJSON_GetObjectItem(j, "score")->valuedouble;
	a.fallback = cJSON_IsTrue(cJSON_GetObjectItem(j, "fallback"));
	const cJSON *s = cJSON_GetObjectItem(j, "fallback_source"), *why = cJSON_GetObjectItem(j, "reason");
	snprintf(a.source, sizeof a.source, "%s", s ? s->valuestring : "");
	snprintf(a.reason, sizeof a.reason, "%s", why ? why->valuestring : "");
	const cJSON *age = cJSON_GetObjectItem(j, "fallback_age_ms");
	if (age)
		a.age_ms = age->valuedouble;
	cJSON_Delete(j);
	http_res_free(&r);
	return a;
}

Test(fallback, stalled_model_answers_the_default_by_the_deadline)
{
	test_server ts;
	server_start(&ts, "deadline_ms = 100\nfallback_default = 0.25\n");
	atomic_store(&ts.stage.stall_ms, 600);
	atomic_store(&ts.stage.mode, STAGE_STALL);
	answer a = predict(&ts, NULL, row_a);
	cr_expect_eq(a.status, 200);
	cr_expect(a.fallback);
	cr_expect_str_eq(a.source, "default");
	cr_expect_str_eq(a.reason, "deadline");
	cr_expect_float_eq(a.score, 0.25, 1e-12);
	/* it waited for the deadline, and not much longer */
	cr_expect_geq(a.seconds, 0.095, "%.3f s", a.seconds);
	cr_expect_lt(a.seconds, 0.1 + SLACK_S, "%.3f s", a.seconds);
	cr_expect_eq(atomic_load(&ts.stage.calls), 1);
	free(server_stop(&ts));
}

Test(fallback, stalled_model_answers_the_last_score_for_the_key)
{
	test_server ts;
	server_start(&ts, "deadline_ms = 100\n");
	answer fresh = predict(&ts, "C-7", row_a);
	cr_assert_not(fresh.fallback);
	answer other = predict(&ts, "C-8", row_b);
	cr_assert_not(other.fallback);
	cr_assert(fabs(fresh.score - other.score) > 1e-3); /* the two rows score differently */

	atomic_store(&ts.stage.stall_ms, 500);
	atomic_store(&ts.stage.mode, STAGE_STALL);
	/* C-7 now sends row_b: the fallback is C-7's last score (row_a's), not row_b's */
	answer a = predict(&ts, "C-7", row_b);
	cr_expect(a.fallback);
	cr_expect_str_eq(a.source, "cache");
	cr_expect_float_eq(a.score, fresh.score, 1e-12);
	cr_expect_geq(a.age_ms, 0);
	cr_expect_lt(a.seconds, 0.1 + SLACK_S, "%.3f s", a.seconds);
	/* a key never scored gets the default */
	answer b = predict(&ts, "C-9", row_a);
	cr_expect(b.fallback);
	cr_expect_str_eq(b.source, "default");
	cr_expect_float_eq(b.score, 0.5, 1e-12);
	free(server_stop(&ts));
}

Test(fallback, failing_model_answers_at_once)
{
	test_server ts;
	server_start(&ts, "deadline_ms = 3000\n");
	answer fresh = predict(&ts, "C-1", row_a);
	atomic_store(&ts.stage.mode, STAGE_FAIL);
	answer a = predict(&ts, "C-1", row_a);
	cr_expect(a.fallback);
	cr_expect_str_eq(a.reason, "model_error");
	cr_expect_str_eq(a.source, "cache");
	cr_expect_float_eq(a.score, fresh.score, 1e-12);
	/* no waiting for the 3 s deadline */
	cr_expect_lt(a.seconds, 1.0, "%.3f s", a.seconds);
	answer b = predict(&ts, NULL, row_a);
	cr_expect(b.fallback);
	cr_expect_str_eq(b.source, "default");
	/* and it recovers when the model does */
	atomic_store(&ts.stage.mode, STAGE_NORMAL);
	answer c = predict(&ts, "C-1", row_a);
	cr_expect_not(c.fallback);
	cr_expect_float_eq(c.score, fresh.score, 1e-12);
	free(server_stop(&ts));
}

Test(fallback, cached_scores_expire)
{
	test_server ts;
	server_start(&ts, "cache_ttl_ms = 50\n");
	predict(&ts, "C-1", row_a);
	sleep_ms(150);
	atomic_store(&ts.stage.mode, STAGE_FAIL);
	answer a = predict(&ts, "C-1", row_a);
	cr_expect(a.fallback);
	cr_expect_str_eq(a.source, "default");
	free(server_stop(&ts));
}

Test(fallback, cache_can_be_turned_off)
{
	test_server ts;
	server_start(&ts, "fallback_cache = off\n");
	predict(&ts, "C-1", row_a);
	atomic_store(&ts.stage.mode, STAGE_FAIL);
	answer a = predict(&ts, "C-1", row_a);
	cr_expect_str_eq(a.source, "default");
	free(server_stop(&ts));
}

Test(fallback, late_results_refresh_the_cache)
{
	test_server ts;
	server_start(&ts, "deadline_ms = 100\n");
	answer truth = predict(&ts, NULL, row_b); /* row_b's score, no key: nothing cached */
	atomic_store(&ts.stage.stall_ms, 300);
	atomic_store(&ts.stage.mode, STAGE_STALL);
	answer late = predict(&ts, "C-5", row_b);
	cr_expect(late.fallback);
	cr_expect_str_eq(late.source, "default");
	/* the stalled job finishes after its request gave up, and its score
	 * reaches the cache: with the model failing, C-5 then answers from it */
	atomic_store(&ts.stage.mode, STAGE_FAIL);
	answer a;
	for (int i = 0;; i++) {
		a = predict(&ts, "C-5", row_a);
		if (strcmp(a.source, "cache") == 0 || i == 200)
			break;
		sleep_ms(25);
	}
	cr_expect_str_eq(a.source, "cache");
	cr_expect_float_eq(a.score, truth.score, 1e-12);
	free(server_stop(&ts));
}

typedef struct {
	test_server *ts;
	answer a;
} bg_call;

static void *background_predict(void *arg)
{
	bg_call *c = arg;
	c->a = predict(c->ts, NULL, row_a);
	return NULL;
}

Test(fallback, full_queue_answers_overloaded_at_once)
{
	test_server ts;
	server_start(&ts, "workers = 1\nqueue = 1\ndeadline_ms = 1500\n");
	atomic_store(&ts.stage.stall_ms, 700);
	atomic_store(&ts.stage.mode, STAGE_STALL);
	bg_call c1 = { .ts = &ts }, c2 = { .ts = &ts };
	pthread_t t1, t2;
	pthread_create(&t1, NULL, background_predict, &c1); /* runs on the only worker */
	wait_for_stage_calls(&ts, 1);
	pthread_create(&t2, NULL, background_predict, &c2); /* waits in the queue */
	wait_for_queue_depth(&ts, 1);
	answer a = predict(&ts, NULL, row_a);
	cr_expect(a.fallback);
	cr_expect_str_eq(a.reason, "overloaded");
	cr_expect_lt(a.seconds, 0.5, "%.3f s", a.seconds);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	cr_expect_not(c1.a.fallback); /* 700 ms stall < 1500 ms deadline */
	free(server_stop(&ts));
}

Test(fallback, every_request_meets_its_deadline_while_the_model_hangs)
{
	test_server ts;
	server_start(&ts, "deadline_ms = 80\n");
	atomic_store(&ts.stage.stall_ms, 400);
	atomic_store(&ts.stage.mode, STAGE_STALL);
	/* jobs pile up behind the stalled workers; callers must not notice */
	for (int i = 0; i < 6; i++) {
		answer a = predict(&ts, NULL, row_a);
		cr_expect(a.fallback);
		cr_expect_lt(a.seconds, 0.08 + SLACK_S, "request %d took %.3f s", i, a.seconds);
	}
	free(server_stop(&ts));
}
