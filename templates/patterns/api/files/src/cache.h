/* cache.h - the last prediction per request key, for the fallback.
 *
 * When the model stage misses its deadline or fails, the service answers
 * with the last score it computed for the same key (a customer id, say) if
 * that score is younger than the configured time to live. The cache holds
 * at most `capacity` keys and forgets the least recently used first.
 * Thread-safe.
 */
#ifndef CACHE_H
#define CACHE_H

#include <stddef.h>
#include <stdint.h>

#define CACHE_KEY_MAX 128 /* longest key, in bytes */

typedef struct pred_cache pred_cache;

/* Returns 0, or -1 when out of memory. capacity >= 1. */
int pred_cache_new(pred_cache **out, size_t capacity, int64_t ttl_ns);
void pred_cache_free(pred_cache *c);

/* Remember score for key at time now_ns (monotonic). Keys longer than
 * CACHE_KEY_MAX are ignored. */
void pred_cache_put(pred_cache *c, const char *key, double score, int64_t now_ns);

/* 1 with *score and *age_ns when key has a score younger than the time to
 * live at now_ns, else 0. */
int pred_cache_get(pred_cache *c, const char *key, int64_t now_ns, double *score, int64_t *age_ns);

size_t pred_cache_size(pred_cache *c);

#endif
