/* cuda_module.h - the interface between kernels/ and its CUDA module.
 *
 * The CUDA code (dense_cuda.cu, cuda_module.cu) is built as a module of its
 * own, libweft-cuda.so, linked with the CUDA runtime and cuBLAS; weft itself
 * links none of them. kernels/cuda.c opens the module with dlopen the first
 * time a GPU is asked about (a model on device auto or gpu, `weft doctor`),
 * looks up one symbol and calls through the table it returns. The module is
 * built from the same tree as the binary and shares its structures
 * (weft_model, weft_diags), so the loader refuses a module of another weft
 * version or ABI. Private to kernels/. */
#ifndef WEFT_CUDA_MODULE_H
#define WEFT_CUDA_MODULE_H

#include "kernels_int.h"

#ifdef __cplusplus
extern "C" {
#endif

#define WEFT_CUDA_MODULE_ABI 2
#define WEFT_CUDA_MODULE_SYMBOL "weft_cuda_module_v1"

typedef struct {
	unsigned abi;        /* WEFT_CUDA_MODULE_ABI */
	size_t size;         /* sizeof(weft_cuda_module_api) */
	const char *version; /* weft_version() of the build that made it */
	/* the CUDA half of weft_kernels_probe: runtime, driver, cuBLAS, device */
	void (*probe)(weft_kernels_info *info);
	/* the weft_gpu_* functions of kernels_int.h, same contracts */
	int (*model_new)(weft_gpu_model **out, const weft_model *m, weft_precision prec,
			 size_t max_batch, bool use_graph, weft_diags *d);
	void (*model_free)(weft_gpu_model *g);
	int (*model_forward)(weft_gpu_model *g, const weft_model *m, float *out, const float *in,
			     size_t batch, weft_model_timing *timing, weft_diags *d);
	int (*graph_kernels)(const weft_model *m, size_t batch, bool timed);
	void (*set_test_flags)(weft_gpu_model *g, unsigned flags);
	int (*test_convert)(float *out, const float *in, size_t n, weft_precision prec,
			    weft_diags *d);
	int (*test_bias_act)(float *y, const float *x, const float *b, size_t rows, size_t cols,
			     weft_activation act, weft_precision prec, weft_diags *d);
	int (*test_softmax)(float *y, const float *x, size_t rows, size_t cols,
			    weft_precision prec, weft_diags *d);
	int (*test_linear)(float *y, const float *x, const float *w, const float *b, size_t batch,
			   size_t in, size_t out, weft_activation act, weft_precision prec,
			   weft_diags *d);
} weft_cuda_module_api;

/* Inside the module only (dense_cuda.cu, for cuda_module.cu's probe). */
void weft_gpu_model_set_test_flags(weft_gpu_model *g, unsigned flags);
/* Whether the device can run this build's kernels; the reason in why if not. */
bool weft_gpu_kernels_load(char *why, size_t n);

typedef const weft_cuda_module_api *(*weft_cuda_module_fn)(void);

#ifdef __cplusplus
}
#endif
#endif
