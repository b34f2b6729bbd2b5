/* fuzz_evalset.c - libFuzzer target for the CSV evaluation-set reader: any
 * bytes are refused with a positioned diagnostic or give a table whose
 * every feature is finite and every label a class number. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "weft_kernels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	weft_diags *d = NULL;
	if (weft_diags_new(&d))
		return 0;
	weft_evalset *e = NULL;
	if (weft_evalset_parse_csv(&e, "fuzz.csv", (const char *)data, size, d) == 0) {
		if (e->rows == 0)
			abort();
		for (size_t i = 0; i < e->rows * e->cols; i++)
			if (!isfinite(e->features[i]))
				abort();
		for (size_t r = 0; r < e->rows; r++)
			if (e->labels[r] < 0 || e->labels[r] >= e->classes)
				abort();
		weft_evalset_free(e);
	} else if (weft_diags_errors(d) == 0) {
		abort();
	}
	weft_diags_free(d);
	return 0;
}
