/* test_templates_scaffold.c - planning, safe writing, git and sources.
 *
 * Works through the library; tests/test_templates_cli.c covers the command.
 * Expected file lists and contents are written out by hand from the fixture
 * template (tests/fixtures/templates/full).
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <linux/fs.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "git_test.h"
#include "listing.h"
#include "requires.h"
#include "templates_int.h"

#define FULL WEFT_FIXTURES "/templates/full"
#define DATA WEFT_FIXTURES "/templates/data"
#define MINI DATA "/templates/patterns/mini"

static weft_diags *d;
static char tmp[64];

static void setup(void)
{
	weft_diags_new(&d);
	snprintf(tmp, sizeof tmp, "/tmp/weft-test-scaffold-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
	setenv("GIT_AUTHOR_NAME", "Test Author", 1);
	setenv("GIT_AUTHOR_EMAIL", "author@example.com", 1);
}

/* a folder a test made immutable (chattr +i), to clear whatever happened */
static char immutable_dir[600];
static bool set_immutable(const char *path, bool on);

static void teardown(void)
{
	if (immutable_dir[0])
		set_immutable(immutable_dir, false);
	weft_diags_free(d);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "chmod -R u+w '%s'; rm -rf '%s'", tmp, tmp);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(scaffold, .init = setup, .fini = teardown);

/* tmp/rel, valid until the 8th next call (keep a copy for longer). */
static char *path_in(const char *rel)
{
	static char bufs[8][512];
	static int k;
	char *b = bufs[k++ % 8];
	snprintf(b, 512, "%s/%s", tmp, rel);
	return b;
}

static char *slurp(const char *path, size_t *len)
{
	char *s = NULL;
	weft_diags *scratch = NULL;
	weft_diags_new(&scratch);
	int err = weft_file_read(&s, len, path, 0, scratch);
	weft_diags_free(scratch);
	cr_assert_eq(err, 0, "cannot read %s", path);
	return s;
}

static void expect_file(const char *path, const char *text)
{
	char *s = slurp(path, NULL);
	cr_expect_str_eq(s, text, "contents of %s", path);
	free(s);
}

static void write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");
	cr_assert_not_null(fp, "cannot write %s", path);
	fputs(text, fp);
	fclose(fp);
}

static const weft_diag *first_error(void)
{
	for (size_t i = 0; i < weft_diags_count(d); i++)
		if (weft_diags_get(d, i)->severity == WEFT_SEV_ERROR)
			return weft_diags_get(d, i);
	cr_assert_fail("no error recorded");
	return NULL;
}

static weft_templates_manifest *manifest(const char *dir)
{
	weft_templates_manifest *m = NULL;
	int err = weft_templates_manifest_load(&m, dir, d);
	if (err)
		weft_diags_print(d, stderr, false);
	cr_assert_eq(err, 0);
	return m;
}

static weft_templates_plan *plan_full(const char *const *sets, size_t n)
{
	weft_templates_manifest *m = manifest(FULL);
	cJSON *v = NULL;
	weft_templates_values_opts o = { .sets = sets, .n_sets = n };
	cr_assert_eq(weft_templates_values_resolve(&v, m, &o, d), 0);
	weft_templates_plan *p = NULL;
	int err = weft_templates_plan_new(&p, m, NULL, v, d);
	if (err)
		weft_diags_print(d, stderr, false);
	cr_assert_eq(err, 0);
	cJSON_Delete(v);
	weft_templates_manifest_free(m);
	return p;
}

static const char *const owner_ann[] = { "owner=ann" };

Test(scaffold, plan_follows_the_rules)
{
	weft_templates_plan *p = plan_full(owner_ann, 1);
	static const struct {
		const char *path;
		weft_templates_action action;
		unsigned mode;
	} want[] = {
		{ ".gitignore", WEFT_TEMPLATES_RENDERED, 0644 },
		{ "Dockerfile", WEFT_TEMPLATES_RENDERED, 0644 },
		{ "README.md", WEFT_TEMPLATES_RENDERED, 0644 },
		{ "assets", WEFT_TEMPLATES_DIR, 0755 },
		{ "assets/logo.bin", WEFT_TEMPLATES_COPIED, 0644 },
		{ "assets/raw.txt", WEFT_TEMPLATES_COPIED, 0644 },
		{ "bin", WEFT_TEMPLATES_DIR, 0755 },
		{ "bin/run.sh", WEFT_TEMPLATES_RENDERED, 0755 },
		{ "config", WEFT_TEMPLATES_DIR, 0755 },
		{ "config/dev.yaml", WEFT_TEMPLATES_RENDERED, 0644 },
		{ "docs", WEFT_TEMPLATES_DIR, 0755 },
		{ "docs/current.md", WEFT_TEMPLATES_SYMLINK, 0777 },
		{ "docs/guide.md", WEFT_TEMPLATES_RENDERED, 0644 },
		{ "index.html", WEFT_TEMPLATES_RENDERED, 0644 },
		{ "src", WEFT_TEMPLATES_DIR, 0755 },
		{ "src/demo_service.c", WEFT_TEMPLATES_RENDERED, 0644 },
		{ "tools", WEFT_TEMPLATES_DIR, 0755 },
		{ "tools/build.sh", WEFT_TEMPLATES_RENDERED, 0755 },
		{ ".weft-answers.yaml", WEFT_TEMPLATES_RENDERED, 0644 },
	};
	size_t n = sizeof want / sizeof want[0];
	cr_assert_eq(weft_templates_plan_count(p), n, "%zu entries", weft_templates_plan_count(p));
	for (size_t i = 0; i < n; i++) {
		const weft_templates_file *f = weft_templates_plan_file(p, i);
		cr_expect_str_eq(f->path, want[i].path);
		cr_expect_eq(f->action, want[i].action, "%s", f->path);
		cr_expect_eq(f->mode, want[i].mode, "%s: %o", f->path, f->mode);
	}
	cr_expect_str_eq(weft_templates_plan_file(p, 15)->source, "src/{{module}}.c");
	weft_templates_plan_free(p);
}

Test(scaffold, plan_with_other_answers)
{
	const char *sets[] = { "owner=x", "use_db=true", "use_docker=false", "env=prod", "project=shop" };
	weft_templates_plan *p = plan_full(sets, 5);
	weft_buf b = WEFT_BUF_INIT;
	for (size_t i = 0; i < weft_templates_plan_count(p); i++)
		if (weft_templates_plan_file(p, i)->action != WEFT_TEMPLATES_DIR)
			weft_buf_printf(&b, "%s ", weft_templates_plan_file(p, i)->path);
	cr_expect_str_eq(b.ptr, ".gitignore README.md assets/logo.bin assets/raw.txt bin/run.sh config/prod.yaml "
				"db/schema.sql docs/current.md docs/guide.md index.html src/shop.c tools/build.sh "
				".weft-answers.yaml ");
	weft_buf_free(&b);
	weft_templates_plan_free(p);
}

static int write_plan(weft_templates_plan *p, const char *dest, weft_templates_write_opts *o,
		      weft_templates_write_result *res)
{
	int err = weft_templates_plan_write(p, dest, o, res, d);
	return err;
}

static void expect_no_leftovers(void)
{
	char *l = weft_test_listing(tmp);
	cr_expect_null(strstr(l, "weft-tmp"), "temporary folder left behind: %s", l);
	free(l);
}

Test(scaffold, writes_contents_modes_and_a_git_repository)
{
	weft_templates_plan *p = plan_full(owner_ann, 1);
	weft_templates_write_opts o = { .git = true };
	weft_templates_write_result res;
	char dest[512];
	snprintf(dest, sizeof dest, "%s", path_in("proj"));
	cr_assert_eq(write_plan(p, dest, &o, &res), 0);
	weft_templates_plan_free(p);
	cr_expect_not(res.merged);
	cr_expect_str_eq(res.author, "Test Author <author@example.com>");
	cr_expect_eq(strlen(res.commit), 40);

	expect_file(path_in("proj/README.md"), "# demo-service\n\nGenerated for demo-service.\nOwner: ann\nPort: 8080\n"
					       "No database.\nFeatures:\n- metrics\n\nLicense: MIT\n");
	expect_file(path_in("proj/index.html"), "<title>demo-service &lt;home&gt;</title>\n");
	expect_file(path_in("proj/assets/raw.txt"), "Keep {{this}} as is.\n");
	expect_file(path_in("proj/src/demo_service.c"),
		    "/* demo_service.c */\nint demo_service_port(void) { return 8080; }\n");
	expect_file(path_in("proj/bin/run.sh"), "#!/bin/sh\nexec demo_service --port 8080\n");
	expect_file(path_in("proj/config/dev.yaml"), "env: dev\nport: 8080\n");
	expect_file(path_in("proj/Dockerfile"), "FROM alpine\nEXPOSE 8080\n");
	size_t la, lb;
	char *a = slurp(path_in("proj/assets/logo.bin"), &la);
	char *b = slurp(FULL "/files/assets/logo.bin", &lb);
	cr_expect_eq(la, 13);
	cr_expect(la == lb && memcmp(a, b, la) == 0, "binary file not copied byte for byte");
	free(a);
	free(b);
	char target[64] = "";
	cr_expect_eq(readlink(path_in("proj/docs/current.md"), target, sizeof target - 1), 8);
	cr_expect_str_eq(target, "guide.md");
	struct stat st;
	cr_assert_eq(stat(path_in("proj/bin/run.sh"), &st), 0);
	cr_expect(st.st_mode & 0100, "run.sh not executable");
	cr_assert_eq(stat(path_in("proj/tools/build.sh"), &st), 0);
	cr_expect(st.st_mode & 0100, "build.sh lost its executable bit");
	cr_assert_eq(stat(path_in("proj/README.md"), &st), 0);
	cr_expect_not(st.st_mode & 0111);
	cr_assert_eq(stat(dest, &st), 0);
	cr_expect_eq(st.st_mode & 0755, 0755, "project folder mode %o", st.st_mode & 0777);
	cr_expect(!weft_path_exists(path_in("proj/docs/internal")));
	cr_expect(!weft_path_exists(path_in("proj/db")));
	expect_no_leftovers();

	/* the repository, read back with libgit2 */
	git_libgit2_init();
	git_repository *repo = NULL;
	cr_assert_eq(git_repository_open(&repo, dest), 0);
	git_oid head;
	cr_assert_eq(git_reference_name_to_id(&head, repo, "HEAD"), 0);
	char hex[41];
	git_oid_tostr(hex, sizeof hex, &head);
	cr_expect_str_eq(hex, res.commit);
	git_commit *c = NULL;
	cr_assert_eq(git_commit_lookup(&c, repo, &head), 0);
	cr_expect_str_eq(git_commit_summary(c), "Create project from template full 1.2.3");
	cr_expect_str_eq(git_commit_author(c)->email, "author@example.com");
	cr_expect_eq(git_commit_parentcount(c), 0);
	git_tree *tree = NULL;
	cr_assert_eq(git_commit_tree(&tree, c), 0);
	git_tree_entry *te = NULL;
	cr_assert_eq(git_tree_entry_bypath(&te, tree, "bin/run.sh"), 0);
	cr_expect_eq(git_tree_entry_filemode(te), GIT_FILEMODE_BLOB_EXECUTABLE);
	git_tree_entry_free(te);
	cr_assert_eq(git_tree_entry_bypath(&te, tree, "docs/current.md"), 0);
	cr_expect_eq(git_tree_entry_filemode(te), GIT_FILEMODE_LINK);
	git_tree_entry_free(te);
	cr_expect_eq(git_tree_entry_bypath(&te, tree, ".weft-answers.yaml"), 0);
	git_tree_entry_free(te);
	git_tree_free(tree);
	git_commit_free(c);
	git_repository_free(repo);
	git_libgit2_shutdown();

	if (system("git --version >/dev/null 2>&1") == 0) {
		char cmd[700];
		snprintf(cmd, sizeof cmd, "git -C '%s' fsck --strict >/dev/null 2>&1", dest);
		cr_expect_eq(system(cmd), 0, "git fsck failed");
		snprintf(cmd, sizeof cmd, "test -z \"$(git -C '%s' status --porcelain)\"", dest);
		cr_expect_eq(system(cmd), 0, "working tree not clean after the first commit");
	}
}

/* An existing empty folder (say, the current one) is filled, not replaced. */
Test(scaffold, into_an_empty_folder)
{
	mkdir(path_in("empty"), 0755);
	struct stat before;
	cr_assert_eq(stat(path_in("empty"), &before), 0);
	cr_assert_eq(chdir(path_in("empty")), 0);
	weft_templates_plan *p = plan_full(owner_ann, 1);
	weft_templates_write_opts o = { .git = true };
	cr_assert_eq(write_plan(p, ".", &o, NULL), 0);
	weft_templates_plan_free(p);
	expect_file("README.md", "# demo-service\n\nGenerated for demo-service.\nOwner: ann\nPort: 8080\n"
				 "No database.\nFeatures:\n- metrics\n\nLicense: MIT\n");
	cr_assert_eq(chdir("/"), 0);
	struct stat after;
	cr_assert_eq(stat(path_in("empty"), &after), 0);
	cr_expect_eq(before.st_ino, after.st_ino, "the folder was replaced");
	cr_expect(weft_path_exists(path_in("empty/.git")));
	expect_no_leftovers();
	/* and with a trailing slash, without git */
	mkdir(path_in("empty2"), 0755);
	p = plan_full(owner_ann, 1);
	cr_assert_eq(write_plan(p, path_in("empty2/"), NULL, NULL), 0);
	weft_templates_plan_free(p);
	expect_file(path_in("empty2/docs/guide.md"), "Guide for demo-service\n");
	cr_expect(!weft_path_exists(path_in("empty2/.git")), "no git asked, yet .git exists");
}

static void make_user_folder(void)
{
	mkdir(path_in("user"), 0755);
	write_file(path_in("user/notes.txt"), "mine\n");
	write_file(path_in("user/README.md"), "old readme\n");
}

Test(scaffold, refuses_a_non_empty_folder_without_force)
{
	make_user_folder();
	weft_templates_plan *p = plan_full(owner_ann, 1);
	weft_templates_write_opts o = { .git = true };
	cr_expect_eq(write_plan(p, path_in("user"), &o, NULL), WEFT_EEXISTS);
	weft_templates_plan_free(p);
	cr_expect(strstr(first_error()->message, "not empty"));
	char *l = weft_test_listing(path_in("user"));
	cr_expect_str_eq(l, "README.md notes.txt");
	free(l);
	expect_file(path_in("user/README.md"), "old readme\n");
	expect_no_leftovers();
}

Test(scaffold, force_writes_the_template_files_only)
{
	make_user_folder();
	weft_templates_plan *p = plan_full(owner_ann, 1);
	weft_templates_write_opts o = { .git = true, .force = true };
	weft_templates_write_result res;
	cr_assert_eq(write_plan(p, path_in("user"), &o, &res), 0);
	weft_templates_plan_free(p);
	cr_expect(res.merged);
	cr_expect_not(res.git_skipped);
	expect_file(path_in("user/notes.txt"), "mine\n");
	expect_file(path_in("user/docs/guide.md"), "Guide for demo-service\n");
	char *r = slurp(path_in("user/README.md"), NULL);
	cr_expect(strncmp(r, "# demo-service\n", 15) == 0);
	free(r);
	/* the commit holds the template's files, not the user's */
	git_libgit2_init();
	git_repository *repo = NULL;
	cr_assert_eq(git_repository_open(&repo, path_in("user")), 0);
	git_index *idx = NULL;
	cr_assert_eq(git_repository_index(&idx, repo), 0);
	cr_expect_null(git_index_get_bypath(idx, "notes.txt", 0));
	cr_expect_not_null(git_index_get_bypath(idx, "README.md", 0));
	git_index_free(idx);
	git_repository_free(repo);
	git_libgit2_shutdown();
	expect_no_leftovers();

	weft_templates_write_result_free(&res);

	/* again: the folder is a repository now, so nothing is committed */
	p = plan_full(owner_ann, 1);
	cr_assert_eq(write_plan(p, path_in("user"), &o, &res), 0);
	cr_expect(res.git_skipped);
	cr_expect_str_eq(res.commit, "");
	weft_templates_write_result_free(&res);
	weft_templates_plan_free(p);
}

typedef struct {
	int calls, fail_at, code;
} fault;

static int inject(void *ctx, const char *path)
{
	(void)path;
	fault *f = ctx;
	return ++f->calls == f->fail_at ? f->code : 0;
}

Test(scaffold, a_failed_write_leaves_nothing_behind)
{
	weft_templates_plan *p = plan_full(owner_ann, 1);
	fault f = { 0, 7, ENOSPC };
	weft_templates_write_opts o = { .git = true, .before_write = inject, .hook_ctx = &f };
	cr_expect_eq(write_plan(p, path_in("proj"), &o, NULL), WEFT_EENV);
	cr_expect_eq(f.calls, 7);
	cr_expect(strstr(first_error()->message, strerror(ENOSPC)), "%s", first_error()->message);
	cr_expect(!weft_path_exists(path_in("proj")));
	expect_no_leftovers();

	/* an existing folder keeps exactly what it had, with --force too */
	make_user_folder();
	f = (fault){ 0, 12, EIO };
	o.force = true;
	cr_expect_eq(write_plan(p, path_in("user"), &o, NULL), WEFT_EENV);
	char *l = weft_test_listing(path_in("user"));
	cr_expect_str_eq(l, "README.md notes.txt");
	free(l);
	expect_file(path_in("user/README.md"), "old readme\n");
	expect_no_leftovers();
	weft_templates_plan_free(p);
}

Test(scaffold, links_in_the_destination_are_not_followed)
{
	weft_templates_plan *p = plan_full(owner_ann, 1);
	mkdir(path_in("elsewhere"), 0755);
	/* DEST itself a link */
	cr_assert_eq(symlink("elsewhere", path_in("link")), 0);
	cr_expect_eq(write_plan(p, path_in("link"), NULL, NULL), WEFT_EENV);
	cr_expect(strstr(first_error()->message, "symbolic link"));
	weft_diags_clear(d);
	/* a folder in DEST that is a link, written into with --force */
	make_user_folder();
	cr_assert_eq(symlink("../elsewhere", path_in("user/src")), 0);
	weft_templates_write_opts o = { .force = true };
	cr_expect_eq(write_plan(p, path_in("user"), &o, NULL), WEFT_EINVALID);
	const weft_diag *g = first_error();
	cr_expect(strstr(g->path, "user/src"), "%s", g->path);
	char *l = weft_test_listing(path_in("elsewhere"));
	cr_expect_str_eq(l, "");
	free(l);
	l = weft_test_listing(path_in("user"));
	cr_expect_str_eq(l, "README.md notes.txt src");
	free(l);
	weft_templates_plan_free(p);
	expect_no_leftovers();
}

/* A copy of the mini template in tmp/tpl, to add hostile entries to. */
static const char *mini_copy(void)
{
	static char dir[512];
	char cmd[700];
	snprintf(dir, sizeof dir, "%s/tpl", tmp);
	snprintf(cmd, sizeof cmd, "cp -R '%s' '%s'", MINI, dir);
	cr_assert_eq(system(cmd), 0);
	return dir;
}

static int plan_dir(const char *dir)
{
	weft_templates_manifest *m = manifest(dir);
	cJSON *v = NULL;
	cr_assert_eq(weft_templates_values_resolve(&v, m, NULL, d), 0);
	weft_templates_plan *p = NULL;
	int err = weft_templates_plan_new(&p, m, NULL, v, d);
	weft_templates_plan_free(p);
	cJSON_Delete(v);
	weft_templates_manifest_free(m);
	return err;
}

Test(scaffold, links_in_the_template_must_stay_inside)
{
	const char *dir = mini_copy();
	mkdir(path_in("tpl/files/sub"), 0755);
	cr_assert_eq(symlink("../hello.txt", path_in("tpl/files/sub/ok")), 0);
	cr_assert_eq(plan_dir(dir), 0, "a link inside the template is fine");
	static const char *const bad[] = { "/etc/passwd", "../../outside", "../x/../../y", "../..", "./x", "a//b" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		weft_diags_clear(d);
		unlink(path_in("tpl/files/sub/bad"));
		cr_assert_eq(symlink(bad[i], path_in("tpl/files/sub/bad")), 0);
		cr_expect_eq(plan_dir(dir), WEFT_EINVALID, "link to %s accepted", bad[i]);
		cr_expect(strstr(first_error()->message, "symbolic link"), "%s", first_error()->message);
	}
}

Test(scaffold, special_files_are_refused)
{
	const char *dir = mini_copy();
	cr_assert_eq(mkfifo(path_in("tpl/files/pipe"), 0644), 0);
	cr_expect_eq(plan_dir(dir), WEFT_EINVALID);
	cr_expect(strstr(first_error()->message, "special file"));
}

Test(scaffold, collisions_are_refused)
{
	const char *dir = mini_copy();
	write_file(path_in("tpl/files/{{who}}.txt"), "a");
	write_file(path_in("tpl/files/world.txt"), "b");
	cr_expect_eq(plan_dir(dir), WEFT_EINVALID);
	cr_expect(strstr(first_error()->message, "same path as"), "%s", first_error()->message);
}

/* ---- sources ---- */

/* A repository holding mini, hello.txt saying v1 at tag v1 and v2 at HEAD. */
static void make_repo(git_oid *v1, git_oid *v2)
{
	git_libgit2_init();
	mini_copy();
	write_file(path_in("tpl/files/hello.txt"), "v1 {{who}}\n");
	weft_test_git_commit_all(path_in("tpl"), "v1", v1);
	weft_test_git_tag(path_in("tpl"), "v1", v1);
	write_file(path_in("tpl/files/hello.txt"), "v2 {{who}}\n");
	weft_test_git_commit_all(path_in("tpl"), "v2", v2);
	git_libgit2_shutdown();
}

static void expect_source(const weft_templates_source_opts *o, const char *hello, const git_oid *commit)
{
	weft_templates_source *s = NULL;
	int err = weft_templates_source_open(&s, o, d);
	if (err)
		weft_diags_print(d, stderr, false);
	cr_assert_eq(err, 0);
	char path[512];
	snprintf(path, sizeof path, "%s/files/hello.txt", weft_templates_source_dir(s));
	expect_file(path, hello);
	char hex[41];
	git_oid_tostr(hex, sizeof hex, commit);
	cr_expect_str_eq(weft_templates_source_commit(s), hex);
	char clone[512];
	snprintf(clone, sizeof clone, "%s", weft_templates_source_dir(s));
	bool cloned = strcmp(clone, path_in("tpl")) != 0;
	weft_templates_source_free(s);
	if (cloned)
		cr_expect(!weft_path_exists(clone), "clone %s not removed", clone);
}

Test(scaffold, git_source_at_a_tag_branch_or_commit)
{
	git_oid v1, v2;
	make_repo(&v1, &v2);
	char abs[256];
	cr_assert_not_null(realpath(path_in("tpl"), abs));
	weft_templates_source_opts o = { .spec = abs, .ref = "v1" };
	expect_source(&o, "v1 {{who}}\n", &v1);
	o.ref = NULL; /* in place, HEAD recorded */
	expect_source(&o, "v2 {{who}}\n", &v2);
	char hex[41];
	git_oid_tostr(hex, sizeof hex, &v1);
	o.pin = hex; /* an answers file's commit */
	expect_source(&o, "v1 {{who}}\n", &v1);
	o.ref = "master";
	o.pin = NULL;
	weft_templates_source *s = NULL;
	if (weft_templates_source_open(&s, &o, d) != 0) {
		/* the default branch may be called main */
		weft_diags_clear(d);
		o.ref = "main";
	} else {
		weft_templates_source_free(s);
	}
	expect_source(&o, "v2 {{who}}\n", &v2);
	char url[300];
	snprintf(url, sizeof url, "file://%s", abs);
	o.spec = url;
	o.ref = "v1";
	expect_source(&o, "v1 {{who}}\n", &v1);

	o.ref = "v9";
	cr_expect_eq(weft_templates_source_open(&s, &o, d), WEFT_EINVALID);
	cr_expect(strstr(first_error()->message, "ref 'v9' not found"));
}

Test(scaffold, sources_by_name_and_folder)
{
	weft_templates_source *s = NULL;
	weft_templates_source_opts o = { .spec = "mini", .data_dir = DATA };
	cr_assert_eq(weft_templates_source_open(&s, &o, d), 0);
	cr_expect_str_eq(weft_templates_source_origin(s), "mini");
	cr_expect_null(weft_templates_source_commit(s));
	weft_templates_source_free(s);

	o.spec = "mni";
	cr_expect_eq(weft_templates_source_open(&s, &o, d), WEFT_EUSAGE);
	cr_expect(strstr(first_error()->hint, "did you mean 'mini'"));
	weft_diags_clear(d);

	o.spec = FULL;
	o.ref = "v1";
	cr_expect_eq(weft_templates_source_open(&s, &o, d), WEFT_EUSAGE);
	cr_expect(strstr(first_error()->message, "not a git repository"));

	char **names = NULL;
	size_t n = 0;
	cr_assert_eq(weft_templates_shipped_list(&names, &n, DATA, d), 0);
	cr_assert_eq(n, 1);
	cr_expect_str_eq(names[0], "mini");
	weft_templates_names_free(names, n);
}

Test(scaffold, answers_reproduce_the_project)
{
	const char *sets[] = { "owner=zoe", "features=auth,tracing", "use_db=1", "project=again" };
	weft_templates_plan *p = plan_full(sets, 4);
	cr_assert_eq(write_plan(p, path_in("one"), NULL, NULL), 0);
	weft_templates_plan_free(p);

	weft_templates_manifest *m = manifest(FULL);
	weft_templates_answers *a = NULL;
	cr_assert_eq(weft_templates_answers_load(&a, path_in("one/.weft-answers.yaml"), d), 0);
	cJSON *v = NULL;
	weft_templates_values_opts o = { .answers = a };
	cr_assert_eq(weft_templates_values_resolve(&v, m, &o, d), 0);
	cr_assert_eq(weft_templates_plan_new(&p, m, NULL, v, d), 0);
	cr_assert_eq(write_plan(p, path_in("two"), NULL, NULL), 0);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "diff -r --no-dereference '%s' '%s' >/dev/null", path_in("one"), path_in("two"));
	cr_expect_eq(system(cmd), 0, "the second project differs from the first");
	weft_templates_plan_free(p);
	cJSON_Delete(v);
	weft_templates_answers_free(a);
	weft_templates_manifest_free(m);
}

/* root: "." - the template folder is the files folder, less its own parts. */
Test(scaffold, root_is_the_template_folder)
{
	mkdir(path_in("t"), 0755);
	mkdir(path_in("t/partials"), 0755);
	mkdir(path_in("t/.git"), 0755);
	mkdir(path_in("t/src"), 0755);
	write_file(path_in("t/template.yaml"), "name: t\nversion: '1'\nsummary: s\nroot: .\n");
	write_file(path_in("t/partials/p"), "from a partial");
	write_file(path_in("t/.git/HEAD"), "ref: refs/heads/main\n");
	write_file(path_in("t/src/main.c"), "x {{> p}}\n");
	weft_templates_manifest *m = manifest(path_in("t"));
	cJSON *v = cJSON_CreateObject();
	weft_templates_plan *p = NULL;
	cr_assert_eq(weft_templates_plan_new(&p, m, NULL, v, d), 0);
	weft_buf b = WEFT_BUF_INIT;
	for (size_t i = 0; i < weft_templates_plan_count(p); i++)
		weft_buf_printf(&b, "%s ", weft_templates_plan_file(p, i)->path);
	cr_expect_str_eq(b.ptr, "src src/main.c .weft-answers.yaml ");
	cr_assert_eq(write_plan(p, path_in("out"), NULL, NULL), 0);
	expect_file(path_in("out/src/main.c"), "x from a partial\n");
	weft_buf_free(&b);
	weft_templates_plan_free(p);
	cJSON_Delete(v);
	weft_templates_manifest_free(m);
}

/* ---- the temporary folder: short names, a marker, leftovers removed ---- */

/* The one entry of tmp whose name starts with ".weft-tmp-", or "" when none
 * (fails when there are several). */
static void leftover_in(char *out, size_t len)
{
	DIR *dh = opendir(tmp);
	cr_assert_not_null(dh);
	struct dirent *e;
	out[0] = '\0';
	while ((e = readdir(dh))) {
		if (strncmp(e->d_name, ".weft-tmp-", 10))
			continue;
		cr_assert_eq(out[0], '\0', "two temporary folders: %s and %s", out, e->d_name);
		snprintf(out, len, "%s/%s", tmp, e->d_name);
	}
	closedir(dh);
}

static size_t notes(void)
{
	size_t n = 0;
	for (size_t i = 0; i < weft_diags_count(d); i++)
		n += weft_diags_get(d, i)->severity == WEFT_SEV_NOTE;
	return n;
}

static const weft_diag *first_note(void)
{
	for (size_t i = 0; i < weft_diags_count(d); i++)
		if (weft_diags_get(d, i)->severity == WEFT_SEV_NOTE)
			return weft_diags_get(d, i);
	cr_assert_fail("no note recorded");
	return NULL;
}

static int kill_at_call;

static int kill_myself(void *ctx, const char *path)
{
	(void)path;
	int *calls = ctx;
	if (++*calls == kill_at_call)
		raise(SIGKILL);
	return 0;
}

/* A `weft new` killed midway leaves its temporary folder, marked; the next
 * scaffold into the same destination removes it and says so. */
Test(scaffold, a_killed_scaffold_is_cleaned_up_by_the_next)
{
	weft_templates_plan *p = plan_full(owner_ann, 1);
	char dest[512];
	snprintf(dest, sizeof dest, "%s", path_in("proj"));
	kill_at_call = 9;
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		int calls = 0;
		weft_templates_write_opts o = { .git = true, .before_write = kill_myself, .hook_ctx = &calls };
		weft_diags *cd = NULL;
		weft_diags_new(&cd);
		weft_templates_plan_write(p, dest, &o, NULL, cd);
		_exit(0); /* not reached: killed at the ninth file */
	}
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", (unsigned)status);
	cr_expect(!weft_path_exists(dest), "a killed scaffold reached the destination");
	char left[600];
	leftover_in(left, sizeof left);
	cr_assert_neq(left[0], '\0', "no temporary folder left by the killed scaffold");
	cr_expect_eq(strlen(strrchr(left, '/') + 1), strlen(".weft-tmp-XXXXXX"), "%s", left);
	char *l = weft_test_listing(left);
	cr_expect_str_eq(l, ".weft-incomplete p");
	free(l);
	char marker[700], host[256] = "", want[1024];
	snprintf(marker, sizeof marker, "%s/.weft-incomplete", left);
	cr_assert_eq(gethostname(host, sizeof host - 1), 0);
	char *m = slurp(marker, NULL);
	snprintf(want, sizeof want, "\npid %ld\nhost %s\ndest proj\n", (long)pid, host);
	cr_expect(strstr(m, want), "the marker says:\n%s", m);
	free(m);

	weft_templates_write_opts o = { .git = true };
	cr_assert_eq(write_plan(p, dest, &o, NULL), 0);
	weft_templates_plan_free(p);
	cr_expect(!weft_path_exists(left), "%s was not removed", left);
	l = weft_test_listing(tmp);
	cr_expect_str_eq(l, "proj");
	free(l);
	cr_expect_eq(weft_diags_count(d), 1);
	const weft_diag *g = first_note();
	cr_expect_str_eq(g->path, left);
	cr_expect(strstr(g->message, "removed the temporary folder"), "%s", g->message);
	snprintf(want, sizeof want, "process %ld is gone", (long)pid);
	cr_expect(strstr(g->message, want), "%s", g->message);
	/* the marker is no part of the project */
	cr_expect(!weft_path_exists(path_in("proj/.weft-incomplete")));
	cr_expect(!weft_path_exists(path_in("proj/p")));
	expect_file(path_in("proj/docs/guide.md"), "Guide for demo-service\n");
}

/* A pid no process has: a child's, once it has exited and been reaped. */
static long dead_pid(void)
{
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0)
		_exit(0);
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert_eq(kill(pid, 0), -1);
	cr_assert_eq(errno, ESRCH);
	return (long)pid;
}

/* A folder shaped like a leftover, tmp/.weft-tmp-<suffix>, with a file in
 * it; with a marker naming pid, host and dest unless pid is 0. */
static char *fake_leftover(const char *suffix, long pid, const char *host, const char *dest)
{
	static char bufs[8][600];
	static int k;
	char *dir = bufs[k++ % 8];
	snprintf(dir, 600, "%s/.weft-tmp-%s", tmp, suffix);
	cr_assert_eq(mkdir(dir, 0700), 0, "%s", dir);
	char sub[700], text[1024];
	snprintf(sub, sizeof sub, "%s/p", dir);
	cr_assert_eq(mkdir(sub, 0755), 0);
	snprintf(sub, sizeof sub, "%s/p/README.md", dir);
	write_file(sub, "half written\n");
	if (pid) {
		snprintf(sub, sizeof sub, "%s/.weft-incomplete", dir);
		snprintf(text, sizeof text, "weft new: an unfinished project\npid %ld\nhost %s\ndest %s\n", pid, host,
			 dest);
		write_file(sub, text);
	}
	return dir;
}

Test(scaffold, only_marked_leftovers_of_gone_processes_are_removed)
{
	char host[256] = "";
	cr_assert_eq(gethostname(host, sizeof host - 1), 0);
	long gone = dead_pid();
	char *dead = fake_leftover("dead01", gone, host, "proj");
	char *alive = fake_leftover("alive1", (long)getpid(), host, "proj");
	char *parent = fake_leftover("alive2", (long)getppid(), host, "proj");
	char *unmarked = fake_leftover("nomark", 0, host, "proj");
	char *other_dest = fake_leftover("other1", gone, host, "other");
	char *other_host = fake_leftover("host01", gone, "not-this-host.example", "proj");
	/* a link shaped like a leftover, to a marked folder elsewhere */
	mkdir(path_in("elsewhere"), 0755);
	char target[600], link[600];
	snprintf(target, sizeof target, "%s", fake_leftover("target", gone, host, "proj"));
	cr_assert_eq(rename(target, path_in("elsewhere/.weft-tmp-target")), 0);
	snprintf(link, sizeof link, "%s/.weft-tmp-link01", tmp);
	cr_assert_eq(symlink("elsewhere/.weft-tmp-target", link), 0);

	weft_templates_plan *p = plan_full(owner_ann, 1);
	cr_assert_eq(write_plan(p, path_in("proj"), NULL, NULL), 0);
	weft_templates_plan_free(p);

	cr_expect(!weft_path_exists(dead), "the leftover of a gone process was kept");
	cr_expect_eq(notes(), 1);
	cr_expect_str_eq(first_note()->path, dead);
	const char *kept[] = { alive, parent, unmarked, other_dest, other_host };
	for (size_t i = 0; i < sizeof kept / sizeof kept[0]; i++) {
		char f[700];
		snprintf(f, sizeof f, "%s/p/README.md", kept[i]);
		cr_expect(weft_path_exists(f), "%s was touched", kept[i]);
	}
	struct stat st;
	cr_expect_eq(lstat(link, &st), 0);
	cr_expect(S_ISLNK(st.st_mode), "the link was replaced");
	cr_expect(weft_path_exists(path_in("elsewhere/.weft-tmp-target/p/README.md")), "a link was followed");
	char *l = weft_test_listing(tmp);
	cr_expect_str_eq(l, ".weft-tmp-alive1 .weft-tmp-alive2 .weft-tmp-host01 .weft-tmp-link01 .weft-tmp-nomark "
			    ".weft-tmp-other1 elsewhere proj");
	free(l);

	/* a scaffold into another destination in the same folder takes only its own */
	weft_diags_clear(d);
	p = plan_full(owner_ann, 1);
	cr_assert_eq(write_plan(p, path_in("other"), NULL, NULL), 0);
	weft_templates_plan_free(p);
	cr_expect(!weft_path_exists(other_dest));
	cr_expect_eq(notes(), 1);
	cr_expect(weft_path_exists(unmarked) && weft_path_exists(other_host) && weft_path_exists(alive));
}

/* Destination names up to NAME_MAX: the temporary folder's name does not
 * grow with them. */
Test(scaffold, a_destination_with_a_long_name)
{
	static const size_t lengths[] = { 250, 255 };
	for (size_t k = 0; k < 2; k++) {
		char name[256], dest[600], f[700];
		memset(name, 'd', lengths[k]);
		name[lengths[k]] = '\0';
		snprintf(dest, sizeof dest, "%s/%s", tmp, name);
		weft_templates_plan *p = plan_full(owner_ann, 1);
		weft_templates_write_opts o = { .git = true };
		int err = write_plan(p, dest, &o, NULL);
		if (err)
			weft_diags_print(d, stderr, false);
		cr_assert_eq(err, 0, "a %zu-byte destination name", lengths[k]);
		weft_templates_plan_free(p);
		snprintf(f, sizeof f, "%s/docs/guide.md", dest);
		expect_file(f, "Guide for demo-service\n");
		snprintf(f, sizeof f, "%s/.git/HEAD", dest);
		cr_expect(weft_path_exists(f));
		snprintf(f, sizeof f, "%s/.weft-incomplete", dest);
		cr_expect(!weft_path_exists(f));
	}
	expect_no_leftovers();
}

/* The project folder and its files get their modes less the umask. */
Test(scaffold, modes_follow_the_umask)
{
	umask(027);
	weft_templates_plan *p = plan_full(owner_ann, 1);
	cr_assert_eq(write_plan(p, path_in("proj"), NULL, NULL), 0);
	weft_templates_plan_free(p);
	umask(022);
	static const struct {
		const char *rel;
		unsigned mode;
	} want[] = { { "proj", 0777 }, { "proj/src", 0755 }, { "proj/README.md", 0644 }, { "proj/bin/run.sh", 0755 } };
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		struct stat st;
		cr_assert_eq(stat(path_in(want[i].rel), &st), 0);
		cr_expect_eq(st.st_mode & 07777, want[i].mode & ~027u, "%s: %04o, expected %04o", want[i].rel,
			     (unsigned)(st.st_mode & 07777), want[i].mode & ~027u);
	}
	expect_no_leftovers();
}

/* ---- --force is one transaction -------------------------------------------------- */

/* Everything a folder tree holds, as text: for each entry (sorted, depth
 * first) its path, type, mode and inode, and a file's bytes or a link's
 * target (bytes other than printable ASCII and newlines escaped as \xHH).
 * Two equal snapshots: the same tree byte for byte and mode for mode, with
 * the very same files (a copy would have another inode). */
static void snapshot_at(weft_buf *b, const char *dir, const char *rel)
{
	char path[1024];
	snprintf(path, sizeof path, "%s%s%s", dir, *rel ? "/" : "", rel);
	struct dirent **ents = NULL;
	int k = scandir(path, &ents, NULL, alphasort);
	cr_assert_geq(k, 0, "cannot read %s", path);
	for (int i = 0; i < k; i++) {
		const char *n = ents[i]->d_name;
		if (strcmp(n, ".") && strcmp(n, "..")) {
			char sub[1024], full[2048];
			snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", n);
			snprintf(full, sizeof full, "%s/%s", dir, sub);
			struct stat st;
			cr_assert_eq(lstat(full, &st), 0, "%s", full);
			weft_buf_printf(b, "%s %c %04o %ju", sub,
					S_ISDIR(st.st_mode) ? 'd' : S_ISLNK(st.st_mode) ? 'l' : 'f',
					(unsigned)(st.st_mode & 07777), (uintmax_t)st.st_ino);
			if (S_ISLNK(st.st_mode)) {
				char target[1024];
				ssize_t t = readlink(full, target, sizeof target - 1);
				cr_assert_geq(t, 0);
				target[t] = '\0';
				weft_buf_printf(b, " -> %s\n", target);
			} else if (S_ISREG(st.st_mode)) {
				size_t len;
				char *data = slurp(full, &len);
				weft_buf_printf(b, " %zu:", len);
				/* escaped, so that the snapshot is a string whatever the bytes */
				for (size_t q = 0; q < len; q++) {
					unsigned char c = (unsigned char)data[q];
					if ((c < 0x20 && c != '\n') || c >= 0x7f || c == '\\')
						weft_buf_printf(b, "\\x%02x", c);
					else
						weft_buf_put(b, data + q, 1);
				}
				weft_buf_put(b, "\n", 1);
				free(data);
			} else {
				weft_buf_put(b, "\n", 1);
				snapshot_at(b, dir, sub);
			}
		}
		free(ents[i]);
	}
	free(ents);
}

static char *snapshot(const char *dir)
{
	weft_buf b = WEFT_BUF_INIT;
	struct stat st;
	cr_assert_eq(lstat(dir, &st), 0, "%s", dir);
	weft_buf_printf(&b, ". d %04o %ju\n", (unsigned)(st.st_mode & 07777), (uintmax_t)st.st_ino);
	snapshot_at(&b, dir, "");
	cr_assert_not(b.oom);
	return weft_buf_detach(&b);
}

static void write_mode(const char *rel, const char *text, mode_t mode)
{
	write_file(path_in(rel), text);
	cr_assert_eq(chmod(path_in(rel), mode), 0);
}

/* A user's folder that the fixture's plan writes into: five files of the
 * same names (one a dangling link), odd modes, and files of the user's
 * own beside them, at the top and in folders the template writes into. */
static void make_rich_user_folder(void)
{
	cr_assert_eq(mkdir(path_in("user"), 0750), 0);
	write_mode("user/notes.txt", "mine\n", 0600);
	write_mode("user/README.md", "old readme\n", 0640);
	cr_assert_eq(symlink("nowhere", path_in("user/Dockerfile")), 0);
	write_mode("user/.weft-answers.yaml", "project: old\n", 0644);
	cr_assert_eq(mkdir(path_in("user/src"), 0700), 0);
	write_mode("user/src/demo_service.c", "/* old code */\n", 0755);
	write_mode("user/src/keep.c", "keep\n", 0444);
	cr_assert_eq(mkdir(path_in("user/docs"), 0755), 0);
	write_mode("user/docs/guide.md", "old guide\n", 0664);
	cr_assert_eq(mkdir(path_in("user/other"), 0755), 0);
	write_mode("user/other/x", "x\n", 0644);
}

static const char *const rich_replaced[] = { "Dockerfile", "README.md", "docs/guide.md", "src/demo_service.c",
					     ".weft-answers.yaml" };

static void expect_replaced(const weft_templates_write_result *res, const char *const *want, size_t n)
{
	weft_buf got = WEFT_BUF_INIT, exp = WEFT_BUF_INIT;
	weft_buf_put(&got, "", 0);
	weft_buf_put(&exp, "", 0);
	for (size_t i = 0; i < res->n_replaced; i++)
		weft_buf_printf(&got, "%s ", res->replaced[i]);
	for (size_t i = 0; i < n; i++)
		weft_buf_printf(&exp, "%s ", want[i]);
	cr_expect_str_eq(got.ptr, exp.ptr, "replaced files");
	weft_buf_free(&got);
	weft_buf_free(&exp);
}

static int inject_move(void *ctx, const char *path)
{
	(void)path;
	fault *f = ctx;
	return ++f->calls == f->fail_at ? f->code : 0;
}

/* A failure at any step of the moves into DEST (each folder made, each file
 * moved aside, each moved in, .git) leaves DEST exactly as it was; once no
 * step fails, the report lists the replaced files and nothing else of the
 * user's is touched. */
Test(scaffold, force_is_all_or_nothing)
{
	make_rich_user_folder();
	char *before = snapshot(path_in("user"));
	weft_templates_plan *p = plan_full(owner_ann, 1);
	int steps = 0;
	for (int n = 1;; n++) {
		cr_assert_lt(n, 200, "the moves never finished");
		fault f = { 0, n, n % 2 ? EIO : ENOSPC };
		weft_templates_write_opts o = { .git = true, .force = true, .before_move = inject_move, .hook_ctx = &f };
		weft_templates_write_result res;
		weft_diags_clear(d);
		int err = write_plan(p, path_in("user"), &o, &res);
		if (f.calls < n) {
			/* the hook was never asked for step n: all went through */
			cr_assert_eq(err, 0);
			steps = f.calls;
			expect_replaced(&res, rich_replaced, 5);
			weft_templates_write_result_free(&res);
			break;
		}
		cr_expect_eq(err, WEFT_EENV, "step %d", n);
		cr_expect(strstr(first_error()->message, strerror(f.code)), "%s", first_error()->message);
		cr_expect_eq(res.n_replaced, 0);
		cr_expect_null(res.replaced);
		char *after = snapshot(path_in("user"));
		cr_expect_str_eq(after, before, "a failure at step %d changed DEST", n);
		free(after);
		char *l = weft_test_listing(tmp);
		cr_expect_str_eq(l, "user", "a failure at step %d", n);
		free(l);
		for (size_t i = 0; i < weft_diags_count(d); i++)
			cr_expect_neq(weft_diags_get(d, i)->severity, WEFT_SEV_WARNING, "step %d: %s", n,
				      weft_diags_get(d, i)->message);
	}
	/* 12 folders and files new, 5 replaced (two steps each), .git */
	cr_expect_eq(steps, 12 + 2 * 5 + 1, "%d steps", steps);
	weft_templates_plan_free(p);

	/* the template's files, modes and the first commit are in place */
	expect_file(path_in("user/docs/guide.md"), "Guide for demo-service\n");
	expect_file(path_in("user/Dockerfile"), "FROM alpine\nEXPOSE 8080\n");
	struct stat st;
	cr_assert_eq(lstat(path_in("user/src/demo_service.c"), &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0644, "the template's mode applies to new content");
	cr_expect(weft_path_exists(path_in("user/.git/HEAD")));
	/* what the template does not write is untouched, inode, mode and all
	 * (.git left out: its index holds NUL bytes) */
	char cmd[700];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", path_in("user/.git"));
	cr_assert_eq(system(cmd), 0);
	char *after = snapshot(path_in("user"));
	static const char *const untouched[] = { "notes.txt f 0600", "src/keep.c f 0444", "other/x f 0644",
						 "other d 0755" };
	for (size_t i = 0; i < sizeof untouched / sizeof untouched[0]; i++) {
		const char *line = strstr(before, untouched[i]);
		cr_assert_not_null(line, "%s", untouched[i]);
		char want[256];
		snprintf(want, sizeof want, "%.*s", (int)strcspn(line, "\n"), line);
		cr_expect_not_null(strstr(after, want), "changed: %s", want);
	}
	cr_expect(!strncmp(after, before, strcspn(before, "\n")), "DEST itself changed");
	free(after);
	free(before);
	char *l = weft_test_listing(tmp);
	cr_expect_str_eq(l, "user");
	free(l);
}

/* --dry-run --force names the files it would replace and writes nothing. */
Test(scaffold, dry_run_force_lists_what_it_would_replace)
{
	make_rich_user_folder();
	char *before = snapshot(path_in("user"));
	weft_templates_plan *p = plan_full(owner_ann, 1);
	weft_templates_write_opts o = { .git = true, .force = true, .dry_run = true };
	weft_templates_write_result res;
	cr_assert_eq(write_plan(p, path_in("user"), &o, &res), 0);
	cr_expect(res.merged);
	expect_replaced(&res, rich_replaced, 5);
	weft_templates_write_result_free(&res);
	cr_expect_eq(res.n_replaced, 0);
	char *after = snapshot(path_in("user"));
	cr_expect_str_eq(after, before);
	free(after);
	char *l = weft_test_listing(tmp);
	cr_expect_str_eq(l, "user");
	free(l);
	/* without --force it says what the real run would */
	o.force = false;
	cr_expect_eq(write_plan(p, path_in("user"), &o, &res), WEFT_EEXISTS);
	cr_expect(strstr(first_error()->message, "not empty"));
	/* a new folder: nothing to replace, nothing made */
	weft_diags_clear(d);
	cr_assert_eq(write_plan(p, path_in("new"), &o, &res), 0);
	cr_expect_eq(res.n_replaced, 0);
	cr_expect_not(weft_path_exists(path_in("new")));
	weft_templates_plan_free(p);
	free(before);
}

/* Make a folder unwritable for real: the immutable attribute (chattr +i)
 * where we are root and the file system has it; else, for a user who is
 * not root, a folder without write permission, which fails the same
 * renames (EACCES instead of EPERM). Root on a file system without the
 * attribute (tmpfs) skips, and fails under CI. Returns the flag set. */
static bool set_immutable(const char *path, bool on)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return false;
	int flags = 0;
	bool ok = ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
	if (ok) {
		flags = on ? flags | FS_IMMUTABLE_FL : flags & ~FS_IMMUTABLE_FL;
		ok = ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
	}
	int saved = errno;
	close(fd);
	errno = saved;
	return ok;
}

static void lock_folder(const char *path)
{
	if (geteuid() != 0) {
		cr_log_info("not root: a read-only folder stands in for an immutable one");
		cr_assert_eq(chmod(path, 0555), 0);
		return;
	}
	if (set_immutable(path, true)) {
		snprintf(immutable_dir, sizeof immutable_dir, "%s", path);
		return;
	}
	char why[256];
	snprintf(why, sizeof why, "the immutable attribute on %s (chattr +i): %s", path, strerror(errno));
	if (weft_test_in_ci())
		cr_assert_fail("CI is set and %s", why);
	cr_skip_test("no %s; skipped outside CI, a failure when CI=true", why);
}

static void unlock_folder(const char *path, mode_t mode)
{
	if (immutable_dir[0]) {
		cr_assert(set_immutable(immutable_dir, false), "cannot clear the immutable flag of %s", immutable_dir);
		immutable_dir[0] = '\0';
	}
	cr_assert_eq(chmod(path, mode), 0);
}

/* The user's report: a folder the template writes into cannot be changed,
 * so --force fails part-way; the folder must be exactly as it was. Once
 * with a file there to replace, once with only a new file to put there. */
Test(scaffold, force_into_an_immutable_folder_changes_nothing)
{
	for (int round = 0; round < 2; round++) {
		make_rich_user_folder();
		if (round == 1)
			cr_assert_eq(unlink(path_in("user/src/demo_service.c")), 0);
		char *before = snapshot(path_in("user"));
		lock_folder(path_in("user/src"));
		weft_templates_plan *p = plan_full(owner_ann, 1);
		weft_templates_write_opts o = { .git = true, .force = true };
		weft_templates_write_result res;
		weft_diags_clear(d);
		int err = write_plan(p, path_in("user"), &o, &res);
		unlock_folder(path_in("user/src"), 0700);
		weft_templates_plan_free(p);
		cr_expect_eq(err, WEFT_EENV, "round %d", round);
		const weft_diag *g = first_error();
		cr_expect(strstr(g->path, "user/src/demo_service.c"), "%s", g->path);
		cr_expect(strstr(g->message, round ? "cannot move into place" : "cannot move the existing file aside"),
			  "%s", g->message);
		char *after = snapshot(path_in("user"));
		cr_expect_str_eq(after, before, "round %d: DEST changed", round);
		free(after);
		free(before);
		char *l = weft_test_listing(tmp);
		cr_expect_str_eq(l, "user", "round %d", round);
		free(l);
		char cmd[700];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", path_in("user"));
		cr_assert_eq(system(cmd), 0);
	}
}

static int kill_at_move(void *ctx, const char *path)
{
	(void)path;
	int *calls = ctx;
	if (++*calls == kill_at_call)
		raise(SIGKILL);
	return 0;
}

/* weft killed in the middle of the moves: DEST holds some new files and
 * lacks some originals, the temporary folder holds the rest and a journal.
 * The next write into DEST puts it back as it was before anything else. */
Test(scaffold, a_force_killed_mid_way_is_undone_by_the_next)
{
	make_rich_user_folder();
	char *before = snapshot(path_in("user"));
	weft_templates_plan *p = plan_full(owner_ann, 1);
	char dest[512];
	snprintf(dest, sizeof dest, "%s", path_in("user"));
	for (int at = 1; at <= 23; at += 4) {
		kill_at_call = at;
		fflush(stdout);
		fflush(stderr);
		pid_t pid = fork();
		cr_assert_neq(pid, -1);
		if (pid == 0) {
			int calls = 0;
			weft_templates_write_opts o = {
				.git = true, .force = true, .before_move = kill_at_move, .hook_ctx = &calls
			};
			weft_diags *cd = NULL;
			weft_diags_new(&cd);
			weft_templates_plan_write(p, dest, &o, NULL, cd);
			_exit(0); /* not reached */
		}
		int status;
		cr_assert_eq(waitpid(pid, &status, 0), pid);
		cr_assert(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "status %#x", (unsigned)status);
		char left[600];
		leftover_in(left, sizeof left);
		cr_assert_neq(left[0], '\0', "no temporary folder left by the killed run");
		char jpath[700];
		snprintf(jpath, sizeof jpath, "%s/journal", left);
		char *j = slurp(jpath, NULL);
		cr_expect(!strncmp(j, "weft new --force journal 1\nnew ", 31), "%s", j);
		cr_expect(strstr(j, "\nreplace "), "%s", j);
		free(j);

		/* the next run undoes the killed one before it looks at DEST: one with
		 * --force that then fails to write, or (every other step) one without
		 * --force, which then finds the restored folder not empty */
		bool force_next = (at / 4) % 2 == 0;
		fault f = { 0, 1, EIO };
		weft_templates_write_opts o = { .git = true, .force = force_next, .before_write = inject,
						.hook_ctx = &f };
		weft_diags_clear(d);
		cr_expect_eq(write_plan(p, dest, &o, NULL), force_next ? WEFT_EENV : WEFT_EEXISTS);
		char *after = snapshot(dest);
		cr_expect_str_eq(after, before, "killed at step %d: not undone", at);
		free(after);
		char *l = weft_test_listing(tmp);
		cr_expect_str_eq(l, "user", "killed at step %d", at);
		free(l);
		cr_expect_eq(notes(), 2, "killed at step %d", at);
		cr_expect(strstr(first_note()->message, "undid an interrupted weft new --force"), "%s",
			  first_note()->message);
	}
	weft_templates_plan_free(p);
	free(before);
}

/* weft_templates_plan_check_dest: plan_write's checks of DEST, writing
 * nothing (what a dry run calls). */
Test(scaffold, the_destination_is_checked_without_writing)
{
	weft_templates_plan *p = plan_full(owner_ann, 1);
	cr_expect_eq(weft_templates_plan_check_dest(p, path_in("new"), NULL, d), 0);
	cr_expect_not(weft_path_exists(path_in("new")));
	mkdir(path_in("empty"), 0755);
	cr_expect_eq(weft_templates_plan_check_dest(p, path_in("empty"), NULL, d), 0);
	write_file(path_in("empty/mine.txt"), "mine");
	cr_expect_eq(weft_templates_plan_check_dest(p, path_in("empty"), NULL, d), WEFT_EEXISTS);
	cr_expect(strstr(first_error()->message, "destination folder is not empty"));
	weft_diags_clear(d);
	weft_templates_write_opts o = { .force = true };
	cr_expect_eq(weft_templates_plan_check_dest(p, path_in("empty"), &o, d), 0);
	cr_expect_eq(weft_templates_plan_check_dest(p, path_in("empty/mine.txt"), NULL, d), WEFT_EEXISTS);
	weft_diags_clear(d);
	cr_expect_eq(weft_templates_plan_check_dest(p, path_in("no/such"), NULL, d), WEFT_EENV);
	weft_diags_clear(d);
	cr_expect_eq(weft_templates_plan_check_dest(p, "", NULL, d), WEFT_EUSAGE);
	char *l = weft_test_listing(path_in("empty"));
	cr_expect_str_eq(l, "mine.txt");
	free(l);
	weft_templates_plan_free(p);
}
