/* test_pipelines_shards.c - a run split into shards, run as separate
 * processes, merges back into what one run of all their queries says.
 *
 * Three `weft bench run --shard i/3` processes run side by side, each
 * writing its JSON report and, with --samples, every query it measured.
 * The test reads the sample files itself: their rows are the queries
 * (unique ids across shards), and the order statistics of their end-to-end
 * latencies, sorted here, are the truth. `weft bench merge` must report the
 * summed count and each percentile within the histogram's 0.1% of that
 * truth; the merged verdicts, the missing-shard note and the exit codes are
 * checked too.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli_run.h"

TestSuite(shards, .timeout = 120);

static char dir[] = "/tmp/weft-shards-XXXXXX";

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Append the end_to_end_ns column of a samples CSV to v, and its ids to ids. */
static void read_samples(const char *path, uint64_t **v, size_t *n, size_t *cap, uint64_t **ids)
{
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "%s", path);
	char line[1024];
	cr_assert_not_null(fgets(line, sizeof line, f));
	cr_assert(strstr(line, "end_to_end_ns"), "header: %s", line);
	/* id,scheduled_ns,sent_ns,svc_ns,end_to_end_ns,error_stage,error */
	while (fgets(line, sizeof line, f)) {
		unsigned long long id, sch, sent, svc, e2e;
		cr_assert_eq(sscanf(line, "%llu,%llu,%llu,%llu,%llu", &id, &sch, &sent, &svc, &e2e), 5, "%s", line);
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 4096;
			*v = realloc(*v, *cap * sizeof **v);
			*ids = realloc(*ids, *cap * sizeof **ids);
			cr_assert(*v && *ids);
		}
		(*ids)[*n] = id;
		(*v)[(*n)++] = e2e;
	}
	fclose(f);
}

static cJSON *parse(const char *text)
{
	cJSON *j = cJSON_Parse(text);
	cr_assert_not_null(j, "not JSON: %.300s", text);
	return j;
}

static const cJSON *series(const cJSON *root, const char *name)
{
	const cJSON *s;
	cJSON_ArrayForEach(s, cJSON_GetObjectItem(root, "series"))
	if (!strcmp(cJSON_GetObjectItem(s, "name")->valuestring, name))
		return s;
	cr_assert_fail("no series %s", name);
	return NULL;
}

Test(shards, three_processes_merge_to_the_histogram_of_all_their_samples)
{
	cr_assert_not_null(mkdtemp(dir));
	FILE *f = fopen(strcat(strcpy((char[256]){ 0 }, dir), "/p.yaml"), "w");
	cr_assert_not_null(f);
	fputs("pipeline: split\n"
	      "stages: [{name: svc, delay: {distribution: lognormal, median: 1ms, p99: 6ms}}]\n"
	      "budget: {end_to_end: {p99: 1s, p50: 50us}}\n"
	      "load: {scenario: server, rate: 1500, concurrency: 48, duration: 2s, warmup: 10, seed: 11}\n",
	      f);
	fclose(f);
	char *out, *err;
	/* three shards at once, as three machines would run them */
	int rc = weft_test_sh(&out, &err, dir, NULL,
			      "for i in 0 1 2; do '" WEFT_BIN "' bench run p.yaml --shard $i/3 --json s$i.json "
			      "--samples s$i.csv -q --allow-inconclusive > /dev/null 2> e$i.txt & done; wait; "
			      "cat e0.txt e1.txt e2.txt");
	cr_assert_eq(rc, 0, "%s", err);
	free(out);
	free(err);
	uint64_t *v = NULL, *ids = NULL;
	size_t n = 0, cap = 0;
	char path[300];
	for (int i = 0; i < 3; i++) {
		snprintf(path, sizeof path, "%s/s%d.csv", dir, i);
		read_samples(path, &v, &n, &cap, &ids);
	}
	cr_assert_gt(n, 2000);
	/* ids are disjoint across shards */
	qsort(ids, n, sizeof *ids, cmp_u64);
	for (size_t i = 1; i < n; i++)
		cr_assert_neq(ids[i], ids[i - 1], "id %llu in two shards", (unsigned long long)ids[i]);
	qsort(v, n, sizeof *v, cmp_u64);

	/* the p50 budget (50 us behind a 1 ms median) is broken: exit 1 */
	rc = weft_test_run(&out, &err, dir, "bench merge s0.json s1.json s2.json --format json");
	cr_assert_eq(rc, 1, "%s", err);
	cJSON *m = parse(out);
	const cJSON *q = cJSON_GetObjectItem(m, "queries");
	cr_assert_eq((size_t)cJSON_GetObjectItem(q, "ok")->valuedouble, n);
	const cJSON *e = series(m, "end-to-end");
	cr_assert_eq((size_t)cJSON_GetObjectItem(e, "count")->valuedouble, n);
	const cJSON *p;
	size_t checked = 0;
	cJSON_ArrayForEach(p, cJSON_GetObjectItem(e, "percentiles"))
	{
		double qq = cJSON_GetObjectItem(p, "q")->valuedouble;
		double got = cJSON_GetObjectItem(p, "value_ms")->valuedouble * 1e6;
		size_t rank = (size_t)ceil(qq * (double)n - 1e-9);
		if (rank < 1)
			rank = 1;
		double want = (double)v[rank - 1];
		cr_assert_leq(fabs(got - want), want / 1024.0 + 1.0, "%s: merged %.0f ns, samples say %.0f ns",
			      cJSON_GetObjectItem(p, "label")->valuestring, got, want);
		checked++;
	}
	cr_assert_eq(checked, 6);
	const cJSON *b;
	cJSON_ArrayForEach(b, cJSON_GetObjectItem(e, "budgets"))
	{
		const char *label = cJSON_GetObjectItem(b, "label")->valuestring;
		const char *verdict = cJSON_GetObjectItem(b, "verdict")->valuestring;
		cr_assert_str_eq(verdict, !strcmp(label, "p50") ? "broken" : "met", "%s", label);
	}
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(m, "notes")), 0, "%s", out);
	cJSON_Delete(m);
	free(out);
	free(err);

	/* one shard missing: said, not hidden */
	rc = weft_test_run(&out, &err, dir, "bench merge s0.json s2.json");
	cr_assert_eq(rc, 1);
	cr_assert(strstr(out, "missing"), "%s", out);
	free(out);
	free(err);
	/* not a report: exit 3 with the file's name */
	rc = weft_test_sh(&out, &err, dir, NULL, "echo '{\"format\": 1}' > bad.json");
	free(out);
	free(err);
	rc = weft_test_run(&out, &err, dir, "bench merge s0.json bad.json");
	cr_assert_eq(rc, 3, "%s", err);
	cr_assert(strstr(err, "bad.json:"), "%s", err);
	free(out);
	free(err);
	rc = weft_test_run(&out, &err, dir, "bench run p.yaml --shard 3/3");
	cr_assert_eq(rc, 2);
	free(out);
	free(err);
	free(v);
	free(ids);
	char rm[300];
	snprintf(rm, sizeof rm, "rm -rf '%s'", dir);
	weft_test_sh(&out, &err, NULL, NULL, rm);
	free(out);
	free(err);
}
