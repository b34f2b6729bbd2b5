/* safetensors.c - strict safetensors reader (header parsed with cJSON).
 *
 * Key choice: validate the whole file up front and refuse anything odd
 * (oversized or non-JSON header, unknown dtype or key, fractional or huge
 * numbers, offsets outside the data, overlaps, unused gaps, sizes that do not
 * match shapes), so code that uses a parsed st_file can trust every offset.
 * All arithmetic on sizes is overflow-checked; bytes are decoded
 * little-endian by shifts, so host endianness and alignment do not matter.
 */
#include "safetensors.h"

#include <cjson/cJSON.h>
#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	st_dtype type;
	size_t size;
} st_dtypes[] = {
	{ "F64", ST_F64, 8 },  { "F32", ST_F32, 4 },   { "F16", ST_F16, 2 },
	{ "BF16", ST_BF16, 2 }, { "I64", ST_I64, 8 },  { "I32", ST_I32, 4 },
	{ "I16", ST_I16, 2 },  { "I8", ST_I8, 1 },     { "U64", ST_U64, 8 },
	{ "U32", ST_U32, 4 },  { "U16", ST_U16, 2 },   { "U8", ST_U8, 1 },
	{ "BOOL", ST_BOOL, 1 }, { "F8_E4M3", ST_F8_E4M3, 1 }, { "F8_E5M2", ST_F8_E5M2, 1 },
};
#define ST_N_DTYPES (sizeof st_dtypes / sizeof st_dtypes[0])

/* Tensor names in messages are cut to this many bytes. */
#define ST_NAME_SHOWN 80

static void st_errf(char *err, size_t errlen, const char *fmt, ...)
{
	if (!err || errlen == 0)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static char *st_strdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *c = malloc(n);
	if (c)
		memcpy(c, s, n);
	return c;
}

const char *st_dtype_name(st_dtype t)
{
	for (size_t i = 0; i < ST_N_DTYPES; i++)
		if (st_dtypes[i].type == t)
			return st_dtypes[i].name;
	return "?";
}

size_t st_dtype_size(st_dtype t)
{
	for (size_t i = 0; i < ST_N_DTYPES; i++)
		if (st_dtypes[i].type == t)
			return st_dtypes[i].size;
	return 0;
}

void st_free(st_file *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->n_tensors; i++)
		free(f->tensors[i].name);
	for (size_t i = 0; i < f->n_meta; i++) {
		free(f->meta[i].key);
		free(f->meta[i].value);
	}
	free(f->tensors);
	free(f->meta);
	free(f);
}

const st_tensor *st_find(const st_file *f, const char *name)
{
	for (size_t i = 0; f && i < f->n_tensors; i++)
		if (strcmp(f->tensors[i].name, name) == 0)
			return &f->tensors[i];
	return NULL;
}

const char *st_meta_get(const st_file *f, const char *key)
{
	for (size_t i = 0; f && i < f->n_meta; i++)
		if (strcmp(f->meta[i].key, key) == 0)
			return f->meta[i].value;
	return NULL;
}

/* A JSON number that is a whole number in [0, 2^53] (exact in a double). */
static int st_json_count(const cJSON *v, uint64_t *out)
{
	if (!cJSON_IsNumber(v))
		return -1;
	double d = v->valuedouble;
	if (!isfinite(d) || d < 0 || d > 9007199254740992.0 || floor(d) != d)
		return -1;
	*out = (uint64_t)d;
	return 0;
}

/* Writes "[a, b, c]" of a shape into buf (cut short when it does not fit). */
static void st_shape_str(char *buf, size_t cap, const st_tensor *t)
{
	size_t used = 0;
	int n = snprintf(buf, cap, "[");
	used = n > 0 ? (size_t)n : 0;
	for (size_t i = 0; i < t->ndim && used < cap; i++) {
		n = snprintf(buf + used, cap - used, "%s%zu", i ? ", " : "", t->shape[i]);
		if (n < 0)
			return;
		used += (size_t)n;
	}
	if (used < cap)
		snprintf(buf + used, cap - used, "]");
}

/* Fills t from the JSON object j; the caller has set t->name. */
static int st_parse_tensor(st_tensor *t, const cJSON *j, size_t data_len, char *err, size_t errlen)
{
	const char *nm = t->name;
	if (!cJSON_IsObject(j)) {
		st_errf(err, errlen, "tensor '%.*s': expected an object with dtype, shape and data_offsets",
			ST_NAME_SHOWN, nm);
		return -1;
	}
	const cJSON *dtype = NULL, *shape = NULL, *offs = NULL;
	for (const cJSON *c = j->child; c; c = c->next) {
		const cJSON **slot = NULL;
		if (strcmp(c->string, "dtype") == 0)
			slot = &dtype;
		else if (strcmp(c->string, "shape") == 0)
			slot = &shape;
		else if (strcmp(c->string, "data_offsets") == 0)
			slot = &offs;
		if (!slot) {
			st_errf(err, errlen, "tensor '%.*s': unknown key '%.40s'", ST_NAME_SHOWN, nm, c->string);
			return -1;
		}
		if (*slot) {
			st_errf(err, errlen, "tensor '%.*s': key '%s' appears twice", ST_NAME_SHOWN, nm, c->string);
			return -1;
		}
		*slot = c;
	}
	if (!dtype || !shape || !offs) {
		st_errf(err, errlen, "tensor '%.*s': missing '%s'", ST_NAME_SHOWN, nm,
			!dtype ? "dtype" : !shape ? "shape" : "data_offsets");
		return -1;
	}

	if (!cJSON_IsString(dtype)) {
		st_errf(err, errlen, "tensor '%.*s': dtype must be a string", ST_NAME_SHOWN, nm);
		return -1;
	}
	size_t esize = 0;
	for (size_t i = 0; i < ST_N_DTYPES; i++) {
		if (strcmp(st_dtypes[i].name, dtype->valuestring) == 0) {
			t->dtype = st_dtypes[i].type;
			esize = st_dtypes[i].size;
		}
	}
	if (!esize) {
		st_errf(err, errlen, "tensor '%.*s': unknown dtype '%.20s'", ST_NAME_SHOWN, nm, dtype->valuestring);
		return -1;
	}

	if (!cJSON_IsArray(shape)) {
		st_errf(err, errlen, "tensor '%.*s': shape must be an array of sizes", ST_NAME_SHOWN, nm);
		return -1;
	}
	t->ndim = 0;
	t->count = 1;
	for (const cJSON *c = shape->child; c; c = c->next) {
		uint64_t dim;
		if (t->ndim == ST_MAX_DIMS) {
			st_errf(err, errlen, "tensor '%.*s': more than %d dimensions", ST_NAME_SHOWN, nm, ST_MAX_DIMS);
			return -1;
		}
		if (st_json_count(c, &dim) != 0 || dim > SIZE_MAX) {
			st_errf(err, errlen, "tensor '%.*s': shape entry %zu is not a non-negative whole number",
				ST_NAME_SHOWN, nm, t->ndim);
			return -1;
		}
		t->shape[t->ndim++] = (size_t)dim;
		if (dim != 0 && t->count > SIZE_MAX / (size_t)dim) {
			st_errf(err, errlen, "tensor '%.*s': shape has too many elements", ST_NAME_SHOWN, nm);
			return -1;
		}
		t->count *= (size_t)dim;
	}
	if (t->count > SIZE_MAX / esize) {
		st_errf(err, errlen, "tensor '%.*s': shape has too many elements", ST_NAME_SHOWN, nm);
		return -1;
	}
	size_t nbytes = t->count * esize;

	uint64_t b, e;
	if (!cJSON_IsArray(offs) || cJSON_GetArraySize(offs) != 2 || st_json_count(offs->child, &b) != 0 ||
	    st_json_count(offs->child->next, &e) != 0) {
		st_errf(err, errlen, "tensor '%.*s': data_offsets must be [begin, end] with whole numbers",
			ST_NAME_SHOWN, nm);
		return -1;
	}
	if (b > e) {
		st_errf(err, errlen, "tensor '%.*s': data_offsets [%llu, %llu] end before they begin", ST_NAME_SHOWN,
			nm, (unsigned long long)b, (unsigned long long)e);
		return -1;
	}
	if (e > data_len) {
		st_errf(err, errlen, "tensor '%.*s': data_offsets [%llu, %llu] run past the end of the data (%zu bytes)",
			ST_NAME_SHOWN, nm, (unsigned long long)b, (unsigned long long)e, data_len);
		return -1;
	}
	t->begin = (size_t)b;
	t->end = (size_t)e;
	if (t->end - t->begin != nbytes) {
		char sh[96];
		st_shape_str(sh, sizeof sh, t);
		st_errf(err, errlen,
			"tensor '%.*s': shape %s of %s needs %zu bytes but data_offsets [%zu, %zu] hold %zu",
			ST_NAME_SHOWN, nm, sh, dtype->valuestring, nbytes, t->begin, t->end, t->end - t->begin);
		return -1;
	}
	return 0;
}

static int st_cmp_name(const void *a, const void *b)
{
	const st_tensor *const *x = a, *const *y = b;
	return strcmp((*x)->name, (*y)->name);
}

static int st_cmp_offset(const void *a, const void *b)
{
	const st_tensor *const *x = a, *const *y = b;
	if ((*x)->begin != (*y)->begin)
		return (*x)->begin < (*y)->begin ? -1 : 1;
	if ((*x)->end != (*y)->end)
		return (*x)->end < (*y)->end ? -1 : 1;
	return 0;
}

/* Names unique; the non-empty tensors tile the data exactly (no overlap, no gap). */
static int st_check_layout(const st_file *f, char *err, size_t errlen)
{
	if (f->n_tensors == 0) {
		if (f->data_len) {
			st_errf(err, errlen, "the file has %zu bytes of data but no tensors", f->data_len);
			return -1;
		}
		return 0;
	}
	const st_tensor **idx = malloc(f->n_tensors * sizeof *idx);
	if (!idx) {
		st_errf(err, errlen, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < f->n_tensors; i++)
		idx[i] = &f->tensors[i];
	int rc = 0;
	qsort(idx, f->n_tensors, sizeof *idx, st_cmp_name);
	for (size_t i = 1; i < f->n_tensors; i++) {
		if (strcmp(idx[i - 1]->name, idx[i]->name) == 0) {
			st_errf(err, errlen, "tensor '%.*s' appears twice in the header", ST_NAME_SHOWN, idx[i]->name);
			rc = -1;
			goto done;
		}
	}
	qsort(idx, f->n_tensors, sizeof *idx, st_cmp_offset);
	size_t pos = 0;
	const st_tensor *prev = NULL;
	for (size_t i = 0; i < f->n_tensors; i++) {
		const st_tensor *t = idx[i];
		if (t->begin == t->end)
			continue; /* empty tensors take no room */
		if (t->begin < pos) {
			st_errf(err, errlen, "tensor '%.*s': data_offsets [%zu, %zu] overlap tensor '%.*s' [%zu, %zu]",
				ST_NAME_SHOWN, t->name, t->begin, t->end, ST_NAME_SHOWN, prev->name, prev->begin,
				prev->end);
			rc = -1;
			goto done;
		}
		if (t->begin > pos) {
			st_errf(err, errlen, "bytes [%zu, %zu) of the data belong to no tensor (before '%.*s')", pos,
				t->begin, ST_NAME_SHOWN, t->name);
			rc = -1;
			goto done;
		}
		pos = t->end;
		prev = t;
	}
	if (pos != f->data_len) {
		st_errf(err, errlen, "bytes [%zu, %zu) at the end of the data belong to no tensor", pos, f->data_len);
		rc = -1;
	}
done:
	free(idx);
	return rc;
}

static int st_parse_meta(st_file *f, const cJSON *j, char *err, size_t errlen)
{
	if (!cJSON_IsObject(j)) {
		st_errf(err, errlen, "__metadata__ must be an object of strings");
		return -1;
	}
	size_t n = 0;
	for (const cJSON *c = j->child; c; c = c->next)
		n++;
	if (n == 0)
		return 0;
	f->meta = calloc(n, sizeof *f->meta);
	if (!f->meta) {
		st_errf(err, errlen, "out of memory");
		return -1;
	}
	for (const cJSON *c = j->child; c; c = c->next) {
		if (!cJSON_IsString(c)) {
			st_errf(err, errlen, "__metadata__ '%.*s' must be a string", ST_NAME_SHOWN, c->string);
			return -1;
		}
		if (st_meta_get(f, c->string)) {
			st_errf(err, errlen, "__metadata__ key '%.*s' appears twice", ST_NAME_SHOWN, c->string);
			return -1;
		}
		st_meta *m = &f->meta[f->n_meta];
		m->key = st_strdup(c->string);
		m->value = st_strdup(c->valuestring);
		f->n_meta++;
		if (!m->key || !m->value) {
			st_errf(err, errlen, "out of memory");
			return -1;
		}
	}
	return 0;
}

int st_parse(st_file **out, const void *buf, size_t len, char *err, size_t errlen)
{
	const unsigned char *p = buf;
	*out = NULL;
	if (len < 8) {
		st_errf(err, errlen, "file is %zu bytes, too short for the 8-byte header length", len);
		return -1;
	}
	uint64_t hlen = 0;
	for (int i = 7; i >= 0; i--)
		hlen = hlen << 8 | p[i];
	if (hlen > ST_MAX_HEADER) {
		st_errf(err, errlen, "header length %llu exceeds the limit of %llu bytes", (unsigned long long)hlen,
			(unsigned long long)ST_MAX_HEADER);
		return -1;
	}
	if (hlen > len - 8) {
		st_errf(err, errlen, "header length %llu runs past the end of the file (%zu bytes after the length)",
			(unsigned long long)hlen, len - 8);
		return -1;
	}
	if (hlen < 2) {
		st_errf(err, errlen, "header length %llu is too short for a JSON object", (unsigned long long)hlen);
		return -1;
	}
	const char *hdr = (const char *)p + 8;
	if (hdr[0] != '{') {
		st_errf(err, errlen, "header does not start with '{'");
		return -1;
	}
	if (memchr(hdr, '\0', (size_t)hlen)) {
		st_errf(err, errlen, "header contains a NUL byte");
		return -1;
	}
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(hdr, (size_t)hlen, &end, 0);
	if (!root) {
		size_t at = end && end >= hdr && end <= hdr + hlen ? (size_t)(end - hdr) : 0;
		st_errf(err, errlen, "header is not valid JSON (near byte %zu of the header)", at);
		return -1;
	}
	/* the only thing allowed after the object is space padding */
	for (const char *q = end; q < hdr + hlen; q++) {
		if (*q != ' ') {
			st_errf(err, errlen, "header has data after the JSON object (byte %zu)", (size_t)(q - hdr));
			cJSON_Delete(root);
			return -1;
		}
	}
	if (!cJSON_IsObject(root)) {
		st_errf(err, errlen, "header is not a JSON object");
		cJSON_Delete(root);
		return -1;
	}

	st_file *f = calloc(1, sizeof *f);
	if (!f) {
		st_errf(err, errlen, "out of memory");
		cJSON_Delete(root);
		return -1;
	}
	f->data = p + 8 + hlen;
	f->data_len = len - 8 - (size_t)hlen;

	size_t n = 0;
	int seen_meta = 0;
	for (const cJSON *c = root->child; c; c = c->next)
		n += strcmp(c->string, "__metadata__") != 0;
	if (n) {
		f->tensors = calloc(n, sizeof *f->tensors);
		if (!f->tensors) {
			st_errf(err, errlen, "out of memory");
			goto fail;
		}
	}
	for (const cJSON *c = root->child; c; c = c->next) {
		if (strcmp(c->string, "__metadata__") == 0) {
			if (seen_meta++) {
				st_errf(err, errlen, "__metadata__ appears twice");
				goto fail;
			}
			if (st_parse_meta(f, c, err, errlen) != 0)
				goto fail;
			continue;
		}
		st_tensor *t = &f->tensors[f->n_tensors];
		t->name = st_strdup(c->string);
		if (!t->name) {
			st_errf(err, errlen, "out of memory");
			goto fail;
		}
		f->n_tensors++;
		if (st_parse_tensor(t, c, f->data_len, err, errlen) != 0)
			goto fail;
		t->data = f->data + t->begin;
	}
	if (st_check_layout(f, err, errlen) != 0)
		goto fail;
	cJSON_Delete(root);
	*out = f;
	return 0;
fail:
	cJSON_Delete(root);
	st_free(f);
	return -1;
}

float st_f16_to_float(uint16_t h)
{
	int sign = h >> 15;
	int exp = (h >> 10) & 0x1f;
	int mant = h & 0x3ff;
	float v;
	if (exp == 0)
		v = ldexpf((float)mant, -24); /* zero or subnormal */
	else if (exp == 31)
		v = mant ? NAN : INFINITY;
	else
		v = ldexpf((float)(mant | 0x400), exp - 25);
	return sign ? -v : v;
}

float st_bf16_to_float(uint16_t b)
{
	uint32_t bits = (uint32_t)b << 16;
	float v;
	memcpy(&v, &bits, sizeof v);
	return v;
}

int st_tensor_to_float(const st_tensor *t, float *dst, char *err, size_t errlen)
{
	const unsigned char *q = t->data;
	switch (t->dtype) {
	case ST_F32:
		for (size_t i = 0; i < t->count; i++, q += 4) {
			uint32_t bits = (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
			memcpy(&dst[i], &bits, sizeof bits);
		}
		return 0;
	case ST_F16:
		for (size_t i = 0; i < t->count; i++, q += 2)
			dst[i] = st_f16_to_float((uint16_t)(q[0] | q[1] << 8));
		return 0;
	case ST_BF16:
		for (size_t i = 0; i < t->count; i++, q += 2)
			dst[i] = st_bf16_to_float((uint16_t)(q[0] | q[1] << 8));
		return 0;
	case ST_F64:
		for (size_t i = 0; i < t->count; i++, q += 8) {
			uint64_t bits = 0;
			double d;
			for (int k = 7; k >= 0; k--)
				bits = bits << 8 | q[k];
			memcpy(&d, &bits, sizeof d);
			/* out-of-range double to float is undefined: saturate to infinity */
			if (isfinite(d) && fabs(d) > FLT_MAX)
				dst[i] = d > 0 ? INFINITY : -INFINITY;
			else
				dst[i] = (float)d;
		}
		return 0;
	default:
		st_errf(err, errlen, "tensor '%.*s': dtype %s cannot be read as floating point (use F32, F16 or BF16)",
			ST_NAME_SHOWN, t->name, st_dtype_name(t->dtype));
		return -1;
	}
}
