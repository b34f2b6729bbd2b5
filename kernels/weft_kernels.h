/* weft_kernels.h - weft's compute, behind one header.
 *
 * Two implementations serve this header: a CPU one (always built; the
 * reference, with OpenBLAS opened on first use) and a CUDA one (built when
 * the build found nvcc and cuBLAS, WEFT_HAVE_CUDA, as the module
 * libweft-cuda.so that is opened only when a GPU is asked for). Without a
 * device or the module every entry point falls back to the CPU path, and
 * weft_kernels_probe says why. This is the only part that includes CUDA
 * headers.
 *
 * Contents: the probe; candidate models (dense networks read from
 * safetensors files) and their forward pass; the safetensors reader, a
 * deterministic writer and a describer (text, JSON); fp16/bf16
 * conversions; evaluation sets and metrics (accuracy, ROC AUC); SHA-256 for
 * model fingerprints.
 */
#ifndef WEFT_KERNELS_H
#define WEFT_KERNELS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "weft_core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What this build and this machine offer. */
typedef struct {
	bool cuda_compiled;     /* built with CUDA kernels (the CUDA module) */
	bool cuda_loaded;       /* the CUDA module was found and opened */
	char cuda_module[512];  /* its path, or where it was looked for */
	bool device_found;      /* a usable CUDA device is present */
	int device_count;
	char device_name[256];  /* device 0, when found */
	int cc_major, cc_minor; /* compute capability of device 0 */
	size_t device_memory;   /* bytes, device 0 */
	int runtime_version;    /* CUDA runtime, e.g. 13000; 0 without CUDA */
	int driver_version;     /* 0 when no driver */
	int cublas_version;     /* e.g. 130000; 0 without CUDA */
	char reason[512];       /* why no device, when device_found is false */
	char blas[192];         /* CPU BLAS in use, e.g. "OpenBLAS 0.3.21 ..., 1 thread" */
} weft_kernels_info;

/* Fill info. Never fails: a missing driver, module or device is reported in
 * it. Opens the CUDA module and OpenBLAS (one thread) if not yet open. */
void weft_kernels_probe(weft_kernels_info *info);

/* ==== tensor dtypes ======================================================= */

/* The dtypes of the safetensors format. Models use F32, F16 and BF16; the
 * others are read (for inspect) but not loaded as weights. */
typedef enum {
	WEFT_DTYPE_F32,
	WEFT_DTYPE_F16,
	WEFT_DTYPE_BF16,
	WEFT_DTYPE_F64,
	WEFT_DTYPE_I64,
	WEFT_DTYPE_I32,
	WEFT_DTYPE_I16,
	WEFT_DTYPE_I8,
	WEFT_DTYPE_U64,
	WEFT_DTYPE_U32,
	WEFT_DTYPE_U16,
	WEFT_DTYPE_U8,
	WEFT_DTYPE_BOOL,
	WEFT_DTYPE_F8_E4M3,
	WEFT_DTYPE_F8_E5M2,
	WEFT_DTYPE_COUNT_
} weft_dtype;

const char *weft_dtype_name(weft_dtype t); /* "F32" */
size_t weft_dtype_size(weft_dtype t);      /* bytes per element */
int weft_dtype_parse(weft_dtype *out, const char *name);

/* ==== candidate models ==================================================== */

typedef enum { WEFT_DEVICE_AUTO, WEFT_DEVICE_CPU, WEFT_DEVICE_GPU } weft_device;
typedef enum { WEFT_PREC_FP32, WEFT_PREC_TF32, WEFT_PREC_FP16, WEFT_PREC_BF16 } weft_precision;

/* Per-layer activation, applied after the bias. gelu is the tanh
 * approximation 0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3))), the form
 * cuBLASLt's GELU epilogue computes. */
typedef enum {
	WEFT_ACT_NONE,
	WEFT_ACT_RELU,
	WEFT_ACT_GELU,
	WEFT_ACT_TANH,
	WEFT_ACT_SIGMOID,
} weft_activation;

/* Names used on the command line, in __metadata__ and in reports:
 * "auto" "cpu" "gpu"; "fp32" "tf32" "fp16" "bf16"; "none" "relu" "gelu"
 * "tanh" "sigmoid". parse returns 0 or WEFT_EINVALID (nothing recorded). */
const char *weft_device_name(weft_device v);
int weft_device_parse(weft_device *out, const char *name);
const char *weft_precision_name(weft_precision v);
int weft_precision_parse(weft_precision *out, const char *name);
const char *weft_activation_name(weft_activation v);
int weft_activation_parse(weft_activation *out, const char *name);

typedef struct {
	weft_device device;        /* AUTO: GPU when present, else CPU (with a notice in diags) */
	weft_precision precision;  /* default FP32; the CPU always computes in fp32 */
	size_t max_batch;          /* buffers sized for this; 0 = default 64 */
	const char *prefix;        /* tensor name prefix, default: found from the file */
	const char *activations;   /* optional override "relu,relu,none", else __metadata__ */
	bool softmax;              /* optional override (only when activations given) */
	bool use_graph;            /* CUDA graph replay for small batches, default true */
	int threads;               /* OpenBLAS threads on the CPU, default 1 (the count is
				    * process-wide: the largest any model asked for) */
} weft_model_opts;

/* The defaults (note that a zeroed struct has use_graph false). */
#define WEFT_MODEL_OPTS_INIT { WEFT_DEVICE_AUTO, WEFT_PREC_FP32, 64, NULL, NULL, false, true, 1 }
void weft_model_opts_init(weft_model_opts *o);

typedef struct weft_model weft_model;

typedef struct {
	double h2d_ms, compute_ms, d2h_ms; /* CUDA events; 0 on CPU */
	double host_ms;                    /* host wall time of the whole call */
} weft_model_timing;

/* Load a dense network from a safetensors file: layers <prefix>.<i>.weight
 * [out, in] and <prefix>.<i>.bias [out] (PyTorch Linear), ordered by i (any
 * increasing integers, so nn.Sequential's 0, 2, 4 work). Activations come from
 * opts->activations or __metadata__ "weft.activations" ("relu,relu,none"),
 * softmax from opts->softmax (with activations) or "weft.softmax" = "true";
 * without either, relu between layers and none after the last (a warning).
 * opts may be NULL (defaults). Errors -> WEFT_EINVALID with the file's path;
 * I/O -> WEFT_EENV; device GPU without a device -> WEFT_EENV. */
int weft_model_load(weft_model **out, const char *path, const weft_model_opts *opts,
		    weft_diags *d);
void weft_model_free(weft_model *m);
size_t weft_model_inputs(const weft_model *m);   /* features per row */
size_t weft_model_outputs(const weft_model *m);
size_t weft_model_params(const weft_model *m);
size_t weft_model_bytes(const weft_model *m);    /* file size */
bool weft_model_on_gpu(const weft_model *m);
/* in: batch x inputs row-major floats; out: batch x outputs. batch <= max_batch.
 * timing may be NULL. */
int weft_model_forward(weft_model *m, float *out, const float *in, size_t batch,
		       weft_model_timing *timing, weft_diags *d);

/* Introspection (for `weft bench inspect` and reports). */
typedef struct {
	size_t index;              /* the <i> of the tensor names */
	size_t in, out;
	weft_activation act;
	weft_dtype dtype;          /* of the weight in the file */
} weft_layer_info;
size_t weft_model_layers(const weft_model *m);
int weft_model_layer(weft_layer_info *out, const weft_model *m, size_t i);
bool weft_model_softmax(const weft_model *m);
const char *weft_model_prefix(const weft_model *m);
size_t weft_model_max_batch(const weft_model *m);
/* The precision the forward pass really uses (FP32 on the CPU). */
weft_precision weft_model_precision(const weft_model *m);

/* ==== safetensors ========================================================== */


/* Limits against hostile files (zero fields take the defaults). */
typedef struct {
	uint64_t max_header; /* JSON header bytes, default 100,000,000 (as the reference) */
	uint64_t max_file;   /* whole file, default 4 GiB */
} weft_safetensors_opts;

#define WEFT_SAFETENSORS_MAX_DIMS 64

/* One tensor of a parsed file. Owned by the weft_safetensors. */
typedef struct {
	const char *name;
	weft_dtype dtype;
	size_t ndim;
	const uint64_t *shape;
	uint64_t nelems;
	uint64_t begin, end; /* byte offsets into the data section */
	const void *data;    /* begin of its bytes; not aligned */
} weft_tensor;

typedef struct weft_safetensors weft_safetensors;

/* Read and validate a safetensors file: 8-byte little-endian header length,
 * a UTF-8 JSON object, then the data. Strict, as the reference
 * implementation (the safetensors crate) and then some: header size cap; the
 * header starts with '{' and is valid UTF-8 without NULs; every entry has
 * exactly dtype, shape and data_offsets; offsets are integers, begin <= end,
 * tensors tile the data section with no gap or overlap and cover it
 * exactly; shape product times dtype size equals the byte length (checked
 * for overflow); no duplicate names; __metadata__ maps strings to strings.
 * Every failure is one error naming the file and, where it has one, the byte
 * offset of the problem -> WEFT_EINVALID; I/O -> WEFT_EENV. */
int weft_safetensors_load(weft_safetensors **out, const char *path,
			  const weft_safetensors_opts *opts, weft_diags *d);
/* The same over a buffer (copied); name is used in diagnostics. */
int weft_safetensors_parse(weft_safetensors **out, const char *name, const void *buf, size_t len,
			   const weft_safetensors_opts *opts, weft_diags *d);
void weft_safetensors_free(weft_safetensors *st);

const char *weft_safetensors_path(const weft_safetensors *st);
/* Tensors in data order (by begin offset, then name). */
size_t weft_safetensors_count(const weft_safetensors *st);
const weft_tensor *weft_safetensors_tensor(const weft_safetensors *st, size_t i);
const weft_tensor *weft_safetensors_find(const weft_safetensors *st, const char *name);
/* __metadata__, in the file's order. */
size_t weft_safetensors_metadata_count(const weft_safetensors *st);
void weft_safetensors_metadata_at(const weft_safetensors *st, size_t i, const char **key,
				  const char **value);
const char *weft_safetensors_metadata(const weft_safetensors *st, const char *key);
uint64_t weft_safetensors_header_bytes(const weft_safetensors *st); /* JSON header */
/* The whole file, as read. */
const uint8_t *weft_safetensors_bytes(const weft_safetensors *st, size_t *len);

/* Describe st for a reader (json false: aligned text; true: one JSON
 * object): path, size,
 * SHA-256, metadata, every tensor, and m's layers (m NULL: "not a usable
 * dense network", JSON "network": null). Appends to out; WEFT_ENOMEM. */
int weft_safetensors_describe(weft_buf *out, const weft_safetensors *st, const weft_model *m, bool json);

/* Convert a F32, F16 or BF16 tensor to floats (out holds nelems). Returns
 * WEFT_EINVALID for other dtypes. */
int weft_tensor_to_f32(float *out, const weft_tensor *t);

/* Build a model from a parsed file (borrowed only during the call). The
 * path used in diagnostics and weft_model_bytes come from st. */
int weft_model_from_safetensors(weft_model **out, const weft_safetensors *st,
				const weft_model_opts *opts, weft_diags *d);

/* A deterministic writer: tensors stored in the order added, header keys
 * in that order too, header padded with spaces to a multiple of 8 bytes.
 * The same calls give the same bytes. Errors: WEFT_EINVALID (bad name,
 * duplicate, dtype not F32/F16/BF16 for add), WEFT_ENOMEM. */
typedef struct weft_safetensors_writer weft_safetensors_writer;
int weft_safetensors_writer_new(weft_safetensors_writer **out);
void weft_safetensors_writer_free(weft_safetensors_writer *w);
int weft_safetensors_writer_meta(weft_safetensors_writer *w, const char *key, const char *value);
/* values: nelems floats, converted (round to nearest even) into dtype. */
int weft_safetensors_writer_add(weft_safetensors_writer *w, const char *name, weft_dtype dtype,
				size_t ndim, const uint64_t *shape, const float *values);
/* The serialised file (malloc'd; caller frees). */
int weft_safetensors_writer_finish(const weft_safetensors_writer *w, uint8_t **out, size_t *len);
/* Write it atomically (flags: WEFT_WRITE_FORCE ...). */
int weft_safetensors_writer_save(const weft_safetensors_writer *w, const char *path,
				 unsigned flags, weft_diags *d);

/* ==== half precision (round to nearest even, as the CUDA intrinsics) ===== */

uint16_t weft_f32_to_f16(float f);
float weft_f16_to_f32(uint16_t h);
uint16_t weft_f32_to_bf16(float f);
float weft_bf16_to_f32(uint16_t h);

/* ==== evaluation sets and metrics ======================================== */

/* Features and labels. From CSV: a header row naming the columns, one
 * column called "label" (an integer class, >= 0), every other column a
 * numeric feature in file order. From safetensors: tensors "features"
 * [rows, cols] (F32/F16/BF16) and "labels" [rows] (any integer dtype or
 * F32). Errors carry line:col for CSV -> WEFT_EINVALID. */
typedef struct {
	size_t rows, cols;
	float *features;       /* rows x cols, row-major */
	int *labels;           /* rows */
	char **names;          /* cols feature names (CSV) or NULL */
	int classes;           /* 1 + the largest label */
} weft_evalset;

int weft_evalset_load(weft_evalset **out, const char *path, weft_diags *d);
/* The CSV form from memory (text need not be NUL-terminated); name is used
 * in diagnostics. */
int weft_evalset_parse_csv(weft_evalset **out, const char *name, const char *text, size_t len,
			   weft_diags *d);
void weft_evalset_free(weft_evalset *e);

/* ROC AUC by the Mann-Whitney U statistic: the probability that a random
 * positive scores above a random negative, ties counting one half (average
 * ranks). labels are 0 or 1. WEFT_EINVALID when a class is missing, a label
 * is not 0/1 or a score is NaN. */
int weft_metrics_roc_auc(double *out, const double *scores, const int *labels, size_t n);

/* Share of rows whose predicted class equals the label. outputs is rows x k:
 * k == 1 predicts 1 when the output is >= threshold; k > 1 the argmax (first
 * wins ties). NaN outputs count as wrong. */
double weft_metrics_accuracy(const float *outputs, size_t rows, size_t k, const int *labels,
			     float threshold);

typedef struct {
	size_t rows;
	double accuracy;
	bool has_auc;  /* binary task, both classes present */
	double auc;
} weft_model_eval;

/* Run the whole evaluation set through the model (in max_batch chunks) and
 * score it: accuracy (threshold 0.5 for one output, argmax otherwise), and
 * for two classes ROC AUC of output 0 (one output) or output 1 (two). */
int weft_model_evaluate(weft_model_eval *out, weft_model *m, const weft_evalset *e,
			weft_diags *d);

/* The model's probability of class 1 for every row of a binary evaluation
 * set (malloc'd, e->rows values): one output, that output after a sigmoid
 * (a sigmoid applied here when the last layer has none); two outputs, the
 * second after a softmax (applied here when the model has none). Labels
 * above 1, or more than two outputs -> WEFT_EINVALID. */
int weft_model_scores(double **out, weft_model *m, const weft_evalset *e, weft_diags *d);


#ifdef __cplusplus
}
#endif
#endif
