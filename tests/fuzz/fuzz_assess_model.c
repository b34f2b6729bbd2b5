/* fuzz_assess_model.c - libFuzzer target for maturity models: any input
 * must load or fail with diagnostics, never crash, leak or hang. A model
 * that loads goes through everything that reads a model: the blank answers
 * file `init` writes (which must read back as a valid answers file for the
 * same model: a model's text must never leak out of the YAML comments),
 * scoring with no answers, the four reports and the diff, and answers for
 * every earlier version it migrates from, which must carry over. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weft_assess.h"

static void reports(const weft_assess_result *r)
{
	weft_assess_report_opts o = { true, 3, "fuzz", "2026-01-01T00:00:00Z", NULL };
	int (*fns[])(weft_buf *, const weft_assess_result *, const weft_assess_report_opts *) = {
		weft_assess_report_text, weft_assess_report_json, weft_assess_report_markdown,
		weft_assess_report_html,
	};
	for (size_t i = 0; i < sizeof fns / sizeof *fns; i++) {
		weft_buf b = WEFT_BUF_INIT;
		fns[i](&b, r, &o);
		weft_buf_free(&b);
	}
	weft_buf b = WEFT_BUF_INIT;
	weft_assess_diff_opts dopt = { true, 0, "fuzz", NULL };
	weft_assess_diff_text(&b, r, r, &dopt);
	weft_buf_free(&b);
	weft_assess_diff_json(&b, r, r, &dopt);
	weft_buf_free(&b);
	weft_assess_diff_markdown(&b, r, r, NULL);
	weft_buf_free(&b);
}

/* Answers for each earlier version the model migrates from, one answer per
 * question the migration names: they must migrate to the model's version,
 * and the result must score whenever it passes the check. */
static void migrations(const weft_assess_model *m, weft_diags *d)
{
	for (size_t i = 0; i < m->n_migrations; i++) {
		const weft_assess_migration *g = &m->migrations[i];
		weft_assess_answers *a = NULL;
		if (weft_assess_answers_new(&a, m, "U", NULL, NULL))
			return;
		char *v = strdup(g->from);
		if (!v) {
			weft_assess_answers_free(a);
			return;
		}
		free(a->model_version);
		a->model_version = v;
		for (size_t k = 0; k < g->n_questions; k++) {
			if (k % 4 == 3)
				weft_assess_answers_set(a, g->questions[k].from, WEFT_ASSESS_NA, 0, "gone", NULL,
							NULL);
			else
				weft_assess_answers_set(a, g->questions[k].from, WEFT_ASSESS_ANSWERED,
							1 + (int)(k % 5), NULL, NULL, NULL);
		}
		weft_assess_answers *mig = NULL;
		if (weft_assess_answers_migrate(&mig, a, m, d) != 0 || strcmp(mig->model_version, m->version) ||
		    !mig->migrated_from || strcmp(mig->migrated_from, g->from))
			abort(); /* a declared migration must carry its version over */
		for (size_t k = 0; k < mig->n_answers; k++)
			if (mig->answers[k].status == WEFT_ASSESS_ANSWERED &&
			    (mig->answers[k].level < 1 || mig->answers[k].level > WEFT_ASSESS_LEVELS))
				abort();
		weft_diags_clear(d);
		if (weft_assess_answers_check(mig, m, false, d) == 0) {
			weft_assess_result *r = NULL;
			const weft_assess_answers *one[1] = { a };
			if (weft_assess_score(&r, m, one, 1, NULL, d) != 0)
				abort(); /* scoring migrates the same way */
			weft_assess_result_free(r);
		}
		weft_assess_answers_free(mig);
		weft_assess_answers_free(a);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	weft_diags *d;
	if (weft_diags_new(&d))
		return 0;
	weft_assess_model *m = NULL;
	if (weft_assess_model_load_buffer(&m, "fuzz.yaml", (const char *)data, size, d) == 0) {
		weft_assess_answers *a = NULL;
		if (weft_assess_answers_new(&a, m, "Unit \"x\"", "R: #1", "2026-01-01") == 0) {
			if (m->n_questions)
				weft_assess_answers_set(a, m->questions[0]->id, WEFT_ASSESS_ANSWERED, 2, NULL, NULL,
							"note\n# not a comment");
			weft_buf b = WEFT_BUF_INIT;
			if (weft_assess_answers_render(&b, a, m) == 0) {
				weft_diags_clear(d);
				weft_assess_answers *back = NULL;
				if (weft_assess_answers_load_buffer(&back, "init.yaml", b.ptr, b.len, d) != 0 ||
				    weft_assess_answers_check(back, m, false, d) != 0 ||
				    back->n_answers != m->n_questions)
					abort(); /* init wrote a file that does not read back */
				weft_assess_result *r = NULL;
				if (weft_assess_score(&r, m, (const weft_assess_answers *const *)&back, 1, NULL, d) != 0)
					abort();
				reports(r);
				weft_assess_result_free(r);
				weft_assess_answers_free(back);
			}
			weft_buf_free(&b);
			weft_assess_answers_free(a);
		}
		migrations(m, d);
		weft_assess_result *r = NULL;
		if (weft_assess_score(&r, m, NULL, 0, NULL, d) == 0)
			reports(r);
		weft_assess_result_free(r);
		weft_assess_model_free(m);
	}
	weft_diags_free(d);
	return 0;
}
