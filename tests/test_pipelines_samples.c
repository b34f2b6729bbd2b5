/* test_pipelines_samples.c - --samples writes one row per measured query,
 * streaming, with memory bounded.
 *
 * A million-query run writes a million rows (counted here, against the
 * report's measured count) and its peak RSS is within a few MB of the same
 * run without --samples, so the rows are not held in memory. JSON lines
 * parse one by one and carry each stage and the end-to-end latency; failed
 * queries are rows with their error; an existing file is refused without
 * --force, and a run that fails leaves no file.
 *
 * ctest-labels: serial
 */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli_run.h"

TestSuite(samples, .timeout = 240);

static char dir[] = "/tmp/weft-samples-XXXXXX";

static void write_file(const char *name, const char *text)
{
	char path[300];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

/* Peak RSS (KiB) of `weft <args>` run in dir, in a child of its own. */
static long peak_rss(const char *args, char **out)
{
	char line[2048];
	snprintf(line, sizeof line, "cd '%s' && exec '%s' %s > run.out 2> run.err", dir, WEFT_BIN, args);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", line, (char *)NULL);
		_exit(127);
	}
	int status;
	struct rusage ru;
	cr_assert_eq(wait4(pid, &status, 0, &ru), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "weft %s: status %d", args, status);
	char *err;
	snprintf(line, sizeof line, "cat run.out");
	weft_test_sh(out, &err, dir, NULL, line);
	free(err);
	return ru.ru_maxrss;
}

static size_t count_lines(const char *name)
{
	char path[300];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	size_t n = 0;
	int c;
	while ((c = getc(f)) != EOF)
		n += c == '\n';
	fclose(f);
	return n;
}

static double measured_of(const char *json)
{
	cJSON *j = cJSON_Parse(json);
	cr_assert_not_null(j, "%.200s", json);
	double m = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "queries"), "measured")->valuedouble;
	cJSON_Delete(j);
	return m;
}

Test(samples, a_million_queries_one_row_each_memory_bounded)
{
	cr_assert_not_null(mkdtemp(dir));
	write_file("p.yaml", "pipeline: many\nstages: [{name: a, delay: 1us}, {name: b, delay: 1us}]\n"
			     "load: {scenario: concurrency, concurrency: 2, duration: 1ms, min_queries: 1000000,\n"
			     "       warmup: 100}\n");
	char *out;
	long without = peak_rss("bench run p.yaml -q --format json --allow-inconclusive", &out);
	double m0 = measured_of(out);
	free(out);
	long with = peak_rss("bench run p.yaml -q --format json --allow-inconclusive --samples s.csv", &out);
	double m1 = measured_of(out);
	free(out);
	cr_assert_geq(m0, 1e6);
	cr_assert_geq(m1, 1e6);
	/* a header and one row per measured query */
	cr_assert_eq(count_lines("s.csv"), (size_t)m1 + 1);
	cr_log_info("peak RSS without --samples %ld KiB, with %ld KiB, %.0f rows", without, with, m1);
	/* a million rows of ~40 bytes would be 40 MB if they were kept */
	cr_assert_lt(with - without, 8 * 1024, "RSS grew by %ld KiB with --samples", with - without);
	char line[300], *err;
	snprintf(line, sizeof line, "rm -rf '%s'", dir);
	weft_test_sh(&out, &err, NULL, NULL, line);
	free(out);
	free(err);
}

Test(samples, json_lines_errors_refusals_and_no_file_after_a_failure)
{
	cr_assert_not_null(mkdtemp(dir));
	/* a port nothing listens on: every query fails in stage 'api' */
	write_file("e.yaml", "pipeline: err\nstages: [{name: pre, delay: 1us},\n"
			     "  {name: api, http: {url: 'http://127.0.0.1:9/', connect_timeout: 200ms}}]\n"
			     "load: {scenario: concurrency, concurrency: 1, duration: 50ms, min_queries: 20, warmup: 0}\n");
	char *out, *err;
	int rc = weft_test_run(&out, &err, dir, "bench run e.yaml -q --format json --samples s.jsonl");
	cr_assert_eq(rc, 1, "%s", err);
	double m = measured_of(out);
	free(out);
	free(err);
	char path[300];
	snprintf(path, sizeof path, "%s/s.jsonl", dir);
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f);
	char line[4096];
	size_t n = 0;
	while (fgets(line, sizeof line, f)) {
		cJSON *j = cJSON_Parse(line);
		cr_assert_not_null(j, "%s", line);
		cr_assert_str_eq(cJSON_GetObjectItem(j, "error_stage")->valuestring, "api");
		cr_assert(strstr(cJSON_GetObjectItem(j, "error")->valuestring, "refused"), "%s", line);
		const cJSON *lat = cJSON_GetObjectItem(j, "latency_ns");
		cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(lat, "pre")));
		cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(lat, "end-to-end")));
		cJSON_Delete(j);
		n++;
	}
	fclose(f);
	cr_assert_eq(n, (size_t)m);
	/* exists: refused before the run, untouched */
	rc = weft_test_run(&out, &err, dir, "bench run e.yaml -q --samples s.jsonl");
	cr_assert_eq(rc, 4);
	cr_assert(strstr(err, "file exists"), "%s", err);
	free(out);
	free(err);
	cr_assert_eq(count_lines("s.jsonl"), n);
	/* a run that cannot start leaves no file */
	write_file("bad.yaml", "pipeline: bad\nstages: [{name: m, model: {file: missing.safetensors}}]\n");
	rc = weft_test_run(&out, &err, dir, "bench run bad.yaml -q --samples t.csv");
	cr_assert_neq(rc, 0);
	free(out);
	free(err);
	snprintf(path, sizeof path, "%s/t.csv", dir);
	cr_assert_neq(access(path, F_OK), 0, "a failed run left %s", path);
	rc = weft_test_sh(&out, &err, dir, NULL, "ls -a | grep -c weft-tmp || true");
	cr_assert_str_eq(out, "0\n", "temporary files left: %s", out);
	free(out);
	free(err);
	snprintf(line, sizeof line, "rm -rf '%s'", dir);
	weft_test_sh(&out, &err, NULL, NULL, line);
	free(out);
	free(err);
}
