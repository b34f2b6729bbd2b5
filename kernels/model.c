/* model.c - candidate models: a dense network read from a safetensors file,
 * and the device-independent half of its forward pass.
 *
 * Design choice: loading is the same for every device. The layers are
 * found by name (<prefix>.<i>.weight / .bias), checked, converted to float
 * once and kept on the host; the CPU path runs from them directly and the GPU
 * path (dense_cuda.cu) uploads them in its own precision. A model never holds
 * the file: after loading, only the float weights remain. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "kernels_int.h"

#define DEFAULT_MAX_BATCH 64
#define MAX_DIM (1u << 24)      /* features or units per layer */
#define MAX_BATCH (1u << 24)

void weft_model_opts_init(weft_model_opts *o)
{
	weft_model_opts def = WEFT_MODEL_OPTS_INIT;
	*o = def;
}

const char *weft_kernels_shape_str(const uint64_t *shape, size_t ndim, char *buf, size_t n)
{
	weft_buf b = WEFT_BUF_INIT;
	weft_buf_putc(&b, '[');
	for (size_t i = 0; i < ndim; i++)
		weft_buf_printf(&b, "%s%llu", i ? ", " : "", (unsigned long long)shape[i]);
	weft_buf_putc(&b, ']');
	if (b.oom || !b.ptr)
		snprintf(buf, n, "[?]");
	else if (b.len < n)
		memcpy(buf, b.ptr, b.len + 1);
	else if (n > 4)
		snprintf(buf, n, "%.*s...", (int)(n - 4), b.ptr);
	else if (n)
		buf[0] = '\0';
	weft_buf_free(&b);
	return buf;
}

/* ---- finding the layers ----------------------------------------------------------- */

/* Split "<prefix>.<digits>.weight|bias" into its parts. *prefix_len is the
 * length of the prefix ("" for "0.weight"). false for any other name. */
static bool split_layer_name(const char *name, size_t *prefix_len, size_t *index, bool *is_bias)
{
	size_t len = strlen(name), suffix;
	if (len > 7 && strcmp(name + len - 7, ".weight") == 0)
		suffix = 7, *is_bias = false;
	else if (len > 5 && strcmp(name + len - 5, ".bias") == 0)
		suffix = 5, *is_bias = true;
	else
		return false;
	size_t end = len - suffix, start = end;
	while (start > 0 && name[start - 1] >= '0' && name[start - 1] <= '9')
		start--;
	size_t digits = end - start;
	if (digits == 0 || digits > 9)
		return false;
	if (start > 0 && name[start - 1] != '.')
		return false;
	if (start == 1) /* ".0.weight": an empty prefix is written "0.weight" */
		return false;
	size_t v = 0;
	for (size_t i = start; i < end; i++)
		v = v * 10 + (size_t)(name[i] - '0');
	*index = v;
	*prefix_len = start ? start - 1 : 0;
	return true;
}

static int find_prefix(char **out, const weft_safetensors *st, const char *path, weft_diags *d)
{
	const char *first = NULL, *other = NULL;
	size_t first_len = 0, other_len = 0;
	for (size_t i = 0; i < weft_safetensors_count(st); i++) {
		const char *name = weft_safetensors_tensor(st, i)->name;
		size_t plen, index;
		bool bias;
		if (!split_layer_name(name, &plen, &index, &bias))
			continue;
		if (!first) {
			first = name, first_len = plen;
		} else if (plen != first_len || strncmp(name, first, plen) != 0) {
			other = name, other_len = plen;
			break;
		}
	}
	if (!first)
		return weft_diags_error(d, path, 0, 0, "no dense layers: no tensor is named "
					"<prefix>.<i>.weight or <prefix>.<i>.bias");
	if (other) {
		weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0,
			       "name one with --prefix or the metadata key weft.prefix",
			       "layers under more than one prefix: '%.*s' and '%.*s'", (int)first_len,
			       first, (int)other_len, other);
		return WEFT_EINVALID;
	}
	*out = strndup(first, first_len);
	return *out ? 0 : WEFT_ENOMEM;
}

/* Which tensors each layer uses, before conversion. */
typedef struct {
	size_t index;
	const weft_tensor *w, *b;
} layer_src;

/* One tensor matched to a layer, sorted by (index, weight before bias). */
typedef struct {
	size_t index;
	bool bias;
	const weft_tensor *t;
} layer_part;

static int cmp_part(const void *a, const void *b)
{
	const layer_part *x = a, *y = b;
	if (x->index != y->index)
		return x->index < y->index ? -1 : 1;
	return (int)x->bias - (int)y->bias;
}

/* Group the tensors under m->prefix into layers ordered by index (sorting,
 * not searching, so a file of a million tensors stays fast). */
static int collect_layers(weft_model *m, layer_src **srcs_out, const weft_safetensors *st,
			  weft_diags *d)
{
	const char *path = m->path, *prefix = m->prefix;
	size_t plen = strlen(prefix), n = weft_safetensors_count(st), np = 0;
	*srcs_out = NULL;
	layer_part *parts = malloc((n ? n : 1) * sizeof *parts);
	if (!parts)
		return WEFT_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		const weft_tensor *t = weft_safetensors_tensor(st, i);
		size_t tp, index;
		bool bias;
		bool under = plen && strncmp(t->name, prefix, plen) == 0 && t->name[plen] == '.';
		if (split_layer_name(t->name, &tp, &index, &bias) && tp == plen &&
		    strncmp(t->name, prefix, plen) == 0) {
			parts[np++] = (layer_part){ index, bias, t };
			continue;
		}
		if (under) {
			free(parts);
			return weft_diags_error(d, path, 0, 0, "tensor '%s' under prefix '%s' is "
						"neither a layer weight nor a bias (<prefix>.<i>.weight, "
						"<prefix>.<i>.bias)", t->name, prefix);
		}
		weft_diags_add(d, WEFT_SEV_WARNING, path, 0, 0, NULL,
			       "tensor '%s' is not part of the network; ignored", t->name);
	}
	qsort(parts, np, sizeof *parts, cmp_part);
	layer_src *srcs = calloc(np ? np : 1, sizeof *srcs);
	if (!srcs) {
		free(parts);
		return WEFT_ENOMEM;
	}
	size_t nl = 0;
	for (size_t i = 0; i < np; i++) {
		if (nl == 0 || srcs[nl - 1].index != parts[i].index)
			srcs[nl++].index = parts[i].index;
		layer_src *s = &srcs[nl - 1];
		const weft_tensor **slot = parts[i].bias ? &s->b : &s->w;
		if (*slot) {
			int err = weft_diags_error(d, path, 0, 0, "layer %zu has two %s tensors ('%s' "
						   "and '%s')", s->index, parts[i].bias ? "bias" : "weight",
						   (*slot)->name, parts[i].t->name);
			free(parts);
			free(srcs);
			return err;
		}
		*slot = parts[i].t;
	}
	free(parts);
	m->layers = calloc(nl ? nl : 1, sizeof *m->layers);
	if (!m->layers) {
		free(srcs);
		return WEFT_ENOMEM;
	}
	m->n_layers = nl;
	for (size_t i = 0; i < nl; i++)
		m->layers[i].index = srcs[i].index;
	*srcs_out = srcs;
	return 0;
}

static bool float_dtype(weft_dtype t)
{
	return t == WEFT_DTYPE_F32 || t == WEFT_DTYPE_F16 || t == WEFT_DTYPE_BF16;
}

static int check_layers(weft_model *m, const layer_src *srcs, weft_diags *d)
{
	const char *path = m->path, *p = m->prefix;
	const char *dot = *p ? "." : "";
	char sb[96];
	for (size_t i = 0; i < m->n_layers; i++) {
		weft_dense_layer *L = &m->layers[i];
		const weft_tensor *w = srcs[i].w, *b = srcs[i].b;
		if (!w)
			return weft_diags_error(d, path, 0, 0, "layer %zu has a bias but no weight "
						"'%s%s%zu.weight'", L->index, p, dot, L->index);
		if (!b)
			return weft_diags_error(d, path, 0, 0, "layer %zu has no bias '%s%s%zu.bias' "
						"(every layer needs one)", L->index, p, dot, L->index);
		if (!float_dtype(w->dtype) || !float_dtype(b->dtype))
			return weft_diags_error(d, path, 0, 0, "layer %zu: dtype %s is not a model "
						"dtype (F32, F16 or BF16)", L->index,
						weft_dtype_name(float_dtype(w->dtype) ? b->dtype : w->dtype));
		if (w->ndim != 2)
			return weft_diags_error(d, path, 0, 0, "layer %zu: weight '%s' has shape %s; "
						"expected [out, in]", L->index, w->name,
						weft_kernels_shape_str(w->shape, w->ndim, sb, sizeof sb));
		if (w->shape[0] == 0 || w->shape[1] == 0 || w->shape[0] > MAX_DIM || w->shape[1] > MAX_DIM)
			return weft_diags_error(d, path, 0, 0, "layer %zu: weight '%s' has shape %s; "
						"each dimension must be 1 to %u", L->index, w->name,
						weft_kernels_shape_str(w->shape, w->ndim, sb, sizeof sb),
						MAX_DIM);
		L->out = (size_t)w->shape[0];
		L->in = (size_t)w->shape[1];
		L->dtype = w->dtype;
		if (b->ndim != 1 || b->shape[0] != L->out)
			return weft_diags_error(d, path, 0, 0, "layer %zu: bias '%s' has shape %s; "
						"expected [%zu] to match the weight's %zu outputs",
						L->index, b->name,
						weft_kernels_shape_str(b->shape, b->ndim, sb, sizeof sb),
						L->out, L->out);
		if (i > 0 && L->in != m->layers[i - 1].out)
			return weft_diags_error(d, path, 0, 0, "layer %zu takes %zu inputs but layer "
						"%zu gives %zu outputs (weight '%s' has shape %s)",
						L->index, L->in, m->layers[i - 1].index,
						m->layers[i - 1].out, w->name,
						weft_kernels_shape_str(w->shape, w->ndim, sb, sizeof sb));
	}
	return 0;
}

/* "relu, relu,none" -> one activation per layer. */
static int parse_activations(weft_model *m, const char *list, const char *source, weft_diags *d)
{
	size_t i = 0;
	const char *s = list;
	for (;;) {
		while (*s == ' ' || *s == '\t')
			s++;
		size_t len = strcspn(s, ",");
		size_t tl = len;
		while (tl > 0 && (s[tl - 1] == ' ' || s[tl - 1] == '\t'))
			tl--;
		char word[16];
		weft_activation a;
		if (tl >= sizeof word || (memcpy(word, s, tl), word[tl] = '\0',
					  weft_activation_parse(&a, word))) {
			weft_diags_add(d, WEFT_SEV_ERROR, m->path, 0, 0,
				       "activations: none, relu, gelu, tanh, sigmoid",
				       "%s: unknown activation '%.*s'", source, (int)tl, s);
			return WEFT_EINVALID;
		}
		if (i < m->n_layers)
			m->layers[i].act = a;
		i++;
		if (s[len] != ',')
			break;
		s += len + 1;
	}
	if (i != m->n_layers)
		return weft_diags_error(d, m->path, 0, 0, "%s: %zu activations for %zu layers", source,
					i, m->n_layers);
	return 0;
}

static int set_architecture(weft_model *m, const weft_safetensors *st, const weft_model_opts *o,
			    weft_diags *d)
{
	if (o->activations) {
		m->softmax = o->softmax;
		return parse_activations(m, o->activations, "activations", d);
	}
	const char *acts = weft_safetensors_metadata(st, "weft.activations");
	const char *soft = weft_safetensors_metadata(st, "weft.softmax");
	if (soft) {
		if (strcmp(soft, "true") == 0)
			m->softmax = true;
		else if (strcmp(soft, "false") != 0)
			return weft_diags_error(d, m->path, 0, 0, "__metadata__ weft.softmax is '%s'; "
						"expected \"true\" or \"false\"", soft);
	}
	if (acts)
		return parse_activations(m, acts, "__metadata__ weft.activations", d);
	for (size_t i = 0; i < m->n_layers; i++)
		m->layers[i].act = i + 1 < m->n_layers ? WEFT_ACT_RELU : WEFT_ACT_NONE;
	weft_diags_add(d, WEFT_SEV_WARNING, m->path, 0, 0,
		       "add __metadata__ \"weft.activations\": \"relu,...,none\" or pass --activations",
		       "no activations given; assuming relu after every layer but the last");
	return 0;
}

/* The GPU model for device auto: a setup that fails for want of the
 * device's resources (memory, a CUDA error) leaves the model on the CPU
 * with a note naming the reason, instead of failing the load. */
static bool place_gpu_or_note(weft_model *m, const weft_model_opts *o, weft_diags *d)
{
	weft_diags *why = NULL;
	if (weft_diags_new(&why))
		return false;
	int err = weft_gpu_model_new(&m->gpu, m, o->precision, m->max_batch, o->use_graph, why);
	size_t n = weft_diags_count(why);
	for (size_t i = 0; i < n; i++) {
		const weft_diag *g = weft_diags_get(why, i);
		if (!err || g->severity != WEFT_SEV_ERROR)
			weft_diags_add(d, g->severity, g->path, g->line, g->col, g->hint, "%s",
				       g->message ? g->message : "");
	}
	if (err) {
		const weft_diag *g = n ? weft_diags_get(why, n - 1) : NULL;
		weft_diags_add(d, WEFT_SEV_NOTE, m->path, 0, 0, "--device gpu makes this an error",
			       "setting up the GPU failed (%s); the model runs on the CPU",
			       g && g->message ? g->message : weft_error_str(err));
	}
	weft_diags_free(why);
	return err == 0;
}

static int place(weft_model *m, const weft_model_opts *o, weft_diags *d)
{
	weft_device dev = o->device;
	weft_precision prec = o->precision;
	if (dev != WEFT_DEVICE_CPU) {
		weft_kernels_info info;
		memset(&info, 0, sizeof info);
		weft_kernels_cuda_probe(&info);
		if (!info.device_found) {
			if (dev == WEFT_DEVICE_GPU) {
				weft_diags_add(d, WEFT_SEV_ERROR, m->path, 0, 0,
					       "use --device cpu or auto, or run where a GPU is",
					       "device gpu requested but %s", info.reason);
				return WEFT_EENV;
			}
			weft_diags_add(d, WEFT_SEV_NOTE, m->path, 0, 0, NULL,
				       "%s; the model runs on the CPU", info.reason);
			dev = WEFT_DEVICE_CPU;
		} else if (dev == WEFT_DEVICE_AUTO) {
			if (place_gpu_or_note(m, o, d)) {
				m->precision = prec;
				return 0;
			}
			dev = WEFT_DEVICE_CPU;
		}
	}
	if (dev == WEFT_DEVICE_CPU) {
		if (prec != WEFT_PREC_FP32)
			weft_diags_add(d, WEFT_SEV_NOTE, m->path, 0, 0, NULL,
				       "the CPU computes in fp32; precision %s applies on the GPU only",
				       weft_precision_name(prec));
		m->precision = WEFT_PREC_FP32;
		/* a missing OpenBLAS is a warning: the products fall back to a loop */
		weft_kernels_blas_open(o->threads, d);
		size_t per = 0;
		if (__builtin_mul_overflow(m->max_batch, m->max_width, &per) ||
		    __builtin_mul_overflow(per, sizeof(float), &per))
			return weft_diags_error(d, m->path, 0, 0, "max_batch %zu is too large for layers "
						"of %zu units", m->max_batch, m->max_width);
		for (int i = 0; i < 2; i++) {
			m->act[i] = malloc(per);
			if (!m->act[i]) {
				weft_diags_error(d, m->path, 0, 0, "out of memory for %zu-row buffers",
						 m->max_batch);
				return WEFT_ENOMEM;
			}
		}
		return 0;
	}
	m->precision = prec;
	return weft_gpu_model_new(&m->gpu, m, prec, m->max_batch, o->use_graph, d);
}

int weft_model_from_safetensors(weft_model **out, const weft_safetensors *st,
				const weft_model_opts *opts, weft_diags *d)
{
	*out = NULL;
	weft_model_opts o;
	weft_model_opts_init(&o);
	if (opts)
		o = *opts;
	if (o.max_batch == 0)
		o.max_batch = DEFAULT_MAX_BATCH;
	const char *path = weft_safetensors_path(st);
	if (o.max_batch > MAX_BATCH)
		return weft_diags_error(d, path, 0, 0, "max_batch %zu is above the limit of %u",
					o.max_batch, MAX_BATCH);

	weft_model *m = calloc(1, sizeof *m);
	if (!m || !(m->path = strdup(path))) {
		free(m);
		return WEFT_ENOMEM;
	}
	m->max_batch = o.max_batch;
	size_t file_len = 0;
	weft_safetensors_bytes(st, &file_len);
	m->bytes = file_len;

	int err = 0;
	layer_src *srcs = NULL;
	const char *prefix = o.prefix ? o.prefix : weft_safetensors_metadata(st, "weft.prefix");
	if (prefix)
		err = (m->prefix = strdup(prefix)) ? 0 : WEFT_ENOMEM;
	else
		err = find_prefix(&m->prefix, st, path, d);
	if (!err)
		err = collect_layers(m, &srcs, st, d);
	if (!err && m->n_layers == 0)
		err = weft_diags_error(d, path, 0, 0, "no dense layers under prefix '%s'", m->prefix);
	if (!err)
		err = check_layers(m, srcs, d);
	if (!err)
		err = set_architecture(m, st, &o, d);
	for (size_t i = 0; !err && i < m->n_layers; i++) {
		weft_dense_layer *L = &m->layers[i];
		L->w = malloc(L->in * L->out * sizeof(float));
		L->b = malloc(L->out * sizeof(float));
		if (!L->w || !L->b) {
			err = WEFT_ENOMEM;
			break;
		}
		weft_tensor_to_f32(L->w, srcs[i].w);
		weft_tensor_to_f32(L->b, srcs[i].b);
		m->params += L->in * L->out + L->out;
		if (L->out > m->max_width)
			m->max_width = L->out;
	}
	free(srcs);
	if (!err) {
		m->inputs = m->layers[0].in;
		m->outputs = m->layers[m->n_layers - 1].out;
		err = place(m, &o, d);
	}
	if (err == WEFT_ENOMEM && !weft_diags_errors(d))
		weft_diags_error(d, path, 0, 0, "out of memory loading the model");
	if (err) {
		weft_model_free(m);
		return err;
	}
	*out = m;
	return 0;
}

int weft_model_load(weft_model **out, const char *path, const weft_model_opts *opts,
		    weft_diags *d)
{
	*out = NULL;
	weft_safetensors *st = NULL;
	int err = weft_safetensors_load(&st, path, NULL, d);
	if (err)
		return err;
	err = weft_model_from_safetensors(out, st, opts, d);
	weft_safetensors_free(st);
	return err;
}

void weft_model_free(weft_model *m)
{
	if (!m)
		return;
	weft_gpu_model_free(m->gpu);
	for (size_t i = 0; i < m->n_layers; i++) {
		free(m->layers[i].w);
		free(m->layers[i].b);
	}
	free(m->layers);
	free(m->act[0]);
	free(m->act[1]);
	free(m->prefix);
	free(m->path);
	free(m);
}

/* ---- accessors ------------------------------------------------------------------- */

size_t weft_model_inputs(const weft_model *m) { return m->inputs; }
size_t weft_model_outputs(const weft_model *m) { return m->outputs; }
size_t weft_model_params(const weft_model *m) { return m->params; }
size_t weft_model_bytes(const weft_model *m) { return m->bytes; }
bool weft_model_on_gpu(const weft_model *m) { return m->gpu != NULL; }
size_t weft_model_layers(const weft_model *m) { return m->n_layers; }
bool weft_model_softmax(const weft_model *m) { return m->softmax; }
const char *weft_model_prefix(const weft_model *m) { return m->prefix; }
size_t weft_model_max_batch(const weft_model *m) { return m->max_batch; }
weft_precision weft_model_precision(const weft_model *m) { return m->precision; }

int weft_model_layer(weft_layer_info *out, const weft_model *m, size_t i)
{
	if (i >= m->n_layers)
		return WEFT_EINVALID;
	const weft_dense_layer *L = &m->layers[i];
	out->index = L->index;
	out->in = L->in;
	out->out = L->out;
	out->act = L->act;
	out->dtype = L->dtype;
	return 0;
}

/* ---- forward -------------------------------------------------------------------------- */

int weft_model_forward(weft_model *m, float *out, const float *in, size_t batch,
		       weft_model_timing *timing, weft_diags *d)
{
	if (timing)
		memset(timing, 0, sizeof *timing);
	if (batch > m->max_batch)
		return weft_diags_error(d, m->path, 0, 0, "batch of %zu rows exceeds max_batch %zu",
					batch, m->max_batch);
	if (batch == 0)
		return 0;
	uint64_t t0 = weft_now_ns();
	int err = 0;
	if (m->gpu)
		err = weft_gpu_model_forward(m->gpu, m, out, in, batch, timing, d);
	else
		weft_ref_forward(m, out, in, batch);
	if (timing)
		timing->host_ms = (double)(weft_now_ns() - t0) / 1e6;
	return err;
}
