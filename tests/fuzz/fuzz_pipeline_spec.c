/* fuzz_pipeline_spec.c - libFuzzer target for pipeline files: any input must
 * load or be refused with diagnostics (each with a position or a path),
 * never crash, leak or hang; a loaded spec is checked for what the loader
 * promises (named stages, sorted budgets, a valid load section). Relative
 * files resolve against a folder that does not exist, so the fuzzer never
 * reads the disk beyond the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weft_pipelines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	weft_diags *d;
	if (weft_diags_new(&d))
		return 0;
	weft_pipelines_spec *s = NULL;
	int err = weft_pipelines_spec_load_buffer(&s, "fuzz.yaml", "/nonexistent-weft-fuzz", (const char *)data,
						  size, d);
	if (!err) {
		if (!s || !s->n_stages || !s->name)
			abort();
		for (size_t i = 0; i < s->n_stages; i++) {
			const weft_pipelines_stage *st = &s->stages[i];
			if (!st->name)
				abort();
			for (size_t b = 1; b < st->n_budgets; b++)
				if (st->budgets[b].q < st->budgets[b - 1].q)
					abort();
			(void)weft_pipelines_stage_kind_name(st->kind);
			if (st->kind == WEFT_STAGE_DELAY) {
				uint64_t rng = 1;
				double v = weft_pipelines_dist_sample(&st->delay, &rng);
				if (!(v >= 0))
					abort();
			}
		}
		if (weft_pipelines_load_check(s, d) != 0)
			abort();
	} else if (s || !weft_diags_errors(d)) {
		abort(); /* a refusal always says why */
	}
	weft_pipelines_spec_free(s);
	weft_diags_free(d);
	return 0;
}
