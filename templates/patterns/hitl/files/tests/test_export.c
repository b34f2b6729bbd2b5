/* test_export.c - the retraining CSV: columns, one row per human decision
 * with the model's output, quoting that survives commas, quotes and
 * newlines in reasons, atomic writes that never overwrite without force;
 * and reading labelled rows back (with positioned errors). */
#include <criterion/criterion.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csv.h"
#include "export.h"
#include "service.h"
#include "testutil.h"

static char *dir;
static hitl_service *svc;

static void setup(void)
{
	dir = tu_tempdir();
	char *path = tu_path(dir, "m.safetensors");
	float w[2] = { 1.0f, 0.0f };
	tu_write_logistic_model(path, 2, w, 0.0f, "score,amount", "t-2");
	hitl_config c;
	tu_config(&c, dir, path);
	c.audit_rate = 0;
	free(path);
	char err[512];
	cr_assert_eq(hitl_service_open(&svc, &c, err, sizeof err), 0, "%s", err);
}

static void teardown(void)
{
	hitl_service_close(svc);
	tu_rmtree(dir);
	free(dir);
}

TestSuite(export, .init = setup, .fini = teardown);

static void decide(const char *ext, double p, double amount, const char *label, const char *reason)
{
	double x[2] = { tu_logit(p), amount };
	hitl_case c;
	bool existed;
	char err[512];
	cr_assert_eq(hitl_service_submit(svc, ext, x, 1000, &c, &existed, err, sizeof err), 0, "%s", err);
	cr_assert_eq(hitl_service_claim(svc, c.id, "alice", 1001, err, sizeof err), 0, "%s", err);
	cr_assert_eq(hitl_service_judge(svc, c.id, "alice", label, 1002, err, sizeof err), 0, "%s", err);
	cr_assert_eq(hitl_service_decide(svc, c.id, "alice", label, reason, 1060, err, sizeof err), 0, "%s", err);
}

static const char *tricky = "amount, \"per policy\"\nsee note";

Test(export, one_row_per_decision_with_named_columns_and_the_model_output)
{
	decide("x1", 0.7, 1234.5, "deny", tricky);
	decide("x2", 0.2, 10, "deny", "plain");
	char *out = tu_path(dir, "feedback.csv");
	size_t rows;
	char err[512];
	cr_assert_eq(hitl_export_file(out, false, svc->store, &svc->cfg, &rows, err, sizeof err), 0, "%s", err);
	cr_assert_eq(rows, 2);
	FILE *f = fopen(out, "r");
	cr_assert(f);
	hitl_csv_record r = { 0 };
	long line = 0;
	cr_assert_eq(hitl_csv_read(f, &r, &line, err, sizeof err), 1);
	static const char *header[] = { "case_id",	   "external_id", "score",	      "amount",
					"label",	   "first_judgment", "model_recommendation", "model_confidence",
					"p_deny",	   "p_approve",	  "reviewer",	      "reason",
					"route",	   "weight",	  "blind",	      "model_version",
					"model_digest", "decided_at",  "review_seconds" };
	cr_assert_eq(r.n, sizeof header / sizeof header[0]);
	for (size_t i = 0; i < r.n; i++)
		cr_assert_str_eq(r.field[i], header[i]);
	cr_assert_eq(hitl_csv_read(f, &r, &line, err, sizeof err), 1);
	cr_assert_str_eq(r.field[1], "x1");
	cr_assert_float_eq(strtod(r.field[2], NULL), tu_logit(0.7), 1e-12, "features round-trip exactly");
	cr_assert_str_eq(r.field[3], "1234.5");
	cr_assert_str_eq(r.field[4], "deny");
	cr_assert_str_eq(r.field[5], "deny");
	cr_assert_str_eq(r.field[6], "approve");
	cr_assert_float_eq(strtod(r.field[7], NULL), 0.7, 1e-6);
	cr_assert_float_eq(strtod(r.field[8], NULL), 0.3, 1e-6);
	cr_assert_str_eq(r.field[10], "alice");
	cr_assert_str_eq(r.field[11], tricky, "the reason survives quoting");
	cr_assert_str_eq(r.field[12], "review");
	cr_assert_str_eq(r.field[13], "1");
	cr_assert_str_eq(r.field[14], "1");
	cr_assert_str_eq(r.field[15], "t-2");
	cr_assert_eq(strlen(r.field[16]), 64);
	cr_assert_str_eq(r.field[17], "1970-01-01T00:17:40Z");
	cr_assert_str_eq(r.field[18], "60");
	cr_assert_eq(hitl_csv_read(f, &r, &line, err, sizeof err), 1);
	cr_assert_str_eq(r.field[1], "x2");
	cr_assert_str_eq(r.field[6], "deny", "p(approve) 0.2: the model said deny");
	cr_assert_eq(hitl_csv_read(f, &r, &line, err, sizeof err), 0);
	hitl_csv_record_free(&r);
	fclose(f);
	free(out);
}

Test(export, an_existing_file_is_kept_unless_forced)
{
	decide("y", 0.7, 1, "approve", "ok");
	char *out = tu_path(dir, "keep.csv");
	tu_write_file(out, "precious\n");
	char err[512];
	cr_assert_eq(hitl_export_file(out, false, svc->store, &svc->cfg, NULL, err, sizeof err), HITL_ECONFLICT);
	cr_assert(strstr(err, "--force"), "%s", err);
	char *text = tu_read_file(out);
	cr_assert_str_eq(text, "precious\n");
	free(text);
	cr_assert_eq(hitl_export_file(out, true, svc->store, &svc->cfg, NULL, err, sizeof err), 0, "%s", err);
	text = tu_read_file(out);
	cr_assert(!strncmp(text, "case_id,", 8));
	free(text);
	/* no temporary file is left beside it */
	DIR *d = opendir(dir);
	struct dirent *e;
	while ((e = readdir(d)))
		cr_assert_null(strstr(e->d_name, ".tmp"), "left behind: %s", e->d_name);
	closedir(d);
	free(out);
}

Test(export, the_export_reads_back_as_labelled_rows)
{
	decide("z1", 0.7, 1, "approve", "agree");
	decide("z2", 0.8, 1, "deny", "disagree");
	char *out = tu_path(dir, "fb.csv");
	char err[512];
	cr_assert_eq(hitl_export_file(out, false, svc->store, &svc->cfg, NULL, err, sizeof err), 0, "%s", err);
	hitl_labelled *rows;
	size_t n;
	cr_assert_eq(hitl_labelled_from_csv(&rows, &n, out, &svc->cfg, err, sizeof err), 0, "%s", err);
	cr_assert_eq(n, 2);
	cr_assert_float_eq(rows[0].confidence, 0.7, 1e-6);
	cr_assert(rows[0].correct);
	cr_assert(!rows[1].correct);
	cr_assert_float_eq(rows[1].weight, 1.0, 1e-12);
	free(rows);
	hitl_labelled *same;
	size_t m;
	cr_assert_eq(hitl_labelled_from_store(&same, &m, svc->store, &svc->cfg, err, sizeof err), 0);
	cr_assert_eq(m, 2);
	cr_assert_float_eq(same[1].confidence, 0.8, 1e-6);
	free(same);
	free(out);
}

Test(export, unusual_and_unautomatable_rows_are_never_automatable)
{
	char *p = tu_path(dir, "u.csv");
	tu_write_file(p, "model_confidence,model_recommendation,label,route,weight\n"
			 "0.99,approve,approve,unusual,1\n0.95,approve,approve,review,1\n0.97,deny,deny,review,1\n");
	hitl_labelled *rows;
	size_t n;
	char err[512];
	/* with auto_labels = approve, a denial is never automated */
	hitl_config c = svc->cfg;
	c.n_auto_labels = 1;
	snprintf(c.auto_labels[0], HITL_NAME_MAX, "approve");
	cr_assert_eq(hitl_labelled_from_csv(&rows, &n, p, &c, err, sizeof err), 0, "%s", err);
	cr_assert_eq(n, 3);
	cr_assert(!rows[0].automatable, "unusual");
	cr_assert(rows[1].automatable);
	cr_assert(!rows[2].automatable, "deny is not in auto_labels");
	free(rows);
	free(p);
}

Test(export, bad_labelled_csv_files_get_positions)
{
	char *p = tu_path(dir, "bad.csv");
	hitl_labelled *rows;
	size_t n;
	char err[512];
	tu_write_file(p, "model_confidence,model_recommendation,label\n0.9,approve,approve\n0.8,approve,\n");
	cr_assert_eq(hitl_labelled_from_csv(&rows, &n, p, &svc->cfg, err, sizeof err), HITL_EINVALID);
	cr_assert(strstr(err, "bad.csv:3:"), "%s", err);
	tu_write_file(p, "label,model_recommendation,model_confidence\napprove,approve,high\n");
	cr_assert_eq(hitl_labelled_from_csv(&rows, &n, p, &svc->cfg, err, sizeof err), HITL_EINVALID);
	/* "approve,approve," is 16 characters: the confidence starts at column 17 */
	cr_assert(strstr(err, "bad.csv:2:17: model_confidence 'high'"), "%s", err);
	tu_write_file(p, "a,b\n1,2\n");
	cr_assert_eq(hitl_labelled_from_csv(&rows, &n, p, &svc->cfg, err, sizeof err), HITL_EINVALID);
	cr_assert(strstr(err, "bad.csv:1:1:"), "%s", err);
	tu_write_file(p, "model_confidence,model_recommendation,label\n\"0.9,approve,approve\n");
	cr_assert_eq(hitl_labelled_from_csv(&rows, &n, p, &svc->cfg, err, sizeof err), HITL_EINVALID);
	cr_assert(strstr(err, "unterminated"), "%s", err);
	free(p);
}

Test(export, csv_reader_handles_crlf_quotes_and_a_missing_final_newline)
{
	char *p = tu_path(dir, "q.csv");
	tu_write_file(p, "a,\"b \"\"x\"\"\",c\r\n\"multi\nline\",,end");
	FILE *f = fopen(p, "r");
	hitl_csv_record r = { 0 };
	long line = 0;
	char err[128];
	cr_assert_eq(hitl_csv_read(f, &r, &line, err, sizeof err), 1);
	cr_assert_eq(r.n, 3);
	cr_assert_str_eq(r.field[1], "b \"x\"");
	cr_assert_str_eq(r.field[2], "c");
	cr_assert_eq(hitl_csv_read(f, &r, &line, err, sizeof err), 1);
	cr_assert_eq(r.line, 2);
	cr_assert_str_eq(r.field[0], "multi\nline");
	cr_assert_str_eq(r.field[1], "");
	cr_assert_str_eq(r.field[2], "end");
	cr_assert_eq(hitl_csv_read(f, &r, &line, err, sizeof err), 0);
	cr_assert_eq(line, 3);
	hitl_csv_record_free(&r);
	fclose(f);
	free(p);
}
