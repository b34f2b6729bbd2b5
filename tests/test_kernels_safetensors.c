/* test_kernels_safetensors.c - the safetensors reader and writer.
 *
 * Valid files come from tests/fixtures/kernels/make-fixtures.py (an
 * independent Python writer); every file of the malformed corpus must be
 * refused with the message written next to it here; the writer must
 * reproduce the Python writer's bytes exactly. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "weft_kernels.h"

#define FIX WEFT_FIXTURES "/kernels/"

static weft_diags *D;

static void setup(void)
{
	cr_assert(weft_diags_new(&D) == 0);
}

static void teardown(void)
{
	weft_diags_free(D);
}

TestSuite(safetensors, .init = setup, .fini = teardown);

static const char *first_message(void)
{
	const weft_diag *g = weft_diags_get(D, 0);
	return g && g->message ? g->message : "";
}

Test(safetensors, tiny_fields)
{
	weft_safetensors *st = NULL;
	cr_assert_eq(weft_safetensors_load(&st, FIX "valid/tiny.safetensors", NULL, D), 0, "%s",
		     first_message());
	cr_assert_eq(weft_safetensors_count(st), 4);
	/* data order: the order the fixture wrote them in */
	const char *names[] = { "net.0.weight", "net.0.bias", "net.1.weight", "net.1.bias" };
	uint64_t begins[] = { 0, 24, 36, 48 }, ends[] = { 24, 36, 48, 52 };
	for (size_t i = 0; i < 4; i++) {
		const weft_tensor *t = weft_safetensors_tensor(st, i);
		cr_assert_str_eq(t->name, names[i]);
		cr_assert_eq(t->begin, begins[i], "%s begin %llu", t->name, (unsigned long long)t->begin);
		cr_assert_eq(t->end, ends[i]);
		cr_assert_eq(t->dtype, WEFT_DTYPE_F32);
	}
	const weft_tensor *w = weft_safetensors_find(st, "net.0.weight");
	cr_assert_not_null(w);
	cr_assert_eq(w->ndim, 2);
	cr_assert_eq(w->shape[0], 3);
	cr_assert_eq(w->shape[1], 2);
	cr_assert_eq(w->nelems, 6);
	float v[6];
	cr_assert_eq(weft_tensor_to_f32(v, w), 0);
	const float want[6] = { 1.0f, -1.0f, 0.5f, 0.5f, 2.0f, 0.0f };
	for (int i = 0; i < 6; i++)
		cr_assert_eq(v[i], want[i], "w[%d] = %g", i, v[i]);
	cr_assert_null(weft_safetensors_find(st, "net.2.weight"));
	cr_assert_str_eq(weft_safetensors_metadata(st, "weft.activations"), "relu,sigmoid");
	cr_assert_str_eq(weft_safetensors_metadata(st, "weft.softmax"), "false");
	cr_assert_null(weft_safetensors_metadata(st, "weft.prefix"));
	cr_assert_eq(weft_safetensors_metadata_count(st), 2);
	/* header length: the file's first 8 bytes; the header is padded to 8 */
	cr_assert_eq(weft_safetensors_header_bytes(st) % 8, 0);
	size_t len;
	weft_safetensors_bytes(st, &len);
	cr_assert_eq(len, 8 + weft_safetensors_header_bytes(st) + 52);
	weft_safetensors_free(st);
}

Test(safetensors, half_dtypes_decode)
{
	const char *files[] = { FIX "valid/tiny-f16.safetensors", FIX "valid/tiny-bf16.safetensors" };
	weft_dtype types[] = { WEFT_DTYPE_F16, WEFT_DTYPE_BF16 };
	for (int f = 0; f < 2; f++) {
		weft_safetensors *st = NULL;
		cr_assert_eq(weft_safetensors_load(&st, files[f], NULL, D), 0, "%s", first_message());
		const weft_tensor *b = weft_safetensors_find(st, "net.0.bias");
		cr_assert_eq(b->dtype, types[f]);
		cr_assert_eq(b->end - b->begin, 6);
		float v[3];
		cr_assert_eq(weft_tensor_to_f32(v, b), 0);
		cr_assert(v[0] == 0.0f && v[1] == 1.0f && v[2] == -5.0f, "%g %g %g", v[0], v[1], v[2]);
		weft_safetensors_free(st);
	}
}

Test(safetensors, other_valid_files)
{
	weft_safetensors *st = NULL;
	cr_assert_eq(weft_safetensors_load(&st, FIX "valid/empty-object.safetensors", NULL, D), 0);
	cr_assert_eq(weft_safetensors_count(st), 0);
	weft_safetensors_free(st);

	cr_assert_eq(weft_safetensors_load(&st, FIX "valid/zero-size.safetensors", NULL, D), 0, "%s",
		     first_message());
	const weft_tensor *e = weft_safetensors_find(st, "empty");
	cr_assert_eq(e->nelems, 0);
	cr_assert_eq(e->begin, 8);
	cr_assert_eq(e->end, 8);
	weft_safetensors_free(st);

	cr_assert_eq(weft_safetensors_load(&st, FIX "valid/scalar-and-ints.safetensors", NULL, D), 0,
		     "%s", first_message());
	const weft_tensor *s = weft_safetensors_find(st, "s");
	cr_assert_eq(s->ndim, 0);
	cr_assert_eq(s->nelems, 1);
	cr_assert_eq(s->dtype, WEFT_DTYPE_F64);
	float f;
	cr_assert_eq(weft_tensor_to_f32(&f, s), WEFT_EINVALID, "F64 is not a model dtype");
	cr_assert_eq(weft_safetensors_find(st, "u")->dtype, WEFT_DTYPE_U8);
	cr_assert_str_eq(weft_safetensors_metadata(st, "format"), "pt");
	weft_safetensors_free(st);
	cr_assert_eq(weft_diags_errors(D), 0);
}

/* Every malformed file, the fragment its error must contain. */
static const struct {
	const char *file, *message;
} malformed[] = {
	{ "empty", "too short for the 8-byte header length" },
	{ "short-length", "too short for the 8-byte header length" },
	{ "header-huge", "header length 1099511627776 exceeds the limit" },
	{ "header-truncated", "header length 1000 runs past the end of the file" },
	{ "header-tiny", "too short for a JSON object" },
	{ "header-not-object", "does not start with '{'" },
	{ "bad-json", "not valid JSON" },
	{ "bad-utf8", "not valid UTF-8 text at byte 10" },
	{ "nul-in-header", "NUL byte at byte 11" },
	{ "trailing-garbage", "unexpected bytes after the JSON header at byte 10" },
	{ "offsets-out-of-range", "data_offsets [0, 400] lie outside the data section (16 bytes" },
	{ "offsets-reversed", "end before they begin" },
	{ "overlap", "tensor 'b' (data_offsets [8, 24]) overlaps tensor 'a'" },
	{ "gap", "data bytes 8..16 belong to no tensor" },
	{ "trailing-data", "holds 24 bytes but the tensors cover 16" },
	{ "wrong-dtype-size", "shape [4] of F16 needs 8 bytes but data_offsets [0, 16] hold 16" },
	{ "shape-bytes-mismatch", "shape [2, 3] of F32 needs 24 bytes" },
	{ "shape-overflow", "integer overflow" },
	{ "size-overflow", "integer overflow" },
	{ "unknown-dtype", "unknown dtype 'F42'" },
	{ "negative-shape", "shape[0] is not a non-negative integer" },
	{ "fractional-offset", "data_offsets must be two non-negative integers" },
	{ "three-offsets", "data_offsets must be two non-negative integers" },
	{ "huge-offset", "data_offsets must be two non-negative integers" },
	{ "missing-field", "missing field 'data_offsets'" },
	{ "unknown-field", "unknown field 'x'" },
	{ "duplicate-field", "duplicate field 'dtype'" },
	{ "duplicate-tensor", "duplicate tensor name 'a'" },
	{ "tensor-not-object", "tensor 'a': expected an object" },
	{ "metadata-not-string", "__metadata__ value of 'k' must be a string" },
	{ "metadata-duplicate", "duplicate __metadata__ key 'k'" },
	{ "metadata-twice", "duplicate key '__metadata__'" },
	{ "too-many-dims", "65 dimensions (at most 64)" },
};

Test(safetensors, malformed_corpus_refused)
{
	for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++) {
		char path[512];
		snprintf(path, sizeof path, FIX "malformed/%s.safetensors", malformed[i].file);
		weft_diags_clear(D);
		weft_safetensors *st = NULL;
		int err = weft_safetensors_load(&st, path, NULL, D);
		cr_assert_eq(err, WEFT_EINVALID, "%s: got %d", malformed[i].file, err);
		cr_assert_null(st);
		cr_assert_eq(weft_diags_errors(D), 1, "%s: one error, not %zu", malformed[i].file,
			     weft_diags_errors(D));
		const weft_diag *g = weft_diags_get(D, 0);
		cr_assert_str_eq(g->path, path);
		cr_assert(strstr(g->message, malformed[i].message), "%s: message '%s' lacks '%s'",
			  malformed[i].file, g->message, malformed[i].message);
	}
}

Test(safetensors, missing_file_is_environment_error)
{
	weft_safetensors *st = NULL;
	cr_assert_eq(weft_safetensors_load(&st, FIX "no-such-file.safetensors", NULL, D), WEFT_EENV);
	cr_assert(strstr(first_message(), "cannot open"));
	weft_diags_clear(D);
	cr_assert_eq(weft_safetensors_load(&st, FIX "valid", NULL, D), WEFT_EENV, "a directory");
}

Test(safetensors, limits_from_options)
{
	weft_safetensors *st = NULL;
	weft_safetensors_opts o = { .max_header = 64, .max_file = 0 };
	cr_assert_eq(weft_safetensors_load(&st, FIX "valid/tiny.safetensors", &o, D), WEFT_EINVALID);
	cr_assert(strstr(first_message(), "exceeds the limit of 64 bytes"), "%s", first_message());
	weft_diags_clear(D);
	weft_safetensors_opts f = { .max_header = 0, .max_file = 100 };
	cr_assert_eq(weft_safetensors_load(&st, FIX "valid/tiny.safetensors", &f, D), WEFT_EINVALID);
	cr_assert(strstr(first_message(), "above the limit of 100"), "%s", first_message());
}

/* Every prefix of a valid file is refused, never crashes. */
Test(safetensors, every_truncation_refused)
{
	FILE *fp = fopen(FIX "valid/tiny.safetensors", "rb");
	cr_assert_not_null(fp);
	uint8_t buf[1024];
	size_t len = fread(buf, 1, sizeof buf, fp);
	fclose(fp);
	for (size_t n = 0; n < len; n++) {
		weft_safetensors *st = NULL;
		weft_diags_clear(D);
		cr_assert_eq(weft_safetensors_parse(&st, "cut", buf, n, NULL, D), WEFT_EINVALID,
			     "prefix of %zu bytes accepted", n);
	}
	weft_safetensors *st = NULL;
	cr_assert_eq(weft_safetensors_parse(&st, "whole", buf, len, NULL, D), 0);
	weft_safetensors_free(st);
}

Test(safetensors, writer_matches_independent_writer)
{
	weft_safetensors_writer *w = NULL;
	cr_assert_eq(weft_safetensors_writer_new(&w), 0);
	cr_assert_eq(weft_safetensors_writer_meta(w, "weft.activations", "relu,sigmoid"), 0);
	cr_assert_eq(weft_safetensors_writer_meta(w, "weft.softmax", "false"), 0);
	const float w0[] = { 1, -1, 0.5f, 0.5f, 2, 0 }, b0[] = { 0, 1, -5 }, w1[] = { 1, 2, 3 },
		    b1[] = { 0.5f };
	uint64_t s0[] = { 3, 2 }, sb0[] = { 3 }, s1[] = { 1, 3 }, sb1[] = { 1 };
	cr_assert_eq(weft_safetensors_writer_add(w, "net.0.weight", WEFT_DTYPE_F32, 2, s0, w0), 0);
	cr_assert_eq(weft_safetensors_writer_add(w, "net.0.bias", WEFT_DTYPE_F32, 1, sb0, b0), 0);
	cr_assert_eq(weft_safetensors_writer_add(w, "net.1.weight", WEFT_DTYPE_F32, 2, s1, w1), 0);
	cr_assert_eq(weft_safetensors_writer_add(w, "net.1.bias", WEFT_DTYPE_F32, 1, sb1, b1), 0);
	/* refusals */
	cr_assert_eq(weft_safetensors_writer_add(w, "net.1.bias", WEFT_DTYPE_F32, 1, sb1, b1),
		     WEFT_EINVALID, "duplicate name");
	cr_assert_eq(weft_safetensors_writer_add(w, "x", WEFT_DTYPE_I32, 1, sb1, b1), WEFT_EINVALID);
	cr_assert_eq(weft_safetensors_writer_add(w, "__metadata__", WEFT_DTYPE_F32, 1, sb1, b1),
		     WEFT_EINVALID);
	cr_assert_eq(weft_safetensors_writer_meta(w, "weft.softmax", "true"), WEFT_EINVALID);

	uint8_t *mine;
	size_t len;
	cr_assert_eq(weft_safetensors_writer_finish(w, &mine, &len), 0);
	weft_safetensors_writer_free(w);

	FILE *fp = fopen(FIX "valid/tiny.safetensors", "rb");
	uint8_t theirs[1024];
	size_t tlen = fread(theirs, 1, sizeof theirs, fp);
	fclose(fp);
	cr_assert_eq(len, tlen, "%zu bytes, Python wrote %zu", len, tlen);
	cr_assert(memcmp(mine, theirs, len) == 0, "bytes differ");
	free(mine);
}

Test(safetensors, writer_round_trips_half_and_escapes)
{
	weft_safetensors_writer *w = NULL;
	cr_assert_eq(weft_safetensors_writer_new(&w), 0);
	cr_assert_eq(weft_safetensors_writer_meta(w, "quote\"back\\slash", "tab\tnew\nline"), 0);
	const float v[] = { 1.0f, -2.5f, 65504.0f, 0.333333343f };
	uint64_t s[] = { 2, 2 };
	cr_assert_eq(weft_safetensors_writer_add(w, "h", WEFT_DTYPE_F16, 2, s, v), 0);
	cr_assert_eq(weft_safetensors_writer_add(w, "b", WEFT_DTYPE_BF16, 2, s, v), 0);
	uint8_t *buf;
	size_t len;
	cr_assert_eq(weft_safetensors_writer_finish(w, &buf, &len), 0);
	weft_safetensors_writer_free(w);
	weft_safetensors *st = NULL;
	cr_assert_eq(weft_safetensors_parse(&st, "rt", buf, len, NULL, D), 0, "%s", first_message());
	cr_assert_str_eq(weft_safetensors_metadata(st, "quote\"back\\slash"), "tab\tnew\nline");
	float h[4], b[4];
	cr_assert_eq(weft_tensor_to_f32(h, weft_safetensors_find(st, "h")), 0);
	cr_assert_eq(weft_tensor_to_f32(b, weft_safetensors_find(st, "b")), 0);
	/* 1/3 in fp16: 0x3555 = 0.333251953125; in bf16: 0x3eab = 0.333984375 */
	cr_assert(h[0] == 1.0f && h[1] == -2.5f && h[2] == 65504.0f && h[3] == 0.333251953125f,
		  "%g %g %g %.12g", h[0], h[1], h[2], h[3]);
	cr_assert(b[0] == 1.0f && b[1] == -2.5f && b[2] == 65536.0f && b[3] == 0.333984375f,
		  "%g %g %g %.12g", b[0], b[1], b[2], b[3]);
	weft_safetensors_free(st);
	free(buf);
}

Test(safetensors, dtype_names)
{
	weft_dtype t;
	cr_assert_eq(weft_dtype_parse(&t, "BF16"), 0);
	cr_assert_eq(t, WEFT_DTYPE_BF16);
	cr_assert_eq(weft_dtype_size(t), 2);
	cr_assert_eq(weft_dtype_parse(&t, "bf16"), WEFT_EINVALID, "names are case-sensitive");
	cr_assert_eq(weft_dtype_size(WEFT_DTYPE_F8_E4M3), 1);
	cr_assert_eq(weft_dtype_size(WEFT_DTYPE_I64), 8);
	cr_assert_str_eq(weft_dtype_name(WEFT_DTYPE_BOOL), "BOOL");
}

/* The description of the Python-written two-layer file: every tensor in
 * data order, the network's sizes counted by hand (3x2 + 3 + 1x3 + 1 = 13
 * parameters), the SHA-256 as sha256sum(1) computes it; without a model,
 * "network": null. */
Test(safetensors, describe_text_and_json)
{
	weft_safetensors *st = NULL;
	weft_model *m = NULL;
	cr_assert_eq(weft_safetensors_load(&st, FIX "valid/tiny.safetensors", NULL, D), 0);
	weft_model_opts mo;
	weft_model_opts_init(&mo);
	mo.device = WEFT_DEVICE_CPU;
	mo.max_batch = 1;
	cr_assert_eq(weft_model_from_safetensors(&m, st, &mo, D), 0);
	char want[65] = { 0 };
	FILE *p = popen("sha256sum '" FIX "valid/tiny.safetensors'", "r");
	cr_assert(p && fread(want, 1, 64, p) == 64);
	pclose(p);

	weft_buf b = WEFT_BUF_INIT;
	cr_assert_eq(weft_safetensors_describe(&b, st, m, true), 0);
	cJSON *j = cJSON_Parse(b.ptr);
	cr_assert_not_null(j, "%s", b.ptr);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "sha256")->valuestring, want);
	cJSON *ts = cJSON_GetObjectItem(j, "tensors");
	cr_assert_eq(cJSON_GetArraySize(ts), 4);
	static const char *names[] = { "net.0.weight", "net.0.bias", "net.1.weight", "net.1.bias" };
	static const double bytes[] = { 24, 12, 12, 4 };
	for (int i = 0; i < 4; i++) {
		cJSON *t = cJSON_GetArrayItem(ts, i);
		cr_assert_str_eq(cJSON_GetObjectItem(t, "name")->valuestring, names[i]);
		cr_assert_eq(cJSON_GetObjectItem(t, "bytes")->valuedouble, bytes[i]);
	}
	cJSON *net = cJSON_GetObjectItem(j, "network");
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(net, "layers")), 2);
	cr_assert_eq(cJSON_GetObjectItem(net, "parameters")->valuedouble, 13);
	cr_assert_eq(cJSON_GetObjectItem(net, "inputs")->valuedouble, 2);
	cr_assert_eq(cJSON_GetObjectItem(net, "outputs")->valuedouble, 1);
	cJSON_Delete(j);
	weft_buf_free(&b);

	cr_assert_eq(weft_safetensors_describe(&b, st, NULL, true), 0);
	j = cJSON_Parse(b.ptr);
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "network")));
	cJSON_Delete(j);
	weft_buf_free(&b);

	cr_assert_eq(weft_safetensors_describe(&b, st, m, false), 0);
	cr_assert(strstr(b.ptr, "tensors     4\n"), "%s", b.ptr);
	cr_assert(strstr(b.ptr, "parameters  13\n"), "%s", b.ptr);
	cr_assert(strstr(b.ptr, want), "%s", b.ptr);
	weft_buf_free(&b);
	weft_model_free(m);
	weft_safetensors_free(st);
}
