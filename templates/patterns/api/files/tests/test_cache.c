/* test_cache.c - the fallback cache: last score per key, bounded size with
 * least-recently-used eviction, time to live.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "cache.h"

#define MS 1000000LL

Test(cache, remembers_the_last_score_per_key)
{
	pred_cache *c;
	cr_assert_eq(pred_cache_new(&c, 10, 1000 * MS), 0);
	double s;
	int64_t age;
	cr_expect_eq(pred_cache_get(c, "a", 0, &s, &age), 0);
	pred_cache_put(c, "a", 0.1, 0);
	pred_cache_put(c, "a", 0.7, 5 * MS);
	cr_expect_eq(pred_cache_get(c, "a", 25 * MS, &s, &age), 1);
	cr_expect_float_eq(s, 0.7, 1e-12);
	cr_expect_eq(age, 20 * MS);
	cr_expect_eq(pred_cache_size(c), 1u);
	pred_cache_free(c);
}

Test(cache, forgets_the_least_recently_used)
{
	pred_cache *c;
	cr_assert_eq(pred_cache_new(&c, 3, 1000 * MS), 0);
	pred_cache_put(c, "a", 1, 0);
	pred_cache_put(c, "b", 2, 0);
	pred_cache_put(c, "c", 3, 0);
	double s;
	int64_t age;
	cr_expect_eq(pred_cache_get(c, "a", 0, &s, &age), 1); /* a is now the most recent */
	pred_cache_put(c, "d", 4, 0);                         /* evicts b */
	cr_expect_eq(pred_cache_size(c), 3u);
	cr_expect_eq(pred_cache_get(c, "b", 0, &s, &age), 0);
	cr_expect_eq(pred_cache_get(c, "a", 0, &s, &age), 1);
	cr_expect_eq(pred_cache_get(c, "c", 0, &s, &age), 1);
	cr_expect_eq(pred_cache_get(c, "d", 0, &s, &age), 1);
	cr_expect_float_eq(s, 4, 1e-12);
	pred_cache_free(c);
}

Test(cache, expires_after_the_time_to_live)
{
	pred_cache *c;
	cr_assert_eq(pred_cache_new(&c, 3, 100 * MS), 0);
	pred_cache_put(c, "a", 0.5, 0);
	double s;
	int64_t age;
	cr_expect_eq(pred_cache_get(c, "a", 100 * MS, &s, &age), 1);
	cr_expect_eq(pred_cache_get(c, "a", 101 * MS, &s, &age), 0);
	pred_cache_free(c);
}

Test(cache, ignores_empty_and_oversized_keys)
{
	pred_cache *c;
	cr_assert_eq(pred_cache_new(&c, 3, 100 * MS), 0);
	char big[CACHE_KEY_MAX + 2];
	memset(big, 'k', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	pred_cache_put(c, big, 1, 0);
	pred_cache_put(c, "", 1, 0);
	cr_expect_eq(pred_cache_size(c), 0u);
	double s;
	int64_t age;
	cr_expect_eq(pred_cache_get(c, big, 0, &s, &age), 0);
	pred_cache_free(c);
	pred_cache *none;
	cr_expect_eq(pred_cache_new(&none, 0, 1), -1); /* a capacity of zero is refused */
	cr_expect_null(none);
	pred_cache_free(NULL);
}

Test(cache, many_keys_stay_bounded)
{
	pred_cache *c;
	cr_assert_eq(pred_cache_new(&c, 100, 1000 * MS), 0);
	char key[32];
	for (int i = 0; i < 5000; i++) {
		snprintf(key, sizeof key, "C-%d", i);
		pred_cache_put(c, key, i, 0);
	}
	cr_expect_eq(pred_cache_size(c), 100u);
	double s;
	int64_t age;
	cr_expect_eq(pred_cache_get(c, "C-4999", 0, &s, &age), 1);
	cr_expect_float_eq(s, 4999, 1e-9);
	cr_expect_eq(pred_cache_get(c, "C-4900", 0, &s, &age), 1);
	cr_expect_eq(pred_cache_get(c, "C-4899", 0, &s, &age), 0);
	pred_cache_free(c);
}
