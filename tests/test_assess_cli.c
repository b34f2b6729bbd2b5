/* test_assess_cli.c - `weft assess` end to end through the built binary
 * (WEFT_BIN), in a fresh temporary folder per test: exit codes of score and
 * its gates, -o written atomically and never over a file without --force,
 * nothing left behind by a failing command, every bad input of the issue as
 * `path:line:col: error:` with exit 3, init, interview on piped input, diff
 * and validate. */
#include <stdlib.h>
#include <sys/wait.h>

#include "assess_test_util.h"
#include "cli_run.h"

typedef struct {
	int code;
	char *out, *err;
} res;

static char *dir;

static void setup(void)
{
	/* reports carry their generation time: fixed, so reruns compare equal */
	setenv("SOURCE_DATE_EPOCH", "1767225600", 1); /* 2026-01-01T00:00:00Z */
	dir = temp_dir();
	/* fixtures copied in, so paths in messages are short and known */
	char *m = read_file(FIX("mini.yaml")), *a = read_file(FIX("mini-a.yaml"));
	char *p = path_in(dir, "mini.yaml");
	write_file(p, m);
	free(p);
	p = path_in(dir, "a.yaml");
	write_file(p, a);
	free(p);
	free(m);
	free(a);
}

static void teardown(void)
{
	rm_rf(dir);
}

TestSuite(assess_cli, .init = setup, .fini = teardown);

/* Run `weft assess <args>` in dir, optionally with stdin from a string. */
static res run(const char *args, const char *stdin_text)
{
	res r = { 0 };
	char line[4096];
	snprintf(line, sizeof line, "'%s' assess %s", WEFT_BIN, args);
	r.code = weft_test_sh(&r.out, &r.err, dir, stdin_text, line);
	return r;
}

static void res_free(res *r)
{
	free(r->out);
	free(r->err);
}

static void put(const char *name, const char *text)
{
	char *p = path_in(dir, name);
	write_file(p, text);
	free(p);
}

static bool exists(const char *name)
{
	char *p = path_in(dir, name);
	bool e = weft_path_exists(p);
	free(p);
	return e;
}

/* No "*.weft-tmp-*" left in dir. */
static void assert_no_temporaries(void)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -q weft-tmp", dir);
	cr_assert_neq(system(cmd), 0, "a temporary file was left behind");
}

#define assert_has(s, needle) cr_assert_not_null(strstr((s), (needle)), "expected \"%s\" in:\n%s", (needle), (s))

Test(assess_cli, score_text_json_and_gates)
{
	res r = run("score -m mini.yaml a.yaml", NULL);
	cr_assert_eq(r.code, 0, "%s", r.err);
	assert_has(r.out, "Overall level 2 Repeatable, score 3.03");
	res_free(&r);
	r = run("score -m mini.yaml --format json a.yaml", NULL);
	cr_assert_eq(r.code, 0);
	assert_has(r.out, "\"format\":\t\"weft-assess-report\"");
	res_free(&r);
	/* overall level 2: --fail-below 3 fails with exit 1 and still prints the report */
	r = run("score -m mini.yaml --fail-below 3 a.yaml", NULL);
	cr_assert_eq(r.code, 1);
	assert_has(r.err, "gate failed: overall level 2 is below --fail-below 3");
	assert_has(r.out, "Overall level 2");
	res_free(&r);
	r = run("score -m mini.yaml --fail-below 2 a.yaml", NULL);
	cr_assert_eq(r.code, 0);
	res_free(&r);
	/* score 109/36 = 3.03: below 3.1, not below 3 */
	r = run("score -m mini.yaml --fail-below-score 3.1 a.yaml", NULL);
	cr_assert_eq(r.code, 1);
	assert_has(r.err, "overall score 3.03 is below --fail-below-score 3.1");
	res_free(&r);
	r = run("score -m mini.yaml --fail-below-score 3 a.yaml", NULL);
	cr_assert_eq(r.code, 0);
	res_free(&r);
	/* the gate after writing: the report file exists, exit 1 */
	r = run("score -m mini.yaml --fail-below 5 --format markdown -o r.md a.yaml", NULL);
	cr_assert_eq(r.code, 1);
	cr_assert(exists("r.md"));
	res_free(&r);
}

Test(assess_cli, output_file_atomic_and_never_overwritten_without_force)
{
	res r = run("score -m mini.yaml --format html -o r.html a.yaml", NULL);
	cr_assert_eq(r.code, 0, "%s", r.err);
	assert_has(r.err, "wrote r.html: overall level 2, score 3.03");
	cr_assert_str_eq(r.out, "");
	res_free(&r);
	char *p = path_in(dir, "r.html");
	char *first = read_file(p);
	assert_has(first, "<svg ");
	/* again without --force: exit 4, file untouched */
	put("r.html", "mine\n");
	r = run("score -m mini.yaml --format html -o r.html a.yaml", NULL);
	cr_assert_eq(r.code, 4);
	assert_has(r.err, "r.html: error: file exists; not overwriting it");
	char *now = read_file(p);
	cr_assert_str_eq(now, "mine\n");
	free(now);
	res_free(&r);
	/* with --force it is replaced */
	r = run("score -m mini.yaml --format html -o r.html --force a.yaml", NULL);
	cr_assert_eq(r.code, 0);
	now = read_file(p);
	cr_assert_str_eq(now, first);
	free(now);
	free(first);
	free(p);
	res_free(&r);
	assert_no_temporaries();
}

Test(assess_cli, a_failing_command_leaves_no_file)
{
	put("bad.yaml", "model: mini\nmodel_version: \"2.1\"\nunit: U\nanswers:\n  a1:\n    level: 7\n");
	res r = run("score -m mini.yaml -o out.html --format html bad.yaml", NULL);
	cr_assert_eq(r.code, 3);
	assert_has(r.err, "bad.yaml:6:12: error: level 7 is out of range (1 to 5)");
	cr_assert_not(exists("out.html"));
	assert_no_temporaries();
	res_free(&r);
	/* a missing answers file: exit 4, nothing written */
	r = run("score -m mini.yaml -o out.txt nothere.yaml", NULL);
	cr_assert_eq(r.code, 4);
	cr_assert_not(exists("out.txt"));
	res_free(&r);
}

/* The bad inputs of the issue, each through `validate` and `score`. */
Test(assess_cli, bad_answers_are_path_line_col_and_exit_3)
{
	static const struct {
		const char *name, *text, *expect;
	} cases[] = {
		{ "unknown.yaml", "model: mini\nmodel_version: \"2.1\"\nunit: U\nanswers:\n  a9: {level: 2}\n",
		  "unknown.yaml:5:3: error: unknown question id 'a9'" },
		{ "range.yaml", "model: mini\nmodel_version: \"2.1\"\nunit: U\nanswers:\n  a1: {level: 6}\n",
		  "range.yaml:5:15: error: level 6 is out of range (1 to 5)" },
		{ "na.yaml", "model: mini\nmodel_version: \"2.1\"\nunit: U\nanswers:\n  b1: {level: na, reason: r}\n",
		  "na.yaml:5:15: error: question 'b1' does not allow na" },
		{ "version.yaml", "model: mini\nmodel_version: \"2.0\"\nunit: U\nanswers: {}\n",
		  "version.yaml:2:16: error: answers are for version '2.0' of model 'mini', which has no migration from it to version '2.1'" },
		{ "types.yaml", "model: mini\nmodel_version: \"2.1\"\nunit: U\nanswers:\n  a1: {level: {x: 1}}\n",
		  "types.yaml:5:15: error: level: expected 1 to 5 or na, got a mapping" },
		{ "empty.yaml", "", "empty.yaml:1:1: error: the file is empty" },
		{ "dup.yaml", "model: mini\nmodel_version: \"2.1\"\nunit: U\nanswers:\n  a1: {level: 2}\n  a1: {level: 3}\n",
		  "dup.yaml:6:3: error: duplicate key 'a1'" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		put(cases[i].name, cases[i].text);
		char args[256];
		snprintf(args, sizeof args, "validate -m mini.yaml %s", cases[i].name);
		res r = run(args, NULL);
		cr_assert_eq(r.code, 3, "%s: exit %d\n%s", cases[i].name, r.code, r.err);
		assert_has(r.err, cases[i].expect);
		res_free(&r);
		snprintf(args, sizeof args, "score -m mini.yaml -o out.json --format json %s", cases[i].name);
		r = run(args, NULL);
		cr_assert_eq(r.code, 3, "%s", cases[i].name);
		assert_has(r.err, cases[i].expect);
		cr_assert_not(exists("out.json"));
		res_free(&r);
	}
}

Test(assess_cli, bad_models_are_path_line_col_and_exit_3)
{
	const char *levels = "levels:\n"
			     "  - {level: 1, name: a, description: d}\n  - {level: 2, name: b, description: d}\n"
			     "  - {level: 3, name: c, description: d}\n  - {level: 4, name: d, description: d}\n"
			     "  - {level: 5, name: e, description: d}\n"; /* lines 4-9 after 3 header lines;
									       * then dimensions: 10, - id: d 11,
									       * title 12, questions: 13, - id: q 14,
									       * text 15, options 16-21 */
	const char *opts = "        options:\n"
			   "          - {level: 1, text: o, improve: i}\n          - {level: 2, text: o, improve: i}\n"
			   "          - {level: 3, text: o, improve: i}\n          - {level: 4, text: o, improve: i}\n"
			   "          - {level: 5, text: o}\n";
	weft_buf dup = WEFT_BUF_INIT, missing = WEFT_BUF_INIT, types = WEFT_BUF_INIT;
	/* duplicate: the second question q (line 22) repeats line 14's id */
	weft_buf_printf(&dup, "id: m\nversion: \"1\"\ntitle: T\n%sdimensions:\n  - id: d\n    title: D\n"
			      "    questions:\n      - id: q\n        text: Q\n%s      - id: q\n        text: Q2\n%s",
			levels, opts, opts);
	/* missing options: the question mapping at 14:9 */
	weft_buf_printf(&missing, "id: m\nversion: \"1\"\ntitle: T\n%sdimensions:\n  - id: d\n    title: D\n"
				  "    questions:\n      - id: q\n        text: Q\n",
			levels);
	/* wrong type: allow_na: maybe on line 16, value at column 19 */
	weft_buf_printf(&types, "id: m\nversion: \"1\"\ntitle: T\n%sdimensions:\n  - id: d\n    title: D\n"
				"    questions:\n      - id: q\n        text: Q\n        allow_na: maybe\n%s",
			levels, opts);
	put("dup.yaml", dup.ptr);
	put("missing.yaml", missing.ptr);
	put("types.yaml", types.ptr);
	char *huge = huge_text(65600);
	put("huge.yaml", huge);
	free(huge);
	put("empty.yaml", "");
	static const struct {
		const char *file, *expect;
	} cases[] = {
		{ "dup.yaml", "dup.yaml:22:13: error: duplicate id 'q'" },
		{ "missing.yaml", "missing.yaml:14:9: error: missing required field 'options'" },
		{ "types.yaml", "types.yaml:16:19: error: 'allow_na': expected a boolean (true or false), got a string" },
		{ "huge.yaml", "huge.yaml:65537:1: error: file is larger than the limit" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char args[256];
		/* as a model to score with, and (except the huge one, which cannot be told apart) validated */
		snprintf(args, sizeof args, "score -m %s a.yaml", cases[i].file);
		res r = run(args, NULL);
		cr_assert_eq(r.code, 3, "%s: exit %d\n%s", cases[i].file, r.code, r.err);
		assert_has(r.err, cases[i].expect);
		res_free(&r);
		snprintf(args, sizeof args, "validate %s", cases[i].file);
		r = run(args, NULL);
		cr_assert_eq(r.code, 3, "%s", cases[i].file);
		assert_has(r.err, cases[i].expect);
		res_free(&r);
	}
	res r = run("validate empty.yaml", NULL);
	cr_assert_eq(r.code, 3);
	assert_has(r.err, "empty.yaml:1:1: error: the file is empty; expected a maturity model or an answers file");
	res_free(&r);
	weft_buf_free(&dup);
	weft_buf_free(&missing);
	weft_buf_free(&types);
}

Test(assess_cli, validate_reports_all_files_and_warnings)
{
	put("part.yaml", "model: mini\nmodel_version: \"2.1\"\nunit: U\nanswers:\n  a1: {level: 2}\n");
	put("bad.yaml", "model: mini\nmodel_version: \"2.1\"\nunit: U\nanswers:\n  a1: {level: 0}\n");
	/* the model named on the command line is used for the answers (same id) */
	res r = run("validate mini.yaml a.yaml part.yaml bad.yaml", NULL);
	cr_assert_eq(r.code, 3);
	assert_has(r.out, "ok: mini.yaml (maturity model mini 2.1: 3 dimensions, 6 questions)");
	assert_has(r.out, "ok: a.yaml (answers for unit 'Unit A' to mini 2.1: 4 answered, 2 na, 0 not answered)");
	assert_has(r.out, "ok: part.yaml");
	assert_has(r.err, "part.yaml:5:3: warning: 5 of 6 questions not answered: a2, a3, b1, b2, g1");
	assert_has(r.err, "bad.yaml:5:15: error: level 0 is out of range");
	res_free(&r);
	/* warnings alone: exit 0 */
	r = run("validate mini.yaml part.yaml", NULL);
	cr_assert_eq(r.code, 0);
	res_free(&r);
}

Test(assess_cli, rollup_and_different_units)
{
	put("b.yaml", "model: mini\nmodel_version: \"2.1\"\nunit: Unit A\nrespondent: Ben\nanswers:\n"
		      "  a1: {level: 1}\n  a2: {level: 2}\n  b1: {level: 3}\n");
	res r = run("score -m mini.yaml a.yaml b.yaml", NULL);
	cr_assert_eq(r.code, 0, "%s", r.err);
	/* a1: Ann 4, Ben 1 -> low median 1, disagreement */
	assert_has(r.out, "Disagreements");
	assert_has(r.out, "a1: Ann 4, Ben 1; median 1");
	res_free(&r);
	put("c.yaml", "model: mini\nmodel_version: \"2.1\"\nunit: Sales\nanswers: {}\n");
	r = run("score -m mini.yaml a.yaml c.yaml", NULL);
	cr_assert_eq(r.code, 3);
	assert_has(r.err, "c.yaml:3:7: error: answers for unit 'Sales' cannot be rolled up with answers for unit 'Unit A'");
	res_free(&r);
}

Test(assess_cli, weights_and_usage_errors)
{
	put("w.yaml", "questions:\n  b2: 1\n");
	res r = run("score -m mini.yaml --weights w.yaml --format json a.yaml", NULL);
	cr_assert_eq(r.code, 0);
	/* beta with b2 at weight 1: (3 + 4) / 2 = 3.5 */
	assert_has(r.out, "\"score\":\t3.5,");
	res_free(&r);
	put("w2.yaml", "questions:\n  b3: 1\n");
	r = run("score -m mini.yaml --weights w2.yaml a.yaml", NULL);
	cr_assert_eq(r.code, 3);
	assert_has(r.err, "w2.yaml:2:3: error: unknown question id 'b3'");
	res_free(&r);
	r = run("score -m mini.yaml --target 6 a.yaml", NULL);
	cr_assert_eq(r.code, 2);
	res_free(&r);
	r = run("score -m mini.yaml --format xml a.yaml", NULL);
	cr_assert_eq(r.code, 2);
	res_free(&r);
	r = run("score -m mini.yaml", NULL);
	cr_assert_eq(r.code, 2);
	res_free(&r);
	r = run("scroe", NULL);
	cr_assert_eq(r.code, 2);
	assert_has(r.err, "Did you mean this?\n\tscore");
	res_free(&r);
	r = run("score --help", NULL);
	cr_assert_eq(r.code, 0);
	assert_has(r.out, "usage: weft assess score");
	res_free(&r);
}

Test(assess_cli, init_writes_a_fillable_file_and_refuses_to_overwrite)
{
	res r = run("init -m mini.yaml --unit Ops --date 2026-04-01 -o new.yaml", NULL);
	cr_assert_eq(r.code, 0, "%s", r.err);
	res_free(&r);
	char *p = path_in(dir, "new.yaml");
	char *text = read_file(p);
	assert_has(text, "unit: \"Ops\"\n");
	assert_has(text, "  # a1: Question a1?\n");
	assert_has(text, "  a1:\n    level:\n");
	free(text);
	/* valid, with a warning that nothing is answered */
	r = run("validate -m mini.yaml new.yaml", NULL);
	cr_assert_eq(r.code, 0, "%s", r.err);
	assert_has(r.err, "warning: 6 of 6 questions not answered");
	res_free(&r);
	/* refuses to overwrite */
	put("new.yaml", "keep\n");
	r = run("init -m mini.yaml -o new.yaml", NULL);
	cr_assert_eq(r.code, 4);
	text = read_file(p);
	cr_assert_str_eq(text, "keep\n");
	free(text);
	res_free(&r);
	r = run("init -m mini.yaml -o new.yaml --force", NULL);
	cr_assert_eq(r.code, 0);
	res_free(&r);
	free(p);
	/* to stdout */
	r = run("init -m mini.yaml", NULL);
	cr_assert_eq(r.code, 0);
	assert_has(r.out, "model: \"mini\"\nmodel_version: \"2.1\"\n");
	res_free(&r);
}

Test(assess_cli, interview_on_piped_input_then_score)
{
	res r = run("interview -m mini.yaml -o iv.yaml --unit Ops --respondent Kim", "4\n2\nna\nunused\n3\n4\nq\n");
	cr_assert_eq(r.code, 0, "%s", r.err);
	assert_has(r.out, "[1/6] Alpha - a1");
	assert_has(r.out, "Stopped; saved iv.yaml: 4 answered, 1 na, 1 not answered.");
	res_free(&r);
	r = run("score -m mini.yaml iv.yaml", NULL);
	cr_assert_eq(r.code, 0, "%s", r.err);
	/* the same answers as a.yaml except g1 unanswered instead of na: gamma's
	 * only question unanswered is 0% coverage, so gamma is not rated and
	 * neither is the overall level. Its score counts g1 as 1: the overall
	 * score is (2 * 8/3 + 1 * 15/4 + 1 * 1) / 4 = 121/48 = 2.52 */
	assert_has(r.out, "Overall not rated: 1 of 3 in-scope dimensions not rated (gamma)");
	assert_has(r.out, "Score 2.52 (unanswered");
	assert_has(r.out, "Not answered (1, each counted as level 1): g1");
	res_free(&r);
	r = run("score -m mini.yaml --fail-below 1 iv.yaml", NULL);
	cr_assert_eq(r.code, 1, "a result without a level fails any level gate");
	res_free(&r);
}

Test(assess_cli, diff_text_and_json)
{
	put("b.yaml", "model: mini\nmodel_version: \"2.1\"\nunit: Unit A\nanswers:\n  a1: {level: 5}\n  a2: {level: 3}\n"
		      "  a3: {level: na, reason: r}\n  b1: {level: 3}\n  b2: {level: 4}\n"
		      "  g1: {level: na, reason: r}\n");
	res r = run("diff -m mini.yaml a.yaml b.yaml", NULL);
	cr_assert_eq(r.code, 0, "%s", r.err);
	/* alpha: 8/3 -> (5 + 6)/3 = 11/3: level 2 -> 3 */
	assert_has(r.out, "Alpha                           2 -> 3 (+1)                     2.67 -> 3.67 (+1.00)");
	res_free(&r);
	r = run("diff -m mini.yaml --format json a.yaml b.yaml", NULL);
	cr_assert_eq(r.code, 0);
	assert_has(r.out, "\"format\":\t\"weft-assess-diff\"");
	res_free(&r);
	r = run("diff -m mini.yaml a.yaml", NULL);
	cr_assert_eq(r.code, 2);
	res_free(&r);
}

Test(assess_cli, shipped_model_and_examples)
{
	const char *ex = WEFT_FIXTURES "/../../assess/examples/claims-2026.yaml";
	cr_assert(weft_path_exists(ex), "shipped example missing: %s", ex);
	/* no -m: the model under WEFT_DATA_DIR (set by ctest to the source tree) */
	char args[1024];
	snprintf(args, sizeof args, "score '%s' --format json", ex);
	res r = run(args, NULL);
	cr_assert_eq(r.code, 0, "%s", r.err);
	assert_has(r.out, "\"id\":\t\"ai-integration\"");
	res_free(&r);
	snprintf(args, sizeof args, "validate '%s' " WEFT_FIXTURES "/../../assess/examples/claims-2025.yaml", ex);
	r = run(args, NULL);
	cr_assert_eq(r.code, 0, "%s", r.err);
	assert_has(r.out, "migrated from version 1.0");
	res_free(&r);
}

/* The 2025 example is kept at model version 1.0: it scores against the
 * shipped 2.0 through the migration, the report says so, and diff works
 * across the two versions (with a warning that some moves come from the
 * migration). */
Test(assess_cli, history_crosses_model_versions)
{
	const char *old = WEFT_FIXTURES "/../../assess/examples/claims-2025.yaml";
	const char *new = WEFT_FIXTURES "/../../assess/examples/claims-2026.yaml";
	char *text = read_file(old);
	assert_has(text, "model_version: \"1.0\"");
	free(text);
	char args[2048];
	snprintf(args, sizeof args, "score '%s' --format json", old);
	res r = run(args, NULL);
	cr_assert_eq(r.code, 0, "%s", r.err);
	assert_has(r.out, "\"version\":\t\"2.0\"");
	assert_has(r.out, "\"migrated_from\":\t\"1.0\"");
	assert_has(r.out, "\"kind\":\t\"migration\"");
	res_free(&r);
	snprintf(args, sizeof args, "diff '%s' '%s'", old, new);
	r = run(args, NULL);
	cr_assert_eq(r.code, 0, "%s", r.err);
	assert_has(r.out, "migrated from 1.0");
	assert_has(r.err, "warning:");
	res_free(&r);
	snprintf(args, sizeof args, "diff '%s' '%s' --format json --target 3", old, new);
	r = run(args, NULL);
	cr_assert_eq(r.code, 0, "%s", r.err);
	assert_has(r.out, "\"kind\":\t\"migration\"");
	res_free(&r);
}

Test(assess_cli, init_refuses_a_bad_date)
{
	res r = run("init -m mini.yaml --date 2026-02-30 -o x.yaml", NULL);
	cr_assert_eq(r.code, 2);
	assert_has(r.err, "--date needs a real day as YYYY-MM-DD, got '2026-02-30'");
	cr_assert_not(exists("x.yaml"));
	res_free(&r);
}

/* The same inputs give the same bytes in every format, with the time the
 * caller fixed; a report names files, never the folders they are in. */
Test(assess_cli, reports_are_reproducible_and_name_no_folders)
{
	const char *fmts[] = { "text", "json", "markdown", "html" };
	for (size_t i = 0; i < 4; i++) {
		char args[256];
		snprintf(args, sizeof args, "score -m mini.yaml --format %s a.yaml", fmts[i]);
		res r1 = run(args, NULL), r2 = run(args, NULL);
		cr_assert_eq(r1.code, 0, "%s", r1.err);
		cr_assert_str_eq(r1.out, r2.out, "%s differs between two runs", fmts[i]);
		assert_has(r1.out, "2026-01-01T00:00:00Z");
		cr_assert_null(strstr(r1.out, dir), "%s names the folder %s", fmts[i], dir);
		res_free(&r1);
		res_free(&r2);
	}
}
