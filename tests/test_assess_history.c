/* test_assess_history.c - an answers file's trend from git history.
 *
 * Repositories are built here with libgit2 (known authors, dates and
 * contents: the two Claims examples, a rename, a broken version), and every
 * entry is checked against weft_assess_score of the file it was made from,
 * scored independently from disk at the same target; commit ids are the
 * ones the commits returned. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess_test_util.h"
#include "git_test.h"

#define EXAMPLES WEFT_FIXTURES "/../../assess/examples/"
#define T2025 1751277600 /* 2025-06-30T10:00:00Z */
#define T2026 1782813600 /* 2026-06-30T10:00:00Z */
#define T2026B 1782900000 /* 2026-07-01T10:00:00Z */

static weft_diags *d;
static weft_assess_model *m;
static char *dir;

static void setup(void)
{
	git_libgit2_init();
	weft_diags_new(&d);
	m = fixture_model(weft_assess_default_model_path());
	dir = temp_dir();
}

static void teardown(void)
{
	rm_rf(dir);
	weft_assess_model_free(m);
	weft_diags_free(d);
	git_libgit2_shutdown();
}

TestSuite(history, .init = setup, .fini = teardown, .timeout = 60);

static void put(const char *name, const char *example)
{
	char *text = read_file(example);
	cr_assert_not_null(text, "%s", example);
	char *p = path_in(dir, name);
	write_file(p, text);
	free(p);
	free(text);
}

/* weft assess score of one file at target, as the CLI would. */
static weft_assess_result *score_file(const char *path, int target, weft_assess_answers **a)
{
	cr_assert_eq(weft_assess_answers_load(a, path, d), 0, "%s", path);
	const weft_assess_answers *one = *a;
	weft_assess_score_opts so = { target, NULL, 0, 0 };
	weft_assess_result *r = NULL;
	cr_assert_eq(weft_assess_score(&r, m, &one, 1, &so, d), 0);
	return r;
}

static void same_result(const weft_assess_result *got, const weft_assess_result *want)
{
	cr_assert_not_null(got);
	cr_assert_eq(got->rated, want->rated);
	cr_assert_eq(got->level, want->level);
	cr_assert_float_eq(got->score, want->score, 1e-12);
	cr_assert_float_eq(got->coverage, want->coverage, 1e-12);
	cr_assert_float_eq(got->percent_to_target, want->percent_to_target, 1e-12);
	cr_assert_eq(got->n_dims, want->n_dims);
	for (size_t i = 0; i < got->n_dims; i++) {
		cr_assert_str_eq(got->dims[i].dim->id, want->dims[i].dim->id);
		cr_assert_eq(got->dims[i].level, want->dims[i].level, "%s", got->dims[i].dim->id);
		cr_assert_float_eq(got->dims[i].score, want->dims[i].score, 1e-12);
	}
}

static weft_assess_history *history(const char *name, const weft_assess_history_opts *o)
{
	char *p = path_in(dir, name);
	weft_assess_history *h = NULL;
	int err = weft_assess_history_load(&h, p, m, o, d);
	if (err)
		weft_diags_print(d, stderr, false);
	cr_assert_eq(err, 0);
	free(p);
	return h;
}

Test(history, two_commits_and_a_rename_score_as_each_version)
{
	git_oid c1, c2, c3;
	put("claims.yaml", EXAMPLES "claims-2025.yaml");
	weft_test_git_commit_as(dir, "first assessment", "Dana Lee", T2025, &c1);
	put("claims.yaml", EXAMPLES "claims-2026.yaml");
	weft_test_git_commit_as(dir, "2026 review", "Eli Park", T2026, &c2);
	/* a rename that keeps the content: no new entry, the path followed */
	char *from = path_in(dir, "claims.yaml"), *to = path_in(dir, "unit.yaml");
	cr_assert_eq(rename(from, to), 0);
	weft_test_git_commit_as(dir, "rename", "Eli Park", T2026B, &c3);
	weft_assess_history_opts o = { 0, true, { 3, NULL, 0, 0 } };
	weft_assess_history *h = history("unit.yaml", &o);
	cr_assert_eq(h->n, 2, "the rename changed nothing to score; clean tree: no working entry");
	char hex[41];
	git_oid_tostr(hex, sizeof hex, &c1);
	cr_assert_str_eq(h->entries[0].commit, hex);
	git_oid_tostr(hex, sizeof hex, &c2);
	cr_assert_str_eq(h->entries[1].commit, hex);
	cr_assert_str_eq(h->entries[0].path, "claims.yaml");
	cr_assert_eq(h->entries[0].time, T2025);
	cr_assert_eq(h->entries[1].time, T2026);
	cr_assert_str_eq(h->entries[0].author, "Dana Lee <t@example.com>");
	cr_assert_str_eq(h->entries[1].message, "2026 review");
	static const char *versions[] = { EXAMPLES "claims-2025.yaml", EXAMPLES "claims-2026.yaml" };
	for (int i = 0; i < 2; i++) {
		weft_assess_answers *a = NULL;
		weft_assess_result *want = score_file(versions[i], 3, &a);
		same_result(h->entries[i].result, want);
		weft_assess_result_free(want);
		weft_assess_answers_free(a);
	}
	/* the two versions differ, so the check above could fail */
	cr_assert_neq(h->entries[0].result->score, h->entries[1].result->score);

	weft_buf b = WEFT_BUF_INIT;
	cr_assert_eq(weft_assess_history_json(&b, h, NULL), 0);
	cJSON *j = cJSON_Parse(b.ptr);
	cr_assert_not_null(j);
	cJSON *es = cJSON_GetObjectItem(j, "entries");
	cr_assert_eq(cJSON_GetArraySize(es), 2);
	cJSON *e0 = cJSON_GetArrayItem(es, 0);
	cr_assert_str_eq(cJSON_GetObjectItem(e0, "date")->valuestring, "2025-06-30T10:00:00Z");
	cr_assert_str_eq(cJSON_GetObjectItem(e0, "author")->valuestring, "Dana Lee <t@example.com>");
	cJSON *ov = cJSON_GetObjectItem(cJSON_GetArrayItem(es, 1), "overall");
	cr_assert_eq(cJSON_GetObjectItem(ov, "level")->valueint, h->entries[1].result->level);
	cr_assert_float_eq(cJSON_GetObjectItem(ov, "score")->valuedouble, h->entries[1].result->score, 1e-4);
	cJSON_Delete(j);
	weft_buf_free(&b);
	cr_assert_eq(weft_assess_history_text(&b, h, NULL), 0);
	cr_assert(strstr(b.ptr, "Dana Lee") && strstr(b.ptr, "2026-06-30") && strstr(b.ptr, "2026 review"), "%s",
		  b.ptr);
	weft_buf_free(&b);
	weft_assess_history_free(h);

	/* --since drops the first */
	o.since = T2026 - 86400;
	h = history("unit.yaml", &o);
	cr_assert_eq(h->n, 1);
	git_oid_tostr(hex, sizeof hex, &c2);
	cr_assert_str_eq(h->entries[0].commit, hex);
	weft_assess_history_free(h);
	free(from);
	free(to);
}

Test(history, uncommitted_changes_are_a_last_entry)
{
	git_oid c1;
	put("u.yaml", EXAMPLES "claims-2025.yaml");
	weft_test_git_commit_as(dir, "one", "Ann", T2025, &c1);
	put("u.yaml", EXAMPLES "claims-2026.yaml");
	weft_assess_history_opts o = { 0, true, { 0 } };
	weft_assess_history *h = history("u.yaml", &o);
	cr_assert_eq(h->n, 2);
	cr_assert(h->entries[1].working_tree);
	cr_assert_str_eq(h->entries[1].commit, "");
	cr_assert_null(h->entries[1].author);
	/* the default target is one above the latest rated level, for both */
	cr_assert(h->entries[1].result->rated);
	int want_target = h->entries[1].result->level + 1;
	cr_assert_eq(h->target, want_target);
	cr_assert_eq(h->entries[0].result->target, want_target);
	cr_assert_eq(h->entries[1].result->target, want_target);
	weft_assess_answers *a = NULL;
	weft_assess_result *want = score_file(EXAMPLES "claims-2026.yaml", want_target, &a);
	same_result(h->entries[1].result, want);
	weft_assess_result_free(want);
	weft_assess_answers_free(a);
	weft_assess_history_free(h);
	o.working_tree = false;
	h = history("u.yaml", &o);
	cr_assert_eq(h->n, 1);
	weft_assess_history_free(h);
}

Test(history, a_broken_version_is_an_entry_with_its_error)
{
	git_oid c;
	put("u.yaml", EXAMPLES "claims-2025.yaml");
	weft_test_git_commit_as(dir, "good", "Ann", T2025, &c);
	char *p = path_in(dir, "u.yaml");
	write_file(p, "model: ai-integration\nunit: [unclosed\n");
	weft_test_git_commit_as(dir, "broken", "Ann", T2026, &c);
	put("u.yaml", EXAMPLES "claims-2026.yaml");
	weft_test_git_commit_as(dir, "fixed", "Ann", T2026B, &c);
	weft_assess_history *h = history("u.yaml", NULL);
	cr_assert_eq(h->n, 3);
	cr_assert_not_null(h->entries[0].result);
	cr_assert_null(h->entries[1].result);
	cr_assert_not_null(h->entries[1].error);
	char want[64];
	snprintf(want, sizeof want, "u.yaml@%.7s:", h->entries[1].commit);
	cr_assert(!strncmp(h->entries[1].error, want, strlen(want)), "%s", h->entries[1].error);
	cr_assert_not_null(h->entries[2].result);
	weft_buf b = WEFT_BUF_INIT;
	cr_assert_eq(weft_assess_history_text(&b, h, NULL), 0);
	cr_assert(strstr(b.ptr, "not scored: u.yaml@"), "%s", b.ptr);
	weft_buf_free(&b);
	weft_assess_history_free(h);
	free(p);
}

static bool said(const char *needle)
{
	char *all = diags_text(d);
	bool yes = all && strstr(all, needle);
	if (!yes)
		fprintf(stderr, "%s\n", all ? all : "");
	free(all);
	return yes;
}

Test(history, untracked_or_outside_a_repository_is_refused)
{
	put("u.yaml", EXAMPLES "claims-2025.yaml");
	char *p = path_in(dir, "u.yaml");
	weft_assess_history *h = NULL;
	cr_assert_eq(weft_assess_history_load(&h, p, m, NULL, d), WEFT_EINVALID);
	cr_assert(said("not inside a git repository"));
	cr_assert_null(h);
	cr_assert_eq(remove(p), 0);
	git_oid c;
	put("other.yaml", EXAMPLES "claims-2026.yaml");
	weft_test_git_commit_as(dir, "other", "Ann", T2025, &c);
	put("late.yaml", EXAMPLES "claims-2025.yaml");
	char *late = path_in(dir, "late.yaml");
	cr_assert_eq(weft_assess_history_load(&h, late, m, NULL, d), WEFT_EINVALID);
	cr_assert(said("git does not track this file"));
	cr_assert_null(h);
	free(p);
	free(late);
}
