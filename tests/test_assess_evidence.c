/* test_assess_evidence.c - `weft assess evidence`: rules in the model, what
 * they find in a repository, the level the evidence supports, conflicts
 * with answers, the reports (JSON against docs/schemas, SARIF against the
 * SARIF 2.1.0 schema of Microsoft's SARIF SDK package), and the five
 * generated pattern projects.
 *
 * The repositories are written here file by file, so every expected path
 * and line below is known from what the test wrote, not from the scanner.
 */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "assess_test_util.h"
#include "cli_run.h"
#include "git_test.h"
#include "json_schema.h"
#include "requires.h"

#define EVMODEL FIX("evidence/model.yaml")
#define EVIDENCE_SCHEMA WEFT_SOURCE_DIR "/docs/schemas/assess-evidence.schema.json"
#define SARIF_SCHEMA WEFT_TEST_TOOLS "/node_modules/@microsoft/sarif-multitool-linux/sarif-2.1.0.json"

static void put(const char *dir, const char *rel, const char *text)
{
	char *p = path_in(dir, rel);
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "mkdir -p \"$(dirname '%s')\"", p);
	cr_assert_eq(system(cmd), 0);
	write_file(p, text);
	free(p);
}

/* The repository every rule of evidence/model.yaml is matched against; the
 * comments give the lines the rules must report. */
static char *build_repo(bool git)
{
	char *dir = temp_dir();
	put(dir, "docs/a.md", "# a\n");
	put(dir, "docs/deep/x/b.md", "# b\n");
	put(dir, "other/docs/c.md", "# not under docs/ at the root\n");
	put(dir, "VERSION", "1.0\n");
	put(dir, "build/VERSION", "a build output\n");
	put(dir, ".gitignore", "build/\n");
	/* the comment on line 2 does not count; the code on line 4 does */
	put(dir, "src/main.c", "#include <stdio.h>\n// timeout = 1 in a comment\nint x;\nstatic int timeout = 5;\n");
	put(dir, "src/only_comment.h", "/* timeout = 3 */\n * timeout = 4\n");
	/* p99 with ms on line 5, owner on line 7 */
	put(dir, "pipeline.yaml",
	    "pipeline: p\nstages:\n  - name: a\n    budget:\n      p99: 20ms\n  - name: b\n    owner: team\n");
	put(dir, "slow.yaml", "stages:\n  - budget:\n      p99: 2s\n"); /* value does not match ms$ */
	put(dir, "broken.yaml", "stages: [\n");
	/* the CI runs scripts/gate from line 8 and `make check` from line 5 */
	put(dir, ".github/workflows/ci.yml",
	    "on: push\njobs:\n  t:\n    steps:\n      - run: make check\n      - run: |\n          echo hi\n"
	    "          scripts/gate --fast\n");
	put(dir, "scripts/gate", "#!/bin/sh\n# weft bench run in a comment\nset -e\nweft bench run pipeline.yaml\n");
	put(dir, "Makefile", "all:\n\techo all\ncheck:\n\t./run-checker --all\n");
	put(dir, "deploy.sh", "deploy-now\n"); /* never run by CI */
	put(dir, "openapi.yaml", "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {}\n");
	put(dir, "fake.yaml", "openapi: 3.0.0\ninfo: {title: no paths}\n");
	put(dir, "api/swagger.json", "{\n  \"swagger\": \"2.0\",\n  \"paths\": {}\n}\n");
	put(dir, "tests/test_contract.c", "void t(void)\n{\n\t/* refused in a comment */\n\tassert(refused);\n}\n");
	put(dir, "contract_notes.txt", "refused\n"); /* not a test file */
	char *link = path_in(dir, "docs/link.md");
	cr_assert_eq(symlink("../VERSION", link), 0);
	free(link);
	if (git) {
		git_libgit2_init();
		git_repository *repo = NULL;
		cr_assert_eq(git_repository_init(&repo, dir, 0), 0);
		git_repository_free(repo);
	}
	return dir;
}

static weft_assess_evidence *scan_dir(const char *dir, const weft_assess_model *m, const weft_assess_answers *a)
{
	weft_diags *d;
	weft_diags_new(&d);
	weft_assess_evidence *e = NULL;
	weft_assess_evidence_opts o = { a, 0 };
	int err = weft_assess_evidence_scan(&e, dir, m, &o, d);
	if (err)
		weft_diags_print(d, stderr, false);
	cr_assert_eq(err, 0);
	weft_diags_free(d);
	return e;
}

static const weft_assess_evidence_q *q_of(const weft_assess_evidence *e, const char *id)
{
	for (size_t i = 0; i < e->n_qs; i++)
		if (!strcmp(e->qs[i].q->id, id))
			return &e->qs[i];
	cr_assert_fail("question %s not in the evidence", id);
	return NULL;
}

static const weft_assess_evidence_rule *r_of(const weft_assess_evidence *e, const char *qid, const char *rid)
{
	const weft_assess_evidence_q *eq = q_of(e, qid);
	for (size_t i = 0; i < eq->n_rules; i++)
		if (!strcmp(eq->rules[i].rule->id, rid))
			return &eq->rules[i];
	cr_assert_fail("rule %s/%s not in the evidence", qid, rid);
	return NULL;
}

/* The hits of a rule as "path:line[<via:line]" joined with spaces. */
static char *hits(const weft_assess_evidence *e, const char *qid, const char *rid)
{
	const weft_assess_evidence_rule *er = r_of(e, qid, rid);
	weft_buf b = WEFT_BUF_INIT;
	for (size_t i = 0; i < er->n_hits; i++) {
		weft_buf_printf(&b, "%s%s:%d", i ? " " : "", er->hits[i].path, er->hits[i].line);
		if (er->hits[i].via)
			weft_buf_printf(&b, "<%s:%d", er->hits[i].via, er->hits[i].via_line);
	}
	return b.ptr ? b.ptr : strdup("");
}

#define assert_hits(e, q, r, want)                                                                  \
	do {                                                                                        \
		char *got_ = hits((e), (q), (r));                                                   \
		cr_assert_str_eq(got_, (want), "%s/%s: got \"%s\"", (q), (r), got_);               \
		free(got_);                                                                         \
	} while (0)

Test(evidence, every_rule_kind_finds_what_was_written_where_it_was_written)
{
	weft_assess_model *m = fixture_model(EVMODEL);
	char *dir = build_repo(false);
	weft_assess_evidence *e = scan_dir(dir, m, NULL);
	cr_assert_eq(e->n_qs, 9);
	cr_assert_not(e->git);
	/* "docs/" then any depth: under docs/ at the root; the symbolic link is not followed */
	assert_hits(e, "s-file", "docs", "docs/a.md:0 docs/deep/x/b.md:0");
	assert_hits(e, "s-file", "lockfile", "");
	/* a name without '/' matches at any depth: without git, build/ counts */
	assert_hits(e, "s-file", "version", "VERSION:0 build/VERSION:0");
	assert_hits(e, "s-contains", "timeout", "src/main.c:4");
	assert_hits(e, "s-key", "p99", "pipeline.yaml:5");
	assert_hits(e, "s-key", "owner", "pipeline.yaml:7");
	/* through the script and the make target the CI runs; the comment in the script does not count */
	assert_hits(e, "s-ci", "gate", "scripts/gate:4<.github/workflows/ci.yml:8");
	assert_hits(e, "s-ci", "make-target", "Makefile:4<.github/workflows/ci.yml:5");
	assert_hits(e, "s-ci", "deploy", "");
	/* OpenAPI 3 and Swagger 2 with paths; a document without paths is not one */
	assert_hits(e, "s-openapi", "spec", "api/swagger.json:2 openapi.yaml:1");
	assert_hits(e, "s-test", "contract", "tests/test_contract.c:4");
	assert_hits(e, "o-missing", "absent", "");
	/* supported: up to the first level with a rule not found */
	cr_assert_eq(q_of(e, "s-file")->supports_level, 2);
	cr_assert_eq(q_of(e, "s-contains")->supports_level, 2);
	cr_assert_eq(q_of(e, "s-key")->supports_level, 3);
	cr_assert_eq(q_of(e, "s-ci")->supports_level, 3);
	cr_assert_eq(q_of(e, "s-openapi")->supports_level, 2);
	cr_assert_eq(q_of(e, "o-missing")->supports_level, 0);
	/* levels 2 and 4 found, but nothing checks level 3: the chain ends at 2 */
	assert_hits(e, "s-gap", "docs", "docs/a.md:0 docs/deep/x/b.md:0");
	cr_assert_eq(q_of(e, "s-gap")->supports_level, 2);
	cr_assert_eq(e->n_found, 8);
	cr_assert_eq(e->n_conflicts, 0);
	weft_assess_evidence_free(e);
	rm_rf(dir);
	weft_assess_model_free(m);
}

Test(evidence, git_ignored_files_are_left_out)
{
	weft_assess_model *m = fixture_model(EVMODEL);
	char *dir = build_repo(true);
	weft_assess_evidence *e = scan_dir(dir, m, NULL);
	cr_assert(e->git);
	assert_hits(e, "s-file", "version", "VERSION:0");
	weft_assess_evidence_free(e);
	/* a subfolder of a repository: ignore rules still apply, paths are relative to it */
	char *sub = path_in(dir, "docs");
	e = scan_dir(sub, m, NULL);
	cr_assert(e->git);
	cr_assert_eq(e->n_files, 2); /* a.md and deep/x/b.md; the link is not a file */
	weft_assess_evidence_free(e);
	free(sub);
	rm_rf(dir);
	weft_assess_model_free(m);
}

static const char answers_text[] = "model: evmodel\n"
				   "model_version: \"1.0\"\n"
				   "unit: U\n"
				   "out_of_scope:\n"
				   "  third: not used\n"
				   "answers:\n"
				   "  s-file: {level: 4}\n" /* line 7: level 3 has a rule not found */
				   "  s-contains: {level: 1}\n" /* evidence for 2 */
				   "  s-key:\n"
				   "    level: na\n"
				   "    reason: none\n"  /* evidence for 3 */
				   "  s-ci: {level: 3}\n"   /* agrees */
				   "  s-test: {level: 2}\n" /* agrees */
				   "  o-missing: {level: 4}\n"; /* nothing supported in other: not a conflict */

Test(evidence, conflicts_both_ways_and_only_where_the_repository_takes_part)
{
	weft_assess_model *m = fixture_model(EVMODEL);
	weft_assess_answers *a = buffer_answers("ans.yaml", answers_text);
	char *dir = build_repo(false);
	weft_assess_evidence *e = scan_dir(dir, m, a);
	const weft_assess_evidence_q *q = q_of(e, "s-file");
	cr_assert_eq(q->conflict, WEFT_ASSESS_CONFLICT_OVER);
	cr_assert_eq(q->conflict_level, 3);
	cr_assert_eq(q->answer_line, 7);
	cr_assert_str_eq(q->conflict_text, "answered 4; not found for level 3: a lock file");
	q = q_of(e, "s-contains");
	cr_assert_eq(q->conflict, WEFT_ASSESS_CONFLICT_UNDER);
	cr_assert_str_eq(q->conflict_text, "evidence for level 2, answered 1");
	q = q_of(e, "s-key");
	cr_assert_eq(q->conflict, WEFT_ASSESS_CONFLICT_UNDER);
	cr_assert_str_eq(q->conflict_text, "evidence for level 3, answered na");
	cr_assert_eq(q_of(e, "s-ci")->conflict, WEFT_ASSESS_CONFLICT_NONE);
	cr_assert_eq(q_of(e, "s-test")->conflict, WEFT_ASSESS_CONFLICT_NONE);
	cr_assert_eq(q_of(e, "s-openapi")->conflict, WEFT_ASSESS_CONFLICT_NONE); /* unanswered */
	cr_assert_eq(q_of(e, "o-missing")->conflict, WEFT_ASSESS_CONFLICT_NONE);
	q = q_of(e, "t-version");
	cr_assert(q->out_of_scope);
	cr_assert_eq(q->conflict, WEFT_ASSESS_CONFLICT_UNDER);
	cr_assert(strstr(q->conflict_text, "out of scope"));
	cr_assert_eq(e->n_conflicts, 4);
	weft_assess_evidence_free(e);
	rm_rf(dir);
	weft_assess_answers_free(a);
	weft_assess_model_free(m);
}

/* A model whose question q1 has the given option-2 evidence (YAML lines at
 * an indent of 14 spaces), loaded; returns the load's error and d. */
static int load_with_rules(weft_diags *d, const char *rules, int level)
{
	weft_buf b = WEFT_BUF_INIT;
	weft_buf_puts(&b, "id: m\nversion: \"1\"\ntitle: T\nlevels:\n");
	for (int L = 1; L <= 5; L++)
		weft_buf_printf(&b, "  - {level: %d, name: N%d, description: D}\n", L, L);
	weft_buf_puts(&b, "dimensions:\n  - id: d\n    title: D\n    questions:\n      - id: q1\n        text: Q?\n"
			  "        options:\n");
	for (int L = 1; L <= 5; L++) {
		weft_buf_printf(&b, "          - level: %d\n            text: t%d\n", L, L);
		if (L < 5)
			weft_buf_puts(&b, "            improve: i\n");
		if (L == level)
			weft_buf_printf(&b, "            evidence:\n%s", rules);
	}
	weft_assess_model *m = NULL;
	int err = weft_assess_model_load_buffer(&m, "m.yaml", b.ptr, b.len, d);
	weft_assess_model_free(m);
	weft_buf_free(&b);
	return err;
}

/* Line of the first rule: 16 lines before the options, 3 lines per option
 * up to level L, then "evidence:". */
#define RULE_LINE(L) (16 + 3 * (L) + 2)

/* The error for rules (at level) must be at the first character of at,
 * its line and column counted in rules itself. */
static void assert_rule_error(const char *rules, int level, const char *at, const char *needle)
{
	const char *p = strstr(rules, at);
	cr_assert_not_null(p, "%s not in %s", at, rules);
	int line = RULE_LINE(level), col = 1;
	for (const char *s = rules; s < p; s++, col++)
		if (*s == '\n') {
			line++;
			col = 0;
		}
	weft_diags *d;
	weft_diags_new(&d);
	cr_assert_eq(load_with_rules(d, rules, level), WEFT_EINVALID, "%s", rules);
	assert_error_at(d, "m.yaml", line, col, needle);
	weft_diags_free(d);
}

Test(evidence, malformed_rules_are_errors_at_their_line_and_column)
{
	/* a valid rule first: the fixture's arithmetic holds */
	weft_diags *d;
	weft_diags_new(&d);
	cr_assert_eq(load_with_rules(d, "              - {id: r, text: t, file: a.txt}\n", 2), 0);
	weft_diags_free(d);
	assert_rule_error("              - {id: r, text: t, ci: x, test: y}\n", 2, "{", "more than one kind");
	assert_rule_error("              - {id: r, text: t, contains: x}\n", 2, "{", "needs 'file'");
	assert_rule_error("              - {id: r, text: t, file: a, contains: \"(\"}\n", 2, "\"(", "not a valid pattern");
	assert_rule_error("              - {id: r, text: t, file: ../etc/passwd}\n", 2, "../", "invalid glob");
	assert_rule_error("              - {id: r, text: t, file: /etc/passwd}\n", 2, "/etc", "invalid glob");
	assert_rule_error("              - {id: r, text: t, openapi: false}\n", 2, "false", "must be true");
	assert_rule_error("              - {id: r, text: t, file: a, value: x}\n", 2, "x}", "only goes with 'key'");
	assert_rule_error("              - {id: r, file: a}\n", 2, "{", "missing required field 'text'");
	assert_rule_error("              - {id: r, text: t, file: a}\n              - {id: r, text: u, file: b}\n", 2,
			  "r, text: u", "defined twice");
	assert_rule_error("              - {id: r, text: t, ci: x, file: a}\n", 2, "a}", "does not go with 'ci'");
	assert_rule_error("              - {id: r, text: t, file: a}\n", 1, "- {", "level 1 takes no");
	assert_rule_error("              - just a string\n", 2, "just", "a rule is a mapping");
	assert_rule_error("              - {id: r, text: t, file: a, key: a..b}\n", 2, "a..b", "empty part");
}

/* ---- the CLI and the generated pattern projects ----------------------------------------- */

static cJSON *evidence_json(const char *dir, const char *extra, int want_rc)
{
	char *out = NULL, *err = NULL, args[2048];
	snprintf(args, sizeof args, "assess evidence '%s' --format json %s", dir, extra ? extra : "");
	int rc = weft_test_run(&out, &err, NULL, args);
	cr_assert_eq(rc, want_rc, "%s: exit %d: %s", args, rc, err);
	char *errors = NULL;
	int v = weft_test_schema_check(EVIDENCE_SCHEMA, out, &errors);
	cr_assert_eq(v, 0, "evidence JSON does not match its schema:\n%s", errors ? errors : "");
	free(errors);
	cJSON *j = cJSON_Parse(out);
	cr_assert_not_null(j);
	free(out);
	free(err);
	return j;
}

static char *generate(const char *pattern)
{
	char *work = temp_dir(), *dest = path_in(work, pattern), *out = NULL, *err = NULL, args[1024];
	snprintf(args, sizeof args, "new %s '%s' --no-input", pattern, dest);
	int rc = weft_test_run(&out, &err, NULL, args);
	cr_assert_eq(rc, 0, "weft %s: %s", args, err);
	free(out);
	free(err);
	free(work); /* removed with the project's parent by the caller */
	return dest;
}

static void rm_project(char *dest)
{
	char *parent = strdup(dest);
	*strrchr(parent, '/') = '\0';
	rm_rf(parent);
	free(dest);
}

/* Questions with a supported level, each of whose evidence entries has a path. */
static int supported(const cJSON *j, const char *prefix, int *pattern_qs)
{
	int n = 0;
	*pattern_qs = 0;
	const cJSON *q;
	cJSON_ArrayForEach(q, cJSON_GetObjectItem(j, "questions"))
	{
		if (!cJSON_IsNumber(cJSON_GetObjectItem(q, "supports_level")))
			continue;
		const cJSON *ev, *evs = cJSON_GetObjectItem(q, "evidence");
		cr_assert(cJSON_GetArraySize(evs) > 0);
		cJSON_ArrayForEach(ev, evs)
		{
			const char *p = cJSON_GetStringValue(cJSON_GetObjectItem(ev, "path"));
			cr_assert(p && *p);
		}
		n++;
		*pattern_qs += !strncmp(cJSON_GetStringValue(cJSON_GetObjectItem(q, "id")), prefix, strlen(prefix));
	}
	return n;
}

typedef struct {
	const char *pattern, *prefix;
} pattern_case;

Test(evidence, every_generated_pattern_project_shows_evidence_for_its_pattern, .timeout = 300)
{
	static const pattern_case cases[] = {
		{ "api", "rt-" }, { "batch", "bt-" }, { "embedded", "em-" }, { "edge", "ed-" }, { "hitl", "hl-" },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *dest = generate(cases[i].pattern);
		cJSON *j = evidence_json(dest, NULL, 0);
		int own = 0, n = supported(j, cases[i].prefix, &own);
		cr_assert(n >= 4, "%s: evidence supports a level for %d questions", cases[i].pattern, n);
		cr_assert(own >= 2, "%s: only %d questions of its own pattern", cases[i].pattern, own);
		cJSON_Delete(j);
		rm_project(dest);
	}
}

/* Answers for the shipped model that contradict an api project: versioning
 * answered 1 (the project has an OpenAPI document, contract tests and CI),
 * fallback answered 4 with no failure-injection test... which the project
 * has, so that one agrees. */
static const char api_answers[] = "model: ai-integration\n"
				  "model_version: \"2.0\"\n"
				  "unit: Claims\n"
				  "answers:\n"
				  "  rt-versioning: {level: 1}\n"
				  "  rt-fallback: {level: 4}\n"
				  "  rt-capacity: {level: 3}\n";

Test(evidence, answers_that_contradict_an_api_project_are_conflicts_in_every_format, .timeout = 120)
{
	char *dest = generate("api");
	char *ans = weft_test_temp_file(api_answers, ".yaml");
	char extra[1024];
	snprintf(extra, sizeof extra, "--answers '%s'", ans);
	cJSON *j = evidence_json(dest, extra, 0);
	int conflicts = 0;
	const cJSON *q;
	cJSON_ArrayForEach(q, cJSON_GetObjectItem(j, "questions"))
	{
		const cJSON *c = cJSON_GetObjectItem(q, "conflict");
		const char *id = cJSON_GetStringValue(cJSON_GetObjectItem(q, "id"));
		if (!cJSON_IsObject(c))
			continue;
		conflicts++;
		cr_assert_str_eq(id, "rt-versioning", "unexpected conflict on %s: %s", id,
				 cJSON_GetStringValue(cJSON_GetObjectItem(c, "text")));
		cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(c, "kind")), "under");
	}
	cr_assert_eq(conflicts, 1);
	cJSON_Delete(j);
	/* --fail-on-conflict: exit 1, the report still written */
	snprintf(extra, sizeof extra, "--answers '%s' --fail-on-conflict", ans);
	j = evidence_json(dest, extra, 1);
	cJSON_Delete(j);
	char *out = NULL, *err = NULL, args[2048];
	snprintf(args, sizeof args, "assess evidence '%s' --answers '%s'", dest, ans);
	cr_assert_eq(weft_test_run(&out, &err, NULL, args), 0);
	cr_assert(strstr(out, "conflict: evidence for level 4, answered 1"), "%s", out);
	free(out);
	free(err);
	snprintf(args, sizeof args, "assess evidence '%s' --answers '%s' --format markdown", dest, ans);
	cr_assert_eq(weft_test_run(&out, &err, NULL, args), 0);
	cr_assert(strstr(out, "| `rt-versioning` | 4 |"), "%s", out);
	free(out);
	free(err);

	/* SARIF: valid against the SARIF 2.1.0 schema, one warning for the conflict */
	weft_test_require_path_at(__FILE__, __LINE__, SARIF_SCHEMA, "the SARIF 2.1.0 schema (npm ci --prefix tests/tools)");
	snprintf(args, sizeof args, "assess evidence '%s' --answers '%s' --format sarif", dest, ans);
	cr_assert_eq(weft_test_run(&out, &err, NULL, args), 0, "%s", err);
	char *errors = NULL;
	int v = weft_test_schema_check(SARIF_SCHEMA, out, &errors);
	cr_assert_eq(v, 0, "SARIF does not validate:\n%s", errors ? errors : "");
	free(errors);
	cJSON *s = cJSON_Parse(out);
	const cJSON *run = cJSON_GetArrayItem(cJSON_GetObjectItem(s, "runs"), 0), *r;
	int warnings = 0, passes = 0;
	cJSON_ArrayForEach(r, cJSON_GetObjectItem(run, "results"))
	{
		const char *level = cJSON_GetStringValue(cJSON_GetObjectItem(r, "level"));
		if (!strcmp(level, "warning")) {
			warnings++;
			cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(r, "ruleId")), "rt-versioning");
		} else {
			passes++;
			cr_assert_str_eq(cJSON_GetStringValue(cJSON_GetObjectItem(r, "kind")), "pass");
		}
	}
	cr_assert_eq(warnings, 1);
	cr_assert(passes >= 4);
	cJSON_Delete(s);
	free(out);
	free(err);
	unlink(ans);
	free(ans);
	rm_project(dest);
}

Test(evidence, usage_and_input_errors_have_their_exit_codes)
{
	char *out = NULL, *err = NULL;
	cr_assert_eq(weft_test_run(&out, &err, NULL, "assess evidence . --fail-on-conflict"), 2);
	free(out);
	free(err);
	cr_assert_eq(weft_test_run(&out, &err, NULL, "assess evidence /nonexistent/folder"), 3);
	cr_assert(strstr(err, "/nonexistent/folder: error: no such folder"), "%s", err);
	free(out);
	free(err);
	cr_assert_eq(weft_test_run(&out, &err, NULL, "assess evidence . --format html"), 2);
	free(out);
	free(err);
}
