/* {{project_name}}.c - runs the compiled-in network: the one predict call,
 * telemetry, and size facts.
 *
 * Key design choice: no heap and no state in the forward pass. Activations
 * live in two stack buffers of the widest layer's size (a compile-time
 * constant from the generated header), so the call is reentrant and its
 * memory use is fixed and known. Sums are accumulated in double from the
 * bias, activations are applied in double and rounded to float between
 * layers, like the shared runtime, so the float32 build reproduces it. The
 * int8 build multiplies integer weights by the input (the first layer's
 * input scaled per column by the generator's equalisation factors) and
 * applies the per-tensor scale once per output.
 */
#include "{{project_name}}.h"
#include "net.h"

#include <math.h>

static {{project_name}}_telemetry tele;
static {{project_name}}_telemetry_fn tele_cb;
static void *tele_ctx;

static double activate(int act, double v)
{
	switch (act) {
	case EMB_ACT_RELU:
		return v > 0.0 ? v : (v == v ? 0.0 : v);
	case EMB_ACT_GELU:
		return 0.5 * v * (1.0 + tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
	case EMB_ACT_TANH:
		return tanh(v);
	case EMB_ACT_SIGMOID:
		if (v >= 0.0)
			return 1.0 / (1.0 + exp(-v));
		else {
			double e = exp(v);
			return e / (1.0 + e);
		}
	default:
		return v;
	}
}

static void layer_run(const emb_layer *l, const float *in, float *out)
{
	for (unsigned o = 0; o < l->out; o++) {
		double acc = 0.0;
		if (l->q) {
			const signed char *row = l->q + (size_t)o * l->in;
			if (l->in_scale)
				for (unsigned i = 0; i < l->in; i++)
					acc += (double)row[i] * ((double)in[i] * (double)l->in_scale[i]);
			else
				for (unsigned i = 0; i < l->in; i++)
					acc += (double)row[i] * (double)in[i];
			acc *= (double)l->scale;
		} else {
			const float *row = l->w + (size_t)o * l->in;
			for (unsigned i = 0; i < l->in; i++)
				acc += (double)row[i] * (double)in[i];
		}
		out[o] = (float)activate(l->act, acc + (double)l->b[o]);
	}
}

static void softmax(float *y, unsigned n)
{
	float top = y[0];
	for (unsigned j = 1; j < n; j++)
		if (y[j] > top)
			top = y[j];
	double sum = 0.0;
	for (unsigned j = 0; j < n; j++)
		sum += exp((double)y[j] - (double)top);
	for (unsigned j = 0; j < n; j++)
		y[j] = (float)(exp((double)y[j] - (double)top) / sum);
}

static void record(float score, int finite)
{
	tele.calls++;
	if (!finite) {
		tele.nonfinite++;
	} else {
		int bin = score < 0.0f ? 0 : (int)(score * {{project_upper}}_HIST_BINS);
		if (bin >= {{project_upper}}_HIST_BINS)
			bin = {{project_upper}}_HIST_BINS - 1;
		tele.histogram[bin]++;
	}
	if (tele_cb)
		tele_cb(&tele, finite ? score : (float)NAN, tele_ctx);
}

int {{project_name}}_predict(const float *x, float *y)
{
	if (!x || !y)
		return -2;
	float buf[2][{{project_upper}}_MODEL_MAX_WIDTH];
	const emb_net *net = &{{project_name}}_net;
	const float *in = x;
	for (unsigned l = 0; l < net->n_layers; l++) {
		float *out = buf[l % 2];
		layer_run(&net->layers[l], in, out);
		in = out;
	}
	int finite = 1;
	for (unsigned j = 0; j < {{project_upper}}_OUTPUTS; j++)
		y[j] = in[j];
	if (net->softmax)
		softmax(y, {{project_upper}}_OUTPUTS);
	for (unsigned j = 0; j < {{project_upper}}_OUTPUTS; j++)
		if (!isfinite(y[j]))
			finite = 0;
	record(y[0], finite);
	return finite ? 0 : -1;
}

void {{project_name}}_set_telemetry({{project_name}}_telemetry_fn cb, void *ctx)
{
	tele_cb = cb;
	tele_ctx = ctx;
}

void {{project_name}}_telemetry_get({{project_name}}_telemetry *out)
{
	if (out)
		*out = tele;
}

void {{project_name}}_telemetry_reset(void)
{
	{{project_name}}_telemetry zero = { 0 };
	tele = zero;
}

size_t {{project_name}}_weight_bytes(void)
{
	return (size_t){{project_name}}_net.weight_bytes;
}

int {{project_name}}_quantized(void)
{
	return {{project_name}}_net.quantized;
}
