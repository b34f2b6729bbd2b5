/* profile.c - device profile from a small "key = value" file.
 *
 * Design: a flat file any fleet tool can write (no YAML or JSON needed on a
 * device); every value is validated on load, so a bad profile stops the agent
 * at start instead of misbehaving later. */
#include "profile.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void profile_defaults(profile *p)
{
	memset(p, 0, sizeof *p);
	snprintf(p->device_id, sizeof p->device_id, "%s", "{{project_name}}-0001");
	snprintf(p->device_class, sizeof p->device_class, "%s", "{{device_class}}");
	p->memory_mb = 512;
	p->cpu_cores = 2;
	snprintf(p->models_dir, sizeof p->models_dir, "%s", "models");
	snprintf(p->outbox_path, sizeof p->outbox_path, "%s", "outbox.db");
	snprintf(p->sync_url, sizeof p->sync_url, "%s", "{{sync_url}}");
	p->max_backoff_s = {{max_backoff_s}};
	p->outbox_max_rows = {{outbox_max_rows}};
	p->latency_budget_ms = {{latency_budget_ms}};
	p->threshold = 0.5;
}

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

static int set_long(long *dst, const char *v, long lo, long hi)
{
	char *end;
	errno = 0;
	long x = strtol(v, &end, 10);
	if (errno || end == v || *end || x < lo || x > hi)
		return -1;
	*dst = x;
	return 0;
}

static int set_str(char *dst, size_t cap, const char *v)
{
	if (strlen(v) >= cap)
		return -1;
	memcpy(dst, v, strlen(v) + 1);
	return 0;
}

static int valid_id(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
			return 0;
	return 1;
}

static int apply(profile *p, const char *k, const char *v, char *msg, size_t msglen)
{
	int rc = 0;
	if (!strcmp(k, "device_id")) {
		rc = set_str(p->device_id, sizeof p->device_id, v);
		if (!rc && !valid_id(p->device_id))
			rc = -1;
	} else if (!strcmp(k, "device_class")) {
		rc = set_str(p->device_class, sizeof p->device_class, v);
		if (!rc && !valid_id(p->device_class))
			rc = -1;
	} else if (!strcmp(k, "memory_mb"))
		rc = set_long(&p->memory_mb, v, 1, 1L << 30);
	else if (!strcmp(k, "cpu_cores"))
		rc = set_long(&p->cpu_cores, v, 1, 4096);
	else if (!strcmp(k, "models_dir"))
		rc = set_str(p->models_dir, sizeof p->models_dir, v);
	else if (!strcmp(k, "outbox_path"))
		rc = set_str(p->outbox_path, sizeof p->outbox_path, v);
	else if (!strcmp(k, "sync_url")) {
		rc = set_str(p->sync_url, sizeof p->sync_url, v);
		if (!rc && *v && strncmp(v, "http://", 7) && strncmp(v, "https://", 8))
			rc = -1;
	} else if (!strcmp(k, "max_backoff_s"))
		rc = set_long(&p->max_backoff_s, v, 1, 86400);
	else if (!strcmp(k, "outbox_max_rows"))
		rc = set_long(&p->outbox_max_rows, v, 1, 100000000);
	else if (!strcmp(k, "latency_budget_ms"))
		rc = set_long(&p->latency_budget_ms, v, 1, 3600000);
	else if (!strcmp(k, "threshold")) {
		char *end;
		double t = strtod(v, &end);
		if (end == v || *end || !(t >= 0.0 && t <= 1.0))
			rc = -1;
		else
			p->threshold = t;
	} else {
		snprintf(msg, msglen, "unknown key '%s'", k);
		return -1;
	}
	if (rc)
		snprintf(msg, msglen, "invalid value '%.100s' for %s", v, k);
	return rc;
}

int profile_set(profile *p, const char *kv, char *err, size_t errlen)
{
	char buf[1024];
	if (snprintf(buf, sizeof buf, "%s", kv) >= (int)sizeof buf) {
		snprintf(err, errlen, "setting too long");
		return -1;
	}
	char *eq = strchr(buf, '=');
	if (!eq) {
		snprintf(err, errlen, "expected key=value, got '%.100s'", kv);
		return -1;
	}
	*eq = '\0';
	return apply(p, trim(buf), trim(eq + 1), err, errlen);
}

int profile_load(profile *p, const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char line[1024], msg[256];
	int lineno = 0, rc = 0;
	while (fgets(line, sizeof line, f)) {
		lineno++;
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char *s = trim(line);
		if (!*s)
			continue;
		char *eq = strchr(s, '=');
		if (!eq) {
			snprintf(err, errlen, "%s:%d: expected key = value", path, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		if (apply(p, trim(s), trim(eq + 1), msg, sizeof msg) != 0) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
			rc = -1;
			break;
		}
	}
	fclose(f);
	return rc;
}
