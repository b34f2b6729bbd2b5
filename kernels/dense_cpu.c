/* dense_cpu.c - the CPU forward pass of a dense network, and the reference
 * every CUDA kernel in dense_cuda.cu is tested against.
 *
 * Design choice: the matrix product goes to OpenBLAS (blas.c: sgemm with the
 * weight transposed, so PyTorch's [out, in] layout is used as stored) and everything
 * else is a plain loop written for clarity, one function per kernel, in
 * float, in the order the GPU kernels compute it.
 *
 * The forward pass (weft_ref_forward) does the bias and activation without
 * a pass of their own over each layer's output (issue 14): each block of
 * rows of the output is first filled with the bias, sgemm then adds the
 * product to it (beta = 1: OpenBLAS skips its own beta pass, which with
 * beta = 0 writes zeros over C), and the activation runs on the block right
 * after, while it is still in cache. The blocks are large enough that
 * sgemm's repacking of the weight per call stays small (CPU_BLOCK_ROWS).
 * The sum is b + x.w rather than x.w + b, a rounding-level difference. */
#include <math.h>
#include <string.h>

#include "kernels_int.h"

/* Rows of output per sgemm call: 256 x 512 floats is 512 KiB, within a
 * core's L2 on the machines we measured (docs/performance.md, CPU). */
#ifndef CPU_BLOCK_ROWS
#define CPU_BLOCK_ROWS 256
#endif

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

/* y = act(b + x w^T) for one layer, a block of rows at a time; false when
 * OpenBLAS is not there (nothing done). */
static bool linear_bias_act(float *y, const float *x, const weft_dense_layer *L, size_t batch)
{
	size_t in = L->in, out = L->out;
	for (size_t r0 = 0; r0 < batch; r0 += CPU_BLOCK_ROWS) {
		size_t rows = batch - r0 < CPU_BLOCK_ROWS ? batch - r0 : CPU_BLOCK_ROWS;
		float *yb = y + r0 * out;
		if (L->b)
			for (size_t r = 0; r < rows; r++)
				memcpy(yb + r * out, L->b, out * sizeof *yb);
		if (!weft_ref_linear_gemm(yb, x + r0 * in, L->w, rows, in, out, L->b != NULL))
			return false;
		if (L->act != WEFT_ACT_NONE)
			weft_ref_bias_act(yb, NULL, rows, out, L->act);
	}
	return true;
}

void weft_ref_forward(weft_model *m, float *out, const float *in, size_t batch)
{
	const float *x = in;
	for (size_t i = 0; i < m->n_layers; i++) {
		const weft_dense_layer *L = &m->layers[i];
		bool last = i + 1 == m->n_layers;
		float *y = last ? out : m->act[i % 2];
		if (!linear_bias_act(y, x, L, batch)) {
			weft_ref_linear(y, x, L->w, batch, L->in, L->out);
			weft_ref_bias_act(y, L->b, batch, L->out, L->act);
		}
		x = y;
	}
	if (m->softmax)
		weft_ref_softmax_rows(out, batch, m->outputs);
}
