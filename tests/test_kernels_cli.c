/* test_kernels_cli.c - `weft bench inspect` and `weft bench candidates` end
 * to end: outputs, formats and exit codes. Expected values are worked out
 * by hand (parameter counts, the tiny network's accuracy) or by another
 * tool (sha256sum). */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_run.h"
#include "weft_kernels.h"

#define FIX WEFT_FIXTURES "/kernels/"
#define MODELS WEFT_FIXTURES "/../../pipelines/examples/models/"

static int sh(char **out, char **err, const char *line)
{
	return weft_test_sh(out, err, NULL, NULL, line);
}

static int weft(char **out, char **err, const char *args)
{
	return weft_test_run(out, err, NULL, args);
}

Test(cli_model, inspect_text)
{
	char *out, *err;
	cr_assert_eq(weft(&out, &err, "bench inspect " MODELS "churn-medium.safetensors"), 0, "%s",
		     err);
	/* 12 inputs -> 8 -> 1: 12*8 + 8 + 8*1 + 1 = 113 */
	cr_assert(strstr(out, "parameters  113\n"), "%s", out);
	cr_assert(strstr(out, "network     dense, 2 layers, prefix 'net'"), "%s", out);
	cr_assert(strstr(out, "net.0.weight  F32      [8, 12]"), "%s", out);
	cr_assert(strstr(out, "sigmoid"), "%s", out);

	/* the SHA-256 line agrees with coreutils */
	char *sum, *e2;
	cr_assert_eq(sh(&sum, &e2, "sha256sum " MODELS "churn-medium.safetensors"), 0);
	char want[80];
	snprintf(want, sizeof want, "sha256      %.64s\n", sum);
	cr_assert(strstr(out, want), "want '%s' in %s", want, out);
	free(sum), free(e2), free(out), free(err);
}

Test(cli_model, inspect_json)
{
	char *out, *err;
	cr_assert_eq(weft(&out, &err, "bench inspect --format json " FIX "valid/tiny-bf16.safetensors"),
		     0, "%s", err);
	cJSON *j = cJSON_Parse(out);
	cr_assert_not_null(j, "%s", out);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "tensors")), 4);
	cJSON *t0 = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "tensors"), 0);
	cr_assert_str_eq(cJSON_GetObjectItem(t0, "dtype")->valuestring, "BF16");
	cr_assert_eq(cJSON_GetObjectItem(t0, "bytes")->valuedouble, 12, "3 x 2 bf16");
	cJSON *net = cJSON_GetObjectItem(j, "network");
	cr_assert_eq(cJSON_GetObjectItem(net, "parameters")->valuedouble, 13);
	cJSON *l1 = cJSON_GetArrayItem(cJSON_GetObjectItem(net, "layers"), 1);
	cr_assert_str_eq(cJSON_GetObjectItem(l1, "activation")->valuestring, "sigmoid");
	cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "metadata"), "weft.softmax")
				 ->valuestring, "false");
	cJSON_Delete(j);
	free(out), free(err);
}

Test(cli_model, inspect_refuses_every_malformed_file)
{
	DIR *dir = opendir(FIX "malformed");
	cr_assert_not_null(dir);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(dir))) {
		if (e->d_name[0] == '.')
			continue;
		char args[1024], *out, *err;
		snprintf(args, sizeof args, "bench inspect '" FIX "malformed/%s'", e->d_name);
		cr_assert_eq(weft(&out, &err, args), 3, "%s: %s", e->d_name, err);
		cr_assert_str_eq(out, "", "%s: nothing on stdout", e->d_name);
		cr_assert(strstr(err, e->d_name) && strstr(err, ": error: "), "%s: %s", e->d_name, err);
		free(out), free(err);
		n++;
	}
	closedir(dir);
	cr_assert_geq(n, 30);
}

Test(cli_model, inspect_lists_then_refuses_a_non_network)
{
	char *out, *err;
	cr_assert_eq(weft(&out, &err, "bench inspect " FIX "network/layers-inconsistent.safetensors"),
		     3);
	cr_assert(strstr(out, "net.1.weight") && strstr(out, "not a usable dense network"), "%s",
		  out);
	cr_assert(strstr(err, "layer 1 takes 5 inputs but layer 0 gives 4 outputs"), "%s", err);
	free(out), free(err);
	/* the architecture from the command line wins over the metadata */
	cr_assert_eq(weft(&out, &err, "bench inspect --activations relu,relu " FIX
			  "network/activation-unknown.safetensors"), 0, "%s", err);
	free(out), free(err);
}

Test(cli_model, inspect_usage_and_environment_errors)
{
	char *out, *err;
	cr_assert_eq(weft(&out, &err, "bench inspect"), 2);
	free(out), free(err);
	cr_assert_eq(weft(&out, &err, "bench inspect --format xml " FIX "valid/tiny.safetensors"), 2);
	free(out), free(err);
	cr_assert_eq(weft(&out, &err, "bench inspect --softmax " FIX "valid/tiny.safetensors"), 2);
	free(out), free(err);
	cr_assert_eq(weft(&out, &err, "bench inspect " FIX "no-such.safetensors"), 4);
	cr_assert(strstr(err, "cannot open"), "%s", err);
	free(out), free(err);
}

static cJSON *candidates_json(int *rc, const char *args)
{
	char line[2048], *out, *err;
	snprintf(line, sizeof line, "bench candidates --format json --iterations 400 --warmup 5 %s",
		 args);
	*rc = weft(&out, &err, line);
	cJSON *j = cJSON_Parse(out);
	cr_assert_not_null(j, "rc %d: %s %s", *rc, out, err);
	free(out), free(err);
	return j;
}

static cJSON *first_candidate(cJSON *j)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(j, "candidates"), 0);
}

Test(cli_model, candidates_scores_the_tiny_model)
{
	/* tiny on small.csv: 2 of 3 right, AUC 0 (test_kernels_metrics.c) */
	int rc;
	cJSON *j = candidates_json(&rc, "--device cpu --eval " FIX "eval/small.csv " FIX
				   "valid/tiny.safetensors");
	cr_assert_eq(rc, 0);
	cJSON *c = first_candidate(j);
	cr_assert_str_eq(cJSON_GetObjectItem(c, "name")->valuestring, "tiny");
	cr_assert(fabs(cJSON_GetObjectItem(c, "accuracy")->valuedouble - 2.0 / 3.0) < 1e-9);
	cr_assert_eq(cJSON_GetObjectItem(c, "roc_auc")->valuedouble, 0.0);
	cr_assert_eq(cJSON_GetObjectItem(c, "parameters")->valuedouble, 13);
	cr_assert_str_eq(cJSON_GetObjectItem(c, "device")->valuestring, "cpu");
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(c, "fits")), "no budget, no verdict");
	cJSON *lat = cJSON_GetArrayItem(cJSON_GetObjectItem(c, "latency"), 0);
	cr_assert_eq(cJSON_GetObjectItem(lat, "batch")->valuedouble, 1);
	cr_assert_eq(cJSON_GetObjectItem(lat, "samples")->valuedouble, 400);
	double p50 = cJSON_GetObjectItem(lat, "p50_ms")->valuedouble;
	double p99 = cJSON_GetObjectItem(lat, "p99_ms")->valuedouble;
	cr_assert(p50 > 0 && p99 >= p50, "%g %g", p50, p99);
	cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(lat, "p99_hi_ms")), "400 samples bound p99");
	cr_assert_str_eq(cJSON_GetObjectItem(j, "recommendation")->valuestring, "tiny");
	cJSON_Delete(j);
}

Test(cli_model, candidates_budget_verdicts_and_gate)
{
	int rc;
	cJSON *j = candidates_json(&rc, "--device cpu --budget 10s " FIX "valid/tiny.safetensors");
	cr_assert_eq(rc, 0);
	cr_assert_str_eq(cJSON_GetObjectItem(first_candidate(j), "fits")->valuestring, "yes");
	cJSON_Delete(j);
	/* nothing runs in a nanosecond: broken, no recommendation, exit 1 */
	j = candidates_json(&rc, "--device cpu --budget 1ns " FIX "valid/tiny.safetensors");
	cr_assert_eq(rc, 1);
	cr_assert_str_eq(cJSON_GetObjectItem(first_candidate(j), "fits")->valuestring, "no");
	cr_assert(cJSON_IsNull(cJSON_GetObjectItem(j, "recommendation")));
	cJSON_Delete(j);
}

Test(cli_model, candidates_recommends_the_most_accurate_that_fits)
{
	int rc;
	cJSON *j = candidates_json(&rc, "--device cpu --budget 10s --eval " MODELS "churn-eval.csv "
				   MODELS "churn-small.safetensors " MODELS "churn-medium.safetensors "
				   MODELS "churn-large.safetensors");
	cr_assert_eq(rc, 0);
	double acc[3];
	for (int i = 0; i < 3; i++) {
		cJSON *c = cJSON_GetArrayItem(cJSON_GetObjectItem(j, "candidates"), i);
		acc[i] = cJSON_GetObjectItem(c, "accuracy")->valuedouble;
		cr_assert(acc[i] > 0.75 && acc[i] < 0.9, "accuracy %g", acc[i]);
	}
	cr_assert(acc[0] < acc[1] && acc[1] < acc[2], "accuracy rises with size: %g %g %g", acc[0],
		  acc[1], acc[2]);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "recommendation")->valuestring, "churn-large");
	cJSON_Delete(j);
}

Test(cli_model, candidates_batch_sweep)
{
	int rc;
	cJSON *j = candidates_json(&rc, "--device cpu --batch-sweep --max-batch 6 " FIX
				   "valid/tiny.safetensors");
	cr_assert_eq(rc, 0);
	cJSON *lat = cJSON_GetObjectItem(first_candidate(j), "latency");
	const int want[] = { 1, 2, 4, 6 };
	cr_assert_eq(cJSON_GetArraySize(lat), 4);
	for (int i = 0; i < 4; i++) {
		cJSON *r = cJSON_GetArrayItem(lat, i);
		cr_assert_eq(cJSON_GetObjectItem(r, "batch")->valuedouble, want[i]);
		double p50 = cJSON_GetObjectItem(r, "p50_ms")->valuedouble;
		double tput = cJSON_GetObjectItem(r, "rows_per_s")->valuedouble;
		cr_assert(fabs(tput - want[i] / (p50 / 1000.0)) < 1e-6 * tput, "rows/s = batch / p50");
	}
	cJSON_Delete(j);
}

Test(cli_model, candidates_errors)
{
	char *out, *err;
	cr_assert_eq(weft(&out, &err, "bench candidates"), 2);
	free(out), free(err);
	cr_assert_eq(weft(&out, &err, "bench candidates --budget 5 " FIX "valid/tiny.safetensors"), 2,
		     "a duration needs a unit");
	free(out), free(err);
	cr_assert_eq(weft(&out, &err, "bench candidates --precision fp8 " FIX "valid/tiny.safetensors"),
		     2);
	free(out), free(err);
	/* the models-only options make no sense with a pipeline, and back */
	cr_assert_eq(weft(&out, &err, "bench candidates pipelines/examples/crm-churn.yaml --budget 1ms"), 2);
	cr_assert(strstr(err, "--budget applies to models timed alone"), "%s", err);
	free(out), free(err);
	cr_assert_eq(weft(&out, &err, "bench candidates --seed 3 " FIX "valid/tiny.safetensors"), 2);
	cr_assert(strstr(err, "need a PIPELINE"), "%s", err);
	free(out), free(err);
	cr_assert_eq(weft(&out, &err, "bench candidates " FIX "valid/tiny.safetensors "
			  "pipelines/examples/crm-churn.yaml"), 2);
	free(out), free(err);
	/* the evaluation set does not fit the model: exit 3, the row says failed */
	cr_assert_eq(weft(&out, &err, "bench candidates --device cpu --iterations 10 --eval " FIX
			  "eval/small.csv " MODELS "churn-small.safetensors"), 3);
	cr_assert(strstr(err, "2 features per row but the model takes 12"), "%s", err);
	cr_assert(strstr(out, "failed"), "%s", out);
	free(out), free(err);
	cr_assert_eq(weft(&out, &err, "bench candidates --eval " FIX "eval/bad-number.csv " FIX
			  "valid/tiny.safetensors"), 3);
	cr_assert(strstr(err, "bad-number.csv:3:3: error:"), "%s", err);
	free(out), free(err);
}

Test(cli_model, candidates_gpu_required_without_one)
{
	weft_kernels_info info;
	weft_kernels_probe(&info);
	if (info.device_found)
		cr_skip_test("a GPU is present");
	char *out, *err;
	cr_assert_eq(weft(&out, &err, "bench candidates --device gpu --iterations 10 " FIX
			  "valid/tiny.safetensors"), 4);
	cr_assert(strstr(err, "device gpu requested but"), "%s", err);
	free(out), free(err);
}

Test(cli_model, candidates_output_file_not_overwritten)
{
	char path[128], args[512], *out, *err;
	snprintf(path, sizeof path, "/tmp/weft-kcli-report-%d.md", (int)getpid());
	remove(path);
	snprintf(args, sizeof args, "bench candidates --device cpu --iterations 10 --format markdown "
		 "-o %s " FIX "valid/tiny.safetensors", path);
	cr_assert_eq(weft(&out, &err, args), 0, "%s", err);
	free(out), free(err);
	char *md;
	weft_diags *d;
	weft_diags_new(&d);
	cr_assert_eq(weft_file_read(&md, NULL, path, 0, d), 0);
	cr_assert(strstr(md, "| tiny | 13 |"), "%s", md);
	free(md);
	cr_assert_eq(weft(&out, &err, args), 4, "exists without --force");
	free(out), free(err);
	strcat(args, " --force");
	cr_assert_eq(weft(&out, &err, args), 0);
	free(out), free(err);
	remove(path);
	weft_diags_free(d);
}
