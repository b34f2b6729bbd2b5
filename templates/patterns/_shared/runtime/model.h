/* model.h - load and run a small dense network stored as safetensors.
 *
 * The file holds layers <prefix>.<i>.weight [out_i, in_i] and
 * <prefix>.<i>.bias [out_i] for i = 0, 1, ... (in_{i+1} == out_i), in F32
 * (F16 and BF16 are converted to float at load). Its "__metadata__" says how
 * to run it:
 *   weft.activations  one per layer, comma-separated: relu, gelu (tanh
 *                     approximation), tanh, sigmoid, none
 *                     (default: relu for hidden layers, none for the last)
 *   weft.softmax      "true" or "false" (default): softmax over the outputs
 *   weft.prefix       tensor name prefix (default "net")
 *   weft.version      model version (default "unversioned")
 * Other keys (weft.features, weft.task, ...) are kept and readable with
 * model_meta().
 */
#ifndef MODEL_H
#define MODEL_H

#include <stddef.h>

typedef struct model model;

typedef enum model_activation {
	MODEL_ACT_NONE,
	MODEL_ACT_RELU,
	MODEL_ACT_GELU,
	MODEL_ACT_TANH,
	MODEL_ACT_SIGMOID,
} model_activation;

/* Loads a dense network from a safetensors file. Returns 0, or -1 with a
 * message in err (err may be NULL when errlen is 0). */
int model_load(model **out, const char *path, char *err, size_t errlen);
/* Same, from memory; buf is not kept after the call. */
int model_load_buffer(model **out, const void *buf, size_t len, char *err, size_t errlen);
/* Frees m; accepts NULL. */
void model_free(model *m);

size_t model_inputs(const model *m);
size_t model_outputs(const model *m);
/* Metadata weft.version, or "unversioned". */
const char *model_version(const model *m);
/* SHA-256 of the file's bytes, 64 lower-case hex characters. */
const char *model_digest(const model *m);
/* Any metadata value by key ("weft.features", "weft.task", ...), or NULL. */
const char *model_meta(const model *m, const char *key);

/* One row: x[inputs] -> y[outputs]. Uses a scratch buffer inside m, so it is
 * not thread-safe: use one model per thread or a lock. Returns 0, or -1 when
 * y has non-finite values (y is still written). */
int model_predict(model *m, const float *x, float *y);

/* Layer access, for code generators and quantisation: the number of layers,
 * and layer i's sizes, activation and weights (w is [out][in] row-major,
 * b is [out]; both owned by m). Returns 0, or -1 when i is out of range. */
size_t model_layer_count(const model *m);
int model_layer(const model *m, size_t i, size_t *in, size_t *out, model_activation *act, const float **w,
		const float **b);
/* Whether a softmax follows the last layer. */
int model_softmax(const model *m);
/* "relu", "gelu", "tanh", "sigmoid", "none". */
const char *model_activation_name(model_activation a);

#endif
