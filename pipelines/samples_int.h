/* samples_int.h - --samples, the per-query rows written as a run goes
 * (samples.c), for the load generator's engines. */
#ifndef WEFT_PIPELINES_SAMPLES_INT_H
#define WEFT_PIPELINES_SAMPLES_INT_H

#include "events_int.h"

typedef struct weft_pl_samples weft_pl_samples;

/* Open path for r's rows (CSV with a header, or JSON lines), one buffer per
 * worker of r; the file exists only after a commit. */
int weft_pl_samples_open(weft_pl_samples **out, const weft_pl_run *r, const char *path, bool jsonl, bool force,
			 weft_diags *d);
/* Worker `worker`'s row for one measured query (ns as for weft_pl_record). */
void weft_pl_samples_row(weft_pl_samples *sm, size_t worker, const weft_pl_query *q, const uint64_t *ns);
/* Write what is buffered and put the file in place; frees sm. */
int weft_pl_samples_commit(weft_pl_samples *sm, weft_diags *d);
/* Leave no file; frees sm (NULL: nothing). */
void weft_pl_samples_abort(weft_pl_samples *sm);

#endif
