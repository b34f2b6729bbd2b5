/* fuzz_baseline.c - libFuzzer target for --baseline files: any input must
 * compare or be refused with an error diagnostic, never crash, overflow a
 * bucket total or hang. The run compared against is made once (a delay
 * stage "s" and end-to-end, 60 queries), so corpus files name those series;
 * every comparison must leave counts and p-values in range. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weft_pipelines.h"

static weft_pipelines_result *run;

static void make_run(void)
{
	static const char spec[] = "pipeline: fuzz\nstages: [{name: s, delay: 20us}]\n"
				   "load: {scenario: single-stream, duration: 1ms, min_queries: 60, warmup: 1}\n";
	weft_diags *d;
	if (weft_diags_new(&d))
		abort();
	weft_pipelines_spec *s = NULL;
	if (weft_pipelines_spec_load_buffer(&s, "fuzz.yaml", ".", spec, sizeof spec - 1, d) ||
	    weft_pipelines_run(&run, s, NULL, d))
		abort();
	weft_pipelines_spec_free(s);
	weft_diags_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!run)
		make_run();
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	weft_diags *d;
	if (weft_diags_new(&d)) {
		free(text);
		return 0;
	}
	int err = weft_pipelines_baseline_compare_json(run, "fuzz.json", text, 0.05, -1, d);
	if (!err) {
		if (run->n_cmp > run->n_series)
			abort();
		for (size_t i = 0; i < run->n_cmp; i++) {
			const weft_pipelines_comparison *c = &run->cmp[i];
			if (!c->name || c->base_count > (uint64_t)1e15)
				abort();
			if (c->verdict == WEFT_CMP_REGRESSION || c->verdict == WEFT_CMP_IMPROVEMENT ||
			    c->verdict == WEFT_CMP_SAME)
				if (!(c->p_regression >= 0 && c->p_regression <= 1) ||
				    !(c->p_improvement >= 0 && c->p_improvement <= 1))
					abort();
		}
	} else if (!weft_diags_errors(d)) {
		abort(); /* a refusal always says why */
	}
	weft_diags_free(d);
	free(text);
	return 0;
}
