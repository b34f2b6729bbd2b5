/* agent.h - the device agent: verified model, stream of local inputs in,
 * results (only) into the outbox. */
#ifndef AGENT_H
#define AGENT_H

#include <stdint.h>
#include <stdio.h>

#include "model.h"
#include "outbox.h"
#include "profile.h"

typedef struct agent {
	profile prof;
	model *m;
	outbox *ob;
	char model_version[64];
	long processed;     /* inputs turned into results */
	long rejected;      /* lines that were not a feature row */
	long over_budget;   /* inputs slower than latency_budget_ms */
	long rolled_back;   /* 1 when start-up restored the previous model */
	uint64_t rng;
} agent;

/* Checks the model in prof->models_dir against its manifest and the device
 * profile, loads it and runs a smoke prediction; when that fails and a
 * previous model is kept, rolls back to it and tries again. Opens the
 * outbox. Returns 0 or -1 with err. */
int agent_open(agent *a, const profile *prof, char *err, size_t errlen);
void agent_close(agent *a);
/* One input line: comma-separated features (extra trailing columns are
 * ignored, a header line is skipped). Scores it and stores the result;
 * the raw features are not kept. Returns 1 stored, 0 skipped, -1 error. */
int agent_process_line(agent *a, const char *line, char *id_out);
/* Reads lines from in until EOF; tries a sync every sync_every results and
 * at the end. Returns 0 or -1. */
int agent_run(agent *a, FILE *in, int sync_every);
/* One sync pass with the profile's settings. */
int agent_sync(agent *a, int64_t now_ms, int *sent, int *unreachable);

#endif
