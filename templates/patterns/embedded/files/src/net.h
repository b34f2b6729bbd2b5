/* net.h - private: the layer table that tools/embed.c generates and
 * src/{{project_name}}.c runs. Not installed; the public API is
 * include/{{project_name}}.h.
 *
 * A layer holds either float weights (w) or int8 weights (q) with one
 * per-tensor scale, never both; biases are always float.
 */
#ifndef {{project_upper}}_NET_H
#define {{project_upper}}_NET_H

#include <stddef.h>

#define EMB_ACT_NONE 0
#define EMB_ACT_RELU 1
#define EMB_ACT_GELU 2
#define EMB_ACT_TANH 3
#define EMB_ACT_SIGMOID 4

typedef struct emb_layer {
	unsigned in, out;
	int act;
	const float *w;        /* [out][in] row-major, or NULL when quantised */
	const signed char *q;  /* [out][in] int8, or NULL */
	float scale;           /* w = q * scale */
	const float *in_scale; /* [in] or NULL: multiplies the input first
	                        * (int8 first layer: input equalisation) */
	const float *b;        /* [out] */
} emb_layer;

typedef struct emb_net {
	unsigned n_layers;
	const emb_layer *layers;
	int softmax;
	int quantized;
	unsigned long weight_bytes; /* bytes of the weight, bias and scale arrays */
} emb_net;

extern const emb_net {{project_name}}_net;

#endif
