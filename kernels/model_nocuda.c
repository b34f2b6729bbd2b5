/* model_nocuda.c - the GPU side of the model for builds without CUDA: every
 * entry point says there is no device. Replaced by dense_cuda.cu when CUDA
 * is compiled in; model.c never calls these unless a device was found, so
 * in practice only the tests reach them. */
#include "kernels_int.h"

int weft_gpu_model_new(weft_gpu_model **out, const weft_model *m, weft_precision prec,
		       size_t max_batch, bool use_graph, weft_diags *d)
{
	*out = NULL;
	weft_diags_add(d, WEFT_SEV_ERROR, m->path, 0, 0, NULL, "this build has no CUDA support");
	return WEFT_EENV;
}

void weft_gpu_model_free(weft_gpu_model *g)
{
	(void)g;
}

int weft_gpu_model_forward(weft_gpu_model *g, const weft_model *m, float *out, const float *in,
			   size_t batch, weft_model_timing *timing, weft_diags *d)
{
	weft_diags_add(d, WEFT_SEV_ERROR, m->path, 0, 0, NULL, "this build has no CUDA support");
	return WEFT_EENV;
}

int weft_gpu_model_graph_kernels(const weft_model *m, size_t batch, bool timed)
{
	return -1;
}

int weft_gpu_test_convert(float *out, const float *in, size_t n, weft_precision prec)
{
	return WEFT_EENV;
}

int weft_gpu_test_bias_act(float *y, const float *x, const float *b, size_t rows, size_t cols,
			   weft_activation act, weft_precision prec)
{
	return WEFT_EENV;
}

int weft_gpu_test_softmax(float *y, const float *x, size_t rows, size_t cols,
			  weft_precision prec)
{
	return WEFT_EENV;
}

int weft_gpu_test_linear(float *y, const float *x, const float *w, const float *b, size_t batch,
			 size_t in, size_t out, weft_activation act, weft_precision prec)
{
	return WEFT_EENV;
}
