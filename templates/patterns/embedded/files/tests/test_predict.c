/* test_predict.c - the shipped library against facts worked out outside it:
 * the float32 outputs that the model generator wrote into sample.csv, the
 * digest in model.sha256, the version and shapes read from the safetensors
 * header with cJSON, and telemetry histograms binned by hand. */
#include "{{project_name}}.h"
#include "csv.h"
#include "sha256.h"

#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static sample s;

static void load_sample(void)
{
	cr_assert_eq(sample_read(&s, MODELS_DIR "/sample.csv"), 0);
	cr_assert_eq(s.features, {{project_upper}}_INPUTS);
}

static unsigned char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	unsigned char *buf = malloc((size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	buf[n] = 0;
	*len = (size_t)n;
	return buf;
}

/* the safetensors JSON header, parsed independently of the runtime */
static cJSON *model_header(void)
{
	size_t len;
	unsigned char *buf = slurp(MODELS_DIR "/model.safetensors", &len);
	unsigned long long n = 0;
	for (int i = 7; i >= 0; i--)
		n = (n << 8) | buf[i];
	cr_assert(n + 8 <= len);
	cJSON *j = cJSON_ParseWithLength((const char *)buf + 8, (size_t)n);
	free(buf);
	cr_assert_not_null(j);
	return j;
}

Test(predict, matches_the_generator_outputs_on_every_sample_row)
{
	load_sample();
	/* float32 reproduces the generator's own forward pass; int8 is held to
	 * the bound that test_quantized measures */
	double tol = {{project_name}}_quantized() ? INT8_MAX_ABS_ERR : 1e-5;
	for (int r = 0; r < s.rows; r++) {
		float y[{{project_upper}}_OUTPUTS];
		cr_assert_eq({{project_name}}_predict(s.x[r], y), 0, "row %d", r);
		cr_expect_leq(fabs((double)y[0] - (double)s.expected[r]), tol, "row %d: %g vs %g", r, (double)y[0],
			      (double)s.expected[r]);
	}
}

Test(predict, null_arguments_and_nonfinite_inputs_are_reported)
{
	float x[{{project_upper}}_INPUTS] = { 0 };
	float y[{{project_upper}}_OUTPUTS];
	cr_assert_eq({{project_name}}_predict(NULL, y), -2);
	cr_assert_eq({{project_name}}_predict(x, NULL), -2);
	x[0] = NAN;
	cr_assert_eq({{project_name}}_predict(x, y), -1);
	cr_assert(isnan(y[0]));
	x[0] = 0.0f;
	cr_assert_eq({{project_name}}_predict(x, y), 0);
}

Test(constants, sha256_matches_model_sha256_and_the_file)
{
	char line[256] = "";
	FILE *f = fopen(MODELS_DIR "/model.sha256", "r");
	cr_assert_not_null(f);
	cr_assert_not_null(fgets(line, sizeof line, f));
	fclose(f);
	line[64] = 0;
	cr_assert_str_eq({{project_upper}}_MODEL_SHA256, line);
	size_t len;
	unsigned char *buf = slurp(MODELS_DIR "/model.safetensors", &len);
	char hex[65];
	sha256_hex(buf, len, hex);
	free(buf);
	cr_assert_str_eq({{project_upper}}_MODEL_SHA256, hex);
	cr_assert_eq(strlen({{project_upper}}_MODEL_SHA256), 64);
}

Test(constants, version_features_and_sizes_match_the_file_header)
{
	cJSON *j = model_header();
	cJSON *meta = cJSON_GetObjectItemCaseSensitive(j, "__metadata__");
	const char *version = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(meta, "weft.version"));
	cr_assert_str_eq({{project_upper}}_MODEL_VERSION, version ? version : "unversioned");
	const char *features = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(meta, "weft.features"));
	cr_assert_not_null(features);
	cr_assert_str_eq({{project_upper}}_FEATURES, features);
	/* the sample's header starts with the same names */
	load_sample();
	cr_assert_eq(strncmp(s.header, features, strlen(features)), 0);

	/* weight bytes from the tensor shapes: float32 stores 4 bytes per
	 * number; int8 one byte per weight, 4 per bias, one 4-byte scale per
	 * layer and one 4-byte equalisation factor per input */
	unsigned long weights = 0, biases = 0, layers = 0;
	cJSON *t;
	cJSON_ArrayForEach(t, j)
	{
		if (!strcmp(t->string, "__metadata__"))
			continue;
		unsigned long n = 1;
		cJSON *d;
		cJSON_ArrayForEach(d, cJSON_GetObjectItemCaseSensitive(t, "shape")) n *= (unsigned long)d->valuedouble;
		if (strstr(t->string, ".weight")) {
			weights += n;
			layers++;
		} else {
			biases += n;
		}
	}
	cJSON_Delete(j);
	unsigned long expect = {{project_name}}_quantized()
				       ? weights + 4 * biases + 4 * layers + 4 * {{project_upper}}_INPUTS
				       : 4 * (weights + biases);
	cr_assert_eq({{project_name}}_weight_bytes(), expect);
	cr_assert_eq({{project_upper}}_MODEL_LAYERS, layers);
}

struct seen {
	int calls;
	float last;
	unsigned long long last_count;
};

static void on_call(const {{project_name}}_telemetry *t, float score, void *ctx)
{
	struct seen *seen = ctx;
	seen->calls++;
	seen->last = score;
	seen->last_count = t->calls;
}

Test(telemetry, counts_calls_and_bins_scores_by_hand)
{
	load_sample();
	cr_assert_eq({{project_upper}}_HIST_BINS, HIST_BINS);
	struct seen seen = { 0, 0.0f, 0 };
	unsigned long long expect[HIST_BINS] = { 0 };
	{{project_name}}_telemetry_reset();
	{{project_name}}_set_telemetry(on_call, &seen);
	for (int r = 0; r < s.rows; r++) {
		float y[{{project_upper}}_OUTPUTS];
		cr_assert_eq({{project_name}}_predict(s.x[r], y), 0);
		cr_assert_eq(seen.last, y[0]);
		int bin = (int)floor((double)y[0] * HIST_BINS);
		if (bin < 0)
			bin = 0;
		if (bin >= HIST_BINS)
			bin = HIST_BINS - 1;
		expect[bin]++;
	}
	cr_assert_eq(seen.calls, s.rows);
	cr_assert_eq(seen.last_count, (unsigned long long)s.rows);

	/* a NaN row counts as a call, lands in no bin, and is passed on as NaN */
	float x[{{project_upper}}_INPUTS] = { 0 }, y[{{project_upper}}_OUTPUTS];
	x[0] = NAN;
	cr_assert_eq({{project_name}}_predict(x, y), -1);
	cr_assert(isnan(seen.last));

	{{project_name}}_telemetry t;
	{{project_name}}_telemetry_get(&t);
	cr_assert_eq(t.calls, (unsigned long long)s.rows + 1);
	cr_assert_eq(t.nonfinite, 1);
	unsigned long long sum = 0;
	for (int b = 0; b < HIST_BINS; b++) {
		cr_expect_eq(t.histogram[b], expect[b], "bin %d", b);
		sum += t.histogram[b];
	}
	cr_assert_eq(sum, (unsigned long long)s.rows);

	/* removing the callback stops the calls, not the counting */
	{{project_name}}_set_telemetry(NULL, NULL);
	cr_assert_eq({{project_name}}_predict(s.x[0], y), 0);
	cr_assert_eq(seen.calls, s.rows + 1);
	{{project_name}}_telemetry_get(&t);
	cr_assert_eq(t.calls, (unsigned long long)s.rows + 2);
	{{project_name}}_telemetry_reset();
	{{project_name}}_telemetry_get(&t);
	cr_assert_eq(t.calls, 0);
	cr_assert_eq(t.histogram[0] + t.histogram[HIST_BINS - 1], 0);
}
