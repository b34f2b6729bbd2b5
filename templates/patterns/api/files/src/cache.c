/* cache.c - a bounded LRU map from key to (score, time).
 *
 * Key choice: a chained hash table whose entries also sit on one doubly
 * linked recency list, so lookup, insert and eviction are O(1) and memory
 * is bounded by the capacity whatever keys callers send. Entries are
 * allocated on first use, so a large capacity costs nothing until used.
 */
#define _POSIX_C_SOURCE 200809L
#include "cache.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

typedef struct entry {
	struct entry *chain;       /* next in the bucket */
	struct entry *prev, *next; /* recency list, most recent first */
	double score;
	int64_t at_ns;
	char key[];
} entry;

struct pred_cache {
	pthread_mutex_t mu;
	entry **buckets;
	size_t n_buckets; /* a power of two */
	size_t size, capacity;
	int64_t ttl_ns;
	entry *head, *tail;
};

static uint64_t fnv1a(const char *s)
{
	uint64_t h = 1469598103934665603ull;
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ull;
	}
	return h;
}

int pred_cache_new(pred_cache **out, size_t capacity, int64_t ttl_ns)
{
	*out = NULL;
	if (capacity == 0)
		return -1;
	pred_cache *c = calloc(1, sizeof *c);
	if (!c)
		return -1;
	size_t nb = 16;
	while (nb < capacity && nb < ((size_t)1 << 24))
		nb <<= 1;
	c->buckets = calloc(nb, sizeof *c->buckets);
	if (!c->buckets) {
		free(c);
		return -1;
	}
	c->n_buckets = nb;
	c->capacity = capacity;
	c->ttl_ns = ttl_ns;
	pthread_mutex_init(&c->mu, NULL);
	*out = c;
	return 0;
}

void pred_cache_free(pred_cache *c)
{
	if (!c)
		return;
	for (entry *e = c->head, *n; e; e = n) {
		n = e->next;
		free(e);
	}
	free(c->buckets);
	pthread_mutex_destroy(&c->mu);
	free(c);
}

static void list_unlink(pred_cache *c, entry *e)
{
	if (e->prev)
		e->prev->next = e->next;
	else
		c->head = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->tail = e->prev;
	e->prev = e->next = NULL;
}

static void list_push_front(pred_cache *c, entry *e)
{
	e->prev = NULL;
	e->next = c->head;
	if (c->head)
		c->head->prev = e;
	c->head = e;
	if (!c->tail)
		c->tail = e;
}

static entry **find_slot(pred_cache *c, const char *key)
{
	entry **p = &c->buckets[fnv1a(key) & (c->n_buckets - 1)];
	while (*p && strcmp((*p)->key, key) != 0)
		p = &(*p)->chain;
	return p;
}

void pred_cache_put(pred_cache *c, const char *key, double score, int64_t now_ns)
{
	size_t len = strlen(key);
	if (len == 0 || len > CACHE_KEY_MAX)
		return;
	pthread_mutex_lock(&c->mu);
	entry **slot = find_slot(c, key);
	entry *e = *slot;
	if (e) {
		list_unlink(c, e);
	} else {
		if (c->size == c->capacity) {
			/* evict the least recently used */
			entry *old = c->tail;
			list_unlink(c, old);
			entry **os = find_slot(c, old->key);
			*os = old->chain;
			free(old);
			c->size--;
			slot = find_slot(c, key);
		}
		e = malloc(sizeof *e + len + 1);
		if (!e) {
			pthread_mutex_unlock(&c->mu);
			return;
		}
		memcpy(e->key, key, len + 1);
		e->chain = NULL;
		*slot = e;
		c->size++;
	}
	e->score = score;
	e->at_ns = now_ns;
	list_push_front(c, e);
	pthread_mutex_unlock(&c->mu);
}

int pred_cache_get(pred_cache *c, const char *key, int64_t now_ns, double *score, int64_t *age_ns)
{
	if (!key || !*key || strlen(key) > CACHE_KEY_MAX)
		return 0;
	pthread_mutex_lock(&c->mu);
	entry *e = *find_slot(c, key);
	int found = 0;
	if (e && now_ns - e->at_ns <= c->ttl_ns) {
		*score = e->score;
		*age_ns = now_ns - e->at_ns;
		list_unlink(c, e);
		list_push_front(c, e);
		found = 1;
	}
	pthread_mutex_unlock(&c->mu);
	return found;
}

size_t pred_cache_size(pred_cache *c)
{
	pthread_mutex_lock(&c->mu);
	size_t n = c->size;
	pthread_mutex_unlock(&c->mu);
	return n;
}
