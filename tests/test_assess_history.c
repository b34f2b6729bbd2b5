/* test_assess_history.c - an answers file's trend from git history.
 *
 * Repositories are built here with libgit2 (known authors, dates and
 * contents: the two Claims examples, a rename, a broken version), and every
 * entry is checked against weft_assess_score of the file it was made from,
 * scored independently from disk at the same target; commit ids are the
 * ones the commits returned. The Markdown and HTML trends are checked
 * against the entries (ids, scores, one chart line per dimension with a
 * point per scored version), and `score --history` against `history`. */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assess_test_util.h"
#include "cli_run.h"
#include "git_test.h"
#include "json_schema.h"

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

/* good, broken, fixed (a message that needs escaping), then uncommitted
 * changes: four entries, one of them not loaded. */
static weft_assess_history *mixed_history(void)
{
	git_oid c;
	put("u.yaml", EXAMPLES "claims-2025.yaml");
	weft_test_git_commit_as(dir, "good", "Ann", T2025, &c);
	char *p = path_in(dir, "u.yaml");
	write_file(p, "model: ai-integration\nunit: [unclosed\n");
	weft_test_git_commit_as(dir, "broken", "Ann", T2026, &c);
	put("u.yaml", EXAMPLES "claims-2026.yaml");
	weft_test_git_commit_as(dir, "fixed | <b>x</b> & co", "Bo & Co", T2026B, &c);
	char *text = read_file(EXAMPLES "claims-2025.yaml");
	write_file(p, text);
	free(text);
	free(p);
	weft_assess_history_opts o = { 0, true, { 3, NULL, 0, 0 } };
	weft_assess_history *h = history("u.yaml", &o);
	cr_assert_eq(h->n, 4);
	cr_assert_null(h->entries[1].result);
	cr_assert(h->entries[3].working_tree);
	return h;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *s = hay; (s = strstr(s, needle)); s += strlen(needle))
		n++;
	return n;
}

/* Every scored entry's overall score ("2.53") and every short id appear. */
static void names_every_version(const char *text, const weft_assess_history *h)
{
	for (size_t i = 0; i < h->n; i++) {
		const weft_assess_history_entry *e = &h->entries[i];
		char id[16], score[16];
		snprintf(id, sizeof id, "%.7s", e->working_tree ? "working" : e->commit);
		cr_assert(strstr(text, id), "%s missing", id);
		if (!e->result)
			continue;
		snprintf(score, sizeof score, "%.2f", e->result->score);
		cr_assert(strstr(text, score), "score %s of %s missing", score, id);
	}
}

Test(history, markdown_has_the_trend_and_the_dimension_tables)
{
	weft_assess_history *h = mixed_history();
	weft_buf b = WEFT_BUF_INIT;
	cr_assert_eq(weft_assess_history_markdown(&b, h, NULL), 0);
	names_every_version(b.ptr, h);
	cr_assert(strstr(b.ptr, "| Commit | Date |") && strstr(b.ptr, "## By dimension"), "%s", b.ptr);
	cr_assert(strstr(b.ptr, "broken") == NULL, "a broken version shows its error, not its message");
	cr_assert(strstr(b.ptr, "not scored: u.yaml@"), "%s", b.ptr);
	cr_assert(strstr(b.ptr, "fixed \\| &lt;b&gt;x&lt;/b&gt; &amp; co") && strstr(b.ptr, "Bo &amp; Co"), "%s",
		  b.ptr);
	const weft_assess_result *last = h->entries[3].result;
	for (size_t k = 0; k < last->n_dims; k++)
		cr_assert(strstr(b.ptr, last->dims[k].dim->title), "%s", last->dims[k].dim->id);
	weft_buf_free(&b);
	weft_assess_history_free(h);
}

/* The number of points in the d attribute of the path that starts at p. */
static size_t path_points(const char *p)
{
	const char *at = strstr(p, " d=\"");
	cr_assert_not_null(at);
	size_t n = 0;
	for (at += 4; *at && *at != '"'; at++)
		n += *at == 'M' || *at == 'L';
	return n;
}

static size_t scored_points(const weft_assess_history *h, const char *dim)
{
	size_t n = 0;
	for (size_t i = 0; i < h->n; i++) {
		const weft_assess_result *r = h->entries[i].result;
		for (size_t k = 0; r && k < r->n_dims; k++)
			if (!dim ? k == 0 && r->scored
				 : !strcmp(r->dims[k].dim->id, dim) && r->dims[k].in_scope && r->dims[k].scored)
				n++;
	}
	return n;
}

Test(history, html_is_one_page_with_a_line_per_dimension)
{
	weft_assess_history *h = mixed_history();
	weft_buf b = WEFT_BUF_INIT;
	weft_assess_report_opts ro = { false, 0, "weft test", "2026-12-03T12:00:00Z", NULL };
	cr_assert_eq(weft_assess_history_html(&b, h, &ro), 0);
	const char *html = b.ptr;
	names_every_version(html, h);
	/* self-contained: nothing fetched, no script */
	cr_assert_eq(count(html, "http"), count(html, "xmlns=\"http://www.w3.org/2000/svg\""), "%s", html);
	cr_assert(!strstr(html, "<script") && !strstr(html, "<link") && !strstr(html, "src=") &&
		  !strstr(html, "url("));
	cr_assert(strstr(html, "Bo &amp; Co") && strstr(html, "fixed | &lt;b&gt;x&lt;/b&gt; &amp; co") &&
			  !strstr(html, "<b>x"),
		  "author and message escaped");
	cr_assert(!strstr(html, "broken"), "the broken version shows its error, not its message");
	const weft_assess_result *last = h->entries[3].result;
	cr_assert_eq(count(html, "class=\"trend dim\""), last->n_dims);
	cr_assert_eq(count(html, "class=\"trend overall\""), 1);
	for (size_t k = 0; k < last->n_dims; k++) {
		char key[160];
		snprintf(key, sizeof key, "class=\"trend dim\" data-dim=\"%s\"", last->dims[k].dim->id);
		const char *p = strstr(html, key);
		cr_assert_not_null(p, "%s", key);
		cr_assert_eq(path_points(p), scored_points(h, last->dims[k].dim->id), "%s", key);
	}
	cr_assert_eq(path_points(strstr(html, "class=\"trend overall\"")), scored_points(h, NULL));
	/* the broken version is a gap: the overall path restarts after it */
	const char *ov = strstr(strstr(html, "class=\"trend overall\""), " d=\"") + 4;
	const char *ov_end = strchr(ov, '"'), *restart = strstr(ov, " M");
	cr_assert(restart && restart < ov_end, "%.*s", (int)(ov_end - ov), ov);
	cr_assert_eq(count(html, "<g class=\"failed\">"), 1);
	cr_assert_eq(count(html, "class=\"working\""), 1);
	/* hollow points: a score without a rated level */
	size_t unrated = 0;
	for (size_t i = 0; i < h->n; i++) {
		const weft_assess_result *r = h->entries[i].result;
		for (size_t k = 0; r && k < r->n_dims; k++)
			unrated += r->dims[k].in_scope && r->dims[k].scored && !r->dims[k].rated;
		unrated += r && r->scored && !r->rated;
	}
	cr_assert_gt(unrated, 0, "the 2025 answers leave some dimension unrated");
	cr_assert_eq(count(html, "class=\"pt unrated\""), unrated);
	cr_assert(strstr(html, "stroke-dasharray=\"6 4\""), "the target is dashed");
	weft_buf_free(&b);
	weft_assess_history_free(h);
}

static cJSON *parse(const char *text)
{
	cJSON *j = cJSON_Parse(text);
	cr_assert_not_null(j, "%s", text);
	return j;
}

Test(history, score_history_json_holds_the_history_object)
{
	git_oid c;
	put("u.yaml", EXAMPLES "claims-2025.yaml");
	weft_test_git_commit_as(dir, "one", "Ann", T2025, &c);
	put("u.yaml", EXAMPLES "claims-2026.yaml");
	weft_test_git_commit_as(dir, "two", "Ann", T2026, &c);
	char *out = NULL, *err = NULL;
	int rc = weft_test_run(&out, &err, dir, "assess score u.yaml --history --format json");
	cr_assert_eq(rc, 0, "%s", err);
	cJSON *rep = parse(out);
	char *said = NULL;
	cr_assert_eq(weft_test_schema_check(WEFT_SOURCE_DIR "/docs/schemas/assess-report.schema.json", out, &said),
		     0, "%s", said ? said : "");
	free(said);
	int target = cJSON_GetObjectItem(cJSON_GetObjectItem(rep, "target"), "level")->valueint;
	cJSON *got = cJSON_DetachItemFromObject(rep, "history");
	cr_assert_not_null(got);
	free(out);
	free(err);
	char args[128];
	snprintf(args, sizeof args, "assess history u.yaml --format json --target %d", target);
	cr_assert_eq(weft_test_run(&out, &err, dir, args), 0, "%s", err);
	cJSON *want = parse(out);
	/* the two runs may be a second apart */
	cJSON_DeleteItemFromObject(got, "generated_at");
	cJSON_DeleteItemFromObject(want, "generated_at");
	cr_assert(cJSON_Compare(got, want, true), "history differs:\n%s\nwant\n%s", cJSON_Print(got), out);
	cr_assert_eq(cJSON_GetArraySize(cJSON_GetObjectItem(want, "entries")), 2);
	cJSON_Delete(got);
	cJSON_Delete(want);
	cJSON_Delete(rep);
	free(out);
	free(err);

	/* text and Markdown: one line per version */
	cr_assert_eq(weft_test_run(&out, &err, dir, "assess score u.yaml --history"), 0, "%s", err);
	cr_assert(strstr(out, "\nTrend (2 versions"), "%s", out);
	free(out);
	free(err);
	cr_assert_eq(weft_test_run(&out, &err, dir, "assess score u.yaml --history --format markdown"), 0, "%s", err);
	cr_assert(strstr(out, "## Trend\n") && strstr(out, "| Date | Commit | Level | Score |"), "%s", out);
	free(out);
	free(err);
	cr_assert_eq(weft_test_run(&out, &err, dir, "assess score u.yaml --history --format html"), 0, "%s", err);
	cr_assert(strstr(out, "<h2 id=\"trend\">Trend</h2>") && strstr(out, "class=\"trend overall\""));
	free(out);
	free(err);
	/* without --history nothing of it */
	cr_assert_eq(weft_test_run(&out, &err, dir, "assess score u.yaml --format json"), 0, "%s", err);
	cJSON *plain = parse(out);
	cr_assert_null(cJSON_GetObjectItem(plain, "history"));
	cJSON_Delete(plain);
	free(out);
	free(err);
}

Test(history, score_history_needs_exactly_one_file)
{
	put("a.yaml", EXAMPLES "claims-2025.yaml");
	put("b.yaml", EXAMPLES "claims-2026.yaml");
	char *out = NULL, *err = NULL;
	cr_assert_eq(weft_test_run(&out, &err, dir, "assess score a.yaml b.yaml --history"), 2);
	cr_assert(strstr(err, "--history needs exactly one answers file"), "%s", err);
	cr_assert_str_eq(out, "");
	free(out);
	free(err);
}
