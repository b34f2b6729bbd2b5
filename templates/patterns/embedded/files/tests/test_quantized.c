/* test_quantized.c - accuracy of the int8 build against float32.
 *
 * Linked with the int8 variant of the library (always built, whatever
 * QUANTIZE ships) and with the shared runtime, which runs the same model
 * file in float32 as the reference. Over every row of models/sample.csv the
 * largest absolute difference of the scores must stay within
 * INT8_MAX_ABS_ERR (set in CMakeLists.txt and stated in the README), and
 * the decision at the 0.5 threshold must change on no row.
 */
#include "{{project_name}}.h"
#include "csv.h"
#include "model.h"

#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>

Test(quantized, int8_scores_stay_within_the_bound_of_float32)
{
	static sample s;
	cr_assert_eq(sample_read(&s, MODELS_DIR "/sample.csv"), 0);
	cr_assert_eq({{project_name}}_quantized(), 1);
	char err[256];
	model *m = NULL;
	cr_assert_eq(model_load(&m, MODELS_DIR "/model.safetensors", err, sizeof err), 0, "%s", err);
	cr_assert_eq(model_inputs(m), (size_t){{project_upper}}_INPUTS);

	double max = 0.0, sum = 0.0;
	int flips = 0;
	for (int r = 0; r < s.rows; r++) {
		float ref[{{project_upper}}_OUTPUTS], q[{{project_upper}}_OUTPUTS];
		cr_assert_eq(model_predict(m, s.x[r], ref), 0);
		cr_assert_eq({{project_name}}_predict(s.x[r], q), 0);
		for (int j = 0; j < {{project_upper}}_OUTPUTS; j++) {
			double d = fabs((double)q[j] - (double)ref[j]);
			sum += d;
			if (d > max)
				max = d;
		}
		flips += (ref[0] >= 0.5f) != (q[0] >= 0.5f);
	}
	double mean = sum / (s.rows * {{project_upper}}_OUTPUTS);
	printf("int8 vs float32 on %d sample rows: max |diff| %.6f, mean |diff| %.6f, decisions changed %d "
	       "(bound %.4f)\n",
	       s.rows, max, mean, flips, (double)INT8_MAX_ABS_ERR);
	cr_expect_leq(max, INT8_MAX_ABS_ERR, "max |diff| %.6f over the bound %.4f", max, (double)INT8_MAX_ABS_ERR);
	cr_expect_gt(max, 0.0, "int8 gave float32's exact outputs: is the int8 path running?");
	cr_expect_eq(flips, 0);
	model_free(m);
}

Test(quantized, int8_weights_take_about_a_quarter_of_float32)
{
	/* float32 bytes: 4 per number, read from the runtime's view of the file */
	char err[256];
	model *m = NULL;
	cr_assert_eq(model_load(&m, MODELS_DIR "/model.safetensors", err, sizeof err), 0, "%s", err);
	size_t f32 = 0;
	for (size_t l = 0; l < model_layer_count(m); l++) {
		size_t in, out;
		model_activation act;
		const float *w, *b;
		cr_assert_eq(model_layer(m, l, &in, &out, &act, &w, &b), 0);
		f32 += 4 * (in * out + out);
	}
	model_free(m);
	cr_assert_lt({{project_name}}_weight_bytes(), f32 / 2);
}
