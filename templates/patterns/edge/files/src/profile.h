/* profile.h - the device profile: who this device is and what it can run. */
#ifndef PROFILE_H
#define PROFILE_H

#include <stddef.h>

typedef struct profile {
	char device_id[64];      /* unique in the fleet; the prefix of every result id */
	char device_class[64];   /* camera-gateway, vehicle, kiosk, sensor-hub, ... */
	long memory_mb;          /* memory available to the agent */
	long cpu_cores;
	char models_dir[512];    /* holds model.safetensors and manifest.json */
	char outbox_path[512];   /* SQLite store-and-forward outbox */
	char sync_url[512];      /* central endpoint; empty: never sync */
	long max_backoff_s;      /* upper bound of the retry delay */
	long outbox_max_rows;    /* oldest results are dropped (and counted) above this */
	long latency_budget_ms;  /* per-input budget; inputs over it are counted */
	double threshold;        /* score at or above which a result is flagged */
} profile;

/* Sets the built-in defaults of this project. */
void profile_defaults(profile *p);
/* Reads "key = value" lines (# comments) over the defaults already in p.
 * Returns 0, or -1 with "path:line: message" in err. */
int profile_load(profile *p, const char *path, char *err, size_t errlen);
/* Applies one "key=value" (from --set). Returns 0 or -1 with err. */
int profile_set(profile *p, const char *kv, char *err, size_t errlen);

#endif
