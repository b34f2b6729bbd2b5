/* test_templates_cli.c - `weft new` and `weft templates` end to end.
 *
 * Runs the built binary (WEFT_BIN) as a user would: non-interactive runs
 * with stdin from /dev/null, an interactive run through a pseudo-terminal,
 * a run whose writes fail (RLIMIT_FSIZE, as on a full disk), every template
 * of the hostile corpus, and a git template at a tag. Expected outputs are
 * worked out by hand from the fixtures.
 */
#define _XOPEN_SOURCE 700
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "git_test.h"
#include "weft_templates.h"

#define FULL WEFT_FIXTURES "/templates/full"
#define DATA WEFT_FIXTURES "/templates/data"
#define HOSTILE WEFT_FIXTURES "/templates/hostile"

static char tmp[64];

static void setup(void)
{
	snprintf(tmp, sizeof tmp, "/tmp/weft-test-cli-XXXXXX");
	cr_assert_not_null(mkdtemp(tmp));
}

static void teardown(void)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "chmod -R u+w '%s'; rm -rf '%s'", tmp, tmp);
	cr_expect_eq(system(cmd), 0);
}

TestSuite(cli, .init = setup, .fini = teardown, .timeout = 60);

static char *path_in(const char *rel)
{
	static char bufs[8][512];
	static int k;
	char *b = bufs[k++ % 8];
	snprintf(b, 512, "%s/%s", tmp, rel);
	return b;
}

typedef struct {
	int rc;
	char *out, *err;
} result;

static void result_free(result *r)
{
	free(r->out);
	free(r->err);
}

typedef enum { CHILD_PLAIN, CHILD_FSIZE } child_kind;

/* Environment every run gets: a fixed git identity, no colour, and (for
 * sanitizer builds) the suppression of a leak inside libgit2 1.5. */
static void child_env(void)
{
	setenv("GIT_AUTHOR_NAME", "Cli Test", 1);
	setenv("GIT_AUTHOR_EMAIL", "cli@example.com", 1);
	setenv("NO_COLOR", "1", 1);
	setenv("LSAN_OPTIONS", "suppressions=" WEFT_FIXTURES "/templates/lsan-libgit2.supp", 0);
}

/* Run weft with args (NULL-terminated) and extra "K=V" settings. */
static result run_kind(child_kind kind, const char *const *env, const char *const *args)
{
	int out[2], err[2];
	cr_assert_eq(pipe(out), 0);
	cr_assert_eq(pipe(err), 0);
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY);
		dup2(null, 0);
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		child_env();
		for (size_t i = 0; env && env[i]; i++) {
			char *kv = strdup(env[i]), *eq = strchr(kv, '=');
			*eq = '\0';
			if (eq[1])
				setenv(kv, eq + 1, 1);
			else
				unsetenv(kv);
		}
		if (kind == CHILD_FSIZE) {
			struct rlimit rl = { 100000, 100000 };
			setrlimit(RLIMIT_FSIZE, &rl);
			signal(SIGXFSZ, SIG_IGN);
		}
		char *argv[32];
		size_t n = 0;
		argv[n++] = (char *)WEFT_BIN;
		for (; args[n - 1] && n < 31; n++)
			argv[n] = (char *)args[n - 1];
		argv[n] = NULL;
		execv(WEFT_BIN, argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	weft_buf bo = WEFT_BUF_INIT, be = WEFT_BUF_INIT;
	weft_buf_put(&bo, "", 0);
	weft_buf_put(&be, "", 0);
	struct pollfd pf[2] = { { out[0], POLLIN, 0 }, { err[0], POLLIN, 0 } };
	int open_fds = 2;
	while (open_fds) {
		cr_assert_gt(poll(pf, 2, 30000), 0, "weft did not finish");
		for (int i = 0; i < 2; i++) {
			if (pf[i].fd < 0 || !pf[i].revents)
				continue;
			char buf[4096];
			ssize_t got = read(pf[i].fd, buf, sizeof buf);
			if (got <= 0) {
				close(pf[i].fd);
				pf[i].fd = -1;
				open_fds--;
			} else {
				weft_buf_put(i ? &be : &bo, buf, (size_t)got);
			}
		}
	}
	int status;
	waitpid(pid, &status, 0);
	result r = { WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), weft_buf_detach(&bo),
		     weft_buf_detach(&be) };
	return r;
}

#define RUN(...) run_kind(CHILD_PLAIN, NULL, (const char *const[]){ __VA_ARGS__, NULL })
#define RUN_ENV(env, ...) run_kind(CHILD_PLAIN, env, (const char *const[]){ __VA_ARGS__, NULL })

static char *slurp(const char *path)
{
	char *s = NULL;
	weft_diags *d = NULL;
	weft_diags_new(&d);
	int err = weft_file_read(&s, NULL, path, 0, d);
	weft_diags_free(d);
	cr_assert_eq(err, 0, "cannot read %s", path);
	return s;
}

static void expect_file(const char *path, const char *text)
{
	char *s = slurp(path);
	cr_expect_str_eq(s, text, "contents of %s", path);
	free(s);
}

static void expect_contains(const char *hay, const char *needle)
{
	cr_expect(hay && strstr(hay, needle), "'%s' not in:\n%s", needle, hay ? hay : "(null)");
}

static void expect_no_leftovers(void)
{
	DIR *dh = opendir(tmp);
	struct dirent *e;
	while ((e = readdir(dh)))
		cr_expect_null(strstr(e->d_name, "weft-tmp"), "left behind: %s", e->d_name);
	closedir(dh);
}

Test(cli, new_without_questions)
{
	char *dest = path_in("p");
	result r = RUN("new", FULL, dest, "--set", "owner=ann", "--no-git");
	cr_expect_eq(r.rc, 0, "%s", r.err);
	char want[600];
	snprintf(want, sizeof want, "Created %s from full 1.2.3 (13 files).\n", dest);
	cr_expect_str_eq(r.out, want);
	expect_file(path_in("p/config/dev.yaml"), "env: dev\nport: 8080\n");
	cr_expect_not(weft_path_exists(path_in("p/.git")));
	result_free(&r);
}

Test(cli, usage_errors)
{
	result r = RUN("new", FULL, path_in("p"));
	cr_expect_eq(r.rc, 2);
	expect_contains(r.err, "no value for 'owner'");
	cr_expect_not(weft_path_exists(path_in("p")));
	result_free(&r);

	r = RUN("new", FULL, path_in("p"), "--set", "owner=a", "--set", "port=80");
	cr_expect_eq(r.rc, 2);
	expect_contains(r.err, "--set port=80: 80 is outside 1024..65535");
	result_free(&r);

	r = RUN("new", FULL);
	cr_expect_eq(r.rc, 2);
	expect_contains(r.err, "needs a template and a destination");
	result_free(&r);

	r = RUN("new", "--sett", "x=1", FULL, path_in("p"));
	cr_expect_eq(r.rc, 2);
	expect_contains(r.err, "--set");
	result_free(&r);

	r = RUN("new", "--help");
	cr_expect_eq(r.rc, 0);
	expect_contains(r.out, "usage: weft new");
	result_free(&r);

	r = RUN("templates");
	cr_expect_eq(r.rc, 2);
	result_free(&r);
}

Test(cli, dry_run_writes_nothing)
{
	result r = RUN("new", FULL, path_in("p"), "--dry-run", "--format", "json", "--set", "owner=a", "--set",
		       "use_db=yes");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	cr_expect_not(weft_path_exists(path_in("p")));
	cJSON *j = cJSON_Parse(r.out);
	cr_assert_not_null(j, "not JSON: %s", r.out);
	cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(j, "dry_run")));
	cr_expect(cJSON_IsNull(cJSON_GetObjectItem(j, "git")));
	const cJSON *files = cJSON_GetObjectItem(j, "files");
	cr_expect_eq(cJSON_GetArraySize(files), 14);
	const cJSON *f = cJSON_GetArrayItem(files, 5);
	cr_expect_str_eq(cJSON_GetObjectItem(f, "path")->valuestring, "bin/run.sh");
	cr_expect_str_eq(cJSON_GetObjectItem(f, "mode")->valuestring, "0755");
	cr_expect_str_eq(cJSON_GetObjectItem(f, "action")->valuestring, "rendered");
	cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "answers"), "db")->valuestring, "postgres");
	cJSON_Delete(j);
	result_free(&r);

	r = RUN("new", FULL, path_in("p"), "--dry-run", "--set", "owner=a");
	cr_assert_eq(r.rc, 0);
	expect_contains(r.out, "  assets/logo.bin  (copied, 0644)\n  assets/raw.txt  (copied, 0644)\n");
	expect_contains(r.out, "  docs/current.md  (link, 0777)\n");
	cr_expect_not(weft_path_exists(path_in("p")));
	result_free(&r);
}

Test(cli, templates_list_and_show)
{
	const char *env[] = { "WEFT_DATA_DIR=" DATA, NULL };
	result r = RUN_ENV(env, "templates", "list");
	cr_expect_eq(r.rc, 0, "%s", r.err);
	cr_expect_str_eq(r.out, "NAME             VERSION    SUMMARY\n"
				"mini             0.1.0      A one-file template for the tests\n");
	result_free(&r);

	r = RUN_ENV(env, "templates", "list", "--format", "json");
	cJSON *j = cJSON_Parse(r.out);
	cr_assert_eq(cJSON_GetArraySize(j), 1);
	cr_expect_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(j, 0), "name")->valuestring, "mini");
	cJSON_Delete(j);
	result_free(&r);

	r = RUN("templates", "show", FULL, "--format", "json");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	j = cJSON_Parse(r.out);
	const cJSON *vars = cJSON_GetObjectItem(j, "variables");
	cr_expect_eq(cJSON_GetArraySize(vars), 12);
	const cJSON *owner = cJSON_GetArrayItem(vars, 8);
	cr_expect_str_eq(cJSON_GetObjectItem(owner, "name")->valuestring, "owner");
	cr_expect(cJSON_IsTrue(cJSON_GetObjectItem(owner, "required")));
	cJSON_Delete(j);
	result_free(&r);

	r = RUN_ENV(env, "templates", "show", "mini");
	cr_expect_eq(r.rc, 0);
	cr_expect_str_eq(r.out, "mini 0.1.0 - A one-file template for the tests\n\nGreets someone.\n\n"
				"Variables (set with --set NAME=VALUE):\n"
				"  who                  string  default: world\n"
				"      Whom to greet\n");
	result_free(&r);

	r = RUN_ENV(env, "templates", "show", "mnii");
	cr_expect_eq(r.rc, 2);
	expect_contains(r.err, "did you mean 'mini'");
	result_free(&r);
}

Test(cli, shipped_pattern_by_name)
{
	const char *env[] = { "WEFT_DATA_DIR=" DATA, NULL };
	result r = RUN_ENV(env, "new", "mini", path_in("m"), "--set", "who=you");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	expect_file(path_in("m/hello.txt"), "Hello, you!\n");
	expect_file(path_in("m/.weft-answers.yaml"),
		    "# Written by weft new. To make this project again:\n"
		    "#   weft new SOURCE DEST --answers .weft-answers.yaml\n"
		    "template:\n  name: \"mini\"\n  version: \"0.1.0\"\n  source: \"mini\"\n  ref: null\n"
		    "  commit: null\nanswers:\n  who: \"you\"\n");
	result_free(&r);
}

Test(cli, existing_destination)
{
	mkdir(path_in("p"), 0755);
	FILE *fp = fopen(path_in("p/mine.txt"), "w");
	fputs("mine", fp);
	fclose(fp);
	result r = RUN("new", FULL, path_in("p"), "--set", "owner=a");
	cr_expect_eq(r.rc, 4);
	expect_contains(r.err, "destination folder is not empty");
	expect_contains(r.err, "--force");
	cr_expect_not(weft_path_exists(path_in("p/README.md")));
	result_free(&r);
	r = RUN("new", FULL, path_in("p"), "--set", "owner=a", "--force");
	cr_expect_eq(r.rc, 0, "%s", r.err);
	expect_file(path_in("p/mine.txt"), "mine");
	cr_expect(weft_path_exists(path_in("p/README.md")));
	result_free(&r);
}

/* Every template in the hostile corpus is refused, with nothing written. */
Test(cli, hostile_templates_are_refused)
{
	static const struct {
		const char *name, *message;
	} cases[] = {
		{ "answers-clobber", "renders to '.weft-answers.yaml'" },
		{ "bad-section", "b.txt:3:1: error: closing tag '{{/shut}}' does not match the open section 'open'" },
		{ "control-name", "control characters" },
		{ "dotdot-name", "name '{{dir}}' renders to '..'" },
		{ "git-dir", "renders to '.GIT'" },
		{ "partial-bomb", "output larger than the limit" },
		{ "partial-loop", "nested more than 64 deep" },
		{ "partial-name", "partial '../../../../../../../etc/passwd' not found" },
		{ "partials-escape", "template.yaml:5:11: error: bad partials folder" },
		{ "root-escape", "template.yaml:5:7: error: bad files folder '../../..'" },
		{ "rule-escape", "template.yaml:6:11: error: bad path pattern '../../etc/passwd'" },
		{ "slash-name", "renders to '../../../tmp/weft-escaped.txt', which contains '/'" },
		{ "yaml-bomb", "more than 100000 nodes" },
	};
	size_t n = sizeof cases / sizeof cases[0];
	for (size_t i = 0; i < n; i++) {
		char dir[512];
		snprintf(dir, sizeof dir, "%s/%s", HOSTILE, cases[i].name);
		result r = RUN("new", dir, path_in("dest"), "--no-input");
		cr_expect_eq(r.rc, 3, "%s: exit %d\n%s", cases[i].name, r.rc, r.err);
		cr_expect(strstr(r.err, cases[i].message), "%s: '%s' not in:\n%s", cases[i].name, cases[i].message,
			  r.err);
		cr_expect_not(weft_path_exists(path_in("dest")), "%s: DEST created", cases[i].name);
		expect_no_leftovers();
		result_free(&r);
	}
	cr_expect_not(weft_path_exists("/tmp/weft-escaped.txt"));
	/* every case in the corpus folder is in the table above */
	DIR *dh = opendir(HOSTILE);
	cr_assert_not_null(dh);
	struct dirent *e;
	while ((e = readdir(dh))) {
		if (e->d_name[0] == '.' || strchr(e->d_name, '.'))
			continue;
		bool known = false;
		for (size_t i = 0; i < n; i++)
			known |= !strcmp(cases[i].name, e->d_name);
		cr_expect(known, "hostile case %s is not tested", e->d_name);
	}
	closedir(dh);
}

Test(cli, hostile_links_built_at_run_time)
{
	char cmd[700];
	snprintf(cmd, sizeof cmd, "cp -R '%s/templates/patterns/mini' '%s/tpl'", DATA, tmp);
	cr_assert_eq(system(cmd), 0);
	cr_assert_eq(symlink("../../../../../etc/passwd", path_in("tpl/files/passwd")), 0);
	result r = RUN("new", path_in("tpl"), path_in("dest"));
	cr_expect_eq(r.rc, 3);
	expect_contains(r.err, "points outside the template");
	cr_expect_not(weft_path_exists(path_in("dest")));
	result_free(&r);
	unlink(path_in("tpl/files/passwd"));

	/* DEST with --force where a folder the template writes into is a link */
	mkdir(path_in("outside"), 0755);
	mkdir(path_in("tpl/files/sub"), 0755);
	FILE *fp = fopen(path_in("tpl/files/sub/x.txt"), "w");
	fputs("x", fp);
	fclose(fp);
	mkdir(path_in("dest"), 0755);
	cr_assert_eq(symlink("../outside", path_in("dest/sub")), 0);
	r = RUN("new", path_in("tpl"), path_in("dest"), "--force");
	cr_expect_eq(r.rc, 3, "%s", r.err);
	expect_contains(r.err, "is a symbolic link");
	cr_expect_not(weft_path_exists(path_in("outside/x.txt")));
	cr_expect_not(weft_path_exists(path_in("dest/hello.txt")));
	expect_no_leftovers();
	result_free(&r);
}

Test(cli, a_full_disk_leaves_nothing_behind)
{
	char cmd[700];
	snprintf(cmd, sizeof cmd, "cp -R '%s/templates/patterns/mini' '%s/tpl'", DATA, tmp);
	cr_assert_eq(system(cmd), 0);
	/* more than the 100000-byte RLIMIT_FSIZE the child runs under */
	FILE *fp = fopen(path_in("tpl/files/big.txt"), "w");
	for (int i = 0; i < 3000; i++)
		fputs("0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789\n",
		      fp);
	fclose(fp);
	mkdir(path_in("empty"), 0755);
	const char *const dests[] = { "dest", "empty" };
	for (int i = 0; i < 2; i++) {
		result r = run_kind(CHILD_FSIZE, NULL,
				    (const char *const[]){ "new", path_in("tpl"), path_in(dests[i]), NULL });
		cr_expect_eq(r.rc, 4, "%s", r.err);
		expect_contains(r.err, "File too large");
		result_free(&r);
		expect_no_leftovers();
	}
	cr_expect_not(weft_path_exists(path_in("dest")));
	DIR *dh = opendir(path_in("empty"));
	cr_assert_not_null(dh, "the empty destination folder is gone");
	int entries = 0;
	while (readdir(dh))
		entries++;
	closedir(dh);
	cr_expect_eq(entries, 2, "the empty destination folder got files");
}

/* ---- git ---- */

static bool have_git(void)
{
	return system("git --version >/dev/null 2>&1") == 0;
}

Test(cli, git_template_at_a_tag)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "cp -R '%s/templates/patterns/mini' '%s/repo'", DATA, tmp);
	cr_assert_eq(system(cmd), 0);
	git_libgit2_init();
	git_oid v1, v2;
	FILE *fp = fopen(path_in("repo/files/hello.txt"), "w");
	fputs("v1 {{who}}\n", fp);
	fclose(fp);
	weft_test_git_commit_all(path_in("repo"), "v1", &v1);
	weft_test_git_tag(path_in("repo"), "v1", &v1);
	fp = fopen(path_in("repo/files/hello.txt"), "w");
	fputs("v2 {{who}}\n", fp);
	fclose(fp);
	weft_test_git_commit_all(path_in("repo"), "v2", &v2);
	git_libgit2_shutdown();
	char v1hex[41];
	git_oid_tostr(v1hex, sizeof v1hex, &v1);

	char repo[512], one[512], two[512];
	snprintf(repo, sizeof repo, "%s", path_in("repo"));
	snprintf(one, sizeof one, "%s", path_in("one"));
	snprintf(two, sizeof two, "%s", path_in("two"));
	result r = RUN("new", repo, one, "--ref", "v1", "--set", "who=x");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	expect_contains(r.out, "git: first commit");
	result_free(&r);
	expect_file(path_in("one/hello.txt"), "v1 x\n");
	char *ans = slurp(path_in("one/.weft-answers.yaml"));
	char want[200];
	snprintf(want, sizeof want, "  ref: \"v1\"\n  commit: \"%s\"\n", v1hex);
	expect_contains(ans, want);
	free(ans);
	if (have_git()) {
		snprintf(cmd, sizeof cmd, "git -C '%s' fsck --strict >/dev/null 2>&1", one);
		cr_expect_eq(system(cmd), 0, "git fsck failed");
		snprintf(cmd, sizeof cmd,
			 "test \"$(git -C '%s' log --format='%%s|%%an <%%ae>')\" = "
			 "'Create project from template mini 0.1.0|Cli Test <cli@example.com>'",
			 one);
		cr_expect_eq(system(cmd), 0, "git log shows another commit");
	}

	/* the answers pin the commit: the same project again, byte for byte */
	r = RUN("new", repo, two, "--answers", path_in("one/.weft-answers.yaml"));
	cr_assert_eq(r.rc, 0, "%s", r.err);
	result_free(&r);
	snprintf(cmd, sizeof cmd, "diff -r -x .git '%s' '%s'", one, two);
	cr_expect_eq(system(cmd), 0, "second run differs");
	expect_no_leftovers();
}

Test(cli, git_identity_fallback)
{
	mkdir(path_in("home"), 0755);
	char home[600], xdg[600];
	snprintf(home, sizeof home, "HOME=%s", path_in("home"));
	snprintf(xdg, sizeof xdg, "XDG_CONFIG_HOME=%s", path_in("home"));
	const char *env[] = { home, xdg, "GIT_AUTHOR_NAME=", "GIT_AUTHOR_EMAIL=", "WEFT_DATA_DIR=" DATA, NULL };
	result r = RUN_ENV(env, "new", "mini", path_in("m"));
	cr_assert_eq(r.rc, 0, "%s", r.err);
	expect_contains(r.err, "note: no git identity configured; the first commit is by weft <weft@localhost>");
	expect_contains(r.out, "by weft <weft@localhost>");
	result_free(&r);
}

/* ---- interactive, through a pseudo-terminal ---- */

static void read_until(int fd, weft_buf *b, const char *needle)
{
	while (!strstr(b->ptr, needle)) {
		struct pollfd pf = { fd, POLLIN, 0 };
		cr_assert_gt(poll(&pf, 1, 20000), 0, "no '%s' in:\n%s", needle, b->ptr);
		char buf[1024];
		ssize_t got = read(fd, buf, sizeof buf);
		if (got <= 0)
			return;
		weft_buf_put(b, buf, (size_t)got);
	}
}

Test(cli, interactive_questions)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	cr_assert_geq(master, 0);
	cr_assert_eq(grantpt(master), 0);
	cr_assert_eq(unlockpt(master), 0);
	char slave[128];
	snprintf(slave, sizeof slave, "%s", ptsname(master));
	char dest[512];
	snprintf(dest, sizeof dest, "%s", path_in("p"));
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		setsid();
		int s = open(slave, O_RDWR);
		if (s < 0)
			_exit(126);
		dup2(s, 0);
		dup2(s, 1);
		dup2(s, 2);
		close(master);
		child_env();
		execl(WEFT_BIN, WEFT_BIN, "new", FULL, dest, "--no-git", (char *)NULL);
		_exit(127);
	}
	weft_buf b = WEFT_BUF_INIT;
	weft_buf_put(&b, "", 0);
	read_until(master, &b, "project [demo-service]: ");
	/* project, title: defaults; port: a bad answer, then a good one; db
	 * asked because use_db is yes; features: default; use_docker: no */
	const char input[] = "\n\nabc\n9090\ny\nsqlite\n\nprod\nn\ncarol\n";
	cr_assert_eq(write(master, input, sizeof input - 1), (ssize_t)(sizeof input - 1));
	read_until(master, &b, "Created ");
	read_until(master, &b, "files).");
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	close(master);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "exit %d:\n%s", WEXITSTATUS(status), b.ptr);
	expect_contains(b.ptr, "Project name (lowercase letters, digits and dashes)");
	expect_contains(b.ptr, "port (1024..65535) [8080]: ");
	expect_contains(b.ptr, "'abc' is not a whole number");
	expect_contains(b.ptr, "db (postgres/sqlite) [postgres]: ");
	expect_contains(b.ptr, "features (comma-separated: metrics/tracing/auth) [metrics]: ");
	expect_contains(b.ptr, "use_docker (y/n) [true]: ");
	weft_buf_free(&b);
	char *readme = slurp(path_in("p/README.md"));
	expect_contains(readme, "Owner: carol\nPort: 9090\nDatabase: sqlite\n");
	free(readme);
	expect_file(path_in("p/config/prod.yaml"), "env: prod\nport: 9090\n");
	cr_expect_not(weft_path_exists(path_in("p/Dockerfile")));
	expect_file(path_in("p/db/schema.sql"), "-- schema for sqlite\n");
}
