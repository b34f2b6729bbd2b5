/* inspect.c - what a safetensors file holds, as text or JSON: size,
 * SHA-256, metadata, every tensor (dtype, shape, bytes, offsets) and, when
 * it reads as a dense network, its layers.
 *
 * Design choice: rendering lives beside the reader, not in the CLI, so
 * that `weft bench inspect` and any other caller print the same thing and
 * the JSON's shape is fixed in one place (docs/schemas/). Only public
 * accessors of weft_safetensors and weft_model are used.
 */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "weft_kernels.h"

static void json_shape(cJSON *arr, const weft_tensor *t)
{
	for (size_t k = 0; k < t->ndim; k++)
		cJSON_AddItemToArray(arr, cJSON_CreateNumber((double)t->shape[k]));
}

static void text_shape(weft_buf *b, const weft_tensor *t)
{
	weft_buf_putc(b, '[');
	for (size_t k = 0; k < t->ndim; k++)
		weft_buf_printf(b, "%s%llu", k ? ", " : "", (unsigned long long)t->shape[k]);
	weft_buf_putc(b, ']');
}

static void describe_text(weft_buf *b, const weft_safetensors *st, const char *sha, const weft_model *m)
{
	size_t len = 0;
	weft_safetensors_bytes(st, &len);
	weft_buf_printf(b, "file        %s\n", weft_safetensors_path(st));
	weft_buf_printf(b, "bytes       %zu (header %llu)\n", len,
			(unsigned long long)weft_safetensors_header_bytes(st));
	weft_buf_printf(b, "sha256      %s\n", sha);
	size_t nm = weft_safetensors_metadata_count(st);
	for (size_t i = 0; i < nm; i++) {
		const char *k, *v;
		weft_safetensors_metadata_at(st, i, &k, &v);
		weft_buf_printf(b, "%s %s = %s\n", i ? "           " : "metadata   ", k, v);
	}
	size_t n = weft_safetensors_count(st);
	weft_buf_printf(b, "tensors     %zu\n", n);
	size_t wname = 4;
	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(weft_safetensors_tensor(st, i)->name);
		if (l > wname)
			wname = l;
	}
	if (wname > 48)
		wname = 48;
	if (n)
		weft_buf_printf(b, "  %-*s  %-7s  %-16s  %10s  %s\n", (int)wname, "name", "dtype",
				"shape", "bytes", "data offsets");
	for (size_t i = 0; i < n; i++) {
		const weft_tensor *t = weft_safetensors_tensor(st, i);
		weft_buf shape = WEFT_BUF_INIT;
		text_shape(&shape, t);
		weft_buf_printf(b, "  %-*s  %-7s  %-16s  %10llu  %llu..%llu\n", (int)wname, t->name,
				weft_dtype_name(t->dtype), shape.ptr ? shape.ptr : "",
				(unsigned long long)(t->end - t->begin), (unsigned long long)t->begin,
				(unsigned long long)t->end);
		weft_buf_free(&shape);
	}
	if (!m) {
		weft_buf_puts(b, "network     not a usable dense network (see the error)\n");
		return;
	}
	size_t L = weft_model_layers(m);
	weft_buf_printf(b, "network     dense, %zu layer%s, prefix '%s'\n", L, L == 1 ? "" : "s",
			weft_model_prefix(m));
	weft_buf_printf(b, "  %-5s  %-5s  %8s  %8s  %-10s  %s\n", "layer", "index", "in", "out",
			"activation", "dtype");
	for (size_t i = 0; i < L; i++) {
		weft_layer_info li;
		weft_model_layer(&li, m, i);
		weft_buf_printf(b, "  %-5zu  %-5zu  %8zu  %8zu  %-10s  %s\n", i, li.index, li.in,
				li.out, weft_activation_name(li.act),
				weft_dtype_name(li.dtype));
	}
	weft_buf_printf(b, "softmax     %s\n", weft_model_softmax(m) ? "yes" : "no");
	weft_buf_printf(b, "inputs      %zu\n", weft_model_inputs(m));
	weft_buf_printf(b, "outputs     %zu\n", weft_model_outputs(m));
	weft_buf_printf(b, "parameters  %zu\n", weft_model_params(m));
}

static char *describe_json(const weft_safetensors *st, const char *sha, const weft_model *m)
{
	size_t len = 0;
	weft_safetensors_bytes(st, &len);
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "path", weft_safetensors_path(st));
	cJSON_AddNumberToObject(o, "bytes", (double)len);
	cJSON_AddNumberToObject(o, "header_bytes", (double)weft_safetensors_header_bytes(st));
	cJSON_AddStringToObject(o, "sha256", sha);
	cJSON *meta = cJSON_AddObjectToObject(o, "metadata");
	for (size_t i = 0; i < weft_safetensors_metadata_count(st); i++) {
		const char *k, *v;
		weft_safetensors_metadata_at(st, i, &k, &v);
		cJSON_AddStringToObject(meta, k, v);
	}
	cJSON *ts = cJSON_AddArrayToObject(o, "tensors");
	for (size_t i = 0; i < weft_safetensors_count(st); i++) {
		const weft_tensor *t = weft_safetensors_tensor(st, i);
		cJSON *j = cJSON_CreateObject();
		cJSON_AddStringToObject(j, "name", t->name);
		cJSON_AddStringToObject(j, "dtype", weft_dtype_name(t->dtype));
		json_shape(cJSON_AddArrayToObject(j, "shape"), t);
		cJSON_AddNumberToObject(j, "bytes", (double)(t->end - t->begin));
		cJSON *offs = cJSON_AddArrayToObject(j, "data_offsets");
		cJSON_AddItemToArray(offs, cJSON_CreateNumber((double)t->begin));
		cJSON_AddItemToArray(offs, cJSON_CreateNumber((double)t->end));
		cJSON_AddItemToArray(ts, j);
	}
	if (m) {
		cJSON *net = cJSON_AddObjectToObject(o, "network");
		cJSON_AddStringToObject(net, "kind", "dense");
		cJSON_AddStringToObject(net, "prefix", weft_model_prefix(m));
		cJSON *ls = cJSON_AddArrayToObject(net, "layers");
		for (size_t i = 0; i < weft_model_layers(m); i++) {
			weft_layer_info li;
			weft_model_layer(&li, m, i);
			cJSON *j = cJSON_CreateObject();
			cJSON_AddNumberToObject(j, "index", (double)li.index);
			cJSON_AddNumberToObject(j, "in", (double)li.in);
			cJSON_AddNumberToObject(j, "out", (double)li.out);
			cJSON_AddStringToObject(j, "activation", weft_activation_name(li.act));
			cJSON_AddStringToObject(j, "dtype", weft_dtype_name(li.dtype));
			cJSON_AddItemToArray(ls, j);
		}
		cJSON_AddBoolToObject(net, "softmax", weft_model_softmax(m));
		cJSON_AddNumberToObject(net, "inputs", (double)weft_model_inputs(m));
		cJSON_AddNumberToObject(net, "outputs", (double)weft_model_outputs(m));
		cJSON_AddNumberToObject(net, "parameters", (double)weft_model_params(m));
	} else {
		cJSON_AddNullToObject(o, "network");
	}
	char *s = cJSON_Print(o);
	cJSON_Delete(o);
	return s;
}

int weft_safetensors_describe(weft_buf *out, const weft_safetensors *st, const weft_model *m, bool json)
{
	size_t len = 0;
	const uint8_t *bytes = weft_safetensors_bytes(st, &len);
	char sha[65];
	weft_sha256_hex(sha, bytes, len);
	if (!json) {
		describe_text(out, st, sha, m);
		return out->ptr ? 0 : WEFT_ENOMEM;
	}
	char *s = describe_json(st, sha, m);
	if (!s)
		return WEFT_ENOMEM;
	weft_buf_puts(out, s);
	weft_buf_putc(out, '\n');
	free(s);
	return out->ptr ? 0 : WEFT_ENOMEM;
}
