/* test_kernels_gpu.c - every CUDA kernel against its CPU reference, on
 * fresh random inputs, at each precision.
 * ctest-labels: gpu
 *
 * Bounds on the relative error (max |gpu - cpu| / max |cpu|, over the
 * whole output): fp32 < 1e-5, tf32 < 1e-3, fp16 and bf16 < 1e-2. Outputs
 * are poisoned with NaN before each run, so an element a kernel fails to
 * write fails the test, and NaN never passes a bound (comparisons are
 * written so that NaN is false). Inputs for the 16-bit precisions are
 * rounded to that precision first, so the CPU sees what the GPU sees.
 * Skipped, as a whole, when no CUDA device is present. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels_int.h"

#define FIX WEFT_FIXTURES "/kernels/"

static void need_device(void)
{
	weft_kernels_info info;
	weft_kernels_probe(&info);
	if (!info.device_found)
		cr_skip_test("no CUDA device: %s", info.reason);
}

static const weft_precision precs[] = { WEFT_PREC_FP32, WEFT_PREC_TF32, WEFT_PREC_FP16,
					WEFT_PREC_BF16 };

static double bound(weft_precision p)
{
	return p == WEFT_PREC_FP32 ? 1e-5 : p == WEFT_PREC_TF32 ? 1e-3 : 1e-2;
}

static uint64_t rng = 0x2545f4914f6cdd1dull;

static float uniform(float lo, float hi)
{
	rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
	return lo + (hi - lo) * (float)((double)(rng >> 11) / 9007199254740992.0);
}

/* What the device will read: 16-bit storage rounds every input; tf32 keeps
 * fp32 storage but the tensor cores read 10 mantissa bits, so the tests
 * hand it values that already fit and measure the kernels, not the
 * quantisation of their inputs. */
static float input_round(float x, weft_precision p)
{
	if (p != WEFT_PREC_TF32)
		return weft_ref_round(x, p);
	uint32_t u;
	memcpy(&u, &x, 4);
	u += 0xfffu + ((u >> 13) & 1u);
	u &= ~0x1fffu;
	memcpy(&x, &u, 4);
	return x;
}

static float *random_array(size_t n, float lo, float hi, weft_precision p)
{
	float *a = malloc((n ? n : 1) * sizeof *a);
	for (size_t i = 0; i < n; i++)
		a[i] = input_round(uniform(lo, hi), p);
	return a;
}

static float *poisoned(size_t n)
{
	float *a = malloc((n ? n : 1) * sizeof *a);
	for (size_t i = 0; i < n; i++)
		a[i] = NAN;
	return a;
}

/* max |g - c| / max |c|; NaN when any element is NaN. */
static double rel_error(const float *g, const float *c, size_t n)
{
	double num = 0, den = 0;
	for (size_t i = 0; i < n; i++) {
		if (isnan(g[i]) || isnan(c[i]))
			return NAN;
		double e = fabs((double)g[i] - (double)c[i]);
		if (e > num)
			num = e;
		if (fabs((double)c[i]) > den)
			den = fabs((double)c[i]);
	}
	return den > 0 ? num / den : num;
}

static void expect_close(const float *g, const float *c, size_t n, weft_precision p,
			 const char *what)
{
	double e = rel_error(g, c, n);
	cr_assert(e < bound(p), "%s at %s: relative error %g (bound %g)", what,
		  weft_precision_name(p), e, bound(p));
}

Test(gpu, poison_is_caught)
{
	/* the harness itself: a NaN anywhere fails. It only matters when the
	 * kernels run, and skipping it too lets a machine without a device
	 * report the whole suite as skipped rather than passed. */
	need_device();
	float a[3] = { 1, 2, 3 }, b[3] = { 1, NAN, 3 };
	cr_assert(!(rel_error(b, a, 3) < 1.0));
	cr_assert(rel_error(a, a, 3) == 0.0);
}

Test(gpu, convert_matches_cpu_rounding_exactly)
{
	need_device();
	for (size_t k = 0; k < 4; k++) {
		weft_precision p = precs[k];
		size_t n = 100003;
		float *in = random_array(n, -70000.0f, 70000.0f, WEFT_PREC_FP32);
		for (size_t i = 0; i < 1000; i++) /* tiny values: subnormals in fp16 */
			in[i] = ldexpf(in[i], -40);
		float *g = poisoned(n);
		cr_assert_eq(weft_gpu_test_convert(g, in, n, p), 0);
		for (size_t i = 0; i < n; i++) {
			float c = weft_ref_round(in[i], p);
			cr_assert(g[i] == c || (isinf(g[i]) && isinf(c) && (g[i] > 0) == (c > 0)),
				  "%s: %.9g -> gpu %.9g cpu %.9g", weft_precision_name(p), in[i], g[i], c);
		}
		free(in);
		free(g);
	}
}

Test(gpu, bias_act_matches_cpu)
{
	need_device();
	const size_t shapes[][2] = { { 1, 1 }, { 7, 33 }, { 64, 512 }, { 300, 17 } };
	for (size_t k = 0; k < 4; k++) {
		weft_precision p = precs[k];
		for (int act = WEFT_ACT_NONE; act <= WEFT_ACT_SIGMOID; act++) {
			for (size_t s = 0; s < 4; s++) {
				size_t r = shapes[s][0], c = shapes[s][1];
				float *x = random_array(r * c, -4, 4, p);
				float *b = random_array(c, -1, 1, p);
				float *cpu = malloc(r * c * sizeof *cpu);
				memcpy(cpu, x, r * c * sizeof *cpu);
				weft_ref_bias_act(cpu, b, r, c, (weft_activation)act);
				for (size_t i = 0; i < r * c; i++)
					cpu[i] = weft_ref_round(cpu[i], p);
				float *g = poisoned(r * c);
				cr_assert_eq(weft_gpu_test_bias_act(g, x, b, r, c, (weft_activation)act, p), 0);
				char what[64];
				snprintf(what, sizeof what, "bias+%s %zux%zu",
					 weft_activation_name((weft_activation)act), r, c);
				expect_close(g, cpu, r * c, p, what);
				/* and without a bias */
				memcpy(cpu, x, r * c * sizeof *cpu);
				weft_ref_bias_act(cpu, NULL, r, c, (weft_activation)act);
				for (size_t i = 0; i < r * c; i++)
					g[i] = NAN, cpu[i] = weft_ref_round(cpu[i], p);
				cr_assert_eq(weft_gpu_test_bias_act(g, x, NULL, r, c, (weft_activation)act, p), 0);
				expect_close(g, cpu, r * c, p, "act without bias");
				free(x);
				free(b);
				free(cpu);
				free(g);
			}
		}
	}
}

Test(gpu, softmax_matches_cpu)
{
	need_device();
	const size_t shapes[][2] = { { 1, 1 }, { 1, 2 }, { 5, 31 }, { 33, 32 }, { 9, 1000 } };
	for (size_t k = 0; k < 4; k++) {
		weft_precision p = precs[k];
		for (size_t s = 0; s < 5; s++) {
			size_t r = shapes[s][0], c = shapes[s][1];
			float *x = random_array(r * c, -20, 20, p);
			float *cpu = malloc(r * c * sizeof *cpu);
			memcpy(cpu, x, r * c * sizeof *cpu);
			weft_ref_softmax_rows(cpu, r, c);
			float *g = poisoned(r * c);
			cr_assert_eq(weft_gpu_test_softmax(g, x, r, c, p), 0);
			expect_close(g, cpu, r * c, WEFT_PREC_FP32, "softmax (fp32 arithmetic)");
			free(x);
			free(cpu);
			free(g);
		}
	}
}

/* One layer through cuBLASLt, epilogue or not, against sgemm + loops. */
Test(gpu, linear_layer_matches_cpu)
{
	need_device();
	const size_t dims[][3] = { { 1, 16, 8 }, { 3, 7, 5 }, { 64, 512, 512 }, { 129, 100, 33 } };
	for (size_t k = 0; k < 4; k++) {
		weft_precision p = precs[k];
		for (int act = WEFT_ACT_NONE; act <= WEFT_ACT_SIGMOID; act++) {
			for (size_t s = 0; s < 4; s++) {
				size_t B = dims[s][0], in = dims[s][1], out = dims[s][2];
				float sc = 1.0f / sqrtf((float)in);
				float *x = random_array(B * in, -1, 1, p);
				float *w = random_array(out * in, -sc, sc, p);
				float *b = random_array(out, -0.5f, 0.5f, p);
				float *cpu = malloc(B * out * sizeof *cpu);
				weft_ref_linear(cpu, x, w, B, in, out);
				weft_ref_bias_act(cpu, b, B, out, (weft_activation)act);
				float *g = poisoned(B * out);
				cr_assert_eq(weft_gpu_test_linear(g, x, w, b, B, in, out, (weft_activation)act,
								  p), 0);
				char what[96];
				snprintf(what, sizeof what, "linear+%s %zux%zu->%zu",
					 weft_activation_name((weft_activation)act), B, in, out);
				expect_close(g, cpu, B * out, p, what);
				free(x);
				free(w);
				free(b);
				free(cpu);
				free(g);
			}
		}
	}
}

/* A 4-layer network of width 512 (written with the writer), every
 * precision, graphs on and off, several batch sizes, twice each (the second
 * call of a small batch replays the captured graph). */
Test(gpu, model_forward_matches_cpu)
{
	need_device();
	weft_safetensors_writer *w = NULL;
	cr_assert_eq(weft_safetensors_writer_new(&w), 0);
	cr_assert_eq(weft_safetensors_writer_meta(w, "weft.activations", "relu,gelu,tanh,none"), 0);
	cr_assert_eq(weft_safetensors_writer_meta(w, "weft.softmax", "true"), 0);
	const size_t width[] = { 64, 512, 512, 512, 10 };
	for (int l = 0; l < 4; l++) {
		size_t in = width[l], out = width[l + 1];
		float sc = 1.0f / sqrtf((float)in);
		float *wt = random_array(out * in, -sc, sc, WEFT_PREC_BF16);
		float *bs = random_array(out, -0.1f, 0.1f, WEFT_PREC_BF16);
		char name[32];
		uint64_t ws[2] = { out, in }, bsh[1] = { out };
		snprintf(name, sizeof name, "mlp.%d.weight", l);
		cr_assert_eq(weft_safetensors_writer_add(w, name, WEFT_DTYPE_F32, 2, ws, wt), 0);
		snprintf(name, sizeof name, "mlp.%d.bias", l);
		cr_assert_eq(weft_safetensors_writer_add(w, name, WEFT_DTYPE_F32, 1, bsh, bs), 0);
		free(wt);
		free(bs);
	}
	uint8_t *buf;
	size_t len;
	cr_assert_eq(weft_safetensors_writer_finish(w, &buf, &len), 0);
	weft_safetensors_writer_free(w);
	weft_diags *d = NULL;
	weft_diags_new(&d);
	weft_safetensors *st = NULL;
	cr_assert_eq(weft_safetensors_parse(&st, "mlp", buf, len, NULL, d), 0);
	free(buf);

	weft_model_opts co;
	weft_model_opts_init(&co);
	co.device = WEFT_DEVICE_CPU;
	co.max_batch = 2048;
	weft_model *cpu = NULL;
	cr_assert_eq(weft_model_from_safetensors(&cpu, st, &co, d), 0);

	const size_t batches[] = { 1, 2, 7, 64, 2048 };
	for (size_t k = 0; k < 4; k++) {
		for (int graph = 0; graph < 2; graph++) {
			weft_model_opts go = co;
			go.device = WEFT_DEVICE_GPU;
			go.precision = precs[k];
			go.use_graph = graph;
			weft_model *gpu = NULL;
			cr_assert_eq(weft_model_from_safetensors(&gpu, st, &go, d), 0);
			cr_assert(weft_model_on_gpu(gpu));
			cr_assert_eq(weft_model_precision(gpu), precs[k]);
			for (size_t bi = 0; bi < 5; bi++) {
				size_t B = batches[bi];
				float *x = random_array(B * 64, -1, 1, precs[k]);
				float *c = poisoned(B * 10);
				cr_assert_eq(weft_model_forward(cpu, c, x, B, NULL, d), 0);
				for (int rep = 0; rep < 2; rep++) {
					float *g = poisoned(B * 10);
					weft_model_timing t;
					cr_assert_eq(weft_model_forward(gpu, g, x, B, &t, d), 0);
					char what[64];
					snprintf(what, sizeof what, "mlp batch %zu graph %d call %d", B, graph, rep);
					expect_close(g, c, B * 10, precs[k], what);
					cr_assert(t.h2d_ms >= 0 && t.compute_ms > 0 && t.d2h_ms >= 0 &&
						  t.host_ms >= t.compute_ms, "timing %g %g %g %g", t.h2d_ms,
						  t.compute_ms, t.d2h_ms, t.host_ms);
					free(g);
				}
				free(x);
				free(c);
			}
			weft_model_free(gpu);
		}
	}
	weft_model_free(cpu);
	weft_safetensors_free(st);
	cr_assert_eq(weft_diags_errors(d), 0);
	weft_diags_free(d);
}

Test(gpu, example_model_auto_picks_gpu)
{
	need_device();
	weft_diags *d = NULL;
	weft_diags_new(&d);
	weft_model *m = NULL;
	cr_assert_eq(weft_model_load(&m, FIX "valid/tiny.safetensors", NULL, d), 0);
	cr_assert(weft_model_on_gpu(m));
	const float in[] = { 1, 2 };
	float out = NAN;
	cr_assert_eq(weft_model_forward(m, &out, in, 1, NULL, d), 0);
	cr_assert(fabs(out - 0.9959298622841) < 1e-5, "%.9f", out);
	weft_model_free(m);
	weft_diags_free(d);
}
