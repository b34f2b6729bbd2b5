/* fuzz_assess_answers.c - libFuzzer target for answers and weights files
 * against a fixed small model: any input must load or fail with
 * diagnostics. Answers that pass the checks are scored alone (and refused
 * when rolled up with themselves), reported in every format, and written back in the init
 * layout, which must read back to the same answers (the interview relies
 * on that round trip). The same bytes are also tried as a weights file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weft_assess.h"

static const char model_text[] =
	"id: fz\nversion: \"1\"\ntitle: Fuzz\nlevels:\n"
	"  - {level: 1, name: a, description: d}\n  - {level: 2, name: b, description: d}\n"
	"  - {level: 3, name: c, description: d}\n  - {level: 4, name: d, description: d}\n"
	"  - {level: 5, name: e, description: d}\n"
	"dimensions:\n"
	"  - id: d1\n    title: D1\n    weight: 2\n    questions:\n"
	"      - id: q1\n        text: Q1\n        allow_na: true\n        options: &o\n"
	"          - {level: 1, text: o1, improve: i1}\n          - {level: 2, text: o2, improve: i2}\n"
	"          - {level: 3, text: o3, improve: i3}\n          - {level: 4, text: o4, improve: i4}\n"
	"          - {level: 5, text: o5}\n"
	"      - {id: q2, text: Q2, critical: true, weight: 3, options: *o}\n"
	"  - id: d2\n    title: D2\n    questions:\n"
	"      - {id: q3, text: Q3, allow_na: true, options: *o}\n"
	"      - {id: q.4, text: Q4, options: *o}\n";

static bool same_str(const char *a, const char *b)
{
	return (!a && !b) || (a && b && !strcmp(a, b));
}

static void check_round_trip(const weft_assess_answers *a, const weft_assess_model *m, weft_diags *d)
{
	weft_buf b = WEFT_BUF_INIT;
	if (weft_assess_answers_render(&b, a, m) != 0) {
		weft_buf_free(&b);
		return;
	}
	weft_assess_answers *back = NULL;
	if (weft_assess_answers_load_buffer(&back, "back.yaml", b.ptr, b.len, d) != 0 ||
	    weft_assess_answers_check(back, m, false, d) != 0)
		abort(); /* the written file does not read back */
	if (!same_str(a->unit, back->unit) || !same_str(a->respondent, back->respondent) ||
	    !same_str(a->date, back->date))
		abort();
	for (size_t i = 0; i < a->n_answers; i++) {
		const weft_assess_answer *x = &a->answers[i];
		const weft_assess_answer *y = weft_assess_answers_find(back, x->question);
		if (!y || x->status != y->status || x->level != y->level ||
		    (x->status == WEFT_ASSESS_NA && !same_str(x->reason, y->reason)) ||
		    !same_str(x->note, y->note) || x->n_evidence != y->n_evidence)
			abort();
		for (size_t k = 0; k < x->n_evidence; k++)
			if (strcmp(x->evidence[k], y->evidence[k]))
				abort();
	}
	weft_assess_answers_free(back);
	weft_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static weft_assess_model *m;
	weft_diags *d;
	if (weft_diags_new(&d))
		return 0;
	if (!m && weft_assess_model_load_buffer(&m, "model.yaml", model_text, sizeof model_text - 1, d))
		abort();
	weft_assess_weights *w = NULL;
	weft_assess_weights_load_buffer(&w, "w.yaml", (const char *)data, size, m, d);
	weft_assess_answers *a = NULL;
	if (weft_assess_answers_load_buffer(&a, "a.yaml", (const char *)data, size, d) == 0 &&
	    weft_assess_answers_check(a, m, true, d) == 0) {
		check_round_trip(a, m, d);
		const weft_assess_answers *two[2] = { a, a };
		for (size_t n = 1; n <= 2; n++) {
			for (int t = 0; t <= 5; t += 5) {
				weft_assess_result *r = NULL;
				weft_assess_score_opts o = { t, w, 0, 0 };
				int err = weft_assess_score(&r, m, two, n, &o, d);
				if (n == 2) {
					if (err != WEFT_EINVALID || r)
						abort(); /* the same file twice must be refused */
					continue;
				}
				if (err != 0)
					abort(); /* checked answers must score */
				weft_assess_report_opts ro = { t == 5, 0, NULL, NULL, NULL };
				weft_buf b = WEFT_BUF_INIT;
				weft_assess_report_text(&b, r, &ro);
				weft_assess_report_json(&b, r, &ro);
				weft_assess_report_markdown(&b, r, &ro);
				weft_assess_report_html(&b, r, &ro);
				weft_assess_diff_opts dopt = { false, t, NULL, NULL };
				weft_assess_diff_text(&b, r, r, &dopt);
				weft_assess_diff_json(&b, r, r, &dopt);
				weft_assess_diff_markdown(&b, r, r, &dopt);
				weft_buf_free(&b);
				weft_assess_result_free(r);
			}
		}
	}
	weft_assess_answers_free(a);
	weft_assess_weights_free(w);
	weft_diags_free(d);
	return 0;
}
