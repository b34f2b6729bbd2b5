/* test_kernels_model.c - loading dense networks and the CPU forward pass,
 * against values worked out by hand.
 *
 * The tiny fixture network (make-fixtures.py):
 *   layer 0: W0 = [[1, -1], [0.5, 0.5], [2, 0]], b0 = [0, 1, -5], relu
 *   layer 1: W1 = [[1, 2, 3]], b1 = [0.5], sigmoid
 * For x = [1, 2]: W0 x + b0 = [-1, 2.5, -3], relu -> [0, 2.5, 0];
 * W1 h + b1 = 5.5; sigmoid(5.5) = 1 / (1 + e^-5.5) = 0.9959298622841.
 * For x = [3, -1]: [4, 2, 1] -> relu same; 4 + 4 + 3 + 0.5 = 11.5;
 * sigmoid(11.5) = 0.9999898700090. */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "kernels_int.h"

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

TestSuite(model, .init = setup, .fini = teardown);

static const char *all_messages(void)
{
	static char buf[4096];
	buf[0] = '\0';
	for (size_t i = 0; i < weft_diags_count(D); i++) {
		const weft_diag *g = weft_diags_get(D, i);
		strncat(buf, g->message ? g->message : "", sizeof buf - strlen(buf) - 2);
		strncat(buf, "\n", sizeof buf - strlen(buf) - 1);
	}
	return buf;
}

static weft_model_opts cpu_opts(void)
{
	weft_model_opts o;
	weft_model_opts_init(&o);
	o.device = WEFT_DEVICE_CPU;
	return o;
}

static void check_tiny(const char *file)
{
	weft_model_opts o = cpu_opts();
	o.max_batch = 4;
	weft_model *m = NULL;
	cr_assert_eq(weft_model_load(&m, file, &o, D), 0, "%s: %s", file, all_messages());
	cr_assert_eq(weft_model_inputs(m), 2);
	cr_assert_eq(weft_model_outputs(m), 1);
	cr_assert_eq(weft_model_layers(m), 2);
	cr_assert_eq(weft_model_params(m), 3 * 2 + 3 + 1 * 3 + 1);
	cr_assert_eq(weft_model_on_gpu(m), false);
	cr_assert_eq(weft_model_precision(m), WEFT_PREC_FP32);
	weft_layer_info li;
	cr_assert_eq(weft_model_layer(&li, m, 1), 0);
	cr_assert(li.in == 3 && li.out == 1 && li.act == WEFT_ACT_SIGMOID);
	cr_assert_eq(weft_model_layer(&li, m, 2), WEFT_EINVALID);

	const float in[] = { 1, 2, 3, -1 };
	float out[2] = { NAN, NAN };
	weft_model_timing t;
	cr_assert_eq(weft_model_forward(m, out, in, 2, &t, D), 0);
	cr_assert(fabs(out[0] - 0.9959298622841) < 1e-6, "%s: %.9f", file, out[0]);
	cr_assert(fabs(out[1] - 0.9999898700090) < 1e-6, "%s: %.9f", file, out[1]);
	cr_assert(t.host_ms >= 0 && t.h2d_ms == 0 && t.compute_ms == 0 && t.d2h_ms == 0);
	weft_model_free(m);
}

Test(model, tiny_by_hand_all_dtypes)
{
	check_tiny(FIX "valid/tiny.safetensors");
	check_tiny(FIX "valid/tiny-f16.safetensors");
	check_tiny(FIX "valid/tiny-bf16.safetensors");
}

Test(model, bytes_is_file_size)
{
	weft_model_opts o = cpu_opts();
	weft_model *m = NULL;
	cr_assert_eq(weft_model_load(&m, FIX "valid/tiny.safetensors", &o, D), 0);
	FILE *fp = fopen(FIX "valid/tiny.safetensors", "rb");
	fseek(fp, 0, SEEK_END);
	long size = ftell(fp);
	fclose(fp);
	cr_assert_eq(weft_model_bytes(m), (size_t)size);
	weft_model_free(m);
}

Test(model, sequential_indices_and_empty_prefix)
{
	weft_model_opts o = cpu_opts();
	weft_model *m = NULL;
	cr_assert_eq(weft_model_load(&m, FIX "valid/sequential.safetensors", &o, D), 0, "%s",
		     all_messages());
	cr_assert_str_eq(weft_model_prefix(m), "");
	weft_layer_info li;
	weft_model_layer(&li, m, 1);
	cr_assert_eq(li.index, 2);
	const float in[] = { 1, 2 };
	float out = NAN;
	cr_assert_eq(weft_model_forward(m, &out, in, 1, NULL, D), 0);
	cr_assert(fabs(out - 0.9959298622841) < 1e-6, "%.9f", out);
	weft_model_free(m);
}

Test(model, activations_override_and_softmax)
{
	/* override: none everywhere, then a softmax over the single output is 1 */
	weft_model_opts o = cpu_opts();
	o.activations = "relu, none";
	weft_model *m = NULL;
	cr_assert_eq(weft_model_load(&m, FIX "valid/tiny.safetensors", &o, D), 0, "%s", all_messages());
	const float in[] = { 1, 2 };
	float out = NAN;
	cr_assert_eq(weft_model_forward(m, &out, in, 1, NULL, D), 0);
	cr_assert(fabs(out - 5.5) < 1e-6, "logit %.9f", out);
	weft_model_free(m);

	o.softmax = true;
	cr_assert_eq(weft_model_load(&m, FIX "valid/tiny.safetensors", &o, D), 0);
	cr_assert(weft_model_softmax(m));
	cr_assert_eq(weft_model_forward(m, &out, in, 1, NULL, D), 0);
	cr_assert(fabs(out - 1.0) < 1e-7, "%.9f", out);
	weft_model_free(m);

	/* without the first relu: [-1, 2.5, -3] . [1, 2, 3] + 0.5 = -4.5 */
	o.activations = "none,none";
	o.softmax = false;
	cr_assert_eq(weft_model_load(&m, FIX "valid/tiny.safetensors", &o, D), 0);
	cr_assert_eq(weft_model_forward(m, &out, in, 1, NULL, D), 0);
	cr_assert(fabs(out + 4.5) < 1e-6, "%.9f", out);
	weft_model_free(m);
}

Test(model, default_activations_warn)
{
	/* two-prefixes aside, network/ files without weft.activations: relu then none */
	weft_model_opts o = cpu_opts();
	o.prefix = "enc";
	weft_model *m = NULL;
	cr_assert_eq(weft_model_load(&m, FIX "network/two-prefixes.safetensors", &o, D), 0, "%s",
		     all_messages());
	cr_assert(strstr(all_messages(), "no activations given; assuming relu"), "%s", all_messages());
	cr_assert(strstr(all_messages(), "tensor 'dec.0.weight' is not part of the network; ignored"),
		  "%s", all_messages());
	weft_layer_info li;
	weft_model_layer(&li, m, 0);
	cr_assert_eq(li.act, WEFT_ACT_NONE, "a single layer is the last: none");
	cr_assert_eq(weft_diags_errors(D), 0);
	weft_model_free(m);
}

static const struct {
	const char *file, *message;
} bad_networks[] = {
	{ "layers-inconsistent", "layer 1 takes 5 inputs but layer 0 gives 4 outputs" },
	{ "missing-bias", "layer 1 has no bias 'net.1.bias'" },
	{ "missing-weight", "layer 0 has a bias but no weight 'net.0.weight'" },
	{ "bias-wrong-shape", "bias 'net.0.bias' has shape [3]; expected [4]" },
	{ "weight-1d", "weight 'net.0.weight' has shape [12]; expected [out, in]" },
	{ "weight-zero-dim", "has shape [0, 3]; each dimension must be 1 to" },
	{ "int-weights", "dtype I32 is not a model dtype" },
	{ "activations-count", "1 activations for 2 layers" },
	{ "activation-unknown", "unknown activation 'swish'" },
	{ "softmax-bad", "weft.softmax is 'yes'" },
	{ "no-layers", "no dense layers" },
	{ "two-prefixes", "layers under more than one prefix" },
	{ "extra-under-prefix", "tensor 'net.0.running_mean' under prefix 'net' is neither" },
	{ "duplicate-layer-index", "layer 1 has two weight tensors" },
};

Test(model, bad_networks_refused)
{
	for (size_t i = 0; i < sizeof bad_networks / sizeof bad_networks[0]; i++) {
		char path[512];
		snprintf(path, sizeof path, FIX "network/%s.safetensors", bad_networks[i].file);
		weft_diags_clear(D);
		weft_model_opts o = cpu_opts();
		weft_model *m = NULL;
		int err = weft_model_load(&m, path, &o, D);
		cr_assert_eq(err, WEFT_EINVALID, "%s: %d", bad_networks[i].file, err);
		cr_assert_null(m);
		cr_assert_eq(weft_diags_errors(D), 1, "%s: %s", bad_networks[i].file, all_messages());
		cr_assert(strstr(all_messages(), bad_networks[i].message), "%s: '%s' lacks '%s'",
			  bad_networks[i].file, all_messages(), bad_networks[i].message);
	}
}

Test(model, malformed_files_refused_by_model_load)
{
	weft_model_opts o = cpu_opts();
	weft_model *m = NULL;
	cr_assert_eq(weft_model_load(&m, FIX "malformed/overlap.safetensors", &o, D), WEFT_EINVALID);
	cr_assert_eq(weft_model_load(&m, FIX "nothing-here.safetensors", &o, D), WEFT_EENV);
	cr_assert_null(m);
}

Test(model, batch_limits)
{
	weft_model_opts o = cpu_opts();
	o.max_batch = 2;
	weft_model *m = NULL;
	cr_assert_eq(weft_model_load(&m, FIX "valid/tiny.safetensors", &o, D), 0);
	cr_assert_eq(weft_model_max_batch(m), 2);
	float in[6] = { 0 }, out[3];
	cr_assert_eq(weft_model_forward(m, out, in, 3, NULL, D), WEFT_EINVALID);
	cr_assert(strstr(all_messages(), "batch of 3 rows exceeds max_batch 2"), "%s", all_messages());
	cr_assert_eq(weft_model_forward(m, out, in, 0, NULL, D), 0, "an empty batch is nothing to do");
	weft_model_free(m);

	o.max_batch = 0; /* the default */
	cr_assert_eq(weft_model_load(&m, FIX "valid/tiny.safetensors", &o, D), 0);
	cr_assert_eq(weft_model_max_batch(m), 64);
	weft_model_free(m);
}

Test(model, device_selection_without_gpu)
{
	weft_kernels_info info;
	weft_kernels_probe(&info);
	if (info.device_found)
		cr_skip_test("a GPU is present; covered by test_kernels_gpu");
	weft_model_opts o;
	weft_model_opts_init(&o);
	o.device = WEFT_DEVICE_GPU;
	weft_model *m = NULL;
	cr_assert_eq(weft_model_load(&m, FIX "valid/tiny.safetensors", &o, D), WEFT_EENV);
	cr_assert(strstr(all_messages(), "device gpu requested but"), "%s", all_messages());
	cr_assert_null(m);

	weft_diags_clear(D);
	o.device = WEFT_DEVICE_AUTO;
	o.precision = WEFT_PREC_FP16;
	cr_assert_eq(weft_model_load(&m, FIX "valid/tiny.safetensors", &o, D), 0);
	cr_assert_not(weft_model_on_gpu(m));
	cr_assert_eq(weft_model_precision(m), WEFT_PREC_FP32);
	cr_assert(strstr(all_messages(), "the model runs on the CPU"), "%s", all_messages());
	cr_assert(strstr(all_messages(), "precision fp16 applies on the GPU only"), "%s",
		  all_messages());
	cr_assert_eq(weft_diags_errors(D), 0);
	weft_model_free(m);
}

Test(model, opts_init_defaults)
{
	weft_model_opts o;
	memset(&o, 0x5a, sizeof o);
	weft_model_opts_init(&o);
	cr_assert(o.device == WEFT_DEVICE_AUTO && o.precision == WEFT_PREC_FP32 && o.max_batch == 64 &&
		  !o.prefix && !o.activations && !o.softmax && o.use_graph);
	weft_model *m = NULL;
	cr_assert_eq(weft_model_load(&m, FIX "valid/tiny.safetensors", NULL, D), 0,
		     "opts NULL means defaults");
	cr_assert_eq(weft_model_max_batch(m), 64);
	weft_model_free(m);
}

Test(model, names)
{
	weft_device dv;
	weft_precision p;
	weft_activation a;
	cr_assert(weft_device_parse(&dv, "gpu") == 0 && dv == WEFT_DEVICE_GPU);
	cr_assert(weft_precision_parse(&p, "bf16") == 0 && p == WEFT_PREC_BF16);
	cr_assert(weft_activation_parse(&a, "gelu") == 0 && a == WEFT_ACT_GELU);
	cr_assert_eq(weft_activation_parse(&a, "GELU"), WEFT_EINVALID);
	cr_assert_eq(weft_precision_parse(&p, "fp8"), WEFT_EINVALID);
	cr_assert_str_eq(weft_activation_name(WEFT_ACT_SIGMOID), "sigmoid");
	cr_assert_str_eq(weft_precision_name(WEFT_PREC_TF32), "tf32");
	cr_assert_str_eq(weft_device_name(WEFT_DEVICE_CPU), "cpu");
}

/* ---- the reference kernels, against hand-computed values ---------------------- */

Test(reference, activations)
{
	cr_assert_eq(weft_ref_act(-2.0f, WEFT_ACT_RELU), 0.0f);
	cr_assert_eq(weft_ref_act(3.0f, WEFT_ACT_RELU), 3.0f);
	cr_assert_eq(weft_ref_act(-7.0f, WEFT_ACT_NONE), -7.0f);
	/* tanh-approximate gelu(1) = 0.5 (1 + tanh(0.7978845608 * 1.044715)) */
	cr_assert(fabsf(weft_ref_act(1.0f, WEFT_ACT_GELU) - 0.8411920f) < 2e-7f, "%.8f",
		  weft_ref_act(1.0f, WEFT_ACT_GELU));
	cr_assert(fabsf(weft_ref_act(-1.0f, WEFT_ACT_GELU) + 0.1588080f) < 2e-7f);
	cr_assert(fabsf(weft_ref_act(0.5f, WEFT_ACT_TANH) - 0.46211716f) < 1e-7f);
	cr_assert(fabsf(weft_ref_act(0.0f, WEFT_ACT_SIGMOID) - 0.5f) < 1e-7f);
	cr_assert(fabsf(weft_ref_act(2.0f, WEFT_ACT_SIGMOID) - 0.88079708f) < 1e-7f);
	cr_assert(fabsf(weft_ref_act(-2.0f, WEFT_ACT_SIGMOID) - 0.11920292f) < 1e-7f);
	/* stable at the extremes: no NaN, no overflow */
	cr_assert_eq(weft_ref_act(-1000.0f, WEFT_ACT_SIGMOID), 0.0f);
	cr_assert_eq(weft_ref_act(1000.0f, WEFT_ACT_SIGMOID), 1.0f);
}

Test(reference, softmax_and_bias)
{
	float y[6] = { 1, 2, 3, 1000, 1000, 1000 };
	weft_ref_softmax_rows(y, 2, 3);
	cr_assert(fabsf(y[0] - 0.09003057f) < 1e-7f && fabsf(y[1] - 0.24472847f) < 1e-7f &&
		  fabsf(y[2] - 0.66524096f) < 1e-7f, "%g %g %g", y[0], y[1], y[2]);
	for (int i = 3; i < 6; i++)
		cr_assert(fabsf(y[i] - 1.0f / 3.0f) < 1e-7f, "large logits: %g", y[i]);

	float z[4] = { 1, -2, 3, -4 };
	const float b[2] = { 1, 1 };
	weft_ref_bias_act(z, b, 2, 2, WEFT_ACT_RELU);
	cr_assert(z[0] == 2 && z[1] == 0 && z[2] == 4 && z[3] == 0);
	weft_ref_bias_act(z, NULL, 2, 2, WEFT_ACT_NONE);
	cr_assert(z[0] == 2 && z[2] == 4);
}

Test(reference, linear_is_x_w_transposed)
{
	/* x [2 x 3], w [2 x 3] (out x in): y = x w^T */
	const float x[] = { 1, 2, 3, 4, 5, 6 };
	const float w[] = { 1, 0, -1, 2, 1, 0 };
	float y[4];
	weft_ref_linear(y, x, w, 2, 3, 2);
	cr_assert(y[0] == -2 && y[1] == 4 && y[2] == -2 && y[3] == 13, "%g %g %g %g", y[0], y[1],
		  y[2], y[3]);
}
