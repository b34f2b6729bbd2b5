/* sync.c - outbox forwarding with retry, bounded exponential backoff and
 * jitter.
 *
 * Design: each result is its own POST with an Idempotency-Key (device id +
 * sequence), so a lost acknowledgement only causes a duplicate that the
 * server drops; backoff is per row and stored in the outbox, so it survives
 * restarts, and a fleet coming back online does not retry in lockstep. */
#include "sync.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

int64_t sync_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t next_rand(uint64_t *s)
{
	/* xorshift64*: enough for jitter, no global state */
	uint64_t x = *s ? *s : 0x9E3779B97F4A7C15ull;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

long sync_backoff_ms(long attempt, long base_ms, long max_ms, uint64_t *rng)
{
	if (attempt < 1)
		attempt = 1;
	if (base_ms < 1)
		base_ms = 1;
	long cap = base_ms;
	for (long i = 1; i < attempt && cap < max_ms; i++)
		cap = cap > max_ms / 2 ? max_ms : cap * 2;
	if (cap > max_ms)
		cap = max_ms;
	long half = cap / 2;
	return half + (long)(next_rand(rng) % (uint64_t)(cap - half + 1));
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

int sync_run(outbox *o, const sync_opts *opts, int64_t now_ms, sync_report *rep)
{
	memset(rep, 0, sizeof *rep);
	if (!opts->url || !*opts->url)
		return 0;
	CURL *c = curl_easy_init();
	if (!c)
		return -1;
	outbox_row rows[64];
	int max = opts->batch > 0 && opts->batch < 64 ? opts->batch : 64;
	int n = outbox_due(o, now_ms, rows, max);
	if (n < 0) {
		curl_easy_cleanup(c);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char key[160];
		snprintf(key, sizeof key, "Idempotency-Key: %.127s", rows[i].id);
		struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
		h = curl_slist_append(h, key);
		curl_easy_reset(c);
		curl_easy_setopt(c, CURLOPT_URL, opts->url);
		curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, rows[i].body);
		curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
		curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
		curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, opts->timeout_ms > 0 ? opts->timeout_ms : 2000L);
		curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, opts->timeout_ms > 0 ? opts->timeout_ms : 2000L);
		CURLcode cc = curl_easy_perform(c);
		long status = 0;
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		curl_slist_free_all(h);
		if (cc == CURLE_OK && ((status >= 200 && status < 300) || status == 409)) {
			outbox_ack(o, rows[i].id);
			rep->sent++;
			continue;
		}
		long delay = sync_backoff_ms(rows[i].attempts + 1, opts->base_backoff_ms, opts->max_backoff_ms,
					     opts->rng);
		outbox_retry_at(o, rows[i].id, now_ms + delay);
		rep->failed++;
		if (cc != CURLE_OK) {
			rep->unreachable = 1;
			break;
		}
	}
	outbox_rows_free(rows, n);
	curl_easy_cleanup(c);
	return 0;
}
