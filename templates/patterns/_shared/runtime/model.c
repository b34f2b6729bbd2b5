/* model.c - a dense network loaded from safetensors and run row by row.
 *
 * Key choice: everything is checked and converted once, at load: the layer
 * chain (<prefix>.<i>.weight/.bias with matching sizes, no stray tensors under
 * the prefix), the activations and softmax flag from the metadata, finite
 * weights. Weights are copied into float arrays owned by the model, so the
 * file buffer is not kept and model_predict only does arithmetic: double
 * accumulation per output, float between layers, no allocation.
 */
#include "model.h"

#include "safetensors.h"
#include "sha256.h"

#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MD_MAX_FILE ((size_t)1 << 30) /* model_load refuses files above 1 GiB */
#define MD_MAX_PREFIX 64

typedef struct md_layer {
	size_t in, out;
	model_activation act;
	float *w; /* [out][in] */
	float *b; /* [out] */
} md_layer;

struct model {
	md_layer *layers;
	size_t n_layers;
	int softmax;
	char *version;
	char digest[65];
	st_meta *meta; /* copies of the file's metadata */
	size_t n_meta;
	float *scratch_a, *scratch_b; /* each the widest layer's size */
};

static void md_errf(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static char *md_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *c = malloc(n);
	if (c)
		memcpy(c, s, n);
	return c;
}

const char *model_activation_name(model_activation a)
{
	switch (a) {
	case MODEL_ACT_RELU:
		return "relu";
	case MODEL_ACT_GELU:
		return "gelu";
	case MODEL_ACT_TANH:
		return "tanh";
	case MODEL_ACT_SIGMOID:
		return "sigmoid";
	case MODEL_ACT_NONE:
		break;
	}
	return "none";
}

void model_free(model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->n_layers; i++) {
		free(m->layers[i].w);
		free(m->layers[i].b);
	}
	for (size_t i = 0; i < m->n_meta; i++) {
		free(m->meta[i].key);
		free(m->meta[i].value);
	}
	free(m->layers);
	free(m->meta);
	free(m->version);
	free(m->scratch_a);
	free(m->scratch_b);
	free(m);
}

/* If name is "<prefix>.<i>.weight" or "<prefix>.<i>.bias" (i written without
 * leading zeros), stores i and returns 0; otherwise -1. */
static int md_layer_index(const char *name, const char *prefix, size_t *idx)
{
	size_t plen = strlen(prefix);
	if (strncmp(name, prefix, plen) != 0 || name[plen] != '.')
		return -1;
	const char *p = name + plen + 1;
	size_t v = 0, digits = 0;
	while (*p >= '0' && *p <= '9') {
		if (digits == 0 && *p == '0' && p[1] >= '0' && p[1] <= '9')
			return -1;
		if (++digits > 9)
			return -1;
		v = v * 10 + (size_t)(*p - '0');
		p++;
	}
	if (digits == 0 || (strcmp(p, ".weight") != 0 && strcmp(p, ".bias") != 0))
		return -1;
	*idx = v;
	return 0;
}

static int md_parse_activation(const char *s, size_t len, model_activation *out)
{
	static const struct {
		const char *name;
		model_activation act;
	} names[] = {
		{ "relu", MODEL_ACT_RELU },	  { "gelu", MODEL_ACT_GELU }, { "tanh", MODEL_ACT_TANH },
		{ "sigmoid", MODEL_ACT_SIGMOID }, { "none", MODEL_ACT_NONE }, { "linear", MODEL_ACT_NONE },
	};
	while (len && *s == ' ') {
		s++;
		len--;
	}
	while (len && s[len - 1] == ' ')
		len--;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		if (strlen(names[i].name) == len && strncmp(names[i].name, s, len) == 0) {
			*out = names[i].act;
			return 0;
		}
	}
	return -1;
}

/* Sets each layer's activation from "relu,sigmoid"-style text (or the default). */
static int md_set_activations(model *m, const char *spec, char *err, size_t errlen)
{
	if (!spec) {
		for (size_t i = 0; i < m->n_layers; i++)
			m->layers[i].act = i + 1 < m->n_layers ? MODEL_ACT_RELU : MODEL_ACT_NONE;
		return 0;
	}
	size_t n = 1;
	for (const char *p = spec; *p; p++)
		n += *p == ',';
	if (n != m->n_layers) {
		md_errf(err, errlen, "weft.activations lists %zu activation(s) for %zu layer(s)", n, m->n_layers);
		return -1;
	}
	const char *p = spec;
	for (size_t i = 0; i < n; i++) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		if (md_parse_activation(p, len, &m->layers[i].act) != 0) {
			md_errf(err, errlen,
				"weft.activations: '%.*s' (layer %zu) is not one of relu, gelu, tanh, sigmoid, none",
				(int)(len > 40 ? 40 : len), p, i);
			return -1;
		}
		p = comma ? comma + 1 : p + len;
	}
	return 0;
}

/* Copies tensor t (already checked to be floating point) into a new float array. */
static int md_copy_tensor(float **dst, const st_tensor *t, char *err, size_t errlen)
{
	*dst = malloc(t->count * sizeof **dst);
	if (!*dst) {
		md_errf(err, errlen, "out of memory");
		return -1;
	}
	if (st_tensor_to_float(t, *dst, err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < t->count; i++) {
		if (!isfinite((*dst)[i])) {
			md_errf(err, errlen, "tensor '%.80s': element %zu is not a finite number", t->name, i);
			return -1;
		}
	}
	return 0;
}

static int md_float_dtype(const st_tensor *t, char *err, size_t errlen)
{
	if (t->dtype == ST_F32 || t->dtype == ST_F16 || t->dtype == ST_BF16)
		return 0;
	md_errf(err, errlen, "tensor '%.80s': dtype %s is not supported (use F32, F16 or BF16)", t->name,
		st_dtype_name(t->dtype));
	return -1;
}

static int md_build(model *m, const st_file *f, char *err, size_t errlen)
{
	const char *prefix = st_meta_get(f, "weft.prefix");
	if (!prefix)
		prefix = "net";
	if (!*prefix || strlen(prefix) > MD_MAX_PREFIX) {
		md_errf(err, errlen, "weft.prefix must be 1 to %d characters", MD_MAX_PREFIX);
		return -1;
	}

	/* the layer chain is 0..L-1; every tensor under the prefix must belong to it */
	size_t n_layers = 0;
	char name[MD_MAX_PREFIX + 32];
	for (;;) {
		snprintf(name, sizeof name, "%s.%zu.weight", prefix, n_layers);
		if (!st_find(f, name))
			break;
		n_layers++;
	}
	if (n_layers == 0) {
		md_errf(err, errlen, "no tensor '%s.0.weight': not a dense network with prefix '%s'", prefix, prefix);
		return -1;
	}
	for (size_t i = 0; i < f->n_tensors; i++) {
		size_t idx;
		const char *tn = f->tensors[i].name;
		if (strncmp(tn, prefix, strlen(prefix)) != 0 || tn[strlen(prefix)] != '.')
			continue;
		if (md_layer_index(tn, prefix, &idx) != 0 || idx >= n_layers) {
			md_errf(err, errlen, "tensor '%.80s' is not part of the layer chain %s.0 .. %s.%zu", tn, prefix,
				prefix, n_layers - 1);
			return -1;
		}
	}

	m->layers = calloc(n_layers, sizeof *m->layers);
	if (!m->layers) {
		md_errf(err, errlen, "out of memory");
		return -1;
	}
	m->n_layers = n_layers;
	size_t widest = 0;
	for (size_t i = 0; i < n_layers; i++) {
		md_layer *L = &m->layers[i];
		snprintf(name, sizeof name, "%s.%zu.weight", prefix, i);
		const st_tensor *w = st_find(f, name);
		if (md_float_dtype(w, err, errlen) != 0)
			return -1;
		if (w->ndim != 2 || w->shape[0] == 0 || w->shape[1] == 0) {
			md_errf(err, errlen, "tensor '%s': a weight must have shape [out, in] with both above 0", name);
			return -1;
		}
		L->out = w->shape[0];
		L->in = w->shape[1];
		if (i > 0 && L->in != m->layers[i - 1].out) {
			md_errf(err, errlen,
				"tensor '%s': shape [%zu, %zu] takes %zu inputs but layer %zu gives %zu outputs", name,
				L->out, L->in, L->in, i - 1, m->layers[i - 1].out);
			return -1;
		}
		if (md_copy_tensor(&L->w, w, err, errlen) != 0)
			return -1;
		snprintf(name, sizeof name, "%s.%zu.bias", prefix, i);
		const st_tensor *b = st_find(f, name);
		if (!b) {
			md_errf(err, errlen, "tensor '%s' is missing", name);
			return -1;
		}
		if (md_float_dtype(b, err, errlen) != 0)
			return -1;
		if (b->ndim != 1 || b->shape[0] != L->out) {
			md_errf(err, errlen, "tensor '%s': shape must be [%zu] to match the weight's %zu outputs", name,
				L->out, L->out);
			return -1;
		}
		if (md_copy_tensor(&L->b, b, err, errlen) != 0)
			return -1;
		if (L->out > widest)
			widest = L->out;
	}

	if (md_set_activations(m, st_meta_get(f, "weft.activations"), err, errlen) != 0)
		return -1;
	const char *sm = st_meta_get(f, "weft.softmax");
	if (!sm || strcmp(sm, "false") == 0) {
		m->softmax = 0;
	} else if (strcmp(sm, "true") == 0) {
		m->softmax = 1;
	} else {
		md_errf(err, errlen, "weft.softmax must be \"true\" or \"false\", not \"%.20s\"", sm);
		return -1;
	}
	const char *ver = st_meta_get(f, "weft.version");
	m->version = md_strdup(ver && *ver ? ver : "unversioned");
	m->scratch_a = malloc(widest * sizeof(float));
	m->scratch_b = malloc(widest * sizeof(float));
	if (f->n_meta)
		m->meta = calloc(f->n_meta, sizeof *m->meta);
	if (!m->version || !m->scratch_a || !m->scratch_b || (f->n_meta && !m->meta)) {
		md_errf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < f->n_meta; i++) {
		m->meta[i].key = md_strdup(f->meta[i].key);
		m->meta[i].value = md_strdup(f->meta[i].value);
		m->n_meta++;
		if (!m->meta[i].key || !m->meta[i].value) {
			md_errf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

int model_load_buffer(model **out, const void *buf, size_t len, char *err, size_t errlen)
{
	*out = NULL;
	if (err && errlen)
		err[0] = '\0';
	st_file *f = NULL;
	if (st_parse(&f, buf, len, err, errlen) != 0)
		return -1;
	model *m = calloc(1, sizeof *m);
	if (!m) {
		st_free(f);
		md_errf(err, errlen, "out of memory");
		return -1;
	}
	if (md_build(m, f, err, errlen) != 0) {
		st_free(f);
		model_free(m);
		return -1;
	}
	st_free(f);
	sha256_hex(buf, len, m->digest);
	*out = m;
	return 0;
}

int model_load(model **out, const char *path, char *err, size_t errlen)
{
	*out = NULL;
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		md_errf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return -1;
	}
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len == cap) {
			if (cap >= MD_MAX_FILE) {
				md_errf(err, errlen, "%s: larger than the %zu-byte limit for a model file", path,
					MD_MAX_FILE);
				free(buf);
				fclose(fp);
				return -1;
			}
			cap = cap ? cap * 2 : 65536;
			unsigned char *nb = realloc(buf, cap);
			if (!nb) {
				md_errf(err, errlen, "%s: out of memory", path);
				free(buf);
				fclose(fp);
				return -1;
			}
			buf = nb;
		}
		size_t got = fread(buf + len, 1, cap - len, fp);
		len += got;
		if (got == 0)
			break;
	}
	int bad = ferror(fp);
	fclose(fp);
	if (bad) {
		md_errf(err, errlen, "%s: read error", path);
		free(buf);
		return -1;
	}
	char why[512];
	int rc = model_load_buffer(out, buf, len, why, sizeof why);
	if (rc != 0)
		md_errf(err, errlen, "%s: %s", path, why);
	free(buf);
	return rc;
}

size_t model_inputs(const model *m)
{
	return m->layers[0].in;
}

size_t model_outputs(const model *m)
{
	return m->layers[m->n_layers - 1].out;
}

const char *model_version(const model *m)
{
	return m->version;
}

const char *model_digest(const model *m)
{
	return m->digest;
}

const char *model_meta(const model *m, const char *key)
{
	for (size_t i = 0; i < m->n_meta; i++)
		if (strcmp(m->meta[i].key, key) == 0)
			return m->meta[i].value;
	return NULL;
}

size_t model_layer_count(const model *m)
{
	return m->n_layers;
}

int model_layer(const model *m, size_t i, size_t *in, size_t *out, model_activation *act, const float **w,
		const float **b)
{
	if (i >= m->n_layers)
		return -1;
	const md_layer *L = &m->layers[i];
	if (in)
		*in = L->in;
	if (out)
		*out = L->out;
	if (act)
		*act = L->act;
	if (w)
		*w = L->w;
	if (b)
		*b = L->b;
	return 0;
}

int model_softmax(const model *m)
{
	return m->softmax;
}

static double md_activate(model_activation a, double v)
{
	switch (a) {
	case MODEL_ACT_RELU:
		return v <= 0 ? 0.0 : v; /* NaN passes through, so bad input is reported */
	case MODEL_ACT_GELU:
		/* tanh approximation: 0.5 v (1 + tanh(sqrt(2/pi) (v + 0.044715 v^3))) */
		return 0.5 * v * (1.0 + tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
	case MODEL_ACT_TANH:
		return tanh(v);
	case MODEL_ACT_SIGMOID:
		if (v >= 0)
			return 1.0 / (1.0 + exp(-v));
		else {
			double e = exp(v);
			return e / (1.0 + e);
		}
	case MODEL_ACT_NONE:
		break;
	}
	return v;
}

int model_predict(model *m, const float *x, float *y)
{
	const float *cur = x;
	float *next = m->scratch_a;
	for (size_t l = 0; l < m->n_layers; l++) {
		const md_layer *L = &m->layers[l];
		for (size_t j = 0; j < L->out; j++) {
			const float *row = L->w + j * L->in;
			double acc = L->b[j];
			for (size_t k = 0; k < L->in; k++)
				acc += (double)row[k] * (double)cur[k];
			double v = md_activate(L->act, acc);
			/* keep the double-to-float conversion defined for huge values */
			if (v > FLT_MAX)
				v = INFINITY;
			else if (v < -FLT_MAX)
				v = -INFINITY;
			next[j] = (float)v;
		}
		cur = next;
		next = next == m->scratch_a ? m->scratch_b : m->scratch_a;
	}
	size_t n = model_outputs(m);
	memcpy(y, cur, n * sizeof *y);
	if (m->softmax) {
		float top = y[0];
		for (size_t j = 1; j < n; j++)
			if (y[j] > top)
				top = y[j];
		double sum = 0;
		for (size_t j = 0; j < n; j++)
			sum += exp((double)y[j] - (double)top);
		for (size_t j = 0; j < n; j++)
			y[j] = (float)(exp((double)y[j] - (double)top) / sum);
	}
	for (size_t j = 0; j < n; j++)
		if (!isfinite(y[j]))
			return -1;
	return 0;
}
