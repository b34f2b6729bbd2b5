/* test_cli.c - the command line end to end, as a reviewer uses it: route
 * a CSV, list, show (model hidden), claim conflicts, judge, decide, export,
 * report, threshold from a hand-made CSV; and its exit codes. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "testutil.h"

static char *dir;

static void setup(void)
{
	dir = tu_tempdir();
	char *m = tu_path(dir, "model.safetensors");
	float w[1] = { 1.0f };
	tu_write_logistic_model(m, 1, w, 0.0f, "score", "cli-1");
	free(m);
	char *conf = tu_path(dir, "routing.conf");
	tu_write_file(conf, "db = var/cases.db\nmodel = model.safetensors\nconfidence_threshold = 0.9\n"
			    "blind_first = true\naudit_rate = 0\nlabels = deny, approve\nauto_labels = approve\n");
	free(conf);
	char *csv = tu_path(dir, "in.csv");
	/* sigmoid(3) = 0.953 -> auto; sigmoid(0.5) = 0.62 -> review;
	 * sigmoid(-3) = 0.047 -> deny with 0.953, but denials are never automatic */
	tu_write_file(csv, "external_id,score,note\nA-1,3,x\nA-2,0.5,y\nA-3,-3,z\n");
	free(csv);
}

static void teardown(void)
{
	tu_rmtree(dir);
	free(dir);
}

TestSuite(cli, .init = setup, .fini = teardown);

#define RUN(out, err, ...) tu_run(dir, out, err, (const char *const[]){ __VA_ARGS__, NULL })

Test(cli, a_review_from_routing_to_export)
{
	char *out, *err;
	cr_assert_eq(RUN(&out, &err, "route", "in.csv"), 0, "%s", err);
	cr_assert(strstr(out, "A-1: approve automatically"), "%s", out);
	cr_assert(strstr(out, "A-2: queued for review"), "%s", out);
	cr_assert(strstr(out, "A-3: queued for review"), "%s", out);
	free(out);
	free(err);

	cr_assert_eq(RUN(&out, NULL, "list"), 0);
	cr_assert(strstr(out, "A-2") && strstr(out, "A-3") && !strstr(out, "A-1"), "%s", out);
	cr_assert(strstr(out, "(hidden)"), "%s", out);
	free(out);

	cr_assert_eq(RUN(&out, NULL, "show", "2"), 0);
	cr_assert(strstr(out, "hidden until you record your own judgment"), "%s", out);
	cr_assert_null(strstr(out, "confidence"), "%s", out);
	free(out);

	cr_assert_eq(RUN(NULL, NULL, "claim", "2", "--reviewer", "alice"), 0);
	cr_assert_eq(RUN(NULL, &err, "claim", "2", "--reviewer", "bob"), 1);
	cr_assert(strstr(err, "claimed by alice"), "%s", err);
	free(err);
	cr_assert_eq(RUN(NULL, &err, "decide", "2", "--reviewer", "alice", "--decision", "approve", "--reason", "ok"), 1);
	cr_assert(strstr(err, "record your own judgment first"), "%s", err);
	free(err);
	cr_assert_eq(RUN(&out, NULL, "judge", "2", "--reviewer", "alice", "--judgment", "deny"), 0);
	cr_assert(strstr(out, "confidence 0.622"), "%s", out);
	free(out);
	cr_assert_eq(RUN(NULL, &err, "decide", "2", "--reviewer", "alice", "--decision", "deny", "--reason",
			 "missing documents, see file"),
		     0, "%s", err);
	free(err);

	cr_assert_eq(RUN(NULL, &err, "export", "--out", "fb.csv"), 0, "%s", err);
	free(err);
	char *p = tu_path(dir, "fb.csv");
	char *text = tu_read_file(p);
	cr_assert(strstr(text, "deny,deny,approve,"), "%s", text);
	cr_assert(strstr(text, "\"missing documents, see file\""), "%s", text);
	free(text);
	cr_assert_eq(RUN(NULL, NULL, "export", "--out", "fb.csv"), 1, "an existing file needs --force");
	cr_assert_eq(RUN(NULL, NULL, "export", "--out", "fb.csv", "--force"), 0);
	free(p);

	cr_assert_eq(RUN(&out, NULL, "report", "--format", "json"), 0);
	cJSON *j = cJSON_Parse(out);
	cr_assert(j, "%s", out);
	/* 1 automatic of 3 */
	cr_assert_float_eq(cJSON_GetObjectItem(j, "automation_rate")->valuedouble, 1.0 / 3, 1e-12);
	cr_assert_float_eq(cJSON_GetObjectItem(j, "override_rate")->valuedouble, 1.0, 1e-12);
	cJSON_Delete(j);
	free(out);
}

Test(cli, threshold_from_a_hand_made_csv)
{
	char *p = tu_path(dir, "labels.csv");
	/* four automatable approvals (confidence, right?) and one denial:
	 *   0.99 right, 0.95 right, 0.90 wrong, 0.80 right; deny 0.97 right (never automated)
	 *   t=0.99: auto 1, error 0, load 4/5; t=0.95: auto 2, error 0, load 3/5
	 *   t=0.90: auto 3, error 1/3, load 2/5; t=0.80: auto 4, error 1/4, load 1/5 */
	tu_write_file(p, "model_confidence,model_recommendation,label\n"
			 "0.99,approve,approve\n0.95,approve,approve\n0.90,approve,deny\n"
			 "0.80,approve,approve\n0.97,deny,deny\n");
	char *out, *err;
	cr_assert_eq(RUN(&out, &err, "threshold", "--csv", "labels.csv", "--max-error", "0.1", "--min-support", "1"), 0,
		     "%s", err);
	cr_assert(strstr(out, "confidence_threshold = 0.9500"), "%s", out);
	cr_assert(strstr(out, "review load 60.0%"), "%s", out);
	free(out);
	free(err);
	cr_assert_eq(RUN(&out, NULL, "threshold", "--csv", "labels.csv", "--review-load", "45%", "--format", "json"), 0);
	cJSON *j = cJSON_Parse(out);
	cJSON *r = cJSON_GetObjectItem(j, "recommendation");
	cr_assert_float_eq(cJSON_GetObjectItem(r, "threshold")->valuedouble, 0.90, 1e-12);
	cr_assert_float_eq(cJSON_GetObjectItem(r, "review_load")->valuedouble, 0.4, 1e-12);
	cJSON_Delete(j);
	free(out);
	cr_assert_eq(RUN(&out, NULL, "threshold", "--csv", "labels.csv", "--max-error", "0", "--min-support", "3"), 1);
	cr_assert(strstr(out, "keep reviewing everything"), "%s", out);
	free(out);
	free(p);
}

Test(cli, exit_codes_for_usage_and_invalid_input)
{
	cr_assert_eq(RUN(NULL, NULL, "frobnicate"), 2);
	cr_assert_eq(RUN(NULL, NULL, "list", "--bogus", "1"), 2);
	cr_assert_eq(RUN(NULL, NULL, "claim", "x", "--reviewer", "a"), 2);
	cr_assert_eq(RUN(NULL, NULL, "claim", "1"), 2, "no reviewer");
	cr_assert_eq(RUN(NULL, NULL, "threshold", "--review-load", "2"), 2);
	cr_assert_eq(RUN(NULL, NULL, "show", "42"), 3, "no such case");
	char *err;
	cr_assert_eq(RUN(NULL, &err, "list", "--set", "confidence_threshold=0.3"), 3);
	cr_assert(strstr(err, "confidence_threshold"), "%s", err);
	free(err);
	char *conf = tu_path(dir, "bad.conf");
	tu_write_file(conf, "port = 80\nblind_first = perhaps\n");
	cr_assert_eq(RUN(NULL, &err, "list", "--config", "bad.conf"), 3);
	cr_assert(strstr(err, "bad.conf:2:15: blind_first"), "%s", err);
	free(err);
	free(conf);
	char *csv = tu_path(dir, "bad.csv");
	tu_write_file(csv, "external_id,score\nB-1,abc\n");
	cr_assert_eq(RUN(NULL, &err, "route", "bad.csv"), 3);
	cr_assert(strstr(err, "bad.csv:2:5: score: 'abc' is not a number"), "%s", err);
	free(err);
	free(csv);
	char *out;
	cr_assert_eq(RUN(&out, NULL, "--help"), 0);
	cr_assert(strstr(out, "usage:"));
	free(out);
}
