/* kernels_int.h - private declarations shared by the CPU and CUDA files of
 * kernels/ (and by the kernels' own tests). Not part of the public interface.
 *
 * The model struct lives here so that dense_cuda.cu can read the layers the
 * common loader (model.c) built. Each CUDA kernel in dense_cuda.cu has its
 * CPU reference declared here (weft_ref_*), and a host-side test hook
 * (weft_gpu_test_*) that runs just that kernel on given inputs, so the tests
 * can compare the two. */
#ifndef WEFT_KERNELS_INT_H
#define WEFT_KERNELS_INT_H

#include "weft_kernels.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- OpenBLAS, opened on first use (blas.c) ------------------------------------ */

/* Open OpenBLAS with threads workers (at least 1) the first time, or raise
 * the process-wide count to threads when it is larger than what it has; a
 * smaller request keeps the count. WEFT_EENV with a warning in d when
 * OpenBLAS cannot be loaded (products then use a plain loop). Thread-safe. */
int weft_kernels_blas_open(int threads, weft_diags *d);
/* The thread count in force, 0 before OpenBLAS was opened (or without it). */
int weft_kernels_blas_threads(void);
/* "OpenBLAS 0.3.21 ... , 1 thread", or why there is none; opens it. */
void weft_kernels_blas_describe(char *buf, size_t n);

/* ---- the CUDA module (cuda.c) --------------------------------------------------- */

/* Fill info's CUDA fields, opening the CUDA module the first time. */
void weft_kernels_cuda_probe(weft_kernels_info *info);

/* Strict UTF-8 without NUL; *bad gets the offset of the first bad byte. */
bool weft_kernels_utf8_valid(const uint8_t *s, size_t len, size_t *bad);
/* "[2, 3]" into buf (truncated with "..." when too long); returns buf. */
const char *weft_kernels_shape_str(const uint64_t *shape, size_t ndim, char *buf, size_t n);

/* ---- the model ---------------------------------------------------------------- */

typedef struct {
	size_t index;        /* <i> in the tensor names */
	size_t in, out;
	weft_activation act;
	weft_dtype dtype;    /* of the weight in the file */
	float *w;            /* out x in, row-major (PyTorch's layout) */
	float *b;            /* out */
} weft_dense_layer;

typedef struct weft_gpu_model weft_gpu_model;

struct weft_model {
	char *path;
	char *prefix;
	weft_dense_layer *layers;
	size_t n_layers;
	bool softmax;
	size_t inputs, outputs, max_width, params, bytes, max_batch;
	weft_precision precision; /* what the forward pass uses */
	float *act[2];            /* CPU ping-pong buffers, max_batch x max_width */
	weft_gpu_model *gpu;      /* NULL when the model runs on the CPU */
};

/* ---- CPU reference kernels (dense_cpu.c) ---------------------------------------- */

/* y (batch x out) = x (batch x in) . w^T, or y += that when accumulate,
 * through OpenBLAS's sgemm; false (nothing done) without OpenBLAS. */
bool weft_ref_linear_gemm(float *y, const float *x, const float *w, size_t batch, size_t in,
			  size_t out, bool accumulate);
/* y (batch x out) = x (batch x in) . w^T, w out x in: OpenBLAS sgemm, or a
 * plain loop without it. */
void weft_ref_linear(float *y, const float *x, const float *w, size_t batch, size_t in,
		     size_t out);
/* One activation of one value, in float. */
float weft_ref_act(float x, weft_activation act);
/* y[r][c] = act(y[r][c] + b[c]) for rows x cols, in place; b may be NULL. */
void weft_ref_bias_act(float *y, const float *b, size_t rows, size_t cols, weft_activation act);
/* Row-wise softmax in place, max-subtracted: exp(y - max) / sum. */
void weft_ref_softmax_rows(float *y, size_t rows, size_t cols);
/* The whole forward pass on the CPU (m->act buffers). */
void weft_ref_forward(weft_model *m, float *out, const float *in, size_t batch);
/* x rounded to the storage type of prec (fp16/bf16; fp32 and tf32 unchanged). */
float weft_ref_round(float x, weft_precision prec);

/* ---- GPU side: dense_cuda.cu in the CUDA module, reached through cuda.c, which
 * returns WEFT_EENV (with the reason in d) when the module cannot be opened ---- */

/* Upload the model's weights in prec's storage type, pinned host buffers for
 * max_batch rows, cuBLASLt descriptors. Errors recorded in d (WEFT_EENV). */
int weft_gpu_model_new(weft_gpu_model **out, const weft_model *m, weft_precision prec,
		       size_t max_batch, bool use_graph, weft_diags *d);
void weft_gpu_model_free(weft_gpu_model *g);
int weft_gpu_model_forward(weft_gpu_model *g, const weft_model *m, float *out, const float *in,
			   size_t batch, weft_model_timing *timing, weft_diags *d);
/* Kernel nodes in the graph captured for this batch size (timed or not),
 * -1 when there is none yet (for scripts/perf-gpu's floor). */
int weft_gpu_model_graph_kernels(const weft_model *m, size_t batch, bool timed);

/* Test flags of a model on the GPU, for the tests alone (nothing else sets
 * them): they let a test prove that it catches a broken forward pass. */
enum {
	WEFT_GPU_TEST_POISON = 1u,       /* NaN into the activation and output buffers,
					  * device and pinned, before every pass */
	WEFT_GPU_TEST_NOOP_REPLAY = 2u,  /* a graph replay launches nothing */
	WEFT_GPU_TEST_FAIL_CAPTURE = 4u, /* an illegal call under every capture */
};
/* Set m's test flags; WEFT_EINVALID when m runs on the CPU. */
int weft_model_set_gpu_test_flags(weft_model *m, unsigned flags);

/* Test hooks: run one kernel on the device over host data (floats in and
 * out; the device stores prec's type). 0, or WEFT_EENV (the reason in d)
 * without a device or when a CUDA call fails. */
int weft_gpu_test_convert(float *out, const float *in, size_t n, weft_precision prec,
			  weft_diags *d);
int weft_gpu_test_bias_act(float *y, const float *x, const float *b, size_t rows, size_t cols,
			   weft_activation act, weft_precision prec, weft_diags *d);
int weft_gpu_test_softmax(float *y, const float *x, size_t rows, size_t cols,
			  weft_precision prec, weft_diags *d);
/* One layer through cuBLASLt (epilogue when it has one): y = act(x w^T + b). */
int weft_gpu_test_linear(float *y, const float *x, const float *w, const float *b, size_t batch,
			 size_t in, size_t out, weft_activation act, weft_precision prec,
			 weft_diags *d);

#ifdef __cplusplus
}
#endif
#endif
