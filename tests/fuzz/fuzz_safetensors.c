/* fuzz_safetensors.c - libFuzzer target for the safetensors reader and the
 * dense-network loader behind it: any byte string must be refused with a
 * diagnostic or accepted, never crash, hang or leak; what is accepted must
 * be self-consistent (tensors tile the data, shapes match bytes), and an
 * accepted network must run a CPU forward pass. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "weft_kernels.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	weft_diags *d = NULL;
	if (weft_diags_new(&d))
		return 0;
	weft_safetensors *st = NULL;
	int err = weft_safetensors_parse(&st, "fuzz", data, size, NULL, d);
	if (err) {
		/* a refusal always says why */
		if (weft_diags_errors(d) == 0)
			abort();
		weft_diags_free(d);
		return 0;
	}
	size_t len = 0;
	weft_safetensors_bytes(st, &len);
	uint64_t at = 0, data_len = len - 8 - weft_safetensors_header_bytes(st);
	for (size_t i = 0; i < weft_safetensors_count(st); i++) {
		const weft_tensor *t = weft_safetensors_tensor(st, i);
		if (t->begin != at || t->end < t->begin ||
		    t->end - t->begin != t->nelems * weft_dtype_size(t->dtype))
			abort();
		if (weft_safetensors_find(st, t->name) != t)
			abort();
		at = t->end;
		if (t->nelems <= 4096) {
			float buf[4096];
			weft_tensor_to_f32(buf, t);
		}
	}
	if (at != data_len)
		abort();
	for (size_t i = 0; i < weft_safetensors_metadata_count(st); i++) {
		const char *k, *v;
		weft_safetensors_metadata_at(st, i, &k, &v);
		if (!k || !v || weft_safetensors_metadata(st, k) != v)
			abort();
	}

	weft_model_opts o;
	weft_model_opts_init(&o);
	o.device = WEFT_DEVICE_CPU;
	o.max_batch = 2;
	weft_model *m = NULL;
	if (weft_model_from_safetensors(&m, st, &o, d) == 0) {
		size_t in = weft_model_inputs(m), out = weft_model_outputs(m);
		if (weft_model_params(m) <= 1u << 20 && in <= 1u << 16 && out <= 1u << 16) {
			float *x = calloc(2 * in, sizeof *x), *y = malloc(2 * out * sizeof *y);
			if (x && y) {
				for (size_t i = 0; i < 2 * in; i++)
					x[i] = (float)i * 0.25f - 1.0f;
				if (weft_model_forward(m, y, x, 2, NULL, d) != 0)
					abort();
			}
			free(x);
			free(y);
		}
		weft_model_free(m);
	} else if (weft_diags_errors(d) == 0) {
		abort();
	}
	weft_safetensors_free(st);
	weft_diags_free(d);
	return 0;
}
