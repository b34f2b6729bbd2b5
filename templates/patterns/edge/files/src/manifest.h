/* manifest.h - the model manifest (models/manifest.json) and the checks
 * made before a model file is loaded on this device. */
#ifndef MANIFEST_H
#define MANIFEST_H

#include <stddef.h>

#include "profile.h"

#define MANIFEST_MAX_CLASSES 16

typedef struct manifest {
	char file[128];          /* model file name, in the manifest's folder */
	char version[64];
	char sha256[65];         /* expected digest of the file, lower-case hex */
	long min_memory_mb;
	long min_cpu_cores;
	char classes[MANIFEST_MAX_CLASSES][64];  /* device classes allowed to run it */
	size_t n_classes;
	double output_min, output_max;           /* smoke prediction must fall here */
} manifest;

/* Parses a manifest file. Returns 0 or -1 with err. */
int manifest_load(manifest *m, const char *path, char *err, size_t errlen);
/* Checks that the file at model_path has the manifest's digest and that the
 * device profile p may run it (class allowed, enough memory and cores).
 * Returns 0, or -1 with the reason in err. Nothing is loaded. */
int manifest_check(const manifest *m, const profile *p, const char *model_path, char *err,
		   size_t errlen);
/* SHA-256 of a file as hex. Returns 0 or -1. */
int manifest_file_digest(const char *path, char out[65]);

#endif
