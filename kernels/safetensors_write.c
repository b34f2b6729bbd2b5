/* safetensors_write.c - a deterministic safetensors writer, for the
 * example models, the tests and their fixtures.
 *
 * Design choice: same calls, same bytes. Tensors are laid out in the order
 * they were added, the header lists __metadata__ first and then the tensors
 * in that order, numbers are printed as integers, and the header is padded
 * with spaces to a multiple of 8 bytes (as the reference writer does, so the
 * data section starts aligned). Values come in as floats and are rounded to
 * the tensor's dtype with the same conversions the reader uses. */
#include <stdlib.h>
#include <string.h>

#include "kernels_int.h"

typedef struct {
	char *name;
	weft_dtype dtype;
	size_t ndim;
	uint64_t shape[WEFT_SAFETENSORS_MAX_DIMS];
	uint8_t *bytes;
	size_t nbytes;
} w_tensor;

struct weft_safetensors_writer {
	w_tensor *t;
	size_t n, cap;
	char **keys, **values;
	size_t n_meta, cap_meta;
};

int weft_safetensors_writer_new(weft_safetensors_writer **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? 0 : WEFT_ENOMEM;
}

void weft_safetensors_writer_free(weft_safetensors_writer *w)
{
	if (!w)
		return;
	for (size_t i = 0; i < w->n; i++) {
		free(w->t[i].name);
		free(w->t[i].bytes);
	}
	for (size_t i = 0; i < w->n_meta; i++) {
		free(w->keys[i]);
		free(w->values[i]);
	}
	free(w->t);
	free(w->keys);
	free(w->values);
	free(w);
}

static bool good_text(const char *s)
{
	return s && weft_kernels_utf8_valid((const uint8_t *)s, strlen(s), NULL);
}

int weft_safetensors_writer_meta(weft_safetensors_writer *w, const char *key, const char *value)
{
	if (!good_text(key) || !good_text(value))
		return WEFT_EINVALID;
	for (size_t i = 0; i < w->n_meta; i++)
		if (strcmp(w->keys[i], key) == 0)
			return WEFT_EINVALID;
	if (w->n_meta == w->cap_meta) {
		size_t cap = w->cap_meta ? 2 * w->cap_meta : 8;
		char **k = realloc(w->keys, cap * sizeof *k);
		if (k)
			w->keys = k;
		char **v = realloc(w->values, cap * sizeof *v);
		if (v)
			w->values = v;
		if (!k || !v)
			return WEFT_ENOMEM;
		w->cap_meta = cap;
	}
	char *k = strdup(key), *v = strdup(value);
	if (!k || !v) {
		free(k);
		free(v);
		return WEFT_ENOMEM;
	}
	w->keys[w->n_meta] = k;
	w->values[w->n_meta++] = v;
	return 0;
}

int weft_safetensors_writer_add(weft_safetensors_writer *w, const char *name, weft_dtype dtype,
				size_t ndim, const uint64_t *shape, const float *values)
{
	if (!good_text(name) || strcmp(name, "__metadata__") == 0 || ndim > WEFT_SAFETENSORS_MAX_DIMS)
		return WEFT_EINVALID;
	if (dtype != WEFT_DTYPE_F32 && dtype != WEFT_DTYPE_F16 && dtype != WEFT_DTYPE_BF16)
		return WEFT_EINVALID;
	for (size_t i = 0; i < w->n; i++)
		if (strcmp(w->t[i].name, name) == 0)
			return WEFT_EINVALID;
	uint64_t nelems = 1, nbytes;
	for (size_t i = 0; i < ndim; i++)
		if (__builtin_mul_overflow(nelems, shape[i], &nelems))
			return WEFT_EINVALID;
	if (__builtin_mul_overflow(nelems, (uint64_t)weft_dtype_size(dtype), &nbytes) ||
	    nbytes > SIZE_MAX / 2)
		return WEFT_EINVALID;
	if (w->n == w->cap) {
		size_t cap = w->cap ? 2 * w->cap : 8;
		w_tensor *t = realloc(w->t, cap * sizeof *t);
		if (!t)
			return WEFT_ENOMEM;
		w->t = t;
		w->cap = cap;
	}
	w_tensor *t = &w->t[w->n];
	memset(t, 0, sizeof *t);
	t->name = strdup(name);
	t->bytes = malloc(nbytes ? (size_t)nbytes : 1);
	if (!t->name || !t->bytes) {
		free(t->name);
		free(t->bytes);
		return WEFT_ENOMEM;
	}
	t->dtype = dtype;
	t->ndim = ndim;
	if (ndim)
		memcpy(t->shape, shape, ndim * sizeof *shape);
	t->nbytes = (size_t)nbytes;
	for (uint64_t i = 0; i < nelems; i++) {
		uint8_t *p = t->bytes + i * weft_dtype_size(dtype);
		if (dtype == WEFT_DTYPE_F32) {
			uint32_t u;
			memcpy(&u, &values[i], 4);
			p[0] = (uint8_t)u, p[1] = (uint8_t)(u >> 8), p[2] = (uint8_t)(u >> 16),
			p[3] = (uint8_t)(u >> 24);
		} else {
			uint16_t h = dtype == WEFT_DTYPE_F16 ? weft_f32_to_f16(values[i])
							      : weft_f32_to_bf16(values[i]);
			p[0] = (uint8_t)h, p[1] = (uint8_t)(h >> 8);
		}
	}
	w->n++;
	return 0;
}

static void put_json_string(weft_buf *b, const char *s)
{
	weft_buf_putc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			weft_buf_putc(b, '\\');
			weft_buf_putc(b, (char)c);
		} else if (c < 0x20) {
			weft_buf_printf(b, "\\u%04x", c);
		} else {
			weft_buf_putc(b, (char)c);
		}
	}
	weft_buf_putc(b, '"');
}

int weft_safetensors_writer_finish(const weft_safetensors_writer *w, uint8_t **out, size_t *len)
{
	*out = NULL;
	*len = 0;
	weft_buf h = WEFT_BUF_INIT;
	weft_buf_putc(&h, '{');
	bool first = true;
	if (w->n_meta) {
		weft_buf_puts(&h, "\"__metadata__\":{");
		for (size_t i = 0; i < w->n_meta; i++) {
			if (i)
				weft_buf_putc(&h, ',');
			put_json_string(&h, w->keys[i]);
			weft_buf_putc(&h, ':');
			put_json_string(&h, w->values[i]);
		}
		weft_buf_putc(&h, '}');
		first = false;
	}
	uint64_t at = 0;
	for (size_t i = 0; i < w->n; i++) {
		const w_tensor *t = &w->t[i];
		if (!first)
			weft_buf_putc(&h, ',');
		first = false;
		put_json_string(&h, t->name);
		weft_buf_printf(&h, ":{\"dtype\":\"%s\",\"shape\":[", weft_dtype_name(t->dtype));
		for (size_t k = 0; k < t->ndim; k++)
			weft_buf_printf(&h, "%s%llu", k ? "," : "", (unsigned long long)t->shape[k]);
		weft_buf_printf(&h, "],\"data_offsets\":[%llu,%llu]}", (unsigned long long)at,
				(unsigned long long)(at + t->nbytes));
		at += t->nbytes;
	}
	weft_buf_putc(&h, '}');
	while (h.len % 8 != 0)
		weft_buf_putc(&h, ' ');
	if (h.oom) {
		weft_buf_free(&h);
		return WEFT_ENOMEM;
	}
	size_t total = 8 + h.len + (size_t)at;
	uint8_t *buf = malloc(total);
	if (!buf) {
		weft_buf_free(&h);
		return WEFT_ENOMEM;
	}
	for (int i = 0; i < 8; i++)
		buf[i] = (uint8_t)((uint64_t)h.len >> (8 * i));
	memcpy(buf + 8, h.ptr, h.len);
	size_t off = 8 + h.len;
	for (size_t i = 0; i < w->n; i++) {
		if (w->t[i].nbytes)
			memcpy(buf + off, w->t[i].bytes, w->t[i].nbytes);
		off += w->t[i].nbytes;
	}
	weft_buf_free(&h);
	*out = buf;
	*len = total;
	return 0;
}

int weft_safetensors_writer_save(const weft_safetensors_writer *w, const char *path,
				 unsigned flags, weft_diags *d)
{
	uint8_t *buf;
	size_t len;
	int err = weft_safetensors_writer_finish(w, &buf, &len);
	if (err) {
		weft_diags_error(d, path, 0, 0, "out of memory serialising the model");
		return err;
	}
	err = weft_file_write_atomic(path, buf, len, flags, d);
	free(buf);
	return err;
}
