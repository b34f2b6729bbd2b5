/* perf-gpu.cu - the GPU side of docs/performance.md, run by scripts/perf-gpu
 * on a machine with a CUDA device. Not part of the weft binary.
 *
 * For a 4-layer, width-512 dense network (relu, relu, relu, none; the
 * weights are written to OUT-DIR/mlp-4x512.safetensors so that
 * scripts/perf-torch.py times the very same network), at each precision:
 *   batch 1:    weft's p50 per query (host wall time: copy in, graph replay,
 *               copy out) against the floor: an empty CUDA graph with the
 *               same copies and as many (empty) kernel nodes as weft's
 *               captured graph, launched and synchronised the same way;
 *   batch 8192: weft's compute time (CUDA events) against the same four
 *               cuBLASLt matrix products alone (no epilogue, same algorithm
 *               heuristic, same workspace).
 * Medians of many interleaved repetitions after a warm-up. Prints markdown.
 * Every CUDA, cuBLASLt and weft call is checked (exit 1 naming the call),
 * and weft's output at each precision is compared with its CPU path first,
 * so a failing forward pass cannot produce plausible numbers.
 *
 * Design choice: weft is driven through its public API, exactly as `weft
 * bench` drives it; the baselines are the smallest programs that do the
 * unavoidable part of the same work. */
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>
#include <algorithm>

#include <cublasLt.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "kernels_int.h"

#define WIDTH 512
#define LAYERS 4
#define BIG 8192

#define CHECK(x)                                                                            \
	do {                                                                                \
		cudaError_t e_ = (x);                                                       \
		if (e_ != cudaSuccess) {                                                    \
			fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #x,         \
				cudaGetErrorString(e_));                                    \
			exit(1);                                                            \
		}                                                                           \
	} while (0)
#define LTCHECK(x)                                                                          \
	do {                                                                                \
		cublasStatus_t s_ = (x);                                                    \
		if (s_ != CUBLAS_STATUS_SUCCESS) {                                          \
			fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #x,         \
				cublasLtGetStatusString(s_));                               \
			exit(1);                                                            \
		}                                                                           \
	} while (0)

static weft_diags *diags;

/* A weft call that must return 0; else its diagnostics and exit 1. */
#define WCHECK(x)                                                                           \
	do {                                                                                \
		if ((x) != 0) {                                                             \
			fprintf(stderr, "%s:%d: %s failed\n", __FILE__, __LINE__, #x);     \
			weft_diags_print(diags, stderr, false);                             \
			exit(1);                                                            \
		}                                                                           \
	} while (0)

static double median(std::vector<double> v)
{
	std::sort(v.begin(), v.end());
	return v[v.size() / 2];
}

/* max |g - c| / max |c| within the bound of tests/test_kernels_gpu.c for
 * p, else exit 1: a wrong answer's timing is not reported. */
static void check_close(const float *g, const float *c, size_t n, weft_precision p, const char *what)
{
	double num = 0, den = 0;
	for (size_t i = 0; i < n; i++) {
		double e = std::isnan(g[i]) ? INFINITY : fabs((double)g[i] - (double)c[i]);
		num = e > num ? e : num;
		den = fabs((double)c[i]) > den ? fabs((double)c[i]) : den;
	}
	double rel = den > 0 ? num / den : num;
	double bound = p == WEFT_PREC_FP32 ? 1e-5 : p == WEFT_PREC_TF32 ? 1e-3 : 1e-2;
	if (!(rel < bound)) {
		fprintf(stderr, "perf-gpu: %s at %s differs from the CPU: relative error %g (bound %g)\n",
			what, weft_precision_name(p), rel, bound);
		exit(1);
	}
}

static double now_ms(void)
{
	return (double)weft_now_ns() / 1e6;
}

__global__ void empty_kernel(void) {}

/* The floor: H2D, k empty kernels, D2H, as one graph, per query. */
static double floor_p50(int kernels, size_t in_bytes, size_t out_bytes, int reps)
{
	cudaStream_t s;
	CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
	void *h_in, *h_out, *d_in, *d_out;
	CHECK(cudaMallocHost(&h_in, in_bytes));
	CHECK(cudaMallocHost(&h_out, out_bytes));
	CHECK(cudaMalloc(&d_in, in_bytes));
	CHECK(cudaMalloc(&d_out, out_bytes));
	CHECK(cudaStreamBeginCapture(s, cudaStreamCaptureModeThreadLocal));
	CHECK(cudaMemcpyAsync(d_in, h_in, in_bytes, cudaMemcpyHostToDevice, s));
	for (int i = 0; i < kernels; i++)
		empty_kernel<<<1, 1, 0, s>>>();
	CHECK(cudaMemcpyAsync(h_out, d_out, out_bytes, cudaMemcpyDeviceToHost, s));
	cudaGraph_t g;
	cudaGraphExec_t ge;
	CHECK(cudaGetLastError());
	CHECK(cudaStreamEndCapture(s, &g));
	CHECK(cudaGraphInstantiate(&ge, g, 0));
	std::vector<double> t;
	for (int r = 0; r < reps + reps / 10; r++) {
		double t0 = now_ms();
		CHECK(cudaGraphLaunch(ge, s));
		CHECK(cudaStreamSynchronize(s));
		if (r >= reps / 10)
			t.push_back(now_ms() - t0);
	}
	CHECK(cudaGraphExecDestroy(ge));
	CHECK(cudaGraphDestroy(g));
	CHECK(cudaFreeHost(h_in));
	CHECK(cudaFreeHost(h_out));
	CHECK(cudaFree(d_in));
	CHECK(cudaFree(d_out));
	CHECK(cudaStreamDestroy(s));
	return median(t);
}

/* The four products alone at BIG rows, in prec's types. */
static double products_p50(weft_precision p, const std::vector<std::vector<float>> &w, int reps)
{
	bool half = p == WEFT_PREC_FP16 || p == WEFT_PREC_BF16;
	size_t es = half ? 2 : 4;
	cudaDataType_t t = p == WEFT_PREC_FP16 ? CUDA_R_16F : p == WEFT_PREC_BF16 ? CUDA_R_16BF : CUDA_R_32F;
	cublasComputeType_t ct = p == WEFT_PREC_TF32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
	cublasLtHandle_t lt;
	LTCHECK(cublasLtCreate(&lt));
	cudaStream_t s;
	CHECK(cudaStreamCreateWithFlags(&s, cudaStreamNonBlocking));
	void *dw[LAYERS], *act[2], *ws;
	size_t wsz = 32u << 20;
	for (int l = 0; l < LAYERS; l++) {
		std::vector<uint16_t> hb(WIDTH * WIDTH);
		const void *src = w[l].data();
		if (half) {
			for (size_t i = 0; i < hb.size(); i++)
				hb[i] = p == WEFT_PREC_FP16 ? weft_f32_to_f16(w[l][i]) : weft_f32_to_bf16(w[l][i]);
			src = hb.data();
		}
		CHECK(cudaMalloc(&dw[l], WIDTH * WIDTH * es));
		CHECK(cudaMemcpy(dw[l], src, WIDTH * WIDTH * es, cudaMemcpyHostToDevice));
	}
	for (int i = 0; i < 2; i++) {
		CHECK(cudaMalloc(&act[i], (size_t)BIG * WIDTH * es));
		CHECK(cudaMemset(act[i], 0, (size_t)BIG * WIDTH * es));
	}
	CHECK(cudaMalloc(&ws, wsz));
	cublasLtMatmulDesc_t desc;
	LTCHECK(cublasLtMatmulDescCreate(&desc, ct, CUDA_R_32F));
	cublasOperation_t ta = CUBLAS_OP_T, tb = CUBLAS_OP_N;
	LTCHECK(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta));
	LTCHECK(cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb));
	cublasLtMatrixLayout_t a, b, c;
	LTCHECK(cublasLtMatrixLayoutCreate(&a, t, WIDTH, WIDTH, WIDTH));
	LTCHECK(cublasLtMatrixLayoutCreate(&b, t, WIDTH, BIG, WIDTH));
	LTCHECK(cublasLtMatrixLayoutCreate(&c, t, WIDTH, BIG, WIDTH));
	cublasLtMatmulPreference_t pref;
	LTCHECK(cublasLtMatmulPreferenceCreate(&pref));
	uint64_t wsz64 = wsz;
	LTCHECK(cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES,
						     &wsz64, sizeof wsz64));
	cublasLtMatmulHeuristicResult_t h;
	int found = 0;
	LTCHECK(cublasLtMatmulAlgoGetHeuristic(lt, desc, a, b, c, c, pref, 1, &h, &found));
	if (!found) {
		fprintf(stderr, "no cuBLASLt algorithm for %s\n", weft_precision_name(p));
		exit(1);
	}
	float one = 1, zero = 0;
	cudaEvent_t e0, e1;
	CHECK(cudaEventCreate(&e0));
	CHECK(cudaEventCreate(&e1));
	std::vector<double> tv;
	for (int r = 0; r < reps + 5; r++) {
		CHECK(cudaEventRecord(e0, s));
		for (int l = 0; l < LAYERS; l++)
			LTCHECK(cublasLtMatmul(lt, desc, &one, dw[l], a, act[l % 2], b, &zero,
					       act[(l + 1) % 2], c, act[(l + 1) % 2], c, &h.algo, ws,
					       wsz, s));
		CHECK(cudaEventRecord(e1, s));
		CHECK(cudaEventSynchronize(e1));
		float ms;
		CHECK(cudaEventElapsedTime(&ms, e0, e1));
		if (r >= 5)
			tv.push_back(ms);
	}
	LTCHECK(cublasLtMatrixLayoutDestroy(a));
	LTCHECK(cublasLtMatrixLayoutDestroy(b));
	LTCHECK(cublasLtMatrixLayoutDestroy(c));
	LTCHECK(cublasLtMatmulPreferenceDestroy(pref));
	LTCHECK(cublasLtMatmulDescDestroy(desc));
	for (int l = 0; l < LAYERS; l++)
		CHECK(cudaFree(dw[l]));
	CHECK(cudaFree(act[0]));
	CHECK(cudaFree(act[1]));
	CHECK(cudaFree(ws));
	CHECK(cudaEventDestroy(e0));
	CHECK(cudaEventDestroy(e1));
	CHECK(cudaStreamDestroy(s));
	LTCHECK(cublasLtDestroy(lt));
	return median(tv);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	WCHECK(weft_diags_new(&diags));
	weft_diags *d = diags;
	weft_kernels_info info;
	weft_kernels_probe(&info);
	if (!info.device_found) {
		fprintf(stderr, "perf-gpu: no CUDA device: %s\n", info.reason);
		return 4;
	}
	printf("Device: %s (cc %d.%d), CUDA runtime %d, cuBLAS %d\n\n", info.device_name, info.cc_major,
	       info.cc_minor, info.runtime_version, info.cublas_version);

	/* the network: fixed-seed weights, bf16-representable so that every
	 * precision (and PyTorch) starts from the same values */
	std::vector<std::vector<float>> w(LAYERS, std::vector<float>(WIDTH * WIDTH));
	std::vector<std::vector<float>> b(LAYERS, std::vector<float>(WIDTH));
	uint64_t s = 42;
	weft_safetensors_writer *wr = NULL;
	WCHECK(weft_safetensors_writer_new(&wr));
	WCHECK(weft_safetensors_writer_meta(wr, "weft.activations", "relu,relu,relu,none"));
	for (int l = 0; l < LAYERS; l++) {
		for (auto &x : w[l]) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			x = weft_bf16_to_f32(weft_f32_to_bf16(
				(float)((double)(s >> 11) / 9007199254740992.0 - 0.5) / 11.0f));
		}
		for (int i = 0; i < WIDTH; i++)
			b[l][i] = weft_bf16_to_f32(weft_f32_to_bf16(0.01f * (float)(i % 7)));
		char name[32];
		uint64_t ws[2] = { WIDTH, WIDTH }, bs[1] = { WIDTH };
		snprintf(name, sizeof name, "mlp.%d.weight", l);
		WCHECK(weft_safetensors_writer_add(wr, name, WEFT_DTYPE_F32, 2, ws, w[l].data()));
		snprintf(name, sizeof name, "mlp.%d.bias", l);
		WCHECK(weft_safetensors_writer_add(wr, name, WEFT_DTYPE_F32, 1, bs, b[l].data()));
	}
	char path[1024];
	snprintf(path, sizeof path, "%s/mlp-4x512.safetensors", dir);
	WCHECK(weft_safetensors_writer_save(wr, path, WEFT_WRITE_FORCE, d));
	weft_safetensors_writer_free(wr);

	std::vector<float> x((size_t)BIG * WIDTH), y((size_t)BIG * WIDTH), ref((size_t)BIG * WIDTH);
	for (size_t i = 0; i < x.size(); i++)
		x[i] = (float)((i * 2654435761u) % 1000) / 500.0f - 1.0f;
	/* the CPU's answer at batch 8192, that every precision is checked against */
	weft_model_opts co;
	weft_model_opts_init(&co);
	co.device = WEFT_DEVICE_CPU;
	co.max_batch = BIG;
	weft_model *cpu = NULL;
	WCHECK(weft_model_load(&cpu, path, &co, d));
	WCHECK(weft_model_forward(cpu, ref.data(), x.data(), BIG, NULL, d));
	weft_model_free(cpu);

	printf("| precision | batch 1: weft p50 | floor p50 (kernel nodes) | ratio | batch 8192: "
	       "weft compute p50 | cuBLASLt products alone p50 | ratio |\n");
	printf("|---|--:|--:|--:|--:|--:|--:|\n");
	const weft_precision precs[] = { WEFT_PREC_FP32, WEFT_PREC_TF32, WEFT_PREC_FP16, WEFT_PREC_BF16 };
	for (weft_precision p : precs) {
		weft_model_opts o;
		weft_model_opts_init(&o);
		o.device = WEFT_DEVICE_GPU;
		o.precision = p;
		o.max_batch = BIG;
		weft_model *m = NULL;
		WCHECK(weft_model_load(&m, path, &o, d));
		/* right before fast: 8192 rows, once eagerly, and batch 1 twice
		 * (eager, then the untimed graph replayed) */
		WCHECK(weft_model_forward(m, y.data(), x.data(), BIG, NULL, d));
		check_close(y.data(), ref.data(), (size_t)BIG * WIDTH, p, "batch 8192");
		for (int r = 0; r < 3; r++) {
			std::fill(y.begin(), y.begin() + WIDTH, NAN);
			WCHECK(weft_model_forward(m, y.data(), x.data() + (size_t)r * WIDTH, 1, NULL, d));
			check_close(y.data(), ref.data() + (size_t)r * WIDTH, WIDTH, p, "batch 1");
		}
		/* batch 1, untimed graph (no event nodes), like a production query */
		const int reps1 = 20000;
		std::vector<double> t1;
		for (int r = 0; r < reps1 + 2000; r++) {
			double t0 = now_ms();
			WCHECK(weft_model_forward(m, y.data(), x.data(), 1, NULL, d));
			if (r >= 2000)
				t1.push_back(now_ms() - t0);
		}
		int kernels = weft_gpu_model_graph_kernels(m, 1, false);
		double fl = floor_p50(kernels < 0 ? LAYERS : kernels, WIDTH * sizeof(float),
				      WIDTH * sizeof(float), reps1);
		/* batch 8192 compute, CUDA events */
		std::vector<double> tc;
		for (int r = 0; r < 55; r++) {
			weft_model_timing t;
			WCHECK(weft_model_forward(m, y.data(), x.data(), BIG, &t, d));
			if (r >= 5)
				tc.push_back(t.compute_ms);
		}
		double alone = products_p50(p, w, 50);
		double w1 = median(t1), wc = median(tc);
		printf("| %s | %.1f us | %.1f us (%d) | %.2f | %.3f ms | %.3f ms | %.3f |\n",
		       weft_precision_name(p), w1 * 1e3, fl * 1e3, kernels, w1 / fl, wc, alone, wc / alone);
		weft_model_free(m);
	}
	if (weft_diags_errors(d))
		weft_diags_print(d, stderr, false);
	weft_diags_free(d);
	return 0;
}
