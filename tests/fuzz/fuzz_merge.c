/* fuzz_merge.c - libFuzzer target for weft bench merge: the input is up to
 * four JSON reports separated by form feeds ('\f'); any input must merge or
 * be refused with an error diagnostic, never crash, overflow a count or
 * hang. A merged result must hold together (errors within the queries,
 * every series' count its histogram's, every verdict tallied, percentiles
 * within the series' range) and render in every format. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weft_pipelines.h"

#define MAX_REPORTS 4

static void check(const weft_pipelines_result *r)
{
	if (r->errors > r->measured || r->dropped > r->errors || !r->n_series || !r->pipeline)
		abort();
	uint64_t checks = 1 + r->has_window;
	for (size_t i = 0; i < r->n_series; i++) {
		const weft_pipelines_series *s = &r->series[i];
		checks += s->n_checks;
		if (!s->name || s->exact || s->samples || weft_pipelines_hist_count(s->hist) != s->count ||
		    s->is_e2e != (i == r->n_series - 1) || s->n_checks > WEFT_PIPELINES_MAX_BUDGETS)
			abort();
		for (size_t p = 0; s->count && p < WEFT_PIPELINES_N_PCTL; p++) {
			double v = s->pctl[p].value_ms;
			/* read from the histogram: within a bucket (1/512) of the range */
			if (!(v >= s->min_ms * (1 - 1.0 / 256) - 1e-6 && v <= s->max_ms * (1 + 1.0 / 256) + 1e-6))
				abort();
		}
		for (size_t k = 0; k < s->n_error_kinds; k++)
			if (!s->error_kinds[k].error || !s->error_kinds[k].count)
				abort();
	}
	if (r->n_met + r->n_broken + r->n_inconclusive != checks)
		abort();
	for (size_t i = 0; i < r->n_notes; i++)
		if (!r->notes[i] || !*r->notes[i])
			abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	const char *texts[MAX_REPORTS], *names[MAX_REPORTS] = { "a.json", "b.json", "c.json", "d.json" };
	size_t n = 0;
	for (char *p = text; p && n < MAX_REPORTS;) {
		texts[n++] = p;
		if ((p = strchr(p, '\f')))
			*p++ = 0;
	}
	weft_diags *d;
	if (weft_diags_new(&d)) {
		free(text);
		return 0;
	}
	weft_pipelines_result *r = NULL;
	int err = weft_pipelines_result_merge_json(&r, names, texts, n, d);
	if (!err) {
		check(r);
		static const weft_pipelines_format formats[] = { WEFT_REPORT_TEXT, WEFT_REPORT_JSON,
								 WEFT_REPORT_MARKDOWN, WEFT_REPORT_HTML,
								 WEFT_REPORT_JUNIT };
		for (size_t f = 0; f < sizeof formats / sizeof *formats; f++) {
			weft_buf b = WEFT_BUF_INIT;
			weft_pipelines_report_opts o = { false, f % 2 == 1 };
			if (weft_pipelines_report(&b, r, formats[f], &o) || !b.ptr)
				abort();
			weft_buf_free(&b);
		}
		(void)weft_pipelines_result_gate(r, false);
		weft_pipelines_result_free(r);
	} else if (r || !weft_diags_errors(d)) {
		abort(); /* a refusal always says why, and leaves nothing */
	}
	weft_diags_free(d);
	free(text);
	return 0;
}
