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
 * Skipped, as a whole, when no CUDA device is present.
 *
 * The whole model (suite gpu_replay) is checked call by call: every call
 * gets a fresh input and its own CPU reference, and the model's output
 * buffers (pinned and device) are poisoned before every launch, so a graph
 * replay that does nothing, or leaves the previous answer behind, fails;
 * both graphs (timed, as `weft bench` uses; untimed, as evaluation and
 * scripts/perf-gpu use) are replayed. gpu_replay also proves its own check
 * by making the replay a no-op (a test flag of the model) and seeing it
 * fail. tests/CMakeLists.txt runs gpu_replay once more against a CPU mock
 * of the CUDA module (tests/mockcuda/), where no GPU is.
 *
 * Fixtures are found at run time (tests/fixtures.h), so scripts/gpu-check
 * can run this executable on another machine. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fixtures.h"
#include "kernels_int.h"

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

/* Every diagnostic of d on one line, for a failure message. */
static const char *said(const weft_diags *d)
{
	static char buf[2048];
	size_t at = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < weft_diags_count(d) && at + 1 < sizeof buf; i++) {
		const weft_diag *g = weft_diags_get(d, i);
		int n = snprintf(buf + at, sizeof buf - at, "%s%s", i ? "; " : "",
				 g->message ? g->message : "?");
		if (n < 0)
			break;
		at += (size_t)n;
	}
	return buf;
}

/* A test hook's result: 0, or a failure naming what the module said. */
static void hook_ok(int rc, weft_diags *d, const char *what)
{
	cr_assert_eq(rc, 0, "%s: %s", what, said(d));
	weft_diags_clear(d);
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
		weft_diags *d = NULL;
		weft_diags_new(&d);
		hook_ok(weft_gpu_test_convert(g, in, n, p, d), d, "convert");
		weft_diags_free(d);
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
	weft_diags *d = NULL;
	weft_diags_new(&d);
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
				hook_ok(weft_gpu_test_bias_act(g, x, b, r, c, (weft_activation)act, p, d), d,
					"bias_act");
				char what[64];
				snprintf(what, sizeof what, "bias+%s %zux%zu",
					 weft_activation_name((weft_activation)act), r, c);
				expect_close(g, cpu, r * c, p, what);
				/* and without a bias */
				memcpy(cpu, x, r * c * sizeof *cpu);
				weft_ref_bias_act(cpu, NULL, r, c, (weft_activation)act);
				for (size_t i = 0; i < r * c; i++)
					g[i] = NAN, cpu[i] = weft_ref_round(cpu[i], p);
				hook_ok(weft_gpu_test_bias_act(g, x, NULL, r, c, (weft_activation)act, p, d), d,
					"bias_act without bias");
				expect_close(g, cpu, r * c, p, "act without bias");
				free(x);
				free(b);
				free(cpu);
				free(g);
			}
		}
	}
	weft_diags_free(d);
}

Test(gpu, softmax_matches_cpu)
{
	need_device();
	weft_diags *d = NULL;
	weft_diags_new(&d);
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
			hook_ok(weft_gpu_test_softmax(g, x, r, c, p, d), d, "softmax");
			expect_close(g, cpu, r * c, WEFT_PREC_FP32, "softmax (fp32 arithmetic)");
			free(x);
			free(cpu);
			free(g);
		}
	}
	weft_diags_free(d);
}

/* One layer through cuBLASLt, epilogue or not, against sgemm + loops. */
Test(gpu, linear_layer_matches_cpu)
{
	need_device();
	weft_diags *d = NULL;
	weft_diags_new(&d);
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
				hook_ok(weft_gpu_test_linear(g, x, w, b, B, in, out, (weft_activation)act, p,
							     d), d, "linear");
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
	weft_diags_free(d);
}


/* ==== the whole model, call by call (suite gpu_replay) ===================== */

#define MLP_IN 64
#define MLP_OUT 10

/* A 4-layer network of width 512 (64 -> 512 -> 512 -> 512 -> 10; relu,
 * gelu, tanh, none, then softmax), written with the writer. */
static weft_safetensors *mlp(weft_diags *d)
{
	weft_safetensors_writer *w = NULL;
	cr_assert_eq(weft_safetensors_writer_new(&w), 0);
	cr_assert_eq(weft_safetensors_writer_meta(w, "weft.activations", "relu,gelu,tanh,none"), 0);
	cr_assert_eq(weft_safetensors_writer_meta(w, "weft.softmax", "true"), 0);
	const size_t width[] = { MLP_IN, 512, 512, 512, MLP_OUT };
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
	weft_safetensors *st = NULL;
	cr_assert_eq(weft_safetensors_parse(&st, "mlp", buf, len, NULL, d), 0, "%s", said(d));
	free(buf);
	return st;
}

static weft_model *load(const weft_safetensors *st, weft_device dev, weft_precision p, bool graph,
			weft_diags *d)
{
	weft_model_opts o;
	weft_model_opts_init(&o);
	o.device = dev;
	o.precision = p;
	o.use_graph = graph;
	o.max_batch = 2048;
	weft_model *m = NULL;
	cr_assert_eq(weft_model_from_safetensors(&m, st, &o, d), 0, "%s", said(d));
	cr_assert_eq(weft_model_on_gpu(m), dev == WEFT_DEVICE_GPU);
	return m;
}

/* One call of gpu on a fresh input, against its own CPU reference: the
 * relative error (NaN when any element is NaN). With t, a timed call (the
 * timed graph) that fills it; without, the untimed graph. */
static double one_call(weft_model *gpu, weft_model *cpu, size_t B, weft_model_timing *t,
		       weft_diags *d)
{
	float *x = random_array(B * MLP_IN, -1, 1, weft_model_precision(gpu));
	float *c = poisoned(B * MLP_OUT), *g = poisoned(B * MLP_OUT);
	cr_assert_eq(weft_model_forward(cpu, c, x, B, NULL, d), 0, "%s", said(d));
	cr_assert_eq(weft_model_forward(gpu, g, x, B, t, d), 0, "%s", said(d));
	double e = rel_error(g, c, B * MLP_OUT);
	free(x);
	free(c);
	free(g);
	return e;
}

/* What each gpu_replay test starts from: the network and its CPU model. */
typedef struct {
	weft_diags *d;
	weft_safetensors *st;
	weft_model *cpu;
} replay_env;

static replay_env replay_open(void)
{
	need_device();
	replay_env r;
	weft_diags_new(&r.d);
	r.st = mlp(r.d);
	r.cpu = load(r.st, WEFT_DEVICE_CPU, WEFT_PREC_FP32, false, r.d);
	return r;
}

static void replay_close(replay_env *r)
{
	weft_model_free(r->cpu);
	weft_safetensors_free(r->st);
	weft_diags_free(r->d);
}

/* Every precision, graphs on and off, several batch sizes (up to 1024 rows
 * a batch is graphed, 2048 runs eagerly), six calls each: timed and
 * untimed alternately, so each graph is captured after its first call and
 * replayed twice, each call with a fresh input. */
Test(gpu_replay, every_call_matches_cpu)
{
	replay_env r = replay_open();
	weft_diags *d = r.d;
	weft_model *cpu = r.cpu;
	const size_t batches[] = { 1, 2, 7, 64, 2048 };
	for (size_t k = 0; k < 4; k++) {
		for (int graph = 0; graph < 2; graph++) {
			weft_model *gpu = load(r.st, WEFT_DEVICE_GPU, precs[k], graph, d);
			cr_assert_eq(weft_model_precision(gpu), precs[k]);
			cr_assert_eq(weft_model_set_gpu_test_flags(gpu, WEFT_GPU_TEST_POISON), 0);
			for (size_t bi = 0; bi < 5; bi++) {
				size_t B = batches[bi];
				for (int call = 0; call < 6; call++) {
					bool timed = call % 2 == 0;
					weft_model_timing t;
					double e = one_call(gpu, cpu, B, timed ? &t : NULL, d);
					cr_assert(e < bound(precs[k]),
						  "mlp %s batch %zu graph %d call %d (%s%s): relative error "
						  "%g (bound %g)", weft_precision_name(precs[k]), B, graph,
						  call, timed ? "timed" : "untimed",
						  graph && B <= 1024 && call >= 2 ? ", a replay" : "", e,
						  bound(precs[k]));
					/* the events of a pass that ran: a stale compute time
					 * can exceed the host time around the call */
					cr_assert(!timed || (t.h2d_ms >= 0 && t.compute_ms > 0 &&
							     t.d2h_ms >= 0 && t.host_ms >= t.compute_ms),
						  "batch %zu call %d: timing %g %g %g %g", B, call, t.h2d_ms,
						  t.compute_ms, t.d2h_ms, t.host_ms);
				}
				for (int timed = 0; timed < 2; timed++) {
					int kernels = weft_gpu_model_graph_kernels(gpu, B, timed);
					cr_assert_eq(kernels > 0, graph && B <= 1024,
						     "batch %zu graph %d: %s graph has %d kernel nodes", B,
						     graph, timed ? "timed" : "untimed", kernels);
				}
			}
			weft_model_free(gpu);
		}
	}
	cr_assert_eq(weft_diags_errors(d), 0, "%s", said(d));
	replay_close(&r);
}

/* The check above, proven: with the graph launch made a no-op (a test flag
 * of the model), the replays must fail it, both graphs, with the output
 * poisoned (NaN left behind) and without (the previous call's answer). */
Test(gpu_replay, a_noop_replay_is_caught)
{
	replay_env r = replay_open();
	weft_diags *d = r.d;
	weft_model *cpu = r.cpu;
	for (int timed = 0; timed < 2; timed++) {
		for (unsigned poison = 0; poison < 2; poison++) {
			weft_model *gpu = load(r.st, WEFT_DEVICE_GPU, WEFT_PREC_FP32, true, d);
			cr_assert_eq(weft_model_set_gpu_test_flags(gpu, WEFT_GPU_TEST_NOOP_REPLAY |
							(poison ? WEFT_GPU_TEST_POISON : 0)), 0);
			weft_model_timing t;
			double e0 = one_call(gpu, cpu, 7, timed ? &t : NULL, d);
			cr_assert(e0 < bound(WEFT_PREC_FP32), "the eager first call: error %g", e0);
			double e1 = one_call(gpu, cpu, 7, timed ? &t : NULL, d);
			cr_assert(!(e1 < bound(WEFT_PREC_FP32)),
				  "a %s replay that launched nothing passed (poison %u, error %g)",
				  timed ? "timed" : "untimed", poison, e1);
			weft_model_free(gpu);
		}
	}
	replay_close(&r);
}

static size_t notes_with(const weft_diags *d, const char *text)
{
	size_t n = 0;
	for (size_t i = 0; i < weft_diags_count(d); i++) {
		const weft_diag *g = weft_diags_get(d, i);
		n += g->severity == WEFT_SEV_NOTE && g->message && strstr(g->message, text);
	}
	return n;
}

/* A capture that fails (made to, by an illegal call under capture) keeps
 * the eager answer, says so once per graph, and the batch size goes on
 * without a graph. */
Test(gpu_replay, a_failed_capture_runs_eagerly)
{
	replay_env r = replay_open();
	weft_diags *d = r.d;
	weft_model *cpu = r.cpu;
	weft_model *gpu = load(r.st, WEFT_DEVICE_GPU, WEFT_PREC_FP32, true, d);
	cr_assert_eq(weft_model_set_gpu_test_flags(gpu, WEFT_GPU_TEST_FAIL_CAPTURE |
								 WEFT_GPU_TEST_POISON), 0);
	for (int call = 0; call < 6; call++) {
		weft_model_timing t;
		double e = one_call(gpu, cpu, 7, call % 2 == 0 ? &t : NULL, d);
		cr_assert(e < bound(WEFT_PREC_FP32), "call %d: error %g", call, e);
	}
	cr_assert_eq(weft_diags_errors(d), 0, "%s", said(d));
	cr_assert_eq(notes_with(d, "without a CUDA graph"), 2, "%s", said(d));
	cr_assert_eq(weft_gpu_model_graph_kernels(gpu, 7, true), -1);
	cr_assert_eq(weft_gpu_model_graph_kernels(gpu, 7, false), -1);
	weft_model_free(gpu);
	replay_close(&r);
}

/* Device auto with a GPU that cannot hold the model (a 2^20-feature input
 * at 2^17 rows: 512 GiB of input buffer, 1 MiB of CPU buffers) runs on
 * the CPU with a note; device gpu fails the load. */
Test(gpu_replay, auto_falls_back_when_gpu_setup_fails)
{
	need_device();
	weft_diags *d = NULL;
	weft_diags_new(&d);
	size_t in = (size_t)1 << 20;
	float *wt = random_array(in, -0.001f, 0.001f, WEFT_PREC_FP32), bs = 0.5f;
	weft_safetensors_writer *w = NULL;
	cr_assert_eq(weft_safetensors_writer_new(&w), 0);
	cr_assert_eq(weft_safetensors_writer_meta(w, "weft.activations", "none"), 0);
	uint64_t ws[2] = { 1, in }, bsh[1] = { 1 };
	cr_assert_eq(weft_safetensors_writer_add(w, "wide.0.weight", WEFT_DTYPE_F32, 2, ws, wt), 0);
	cr_assert_eq(weft_safetensors_writer_add(w, "wide.0.bias", WEFT_DTYPE_F32, 1, bsh, &bs), 0);
	uint8_t *buf;
	size_t len;
	cr_assert_eq(weft_safetensors_writer_finish(w, &buf, &len), 0);
	weft_safetensors_writer_free(w);
	weft_safetensors *st = NULL;
	cr_assert_eq(weft_safetensors_parse(&st, "wide", buf, len, NULL, d), 0, "%s", said(d));
	free(buf);
	free(wt);

	weft_model_opts o;
	weft_model_opts_init(&o);
	o.max_batch = (size_t)1 << 17;
	weft_model *m = NULL;
	cr_assert_eq(weft_model_from_safetensors(&m, st, &o, d), 0, "%s", said(d));
	cr_assert_not(weft_model_on_gpu(m));
	cr_assert_eq(weft_diags_errors(d), 0, "%s", said(d));
	cr_assert_eq(notes_with(d, "setting up the GPU failed"), 1, "%s", said(d));
	weft_model_free(m);

	weft_diags_clear(d);
	o.device = WEFT_DEVICE_GPU;
	cr_assert_eq(weft_model_from_safetensors(&m, st, &o, d), WEFT_EENV);
	cr_assert_gt(weft_diags_errors(d), 0);
	weft_safetensors_free(st);
	weft_diags_free(d);
}

Test(gpu, example_model_auto_picks_gpu)
{
	need_device();
	weft_diags *d = NULL;
	weft_diags_new(&d);
	weft_model *m = NULL;
	char tiny[4096];
	weft_test_fixture(tiny, sizeof tiny, "kernels/valid/tiny.safetensors");
	cr_assert_eq(weft_model_load(&m, tiny, NULL, d), 0, "%s", said(d));
	cr_assert(weft_model_on_gpu(m));
	const float in[] = { 1, 2 };
	float out = NAN;
	cr_assert_eq(weft_model_forward(m, &out, in, 1, NULL, d), 0, "%s", said(d));
	cr_assert(fabs(out - 0.9959298622841) < 1e-5, "%.9f", out);
	weft_model_free(m);
	weft_diags_free(d);
}
