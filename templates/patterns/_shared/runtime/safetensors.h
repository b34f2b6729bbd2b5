/* safetensors.h - strict reader for the safetensors file format.
 *
 * Layout: an 8-byte little-endian header length N, N bytes of JSON header
 * (an object mapping tensor names to {"dtype", "shape", "data_offsets"}, plus
 * an optional "__metadata__" object of string values), then the data. The
 * reader checks everything before anything is used: header length, JSON
 * syntax, dtypes, shapes, offsets inside the data, sizes matching shapes,
 * no overlap and no unused gap between tensors. It keeps a pointer into the
 * caller's buffer, so the buffer must outlive the st_file.
 */
#ifndef SAFETENSORS_H
#define SAFETENSORS_H

#include <stddef.h>
#include <stdint.h>

#define ST_MAX_HEADER ((uint64_t)16 * 1024 * 1024) /* largest JSON header accepted */
#define ST_MAX_DIMS 8                               /* largest tensor rank accepted */

typedef enum st_dtype {
	ST_F64,
	ST_F32,
	ST_F16,
	ST_BF16,
	ST_I64,
	ST_I32,
	ST_I16,
	ST_I8,
	ST_U64,
	ST_U32,
	ST_U16,
	ST_U8,
	ST_BOOL,
	ST_F8_E4M3,
	ST_F8_E5M2,
} st_dtype;

typedef struct st_tensor {
	char *name;
	st_dtype dtype;
	size_t ndim;
	size_t shape[ST_MAX_DIMS];
	size_t count;              /* product of shape (1 for a scalar) */
	size_t begin, end;         /* byte offsets into the data section */
	const unsigned char *data; /* first byte of this tensor */
} st_tensor;

typedef struct st_meta {
	char *key;
	char *value;
} st_meta;

typedef struct st_file {
	st_tensor *tensors; /* in header order */
	size_t n_tensors;
	st_meta *meta; /* "__metadata__" entries, in header order */
	size_t n_meta;
	const unsigned char *data; /* data section, inside the caller's buffer */
	size_t data_len;
} st_file;

/* Parses and validates buf[0..len). On success *out owns the tensor table and
 * points into buf. On failure returns -1 and writes a message to err (which
 * may be NULL when errlen is 0). */
int st_parse(st_file **out, const void *buf, size_t len, char *err, size_t errlen);
void st_free(st_file *f);

/* The tensor called name, or NULL. */
const st_tensor *st_find(const st_file *f, const char *name);
/* The metadata value for key, or NULL. */
const char *st_meta_get(const st_file *f, const char *key);

/* "F32", "BF16", ... */
const char *st_dtype_name(st_dtype t);
/* Bytes per element. */
size_t st_dtype_size(st_dtype t);

/* Converts t's elements to float into dst[t->count]. Supports F32, F16, BF16
 * and F64; returns -1 (with a message) for other dtypes. */
int st_tensor_to_float(const st_tensor *t, float *dst, char *err, size_t errlen);

/* Bit-level conversions, exposed for tests and code generators. */
float st_f16_to_float(uint16_t h);
float st_bf16_to_float(uint16_t b);

#endif
