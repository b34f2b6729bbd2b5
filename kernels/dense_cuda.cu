/* dense_cuda.cu - the GPU forward pass of a dense network: cuBLASLt matrix
 * products with fused bias + activation epilogues, and small CUDA kernels of
 * our own where cuBLASLt has no epilogue (tanh, sigmoid, softmax) and for the
 * fp32 <-> fp16/bf16 conversions at the ends.
 *
 * Design choices, in the style of llm.c's dev/cuda: readable first; every
 * kernel has a CPU reference in dense_cpu.c (named in its comment) and a test
 * hook at the bottom of this file that runs it alone so the tests can compare
 * the two. The weights live on the device for the model's lifetime, the host
 * side stages through pinned buffers, and a small batch's whole forward pass
 * (copy in, every layer, copy out, the timing events) is captured once as a
 * CUDA graph and replayed, so a query costs one graph launch.
 *
 * Layouts: PyTorch stores a Linear weight row-major [out, in]. cuBLASLt is
 * column-major, where those same bytes are the matrix W^T [in x out] (ld in).
 * With X row-major [batch, in] = X^T column-major [in x batch], one layer is
 *   Y^T [out x batch] = op_T(W^T) . X^T       (m = out, n = batch, k = in)
 * and Y^T column-major (ld out) is Y row-major [batch, out]: the next
 * layer's input as is. The bias has length m, the rows of D, which is what
 * cuBLASLt's bias epilogue broadcasts.
 *
 * Precisions: fp32 (CUBLAS_COMPUTE_32F), tf32 (CUBLAS_COMPUTE_32F_FAST_TF32,
 * fp32 storage), fp16 and bf16 (16-bit storage of weights, biases and
 * activations, fp32 accumulation: CUBLAS_COMPUTE_32F with scale type fp32).
 * The bias is stored in D's type, cuBLASLt's default bias data type.
 */
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <cublasLt.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include "cuda_module.h"

/* Batches up to this size replay a captured graph; larger ones are launch
 * overhead-free enough to enqueue directly. */
#define GRAPH_MAX_BATCH 1024
/* cuBLASLt workspace: NVIDIA recommends 32 MiB on Hopper. */
#define WORKSPACE_BYTES (32u << 20)

/* ==== element types ======================================================== */

/* Loads and stores in float, whatever the storage type. */
__device__ __forceinline__ float load_f(const float *p, size_t i) { return p[i]; }
__device__ __forceinline__ float load_f(const __half *p, size_t i) { return __half2float(p[i]); }
__device__ __forceinline__ float load_f(const __nv_bfloat16 *p, size_t i) { return __bfloat162float(p[i]); }
__device__ __forceinline__ void store_f(float *p, size_t i, float v) { p[i] = v; }
__device__ __forceinline__ void store_f(__half *p, size_t i, float v) { p[i] = __float2half_rn(v); }
__device__ __forceinline__ void store_f(__nv_bfloat16 *p, size_t i, float v) { p[i] = __float2bfloat16_rn(v); }

static size_t elem_size(weft_precision p)
{
	return p == WEFT_PREC_FP16 || p == WEFT_PREC_BF16 ? 2 : 4;
}

static cudaDataType_t data_type(weft_precision p)
{
	return p == WEFT_PREC_FP16 ? CUDA_R_16F : p == WEFT_PREC_BF16 ? CUDA_R_16BF : CUDA_R_32F;
}

/* ==== kernels ================================================================ */

/* CPU reference: weft_ref_act. Plain expf/tanhf (no fast-math intrinsics),
 * so fp32 agrees with the CPU to a few ulps. */
__device__ float act_f(float x, int act)
{
	switch (act) {
	case WEFT_ACT_RELU:
		return x > 0.0f ? x : 0.0f;
	case WEFT_ACT_GELU:
		return 0.5f * x * (1.0f + tanhf(0.7978845608028654f * (x + 0.044715f * x * x * x)));
	case WEFT_ACT_TANH:
		return tanhf(x);
	case WEFT_ACT_SIGMOID:
		if (x >= 0.0f)
			return 1.0f / (1.0f + expf(-x));
		else {
			float e = expf(x);
			return e / (1.0f + e);
		}
	default:
		return x;
	}
}

/* Element-wise type conversion, e.g. the fp32 input into fp16 before the
 * first layer. CPU reference: weft_ref_round (f32 -> T -> f32). */
template <typename Tin, typename Tout>
__global__ void convert_kernel(Tout *out, const Tin *in, size_t n)
{
	for (size_t i = blockIdx.x * (size_t)blockDim.x + threadIdx.x; i < n;
	     i += (size_t)gridDim.x * blockDim.x)
		store_f(out, i, load_f(in, i));
}

/* y[r][c] = act(y[r][c] + b[c]) in place, computed in float; b may be NULL
 * (when cuBLASLt's epilogue already added it). For activations that have no
 * cuBLASLt epilogue, or all of a layer when no epilogue algorithm exists.
 * Rows along y and columns along x (both grid-strided), so the bias index
 * is the column itself: no division per element. CPU reference:
 * weft_ref_bias_act. */
template <typename T>
__global__ void bias_act_kernel(T *y, const T *b, size_t rows, size_t cols, int act)
{
	for (size_t r = blockIdx.y; r < rows; r += gridDim.y) {
		T *row = y + r * cols;
		for (size_t c = blockIdx.x * (size_t)blockDim.x + threadIdx.x; c < cols;
		     c += (size_t)gridDim.x * blockDim.x) {
			float v = load_f(row, c);
			if (b)
				v += load_f(b, c);
			store_f(row, c, act_f(v, act));
		}
	}
}

/* Row-wise softmax, one warp per row: max, then sum of exp(x - max), by
 * warp shuffles; reads T, writes the fp32 output. CPU reference:
 * weft_ref_softmax_rows. */
template <typename T>
__global__ void softmax_kernel(float *out, const T *in, size_t rows, size_t cols)
{
	size_t row = blockIdx.x * (size_t)(blockDim.x / 32) + threadIdx.x / 32;
	unsigned lane = threadIdx.x % 32;
	if (row >= rows)
		return;
	const T *x = in + row * cols;
	float mx = -INFINITY;
	for (size_t c = lane; c < cols; c += 32)
		mx = fmaxf(mx, load_f(x, c));
	for (int off = 16; off > 0; off /= 2)
		mx = fmaxf(mx, __shfl_xor_sync(0xffffffffu, mx, off));
	float sum = 0.0f;
	for (size_t c = lane; c < cols; c += 32)
		sum += expf(load_f(x, c) - mx);
	for (int off = 16; off > 0; off /= 2)
		sum += __shfl_xor_sync(0xffffffffu, sum, off);
	for (size_t c = lane; c < cols; c += 32)
		out[row * cols + c] = expf(load_f(x, c) - mx) / sum;
}

/* ==== launchers (dispatch on the storage type) ======================================= */

static unsigned grid_for(size_t n, unsigned threads)
{
	size_t g = (n + threads - 1) / threads;
	return (unsigned)(g < 1 ? 1 : g > 65535 ? 65535 : g);
}

/* f32 -> prec's type (to = true) or back. */
static void launch_convert(void *out, const void *in, size_t n, weft_precision p, bool to,
			   cudaStream_t s)
{
	unsigned g = grid_for(n, 256);
	if (p == WEFT_PREC_FP16) {
		if (to)
			convert_kernel<<<g, 256, 0, s>>>((__half *)out, (const float *)in, n);
		else
			convert_kernel<<<g, 256, 0, s>>>((float *)out, (const __half *)in, n);
	} else if (p == WEFT_PREC_BF16) {
		if (to)
			convert_kernel<<<g, 256, 0, s>>>((__nv_bfloat16 *)out, (const float *)in, n);
		else
			convert_kernel<<<g, 256, 0, s>>>((float *)out, (const __nv_bfloat16 *)in, n);
	} else {
		convert_kernel<<<g, 256, 0, s>>>((float *)out, (const float *)in, n);
	}
}

static void launch_bias_act(void *y, const void *b, size_t rows, size_t cols, int act,
			    weft_precision p, cudaStream_t s)
{
	if (rows == 0 || cols == 0)
		return;
	/* a warp-multiple of threads over the columns, a block row per row */
	unsigned threads = cols >= 256 ? 256 : (unsigned)((cols + 31) / 32 * 32);
	dim3 grid(grid_for(cols, threads), (unsigned)(rows < 65535 ? (rows ? rows : 1) : 65535));
	if (p == WEFT_PREC_FP16)
		bias_act_kernel<<<grid, threads, 0, s>>>((__half *)y, (const __half *)b, rows, cols, act);
	else if (p == WEFT_PREC_BF16)
		bias_act_kernel<<<grid, threads, 0, s>>>((__nv_bfloat16 *)y, (const __nv_bfloat16 *)b,
							  rows, cols, act);
	else
		bias_act_kernel<<<grid, threads, 0, s>>>((float *)y, (const float *)b, rows, cols, act);
}

static void launch_softmax(float *out, const void *in, size_t rows, size_t cols, weft_precision p,
			   cudaStream_t s)
{
	const unsigned warps = 8;
	unsigned g = (unsigned)((rows + warps - 1) / warps);
	if (p == WEFT_PREC_FP16)
		softmax_kernel<<<g, warps * 32, 0, s>>>(out, (const __half *)in, rows, cols);
	else if (p == WEFT_PREC_BF16)
		softmax_kernel<<<g, warps * 32, 0, s>>>(out, (const __nv_bfloat16 *)in, rows, cols);
	else
		softmax_kernel<<<g, warps * 32, 0, s>>>(out, (const float *)in, rows, cols);
}

/* ==== host-side conversions for uploads ==================================================== */

/* n floats into prec's storage bits (host memory of n * elem_size bytes). */
static void host_to_storage(void *dst, const float *src, size_t n, weft_precision p)
{
	if (p == WEFT_PREC_FP16 || p == WEFT_PREC_BF16) {
		uint16_t *h = (uint16_t *)dst;
		for (size_t i = 0; i < n; i++)
			h[i] = p == WEFT_PREC_FP16 ? weft_f32_to_f16(src[i]) : weft_f32_to_bf16(src[i]);
	} else {
		memcpy(dst, src, n * sizeof(float));
	}
}

static void host_from_storage(float *dst, const void *src, size_t n, weft_precision p)
{
	if (p == WEFT_PREC_FP16 || p == WEFT_PREC_BF16) {
		const uint16_t *h = (const uint16_t *)src;
		for (size_t i = 0; i < n; i++)
			dst[i] = p == WEFT_PREC_FP16 ? weft_f16_to_f32(h[i]) : weft_bf16_to_f32(h[i]);
	} else {
		memcpy(dst, src, n * sizeof(float));
	}
}

/* cudaMalloc + upload of n floats converted to prec's type, on stream s
 * (the copy from pageable memory has left the host buffer when it returns). */
static cudaError_t upload(void **dptr, const float *src, size_t n, weft_precision p,
			  cudaStream_t s)
{
	*dptr = NULL;
	size_t bytes = n * elem_size(p);
	void *tmp = malloc(bytes ? bytes : 1);
	if (!tmp)
		return cudaErrorMemoryAllocation;
	host_to_storage(tmp, src, n, p);
	cudaError_t e = cudaMalloc(dptr, bytes ? bytes : 1);
	if (e == cudaSuccess)
		e = cudaMemcpyAsync(*dptr, tmp, bytes, cudaMemcpyHostToDevice, s);
	free(tmp);
	return e;
}

/* ==== the model on the device =========================================================== */

typedef struct {
	size_t m, k;                    /* out, in */
	int act;
	void *w, *b;                    /* device, prec's type */
	cublasLtMatrixLayout_t a_layout; /* W^T [k x m], ld k */
	cublasLtMatmulDesc_t desc_epi;  /* transa T, bias epilogue (+ relu/gelu) */
	cublasLtMatmulDesc_t desc_plain; /* transa T, no epilogue */
	bool act_in_epilogue;           /* relu, gelu, none: nothing left to do */
} gpu_layer;

/* What a batch size needs: layouts, chosen algorithms, graphs. */
typedef struct batch_plan {
	size_t batch;
	cublasLtMatrixLayout_t *b_layout; /* per layer: X^T [k x n], ld k */
	cublasLtMatrixLayout_t *d_layout; /* per layer: Y^T [m x n], ld m */
	cublasLtMatmulAlgo_t *algo;
	bool *fused;                      /* algo found with the epilogue */
	cudaGraphExec_t graph[2];         /* [timed] */
	int graph_kernels[2];             /* kernel nodes in each, for the floor */
	bool no_graph[2];                 /* its capture failed: runs eagerly */
	struct batch_plan *next;
} batch_plan;

struct weft_gpu_model {
	weft_precision prec;
	size_t n_layers, inputs, outputs, max_width, max_batch;
	bool softmax, use_graph;
	unsigned test_flags;  /* WEFT_GPU_TEST_*, kernels_int.h */
	gpu_layer *layers;
	cublasLtHandle_t lt;
	cublasLtMatmulPreference_t pref;
	cudaStream_t stream;
	cudaEvent_t ev[4];    /* before H2D, after H2D, after compute, after D2H */
	void *workspace;
	float *d_in;          /* fp32 input as copied in */
	void *d_x;            /* input in prec's type (16-bit precisions) */
	void *d_act[2];       /* layer outputs, prec's type */
	float *d_out;         /* fp32 output */
	float *h_in, *h_out;  /* pinned */
	batch_plan *plans;
};

static int cuda_fail(weft_diags *d, const char *what, cudaError_t e)
{
	weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL, "CUDA: %s: %s", what,
		       cudaGetErrorString(e));
	cudaGetLastError(); /* clear a non-sticky error */
	return WEFT_EENV;
}

static int lt_fail(weft_diags *d, const char *what, cublasStatus_t s)
{
	weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL, "cuBLASLt: %s: %s", what,
		       cublasLtGetStatusString(s));
	return WEFT_EENV;
}

#define CU(call, what)                                   \
	do {                                             \
		cudaError_t e_ = (call);                 \
		if (e_ != cudaSuccess)                   \
			return cuda_fail(d, (what), e_); \
	} while (0)
#define LT(call, what)                                    \
	do {                                              \
		cublasStatus_t s_ = (call);               \
		if (s_ != CUBLAS_STATUS_SUCCESS)          \
			return lt_fail(d, (what), s_);    \
	} while (0)

static int make_desc(cublasLtMatmulDesc_t *out, weft_precision p, cublasLtEpilogue_t epi,
		     const void *bias, weft_diags *d)
{
	cublasComputeType_t compute =
		p == WEFT_PREC_TF32 ? CUBLAS_COMPUTE_32F_FAST_TF32 : CUBLAS_COMPUTE_32F;
	LT(cublasLtMatmulDescCreate(out, compute, CUDA_R_32F), "matmul descriptor");
	cublasOperation_t ta = CUBLAS_OP_T, tb = CUBLAS_OP_N;
	LT(cublasLtMatmulDescSetAttribute(*out, CUBLASLT_MATMUL_DESC_TRANSA, &ta, sizeof ta), "transa");
	LT(cublasLtMatmulDescSetAttribute(*out, CUBLASLT_MATMUL_DESC_TRANSB, &tb, sizeof tb), "transb");
	LT(cublasLtMatmulDescSetAttribute(*out, CUBLASLT_MATMUL_DESC_EPILOGUE, &epi, sizeof epi),
	   "epilogue");
	if (epi != CUBLASLT_EPILOGUE_DEFAULT)
		LT(cublasLtMatmulDescSetAttribute(*out, CUBLASLT_MATMUL_DESC_BIAS_POINTER, &bias,
						  sizeof bias),
		   "bias pointer");
	return 0;
}

static void free_plan(batch_plan *pl, size_t n_layers)
{
	for (size_t i = 0; i < n_layers; i++) {
		if (pl->b_layout && pl->b_layout[i])
			cublasLtMatrixLayoutDestroy(pl->b_layout[i]);
		if (pl->d_layout && pl->d_layout[i])
			cublasLtMatrixLayoutDestroy(pl->d_layout[i]);
	}
	for (int t = 0; t < 2; t++)
		if (pl->graph[t])
			cudaGraphExecDestroy(pl->graph[t]);
	free(pl->b_layout);
	free(pl->d_layout);
	free(pl->algo);
	free(pl->fused);
	free(pl);
}

/* Layouts and one algorithm per layer for this batch size: the best the
 * heuristic offers with the fused epilogue, else without it (the bias and
 * activation then run in bias_act_kernel). */
static int make_plan(batch_plan **out, weft_gpu_model *g, size_t batch, weft_diags *d)
{
	batch_plan *pl = (batch_plan *)calloc(1, sizeof *pl);
	if (!pl)
		return WEFT_ENOMEM;
	size_t L = g->n_layers;
	pl->batch = batch;
	pl->b_layout = (cublasLtMatrixLayout_t *)calloc(L, sizeof *pl->b_layout);
	pl->d_layout = (cublasLtMatrixLayout_t *)calloc(L, sizeof *pl->d_layout);
	pl->algo = (cublasLtMatmulAlgo_t *)calloc(L, sizeof *pl->algo);
	pl->fused = (bool *)calloc(L, sizeof *pl->fused);
	if (!pl->b_layout || !pl->d_layout || !pl->algo || !pl->fused) {
		free_plan(pl, L);
		return WEFT_ENOMEM;
	}
	cudaDataType_t t = data_type(g->prec);
	int err = 0;
	for (size_t i = 0; i < L && !err; i++) {
		gpu_layer *ly = &g->layers[i];
		cublasStatus_t s = cublasLtMatrixLayoutCreate(&pl->b_layout[i], t, ly->k, batch,
							      (int64_t)ly->k);
		if (s == CUBLAS_STATUS_SUCCESS)
			s = cublasLtMatrixLayoutCreate(&pl->d_layout[i], t, ly->m, batch, (int64_t)ly->m);
		if (s != CUBLAS_STATUS_SUCCESS) {
			err = lt_fail(d, "matrix layout", s);
			break;
		}
		cublasLtMatmulHeuristicResult_t h;
		int found = 0;
		s = cublasLtMatmulAlgoGetHeuristic(g->lt, ly->desc_epi, ly->a_layout, pl->b_layout[i],
						   pl->d_layout[i], pl->d_layout[i], g->pref, 1, &h,
						   &found);
		if (s == CUBLAS_STATUS_SUCCESS && found > 0) {
			pl->fused[i] = true;
		} else {
			found = 0;
			s = cublasLtMatmulAlgoGetHeuristic(g->lt, ly->desc_plain, ly->a_layout,
							   pl->b_layout[i], pl->d_layout[i],
							   pl->d_layout[i], g->pref, 1, &h, &found);
			if (s != CUBLAS_STATUS_SUCCESS || found == 0) {
				weft_diags_add(d, WEFT_SEV_ERROR, NULL, 0, 0, NULL,
					       "cuBLASLt has no algorithm for layer %zu (%zu x %zu, "
					       "batch %zu, %s)", i, ly->m, ly->k, batch,
					       weft_precision_name(g->prec));
				err = WEFT_EENV;
				break;
			}
		}
		pl->algo[i] = h.algo;
	}
	if (err) {
		free_plan(pl, L);
		return err;
	}
	*out = pl;
	return 0;
}

static int get_plan(batch_plan **out, weft_gpu_model *g, size_t batch, weft_diags *d)
{
	for (batch_plan *pl = g->plans; pl; pl = pl->next) {
		if (pl->batch == batch) {
			*out = pl;
			return 0;
		}
	}
	int err = make_plan(out, g, batch, d);
	if (err)
		return err;
	(*out)->next = g->plans;
	g->plans = *out;
	return 0;
}

/* Everything one forward pass does on the stream, from pinned input to
 * pinned output. Used both directly and under graph capture (capturing:
 * the events become graph nodes). */
static int enqueue(weft_gpu_model *g, const batch_plan *pl, bool timed, bool capturing,
		   weft_diags *d)
{
	cudaStream_t s = g->stream;
	size_t n = pl->batch;
	unsigned evflags = capturing ? cudaEventRecordExternal : cudaEventRecordDefault;
	const float one = 1.0f, zero = 0.0f;
	if (capturing && (g->test_flags & WEFT_GPU_TEST_FAIL_CAPTURE))
		(void)cudaStreamQuery(s); /* illegal under capture: invalidates it */
	if (timed)
		CU(cudaEventRecordWithFlags(g->ev[0], s, evflags), "event");
	CU(cudaMemcpyAsync(g->d_in, g->h_in, n * g->inputs * sizeof(float), cudaMemcpyHostToDevice,
			   s),
	   "copy to device");
	if (timed)
		CU(cudaEventRecordWithFlags(g->ev[1], s, evflags), "event");

	const void *x = g->d_in;
	bool wide = elem_size(g->prec) == 4;
	if (!wide) {
		launch_convert(g->d_x, g->d_in, n * g->inputs, g->prec, true, s);
		x = g->d_x;
	}
	for (size_t i = 0; i < g->n_layers; i++) {
		const gpu_layer *ly = &g->layers[i];
		bool last = i + 1 == g->n_layers;
		/* fp32 storage without softmax: the last layer writes the output */
		void *y = last && wide && !g->softmax ? (void *)g->d_out : g->d_act[i % 2];
		bool fused = pl->fused[i];
		LT(cublasLtMatmul(g->lt, fused ? ly->desc_epi : ly->desc_plain, &one, ly->w,
				  ly->a_layout, x, pl->b_layout[i], &zero, y, pl->d_layout[i], y,
				  pl->d_layout[i], &pl->algo[i], g->workspace, WORKSPACE_BYTES, s),
		   "matmul");
		if (!fused)
			launch_bias_act(y, ly->b, n, ly->m, ly->act, g->prec, s);
		else if (!ly->act_in_epilogue)
			launch_bias_act(y, NULL, n, ly->m, ly->act, g->prec, s);
		x = y;
	}
	if (g->softmax)
		launch_softmax(g->d_out, x, n, g->outputs, g->prec, s);
	else if (!wide)
		launch_convert(g->d_out, x, n * g->outputs, g->prec, false, s);
	CU(cudaGetLastError(), "kernel launch");
	if (timed)
		CU(cudaEventRecordWithFlags(g->ev[2], s, evflags), "event");
	CU(cudaMemcpyAsync(g->h_out, g->d_out, n * g->outputs * sizeof(float),
			   cudaMemcpyDeviceToHost, s),
	   "copy to host");
	if (timed)
		CU(cudaEventRecordWithFlags(g->ev[3], s, evflags), "event");
	return 0;
}

/* Kernel nodes of a captured graph (what an empty graph must match to
 * measure the launch floor, scripts/perf-gpu). */
static int count_kernels(cudaGraph_t graph)
{
	size_t n = 0;
	if (cudaGraphGetNodes(graph, NULL, &n) != cudaSuccess || n == 0)
		return -1;
	cudaGraphNode_t *nodes = (cudaGraphNode_t *)calloc(n, sizeof *nodes);
	int k = 0;
	if (nodes && cudaGraphGetNodes(graph, nodes, &n) == cudaSuccess) {
		for (size_t i = 0; i < n; i++) {
			cudaGraphNodeType t;
			if (cudaGraphNodeGetType(nodes[i], &t) == cudaSuccess && t == cudaGraphNodeTypeKernel)
				k++;
		}
	} else {
		k = -1;
	}
	free(nodes);
	return k;
}

static int capture(cudaGraphExec_t *out, int *kernels, weft_gpu_model *g, const batch_plan *pl,
		   bool timed, weft_diags *d)
{
	CU(cudaStreamBeginCapture(g->stream, cudaStreamCaptureModeThreadLocal), "begin capture");
	int err = enqueue(g, pl, timed, true, d);
	cudaGraph_t graph = NULL;
	cudaError_t e = cudaStreamEndCapture(g->stream, &graph);
	if (!err && e == cudaSuccess && (g->test_flags & WEFT_GPU_TEST_FAIL_CAPTURE))
		err = cuda_fail(d, "end capture (the test's illegal call did not invalidate it)",
				cudaErrorStreamCaptureUnsupported);
	if (err) {
		if (graph)
			cudaGraphDestroy(graph);
		cudaGetLastError();
		return err;
	}
	if (e != cudaSuccess)
		return cuda_fail(d, "end capture", e);
	*kernels = count_kernels(graph);
	e = cudaGraphInstantiate(out, graph, 0);
	cudaGraphDestroy(graph);
	if (e != cudaSuccess)
		return cuda_fail(d, "instantiate graph", e);
	return 0;
}

extern "C" void weft_gpu_model_free(weft_gpu_model *g)
{
	if (!g)
		return;
	if (g->stream)
		cudaStreamSynchronize(g->stream);
	while (g->plans) {
		batch_plan *next = g->plans->next;
		free_plan(g->plans, g->n_layers);
		g->plans = next;
	}
	for (size_t i = 0; g->layers && i < g->n_layers; i++) {
		gpu_layer *ly = &g->layers[i];
		if (ly->a_layout)
			cublasLtMatrixLayoutDestroy(ly->a_layout);
		if (ly->desc_epi)
			cublasLtMatmulDescDestroy(ly->desc_epi);
		if (ly->desc_plain)
			cublasLtMatmulDescDestroy(ly->desc_plain);
		cudaFree(ly->w);
		cudaFree(ly->b);
	}
	free(g->layers);
	for (int i = 0; i < 4; i++)
		if (g->ev[i])
			cudaEventDestroy(g->ev[i]);
	if (g->pref)
		cublasLtMatmulPreferenceDestroy(g->pref);
	if (g->lt)
		cublasLtDestroy(g->lt);
	cudaFree(g->workspace);
	cudaFree(g->d_in);
	cudaFree(g->d_x);
	cudaFree(g->d_act[0]);
	cudaFree(g->d_act[1]);
	cudaFree(g->d_out);
	cudaFreeHost(g->h_in);
	cudaFreeHost(g->h_out);
	if (g->stream)
		cudaStreamDestroy(g->stream);
	free(g);
}

/* NaN (all bits set, in every float type) into the activation and output
 * buffers for rows rows, device and pinned, on the model's stream: an
 * element a kernel or a copy forgets to write shows up in the tests. */
static cudaError_t poison(weft_gpu_model *g, size_t rows)
{
	size_t es = elem_size(g->prec);
	cudaError_t e = cudaSuccess;
	for (int i = 0; i < 2 && e == cudaSuccess; i++)
		e = cudaMemsetAsync(g->d_act[i], 0xff, rows * g->max_width * es, g->stream);
	if (e == cudaSuccess)
		e = cudaMemsetAsync(g->d_out, 0xff, rows * g->outputs * sizeof(float), g->stream);
	if (e == cudaSuccess)
		e = cudaStreamSynchronize(g->stream); /* before the host writes h_out */
	memset(g->h_out, 0xff, rows * g->outputs * sizeof(float));
	return e;
}

static int setup(weft_gpu_model *g, const weft_model *m, weft_diags *d)
{
	weft_precision p = g->prec;
	size_t es = elem_size(p);
	CU(cudaSetDevice(0), "select device 0");
	CU(cudaStreamCreateWithFlags(&g->stream, cudaStreamNonBlocking), "stream");
	for (int i = 0; i < 4; i++)
		CU(cudaEventCreate(&g->ev[i]), "event");
	LT(cublasLtCreate(&g->lt), "handle");
	LT(cublasLtMatmulPreferenceCreate(&g->pref), "preference");
	uint64_t ws = WORKSPACE_BYTES;
	LT(cublasLtMatmulPreferenceSetAttribute(g->pref, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &ws,
						sizeof ws),
	   "workspace preference");
	CU(cudaMalloc(&g->workspace, WORKSPACE_BYTES), "workspace");

	size_t B = g->max_batch;
	CU(cudaMalloc((void **)&g->d_in, B * g->inputs * sizeof(float)), "input buffer");
	if (es != 4)
		CU(cudaMalloc(&g->d_x, B * g->inputs * es), "input buffer");
	for (int i = 0; i < 2; i++)
		CU(cudaMalloc(&g->d_act[i], B * g->max_width * es), "activation buffer");
	CU(cudaMalloc((void **)&g->d_out, B * g->outputs * sizeof(float)), "output buffer");
	CU(cudaMallocHost((void **)&g->h_in, B * g->inputs * sizeof(float)), "pinned input buffer");
	CU(cudaMallocHost((void **)&g->h_out, B * g->outputs * sizeof(float)),
	   "pinned output buffer");
	/* poisoned (NaN in every float type): an element a kernel forgets to
	 * write shows up in the agreement tests */
	CU(poison(g, B), "poison");

	g->layers = (gpu_layer *)calloc(g->n_layers, sizeof *g->layers);
	if (!g->layers)
		return WEFT_ENOMEM;
	for (size_t i = 0; i < g->n_layers; i++) {
		const weft_dense_layer *L = &m->layers[i];
		gpu_layer *ly = &g->layers[i];
		ly->m = L->out;
		ly->k = L->in;
		ly->act = L->act;
		CU(upload(&ly->w, L->w, L->out * L->in, p, g->stream), "upload weights");
		CU(upload(&ly->b, L->b, L->out, p, g->stream), "upload bias");
		LT(cublasLtMatrixLayoutCreate(&ly->a_layout, data_type(p), ly->k, ly->m, (int64_t)ly->k),
		   "weight layout");
		/* GELU: cuBLASLt documents neither the formula nor the accuracy of
		 * its GELU epilogue, so with fp32 storage (fp32, tf32) our own
		 * kernel computes it (tanh form, plain tanhf, as the CPU does);
		 * with 16-bit storage the epilogue's error is far below the
		 * rounding of the result (docs/performance.md) */
		bool gelu_epi = L->act == WEFT_ACT_GELU && es == 2;
		cublasLtEpilogue_t epi = CUBLASLT_EPILOGUE_BIAS;
		if (L->act == WEFT_ACT_RELU)
			epi = CUBLASLT_EPILOGUE_RELU_BIAS;
		else if (gelu_epi)
			epi = CUBLASLT_EPILOGUE_GELU_BIAS;
		ly->act_in_epilogue = L->act == WEFT_ACT_RELU || gelu_epi || L->act == WEFT_ACT_NONE;
		int err = make_desc(&ly->desc_epi, p, epi, ly->b, d);
		if (!err)
			err = make_desc(&ly->desc_plain, p, CUBLASLT_EPILOGUE_DEFAULT, NULL, d);
		if (err)
			return err;
	}
	/* this stream only: a device-wide synchronise is illegal while another
	 * thread captures a graph */
	CU(cudaStreamSynchronize(g->stream), "setup");
	return 0;
}

extern "C" int weft_gpu_model_new(weft_gpu_model **out, const weft_model *m, weft_precision prec,
				  size_t max_batch, bool use_graph, weft_diags *d)
{
	*out = NULL;
	weft_gpu_model *g = (weft_gpu_model *)calloc(1, sizeof *g);
	if (!g)
		return WEFT_ENOMEM;
	g->prec = prec;
	g->n_layers = m->n_layers;
	g->inputs = m->inputs;
	g->outputs = m->outputs;
	g->max_width = m->max_width;
	g->max_batch = max_batch;
	g->softmax = m->softmax;
	g->use_graph = use_graph;
	int err = setup(g, m, d);
	if (err) {
		if (err == WEFT_ENOMEM)
			weft_diags_error(d, m->path, 0, 0, "out of host memory setting up the GPU model");
		weft_gpu_model_free(g);
		return err == WEFT_ENOMEM ? WEFT_ENOMEM : WEFT_EENV;
	}
	*out = g;
	return 0;
}

static double elapsed(cudaEvent_t a, cudaEvent_t b)
{
	float ms = 0.0f;
	return cudaEventElapsedTime(&ms, a, b) == cudaSuccess ? (double)ms : 0.0;
}

/* Capture this batch size's pass as a graph for the next calls. A capture
 * that fails costs nothing but the graph: the pass just computed is kept,
 * the batch size runs eagerly from then on, and d gets a note saying why. */
static void capture_or_degrade(weft_gpu_model *g, batch_plan *pl, bool timed, weft_diags *d)
{
	weft_diags *why = NULL;
	if (weft_diags_new(&why))
		return; /* no memory for the reason: try again on the next call */
	if (capture(&pl->graph[timed], &pl->graph_kernels[timed], g, pl, timed, why)) {
		pl->graph[timed] = NULL;
		pl->no_graph[timed] = true;
		const weft_diag *first = weft_diags_count(why) ? weft_diags_get(why, 0) : NULL;
		weft_diags_add(d, WEFT_SEV_NOTE, NULL, 0, 0, NULL,
			       "batches of %zu rows run without a CUDA graph: capturing one failed (%s)",
			       pl->batch, first && first->message ? first->message : "no reason given");
	}
	weft_diags_free(why);
}

extern "C" int weft_gpu_model_forward(weft_gpu_model *g, const weft_model *m, float *out,
				      const float *in, size_t batch, weft_model_timing *timing,
				      weft_diags *d)
{
	(void)m;
	batch_plan *pl = NULL;
	int err = get_plan(&pl, g, batch, d);
	if (err)
		return err;
	bool timed = timing != NULL;
	if (g->test_flags & WEFT_GPU_TEST_POISON)
		CU(poison(g, batch), "poison");
	memcpy(g->h_in, in, batch * g->inputs * sizeof(float));
	bool graph = g->use_graph && batch <= GRAPH_MAX_BATCH && !pl->no_graph[timed];
	if (graph && pl->graph[timed]) {
		if (!(g->test_flags & WEFT_GPU_TEST_NOOP_REPLAY))
			CU(cudaGraphLaunch(pl->graph[timed], g->stream), "graph launch");
	} else if ((err = enqueue(g, pl, timed, false, d))) {
		return err;
	}
	CU(cudaStreamSynchronize(g->stream), "forward pass");
	/* The first pass of a batch size runs eagerly (which also loads every
	 * kernel it needs, so none loads under capture); then it is captured
	 * for the next calls. */
	if (graph && !pl->graph[timed])
		capture_or_degrade(g, pl, timed, d);
	memcpy(out, g->h_out, batch * g->outputs * sizeof(float));
	if (timed) {
		timing->h2d_ms = elapsed(g->ev[0], g->ev[1]);
		timing->compute_ms = elapsed(g->ev[1], g->ev[2]);
		timing->d2h_ms = elapsed(g->ev[2], g->ev[3]);
	}
	return 0;
}

extern "C" void weft_gpu_model_set_test_flags(weft_gpu_model *g, unsigned flags)
{
	g->test_flags = flags;
}

extern "C" int weft_gpu_model_graph_kernels(const weft_model *m, size_t batch, bool timed)
{
	if (!m->gpu)
		return -1;
	for (const batch_plan *pl = m->gpu->plans; pl; pl = pl->next)
		if (pl->batch == batch && pl->graph[timed])
			return pl->graph_kernels[timed];
	return -1;
}

/* ==== test hooks: one kernel alone, host data in and out ===================================
 * Each reports what went wrong in d (the tests print it), like the model. */

static int have_device(weft_diags *d)
{
	int n = 0;
	cudaError_t e = cudaGetDeviceCount(&n);
	if (e == cudaSuccess && n == 0)
		e = cudaErrorNoDevice;
	if (e == cudaSuccess)
		e = cudaSetDevice(0);
	return e == cudaSuccess ? 0 : cuda_fail(d, "find a device", e);
}

/* Device buffer of n elements of prec's type holding src, or poisoned
 * (all bits set: NaN) when src is NULL. NULL with the reason in d. */
static void *dev_buffer(const float *src, size_t n, weft_precision p, weft_diags *d)
{
	void *dptr = NULL;
	cudaError_t e;
	if (src) {
		e = upload(&dptr, src, n, p, 0);
	} else {
		e = cudaMalloc(&dptr, n * elem_size(p) + 1);
		if (e == cudaSuccess)
			e = cudaMemset(dptr, 0xff, n * elem_size(p) + 1);
	}
	if (e != cudaSuccess) {
		cuda_fail(d, src ? "upload test input" : "allocate test output", e);
		cudaFree(dptr);
		return NULL;
	}
	return dptr;
}

/* After the launches: the launch error, then the kernels' own. */
static int hook_finish(weft_diags *d)
{
	CU(cudaGetLastError(), "kernel launch");
	CU(cudaDeviceSynchronize(), "kernel run");
	return 0;
}

static int dev_download(float *dst, const void *dptr, size_t n, weft_precision p, weft_diags *d)
{
	size_t bytes = n * elem_size(p);
	void *tmp = malloc(bytes ? bytes : 1);
	if (!tmp) {
		weft_diags_error(d, NULL, 0, 0, "out of host memory");
		return WEFT_ENOMEM;
	}
	cudaError_t e = cudaMemcpy(tmp, dptr, bytes, cudaMemcpyDeviceToHost);
	if (e == cudaSuccess)
		host_from_storage(dst, tmp, n, p);
	free(tmp);
	return e == cudaSuccess ? 0 : cuda_fail(d, "download test output", e);
}

extern "C" int weft_gpu_test_convert(float *out, const float *in, size_t n, weft_precision prec,
				     weft_diags *d)
{
	int err = have_device(d);
	if (err)
		return err;
	float *d_in = (float *)dev_buffer(in, n, WEFT_PREC_FP32, d);
	void *d_t = d_in ? dev_buffer(NULL, n, prec, d) : NULL;
	float *d_back = d_t ? (float *)dev_buffer(NULL, n, WEFT_PREC_FP32, d) : NULL;
	err = WEFT_EENV;
	if (d_back) {
		launch_convert(d_t, d_in, n, prec, true, 0);
		launch_convert(d_back, d_t, n, prec, false, 0);
		err = hook_finish(d);
		if (!err)
			err = dev_download(out, d_back, n, WEFT_PREC_FP32, d);
	}
	cudaFree(d_in);
	cudaFree(d_t);
	cudaFree(d_back);
	return err;
}

extern "C" int weft_gpu_test_bias_act(float *y, const float *x, const float *b, size_t rows,
				      size_t cols, weft_activation act, weft_precision prec,
				      weft_diags *d)
{
	int err = have_device(d);
	if (err)
		return err;
	void *d_y = dev_buffer(x, rows * cols, prec, d);
	void *d_b = b && d_y ? dev_buffer(b, cols, prec, d) : NULL;
	err = WEFT_EENV;
	if (d_y && (d_b || !b)) {
		launch_bias_act(d_y, d_b, rows, cols, act, prec, 0);
		err = hook_finish(d);
		if (!err)
			err = dev_download(y, d_y, rows * cols, prec, d);
	}
	cudaFree(d_y);
	cudaFree(d_b);
	return err;
}

extern "C" int weft_gpu_test_softmax(float *y, const float *x, size_t rows, size_t cols,
				     weft_precision prec, weft_diags *d)
{
	int err = have_device(d);
	if (err)
		return err;
	void *d_x = dev_buffer(x, rows * cols, prec, d);
	float *d_y = d_x ? (float *)dev_buffer(NULL, rows * cols, WEFT_PREC_FP32, d) : NULL;
	err = WEFT_EENV;
	if (d_y) {
		launch_softmax(d_y, d_x, rows, cols, prec, 0);
		err = hook_finish(d);
		if (!err)
			err = dev_download(y, d_y, rows * cols, WEFT_PREC_FP32, d);
	}
	cudaFree(d_x);
	cudaFree(d_y);
	return err;
}

extern "C" int weft_gpu_test_linear(float *y, const float *x, const float *w, const float *b,
				    size_t batch, size_t in, size_t out, weft_activation act,
				    weft_precision prec, weft_diags *d)
{
	int err = have_device(d);
	if (err)
		return err;
	/* a one-layer model over the caller's arrays, through the real path */
	weft_dense_layer layer;
	memset(&layer, 0, sizeof layer);
	layer.in = in;
	layer.out = out;
	layer.act = act;
	layer.w = (float *)w;
	layer.b = (float *)b;
	weft_model m;
	memset(&m, 0, sizeof m);
	m.path = (char *)"<test>";
	m.layers = &layer;
	m.n_layers = 1;
	m.inputs = in;
	m.outputs = out;
	m.max_width = out;
	m.max_batch = batch;
	weft_gpu_model *g = NULL;
	err = weft_gpu_model_new(&g, &m, prec, batch, false, d);
	if (!err)
		err = weft_gpu_model_forward(g, &m, y, x, batch, NULL, d);
	weft_gpu_model_free(g);
	return err;
}

/* Whether this build has machine code or PTX the device can run: asks the
 * runtime for one of our kernels, which fails on a device of a compute
 * capability the build does not cover (cudaErrorNoKernelImageForDevice). */
extern "C" bool weft_gpu_kernels_load(char *why, size_t n)
{
	cudaFuncAttributes attr;
	cudaError_t e = cudaFuncGetAttributes(&attr, convert_kernel<float, float>);
	if (e == cudaSuccess)
		return true;
	snprintf(why, n, "%s", cudaGetErrorString(e));
	cudaGetLastError();
	return false;
}
