/* test_templates_update.c - weft update: a project made from v1 of a git
 * template (built here with libgit2, tags v1, v2, v3) is edited by its user
 * and brought to v2 and v3. Every expectation is the text the test wrote
 * itself: the user's lines and the template's lines, both present after a
 * clean merge, both between the markers after a clash; a dry run and an
 * injected failure compared byte for byte with a snapshot of the project
 * (every path, mode, content, inode and the base ref) taken before.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <git2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_run.h"
#include "git_test.h"
#include "templates_int.h"

static weft_diags *d;
static char tmp[64];
static char tpl[128]; /* the template repository, absolute */
static git_oid v1, v2, v3;

static char *path_in(const char *rel)
{
	static char bufs[8][512];
	static int k;
	char *b = bufs[k++ % 8];
	snprintf(b, 512, "%s/%s", tmp, rel);
	return b;
}

static void write_file(const char *path, const char *text, size_t len)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s", path);
	for (char *s = dir + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(dir, 0755);
			*s = '/';
		}
	FILE *fp = fopen(path, "wb");
	cr_assert_not_null(fp, "cannot write %s", path);
	fwrite(text, 1, len, fp);
	fclose(fp);
}

static void put(const char *rel, const char *text)
{
	write_file(path_in(rel), text, strlen(text));
}

static char *slurp(const char *path)
{
	char *s = NULL;
	size_t len;
	weft_diags *scratch = NULL;
	weft_diags_new(&scratch);
	int err = weft_file_read(&s, &len, path, 0, scratch);
	weft_diags_free(scratch);
	return err ? NULL : s;
}

/* The lines of a ten-line file, with lines k1, k2, k3 replaced where given. */
static char *lines3(const char *who, int k1, const char *l1, int k2, const char *l2, int k3, const char *l3)
{
	static char bufs[4][1024];
	static int k;
	char *b = bufs[k++ % 4];
	b[0] = '\0';
	for (int i = 1; i <= 10; i++) {
		char line[128];
		if (i == k1)
			snprintf(line, sizeof line, "%s\n", l1);
		else if (i == k2)
			snprintf(line, sizeof line, "%s\n", l2);
		else if (i == k3)
			snprintf(line, sizeof line, "%s\n", l3);
		else
			snprintf(line, sizeof line, "%s line %d\n", who, i);
		strcat(b, line);
	}
	return b;
}

static char *lines(const char *who, int k1, const char *l1, int k2, const char *l2)
{
	return lines3(who, k1, l1, k2, l2, 0, NULL);
}

static const char bin_v1[] = { 'P', 'N', 'G', 0, 1, 2, 3 };
static const char bin_v2[] = { 'P', 'N', 'G', 0, 9, 9, 9 };

/* v1: README.md, src/app.c, config.ini (ten lines each), old.txt,
 * notes.txt, logo.bin and run.sh. v2 (version 2.0.0): a line changed in
 * each of README.md (2), src/app.c (9) and config.ini (3); old.txt and
 * notes.txt removed; new.txt added with a new variable; logo.bin changed;
 * run.sh made executable. v3 (3.0.0): config.ini line 5 changed. */
static void make_template(void)
{
	put("tpl/template.yaml", "name: t\nversion: 1.0.0\nsummary: s\ndescription: d\n"
				 "variables:\n  - name: who\n    default: world\n");
	put("tpl/files/README.md", lines("readme {{who}}", 0, NULL, 0, NULL));
	put("tpl/files/src/app.c", lines("app", 0, NULL, 0, NULL));
	put("tpl/files/config.ini", lines("config", 0, NULL, 0, NULL));
	put("tpl/files/old.txt", "old\n");
	put("tpl/files/notes.txt", "notes\n");
	put("tpl/files/run.sh", "echo run\n");
	write_file(path_in("tpl/files/logo.bin"), bin_v1, sizeof bin_v1);
	git_libgit2_init();
	weft_test_git_commit_as(path_in("tpl"), "v1", "T", 1700000000, &v1);
	weft_test_git_tag(path_in("tpl"), "v1", &v1);
	put("tpl/template.yaml", "name: t\nversion: 2.0.0\nsummary: s\ndescription: d\n"
				 "variables:\n  - name: who\n    default: world\n"
				 "  - name: colour\n    default: blue\n");
	put("tpl/files/README.md", lines("readme {{who}}", 2, "template's v2 line 2", 0, NULL));
	put("tpl/files/src/app.c", lines("app", 9, "template's v2 line 9", 0, NULL));
	put("tpl/files/config.ini", lines("config", 3, "template's v2 line 3", 0, NULL));
	unlink(path_in("tpl/files/old.txt"));
	unlink(path_in("tpl/files/notes.txt"));
	put("tpl/files/new.txt", "colour {{colour}}\n");
	write_file(path_in("tpl/files/logo.bin"), bin_v2, sizeof bin_v2);
	chmod(path_in("tpl/files/run.sh"), 0755);
	weft_test_git_commit_as(path_in("tpl"), "v2", "T", 1700000100, &v2);
	weft_test_git_tag(path_in("tpl"), "v2", &v2);
	put("tpl/template.yaml", "name: t\nversion: 3.0.0\nsummary: s\ndescription: d\n"
				 "variables:\n  - name: who\n    default: world\n"
				 "  - name: colour\n    default: blue\n");
	put("tpl/files/config.ini", lines("config", 3, "template's v2 line 3", 5, "template's v3 line 5"));
	weft_test_git_commit_as(path_in("tpl"), "v3", "T", 1700000200, &v3);
	weft_test_git_tag(path_in("tpl"), "v3", &v3);
	git_libgit2_shutdown();
	cr_assert_not_null(realpath(path_in("tpl"), tpl));
}

static void setup(void)
{
	weft_diags_new(&d);
	snprintf(tmp, sizeof tmp, "/tmp/weft-test-update-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
	setenv("GIT_AUTHOR_NAME", "Test Author", 1);
	setenv("GIT_AUTHOR_EMAIL", "author@example.com", 1);
	setenv("GIT_COMMITTER_NAME", "Test Author", 1);
	setenv("GIT_COMMITTER_EMAIL", "author@example.com", 1);
	make_template();
}

static void teardown(void)
{
	weft_diags_free(d);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(update, .init = setup, .fini = teardown);

/* weft new from the template at ref into tmp/p (git or not). */
static void make_project(const char *ref, bool git)
{
	char args[1024];
	snprintf(args, sizeof args, "new '%s' '%s' --ref %s --no-input%s", tpl, path_in("p"), ref,
		 git ? "" : " --no-git");
	char *out = NULL, *err = NULL;
	int rc = weft_test_run(&out, &err, NULL, args);
	cr_assert_eq(rc, 0, "weft new: %d %s %s", rc, out, err);
	free(out);
	free(err);
}

/* Commit everything in the project, as its user would. */
static void user_commit(const char *msg)
{
	git_libgit2_init();
	git_oid id;
	weft_test_git_commit_as(path_in("p"), msg, "User", 0, &id);
	git_libgit2_shutdown();
}

static weft_templates_update *update(const weft_templates_update_opts *o, int want)
{
	weft_templates_update *u = NULL;
	int err = weft_templates_update_run(&u, path_in("p"), o, d);
	if (err != want)
		weft_diags_print(d, stderr, false);
	cr_assert_eq(err, want);
	cr_assert_eq(u == NULL, want != 0);
	return u;
}

static weft_templates_update_status status_of(const weft_templates_update *u, const char *path)
{
	for (size_t i = 0; i < weft_templates_update_count(u); i++) {
		weft_templates_update_file f;
		cr_assert_eq(weft_templates_update_file_at(&f, u, i), 0);
		if (!strcmp(f.path, path))
			return f.status;
	}
	cr_assert_fail("no entry for %s", path);
	return WEFT_TEMPLATES_UPD_UNCHANGED;
}

static void expect_text(const char *rel, const char *want)
{
	char *s = slurp(path_in(rel));
	cr_assert_not_null(s, "cannot read %s", rel);
	cr_expect_str_eq(s, want, "contents of %s", rel);
	free(s);
}

/* Every path under dir (but .git) with its mode, inode and bytes, and
 * refs/weft/base: what "nothing changed" is checked against. */
static void snap_dir(weft_buf *b, const char *dir, const char *rel)
{
	struct dirent **ents = NULL;
	int n = scandir(dir, &ents, NULL, alphasort);
	cr_assert_geq(n, 0);
	for (int i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;
		if (!strcmp(name, ".") || !strcmp(name, "..") || (!*rel && !strcmp(name, ".git"))) {
			free(ents[i]);
			continue;
		}
		char full[1024], sub[1024];
		snprintf(full, sizeof full, "%s/%s", dir, name);
		snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", name);
		struct stat st;
		cr_assert_eq(lstat(full, &st), 0);
		weft_buf_printf(b, "%s %o %ju %jd\n", sub, (unsigned)st.st_mode, (uintmax_t)st.st_ino,
				(intmax_t)st.st_size);
		if (S_ISDIR(st.st_mode)) {
			snap_dir(b, full, sub);
		} else if (S_ISREG(st.st_mode)) {
			char *s = slurp(full);
			weft_buf_put(b, s, (size_t)st.st_size);
			free(s);
		}
		free(ents[i]);
	}
	free(ents);
}

static char *snapshot(void)
{
	weft_buf b = WEFT_BUF_INIT;
	snap_dir(&b, path_in("p"), "");
	char hex[41];
	if (weft_templates_git_base_head(hex, path_in("p")) == 0)
		weft_buf_printf(&b, "base %s\n", hex);
	char *s = weft_buf_detach(&b);
	cr_assert_not_null(s);
	return s;
}

/* v1, then the user's edits on lines the template leaves alone, committed. */
static void project_edited(void)
{
	make_project("v1", true);
	put("p/README.md", lines("readme world", 8, "user's line 8", 0, NULL));
	put("p/config.ini", lines("config", 9, "user's line 9", 0, NULL));
	put("p/notes.txt", "notes, with the user's own\n");
	put("p/mine.txt", "the user's own file\n");
	user_commit("user's edits");
}

Test(update, both_sides_changes_land_in_one_file)
{
	project_edited();
	weft_templates_update_opts o = { .ref = "v2" };
	weft_templates_update *u = update(&o, 0);
	expect_text("p/README.md", lines("readme world", 2, "template's v2 line 2", 8, "user's line 8"));
	expect_text("p/config.ini", lines("config", 3, "template's v2 line 3", 9, "user's line 9"));
	cr_expect_eq(status_of(u, "README.md"), WEFT_TEMPLATES_UPD_MERGED);
	/* the user did not touch app.c: the template's version, as is */
	expect_text("p/src/app.c", lines("app", 9, "template's v2 line 9", 0, NULL));
	cr_expect_eq(status_of(u, "src/app.c"), WEFT_TEMPLATES_UPD_UPDATED);
	cr_expect_eq(weft_templates_update_conflicts(u), 0);
	weft_templates_update_free(u);
}

Test(update, added_removed_kept_and_the_users_own_files)
{
	project_edited();
	struct stat before, after;
	cr_assert_eq(stat(path_in("p/mine.txt"), &before), 0);
	weft_templates_update_opts o = { .ref = "v2", .sets = (const char *[]){ "colour=red" }, .n_sets = 1 };
	weft_templates_update *u = update(&o, 0);
	expect_text("p/new.txt", "colour red\n");
	cr_expect_eq(status_of(u, "new.txt"), WEFT_TEMPLATES_UPD_ADDED);
	cr_expect(!weft_path_exists(path_in("p/old.txt")), "old.txt, unchanged by the user, is removed");
	cr_expect_eq(status_of(u, "old.txt"), WEFT_TEMPLATES_UPD_REMOVED);
	expect_text("p/notes.txt", "notes, with the user's own\n");
	cr_expect_eq(status_of(u, "notes.txt"), WEFT_TEMPLATES_UPD_KEPT);
	/* the user's own file: same inode, same bytes, same time */
	cr_assert_eq(stat(path_in("p/mine.txt"), &after), 0);
	cr_expect_eq(before.st_ino, after.st_ino);
	cr_expect_eq(before.st_mtim.tv_sec, after.st_mtim.tv_sec);
	cr_expect_eq(before.st_mtim.tv_nsec, after.st_mtim.tv_nsec);
	expect_text("p/mine.txt", "the user's own file\n");
	for (size_t i = 0; i < weft_templates_update_count(u); i++) {
		weft_templates_update_file f;
		weft_templates_update_file_at(&f, u, i);
		cr_expect_str_neq(f.path, "mine.txt", "the user's file is not the template's business");
	}
	/* the executable bit the template added */
	struct stat st;
	cr_assert_eq(stat(path_in("p/run.sh"), &st), 0);
	cr_expect(st.st_mode & 0100, "run.sh made executable");
	/* the answers move to v2 with the new value */
	char *ans = slurp(path_in("p/.weft-answers.yaml"));
	char hex[41];
	git_oid_tostr(hex, sizeof hex, &v2);
	cr_expect(strstr(ans, hex) && strstr(ans, "version: \"2.0.0\"") && strstr(ans, "colour: \"red\""), "%s", ans);
	free(ans);
	weft_templates_update_free(u);
}

Test(update, a_clash_is_marked_with_both_sides)
{
	make_project("v1", true);
	put("p/src/app.c", lines("app", 9, "user's line 9", 0, NULL));
	user_commit("user's app.c");
	char *out = NULL, *err = NULL;
	char args[600];
	snprintf(args, sizeof args, "update '%s' --ref v2", path_in("p"));
	int rc = weft_test_run(&out, &err, NULL, args);
	cr_expect_eq(rc, 1, "a clash exits 1: %s", err);
	cr_expect(strstr(err, "src/app.c"), "the file is named: %s", err);
	cr_expect(strstr(out, "conflict  src/app.c"), "%s", out);
	char want[2048];
	snprintf(want, sizeof want,
		 "%.*s<<<<<<< yours\nuser's line 9\n=======\ntemplate's v2 line 9\n>>>>>>> template t 2.0.0\napp line 10\n",
		 (int)strlen(lines("app", 0, NULL, 0, NULL)) - (int)strlen("app line 9\napp line 10\n"),
		 lines("app", 0, NULL, 0, NULL));
	expect_text("p/src/app.c", want);
	free(out);
	free(err);
}

Test(update, a_clash_as_a_rej_file_keeps_the_users_side)
{
	make_project("v1", true);
	put("p/src/app.c", lines("app", 9, "user's line 9", 2, "user's line 2"));
	user_commit("user's app.c");
	weft_templates_update_opts o = { .ref = "v2", .conflict = WEFT_TEMPLATES_CONFLICT_REJ };
	weft_templates_update *u = update(&o, 0);
	cr_expect_eq(weft_templates_update_conflicts(u), 1);
	expect_text("p/src/app.c", lines("app", 9, "user's line 9", 2, "user's line 2"));
	char *rej = slurp(path_in("p/src/app.c.rej"));
	cr_assert_not_null(rej);
	cr_expect(strstr(rej, "@@ src/app.c, near line 9 @@\n<<<<<<< yours\nuser's line 9\n=======\n"
			      "template's v2 line 9\n>>>>>>> template t 2.0.0\n"),
		  "%s", rej);
	free(rej);
	weft_templates_update_free(u);
}

Test(update, binary_changed_on_both_sides_keeps_the_users)
{
	make_project("v1", true);
	static const char mine[] = { 'P', 'N', 'G', 0, 7, 7 };
	write_file(path_in("p/logo.bin"), mine, sizeof mine);
	user_commit("user's logo");
	weft_templates_update_opts o = { .ref = "v2" };
	weft_templates_update *u = update(&o, 0);
	cr_expect_eq(status_of(u, "logo.bin"), WEFT_TEMPLATES_UPD_CONFLICT);
	char *s = slurp(path_in("p/logo.bin")), *n = slurp(path_in("p/logo.bin.weft-new"));
	cr_assert(s && n);
	cr_expect_eq(memcmp(s, mine, sizeof mine), 0);
	cr_expect_eq(memcmp(n, bin_v2, sizeof bin_v2), 0);
	free(s);
	free(n);
	weft_templates_update_free(u);
}

Test(update, a_file_both_added_stays_the_users)
{
	make_project("v1", true);
	put("p/new.txt", "the user's new.txt\n");
	user_commit("user's new.txt");
	weft_templates_update_opts o = { .ref = "v2" };
	weft_templates_update *u = update(&o, 0);
	expect_text("p/new.txt", "the user's new.txt\n");
	expect_text("p/new.txt.weft-new", "colour blue\n");
	cr_expect_eq(status_of(u, "new.txt"), WEFT_TEMPLATES_UPD_CONFLICT);
	weft_templates_update_free(u);
}

Test(update, dry_run_writes_nothing)
{
	project_edited();
	put("p/src/app.c", lines("app", 9, "user's line 9", 0, NULL));
	user_commit("clash to come");
	char *before = snapshot();
	weft_templates_update_opts o = { .ref = "v2", .dry_run = true };
	weft_templates_update *u = update(&o, 0);
	char *after = snapshot();
	cr_expect_str_eq(after, before);
	cr_expect_eq(status_of(u, "src/app.c"), WEFT_TEMPLATES_UPD_CONFLICT);
	cr_expect_eq(status_of(u, "README.md"), WEFT_TEMPLATES_UPD_MERGED);
	cr_expect_eq(status_of(u, "new.txt"), WEFT_TEMPLATES_UPD_ADDED);
	cr_expect_eq(status_of(u, "old.txt"), WEFT_TEMPLATES_UPD_REMOVED);
	weft_buf out = WEFT_BUF_INIT;
	cr_assert_eq(weft_templates_update_render(&out, u, WEFT_TEMPLATES_FORMAT_JSON), 0);
	cJSON *j = cJSON_Parse(out.ptr);
	cr_assert_not_null(j);
	cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(j, "dry_run")));
	cr_expect_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "counts"), "conflict")->valueint, 1);
	cJSON_Delete(j);
	weft_buf_free(&out);
	free(before);
	free(after);
	weft_templates_update_free(u);
}

static int fail_at;
static int moves;
static int fail_nth_move(void *ctx, const char *path)
{
	(void)ctx;
	(void)path;
	return ++moves == fail_at ? EIO : 0;
}

Test(update, a_failure_part_way_leaves_the_project_as_it_was)
{
	project_edited();
	char *before = snapshot();
	/* count the steps of a whole run, on a copy */
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "cp -a '%s' '%s'", path_in("p"), path_in("q"));
	cr_assert_eq(system(cmd), 0);
	weft_templates_update_opts o = { .ref = "v2", .before_move = fail_nth_move };
	weft_templates_update *u = NULL;
	moves = 0;
	fail_at = -1;
	cr_assert_eq(weft_templates_update_run(&u, path_in("q"), &o, d), 0);
	weft_templates_update_free(u);
	int total = moves;
	cr_assert_geq(total, 5, "new, replaced and removed files all move");
	for (fail_at = 1; fail_at <= total; fail_at += (fail_at < 3 ? 1 : total / 3)) {
		moves = 0;
		u = NULL;
		cr_expect_eq(weft_templates_update_run(&u, path_in("p"), &o, d), WEFT_EENV, "failing move %d", fail_at);
		cr_expect_null(u);
		char *after = snapshot();
		cr_expect_str_eq(after, before, "after a failure at move %d of %d", fail_at, total);
		free(after);
	}
	/* nothing left beside the project */
	DIR *dh = opendir(tmp);
	struct dirent *e;
	while (dh && (e = readdir(dh)))
		cr_expect(strncmp(e->d_name, ".weft-tmp-", 10), "left over: %s", e->d_name);
	if (dh)
		closedir(dh);
	free(before);
}

Test(update, v1_to_v2_to_v3_moves_the_base)
{
	project_edited();
	weft_templates_update_opts o = { .ref = "v2" };
	weft_templates_update_free(update(&o, 0));
	user_commit("to v2");
	o.ref = "v3";
	weft_templates_update *u = update(&o, 0);
	/* only v3's change is new: v2's lines are not merged twice */
	expect_text("p/config.ini", lines3("config", 3, "template's v2 line 3", 5, "template's v3 line 5", 9,
					   "user's line 9"));
	cr_expect_eq(status_of(u, "README.md"), WEFT_TEMPLATES_UPD_UNCHANGED);
	cr_expect_eq(status_of(u, "config.ini"), WEFT_TEMPLATES_UPD_MERGED);
	weft_templates_update_free(u);
	/* the base ref lists the versions the project went through */
	char cmd[700];
	snprintf(cmd, sizeof cmd, "test \"$(git -C '%s' rev-list --count refs/weft/base)\" = 3", path_in("p"));
	cr_expect_eq(system(cmd), 0, "refs/weft/base has v1, v2 and v3");
}

Test(update, uncommitted_changes_are_refused_unless_forced)
{
	make_project("v1", true);
	put("p/README.md", "edited, not committed\n");
	char *before = snapshot();
	weft_templates_update_opts o = { .ref = "v2" };
	update(&o, WEFT_EEXISTS);
	char *after = snapshot();
	cr_expect_str_eq(after, before);
	cr_expect(strstr(weft_diags_get(d, weft_diags_count(d) - 1)->message, "README.md"));
	o.force = true;
	weft_templates_update_free(update(&o, 0));
	free(before);
	free(after);
}

Test(update, a_project_without_git_renders_the_recorded_commit_again)
{
	make_project("v1", false);
	put("p/README.md", lines("readme world", 8, "user's line 8", 0, NULL));
	weft_templates_update_opts o = { .ref = "v2" };
	weft_templates_update *u = update(&o, 0);
	expect_text("p/README.md", lines("readme world", 2, "template's v2 line 2", 8, "user's line 8"));
	weft_templates_update_free(u);
}

Test(update, no_base_at_all_is_a_clear_error)
{
	/* a template folder that is not a repository, project without git */
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "cp -r '%s' '%s' && rm -rf '%s/.git'", tpl, path_in("plain"), path_in("plain"));
	cr_assert_eq(system(cmd), 0);
	char *out = NULL, *err = NULL;
	char args[1200];
	snprintf(args, sizeof args, "new '%s' '%s' --no-input --no-git", path_in("plain"), path_in("p"));
	cr_assert_eq(weft_test_run(&out, &err, NULL, args), 0, "%s", err);
	free(out);
	free(err);
	snprintf(args, sizeof args, "update '%s'", path_in("p"));
	cr_expect_eq(weft_test_run(&out, &err, NULL, args), 3);
	cr_expect(strstr(err, "no template base"), "%s", err);
	free(out);
	free(err);
	/* and a folder that is no project */
	mkdir(path_in("empty"), 0755);
	snprintf(args, sizeof args, "update '%s'", path_in("empty"));
	cr_expect_eq(weft_test_run(&out, &err, NULL, args), 3);
	cr_expect(strstr(err, ".weft-answers.yaml"), "%s", err);
	free(out);
	free(err);
}

Test(update, an_update_thrown_away_can_be_made_again)
{
	project_edited();
	weft_templates_update_opts o = { .ref = "v2" };
	weft_templates_update_free(update(&o, 0));
	/* the user throws the update away; refs/weft/base has moved on */
	char cmd[700];
	snprintf(cmd, sizeof cmd, "cd '%s' && git checkout -q . && git clean -fdq", path_in("p"));
	cr_assert_eq(system(cmd), 0);
	expect_text("p/README.md", lines("readme world", 8, "user's line 8", 0, NULL));
	weft_templates_update *u = update(&o, 0);
	expect_text("p/README.md", lines("readme world", 2, "template's v2 line 2", 8, "user's line 8"));
	cr_expect_eq(status_of(u, "README.md"), WEFT_TEMPLATES_UPD_MERGED);
	cr_expect(weft_path_exists(path_in("p/new.txt")));
	weft_templates_update_free(u);
}

/* A base whose tree holds a path that a case-insensitive file system takes
 * for .git: refused before anything is written. */
Test(update, a_base_naming_git_is_refused)
{
	make_project("v1", true);
	char *before = snapshot();
	git_libgit2_init();
	git_repository *repo = NULL;
	cr_assert_eq(git_repository_open(&repo, path_in("p")), 0);
	git_oid base_id, blob, hooks_id, dotgit_id, tree_id, commit_id;
	cr_assert_eq(git_reference_name_to_id(&base_id, repo, "refs/weft/base"), 0);
	git_commit *base = NULL;
	git_tree *base_tree = NULL;
	cr_assert_eq(git_commit_lookup(&base, repo, &base_id), 0);
	cr_assert_eq(git_commit_tree(&base_tree, base), 0);
	cr_assert_eq(git_blob_create_from_buffer(&blob, repo, "#!/bin/sh\n", 10), 0);
	git_treebuilder *tb = NULL;
	cr_assert_eq(git_treebuilder_new(&tb, repo, NULL), 0);
	cr_assert_eq(git_treebuilder_insert(NULL, tb, "pre-commit", &blob, GIT_FILEMODE_BLOB_EXECUTABLE), 0);
	cr_assert_eq(git_treebuilder_write(&hooks_id, tb), 0);
	git_treebuilder_free(tb);
	cr_assert_eq(git_treebuilder_new(&tb, repo, NULL), 0);
	cr_assert_eq(git_treebuilder_insert(NULL, tb, "hooks", &hooks_id, GIT_FILEMODE_TREE), 0);
	cr_assert_eq(git_treebuilder_write(&dotgit_id, tb), 0);
	git_treebuilder_free(tb);
	/* libgit2's tree builder refuses such a name: write the tree object by
	 * hand, ".Git" beside the base's answers file (names sorted) */
	const git_tree_entry *ans = git_tree_entry_byname(base_tree, ".weft-answers.yaml");
	cr_assert_not_null(ans);
	char raw[256];
	size_t n = 0;
	memcpy(raw + n, "40000 .Git", 11); /* with its NUL */
	n += 11;
	memcpy(raw + n, dotgit_id.id, 20);
	n += 20;
	memcpy(raw + n, "100644 .weft-answers.yaml", 26);
	n += 26;
	memcpy(raw + n, git_tree_entry_id(ans)->id, 20);
	n += 20;
	git_odb *odb = NULL;
	cr_assert_eq(git_repository_odb(&odb, repo), 0);
	cr_assert_eq(git_odb_write(&tree_id, odb, raw, n, GIT_OBJECT_TREE), 0);
	git_odb_free(odb);
	git_tree *tree = NULL;
	git_signature *sig = NULL;
	cr_assert_eq(git_tree_lookup(&tree, repo, &tree_id), 0);
	cr_assert_eq(git_signature_now(&sig, "X", "x@example.com"), 0);
	cr_assert_eq(git_commit_create_v(&commit_id, repo, "refs/weft/base", sig, sig, NULL, "hostile", tree, 1, base), 0);
	git_signature_free(sig);
	git_tree_free(tree);
	git_tree_free(base_tree);
	git_commit_free(base);
	git_repository_free(repo);
	git_libgit2_shutdown();
	free(before);
	before = snapshot();
	weft_templates_update_opts o = { .ref = "v2" };
	update(&o, WEFT_EINVALID);
	char *after = snapshot();
	cr_expect_str_eq(after, before);
	cr_expect(!weft_path_exists(path_in("p/.Git")));
	free(before);
	free(after);
}

/* ---- migrations: renamed variables, moved files ---- */

/* A second template repository, tpl-m: v1 (1.0.0) has variable svc and
 * src/old.c; v2 (2.0.0) renames svc to service and moves src/old.c to
 * src/new.c, changing its line 3; v3 (3.0.0) renames service to owner and
 * moves src/new.c to lib/core.c, changing its line 5. tpl points at it. */
static void make_migrating_template(void)
{
	put("tpl-m/template.yaml", "name: m\nversion: 1.0.0\nsummary: s\n"
				   "variables:\n  - name: svc\n    default: alpha\n");
	put("tpl-m/files/README.md", "service {{svc}}\n");
	put("tpl-m/files/src/old.c", lines("code", 0, NULL, 0, NULL));
	git_libgit2_init();
	git_oid id;
	weft_test_git_commit_as(path_in("tpl-m"), "v1", "T", 1700000000, &id);
	weft_test_git_tag(path_in("tpl-m"), "v1", &id);
	put("tpl-m/template.yaml", "name: m\nversion: 2.0.0\nsummary: s\n"
				   "variables:\n  - name: service\n    default: zeta\n"
				   "migrations:\n  - version: 2.0.0\n    rename: {svc: service}\n"
				   "    move: {src/old.c: src/new.c}\n");
	put("tpl-m/files/README.md", "service {{service}}\n");
	unlink(path_in("tpl-m/files/src/old.c"));
	put("tpl-m/files/src/new.c", lines("code", 3, "template's v2 line 3", 0, NULL));
	weft_test_git_commit_as(path_in("tpl-m"), "v2", "T", 1700000100, &id);
	weft_test_git_tag(path_in("tpl-m"), "v2", &id);
	put("tpl-m/template.yaml", "name: m\nversion: 3.0.0\nsummary: s\n"
				   "variables:\n  - name: owner\n    default: omega\n"
				   "migrations:\n  - version: 2.0.0\n    rename: {svc: service}\n"
				   "    move: {src/old.c: src/new.c}\n"
				   "  - version: 3.0.0\n    rename: {service: owner}\n"
				   "    move: {src/new.c: lib/core.c}\n");
	put("tpl-m/files/README.md", "service {{owner}}\n");
	unlink(path_in("tpl-m/files/src/new.c"));
	put("tpl-m/files/lib/core.c",
	    lines3("code", 3, "template's v2 line 3", 5, "template's v3 line 5", 0, NULL));
	weft_test_git_commit_as(path_in("tpl-m"), "v3", "T", 1700000200, &id);
	weft_test_git_tag(path_in("tpl-m"), "v3", &id);
	git_libgit2_shutdown();
	cr_assert_not_null(realpath(path_in("tpl-m"), tpl));
}

/* From v1 with svc=beta, the user's line 8 in src/old.c, committed. */
static void migrating_project(void)
{
	make_migrating_template();
	char args[1024];
	snprintf(args, sizeof args, "new '%s' '%s' --ref v1 --no-input --set svc=beta", tpl, path_in("p"));
	char *out = NULL, *err = NULL;
	int rc = weft_test_run(&out, &err, NULL, args);
	cr_assert_eq(rc, 0, "weft new: %d %s %s", rc, out, err);
	free(out);
	free(err);
	put("p/src/old.c", lines("code", 8, "user's line 8", 0, NULL));
	user_commit("user's edit");
}

Test(update, a_moved_file_takes_the_users_edit_and_a_renamed_variable_its_answer)
{
	migrating_project();
	weft_templates_update_opts o = { .ref = "v2" };
	weft_templates_update *u = update(&o, 0);
	expect_text("p/src/new.c", lines("code", 3, "template's v2 line 3", 8, "user's line 8"));
	cr_expect(!weft_path_exists(path_in("p/src/old.c")), "the old path is gone");
	cr_expect_eq(status_of(u, "src/old.c"), WEFT_TEMPLATES_UPD_MOVED);
	cr_expect_eq(status_of(u, "src/new.c"), WEFT_TEMPLATES_UPD_MERGED);
	/* the answer given for svc, not service's default */
	expect_text("p/README.md", "service beta\n");
	char *ans = slurp(path_in("p/.weft-answers.yaml"));
	cr_assert_not_null(ans);
	cr_expect(strstr(ans, "service: beta") || strstr(ans, "service: \"beta\""), "%s", ans);
	cr_expect(!strstr(ans, "svc:"), "%s", ans);
	free(ans);
	cr_expect_eq(weft_templates_update_conflicts(u), 0);
	weft_templates_update_free(u);
	/* v2 -> v3: only 3.0.0's migration applies, and does */
	user_commit("update to v2");
	o.ref = "v3";
	u = update(&o, 0);
	expect_text("p/lib/core.c",
		    lines3("code", 3, "template's v2 line 3", 5, "template's v3 line 5", 8, "user's line 8"));
	cr_expect(!weft_path_exists(path_in("p/src/new.c")));
	expect_text("p/README.md", "service beta\n");
	weft_templates_update_free(u);
}

Test(update, migrations_chain_across_versions_in_one_update)
{
	migrating_project();
	weft_templates_update_opts o = { .ref = "v3" };
	weft_templates_update *u = update(&o, 0);
	expect_text("p/lib/core.c",
		    lines3("code", 3, "template's v2 line 3", 5, "template's v3 line 5", 8, "user's line 8"));
	cr_expect(!weft_path_exists(path_in("p/src/old.c")));
	cr_expect(!weft_path_exists(path_in("p/src/new.c")));
	cr_expect_eq(status_of(u, "src/old.c"), WEFT_TEMPLATES_UPD_MOVED);
	expect_text("p/README.md", "service beta\n");
	weft_templates_update_free(u);
}

Test(update, a_file_the_user_moved_already_stays_where_it_is)
{
	migrating_project();
	/* the user made the move by hand (with the edit of line 8) */
	char cmd[700];
	snprintf(cmd, sizeof cmd, "cd '%s' && git mv src/old.c src/new.c", path_in("p"));
	cr_assert_eq(system(cmd), 0);
	user_commit("moved by hand");
	weft_templates_update_opts o = { .ref = "v2", .dry_run = true };
	char *before = snapshot();
	weft_templates_update *u = update(&o, 0);
	char *after = snapshot();
	cr_expect_str_eq(after, before, "a dry run with a move writes nothing");
	free(before);
	free(after);
	cr_expect_eq(status_of(u, "src/new.c"), WEFT_TEMPLATES_UPD_MERGED);
	weft_templates_update_free(u);
	/* merged from src/old.c's base: both changes, no copy beside */
	o.dry_run = false;
	u = update(&o, 0);
	expect_text("p/src/new.c", lines("code", 3, "template's v2 line 3", 8, "user's line 8"));
	cr_expect(!weft_path_exists(path_in("p/src/new.c.weft-new")));
	cr_expect(!weft_path_exists(path_in("p/src/old.c")));
	weft_templates_update_free(u);
}

Test(update, bad_migrations_are_refused_with_their_position)
{
	static const struct {
		const char *yaml, *want;
		int line;
	} cases[] = {
		{ "  - version: 2.0.0\n    rename: {svc: nobody}\n", "no variable 'nobody'", 9 },
		{ "  - version: 9.0.0\n", "after this template's version", 8 },
		{ "  - version: 1.5.0\n  - version: 1.2.0\n", "not after the migration before it", 9 },
		{ "  - version: 2.0.0\n    move: {a.txt: .git/hooks/pre-commit}\n", "not a path weft writes", 9 },
		{ "  - version: 2.0.0\n    move: {a.txt: a.txt}\n", "moved to itself", 9 },
		{ "  - version: 2.0.0\n    rename: {1x: owner}\n", "not a variable name", 9 },
		{ "  - 3\n", "expected a mapping", 8 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		char yaml[512];
		snprintf(yaml, sizeof yaml,
			 "name: m\nversion: 2.0.0\nsummary: s\nvariables:\n  - name: owner\n    default: x\n"
			 "migrations:\n%s",
			 cases[i].yaml);
		put("bad/template.yaml", yaml);
		mkdir(path_in("bad/files"), 0755);
		weft_templates_manifest *m = NULL;
		weft_diags_clear(d);
		cr_expect_eq(weft_templates_manifest_load(&m, path_in("bad"), d), WEFT_EINVALID, "case %zu", i);
		cr_expect_null(m);
		bool found = false;
		for (size_t k = 0; k < weft_diags_count(d); k++) {
			const weft_diag *x = weft_diags_get(d, k);
			if (strstr(x->message, cases[i].want)) {
				found = true;
				cr_expect_eq(x->line, cases[i].line, "case %zu: %s at line %d", i, x->message, x->line);
				cr_expect_gt(x->col, 0);
			}
		}
		cr_expect(found, "case %zu: no '%s'", i, cases[i].want);
	}
}

Test(update, versions_order_as_numbers)
{
	/* each strictly before the next, by the rules a reader expects */
	static const char *const order[] = { "0.9",   "1.0.0-rc.1", "1.0.0-rc.2", "1.0.0", "v1.0.1",
					     "1.2",   "1.9.0",      "1.10.0",     "2",     "10.0.0" };
	size_t n = sizeof order / sizeof *order;
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++) {
			int c = weft_templates_version_cmp(order[i], order[j]);
			int want = (i > j) - (i < j);
			cr_expect_eq((c > 0) - (c < 0), want, "%s vs %s: %d", order[i], order[j], c);
		}
	cr_expect_eq(weft_templates_version_cmp("1.0", "1.0.0"), 0);
	cr_expect_eq(weft_templates_version_cmp("1.0.0+build.5", "1.0.0"), 0);
	cr_expect_eq(weft_templates_version_cmp("01.2", "1.2"), 0);
}
