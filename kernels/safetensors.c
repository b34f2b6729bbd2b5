/* safetensors.c - a strict reader for the safetensors format.
 *
 * Layout: 8 bytes little-endian header length N, N bytes of UTF-8 JSON (an
 * object: tensor name -> {dtype, shape, data_offsets}, plus an optional
 * "__metadata__" of string -> string), then the data section. Offsets are
 * relative to the data section.
 *
 * Design choice: the file is untrusted, so the reader checks everything the
 * reference implementation (the safetensors crate) checks and a little more
 * (duplicate keys, unknown fields, NUL bytes), in an order that gives the most
 * useful message first, and every count is computed with overflow checks
 * before it is used. The header is parsed by cJSON from a NUL-terminated copy
 * so no parser path can read past the header. Tensors keep pointers into the
 * one buffer the file was read into.
 */
#include <cjson/cJSON.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "kernels_int.h"

#define DEFAULT_MAX_HEADER 100000000ull
#define DEFAULT_MAX_FILE (4ull << 30)
/* Offsets and dims above 2^53 cannot be told apart from their neighbours
 * once cJSON has turned them into doubles. */
#define MAX_EXACT_INT 9007199254740992.0

struct weft_safetensors {
	char *path;
	uint8_t *buf;
	size_t len;
	uint64_t max_header;
	uint64_t header_len;
	const uint8_t *data;
	uint64_t data_len;
	weft_tensor *tensors;
	size_t n;
	const weft_tensor **by_name; /* sorted by name, for lookups */
	char **meta_keys;
	char **meta_values;
	size_t n_meta;
};

/* ---- dtypes ----------------------------------------------------------------- */

static const struct {
	const char *name;
	size_t size;
} dtypes[WEFT_DTYPE_COUNT_] = {
	[WEFT_DTYPE_F32] = { "F32", 4 },	 [WEFT_DTYPE_F16] = { "F16", 2 },
	[WEFT_DTYPE_BF16] = { "BF16", 2 },	 [WEFT_DTYPE_F64] = { "F64", 8 },
	[WEFT_DTYPE_I64] = { "I64", 8 },	 [WEFT_DTYPE_I32] = { "I32", 4 },
	[WEFT_DTYPE_I16] = { "I16", 2 },	 [WEFT_DTYPE_I8] = { "I8", 1 },
	[WEFT_DTYPE_U64] = { "U64", 8 },	 [WEFT_DTYPE_U32] = { "U32", 4 },
	[WEFT_DTYPE_U16] = { "U16", 2 },	 [WEFT_DTYPE_U8] = { "U8", 1 },
	[WEFT_DTYPE_BOOL] = { "BOOL", 1 },	 [WEFT_DTYPE_F8_E4M3] = { "F8_E4M3", 1 },
	[WEFT_DTYPE_F8_E5M2] = { "F8_E5M2", 1 },
};

const char *weft_dtype_name(weft_dtype t)
{
	return (unsigned)t < WEFT_DTYPE_COUNT_ ? dtypes[t].name : "?";
}

size_t weft_dtype_size(weft_dtype t)
{
	return (unsigned)t < WEFT_DTYPE_COUNT_ ? dtypes[t].size : 0;
}

int weft_dtype_parse(weft_dtype *out, const char *name)
{
	for (int i = 0; i < WEFT_DTYPE_COUNT_; i++) {
		if (name && strcmp(name, dtypes[i].name) == 0) {
			*out = (weft_dtype)i;
			return 0;
		}
	}
	return WEFT_EINVALID;
}

/* ---- UTF-8 --------------------------------------------------------------------- */

/* Strict UTF-8 (no overlongs, surrogates or code points above U+10FFFF) and
 * no NUL. On failure *bad is the offset of the offending byte. */
bool weft_kernels_utf8_valid(const uint8_t *s, size_t len, size_t *bad)
{
	size_t i = 0;
	while (i < len) {
		uint8_t c = s[i];
		size_t need;
		uint32_t cp, min;
		if (c == 0)
			goto fail;
		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			need = 1, cp = c & 0x1f, min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			need = 2, cp = c & 0x0f, min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			need = 3, cp = c & 0x07, min = 0x10000;
		} else {
			goto fail;
		}
		if (len - i <= need)
			goto fail;
		for (size_t k = 1; k <= need; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				goto fail;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			goto fail;
		i += need + 1;
	}
	return true;
fail:
	if (bad)
		*bad = i;
	return false;
}

/* ---- parsing ------------------------------------------------------------------- */

static int st_error(weft_diags *d, const char *path, const char *hint, const char *fmt, ...)
	WEFT_PRINTF(4, 5);

static int st_error(weft_diags *d, const char *path, const char *hint, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	weft_diags_vadd(d, WEFT_SEV_ERROR, path, 0, 0, hint, fmt, ap);
	va_end(ap);
	return WEFT_EINVALID;
}

/* A JSON number that is a non-negative integer we can represent exactly. */
static bool json_uint(uint64_t *out, const cJSON *item)
{
	if (!cJSON_IsNumber(item))
		return false;
	double v = item->valuedouble;
	if (!(v >= 0.0) || v > MAX_EXACT_INT || v != (double)(uint64_t)v)
		return false;
	*out = (uint64_t)v;
	return true;
}

static int cmp_tensor(const void *a, const void *b)
{
	const weft_tensor *x = a, *y = b;
	if (x->begin != y->begin)
		return x->begin < y->begin ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_tensor_name(const void *a, const void *b)
{
	return strcmp((*(const weft_tensor *const *)a)->name, (*(const weft_tensor *const *)b)->name);
}

static int parse_metadata(weft_safetensors *st, const cJSON *meta, weft_diags *d)
{
	const char *path = st->path;
	if (cJSON_IsNull(meta))
		return 0;
	if (!cJSON_IsObject(meta))
		return st_error(d, path, NULL, "__metadata__ must be an object of strings");
	size_t n = (size_t)cJSON_GetArraySize(meta);
	st->meta_keys = calloc(n ? n : 1, sizeof *st->meta_keys);
	st->meta_values = calloc(n ? n : 1, sizeof *st->meta_values);
	if (!st->meta_keys || !st->meta_values)
		return WEFT_ENOMEM;
	for (const cJSON *it = meta->child; it; it = it->next) {
		if (!cJSON_IsString(it))
			return st_error(d, path, NULL, "__metadata__ value of '%s' must be a string",
					it->string);
		st->meta_keys[st->n_meta] = strdup(it->string);
		st->meta_values[st->n_meta] = strdup(it->valuestring);
		st->n_meta++;
		if (!st->meta_keys[st->n_meta - 1] || !st->meta_values[st->n_meta - 1])
			return WEFT_ENOMEM;
	}
	/* duplicates, found by sorting a copy of the keys (linear scans would
	 * make a header of a million keys take hours) */
	char **keys = malloc((st->n_meta ? st->n_meta : 1) * sizeof *keys);
	if (!keys)
		return WEFT_ENOMEM;
	memcpy(keys, st->meta_keys, st->n_meta * sizeof *keys);
	qsort(keys, st->n_meta, sizeof *keys, cmp_str);
	for (size_t k = 1; k < st->n_meta; k++) {
		if (strcmp(keys[k - 1], keys[k]) == 0) {
			int err = st_error(d, path, NULL, "duplicate __metadata__ key '%s'", keys[k]);
			free(keys);
			return err;
		}
	}
	free(keys);
	return 0;
}

/* One entry: {"dtype": "F32", "shape": [2, 3], "data_offsets": [0, 24]}. */
static int parse_tensor(weft_safetensors *st, weft_tensor *t, const cJSON *e, weft_diags *d)
{
	const char *path = st->path, *name = e->string;
	char shapebuf[128];
	if (!cJSON_IsObject(e))
		return st_error(d, path, NULL, "tensor '%s': expected an object with dtype, shape "
				"and data_offsets", name);
	const cJSON *dtype = NULL, *shape = NULL, *offs = NULL;
	for (const cJSON *f = e->child; f; f = f->next) {
		const cJSON **slot = !strcmp(f->string, "dtype")	  ? &dtype
				     : !strcmp(f->string, "shape")	  ? &shape
				     : !strcmp(f->string, "data_offsets") ? &offs
									  : NULL;
		if (!slot)
			return st_error(d, path, "a tensor entry has only dtype, shape and data_offsets",
					"tensor '%s': unknown field '%s'", name, f->string);
		if (*slot)
			return st_error(d, path, NULL, "tensor '%s': duplicate field '%s'", name,
					f->string);
		*slot = f;
	}
	if (!dtype || !shape || !offs)
		return st_error(d, path, NULL, "tensor '%s': missing field '%s'", name,
				!dtype ? "dtype" : !shape ? "shape" : "data_offsets");

	if (!cJSON_IsString(dtype))
		return st_error(d, path, NULL, "tensor '%s': dtype must be a string", name);
	if (weft_dtype_parse(&t->dtype, dtype->valuestring))
		return st_error(d, path, "known dtypes: F32 F16 BF16 F64 I64 I32 I16 I8 U64 U32 "
				"U16 U8 BOOL F8_E4M3 F8_E5M2",
				"tensor '%s': unknown dtype '%s'", name, dtype->valuestring);

	if (!cJSON_IsArray(shape))
		return st_error(d, path, NULL, "tensor '%s': shape must be an array of integers", name);
	int ndim = cJSON_GetArraySize(shape);
	if (ndim > WEFT_SAFETENSORS_MAX_DIMS)
		return st_error(d, path, NULL, "tensor '%s': %d dimensions (at most %d)", name, ndim,
				WEFT_SAFETENSORS_MAX_DIMS);
	uint64_t *dims = calloc(ndim ? (size_t)ndim : 1, sizeof *dims);
	if (!dims)
		return WEFT_ENOMEM;
	t->shape = dims;
	t->ndim = (size_t)ndim;
	uint64_t nelems = 1;
	bool overflow = false;
	size_t k = 0;
	for (const cJSON *it = shape->child; it; it = it->next, k++) {
		if (!json_uint(&dims[k], it))
			return st_error(d, path, NULL, "tensor '%s': shape[%zu] is not a non-negative "
					"integer below 2^53", name, k);
		if (__builtin_mul_overflow(nelems, dims[k], &nelems))
			overflow = true;
	}
	uint64_t nbytes = 0;
	if (overflow || __builtin_mul_overflow(nelems, (uint64_t)weft_dtype_size(t->dtype), &nbytes))
		return st_error(d, path, NULL, "tensor '%s': integer overflow in the shape's size "
				"(product of dimensions times %zu bytes)", name,
				weft_dtype_size(t->dtype));
	t->nelems = nelems;

	if (!cJSON_IsArray(offs) || cJSON_GetArraySize(offs) != 2 || !json_uint(&t->begin, offs->child) ||
	    !json_uint(&t->end, offs->child->next))
		return st_error(d, path, NULL, "tensor '%s': data_offsets must be two non-negative "
				"integers [begin, end]", name);
	if (t->begin > t->end)
		return st_error(d, path, NULL, "tensor '%s': data_offsets [%llu, %llu] end before "
				"they begin", name, (unsigned long long)t->begin,
				(unsigned long long)t->end);
	if (t->end > st->data_len)
		return st_error(d, path, NULL, "tensor '%s': data_offsets [%llu, %llu] lie outside the "
				"data section (%llu bytes, file offsets %llu..%llu)", name,
				(unsigned long long)t->begin, (unsigned long long)t->end,
				(unsigned long long)st->data_len, (unsigned long long)(8 + st->header_len),
				(unsigned long long)st->len);
	if (t->end - t->begin != nbytes)
		return st_error(d, path, NULL, "tensor '%s': shape %s of %s needs %llu bytes but "
				"data_offsets [%llu, %llu] hold %llu", name,
				weft_kernels_shape_str(t->shape, t->ndim, shapebuf, sizeof shapebuf),
				weft_dtype_name(t->dtype),
				(unsigned long long)nbytes, (unsigned long long)t->begin,
				(unsigned long long)t->end, (unsigned long long)(t->end - t->begin));
	t->data = st->data + t->begin;
	return 0;
}

static int parse_header(weft_safetensors *st, weft_diags *d)
{
	const char *path = st->path;
	if (st->len < 8)
		return st_error(d, path, NULL, "file is %zu bytes, too short for the 8-byte header "
				"length of a safetensors file", st->len);
	uint64_t n = 0;
	for (int i = 7; i >= 0; i--)
		n = n << 8 | st->buf[i];
	if (n > st->max_header)
		return st_error(d, path, NULL, "header length %llu exceeds the limit of %llu bytes",
				(unsigned long long)n, (unsigned long long)st->max_header);
	if (n > st->len - 8)
		return st_error(d, path, "the file may be truncated", "header length %llu runs past "
				"the end of the file (%zu bytes)", (unsigned long long)n, st->len);
	if (n < 2)
		return st_error(d, path, NULL, "header is %llu bytes, too short for a JSON object",
				(unsigned long long)n);
	st->header_len = n;
	st->data = st->buf + 8 + n;
	st->data_len = st->len - 8 - n;

	const uint8_t *h = st->buf + 8;
	if (h[0] != '{')
		return st_error(d, path, NULL, "header does not start with '{' (byte 8 is 0x%02x)",
				h[0]);
	size_t bad = 0;
	if (!weft_kernels_utf8_valid(h, (size_t)n, &bad))
		return st_error(d, path, NULL, h[bad] ? "header is not valid UTF-8 text at byte %zu"
						      : "header holds a NUL byte at byte %zu",
				8 + bad);

	char *text = malloc((size_t)n + 1);
	if (!text)
		return WEFT_ENOMEM;
	memcpy(text, h, (size_t)n);
	text[n] = '\0';
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithOpts(text, &end, 0);
	if (!root) {
		size_t at = end && end >= text ? (size_t)(end - text) : 0;
		free(text);
		return st_error(d, path, NULL, "header is not valid JSON near byte %zu", 8 + at);
	}
	for (const char *p = end; *p; p++) {
		if (*p != ' ' && *p != '\t' && *p != '\n' && *p != '\r') {
			size_t at = (size_t)(p - text);
			cJSON_Delete(root);
			free(text);
			return st_error(d, path, NULL, "unexpected bytes after the JSON header at byte %zu",
					8 + at);
		}
	}
	free(text);
	int err = 0;
	if (!cJSON_IsObject(root)) {
		err = st_error(d, path, NULL, "header must be a JSON object");
		goto done;
	}

	size_t count = 0;
	const cJSON *meta = NULL;
	for (const cJSON *it = root->child; it; it = it->next) {
		if (strcmp(it->string, "__metadata__") == 0) {
			if (meta) {
				err = st_error(d, path, NULL, "duplicate key '__metadata__'");
				goto done;
			}
			meta = it;
		} else {
			count++;
		}
	}
	if (meta && (err = parse_metadata(st, meta, d)))
		goto done;

	st->tensors = calloc(count ? count : 1, sizeof *st->tensors);
	if (!st->tensors) {
		err = WEFT_ENOMEM;
		goto done;
	}
	for (const cJSON *it = root->child; it; it = it->next) {
		if (it == meta)
			continue;
		weft_tensor *t = &st->tensors[st->n++];
		if (!(t->name = strdup(it->string))) {
			err = WEFT_ENOMEM;
			goto done;
		}
		if ((err = parse_tensor(st, t, it, d)))
			goto done;
	}

	/* names are unique: sort an index by name and compare neighbours */
	st->by_name = malloc((st->n ? st->n : 1) * sizeof *st->by_name);
	if (!st->by_name) {
		err = WEFT_ENOMEM;
		goto done;
	}
	for (size_t k = 0; k < st->n; k++)
		st->by_name[k] = &st->tensors[k];
	qsort(st->by_name, st->n, sizeof *st->by_name, cmp_tensor_name);
	for (size_t k = 1; k < st->n; k++) {
		if (strcmp(st->by_name[k - 1]->name, st->by_name[k]->name) == 0) {
			err = st_error(d, path, NULL, "duplicate tensor name '%s'", st->by_name[k]->name);
			goto done;
		}
	}

	/* The tensors must tile the data section: sorted by offset, each starts
	 * where the previous ended, and the last ends at the end of the file. */
	qsort(st->tensors, st->n, sizeof *st->tensors, cmp_tensor);
	for (size_t k = 0; k < st->n; k++)
		st->by_name[k] = &st->tensors[k];
	qsort(st->by_name, st->n, sizeof *st->by_name, cmp_tensor_name);
	uint64_t at = 0;
	for (size_t k = 0; k < st->n; k++) {
		const weft_tensor *t = &st->tensors[k];
		if (t->begin < at) {
			err = st_error(d, path, NULL, "tensor '%s' (data_offsets [%llu, %llu]) overlaps "
				       "tensor '%s' (ending at %llu)", t->name,
				       (unsigned long long)t->begin, (unsigned long long)t->end,
				       st->tensors[k - 1].name, (unsigned long long)at);
			goto done;
		}
		if (t->begin > at) {
			err = st_error(d, path, NULL, "data bytes %llu..%llu belong to no tensor (gap "
				       "before tensor '%s')", (unsigned long long)at,
				       (unsigned long long)t->begin, t->name);
			goto done;
		}
		at = t->end;
	}
	if (at != st->data_len)
		err = st_error(d, path, NULL, "the data section holds %llu bytes but the tensors "
			       "cover %llu", (unsigned long long)st->data_len, (unsigned long long)at);
done:
	cJSON_Delete(root);
	return err;
}

/* Takes ownership of buf (malloc'd). */
static int parse_owned(weft_safetensors **out, const char *name, uint8_t *buf, size_t len,
		       const weft_safetensors_opts *opts, weft_diags *d)
{
	*out = NULL;
	weft_safetensors *st = calloc(1, sizeof *st);
	if (!st || !(st->path = strdup(name ? name : "<buffer>"))) {
		free(st);
		free(buf);
		return WEFT_ENOMEM;
	}
	st->buf = buf;
	st->len = len;
	st->max_header = opts && opts->max_header ? opts->max_header : DEFAULT_MAX_HEADER;
	int err = parse_header(st, d);
	if (err == WEFT_ENOMEM)
		weft_diags_error(d, st->path, 0, 0, "out of memory reading the header");
	if (err) {
		weft_safetensors_free(st);
		return err;
	}
	*out = st;
	return 0;
}

int weft_safetensors_parse(weft_safetensors **out, const char *name, const void *buf, size_t len,
			   const weft_safetensors_opts *opts, weft_diags *d)
{
	*out = NULL;
	uint8_t *copy = malloc(len ? len : 1);
	if (!copy)
		return WEFT_ENOMEM;
	if (len)
		memcpy(copy, buf, len);
	return parse_owned(out, name, copy, len, opts, d);
}

int weft_safetensors_load(weft_safetensors **out, const char *path,
			  const weft_safetensors_opts *opts, weft_diags *d)
{
	*out = NULL;
	uint64_t max_file = opts && opts->max_file ? opts->max_file : DEFAULT_MAX_FILE;
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0, NULL, "cannot open: %s", strerror(errno));
		return WEFT_EENV;
	}
	struct stat sb;
	if (fstat(fileno(fp), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0, NULL, "not a regular file");
		fclose(fp);
		return WEFT_EENV;
	}
	if ((uint64_t)sb.st_size > max_file || (uint64_t)sb.st_size > SIZE_MAX - 1) {
		fclose(fp);
		return st_error(d, path, NULL, "file is %llu bytes, above the limit of %llu",
				(unsigned long long)sb.st_size, (unsigned long long)max_file);
	}
	size_t len = (size_t)sb.st_size;
	uint8_t *buf = malloc(len ? len : 1);
	if (!buf) {
		fclose(fp);
		weft_diags_error(d, path, 0, 0, "out of memory reading %zu bytes", len);
		return WEFT_ENOMEM;
	}
	size_t got = len ? fread(buf, 1, len, fp) : 0;
	bool io_err = ferror(fp) || got != len;
	fclose(fp);
	if (io_err) {
		free(buf);
		weft_diags_add(d, WEFT_SEV_ERROR, path, 0, 0, NULL,
			       "read error (the file changed while being read?)");
		return WEFT_EENV;
	}
	return parse_owned(out, path, buf, len, opts, d);
}

void weft_safetensors_free(weft_safetensors *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n; i++) {
		free((char *)st->tensors[i].name);
		free((uint64_t *)st->tensors[i].shape);
	}
	free(st->tensors);
	free(st->by_name);
	for (size_t i = 0; i < st->n_meta; i++) {
		free(st->meta_keys[i]);
		free(st->meta_values[i]);
	}
	free(st->meta_keys);
	free(st->meta_values);
	free(st->buf);
	free(st->path);
	free(st);
}

/* ---- accessors ---------------------------------------------------------------- */

const char *weft_safetensors_path(const weft_safetensors *st)
{
	return st->path;
}

size_t weft_safetensors_count(const weft_safetensors *st)
{
	return st->n;
}

const weft_tensor *weft_safetensors_tensor(const weft_safetensors *st, size_t i)
{
	return i < st->n ? &st->tensors[i] : NULL;
}

const weft_tensor *weft_safetensors_find(const weft_safetensors *st, const char *name)
{
	size_t lo = 0, hi = st->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(st->by_name[mid]->name, name);
		if (c == 0)
			return st->by_name[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t weft_safetensors_metadata_count(const weft_safetensors *st)
{
	return st->n_meta;
}

void weft_safetensors_metadata_at(const weft_safetensors *st, size_t i, const char **key,
				  const char **value)
{
	*key = i < st->n_meta ? st->meta_keys[i] : NULL;
	*value = i < st->n_meta ? st->meta_values[i] : NULL;
}

const char *weft_safetensors_metadata(const weft_safetensors *st, const char *key)
{
	for (size_t i = 0; i < st->n_meta; i++)
		if (strcmp(st->meta_keys[i], key) == 0)
			return st->meta_values[i];
	return NULL;
}

uint64_t weft_safetensors_header_bytes(const weft_safetensors *st)
{
	return st->header_len;
}

const uint8_t *weft_safetensors_bytes(const weft_safetensors *st, size_t *len)
{
	if (len)
		*len = st->len;
	return st->buf;
}

/* Little-endian reads, independent of the host's byte order and alignment. */
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

int weft_tensor_to_f32(float *out, const weft_tensor *t)
{
	const uint8_t *p = t->data;
	switch (t->dtype) {
	case WEFT_DTYPE_F32:
		for (uint64_t i = 0; i < t->nelems; i++) {
			uint32_t u = le32(p + 4 * i);
			memcpy(&out[i], &u, 4);
		}
		return 0;
	case WEFT_DTYPE_F16:
		for (uint64_t i = 0; i < t->nelems; i++)
			out[i] = weft_f16_to_f32(le16(p + 2 * i));
		return 0;
	case WEFT_DTYPE_BF16:
		for (uint64_t i = 0; i < t->nelems; i++)
			out[i] = weft_bf16_to_f32(le16(p + 2 * i));
		return 0;
	default:
		return WEFT_EINVALID;
	}
}
