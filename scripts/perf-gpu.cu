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
 *
 * Design choice: weft is driven through its public API, exactly as `weft
 * bench` drives it; the baselines are the smallest programs that do the
 * unavoidable part of the same work. */
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
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, cudaGetErrorString(e_)); \
			exit(1);                                                            \
		}                                                                           \
	} while (0)

static double median(std::vector<double> v)
{
	std::sort(v.begin(), v.end());
	return v[v.size() / 2];
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
	cudaGraphExecDestroy(ge);
	cudaGraphDestroy(g);
	cudaFreeHost(h_in), cudaFreeHost(h_out), cudaFree(d_in), cudaFree(d_out);
	cudaStreamDestroy(s);
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
	cublasLtCreate(&lt);
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
	cublasLtMatmulDescCreate(&desc, ct, CUDA_R_32F);
	cublasOperation_t ta = CUBLAS_OP_T, tb = CUBLAS_OP_N;
	cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta);
	cublasLtMatmulDescSetAttribute(desc, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb);
	cublasLtMatrixLayout_t a, b, c;
	cublasLtMatrixLayoutCreate(&a, t, WIDTH, WIDTH, WIDTH);
	cublasLtMatrixLayoutCreate(&b, t, WIDTH, BIG, WIDTH);
	cublasLtMatrixLayoutCreate(&c, t, WIDTH, BIG, WIDTH);
	cublasLtMatmulPreference_t pref;
	cublasLtMatmulPreferenceCreate(&pref);
	uint64_t wsz64 = wsz;
	cublasLtMatmulPreferenceSetAttribute(pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &wsz64,
					     sizeof wsz64);
	cublasLtMatmulHeuristicResult_t h;
	int found = 0;
	cublasLtMatmulAlgoGetHeuristic(lt, desc, a, b, c, c, pref, 1, &h, &found);
	if (!found) {
		fprintf(stderr, "no cuBLASLt algorithm for %s\n", weft_precision_name(p));
		exit(1);
	}
	float one = 1, zero = 0;
	cudaEvent_t e0, e1;
	cudaEventCreate(&e0);
	cudaEventCreate(&e1);
	std::vector<double> tv;
	for (int r = 0; r < reps + 5; r++) {
		cudaEventRecord(e0, s);
		for (int l = 0; l < LAYERS; l++)
			cublasLtMatmul(lt, desc, &one, dw[l], a, act[l % 2], b, &zero, act[(l + 1) % 2], c,
				       act[(l + 1) % 2], c, &h.algo, ws, wsz, s);
		cudaEventRecord(e1, s);
		CHECK(cudaEventSynchronize(e1));
		float ms;
		cudaEventElapsedTime(&ms, e0, e1);
		if (r >= 5)
			tv.push_back(ms);
	}
	cublasLtMatrixLayoutDestroy(a), cublasLtMatrixLayoutDestroy(b), cublasLtMatrixLayoutDestroy(c);
	cublasLtMatmulPreferenceDestroy(pref);
	cublasLtMatmulDescDestroy(desc);
	for (int l = 0; l < LAYERS; l++)
		cudaFree(dw[l]);
	cudaFree(act[0]), cudaFree(act[1]), cudaFree(ws);
	cudaEventDestroy(e0), cudaEventDestroy(e1);
	cudaStreamDestroy(s);
	cublasLtDestroy(lt);
	return median(tv);
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : ".";
	weft_diags *d = NULL;
	weft_diags_new(&d);
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
	weft_safetensors_writer_new(&wr);
	weft_safetensors_writer_meta(wr, "weft.activations", "relu,relu,relu,none");
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
		weft_safetensors_writer_add(wr, name, WEFT_DTYPE_F32, 2, ws, w[l].data());
		snprintf(name, sizeof name, "mlp.%d.bias", l);
		weft_safetensors_writer_add(wr, name, WEFT_DTYPE_F32, 1, bs, b[l].data());
	}
	char path[1024];
	snprintf(path, sizeof path, "%s/mlp-4x512.safetensors", dir);
	if (weft_safetensors_writer_save(wr, path, WEFT_WRITE_FORCE, d)) {
		weft_diags_print(d, stderr, false);
		return 4;
	}
	weft_safetensors_writer_free(wr);

	std::vector<float> x((size_t)BIG * WIDTH), y((size_t)BIG * WIDTH);
	for (size_t i = 0; i < x.size(); i++)
		x[i] = (float)((i * 2654435761u) % 1000) / 500.0f - 1.0f;

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
		if (weft_model_load(&m, path, &o, d)) {
			weft_diags_print(d, stderr, false);
			return 1;
		}
		/* batch 1, untimed graph (no event nodes), like a production query */
		const int reps1 = 20000;
		std::vector<double> t1;
		for (int r = 0; r < reps1 + 2000; r++) {
			double t0 = now_ms();
			weft_model_forward(m, y.data(), x.data(), 1, NULL, d);
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
			weft_model_forward(m, y.data(), x.data(), BIG, &t, d);
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
