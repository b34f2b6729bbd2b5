/* perf-cpu.c - the CPU side of docs/performance.md: weft's CPU forward pass
 * of a 4-layer, width-512 dense network against the OpenBLAS matrix
 * products alone (same shapes, same buffers), at batch 1, 1024 and 8192.
 * Built and run by scripts/perf-cpu; not part of the weft binary.
 *
 * Design choice: both sides are timed the same way (median of many
 * back-to-back calls after a warm-up, monotonic clock), interleaved call by
 * call, so the ratio is the cost of weft's bias/activation work and call
 * overhead on top of sgemm. Two ratios are printed: of the two medians, and
 * the median of the per-pair ratios (each weft call over the sgemm calls
 * right after it), which drift in the machine's load affects least.
 * WEFT_PERF_REPS sets the timed repetitions at batch 1024 and 8192
 * (default 15, at least 11). The thread count is OpenBLAS's own
 * (OPENBLAS_NUM_THREADS, else one per core); both sides share it. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weft_core.h"
#include "weft_kernels.h"

#define WIDTH 512
#define LAYERS 4

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp);
	return v[n / 2];
}

int main(void)
{
	weft_diags *d = NULL;
	weft_diags_new(&d);
	/* the network, random weights (fixed seed) */
	weft_safetensors_writer *w = NULL;
	weft_safetensors_writer_new(&w);
	weft_safetensors_writer_meta(w, "weft.activations", "relu,relu,relu,none");
	float *wt[LAYERS], *bs[LAYERS];
	uint64_t s = 42;
	for (int l = 0; l < LAYERS; l++) {
		wt[l] = malloc(WIDTH * WIDTH * sizeof(float));
		bs[l] = malloc(WIDTH * sizeof(float));
		for (int i = 0; i < WIDTH * WIDTH; i++) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			wt[l][i] = (float)((double)(s >> 11) / 9007199254740992.0 - 0.5) / 11.0f;
		}
		for (int i = 0; i < WIDTH; i++)
			bs[l][i] = 0.01f * (float)(i % 7);
		char name[32];
		uint64_t ws[2] = { WIDTH, WIDTH }, bsh[1] = { WIDTH };
		snprintf(name, sizeof name, "mlp.%d.weight", l);
		weft_safetensors_writer_add(w, name, WEFT_DTYPE_F32, 2, ws, wt[l]);
		snprintf(name, sizeof name, "mlp.%d.bias", l);
		weft_safetensors_writer_add(w, name, WEFT_DTYPE_F32, 1, bsh, bs[l]);
	}
	uint8_t *buf;
	size_t len;
	weft_safetensors_writer_finish(w, &buf, &len);
	weft_safetensors_writer_free(w);
	weft_safetensors *st = NULL;
	if (weft_safetensors_parse(&st, "mlp-4x512", buf, len, NULL, d))
		return 1;
	free(buf);
	weft_model_opts o;
	weft_model_opts_init(&o);
	o.device = WEFT_DEVICE_CPU;
	o.max_batch = 8192;
	weft_model *m = NULL;
	if (weft_model_from_safetensors(&m, st, &o, d)) {
		weft_diags_print(d, stderr, false);
		return 1;
	}
	float *x = malloc((size_t)8192 * WIDTH * sizeof(float));
	float *y = malloc((size_t)8192 * WIDTH * sizeof(float));
	float *t0 = malloc((size_t)8192 * WIDTH * sizeof(float));
	float *t1 = malloc((size_t)8192 * WIDTH * sizeof(float));
	for (size_t i = 0; i < (size_t)8192 * WIDTH; i++)
		x[i] = (float)((i * 2654435761u) % 1000) / 500.0f - 1.0f;

	weft_kernels_info info;
	weft_kernels_probe(&info);
	const char *er = getenv("WEFT_PERF_REPS");
	int big_reps = er ? atoi(er) : 15;
	if (big_reps < 11)
		big_reps = 11;
	printf("CPU BLAS: %s; sgemm threads: %d\n", info.blas, openblas_get_num_threads());
	printf("| batch | weft CPU forward p50 | OpenBLAS sgemm x4 alone p50 | ratio of p50s | "
	       "median per-pair ratio | runs |\n");
	printf("|--:|--:|--:|--:|--:|--:|\n");
	const int batches[] = { 1, 1024, 8192 };
	for (int bi = 0; bi < 3; bi++) {
		int B = batches[bi];
		int reps = B == 1 ? 20000 : big_reps, warm = B == 1 ? 2000 : 2;
		double *a = malloc((size_t)reps * sizeof *a), *g = malloc((size_t)reps * sizeof *g);
		double *q = malloc((size_t)reps * sizeof *q);
		for (int r = 0; r < warm + reps; r++) {
			/* interleaved, so drift in the machine's load hits both alike */
			uint64_t s0 = weft_now_ns();
			weft_model_forward(m, y, x, (size_t)B, NULL, d);
			uint64_t s1 = weft_now_ns();
			const float *in = x;
			for (int l = 0; l < LAYERS; l++) {
				float *out = l % 2 ? t1 : t0;
				cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, B, WIDTH, WIDTH, 1.0f, in,
					    WIDTH, wt[l], WIDTH, 0.0f, out, WIDTH);
				in = out;
			}
			uint64_t s2 = weft_now_ns();
			if (r >= warm) {
				a[r - warm] = (double)(s1 - s0) / 1e6;
				g[r - warm] = (double)(s2 - s1) / 1e6;
				q[r - warm] = (double)(s1 - s0) / (double)(s2 - s1);
			}
		}
		double ma = median(a, reps), mg = median(g, reps), mq = median(q, reps);
		printf("| %d | %.4f ms | %.4f ms | %.3f | %.3f | %d |\n", B, ma, mg, ma / mg, mq, reps);
		fflush(stdout);
		free(a);
		free(g);
		free(q);
	}
	weft_model_free(m);
	weft_safetensors_free(st);
	weft_diags_free(d);
	return 0;
}
