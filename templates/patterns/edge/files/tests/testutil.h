/* testutil.h - helpers of the {{project_name}} tests: scratch folders,
 * hand-built models, and a loopback HTTP endpoint. */
#ifndef TESTUTIL_H
#define TESTUTIL_H

#include <pthread.h>
#include <stddef.h>

#include "profile.h"

/* A fresh folder under /tmp (out: 256 bytes) holding models/ with the
 * project's model and manifest; p gets defaults pointing into it, no sync. */
void tu_device(char *dir, profile *p);
void tu_copy(const char *from, const char *to);
void tu_flip_byte(const char *path, long offset_from_end);
/* Writes a one-layer model 8 -> 1 with all weights w, bias b and the given
 * activation, and version; puts its SHA-256 in hex (65 bytes). */
void tu_write_model(const char *path, float w, float b, const char *activation, const char *version,
		    char *hex);
/* Writes a manifest for file name "model.safetensors". */
void tu_write_manifest(const char *path, const char *version, const char *hex, const char *classes_json,
		       long min_memory_mb);
char *tu_read(const char *path);

#define TU_MAX_KEYS 512
typedef struct tu_server {
	int fd;
	int port;
	pthread_t thread;
	pthread_mutex_t lock;
	volatile int stop;
	int fail_first;     /* answer 503 to this many requests */
	int drop_first;     /* store, then close without an answer, this many */
	int requests;       /* every request seen */
	int with_key;       /* requests that carried an Idempotency-Key */
	int duplicates;     /* requests whose key was already stored */
	char *keys[TU_MAX_KEYS];  /* stored results, de-duplicated by key */
	int n_keys;
} tu_server;

/* A free loopback port that nothing listens on (connections are refused). */
int tu_free_port(void);
/* Starts the endpoint on port (0: any). */
void tu_server_start(tu_server *s, int port);
/* Stops the thread and closes the port; what it recorded stays readable. */
void tu_server_stop(tu_server *s);
/* Frees what it recorded. */
void tu_server_free(tu_server *s);
/* How many stored results have this key. */
int tu_server_count(tu_server *s, const char *key);

#endif
