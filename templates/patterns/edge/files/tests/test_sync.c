/* test_sync.c - store-and-forward: the outbox, backoff with jitter, and
 * delivery to a loopback endpoint that is down, then up (exactly once). */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "outbox.h"
#include "sync.h"
#include "testutil.h"

static char *body_of(void *ctx, const char *id, int64_t seq)
{
	(void)ctx;
	char *s = malloc(128);
	snprintf(s, 128, "{\"id\":\"%s\",\"seq\":%lld}", id, (long long)seq);
	return s;
}

static char dir[256];
static profile prof;

static void setup(void)
{
	curl_global_init(CURL_GLOBAL_DEFAULT);
	tu_device(dir, &prof);
}

static void teardown(void)
{
	curl_global_cleanup();
}

TestSuite(sync, .init = setup, .fini = teardown);

Test(sync, backoff_doubles_is_bounded_and_jittered)
{
	uint64_t rng = 42;
	/* cap = min(max, base * 2^(attempt-1)); value in [cap/2, cap] */
	long caps[] = {100, 200, 400, 800, 1600, 3000, 3000, 3000};
	for (long attempt = 1; attempt <= 8; attempt++) {
		long lo = 1L << 30, hi = 0;
		for (int i = 0; i < 200; i++) {
			long d = sync_backoff_ms(attempt, 100, 3000, &rng);
			cr_assert(d >= caps[attempt - 1] / 2 && d <= caps[attempt - 1], "attempt %ld: %ld", attempt, d);
			if (d < lo)
				lo = d;
			if (d > hi)
				hi = d;
		}
		cr_assert(hi > lo, "attempt %ld: no jitter", attempt);
	}
	/* huge attempt counts do not overflow */
	long d = sync_backoff_ms(1000000, 100, 3000, &rng);
	cr_assert(d >= 1500 && d <= 3000);
}

Test(sync, ids_are_device_and_sequence_and_survive_reopen)
{
	outbox *o;
	char err[256], id[128];
	cr_assert_eq(outbox_open(&o, prof.outbox_path, 100, err, sizeof err), 0, "%s", err);
	cr_assert_eq(outbox_put(o, "dev-7", body_of, NULL, id), 0);
	cr_assert_str_eq(id, "dev-7-000000000001");
	cr_assert_eq(outbox_put(o, "dev-7", body_of, NULL, id), 0);
	cr_assert_str_eq(id, "dev-7-000000000002");
	outbox_close(o);
	cr_assert_eq(outbox_open(&o, prof.outbox_path, 100, err, sizeof err), 0);
	cr_assert_eq(outbox_put(o, "dev-7", body_of, NULL, id), 0);
	cr_assert_str_eq(id, "dev-7-000000000003", "a restart must not reuse sequence numbers");
	cr_assert_eq(outbox_pending(o), 3);
	outbox_close(o);
}

Test(sync, full_outbox_drops_the_oldest_and_counts)
{
	outbox *o;
	char err[256];
	cr_assert_eq(outbox_open(&o, prof.outbox_path, 3, err, sizeof err), 0);
	for (int i = 0; i < 5; i++)
		cr_assert_eq(outbox_put(o, "d", body_of, NULL, NULL), 0);
	cr_assert_eq(outbox_pending(o), 3);
	cr_assert_eq(outbox_dropped(o), 2);
	outbox_row rows[8];
	int n = outbox_due(o, 0, rows, 8);
	cr_assert_eq(n, 3);
	cr_assert_eq(rows[0].seq, 3);
	cr_assert_eq(rows[2].seq, 5);
	outbox_rows_free(rows, n);
	outbox_close(o);
}

Test(sync, endpoint_down_then_up_delivers_each_result_exactly_once)
{
	outbox *o;
	char err[256], url[128], ids[6][128];
	cr_assert_eq(outbox_open(&o, prof.outbox_path, 100, err, sizeof err), 0);
	for (int i = 0; i < 6; i++)
		cr_assert_eq(outbox_put(o, "dev-7", body_of, NULL, ids[i]), 0);
	int port = tu_free_port();
	snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/results", port);
	uint64_t rng = 1;
	sync_opts opts = {.url = url, .base_backoff_ms = 1000, .max_backoff_ms = 8000,
			  .timeout_ms = 2000, .batch = 64, .rng = &rng};
	sync_report r;
	int64_t now = 1000000;

	/* down: nothing listens, the results stay queued and are rescheduled */
	cr_assert_eq(sync_run(o, &opts, now, &r), 0);
	cr_assert_eq(r.sent, 0);
	cr_assert_eq(r.unreachable, 1);
	cr_assert_eq(outbox_pending(o), 6);
	outbox_row rows[8];
	cr_assert_eq(outbox_due(o, now, rows, 8), 5, "the failed row waits for its backoff");
	outbox_rows_free(rows, 5);
	cr_assert_eq(outbox_due(o, now + 500, rows, 8), 5, "first retry is at least base/2 later");
	outbox_rows_free(rows, 5);

	/* up, but answering 503 at first: retried with backoff */
	tu_server s;
	tu_server_start(&s, port);
	s.fail_first = 2;
	now += 9000;
	cr_assert_eq(sync_run(o, &opts, now, &r), 0);
	cr_assert_eq(r.failed, 2);
	cr_assert_eq(r.sent, 4);
	cr_assert_eq(outbox_pending(o), 2);
	now += 9000;
	cr_assert_eq(sync_run(o, &opts, now, &r), 0);
	cr_assert_eq(r.sent, 2);
	cr_assert_eq(outbox_pending(o), 0);

	/* nothing left: a further pass sends nothing */
	cr_assert_eq(sync_run(o, &opts, now + 9000, &r), 0);
	cr_assert_eq(r.sent, 0);
	tu_server_stop(&s);

	cr_assert_eq(s.n_keys, 6);
	cr_assert_eq(s.duplicates, 0);
	cr_assert_eq(s.requests, 8, "6 results + 2 answered 503");
	tu_server_free(&s);
	outbox_close(o);
}

Test(sync, lost_acknowledgement_is_resent_and_deduplicated_by_key)
{
	outbox *o;
	char err[256], url[128], id[3][128];
	cr_assert_eq(outbox_open(&o, prof.outbox_path, 100, err, sizeof err), 0);
	for (int i = 0; i < 3; i++)
		cr_assert_eq(outbox_put(o, "dev-7", body_of, NULL, id[i]), 0);
	tu_server s;
	tu_server_start(&s, 0);
	s.drop_first = 1; /* the first result is stored but its answer never arrives */
	snprintf(url, sizeof url, "http://127.0.0.1:%d/v1/results", s.port);
	uint64_t rng = 7;
	sync_opts opts = {.url = url, .base_backoff_ms = 100, .max_backoff_ms = 400,
			  .timeout_ms = 2000, .batch = 64, .rng = &rng};
	sync_report r;
	cr_assert_eq(sync_run(o, &opts, 5000, &r), 0);
	cr_assert_eq(outbox_pending(o), 3, "nothing is acknowledged after a broken answer");
	cr_assert_eq(sync_run(o, &opts, 6000, &r), 0);
	cr_assert_eq(outbox_pending(o), 0);
	tu_server_stop(&s);
	cr_assert_eq(s.with_key, 4, "every request carries an Idempotency-Key");
	cr_assert_eq(s.duplicates, 1, "the resent result is recognised by its key");
	cr_assert_eq(s.n_keys, 3);
	for (int i = 0; i < 3; i++) {
		int c = 0;
		for (int k = 0; k < s.n_keys; k++)
			c += !strcmp(s.keys[k], id[i]);
		cr_assert_eq(c, 1, "%s stored %d times", id[i], c);
	}
	tu_server_free(&s);
	outbox_close(o);
}
