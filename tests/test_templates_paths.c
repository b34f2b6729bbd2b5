/* test_templates_paths.c - the one path checker (templates/paths.c) and
 * every route to the new project's .git, end to end.
 *
 * The unit table gives each rule its bad forms and the good names that look
 * like them. The end-to-end cases run the built weft on the hostile
 * fixtures and on templates built here at run time (names git will not
 * store: .GIT, .Git., git~1; README.md beside readme.md; {{>p}} in a name;
 * links): each is refused with exit 3 and a message naming the path and the
 * rule, DEST does not exist afterwards, and --dry-run refuses it with the
 * same exit code and the same message. A dry run into a non-empty folder
 * fails as the real run does.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_run.h"
#include "templates_int.h"

#define HOSTILE WEFT_FIXTURES "/templates/hostile"
#define MINI WEFT_FIXTURES "/templates/data/templates/patterns/mini"

static char tmp[64];

static void setup(void)
{
	snprintf(tmp, sizeof tmp, "/tmp/weft-test-paths-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
	setenv("GIT_AUTHOR_NAME", "Paths Test", 1);
	setenv("GIT_AUTHOR_EMAIL", "paths@example.com", 1);
}

static void teardown(void)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "chmod -R u+w '%s'; rm -rf '%s'", tmp, tmp);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(paths, .init = setup, .fini = teardown, .timeout = 60);

/* ---- the checker -------------------------------------------------------------------- */

Test(paths, each_bad_form_breaks_its_rule)
{
	char long_name[300], long_path[1100];
	memset(long_name, 'a', 256);
	long_name[256] = '\0';
	for (size_t i = 0; i + 2 < 1030; i += 2)
		memcpy(long_path + i, "a/", 2);
	long_path[1029] = 'b';
	long_path[1030] = '\0';
	static const struct {
		const char *path;
		weft_templates_path_rule rule;
		size_t off, len;
	} bad[] = {
		{ "", WEFT_TEMPLATES_PATH_EMPTY, 0, 0 },
		{ "a//b", WEFT_TEMPLATES_PATH_EMPTY, 2, 0 },
		{ "a/", WEFT_TEMPLATES_PATH_EMPTY, 2, 0 },
		{ "/etc/passwd", WEFT_TEMPLATES_PATH_ABSOLUTE, 0, 11 },
		{ ".", WEFT_TEMPLATES_PATH_DOTS, 0, 1 },
		{ "..", WEFT_TEMPLATES_PATH_DOTS, 0, 2 },
		{ "a/../../b", WEFT_TEMPLATES_PATH_DOTS, 2, 2 },
		{ "a/./b", WEFT_TEMPLATES_PATH_DOTS, 2, 1 },
		{ "a\\..\\b", WEFT_TEMPLATES_PATH_BACKSLASH, 0, 6 },
		{ "a\tb", WEFT_TEMPLATES_PATH_CONTROL, 0, 3 },
		{ "x/a\nb", WEFT_TEMPLATES_PATH_CONTROL, 2, 3 },
		{ "del\x7f", WEFT_TEMPLATES_PATH_CONTROL, 0, 4 },
		{ ".git", WEFT_TEMPLATES_PATH_GIT, 0, 4 },
		{ ".GIT", WEFT_TEMPLATES_PATH_GIT, 0, 4 },
		{ ".Git", WEFT_TEMPLATES_PATH_GIT, 0, 4 },
		{ ".gIt/config", WEFT_TEMPLATES_PATH_GIT, 0, 4 },
		{ ".git.", WEFT_TEMPLATES_PATH_GIT, 0, 5 },
		{ ".Git./x", WEFT_TEMPLATES_PATH_GIT, 0, 5 },
		{ ".git ", WEFT_TEMPLATES_PATH_GIT, 0, 5 },
		{ ".GIT . ./hooks", WEFT_TEMPLATES_PATH_GIT, 0, 8 },
		{ ".git/hooks/post-checkout", WEFT_TEMPLATES_PATH_GIT, 0, 4 },
		{ "sub/.git/config", WEFT_TEMPLATES_PATH_GIT, 4, 4 },
		{ "git~1/config", WEFT_TEMPLATES_PATH_GIT, 0, 5 },
		{ "GIT~1", WEFT_TEMPLATES_PATH_GIT, 0, 5 },
		{ ".git::$INDEX_ALLOCATION/hooks", WEFT_TEMPLATES_PATH_GIT, 0, 23 },
		{ ".g\xe2\x80\x8cit", WEFT_TEMPLATES_PATH_GIT, 0, 7 },     /* U+200C, ignored by HFS+ */
		{ "\xef\xbb\xbf.GIT", WEFT_TEMPLATES_PATH_GIT, 0, 7 },     /* U+FEFF */
	};
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		weft_templates_path_why why;
		weft_templates_path_rule r = weft_templates_path_check(bad[i].path, &why);
		cr_expect_eq(r, bad[i].rule, "'%s': rule %d, expected %d", bad[i].path, r, bad[i].rule);
		cr_expect_eq(why.rule, r);
		cr_expect_eq(why.off, bad[i].off, "'%s': offset %zu", bad[i].path, why.off);
		cr_expect_eq(why.len, bad[i].len, "'%s': length %zu", bad[i].path, why.len);
		/* path_is_safe: inside its folder (the .git rule is for what is written) */
		cr_expect_eq(weft_templates_path_is_safe(bad[i].path), r == WEFT_TEMPLATES_PATH_GIT, "'%s'",
			     bad[i].path);
		cr_expect(strlen(weft_templates_path_rule_text(r)) > 10);
	}
	cr_expect_eq(weft_templates_path_check(NULL, NULL), WEFT_TEMPLATES_PATH_EMPTY);
	cr_expect_eq(weft_templates_path_check(long_name, NULL), WEFT_TEMPLATES_PATH_NAME_LONG);
	cr_expect_eq(weft_templates_path_check(long_path, NULL), WEFT_TEMPLATES_PATH_TOO_LONG);
	long_name[255] = '\0';
	cr_expect_eq(weft_templates_path_check(long_name, NULL), WEFT_TEMPLATES_PATH_OK, "255 bytes is fine");
	cr_expect(strstr(weft_templates_path_rule_text(WEFT_TEMPLATES_PATH_GIT), "git repository"));
}

/* Names that only look like .git are ordinary files: git's own (.gitignore,
 * .gitattributes, .gitmodules as files), GitHub's folder, and a name that
 * ends in ".git" (a bare repository's name, harmless as a plain folder). */
Test(paths, names_that_only_look_like_git_pass)
{
	static const char *const good[] = {
		".github/workflows/ci.yml", ".gitignore", ".gitattributes", ".gitmodules",
		".git-blame-ignore-revs", ".gitkeep", "git.md", "a.git/x", "repo.git", "git", "GIT~2",
		"x.git.", "docs/.git_history.md", "src/main.c", "a b/c d.txt", "...", "{{name}}/x",
		"\xc3\xa9t\xc3\xa9.txt",
	};
	for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
		weft_templates_path_why why = { .rule = WEFT_TEMPLATES_PATH_GIT, .off = 9, .len = 9 };
		cr_expect_eq(weft_templates_path_check(good[i], &why), WEFT_TEMPLATES_PATH_OK, "'%s' refused",
			     good[i]);
		cr_expect_eq(why.rule, WEFT_TEMPLATES_PATH_OK);
		cr_expect_eq(why.off + why.len, 0);
	}
}

Test(paths, partials_in_names_and_case_folding)
{
	cr_expect(weft_templates_name_has_partial("{{>p}}.txt"));
	cr_expect(weft_templates_name_has_partial("a{{<parent}}{{/parent}}"));
	cr_expect_not(weft_templates_name_has_partial("{{name}}.txt"));
	cr_expect_not(weft_templates_name_has_partial("a>b{{x}}"));
	static const char *const pairs[][2] = {
		{ "README.md", "readme.md" },
		{ "Src/Main.C", "src/main.c" },
		{ "notes.", "notes" },
		{ "a. ./b  ", "a/b" },
		{ "...", "..." },
		{ "\xc3\x89", "\xc3\x89" }, /* only ASCII letters are folded */
	};
	for (size_t i = 0; i < sizeof pairs / sizeof *pairs; i++) {
		char *f = weft_templates_path_fold(pairs[i][0]);
		cr_expect_str_eq(f, pairs[i][1]);
		free(f);
	}
}

Test(paths, gitignore_matcher)
{
	weft_templates_ignore *ig = NULL;
	const char *top = "# build output\n*.o\n!keep.o\nbuild/\n/top.txt\ndocs/**/*.tmp\n\\#hash\n"
			  "trailing   \nlogs/\n!logs/keep.log\r\n";
	cr_assert_eq(weft_templates_ignore_add(&ig, "", top, strlen(top)), 0);
	const char *sub = "local.cfg\n/only-here\n";
	cr_assert_eq(weft_templates_ignore_add(&ig, "sub", sub, strlen(sub)), 0);
	static const struct {
		const char *path;
		bool ignored;
	} cases[] = {
		{ "a.o", true },           { "src/deep/a.o", true },  { "keep.o", false },
		{ "src/keep.o", false },   { "build/x.c", true },     { "build", false }, /* a file, not a folder */
		{ "src/build/x", true },   { "top.txt", true },       { "src/top.txt", false },
		{ "docs/x.tmp", true },    { "docs/a/b/x.tmp", true }, { "x.tmp", false },
		{ "#hash", true },         { "trailing", true },      { "logs/keep.log", true }, /* folder ignored */
		{ "sub/local.cfg", true }, { "local.cfg", false },    { "sub/only-here", true },
		{ "sub/x/only-here", false }, { "README.md", false }, { "# build output", false },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
		cr_expect_eq(weft_templates_ignore_match(ig, cases[i].path), cases[i].ignored, "%s: expected %s",
			     cases[i].path, cases[i].ignored ? "ignored" : "kept");
	weft_templates_ignore_free(ig);
	cr_expect_not(weft_templates_ignore_match(NULL, "a.o"));
}

/* ---- end to end --------------------------------------------------------------------- */

static char *path_in(const char *rel)
{
	static char bufs[8][512];
	static int k;
	char *b = bufs[k++ % 8];
	snprintf(b, 512, "%s/%s", tmp, rel);
	return b;
}

static void sh(const char *fmt, const char *a, const char *b)
{
	char cmd[2048];
	snprintf(cmd, sizeof cmd, fmt, a, b);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static void put(const char *rel, const char *text)
{
	char *p = path_in(rel);
	char dir[512];
	snprintf(dir, sizeof dir, "%s", p);
	*strrchr(dir, '/') = '\0';
	sh("mkdir -p '%s'%s", dir, "");
	FILE *fp = fopen(p, "w");
	cr_assert_not_null(fp, "cannot write %s", p);
	fputs(text, fp);
	fclose(fp);
}

/* A copy of the mini template at tmp/tpl. */
static const char *mini(void)
{
	static char dir[512];
	snprintf(dir, sizeof dir, "%s/tpl", tmp);
	sh("rm -rf '%s'; cp -R '" MINI "' '%s'", dir, dir);
	return dir;
}

typedef struct {
	int rc;
	char *out, *err;
} result;

static result weft(const char *tpl, const char *dest, const char *extra)
{
	result r = { 0 };
	char args[2048];
	snprintf(args, sizeof args, "new '%s' '%s' --no-input %s", tpl, dest, extra ? extra : "");
	r.rc = weft_test_run(&r.out, &r.err, tmp, args);
	return r;
}

static void result_free(result *r)
{
	free(r->out);
	free(r->err);
}

static void expect_no_leftovers(void)
{
	DIR *dh = opendir(tmp);
	cr_assert_not_null(dh);
	struct dirent *e;
	while ((e = readdir(dh)))
		cr_expect(strncmp(e->d_name, ".weft-tmp-", 10), "left behind: %s", e->d_name);
	closedir(dh);
}

/* tpl is refused with exit rc and every message in msgs, by the real run
 * and by --dry-run alike (the same stderr), and dest is never made. */
static void expect_refused(const char *tpl, int rc, const char *const *msgs)
{
	char *dest = strdup(path_in("dest"));
	result real = weft(tpl, dest, NULL);
	cr_expect_eq(real.rc, rc, "%s: exit %d\n%s", tpl, real.rc, real.err);
	for (const char *const *m = msgs; *m; m++)
		cr_expect(strstr(real.err, *m), "%s: '%s' not in:\n%s", tpl, *m, real.err);
	cr_expect_not(weft_path_exists(dest), "%s: DEST created", tpl);
	cr_expect_str_eq(real.out, "");
	expect_no_leftovers();
	result dry = weft(tpl, dest, "--dry-run");
	cr_expect_eq(dry.rc, real.rc, "%s: --dry-run exit %d, the real run %d\n%s", tpl, dry.rc, real.rc, dry.err);
	cr_expect_str_eq(dry.err, real.err, "%s: --dry-run says otherwise", tpl);
	cr_expect_str_eq(dry.out, "", "%s: --dry-run listed files", tpl);
	cr_expect_not(weft_path_exists(dest));
	result json = weft(tpl, dest, "--dry-run --format json");
	cr_expect_eq(json.rc, real.rc, "%s: --dry-run --format json exit %d", tpl, json.rc);
	result_free(&real);
	result_free(&dry);
	result_free(&json);
	free(dest);
	cr_expect_not(weft_path_exists("/tmp/weft-hostile-hook-ran"));
	cr_expect_not(weft_path_exists("/tmp/weft-hostile-fsmonitor-ran"));
}

#define REFUSED(tpl, ...) expect_refused(tpl, 3, (const char *const[]){ __VA_ARGS__, NULL })

Test(paths, include_into_git_is_refused)
{
	REFUSED(HOSTILE "/include-git-hooks", "template.yaml:8:9: error: bad include destination '.git/hooks'",
		"git repository");
	REFUSED(HOSTILE "/include-git-dir", "template.yaml:8:9: error: bad include destination '.git'",
		"git repository");
}

Test(paths, include_sources_and_what_they_hold)
{
	/* a collection in tmp: coll/t includes coll/_inc */
	put("coll/t/template.yaml", "name: t\nversion: \"1\"\nsummary: s\ninclude:\n  - from: _inc/.GIT\n");
	put("coll/t/files/README.md", "# t\n");
	put("coll/_inc/.GIT/config", "[core]\n");
	REFUSED(path_in("coll/t"), "bad include folder '_inc/.GIT'", "git repository");
	/* an included folder that holds a .git, into a harmless destination */
	put("coll/t/template.yaml", "name: t\nversion: \"1\"\nsummary: s\ninclude:\n  - from: _inc\n    to: lib\n");
	REFUSED(path_in("coll/t"), "_inc/.GIT: error: name '.GIT':", "git repository");
	/* a trailing '/' names the same folder, and ".weft-answers.yaml" is weft's */
	put("coll/t/template.yaml",
	    "name: t\nversion: \"1\"\nsummary: s\ninclude:\n  - from: _inc\n    to: .git/\n");
	REFUSED(path_in("coll/t"), "bad include destination '.git/'", "git repository");
	put("coll/t/template.yaml",
	    "name: t\nversion: \"1\"\nsummary: s\ninclude:\n  - from: _inc\n    to: .weft-answers.yaml/x\n");
	REFUSED(path_in("coll/t"), "bad include destination '.weft-answers.yaml/x'");
}

Test(paths, files_named_git_in_any_form_are_refused)
{
	REFUSED(HOSTILE "/git-rendered", "git-rendered/files/{{g}}: error: name '{{g}}' renders to '.git':",
		"git repository");
	REFUSED(HOSTILE "/git-rendered-dot", "name '{{g}}' renders to '.Git.':", "git repository");
	REFUSED(HOSTILE "/git-dir", "name '{{g}}' renders to '.GIT':", "git repository");
	static const char *const names[] = { ".GIT/config", ".Git./x", ".git /hooks/post-checkout",
					     "sub/.git/config", "git~1/config", "GIT~1./HEAD" };
	for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
		const char *tpl = mini();
		char rel[256], comp[64], msg[128];
		snprintf(rel, sizeof rel, "tpl/files/%s", names[i]);
		put(rel + 0, "[core]\n\tfsmonitor = touch /tmp/weft-hostile-fsmonitor-ran\n");
		const char *s = names[i];
		if (!strncmp(s, "sub/", 4))
			s += 4;
		snprintf(comp, sizeof comp, "%.*s", (int)strcspn(s, "/"), s);
		snprintf(msg, sizeof msg, "error: name '%s': ", comp);
		REFUSED(tpl, msg, "git repository");
	}
	/* a variable that renders to .git at a depth */
	const char *tpl = mini();
	put("tpl/template.yaml", "name: t\nversion: \"1\"\nsummary: s\nvariables:\n  - name: g\n    default: \".gIt \"\n");
	put("tpl/files/src/{{g}}/config", "x\n");
	REFUSED(tpl, "files/src/{{g}}: error: name '{{g}}' renders to '.gIt ':", "git repository");
}

Test(paths, links_into_git_and_git_files_as_links_are_refused)
{
	const char *tpl = mini();
	cr_assert_eq(symlink(".git/hooks", path_in("tpl/files/hooks")), 0);
	REFUSED(tpl, "symbolic link to '.git/hooks' points into the git repository");
	tpl = mini();
	sh("mkdir -p '%s'%s", path_in("tpl/files/sub"), "");
	cr_assert_eq(symlink("../.GIT", path_in("tpl/files/sub/g")), 0);
	REFUSED(tpl, "symbolic link to '../.GIT' points into the git repository");
	tpl = mini();
	cr_assert_eq(symlink("hello.txt", path_in("tpl/files/.gitmodules")), 0);
	REFUSED(tpl, "'.gitmodules' is a symbolic link");
}

Test(paths, names_that_differ_only_in_case_are_refused)
{
	const char *tpl = mini();
	put("tpl/files/README.md", "a\n");
	put("tpl/files/readme.md", "b\n");
	REFUSED(tpl, "'README.md' and 'readme.md' differ only in case", "macOS and Windows");
	/* folders too, and a rendered name */
	tpl = mini();
	put("tpl/files/Src/a.c", "a\n");
	put("tpl/files/src/b.c", "b\n");
	REFUSED(tpl, "'Src' and 'src' differ only in case");
	tpl = mini();
	put("tpl/files/{{who}}.txt", "a\n");
	put("tpl/files/WORLD.txt", "b\n");
	REFUSED(tpl, "'WORLD.txt' and 'world.txt' differ only in case");
	tpl = mini();
	put("tpl/files/notes", "a\n");
	put("tpl/files/notes.", "b\n");
	REFUSED(tpl, "'notes' and 'notes.' differ only in case (or trailing dots or spaces)");
	/* a template that says it accepts them gets both files */
	tpl = mini();
	put("tpl/files/README.md", "a\n");
	put("tpl/files/readme.md", "b\n");
	FILE *fp = fopen(path_in("tpl/template.yaml"), "a");
	cr_assert_not_null(fp);
	fputs("case_sensitive_paths: true\n", fp);
	fclose(fp);
	result r = weft(tpl, "cased", NULL);
	cr_assert_eq(r.rc, 0, "%s", r.err);
	struct stat st1, st2;
	cr_assert_eq(stat(path_in("cased/README.md"), &st1), 0);
	cr_assert_eq(stat(path_in("cased/readme.md"), &st2), 0);
	cr_assert_neq(st1.st_ino, st2.st_ino, "two files");
	result_free(&r);
}

Test(paths, partials_in_names_are_refused)
{
	const char *tpl = mini();
	put("tpl/partials/p", "x");
	put("tpl/files/{{>p}}.txt", "a\n");
	REFUSED(tpl, "files/{{>p}}.txt: error: name '{{>p}}.txt' uses a partial", "refused in names");
	tpl = mini();
	put("tpl/partials/p", "x");
	put("tpl/files/{{<p}}{{/p}}.txt", "a\n");
	REFUSED(tpl, "uses a partial");
	/* hidden behind other delimiters: rendered strictly, without partials */
	tpl = mini();
	put("tpl/partials/p", "x");
	put("tpl/files/{{=<% %>=}}<%>p%>.txt", "a\n");
	REFUSED(tpl, "partial 'p' not found");
	/* and a partials folder that is the repository */
	tpl = mini();
	put("tpl/template.yaml", "name: t\nversion: \"1\"\nsummary: s\npartials: .git\n");
	REFUSED(tpl, "template.yaml:4:11: error: bad partials folder '.git': ", "git repository");
	put("tpl/template.yaml", "name: t\nversion: \"1\"\nsummary: s\nroot: files/.Git\n");
	REFUSED(tpl, "bad files folder 'files/.Git': ", "git repository");
}

/* A dry run checks the destination as the real run does. */
Test(paths, dry_run_checks_the_destination)
{
	const char *tpl = mini();
	put("full/mine.txt", "mine\n");
	char dest[512];
	snprintf(dest, sizeof dest, "%s", path_in("full"));
	result real = weft(tpl, dest, "--no-git"), dry = weft(tpl, dest, "--dry-run");
	cr_expect_eq(real.rc, 4, "%s", real.err);
	cr_expect_eq(dry.rc, 4, "%s", dry.err);
	cr_expect(strstr(dry.err, "destination folder is not empty"), "%s", dry.err);
	cr_expect_str_eq(dry.err, real.err);
	cr_expect_not(strstr(dry.out, "Would create"), "%s", dry.out);
	result_free(&real);
	result_free(&dry);
	/* with --force, both go ahead (the dry run writing nothing) */
	dry = weft(tpl, dest, "--dry-run --force");
	cr_expect_eq(dry.rc, 0, "%s", dry.err);
	cr_expect(strstr(dry.out, "Would create"));
	cr_expect_not(weft_path_exists(path_in("full/hello.txt")));
	result_free(&dry);
	/* a file where a folder must go, with --force */
	sh("mkdir -p '%s/hello.txt'%s", dest, "");
	real = weft(tpl, dest, "--no-git --force");
	dry = weft(tpl, dest, "--dry-run --force");
	cr_expect_eq(real.rc, 4, "%s", real.err);
	cr_expect_eq(dry.rc, real.rc, "%s", dry.err);
	cr_expect_str_eq(dry.err, real.err);
	result_free(&real);
	result_free(&dry);
	/* DEST a file; DEST in a missing folder */
	put("afile", "x\n");
	const char *const dests[] = { "afile", "missing/dest" };
	for (size_t i = 0; i < 2; i++) {
		real = weft(tpl, path_in(dests[i]), "--no-git");
		dry = weft(tpl, path_in(dests[i]), "--dry-run");
		cr_expect_eq(real.rc, 4, "%s: %s", dests[i], real.err);
		cr_expect_eq(dry.rc, real.rc, "%s: %s", dests[i], dry.err);
		cr_expect_str_eq(dry.err, real.err);
		result_free(&real);
		result_free(&dry);
	}
	/* an empty folder is fine for both */
	sh("mkdir -p '%s'%s", path_in("empty"), "");
	dry = weft(tpl, path_in("empty"), "--dry-run");
	cr_expect_eq(dry.rc, 0, "%s", dry.err);
	result_free(&dry);
	expect_no_leftovers();
}

Test(paths, a_gitignore_that_leaves_template_files_out_is_a_warning)
{
	const char *tpl = mini();
	put("tpl/files/.gitignore", "*.log\nbuild/\n!keep.log\n");
	put("tpl/files/app.log", "x\n");
	put("tpl/files/keep.log", "x\n");
	put("tpl/files/build/out.txt", "x\n");
	put("tpl/files/src/sub/.gitignore", "*.txt\n");
	put("tpl/files/src/sub/notes.txt", "x\n");
	result dry = weft(tpl, path_in("dest"), "--dry-run");
	cr_expect_eq(dry.rc, 0, "%s", dry.err);
	cr_expect(strstr(dry.err, "tpl/files/.gitignore: warning: ignores 3 of the template's files, which the "
				  "first commit will leave out: 'app.log', 'build/out.txt', 'src/sub/notes.txt'"),
		  "%s", dry.err);
	result real = weft(tpl, path_in("dest"), NULL);
	cr_expect_eq(real.rc, 0, "%s", real.err);
	cr_expect_str_eq(real.err, dry.err);
	result_free(&dry);
	result_free(&real);
	/* nothing ignored: no warning */
	tpl = mini();
	put("tpl/files/.gitignore", "*.o\n");
	dry = weft(tpl, path_in("dest2"), "--dry-run");
	cr_expect_eq(dry.rc, 0);
	cr_expect_str_eq(dry.err, "");
	result_free(&dry);
}
