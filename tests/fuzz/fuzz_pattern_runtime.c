/* fuzz_pattern_runtime.c - libFuzzer target for the model runtime that every
 * generated pattern project compiles (templates/patterns/_shared/runtime):
 * any input must parse and load or be refused with a message, never crash,
 * leak, hang or read outside the buffer. A file that loads is run forward on
 * a few input rows.
 *
 * The runtime is template content, not a weft library, so its .c files are
 * included here directly (they need only libc, libm and cJSON, which weft's
 * core already links).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "../../templates/patterns/_shared/runtime/sha256.c"
#include "../../templates/patterns/_shared/runtime/safetensors.c"
#include "../../templates/patterns/_shared/runtime/model.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];
	st_file *f = NULL;
	if (st_parse(&f, data, size, err, sizeof err) == 0) {
		for (size_t i = 0; i < f->n_tensors; i++) {
			const st_tensor *t = &f->tensors[i];
			if (t->count > (1u << 16))
				continue;
			float *buf = malloc((t->count ? t->count : 1) * sizeof *buf);
			if (buf)
				(void)st_tensor_to_float(t, buf, err, sizeof err);
			free(buf);
		}
		(void)st_meta_get(f, "weft.version");
		st_free(f);
	} else if (err[0] == '\0') {
		abort(); /* a refusal must say why */
	}

	model *m = NULL;
	if (model_load_buffer(&m, data, size, err, sizeof err) == 0) {
		size_t in = model_inputs(m), out = model_outputs(m);
		float *x = calloc(in, sizeof *x);
		float *y = calloc(out, sizeof *y);
		if (x && y) {
			(void)model_predict(m, x, y);
			for (size_t i = 0; i < in; i++)
				x[i] = (float)i - 1.5f;
			(void)model_predict(m, x, y);
		}
		if (strlen(model_digest(m)) != 64)
			abort();
		free(x);
		free(y);
		model_free(m);
	} else if (m != NULL || err[0] == '\0') {
		abort();
	}
	return 0;
}
