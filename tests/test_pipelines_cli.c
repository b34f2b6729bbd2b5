/* test_pipelines_cli.c - `weft bench` end to end through the built binary:
 * exit codes (0 met, 1 broken or inconclusive, 2 usage, 3 invalid, 4
 * environment), path:line:col diagnostics, outputs written only when safe,
 * and the shipped examples running. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_run.h"
#include "requires.h"
#include "weft_core.h"

#define FIX WEFT_FIXTURES "/pipelines/"
#define EXAMPLES WEFT_FIXTURES "/../../pipelines/examples/"

static char tmpdir[64];

static void setup(void)
{
	snprintf(tmpdir, sizeof tmpdir, "/tmp/weft-bench-cli-XXXXXX");
	cr_assert_not_null(mkdtemp(tmpdir));
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	cr_assert_eq(system(cmd), 0);
}
TestSuite(bench_cli, .init = setup, .fini = teardown, .timeout = 120);

static int run(char **out, char **err, const char *args)
{
	return weft_test_run(out, err, tmpdir, args);
}

#define RUN(code, args)                                                                             \
	do {                                                                                        \
		char *o_, *e_;                                                                      \
		int rc_ = run(&o_, &e_, args);                                                      \
		cr_assert_eq(rc_, code, "weft %s: exit %d\nstdout: %s\nstderr: %s", args, rc_, o_, e_); \
		free(o_);                                                                           \
		free(e_);                                                                           \
	} while (0)

Test(bench_cli, help_and_usage_errors)
{
	char *o, *e;
	cr_assert_eq(run(&o, &e, "bench --help"), 0);
	cr_assert(strstr(o, "usage: weft bench"));
	for (const char *s = "run\0validate\0inspect\0candidates\0"; *s; s += strlen(s) + 1)
		cr_assert(strstr(o, s), "help lacks %s", s);
	free(o);
	free(e);
	cr_assert_eq(run(&o, &e, "bench run --help"), 0);
	cr_assert(strstr(o, "--max-regression"));
	free(o);
	free(e);
	cr_assert_eq(run(&o, &e, "bench rnu"), 2);
	cr_assert(strstr(e, "Did you mean this?\n\trun"));
	free(o);
	free(e);
	RUN(2, "bench run");
	RUN(2, "bench run " FIX "quick-pass.yaml --rate abc");
	RUN(2, "bench run " FIX "quick-pass.yaml --duration 5");
	RUN(2, "bench run " FIX "quick-pass.yaml --scenario sever");
	RUN(2, "bench run " FIX "quick-pass.yaml --format pdf");
	cr_assert_eq(run(&o, &e, "bench run " FIX "quick-pass.yaml --max-regresion 5%"), 2);
	cr_assert(strstr(e, "--max-regression"));
	free(o);
	free(e);
}

Test(bench_cli, validate)
{
	char *o, *e;
	cr_assert_eq(run(&o, &e, "bench validate " EXAMPLES "crm-churn.yaml " EXAMPLES "nightly-demand.yaml "
				 EXAMPLES "fraud-on-device.yaml"),
		     0, "%s", e);
	cr_assert_eq(strlen(e), 0, "%s", e);
	cr_assert(strstr(o, "crm-churn.yaml: ok: pipeline 'crm-churn', 4 stages, server"));
	free(o);
	free(e);
	cr_assert_eq(run(&o, &e, "bench validate " FIX "invalid.yaml"), 3);
	cr_assert(strstr(e, "invalid.yaml:4:12: error: delay: '5' is not a duration"), "%s", e);
	cr_assert(strstr(e, "invalid.yaml:6:7: error: the server scenario needs a rate") ||
			  strstr(e, "invalid.yaml:4:12"),
		  "%s", e);
	free(o);
	free(e);
	RUN(4, "bench validate /no/such/pipeline.yaml");

	/* the files a model stage names are loaded as the stage would load them */
	cr_assert_eq(run(&o, &e, "bench validate " FIX "bad-candidates.yaml"), 3);
	cr_assert(strstr(e, "bad-candidates.yaml:6:5: error: stage 'churn': cannot read the candidate"), "%s", e);
	cr_assert(strstr(e, "bad-json.safetensors: error: header is not valid JSON"), "%s", e);
	cr_assert(strstr(e, "the evaluation set has 2 features per row but"), "%s", e);
	cr_assert(strstr(e, "churn-small.safetensors' takes 12"), "%s", e);
	free(o);
	free(e);
	RUN(0, "bench validate " FIX "candidates.yaml");
}

Test(bench_cli, exit_codes_follow_the_verdicts)
{
	RUN(0, "bench run " FIX "quick-pass.yaml -q");
	RUN(1, "bench run " FIX "quick-broken.yaml -q");
	RUN(1, "bench run " FIX "quick-broken.yaml -q --allow-inconclusive");
	RUN(1, "bench run " FIX "quick-inconclusive.yaml -q");
	RUN(0, "bench run " FIX "quick-inconclusive.yaml -q --allow-inconclusive");
	RUN(3, "bench run " FIX "invalid.yaml");
	/* options override the file: a p99 budget decided by enough queries */
	RUN(0, "bench run " FIX "quick-inconclusive.yaml -q --min-queries 400");
}

/* --allow-inconclusive means for candidates what it means for run: an
 * undecided budget does not fail the gate, a broken one still does. */
Test(bench_cli, candidates_allow_inconclusive)
{
	const char *tiny = WEFT_FIXTURES "/kernels/valid/tiny.safetensors";
	char args[512];
	/* 50 timed passes cannot bound a p99 from above: inconclusive */
	snprintf(args, sizeof args, "bench candidates %s --device cpu --budget 1s --iterations 50", tiny);
	RUN(1, args);
	snprintf(args, sizeof args,
		 "bench candidates %s --device cpu --budget 1s --iterations 50 --allow-inconclusive", tiny);
	RUN(0, args);
	/* a broken budget is not rescued by the flag */
	snprintf(args, sizeof args,
		 "bench candidates %s --device cpu --budget 1ns --iterations 400 --allow-inconclusive", tiny);
	RUN(1, args);
	/* through a pipeline: 3 queries decide no budget */
	RUN(1, "bench candidates " FIX "candidates.yaml -q --min-queries 3 --duration 1ms");
	char *o, *e;
	int rc = run(&o, &e, "bench candidates " FIX "candidates.yaml -q --min-queries 3 --duration 1ms "
			     "--allow-inconclusive --format json");
	cr_assert_eq(rc, 0, "%s", e);
	cJSON *j = cJSON_Parse(o);
	cr_assert_not_null(j, "%s", o);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "recommendation")->valuestring, "churn-large",
			 "the most accurate of the undecided");
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "allow_inconclusive")));
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(j, "gate_passed")));
	cJSON_Delete(j);
	free(o);
	free(e);
	rc = run(&o, &e, "bench candidates " FIX "candidates.yaml -q --min-queries 3 --duration 1ms "
			 "--allow-inconclusive");
	cr_assert_eq(rc, 0, "%s", e);
	cr_assert(strstr(o, "recommendation: churn-large (the most accurate candidate not over the budget, "
			    "though whether it fits is inconclusive: --allow-inconclusive)"), "%s", o);
	free(o);
	free(e);
}

Test(bench_cli, outputs_and_baseline)
{
	char *o, *e;
	cr_assert_eq(run(&o, &e, "bench run " FIX "quick-pass.yaml --json base.json --junit junit.xml "
				 "--format markdown -o report.md"),
		     0, "%s", e);
	cr_assert_eq(strlen(o), 0, "the report went to -o");
	free(o);
	free(e);
	char path[128], *text;
	weft_diags *d;
	weft_diags_new(&d);
	snprintf(path, sizeof path, "%s/base.json", tmpdir);
	cr_assert_eq(weft_file_read(&text, NULL, path, 0, d), 0);
	cJSON *j = cJSON_Parse(text);
	cr_assert(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "summary"), "gate_passed")));
	cJSON_Delete(j);
	free(text);
	snprintf(path, sizeof path, "%s/report.md", tmpdir);
	cr_assert_eq(weft_file_read(&text, NULL, path, 0, d), 0);
	cr_assert(strstr(text, "## weft bench: quick-pass"));
	free(text);
	/* the --junit file as CI tools read it */
	snprintf(path, sizeof path, "%s/junit.xml", tmpdir);
	cr_assert_eq(weft_file_read(&text, NULL, path, 0, d), 0);
	weft_test_require_path(WEFT_TEST_JUNIT_XSD, "the JUnit schema");
	cr_assert_eq(weft_test_xmllint(WEFT_TEST_JUNIT_XSD, text), 0, "%s", text);
	free(text);
	weft_diags_free(d);
	/* an existing output is refused before anything runs */
	cr_assert_eq(run(&o, &e, "bench run " FIX "quick-pass.yaml --json base.json"), 4);
	cr_assert(strstr(e, "base.json: error: file exists"), "%s", e);
	free(o);
	free(e);
	RUN(0, "bench run " FIX "quick-pass.yaml --json base.json --force -q");
	/* the same stage against its own baseline passes; a slower one fails */
	RUN(0, "bench run " FIX "quick-pass.yaml --baseline base.json -q");
	cr_assert_eq(run(&o, &e, "bench run " FIX "quick-broken.yaml --baseline base.json -q --format json"), 1);
	free(o);
	free(e);
	RUN(4, "bench run " FIX "quick-pass.yaml --baseline missing.json -q");
	cr_assert_eq(run(&o, &e, "bench run " FIX "quick-pass.yaml --baseline report.md -q"), 3);
	cr_assert(strstr(e, "report.md:1:1: error: not valid JSON (near byte 0)"), "%s", e);
	free(o);
	free(e);
}

Test(bench_cli, shipped_examples_run)
{
	/* shortened runs: a crash, a hang or a usage error fails; a verdict does not */
	static const char *const runs[] = {
		"bench run " EXAMPLES "fraud-on-device.yaml -q --duration 200ms --min-queries 200 --warmup 10",
		"bench run " EXAMPLES "nightly-demand.yaml -q --duration 300ms --min-queries 20",
		"bench run " EXAMPLES "crm-churn.yaml -q --duration 500ms --min-queries 10 --max-duration 1s",
	};
	for (size_t i = 0; i < 3; i++) {
		char *o, *e;
		int rc = run(&o, &e, runs[i]);
		cr_assert(rc == 0 || rc == 1, "%s: exit %d: %s", runs[i], rc, e);
		cr_assert(strstr(o, "verdict: "), "%s", o);
		free(o);
		free(e);
	}
}

Test(bench_cli, a_pipe_is_written_into_not_replaced)
{
	char fifo[128], cmd[512];
	snprintf(fifo, sizeof fifo, "%s/pipe", tmpdir);
	cr_assert_eq(mkfifo(fifo, 0600), 0);
	/* a reader drains the pipe into a file while weft writes the report */
	snprintf(cmd, sizeof cmd, "cd '%s' && (cat pipe > drained.json &) && NO_PROGRESS=1 '%s' bench run "
		 FIX "quick-pass.yaml -q --format json -o pipe && sleep 0.2", tmpdir, WEFT_BIN);
	cr_assert_eq(system(cmd), 0);
	struct stat st;
	cr_assert_eq(stat(fifo, &st), 0);
	cr_assert(S_ISFIFO(st.st_mode), "the pipe was replaced by a file");
	char path[160], *text;
	snprintf(path, sizeof path, "%s/drained.json", tmpdir);
	weft_diags *d;
	weft_diags_new(&d);
	cr_assert_eq(weft_file_read(&text, NULL, path, 0, d), 0);
	cr_assert(strstr(text, "\"weft-bench-report\""), "%s", text);
	free(text);
	weft_diags_free(d);
}

/* The recommendation, recomputed from the JSON: the most accurate of the
 * candidates that fit (ties to fewer parameters), or NULL. */
static const char *most_accurate_that_fits(cJSON *j)
{
	const char *best = NULL;
	double acc = -1, params = 0;
	cJSON *c;
	cJSON_ArrayForEach(c, cJSON_GetObjectItem(j, "candidates"))
	{
		cJSON *fits = cJSON_GetObjectItem(c, "fits");
		if (!cJSON_IsString(fits) || strcmp(fits->valuestring, "yes"))
			continue;
		double a = cJSON_GetObjectItem(c, "accuracy")->valuedouble;
		double p = cJSON_GetObjectItem(c, "parameters")->valuedouble;
		if (a > acc || (a == acc && p < params)) {
			acc = a, params = p;
			best = cJSON_GetObjectItem(c, "name")->valuestring;
		}
	}
	return best;
}

Test(bench_cli, candidates_through_a_pipeline)
{
	char *o, *e;
	int rc = run(&o, &e, "bench candidates " FIX "candidates.yaml -q --seed 7 --format json --junit j.xml "
			     "--html c.html");
	cr_assert_eq(rc, 0, "%s", e);
	cJSON *j = cJSON_Parse(o);
	cr_assert_not_null(j, "%s", o);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "mode")->valuestring, "pipeline");
	cr_assert_str_eq(cJSON_GetObjectItem(j, "stage")->valuestring, "churn");
	cJSON *cs = cJSON_GetObjectItem(j, "candidates");
	cr_assert_eq(cJSON_GetArraySize(cs), 3);
	static const char *const names[] = { "churn-small", "churn-medium", "churn-large" };
	double prev = 0;
	for (int i = 0; i < 3; i++) {
		cJSON *c = cJSON_GetArrayItem(cs, i);
		cr_assert_str_eq(cJSON_GetObjectItem(c, "name")->valuestring, names[i]);
		double acc = cJSON_GetObjectItem(c, "accuracy")->valuedouble;
		cr_assert_gt(acc, prev, "accuracy rises with size");
		prev = acc;
		cJSON *run = cJSON_GetObjectItem(c, "run");
		/* the load options reach every candidate's run */
		cr_assert_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(run, "load"), "seed")->valuedouble, 7);
	}
	const char *want = most_accurate_that_fits(j);
	cr_assert_not_null(want);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "recommendation")->valuestring, want);
	cJSON_Delete(j);
	free(o);
	free(e);

	/* the extra outputs were written; running again without --force refuses before running */
	char path[160], *text;
	weft_diags *d;
	weft_diags_new(&d);
	snprintf(path, sizeof path, "%s/j.xml", tmpdir);
	cr_assert_eq(weft_file_read(&text, NULL, path, 0, d), 0);
	cr_assert(strstr(text, "<testcase name=\"churn-large fits the budget\""), "%s", text);
	weft_test_require_path(WEFT_TEST_JUNIT_XSD, "the JUnit schema");
	cr_assert_eq(weft_test_xmllint(WEFT_TEST_JUNIT_XSD, text), 0, "%s", text);
	free(text);
	snprintf(path, sizeof path, "%s/c.html", tmpdir);
	cr_assert_eq(weft_file_read(&text, NULL, path, 0, d), 0);
	cr_assert(strstr(text, "<tr class='rec'><td class='l'>"), "%s", text);
	free(text);
	weft_diags_free(d);
	RUN(4, "bench candidates " FIX "candidates.yaml -q --html c.html");

	/* models given after the pipeline replace the stage's list; one that does
	 * not take the evaluation set's 12 features fails, exit 3 */
	rc = run(&o, &e, "bench candidates " FIX "candidates.yaml -q " WEFT_FIXTURES
		 "/kernels/valid/tiny.safetensors");
	cr_assert_eq(rc, 3, "%s", e);
	cr_assert(strstr(o, "tiny: failed:"), "%s", o);
	cr_assert(strstr(e, "the model takes 2"), "%s", e);
	free(o);
	free(e);
	rc = run(&o, &e, "bench candidates " FIX "candidates.yaml -q --stage hop");
	cr_assert_eq(rc, 3);
	cr_assert(strstr(e, "stage 'hop' is a delay stage"), "%s", e);
	free(o);
	free(e);
	RUN(2, "bench candidates " FIX "candidates.yaml --iterations 10");
	RUN(2, "bench candidates " FIX "candidates.yaml --scenario bursty");
}
