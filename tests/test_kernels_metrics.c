/* test_kernels_metrics.c - ROC AUC, accuracy, evaluation sets and model
 * evaluation, against values counted by hand. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "weft_kernels.h"

#define FIX WEFT_FIXTURES "/kernels/"

static weft_diags *D;

static void setup(void)
{
	cr_assert(weft_diags_new(&D) == 0);
}

static void teardown(void)
{
	weft_diags_free(D);
}

TestSuite(metrics, .init = setup, .fini = teardown);

static const char *first(void)
{
	const weft_diag *g = weft_diags_get(D, 0);
	return g && g->message ? g->message : "";
}

Test(metrics, auc_by_counting_pairs)
{
	/* positives {0.35, 0.8} vs negatives {0.1, 0.4}: 0.35 beats 0.1, loses
	 * to 0.4; 0.8 beats both: 3 of 4 pairs */
	const double s[] = { 0.1, 0.4, 0.35, 0.8 };
	const int y[] = { 0, 0, 1, 1 };
	double auc;
	cr_assert_eq(weft_metrics_roc_auc(&auc, s, y, 4), 0);
	cr_assert(fabs(auc - 0.75) < 1e-12, "%g", auc);
}

Test(metrics, auc_ties_count_half)
{
	/* positives {0.5, 0.9} vs negatives {0.2, 0.5}: 1 + 0.5 + 1 + 1 = 3.5 of 4 */
	const double s[] = { 0.2, 0.5, 0.5, 0.9 };
	const int y[] = { 0, 0, 1, 1 };
	double auc;
	cr_assert_eq(weft_metrics_roc_auc(&auc, s, y, 4), 0);
	cr_assert(fabs(auc - 0.875) < 1e-12, "%g", auc);
	/* everything tied: exactly one half */
	const double t[] = { 3, 3, 3, 3, 3 };
	const int z[] = { 0, 1, 0, 1, 1 };
	cr_assert_eq(weft_metrics_roc_auc(&auc, t, z, 5), 0);
	cr_assert(fabs(auc - 0.5) < 1e-12, "%g", auc);
	/* three tied groups, unsorted input: pos {1, 2, 2, 3}, neg {1, 2, 3}
	 * pairs: 1: vs1 .5, vs2 0, vs3 0 = .5; 2: 1 + .5 = 1.5 (twice) = 3;
	 * 3: 1 + 1 + .5 = 2.5; total 6 of 12 */
	const double u[] = { 3, 1, 2, 2, 1, 3, 2 };
	const int w[] = { 1, 1, 1, 0, 0, 0, 1 };
	cr_assert_eq(weft_metrics_roc_auc(&auc, u, w, 7), 0);
	cr_assert(fabs(auc - 0.5) < 1e-12, "%g", auc);
}

Test(metrics, auc_extremes_and_errors)
{
	const double s[] = { 0.1, 0.2, 0.3, 0.4 };
	const int good[] = { 0, 0, 1, 1 }, bad[] = { 1, 1, 0, 0 };
	double auc;
	cr_assert_eq(weft_metrics_roc_auc(&auc, s, good, 4), 0);
	cr_assert_eq(auc, 1.0);
	cr_assert_eq(weft_metrics_roc_auc(&auc, s, bad, 4), 0);
	cr_assert_eq(auc, 0.0);
	const int one_class[] = { 1, 1, 1, 1 }, three[] = { 0, 1, 2, 1 };
	cr_assert_eq(weft_metrics_roc_auc(&auc, s, one_class, 4), WEFT_EINVALID);
	cr_assert(isnan(auc));
	cr_assert_eq(weft_metrics_roc_auc(&auc, s, three, 4), WEFT_EINVALID);
	const double n[] = { 0.1, NAN, 0.3, 0.4 };
	cr_assert_eq(weft_metrics_roc_auc(&auc, n, good, 4), WEFT_EINVALID);
	/* infinities are ordinary scores */
	const double inf[] = { -INFINITY, 0, INFINITY, INFINITY };
	cr_assert_eq(weft_metrics_roc_auc(&auc, inf, good, 4), 0);
	cr_assert_eq(auc, 1.0);
}

Test(metrics, accuracy)
{
	/* one output: threshold */
	const float p[] = { 0.2f, 0.7f, 0.5f, NAN };
	const int y[] = { 0, 0, 1, 1 };
	cr_assert_eq(weft_metrics_accuracy(p, 4, 1, y, 0.5f), 0.5, "0.2->0 right, 0.7->1 wrong, "
		     "0.5->1 right, NaN wrong");
	/* three outputs: argmax, the first of equal maxima */
	const float q[] = { 1, 5, 2, /**/ 3, 3, 0, /**/ 0, 0, 9, /**/ 1, NAN, 2 };
	const int z[] = { 1, 1, 2, 2 };
	cr_assert_eq(weft_metrics_accuracy(q, 4, 3, z, 0.5f), 0.5, "row 2 ties -> class 0; NaN wrong");
	cr_assert(isnan(weft_metrics_accuracy(q, 0, 3, z, 0.5f)));
}

Test(metrics, csv_evalset)
{
	weft_evalset *e = NULL;
	cr_assert_eq(weft_evalset_load(&e, FIX "eval/small.csv", D), 0, "%s", first());
	cr_assert_eq(e->rows, 3);
	cr_assert_eq(e->cols, 2);
	cr_assert_eq(e->classes, 2);
	cr_assert_str_eq(e->names[0], "f1");
	cr_assert_str_eq(e->names[1], "f2");
	const float f[] = { 1, 2, 3, -1, -2, 0.5f };
	for (int i = 0; i < 6; i++)
		cr_assert_eq(e->features[i], f[i]);
	cr_assert(e->labels[0] == 1 && e->labels[1] == 0 && e->labels[2] == 1);
	weft_evalset_free(e);

	cr_assert_eq(weft_evalset_load(&e, FIX "eval/crlf-quoted.csv", D), 0, "%s", first());
	cr_assert_eq(e->rows, 2, "blank line skipped");
	cr_assert_str_eq(e->names[0], "x1");
	cr_assert_str_eq(e->names[1], "x2");
	cr_assert(e->features[0] == 0.5f && e->features[1] == 0.1f && e->labels[1] == 1);
	weft_evalset_free(e);
}

static const struct {
	const char *file;
	int line, col;
	const char *message;
} bad_csv[] = {
	{ "no-label", 1, 1, "no column named 'label'" },
	{ "short-row", 3, 1, "1 fields; the header has 2" },
	{ "bad-number", 3, 3, "expected a finite number, got 'one'" },
	{ "bad-label", 3, 3, "label must be a class number" },
	{ "negative-label", 3, 3, "label must be a class number" },
	{ "nan-feature", 3, 1, "expected a finite number, got 'nan'" },
	{ "two-labels", 1, 9, "a second 'label' column" },
	{ "header-only", 0, 0, "a header but no rows" },
	{ "empty", 0, 0, "no header line" },
	{ "stray-quote", 2, 3, "unexpected '\"' inside a field" },
};

Test(metrics, csv_errors_with_positions)
{
	for (size_t i = 0; i < sizeof bad_csv / sizeof bad_csv[0]; i++) {
		char path[512];
		snprintf(path, sizeof path, FIX "eval/%s.csv", bad_csv[i].file);
		weft_diags_clear(D);
		weft_evalset *e = NULL;
		cr_assert_eq(weft_evalset_load(&e, path, D), WEFT_EINVALID, "%s", bad_csv[i].file);
		cr_assert_null(e);
		const weft_diag *g = weft_diags_get(D, 0);
		cr_assert(strstr(g->message, bad_csv[i].message), "%s: '%s'", bad_csv[i].file,
			  g->message);
		cr_assert(g->line == bad_csv[i].line && g->col == bad_csv[i].col, "%s: at %d:%d",
			  bad_csv[i].file, g->line, g->col);
	}
}

static char *temp_path(const char *suffix)
{
	static char buf[256];
	snprintf(buf, sizeof buf, "/tmp/weft-test-metrics-%d%s", (int)getpid(), suffix);
	return buf;
}

Test(metrics, safetensors_evalset)
{
	weft_safetensors_writer *w = NULL;
	cr_assert_eq(weft_safetensors_writer_new(&w), 0);
	const float x[] = { 1, 2, 3, -1, -2, 0.5f }, y[] = { 1, 0, 1 };
	uint64_t sx[] = { 3, 2 }, sy[] = { 3 };
	cr_assert_eq(weft_safetensors_writer_add(w, "features", WEFT_DTYPE_F32, 2, sx, x), 0);
	cr_assert_eq(weft_safetensors_writer_add(w, "labels", WEFT_DTYPE_F32, 1, sy, y), 0);
	char *path = temp_path(".safetensors");
	unlink(path);
	cr_assert_eq(weft_safetensors_writer_save(w, path, 0, D), 0, "%s", first());
	weft_safetensors_writer_free(w);
	weft_evalset *e = NULL;
	cr_assert_eq(weft_evalset_load(&e, path, D), 0, "%s", first());
	cr_assert(e->rows == 3 && e->cols == 2 && e->labels[2] == 1 && e->features[5] == 0.5f);
	weft_evalset_free(e);
	unlink(path);

	/* a file without 'labels' */
	cr_assert_eq(weft_evalset_load(&e, FIX "valid/tiny.safetensors", D), WEFT_EINVALID);
	cr_assert(strstr(first(), "needs tensors 'features'"), "%s", first());
}

Test(metrics, evaluate_tiny_model_by_hand)
{
	/* tiny.safetensors on eval/small.csv (see test_kernels_model.c):
	 *   (1, 2)    -> sigmoid(5.5)  = 0.99593, label 1: right
	 *   (3, -1)   -> sigmoid(11.5) = 0.99999, label 0: wrong
	 *   (-2, 0.5) -> [-2.5, 0.25, -9] relu -> 0.25 * 2 + 0.5 = 1.0,
	 *                sigmoid(1) = 0.73106, label 1: right
	 * accuracy 2/3; AUC: the only negative outscores both positives: 0 */
	weft_model_opts o;
	weft_model_opts_init(&o);
	o.device = WEFT_DEVICE_CPU;
	o.max_batch = 2; /* two chunks: 2 rows, then 1 */
	weft_model *m = NULL;
	cr_assert_eq(weft_model_load(&m, FIX "valid/tiny.safetensors", &o, D), 0);
	weft_evalset *e = NULL;
	cr_assert_eq(weft_evalset_load(&e, FIX "eval/small.csv", D), 0);
	weft_model_eval r;
	cr_assert_eq(weft_model_evaluate(&r, m, e, D), 0, "%s", first());
	cr_assert_eq(r.rows, 3);
	cr_assert(fabs(r.accuracy - 2.0 / 3.0) < 1e-12, "%g", r.accuracy);
	cr_assert(r.has_auc);
	cr_assert_eq(r.auc, 0.0);

	/* with the sigmoid overridden away, the output is a logit: threshold 0
	 * gives the same predictions here (5.5, 11.5, 1.0 all > 0) */
	weft_model_free(m);
	o.activations = "relu,none";
	cr_assert_eq(weft_model_load(&m, FIX "valid/tiny.safetensors", &o, D), 0);
	cr_assert_eq(weft_model_evaluate(&r, m, e, D), 0);
	cr_assert(fabs(r.accuracy - 2.0 / 3.0) < 1e-12, "%g", r.accuracy);
	weft_model_free(m);
	weft_evalset_free(e);
}

Test(metrics, evaluate_refuses_mismatch)
{
	weft_model_opts o;
	weft_model_opts_init(&o);
	o.device = WEFT_DEVICE_CPU;
	weft_model *m = NULL;
	cr_assert_eq(weft_model_load(&m, FIX "valid/tiny.safetensors", &o, D), 0);
	weft_evalset e = { 0 };
	float f[3] = { 0 };
	int lab[1] = { 0 };
	e.rows = 1, e.cols = 3, e.features = f, e.labels = lab, e.classes = 1;
	weft_model_eval r;
	cr_assert_eq(weft_model_evaluate(&r, m, &e, D), WEFT_EINVALID);
	cr_assert(strstr(first(), "3 features per row but the model takes 2"), "%s", first());
	weft_diags_clear(D);
	int two[1] = { 2 };
	e.cols = 2, e.labels = two, e.classes = 3;
	cr_assert_eq(weft_model_evaluate(&r, m, &e, D), WEFT_EINVALID);
	cr_assert(strstr(first(), "label 2 but the model has 1 output"), "%s", first());
	weft_model_free(m);
}
