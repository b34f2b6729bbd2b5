/* dense_cpu.c - the CPU forward pass of a dense network, and the reference
 * every CUDA kernel in dense_cuda.cu is tested against.
 *
 * Design choice: the matrix product goes to OpenBLAS (blas.c: sgemm with the
 * weight transposed, so PyTorch's [out, in] layout is used as stored) and everything
 * else is a plain loop written for clarity, one function per kernel, in
 * float, in the order the GPU kernels compute it. */
#include <math.h>
#include <string.h>

#include "kernels_int.h"

float weft_ref_act(float x, weft_activation act)
{
	switch (act) {
	case WEFT_ACT_RELU:
		return x > 0.0f ? x : 0.0f;
	case WEFT_ACT_GELU: {
		/* tanh approximation (Hendrycks & Gimpel), as cuBLASLt's epilogue */
		const float k = 0.7978845608028654f; /* sqrt(2/pi) */
		return 0.5f * x * (1.0f + tanhf(k * (x + 0.044715f * x * x * x)));
	}
	case WEFT_ACT_TANH:
		return tanhf(x);
	case WEFT_ACT_SIGMOID:
		/* never exp of a large positive number */
		if (x >= 0.0f)
			return 1.0f / (1.0f + expf(-x));
		else {
			float e = expf(x);
			return e / (1.0f + e);
		}
	case WEFT_ACT_NONE:
	default:
		return x;
	}
}

void weft_ref_bias_act(float *y, const float *b, size_t rows, size_t cols, weft_activation act)
{
	/* relu and none get loops of their own, which the compiler vectorises:
	 * at large batches this pass is the CPU path's only cost besides sgemm */
	for (size_t r = 0; r < rows; r++) {
		float *row = y + r * cols;
		if (b)
			for (size_t c = 0; c < cols; c++)
				row[c] += b[c];
		if (act == WEFT_ACT_RELU) {
			for (size_t c = 0; c < cols; c++)
				row[c] = row[c] > 0.0f ? row[c] : 0.0f;
		} else if (act != WEFT_ACT_NONE) {
			for (size_t c = 0; c < cols; c++)
				row[c] = weft_ref_act(row[c], act);
		}
	}
}

void weft_ref_softmax_rows(float *y, size_t rows, size_t cols)
{
	for (size_t r = 0; r < rows; r++) {
		float *row = y + r * cols;
		float mx = -INFINITY;
		for (size_t c = 0; c < cols; c++)
			mx = fmaxf(mx, row[c]);
		float sum = 0.0f;
		for (size_t c = 0; c < cols; c++) {
			row[c] = expf(row[c] - mx);
			sum += row[c];
		}
		for (size_t c = 0; c < cols; c++)
			row[c] /= sum;
	}
}

float weft_ref_round(float x, weft_precision prec)
{
	switch (prec) {
	case WEFT_PREC_FP16:
		return weft_f16_to_f32(weft_f32_to_f16(x));
	case WEFT_PREC_BF16:
		return weft_bf16_to_f32(weft_f32_to_bf16(x));
	default:
		return x;
	}
}

void weft_ref_forward(weft_model *m, float *out, const float *in, size_t batch)
{
	const float *x = in;
	for (size_t i = 0; i < m->n_layers; i++) {
		const weft_dense_layer *L = &m->layers[i];
		bool last = i + 1 == m->n_layers;
		float *y = last ? out : m->act[i % 2];
		weft_ref_linear(y, x, L->w, batch, L->in, L->out);
		weft_ref_bias_act(y, L->b, batch, L->out, L->act);
		x = y;
	}
	if (m->softmax)
		weft_ref_softmax_rows(out, batch, m->outputs);
}
