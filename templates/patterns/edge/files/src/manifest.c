/* manifest.c - model manifest parsing and pre-load checks.
 *
 * Design: the digest is computed over the file's bytes before the model
 * reader ever sees them, so a tampered or truncated file is refused without
 * parsing untrusted data; device-class and resource limits come from the
 * manifest shipped with the model, so one fleet can hold models built for
 * different hardware. */
#include "manifest.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

int manifest_file_digest(const char *path, char out[65])
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return -1;
	sha256_ctx c;
	sha256_init(&c);
	unsigned char buf[8192];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sha256_update(&c, buf, n);
	int bad = ferror(f);
	fclose(f);
	if (bad)
		return -1;
	unsigned char d[32];
	sha256_final(&c, d);
	sha256_to_hex(d, out);
	return 0;
}

static char *read_all(const char *path, size_t max)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	char *buf = malloc(max + 1);
	size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
	fclose(f);
	if (!buf || n > max) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	return buf;
}

static int copy_str(char *dst, size_t cap, const cJSON *j)
{
	if (!cJSON_IsString(j) || strlen(j->valuestring) >= cap || !*j->valuestring)
		return -1;
	memcpy(dst, j->valuestring, strlen(j->valuestring) + 1);
	return 0;
}

int manifest_load(manifest *m, const char *path, char *err, size_t errlen)
{
	memset(m, 0, sizeof *m);
	m->output_min = -1e30;
	m->output_max = 1e30;
	char *text = read_all(path, 1 << 16);
	if (!text) {
		snprintf(err, errlen, "%s: cannot read (missing or over 64 KiB)", path);
		return -1;
	}
	cJSON *j = cJSON_Parse(text);
	free(text);
	if (!cJSON_IsObject(j)) {
		snprintf(err, errlen, "%s: not a JSON object", path);
		cJSON_Delete(j);
		return -1;
	}
	const char *bad = NULL;
	if (copy_str(m->file, sizeof m->file, cJSON_GetObjectItem(j, "file")) || strchr(m->file, '/'))
		bad = "file (a file name in the manifest's folder)";
	else if (copy_str(m->version, sizeof m->version, cJSON_GetObjectItem(j, "version")))
		bad = "version";
	else if (copy_str(m->sha256, sizeof m->sha256, cJSON_GetObjectItem(j, "sha256")) ||
		 strlen(m->sha256) != 64 || strspn(m->sha256, "0123456789abcdef") != 64)
		bad = "sha256 (64 lower-case hex digits)";
	const cJSON *mem = cJSON_GetObjectItem(j, "min_memory_mb");
	const cJSON *cpu = cJSON_GetObjectItem(j, "min_cpu_cores");
	const cJSON *cls = cJSON_GetObjectItem(j, "device_classes");
	const cJSON *range = cJSON_GetObjectItem(j, "output_range");
	if (!bad && (!cJSON_IsNumber(mem) || mem->valuedouble < 0))
		bad = "min_memory_mb";
	if (!bad && cpu && (!cJSON_IsNumber(cpu) || cpu->valuedouble < 0))
		bad = "min_cpu_cores";
	if (!bad && (!cJSON_IsArray(cls) || cJSON_GetArraySize(cls) < 1 ||
		     cJSON_GetArraySize(cls) > MANIFEST_MAX_CLASSES))
		bad = "device_classes (1 to 16 names)";
	if (!bad) {
		m->min_memory_mb = (long)mem->valuedouble;
		m->min_cpu_cores = cpu ? (long)cpu->valuedouble : 0;
		const cJSON *c;
		cJSON_ArrayForEach(c, cls)
		{
			if (copy_str(m->classes[m->n_classes], sizeof m->classes[0], c)) {
				bad = "device_classes (strings)";
				break;
			}
			m->n_classes++;
		}
	}
	if (!bad && range) {
		if (!cJSON_IsArray(range) || cJSON_GetArraySize(range) != 2 ||
		    !cJSON_IsNumber(cJSON_GetArrayItem(range, 0)) || !cJSON_IsNumber(cJSON_GetArrayItem(range, 1)) ||
		    cJSON_GetArrayItem(range, 0)->valuedouble > cJSON_GetArrayItem(range, 1)->valuedouble)
			bad = "output_range ([min, max])";
		else {
			m->output_min = cJSON_GetArrayItem(range, 0)->valuedouble;
			m->output_max = cJSON_GetArrayItem(range, 1)->valuedouble;
		}
	}
	cJSON_Delete(j);
	if (bad) {
		snprintf(err, errlen, "%s: missing or invalid %s", path, bad);
		return -1;
	}
	return 0;
}

int manifest_check(const manifest *m, const profile *p, const char *model_path, char *err,
		   size_t errlen)
{
	size_t i;
	for (i = 0; i < m->n_classes; i++)
		if (!strcmp(m->classes[i], p->device_class))
			break;
	if (i == m->n_classes) {
		snprintf(err, errlen, "model %s is not allowed on device class '%s'", m->version, p->device_class);
		return -1;
	}
	if (p->memory_mb < m->min_memory_mb) {
		snprintf(err, errlen, "model %s needs %ld MB of memory, this device has %ld MB", m->version,
			 m->min_memory_mb, p->memory_mb);
		return -1;
	}
	if (p->cpu_cores < m->min_cpu_cores) {
		snprintf(err, errlen, "model %s needs %ld CPU cores, this device has %ld", m->version,
			 m->min_cpu_cores, p->cpu_cores);
		return -1;
	}
	char hex[65];
	if (manifest_file_digest(model_path, hex) != 0) {
		snprintf(err, errlen, "%s: cannot read: %s", model_path, strerror(errno));
		return -1;
	}
	if (strcmp(hex, m->sha256) != 0) {
		snprintf(err, errlen, "%s: SHA-256 %s does not match the manifest's %s (tampered or corrupt)",
			 model_path, hex, m->sha256);
		return -1;
	}
	return 0;
}
