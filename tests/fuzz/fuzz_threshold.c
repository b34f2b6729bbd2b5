/* fuzz_threshold.c - libFuzzer target for the `weft bench threshold` CSV
 * reader and the analysis behind it: any bytes are refused with a
 * positioned diagnostic, or give cases whose analysis has one point per
 * distinct confidence, every rate in [0, 1] and every bound at or above
 * its error rate. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>

#include "weft_pipelines.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	weft_diags *d = NULL;
	if (weft_diags_new(&d))
		return 0;
	weft_pipelines_threshold_data *t = NULL;
	if (weft_pipelines_threshold_data_parse(&t, "fuzz.csv", (const char *)data, size, d) == 0) {
		weft_pipelines_threshold_result *r = NULL;
		if (weft_pipelines_threshold_data_rows(t) == 0 || weft_pipelines_threshold_analyse(&r, t, NULL, d))
			abort();
		for (size_t i = 0; i < r->n_points; i++) {
			const weft_pipelines_threshold_point *p = &r->points[i];
			if (!(p->automation_rate > 0 && p->automation_rate <= 1) || !(p->error_rate >= 0) ||
			    !(p->error_upper >= p->error_rate && p->error_upper <= 1) ||
			    (i && !(p->threshold > r->points[i - 1].threshold)))
				abort();
		}
		weft_buf b = WEFT_BUF_INIT;
		if (weft_pipelines_threshold_report(&b, r, WEFT_REPORT_JSON))
			abort();
		weft_buf_free(&b);
		weft_pipelines_threshold_result_free(r);
		weft_pipelines_threshold_data_free(t);
	} else if (weft_diags_errors(d) == 0) {
		abort();
	}
	weft_diags_free(d);
	return 0;
}
