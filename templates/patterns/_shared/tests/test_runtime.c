/* test_runtime.c - tests of the model runtime (src/model.c, safetensors.c,
 * sha256.c) against the project's own model.
 *
 * Expected values never come from the runtime itself: the digest is the one
 * make-model.py wrote to models/model.sha256, the predictions are the ones
 * its Python forward pass wrote to models/sample.csv, SHA-256 is checked
 * against the FIPS 180-2 vectors, and small hand-built models are checked
 * against values worked out by hand. Malformed files are made by changing
 * bytes or the header of the valid model in memory; each must be refused
 * with a message naming the problem.
 *
 * MODELS_DIR (compile definition) is the folder holding model.safetensors,
 * model.sha256 and sample.csv.
 */
#include <criterion/criterion.h>

#include <cjson/cJSON.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "safetensors.h"
#include "sha256.h"

#ifndef MODELS_DIR
#define MODELS_DIR "models"
#endif

#define MODEL_PATH MODELS_DIR "/model.safetensors"

/* ---- helpers ------------------------------------------------------------ */

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	cr_assert(fp, "cannot open %s", path);
	cr_assert_eq(fseek(fp, 0, SEEK_END), 0);
	long n = ftell(fp);
	cr_assert(n >= 0);
	rewind(fp);
	unsigned char *buf = malloc((size_t)n + 1);
	cr_assert(buf);
	cr_assert_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

static uint64_t get_le64(const unsigned char *p)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void put_f32(unsigned char *p, float f)
{
	uint32_t bits;
	memcpy(&bits, &f, sizeof bits);
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(bits >> (8 * i));
}

static void put_u16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

/* A safetensors file from header text and data bytes. */
static unsigned char *build(const char *json, const unsigned char *data, size_t dlen, size_t *len)
{
	size_t hlen = strlen(json);
	unsigned char *buf = malloc(8 + hlen + dlen + 1);
	cr_assert(buf);
	put_le64(buf, hlen);
	memcpy(buf + 8, json, hlen);
	if (dlen)
		memcpy(buf + 8 + hlen, data, dlen);
	*len = 8 + hlen + dlen;
	return buf;
}

/* The valid model file, its header parsed by the test (not by the runtime). */
typedef struct valid {
	unsigned char *bytes;
	size_t len;
	size_t hlen;
	cJSON *header;
} valid;

static valid load_valid(void)
{
	valid v;
	v.bytes = slurp(MODEL_PATH, &v.len);
	cr_assert(v.len > 8);
	v.hlen = (size_t)get_le64(v.bytes);
	cr_assert(v.hlen <= v.len - 8);
	v.header = cJSON_ParseWithLength((const char *)v.bytes + 8, v.hlen);
	cr_assert(v.header, "the test could not parse the model header");
	return v;
}

static void free_valid(valid *v)
{
	cJSON_Delete(v->header);
	free(v->bytes);
}

/* The valid file with its header replaced by the (mutated) JSON and its data
 * cut to dlen bytes. */
static unsigned char *rebuild(const valid *v, const cJSON *header, size_t dlen, size_t *len)
{
	char *json = cJSON_PrintUnformatted(header);
	cr_assert(json);
	unsigned char *buf = build(json, v->bytes + 8 + v->hlen, dlen, len);
	free(json);
	return buf;
}

static size_t data_len(const valid *v)
{
	return v->len - 8 - v->hlen;
}

static cJSON *tensor(const valid *v, const char *name)
{
	cJSON *t = cJSON_GetObjectItemCaseSensitive(v->header, name);
	cr_assert(t, "the model has no tensor %s", name);
	return t;
}

/* Layers in the valid model, counted by the test from the header. */
static int layer_count(const valid *v)
{
	int n = 0;
	char name[64];
	for (;;) {
		snprintf(name, sizeof name, "net.%d.weight", n);
		if (!cJSON_GetObjectItemCaseSensitive(v->header, name))
			return n;
		n++;
	}
}

static double offset_of(const cJSON *t, int which)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(t, "data_offsets"), which)->valuedouble;
}

static void set_pair(cJSON *t, const char *key, int a, int b)
{
	int vals[2] = { a, b };
	cJSON_ReplaceItemInObjectCaseSensitive(t, key, cJSON_CreateIntArray(vals, 2));
}

/* The model must refuse buf[0..len) with a message containing want. */
static void expect_refused(const unsigned char *buf, size_t len, const char *want)
{
	model *m = (model *)buf; /* must be reset to NULL */
	char err[512] = "";
	int rc = model_load_buffer(&m, buf, len, err, sizeof err);
	cr_assert_eq(rc, -1, "accepted a bad file (wanted an error about '%s')", want);
	cr_assert_null(m);
	cr_assert(strstr(err, want), "error '%s' does not mention '%s'", err, want);
}

typedef struct sample {
	size_t cols; /* feature columns */
	size_t rows;
	float x[64][64];
	double expected[64];
} sample;

/* Cuts text at the next newline: returns the current line, moves *rest on. */
static char *next_line(char **rest)
{
	char *line = *rest;
	if (!line || !*line)
		return NULL;
	char *nl = strchr(line, '\n');
	if (nl) {
		*nl = '\0';
		*rest = nl + 1;
	} else {
		*rest = line + strlen(line);
	}
	return line;
}

/* Reads sample.csv: feature columns, then "label", then "expected". */
static void read_sample(sample *s)
{
	size_t len;
	char *text = (char *)slurp(MODELS_DIR "/sample.csv", &len);
	char *rest = text;
	char *line = next_line(&rest);
	cr_assert(line, "sample.csv is empty");
	size_t ncols = 1;
	for (char *p = line; *p; p++)
		ncols += *p == ',';
	cr_assert(ncols >= 3 && ncols - 2 <= 64);
	cr_assert(strstr(line, ",label,expected"), "sample.csv header ends with label,expected: %s", line);
	s->cols = ncols - 2;
	s->rows = 0;
	while ((line = next_line(&rest)) && s->rows < 64) {
		char *p = line;
		for (size_t c = 0; c < ncols; c++) {
			char *end;
			double d = strtod(p, &end);
			cr_assert(end != p, "sample.csv row %zu column %zu is not a number", s->rows + 1, c + 1);
			if (c < s->cols)
				s->x[s->rows][c] = strtof(p, NULL);
			else if (c == ncols - 1)
				s->expected[s->rows] = d;
			p = *end == ',' ? end + 1 : end;
		}
		s->rows++;
	}
	free(text);
}

/* ---- SHA-256 (FIPS 180-2 appendix B vectors) ------------------------------ */

Test(sha256, fips_one_block)
{
	char hex[65];
	sha256_hex("abc", 3, hex);
	cr_assert_str_eq(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

Test(sha256, fips_two_blocks)
{
	const char *msg = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	char hex[65];
	sha256_hex(msg, strlen(msg), hex);
	cr_assert_str_eq(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

Test(sha256, fips_million_a_in_pieces)
{
	size_t n = 1000000;
	char *a = malloc(n);
	cr_assert(a);
	memset(a, 'a', n);
	char hex[65];
	sha256_hex(a, n, hex);
	cr_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	/* the same bytes fed in uneven pieces */
	sha256_ctx ctx;
	unsigned char d[32];
	sha256_init(&ctx);
	for (size_t at = 0, step = 1; at < n; at += step, step = step % 131 + 7)
		sha256_update(&ctx, a + at, at + step > n ? n - at : step);
	sha256_final(&ctx, d);
	sha256_to_hex(d, hex);
	cr_assert_str_eq(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(a);
}

Test(sha256, empty_input)
{
	char hex[65];
	sha256_hex("", 0, hex);
	cr_assert_str_eq(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* ---- the project's model -------------------------------------------------- */

Test(model, shapes_match_the_sample_and_header)
{
	sample *s = malloc(sizeof *s);
	cr_assert(s);
	read_sample(s);
	valid v = load_valid();
	model *m;
	char err[512];
	cr_assert_eq(model_load(&m, MODEL_PATH, err, sizeof err), 0, "%s", err);
	cr_assert_eq(model_inputs(m), s->cols);
	cr_assert_eq(model_outputs(m), 1);
	/* the number of feature names in the header equals the inputs */
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(v.header, "__metadata__");
	const char *features = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(meta, "weft.features"));
	cr_assert(features);
	size_t names = 1;
	for (const char *p = features; *p; p++)
		names += *p == ',';
	cr_assert_eq(names, model_inputs(m));
	cr_assert_str_eq(model_meta(m, "weft.features"), features);
	/* the first weight's shape, read by the test, is [hidden or 1, inputs] */
	cJSON *shape = cJSON_GetObjectItemCaseSensitive(tensor(&v, "net.0.weight"), "shape");
	cr_assert_eq((size_t)cJSON_GetArrayItem(shape, 1)->valuedouble, s->cols);
	model_free(m);
	free_valid(&v);
	free(s);
}

Test(model, digest_matches_model_sha256)
{
	size_t len;
	char *manifest = (char *)slurp(MODELS_DIR "/model.sha256", &len);
	cr_assert(len >= 64);
	manifest[64] = '\0';
	model *m;
	char err[512];
	cr_assert_eq(model_load(&m, MODEL_PATH, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(model_digest(m), manifest);
	model_free(m);
	free(manifest);
}

Test(model, version_from_metadata)
{
	valid v = load_valid();
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(v.header, "__metadata__");
	const char *want = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(meta, "weft.version"));
	cr_assert(want && *want);
	model *m;
	char err[512];
	cr_assert_eq(model_load(&m, MODEL_PATH, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(model_version(m), want);
	model_free(m);
	free_valid(&v);
}

Test(model, predicts_the_sample_rows)
{
	sample *s = malloc(sizeof *s);
	cr_assert(s);
	read_sample(s);
	cr_assert_geq(s->rows, 10);
	model *m;
	char err[512];
	cr_assert_eq(model_load(&m, MODEL_PATH, err, sizeof err), 0, "%s", err);
	for (size_t r = 0; r < s->rows; r++) {
		float y;
		cr_assert_eq(model_predict(m, s->x[r], &y), 0);
		double e = s->expected[r];
		double tol = 1e-5 * (fabs(e) > 1 ? fabs(e) : 1);
		cr_assert(fabs((double)y - e) <= tol, "row %zu: predicted %.9g, sample.csv expects %.9g", r + 1,
			  (double)y, e);
	}
	model_free(m);
	free(s);
}

Test(model, buffer_and_file_agree)
{
	valid v = load_valid();
	model *a, *b;
	char err[512];
	cr_assert_eq(model_load(&a, MODEL_PATH, err, sizeof err), 0, "%s", err);
	cr_assert_eq(model_load_buffer(&b, v.bytes, v.len, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(model_digest(a), model_digest(b));
	float x[256] = { 0 }, ya, yb;
	for (size_t i = 0; i < model_inputs(a) && i < 256; i++)
		x[i] = (float)i * 0.5f;
	cr_assert_eq(model_predict(a, x, &ya), 0);
	cr_assert_eq(model_predict(b, x, &yb), 0);
	cr_assert_eq(ya, yb);
	model_free(a);
	model_free(b);
	free_valid(&v);
}

Test(model, missing_file_names_the_path)
{
	model *m;
	char err[512];
	cr_assert_eq(model_load(&m, MODELS_DIR "/no-such-model.safetensors", err, sizeof err), -1);
	cr_assert_null(m);
	cr_assert(strstr(err, "no-such-model.safetensors"), "%s", err);
}

Test(model, non_finite_input_is_reported)
{
	model *m;
	char err[512];
	cr_assert_eq(model_load(&m, MODEL_PATH, err, sizeof err), 0, "%s", err);
	float x[256] = { 0 }, y;
	x[0] = NAN;
	cr_assert_eq(model_predict(m, x, &y), -1);
	model_free(m);
}

/* ---- malformed files, made from the valid one ------------------------------ */

Test(malformed, every_truncation_is_refused)
{
	valid v = load_valid();
	for (size_t n = 0; n < v.len; n++) {
		model *m;
		char err[512] = "";
		/* a private copy of exactly n bytes, so reads past it are caught */
		unsigned char *cut = malloc(n ? n : 1);
		cr_assert(cut);
		memcpy(cut, v.bytes, n);
		cr_assert_eq(model_load_buffer(&m, cut, n, err, sizeof err), -1, "accepted the first %zu bytes", n);
		cr_assert_null(m);
		cr_assert(err[0], "no message for the first %zu bytes", n);
		free(cut);
	}
	free_valid(&v);
}

Test(malformed, truncated_data)
{
	valid v = load_valid();
	expect_refused(v.bytes, v.len - 3, "run past the end of the data");
	expect_refused(v.bytes, 5, "too short");
	free_valid(&v);
}

Test(malformed, header_length_past_end)
{
	valid v = load_valid();
	put_le64(v.bytes, v.len); /* 8 more than there is */
	expect_refused(v.bytes, v.len, "runs past the end of the file");
	free_valid(&v);
}

Test(malformed, header_length_over_limit)
{
	valid v = load_valid();
	put_le64(v.bytes, (uint64_t)1 << 40);
	expect_refused(v.bytes, v.len, "exceeds the limit");
	put_le64(v.bytes, UINT64_MAX);
	expect_refused(v.bytes, v.len, "exceeds the limit");
	free_valid(&v);
}

Test(malformed, header_not_json)
{
	valid v = load_valid();
	cr_assert_eq(v.bytes[9], '"');
	v.bytes[9] = '#'; /* {#__metadata__"... */
	expect_refused(v.bytes, v.len, "header is not valid JSON");
	free_valid(&v);
}

Test(malformed, offsets_out_of_range)
{
	valid v = load_valid();
	char name[64];
	snprintf(name, sizeof name, "net.%d.bias", layer_count(&v) - 1);
	cJSON *t = tensor(&v, name); /* the last tensor in the data */
	int b = (int)offset_of(t, 0);
	set_pair(t, "data_offsets", b + 8, b + 12);
	size_t len;
	unsigned char *buf = rebuild(&v, v.header, data_len(&v), &len);
	char want[160];
	snprintf(want, sizeof want, "tensor '%s': data_offsets [%d, %d] run past the end of the data (%zu bytes)",
		 name, b + 8, b + 12, data_len(&v));
	expect_refused(buf, len, want);
	free(buf);
	free_valid(&v);
}

Test(malformed, offsets_reversed)
{
	valid v = load_valid();
	cJSON *t = tensor(&v, "net.0.bias");
	set_pair(t, "data_offsets", (int)offset_of(t, 1), (int)offset_of(t, 0));
	size_t len;
	unsigned char *buf = rebuild(&v, v.header, data_len(&v), &len);
	expect_refused(buf, len, "end before they begin");
	free(buf);
	free_valid(&v);
}

Test(malformed, overlapping_tensors)
{
	valid v = load_valid();
	/* the last bias moved onto the first bytes of net.0.weight */
	char name[64];
	snprintf(name, sizeof name, "net.%d.bias", layer_count(&v) - 1);
	cJSON *last = tensor(&v, name), *first = tensor(&v, "net.0.weight");
	int size = (int)(offset_of(last, 1) - offset_of(last, 0));
	int b = (int)offset_of(first, 0);
	cr_assert_leq(size, offset_of(first, 1) - b);
	set_pair(last, "data_offsets", b, b + size);
	size_t len;
	unsigned char *buf = rebuild(&v, v.header, data_len(&v), &len);
	expect_refused(buf, len, "overlap");
	free(buf);
	free_valid(&v);
}

Test(malformed, unused_bytes)
{
	valid v = load_valid();
	size_t len;
	unsigned char *buf = rebuild(&v, v.header, data_len(&v), &len);
	unsigned char *more = malloc(len + 4);
	cr_assert(more);
	memcpy(more, buf, len);
	memset(more + len, 0, 4);
	expect_refused(more, len + 4, "belong to no tensor");
	free(more);
	free(buf);
	free_valid(&v);
}

Test(malformed, shape_does_not_match_bytes)
{
	valid v = load_valid();
	cJSON *t = tensor(&v, "net.0.weight");
	cJSON *shape = cJSON_GetObjectItemCaseSensitive(t, "shape");
	int out = (int)cJSON_GetArrayItem(shape, 0)->valuedouble;
	int in = (int)cJSON_GetArrayItem(shape, 1)->valuedouble;
	set_pair(t, "shape", out + 1, in);
	size_t len;
	unsigned char *buf = rebuild(&v, v.header, data_len(&v), &len);
	char want[160];
	snprintf(want, sizeof want, "shape [%d, %d] of F32 needs %d bytes", out + 1, in, (out + 1) * in * 4);
	expect_refused(buf, len, want);
	free(buf);
	free_valid(&v);
}

Test(malformed, layer_shapes_inconsistent)
{
	valid v = load_valid();
	/* net.1.weight [out, in] becomes [in, out]: same bytes, wrong input count */
	if (layer_count(&v) < 2) {
		free_valid(&v);
		cr_skip_test("the model has a single layer");
	}
	cJSON *t = tensor(&v, "net.1.weight");
	cJSON *shape = cJSON_GetObjectItemCaseSensitive(t, "shape");
	int out = (int)cJSON_GetArrayItem(shape, 0)->valuedouble;
	int in = (int)cJSON_GetArrayItem(shape, 1)->valuedouble;
	if (out == in) {
		free_valid(&v);
		cr_skip_test("net.1.weight is square");
	}
	set_pair(t, "shape", in, out);
	size_t len;
	unsigned char *buf = rebuild(&v, v.header, data_len(&v), &len);
	char want[128];
	snprintf(want, sizeof want, "takes %d inputs but layer 0 gives %d outputs", out, in);
	expect_refused(buf, len, want);
	free(buf);
	free_valid(&v);
}

Test(malformed, bias_shape_wrong)
{
	valid v = load_valid();
	cJSON *t = tensor(&v, "net.0.bias");
	int n = (int)cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(t, "shape"), 0)->valuedouble;
	set_pair(t, "shape", 1, n); /* same element count, wrong rank */
	size_t len;
	unsigned char *buf = rebuild(&v, v.header, data_len(&v), &len);
	expect_refused(buf, len, "tensor 'net.0.bias': shape must be [");
	free(buf);
	free_valid(&v);
}

Test(malformed, dtypes)
{
	valid v = load_valid();
	char name[64];
	snprintf(name, sizeof name, "net.%d.bias", layer_count(&v) - 1);
	cJSON *t = tensor(&v, name);
	size_t len;
	cJSON_ReplaceItemInObjectCaseSensitive(t, "dtype", cJSON_CreateString("F33"));
	unsigned char *buf = rebuild(&v, v.header, data_len(&v), &len);
	expect_refused(buf, len, "unknown dtype 'F33'");
	free(buf);
	cJSON_ReplaceItemInObjectCaseSensitive(t, "dtype", cJSON_CreateString("I32"));
	buf = rebuild(&v, v.header, data_len(&v), &len);
	expect_refused(buf, len, "dtype I32 is not supported");
	free(buf);
	free_valid(&v);
}

Test(malformed, metadata)
{
	valid v = load_valid();
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(v.header, "__metadata__");
	int layers = layer_count(&v);
	size_t len;
	char acts[256] = "none", want[96];
	for (int i = 0; i < layers; i++)
		strcat(acts, ",none"); /* one too many */
	cJSON_ReplaceItemInObjectCaseSensitive(meta, "weft.activations", cJSON_CreateString(acts));
	unsigned char *buf = rebuild(&v, v.header, data_len(&v), &len);
	snprintf(want, sizeof want, "lists %d activation(s) for %d layer(s)", layers + 1, layers);
	expect_refused(buf, len, want);
	free(buf);
	strcpy(acts, "swish");
	for (int i = 1; i < layers; i++)
		strcat(acts, ",none");
	cJSON_ReplaceItemInObjectCaseSensitive(meta, "weft.activations", cJSON_CreateString(acts));
	buf = rebuild(&v, v.header, data_len(&v), &len);
	expect_refused(buf, len, "'swish' (layer 0) is not one of");
	free(buf);
	strcpy(acts, "none");
	for (int i = 1; i < layers; i++)
		strcat(acts, ",none");
	cJSON_ReplaceItemInObjectCaseSensitive(meta, "weft.activations", cJSON_CreateString(acts));
	cJSON_ReplaceItemInObjectCaseSensitive(meta, "weft.softmax", cJSON_CreateString("yes"));
	buf = rebuild(&v, v.header, data_len(&v), &len);
	expect_refused(buf, len, "weft.softmax");
	free(buf);
	cJSON_ReplaceItemInObjectCaseSensitive(meta, "weft.softmax", cJSON_CreateNumber(1));
	buf = rebuild(&v, v.header, data_len(&v), &len);
	expect_refused(buf, len, "must be a string");
	free(buf);
	free_valid(&v);
}

Test(malformed, stray_tensor_under_prefix)
{
	valid v = load_valid();
	/* the last bias renamed two places beyond the end of the chain */
	int layers = layer_count(&v);
	char from[64], to[64], want[128];
	snprintf(from, sizeof from, "net.%d.bias", layers - 1);
	snprintf(to, sizeof to, "net.%d.bias", layers + 1);
	cJSON *t = cJSON_DetachItemFromObjectCaseSensitive(v.header, from);
	cr_assert(t);
	cJSON_AddItemToObject(v.header, to, t);
	size_t len;
	unsigned char *buf = rebuild(&v, v.header, data_len(&v), &len);
	snprintf(want, sizeof want, "tensor '%s' is not part of the layer chain", to);
	expect_refused(buf, len, want);
	free(buf);
	free_valid(&v);
}

Test(malformed, non_finite_weight)
{
	valid v = load_valid();
	size_t at = 8 + v.hlen + (size_t)offset_of(tensor(&v, "net.0.weight"), 0);
	put_f32(v.bytes + at, NAN);
	expect_refused(v.bytes, v.len, "not a finite number");
	free_valid(&v);
}

/* ---- hand-built models: values worked out by hand ---------------------------- */

/* One F32 layer 1 -> 1 with weight 1 and bias 0 under the given activation. */
static float identity_layer(const char *act, float x)
{
	char json[400];
	snprintf(json, sizeof json,
		 "{\"__metadata__\":{\"weft.activations\":\"%s\"},"
		 "\"net.0.weight\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4]},"
		 "\"net.0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
		 act);
	unsigned char data[8];
	put_f32(data, 1.0f);
	put_f32(data + 4, 0.0f);
	size_t len;
	unsigned char *buf = build(json, data, sizeof data, &len);
	model *m;
	char err[512];
	cr_assert_eq(model_load_buffer(&m, buf, len, err, sizeof err), 0, "%s", err);
	float y;
	cr_assert_eq(model_predict(m, &x, &y), 0);
	model_free(m);
	free(buf);
	return y;
}

Test(handmade, activations)
{
	cr_assert_float_eq(identity_layer("relu", -2.0f), 0.0f, 1e-7);
	cr_assert_float_eq(identity_layer("relu", 3.0f), 3.0f, 1e-7);
	cr_assert_float_eq(identity_layer("none", -2.5f), -2.5f, 1e-7);
	cr_assert_float_eq(identity_layer("tanh", 0.5f), 0.46211715726, 1e-6);
	cr_assert_float_eq(identity_layer("sigmoid", 0.0f), 0.5f, 1e-7);
	cr_assert_float_eq(identity_layer("sigmoid", 2.0f), 0.88079707798, 1e-6);
	cr_assert_float_eq(identity_layer("sigmoid", -40.0f), 4.248354e-18, 1e-22);
	/* gelu (tanh form) at 1: 0.5 (1 + tanh(0.79788456 * 1.044715)) */
	cr_assert_float_eq(identity_layer("gelu", 1.0f), 0.84119199061, 1e-6);
	cr_assert_float_eq(identity_layer("gelu", 0.0f), 0.0f, 1e-7);
}

Test(handmade, two_layers_defaults_and_softmax)
{
	/* layer 0: 2 -> 2, W = [[1, -1], [2, 0]], b = [0, -1]; layer 1: 2 -> 2,
	 * W = [[1, 0], [0, 1]], b = [0, 0]. Default activations: relu, none. */
	const char *head = "\"net.0.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]},"
			   "\"net.0.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[16,24]},"
			   "\"net.1.weight\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[24,40]},"
			   "\"net.1.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[40,48]}}";
	const float vals[12] = { 1, -1, 2, 0, 0, -1, 1, 0, 0, 1, 0, 0 };
	unsigned char data[48];
	for (int i = 0; i < 12; i++)
		put_f32(data + 4 * i, vals[i]);
	char json[600];
	snprintf(json, sizeof json, "{%s", head);
	size_t len;
	unsigned char *buf = build(json, data, sizeof data, &len);
	model *m;
	char err[512];
	cr_assert_eq(model_load_buffer(&m, buf, len, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(model_version(m), "unversioned");
	cr_assert_eq(model_inputs(m), 2);
	cr_assert_eq(model_outputs(m), 2);
	/* x = (1, 3): hidden = relu(1 - 3, 2 - 1) = (0, 1); out = (0, 1) */
	float x[2] = { 1, 3 }, y[2];
	cr_assert_eq(model_predict(m, x, y), 0);
	cr_assert_float_eq(y[0], 0.0f, 1e-7);
	cr_assert_float_eq(y[1], 1.0f, 1e-7);
	model_free(m);
	free(buf);

	/* with softmax: out (0, 1) -> (1 / (1 + e), e / (1 + e)) */
	snprintf(json, sizeof json,
		 "{\"__metadata__\":{\"weft.softmax\":\"true\",\"weft.version\":\"hand-2\"},%s", head);
	buf = build(json, data, sizeof data, &len);
	cr_assert_eq(model_load_buffer(&m, buf, len, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(model_version(m), "hand-2");
	cr_assert_eq(model_predict(m, x, y), 0);
	cr_assert_float_eq(y[0], 0.26894142137, 1e-6);
	cr_assert_float_eq(y[1], 0.73105857863, 1e-6);
	model_free(m);
	free(buf);
}

Test(handmade, half_precision_weights)
{
	/* weights (1, -2), bias 0.5, no activation: x = (3, 1) gives 3 - 2 + 0.5 = 1.5 */
	static const struct {
		const char *dtype;
		uint16_t one, minus_two, half;
	} cases[] = {
		{ "F16", 0x3c00, 0xc000, 0x3800 },
		{ "BF16", 0x3f80, 0xc000, 0x3f00 },
	};
	for (size_t c = 0; c < 2; c++) {
		char json[400];
		snprintf(json, sizeof json,
			 "{\"__metadata__\":{\"weft.activations\":\"none\"},"
			 "\"net.0.weight\":{\"dtype\":\"%s\",\"shape\":[1,2],\"data_offsets\":[0,4]},"
			 "\"net.0.bias\":{\"dtype\":\"%s\",\"shape\":[1],\"data_offsets\":[4,6]}}",
			 cases[c].dtype, cases[c].dtype);
		unsigned char data[6];
		put_u16(data, cases[c].one);
		put_u16(data + 2, cases[c].minus_two);
		put_u16(data + 4, cases[c].half);
		size_t len;
		unsigned char *buf = build(json, data, sizeof data, &len);
		model *m;
		char err[512];
		cr_assert_eq(model_load_buffer(&m, buf, len, err, sizeof err), 0, "%s: %s", cases[c].dtype, err);
		float x[2] = { 3, 1 }, y;
		cr_assert_eq(model_predict(m, x, &y), 0);
		cr_assert_float_eq(y, 1.5f, 1e-7, "%s", cases[c].dtype);
		model_free(m);
		free(buf);
	}
	/* F16 edge values: smallest subnormal, largest normal, infinity */
	cr_assert_float_eq(st_f16_to_float(0x0001), 5.9604644775390625e-8, 1e-15);
	cr_assert_float_eq(st_f16_to_float(0x7bff), 65504.0f, 1e-3);
	cr_assert(isinf(st_f16_to_float(0xfc00)) && st_f16_to_float(0xfc00) < 0);
}

Test(handmade, duplicate_and_unknown_keys)
{
	unsigned char data[8] = { 0 };
	size_t len;
	unsigned char *buf = build("{\"net.0.weight\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4]},"
				   "\"net.0.weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
				   data, sizeof data, &len);
	expect_refused(buf, len, "appears twice");
	free(buf);
	buf = build("{\"net.0.weight\":{\"dtype\":\"F32\",\"shape\":[1,1],\"data_offsets\":[0,4],\"x\":1},"
		    "\"net.0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",
		    data, sizeof data, &len);
	expect_refused(buf, len, "unknown key 'x'");
	free(buf);
	buf = build("{\"net.0.weight\":{\"dtype\":\"F32\",\"shape\":[1,1.5],\"data_offsets\":[0,4]}}", data, 4, &len);
	expect_refused(buf, len, "not a non-negative whole number");
	free(buf);
	buf = build("{\"other\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", data, 4, &len);
	expect_refused(buf, len, "no tensor 'net.0.weight'");
	free(buf);
}
