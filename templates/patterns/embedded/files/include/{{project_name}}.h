/* {{project_name}}.h - the embedded model: weights compiled in, one call.
 *
 * Link the static library lib{{project_name}}.a and include this header.
 * The model's constants come from the generated {{project_name}}_model.h:
 *   {{project_upper}}_MODEL_VERSION   weft.version of the model file
 *   {{project_upper}}_MODEL_SHA256    SHA-256 of models/model.safetensors
 *   {{project_upper}}_INPUTS, {{project_upper}}_OUTPUTS, {{project_upper}}_FEATURES
 * The library allocates nothing on the heap, reads no file and needs no
 * initialisation. {{project_name}}_predict is reentrant; the telemetry
 * counters are process-wide and not synchronised (call it from one thread,
 * or serialise the calls, when telemetry is on).
 */
#ifndef {{project_upper}}_H
#define {{project_upper}}_H

#include <stddef.h>

#include "{{project_name}}_model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Bins of the telemetry score histogram over [0, 1]. */
#define {{project_upper}}_HIST_BINS {{histogram_bins}}

/* One row: x[{{project_upper}}_INPUTS] raw feature values ->
 * y[{{project_upper}}_OUTPUTS] scores. No allocation. Returns 0; -1 when
 * an output is not finite (NaN or infinite input; y is still written);
 * -2 when x or y is NULL. */
int {{project_name}}_predict(const float *x, float *y);

/* Drift signals for the host to aggregate: every call counts; the first
 * output of each finite call lands in bin floor(score * BINS) of the
 * histogram (scores below 0 in the first bin, 1 and above in the last). */
typedef struct {{project_name}}_telemetry {
	unsigned long long calls;
	unsigned long long nonfinite;
	unsigned long long histogram[{{project_upper}}_HIST_BINS];
} {{project_name}}_telemetry;

/* Called after every predict with the running totals and this call's
 * score (NaN when not finite); ctx is passed back as given. */
typedef void (*{{project_name}}_telemetry_fn)(const {{project_name}}_telemetry *t, float score, void *ctx);

/* Installs cb (NULL removes it). Counting happens whether or not a callback
 * is set. */
void {{project_name}}_set_telemetry({{project_name}}_telemetry_fn cb, void *ctx);
/* Copies the running totals into out. */
void {{project_name}}_telemetry_get({{project_name}}_telemetry *out);
/* Sets the totals back to zero (e.g. after the host has shipped them). */
void {{project_name}}_telemetry_reset(void);

/* Bytes of the compiled-in weight arrays (weights, biases, scales). */
size_t {{project_name}}_weight_bytes(void);
/* 1 when this build carries int8-quantised weights, 0 for float32. */
int {{project_name}}_quantized(void);

#ifdef __cplusplus
}
#endif

#endif
