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
	/* a shipped pattern records weft's version and the pattern's digest;
	 * no ref or commit (it is not a git source) */
	weft_templates_manifest *m = NULL;
	weft_diags *d = NULL;
	weft_diags_new(&d);
	cr_assert_eq(weft_templates_manifest_load(&m, DATA "/templates/patterns/mini", d), 0);
	char digest[72];
	cr_assert_eq(weft_templates_digest(digest, m, d), 0);
	weft_templates_manifest_free(m);
	weft_diags_free(d);
	cr_expect_eq(strlen(digest), 7 + 64);
	char want[1000];
	snprintf(want, sizeof want,
		 "# Written by weft new. To make this project again:\n"
		 "#   weft new SOURCE DEST --answers .weft-answers.yaml\n"
		 "template:\n  name: \"mini\"\n  version: \"0.1.0\"\n  source: \"mini\"\n"
		 "  template_digest: \"%s\"\n  weft_version: \"%s\"\n"
		 "  variables:\n    who: {type: \"string\", default: \"world\"}\n"
		 "answers:\n  who: \"you\"\n",
		 digest, weft_version());
	expect_file(path_in("m/.weft-answers.yaml"), want);
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
		{ "git-rendered", "name '{{g}}' renders to '.git'" },
		{ "git-rendered-dot", "name '{{g}}' renders to '.Git.'" },
		{ "include-git-dir", "bad include destination '.git'" },
		{ "include-git-hooks", "bad include destination '.git/hooks'" },
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
		/* '_': the shared folders the include cases use, not templates */
		if (e->d_name[0] == '.' || e->d_name[0] == '_' || strchr(e->d_name, '.'))
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

/* ---- validation rules (validate:) ---- */

#define SHIPPED_ENV (const char *const[]){ "WEFT_DATA_DIR=" WEFT_SOURCE_DIR, NULL }

/* weft new PATTERN DEST --set ... is refused: exit 2, the rule's message,
 * nothing written. */
static void expect_refused(const char *pattern, const char *set1, const char *set2, const char *needle)
{
	char *dest = path_in("refused");
	result r = set2 ? RUN_ENV(SHIPPED_ENV, "new", pattern, dest, "--set", set1, "--set", set2, "--no-git")
			: RUN_ENV(SHIPPED_ENV, "new", pattern, dest, "--set", set1, "--no-git");
	cr_expect_eq(r.rc, 2, "%s %s: exit %d\n%s", pattern, set1, r.rc, r.err);
	expect_contains(r.err, needle);
	expect_contains(r.err, "the template's rule: ");
	cr_expect_str_eq(r.out, "");
	cr_expect_not(weft_path_exists(dest), "%s was written", dest);
	expect_no_leftovers();
	result_free(&r);
}

Test(cli, validate_refuses_values_that_break_a_rule)
{
	/* the case: the help says deadline_ms must stay below model_budget_ms */
	expect_refused("api", "deadline_ms=500", NULL,
		       "error: deadline_ms (500) must be below model_budget_ms (300)");
	expect_refused("api", "model_budget_ms=200", NULL,
		       "error: deadline_ms (200) must be below model_budget_ms (200)");
	expect_refused("api", "crm_render_budget_ms=1500", NULL,
		       "crm_render_budget_ms (1500) must add up to at most end_to_end_budget_ms (2000)");
	expect_refused("api", "end_to_end_budget_ms=1000", NULL, "at most end_to_end_budget_ms (1000)");
	/* both rules broken: both reported */
	char *dest = path_in("both");
	result r = RUN_ENV(SHIPPED_ENV, "new", "api", dest, "--set", "deadline_ms=900", "--set", "model_budget_ms=800",
			   "--no-git");
	cr_expect_eq(r.rc, 2, "%s", r.err);
	expect_contains(r.err, "deadline_ms (900) must be below model_budget_ms (800)");
	expect_contains(r.err, "250) + model_budget_ms (800) + crm_render_budget_ms (1300) must add up");
	cr_expect_not(weft_path_exists(dest));
	result_free(&r);
	/* an answers file is refused the same way */
	FILE *fp = fopen(path_in("answers.yaml"), "w");
	fputs("answers:\n  deadline_ms: 400\n", fp);
	fclose(fp);
	r = RUN_ENV(SHIPPED_ENV, "new", "api", dest, "--answers", path_in("answers.yaml"), "--no-git");
	cr_expect_eq(r.rc, 2, "%s", r.err);
	expect_contains(r.err, "deadline_ms (400) must be below model_budget_ms (300)");
	cr_expect_not(weft_path_exists(dest));
	result_free(&r);
	expect_refused("hitl", "routing_budget_ms=300", NULL,
		       "end_to_end_budget_ms (250) must be above routing_budget_ms (300)");
	expect_refused("hitl", "end_to_end_budget_ms=50", NULL,
		       "end_to_end_budget_ms (50) must be above routing_budget_ms (50)");
}

/* The defaults, and the non-default answers the pattern build test uses,
 * pass every shipped pattern's rules. */
Test(cli, validate_passes_defaults_and_the_pattern_fixtures)
{
	static const char *const patterns[] = { "api", "batch", "edge", "embedded", "hitl" };
	for (size_t i = 0; i < sizeof patterns / sizeof patterns[0]; i++) {
		result r = RUN_ENV(SHIPPED_ENV, "new", patterns[i], path_in("d"), "--dry-run");
		cr_expect_eq(r.rc, 0, "%s defaults: %s", patterns[i], r.err);
		result_free(&r);
		char set_path[512];
		snprintf(set_path, sizeof set_path, "%s/patterns/%s.set", WEFT_FIXTURES, patterns[i]);
		char *text = slurp(set_path);
		const char *args[32] = { "new", patterns[i], path_in("d"), "--dry-run" };
		size_t n = 4;
		char *save = NULL;
		for (char *l = strtok_r(text, "\n", &save); l && n < 29; l = strtok_r(NULL, "\n", &save)) {
			args[n++] = "--set";
			args[n++] = l;
		}
		args[n] = NULL;
		r = run_kind(CHILD_PLAIN, SHIPPED_ENV, args);
		cr_expect_eq(r.rc, 0, "%s with %s: %s", patterns[i], set_path, r.err);
		result_free(&r);
		free(text);
	}
	cr_expect_not(weft_path_exists(path_in("d")));
}

Test(cli, validate_asks_again_at_a_terminal)
{
	mkdir(path_in("tpl"), 0755);
	mkdir(path_in("tpl/files"), 0755);
	FILE *fp = fopen(path_in("tpl/template.yaml"), "w");
	fputs("name: budget\nversion: '1'\nsummary: s\nvariables:\n"
	      "  - {name: deadline, type: int, default: 200}\n"
	      "  - {name: budget, type: int, default: 300}\n"
	      "validate:\n"
	      "  - rule: deadline < budget\n"
	      "    message: 'deadline ({{deadline}}) must be below budget ({{budget}})'\n",
	      fp);
	fclose(fp);
	fp = fopen(path_in("tpl/files/limits.txt"), "w");
	fputs("{{deadline}} < {{budget}}\n", fp);
	fclose(fp);

	int master = posix_openpt(O_RDWR | O_NOCTTY);
	cr_assert_geq(master, 0);
	cr_assert_eq(grantpt(master), 0);
	cr_assert_eq(unlockpt(master), 0);
	char slave[128], tpl[512], dest[512];
	snprintf(slave, sizeof slave, "%s", ptsname(master));
	snprintf(tpl, sizeof tpl, "%s", path_in("tpl"));
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
		execl(WEFT_BIN, WEFT_BIN, "new", tpl, dest, "--no-git", (char *)NULL);
		_exit(127);
	}
	weft_buf b = WEFT_BUF_INIT;
	weft_buf_put(&b, "", 0);
	read_until(master, &b, "deadline [200]: ");
	cr_assert_eq(write(master, "500\n", 4), 4);
	read_until(master, &b, "budget [300]: ");
	cr_assert_eq(write(master, "\n", 1), 1);
	/* the rule fails: deadline is asked again, with the message, offering 500 */
	read_until(master, &b, "deadline [500]: ");
	cr_assert_eq(write(master, "120\n", 4), 4);
	read_until(master, &b, "budget [300]: ");
	cr_assert_eq(write(master, "\n", 1), 1);
	read_until(master, &b, "Created ");
	read_until(master, &b, "files).");
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	close(master);
	cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "exit %d:\n%s", WEXITSTATUS(status), b.ptr);
	expect_contains(b.ptr, "deadline (500) must be below budget (300)");
	weft_buf_free(&b);
	expect_file(path_in("p/limits.txt"), "120 < 300\n");
}

/* ---- replays: what they record, what they say ---- */

#define REPLAY WEFT_FIXTURES "/templates/replay"

static void sh(const char *fmt, const char *a, const char *b)
{
	char cmd[1500];
	snprintf(cmd, sizeof cmd, fmt, a, b);
	cr_assert_eq(system(cmd), 0, "%s", cmd);
}

static void expect_lacks(const char *hay, const char *needle)
{
	cr_expect(hay && !strstr(hay, needle), "'%s' unexpectedly in:\n%s", needle, hay ? hay : "(null)");
}

static void hex_of(char hex[41], const git_oid *id)
{
	git_oid_tostr(hex, 41, id);
}

Test(cli, dirty_git_template_is_refused_unless_allowed)
{
	char repo[512];
	snprintf(repo, sizeof repo, "%s", path_in("repo"));
	sh("cp -R '%s' '%s'", DATA "/templates/patterns/mini", repo);
	FILE *fp = fopen(path_in("repo/.gitignore"), "w");
	fputs("*.log\n", fp);
	fclose(fp);
	git_libgit2_init();
	git_oid head;
	weft_test_git_commit_all(repo, "v1", &head);
	git_libgit2_shutdown();
	char hex[41];
	hex_of(hex, &head);

	/* clean (an ignored file does not count): recorded as its commit, not dirty */
	fp = fopen(path_in("repo/build.log"), "w");
	fputs("noise\n", fp);
	fclose(fp);
	result r = RUN("new", repo, path_in("clean"), "--no-git");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	result_free(&r);
	char *ans = slurp(path_in("clean/.weft-answers.yaml"));
	char want[200];
	snprintf(want, sizeof want, "  commit: \"%s\"\n  dirty: false\n", hex);
	expect_contains(ans, want);
	free(ans);

	/* a changed file and an untracked one: refused, naming them and --allow-dirty */
	fp = fopen(path_in("repo/files/hello.txt"), "w");
	fputs("changed {{who}}\n", fp);
	fclose(fp);
	fp = fopen(path_in("repo/files/extra.txt"), "w");
	fputs("new\n", fp);
	fclose(fp);
	r = RUN("new", repo, path_in("p"), "--no-git");
	cr_expect_eq(r.rc, 3, "%s", r.err);
	expect_contains(r.err, "uncommitted changes (2 paths: files/extra.txt, files/hello.txt)");
	expect_contains(r.err, "--allow-dirty");
	cr_expect_not(weft_path_exists(path_in("p")));
	result_free(&r);

	/* allowed: the work tree is rendered, and recorded as dirty */
	r = RUN("new", repo, path_in("p"), "--no-git", "--allow-dirty");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	result_free(&r);
	expect_file(path_in("p/hello.txt"), "changed world\n");
	expect_file(path_in("p/extra.txt"), "new\n");
	ans = slurp(path_in("p/.weft-answers.yaml"));
	snprintf(want, sizeof want, "  commit: \"%s\"\n  dirty: true\n", hex);
	expect_contains(ans, want);
	free(ans);

	/* its replay checks out the commit, which is not what was rendered: said so */
	r = RUN("new", repo, path_in("again"), "--no-git", "--answers", path_in("p/.weft-answers.yaml"));
	cr_assert_eq(r.rc, 0, "%s", r.err);
	expect_contains(r.err, "warning: these answers were written from a template with uncommitted changes");
	expect_contains(r.err, "warning: the template changed since these answers were written (files sha256:");
	result_free(&r);
	expect_file(path_in("again/hello.txt"), "Hello, world!\n");
	expect_no_leftovers();
}

Test(cli, replay_of_an_unchanged_template_says_nothing)
{
	char t[512];
	snprintf(t, sizeof t, "%s", path_in("t"));
	sh("cp -R '%s' '%s'", REPLAY "/v1", t);
	result r = RUN("new", t, path_in("one"), "--no-git", "--set", "who=ann", "--set", "token=tok");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	result_free(&r);
	/* the same template, moved elsewhere: the digest does not depend on where it lies */
	char t2[512];
	snprintf(t2, sizeof t2, "%s", path_in("moved"));
	sh("cp -R '%s' '%s'", t, t2);
	r = RUN("new", t2, path_in("two"), "--no-git", "--answers", path_in("one/.weft-answers.yaml"), "--set",
		"token=tok");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	expect_lacks(r.err, "warning"); /* (a sanitizer build may print its suppressions) */
	result_free(&r);
	expect_file(path_in("two/hello.txt"), "Hello ann, level 2.\n");
	char *a = slurp(path_in("one/.weft-answers.yaml")), *b = slurp(path_in("two/.weft-answers.yaml"));
	char *sa = strstr(a, "  template_digest:"), *sb = strstr(b, "  template_digest:");
	cr_assert(sa && sb);
	cr_expect_str_eq(sa, sb, "the records differ past the source");
	free(a);
	free(b);
}

Test(cli, replay_after_the_template_changed_lists_what_differs)
{
	char t[512];
	snprintf(t, sizeof t, "%s", path_in("t"));
	sh("cp -R '%s' '%s'", REPLAY "/v1", t);
	result r = RUN("new", t, path_in("one"), "--no-git", "--set", "token=tok");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	result_free(&r);
	/* version 2 over it: a default changed, a variable added, one removed, bounds */
	sh("cp -R '%s/.' '%s'", REPLAY "/v2", t);
	r = RUN("new", t, path_in("two"), "--no-git", "--answers", path_in("one/.weft-answers.yaml"), "--set",
		"token=tok");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	expect_contains(r.err, "warning: the template changed since these answers were written (version 1.0.0 then, "
			       "1.1.0 now; files sha256:");
	expect_contains(r.err, "4 variables differ); the project may differ");
	expect_contains(r.err, "note: variable 'who' changed: default \"world\" -> \"there\"\n");
	expect_contains(r.err, "note: variable 'greeting' added (string, default \"hi\"): these answers have no "
			       "value for it\n");
	expect_contains(r.err, "note: variable 'level' changed: default \"2\" -> \"3\"; min none -> \"1\"; max none "
			       "-> \"5\"\n");
	expect_contains(r.err, "note: variable 'old' removed\n");
	expect_lacks(r.err, "'token'");
	result_free(&r);
	/* the recorded answers still win over the new defaults */
	expect_file(path_in("two/hello.txt"), "hi world, level 2.\n");
}

Test(cli, replay_of_an_answers_file_without_a_record_of_variables)
{
	char t[512];
	snprintf(t, sizeof t, "%s", path_in("t"));
	sh("cp -R '%s' '%s'", REPLAY "/v2", t);
	FILE *fp = fopen(path_in("old.yaml"), "w");
	fputs("template:\n  name: \"replay\"\n  version: \"1.0.0\"\n  source: \"x\"\n  ref: null\n  commit: null\n"
	      "answers:\n  who: \"zed\"\n",
	      fp);
	fclose(fp);
	result r = RUN("new", t, path_in("p"), "--no-git", "--answers", path_in("old.yaml"), "--set", "token=x");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	expect_contains(r.err, "(version 1.0.0 then, 1.1.0 now)");
	expect_contains(r.err, "does not record the template's variables");
	result_free(&r);
}

/* Run weft in a pseudo-terminal, answer each question in turn. */
static int run_pty(const char *const *args, const char *const *qa, weft_buf *b)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY);
	cr_assert_geq(master, 0);
	cr_assert_eq(grantpt(master), 0);
	cr_assert_eq(unlockpt(master), 0);
	char slave[128];
	snprintf(slave, sizeof slave, "%s", ptsname(master));
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
		char *argv[32];
		size_t n = 0;
		argv[n++] = (char *)WEFT_BIN;
		for (; args[n - 1] && n < 31; n++)
			argv[n] = (char *)args[n - 1];
		argv[n] = NULL;
		execv(WEFT_BIN, argv);
		_exit(127);
	}
	weft_buf_put(b, "", 0);
	for (size_t i = 0; qa[i]; i += 2) {
		read_until(master, b, qa[i]);
		cr_assert_eq(write(master, qa[i + 1], strlen(qa[i + 1])), (ssize_t)strlen(qa[i + 1]));
	}
	read_until(master, b, "files).");
	int status;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	close(master);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

Test(cli, secrets_are_never_written_and_asked_again)
{
	const char secret[] = "S3cr3t-t0ken-9f2";
	char set[64];
	snprintf(set, sizeof set, "token=%s", secret);
	result r = RUN("new", REPLAY "/v1", path_in("one"), "--set", set);
	cr_assert_eq(r.rc, 0, "%s", r.err);
	result_free(&r);
	expect_file(path_in("one/token.conf"), "token=S3cr3t-t0ken-9f2\n");
	char *ans = slurp(path_in("one/.weft-answers.yaml"));
	expect_lacks(ans, secret);
	expect_contains(ans, "    token: {type: \"string\", secret: true}\n");
	expect_lacks(ans, "  token: \"");
	free(ans);
	/* nor in the answers file committed to the project's history */
	char cmd[1200];
	if (have_git()) {
		snprintf(cmd, sizeof cmd, "git -C '%s' log -p --all | grep -F '%s' | grep -v 'token=' >/dev/null",
			 path_in("one"), secret);
		cr_expect_neq(system(cmd), 0, "the secret is in the history outside token.conf");
	}
	snprintf(cmd, sizeof cmd, "grep -rF '%s' '%s' --include=.weft-answers.yaml >/dev/null", secret, tmp);
	cr_expect_neq(system(cmd), 0, "the secret is in an answers file");

	/* a replay without a value: not taken from anywhere, so asked (or refused) */
	r = RUN("new", REPLAY "/v1", path_in("two"), "--no-input", "--answers", path_in("one/.weft-answers.yaml"));
	cr_expect_eq(r.rc, 2);
	expect_contains(r.err, "no value for 'token'");
	result_free(&r);

	weft_buf b = WEFT_BUF_INIT;
	char dest[512], answers[512];
	snprintf(dest, sizeof dest, "%s", path_in("three"));
	snprintf(answers, sizeof answers, "%s", path_in("one/.weft-answers.yaml"));
	const char *args[] = { "new", REPLAY "/v1", dest, "--no-git", "--answers", answers, NULL };
	const char *qa[] = { "token", "another-secret\n", NULL };
	int rc = run_pty(args, qa, &b);
	cr_expect_eq(rc, 0, "%s", b.ptr);
	expect_lacks(b.ptr, "who [");
	weft_buf_free(&b);
	expect_file(path_in("three/token.conf"), "token=another-secret\n");
	expect_file(path_in("three/hello.txt"), "Hello world, level 2.\n");
	ans = slurp(path_in("three/.weft-answers.yaml"));
	expect_lacks(ans, "another-secret");
	free(ans);
}

#define SECRET WEFT_FIXTURES "/templates/secret"

/* A secret is typed with echo off: neither it nor its default shows on the
 * terminal, not even when a wrong one is refused and asked again. */
Test(cli, secret_answers_are_not_echoed)
{
	weft_buf b = WEFT_BUF_INIT;
	char dest[512];
	snprintf(dest, sizeof dest, "%s", path_in("s"));
	const char *args[] = { "new", SECRET, dest, "--no-git", NULL };
	const char *qa[] = { "who [world]: ", "ada\n",
			     "token (hidden): ", "tok-WR0NG-guess\n",
			     /* asked again after the reason (with echo already off) */
			     "the value given for token does not match", "tok-q7s3cr3tz\n",
			     "pin (1000..9999) (hidden; Enter keeps the default): ", "\n", NULL };
	int rc = run_pty(args, qa, &b);
	cr_expect_eq(rc, 0, "%s", b.ptr);
	expect_contains(b.ptr, "ada");            /* an ordinary answer is echoed */
	expect_lacks(b.ptr, "tok-WR0NG-guess");   /* the refused secret, in the echo or the reason */
	expect_lacks(b.ptr, "tok-q7s3cr3tz");
	expect_lacks(b.ptr, "4321");              /* a secret's default is not shown */
	expect_contains(b.ptr, "the value given for token does not match the pattern tok-[a-z0-9]+");
	/* a newline after each hidden answer, so the next question starts a line */
	expect_contains(b.ptr, "token (hidden): \r\n");
	weft_buf_free(&b);
	expect_file(path_in("s/secret.conf"), "who=ada\ntoken=tok-q7s3cr3tz\npin=4321\n");
}

/* A bad --set of a secret is refused without repeating what was given. */
Test(cli, bad_secret_set_does_not_repeat_the_value)
{
	result r = RUN("new", SECRET, path_in("s"), "--no-input", "--no-git", "--set", "token=Hunter2-Sekret");
	cr_expect_eq(r.rc, 2, "%s", r.err);
	expect_lacks(r.err, "Hunter2-Sekret");
	expect_lacks(r.out, "Hunter2-Sekret");
	expect_contains(r.err, "--set token: the value given for token does not match the pattern tok-[a-z0-9]+");
	result_free(&r);
	r = RUN("new", SECRET, path_in("s"), "--no-input", "--no-git", "--set", "token=tok-ok", "--set", "pin=98765");
	cr_expect_eq(r.rc, 2, "%s", r.err);
	expect_lacks(r.err, "98765");
	expect_contains(r.err, "the value given for pin is not a whole number in 1000..9999");
	result_free(&r);
	/* a variable that is not secret still quotes the value, which helps */
	r = RUN("new", REPLAY "/v1", path_in("s"), "--no-input", "--no-git", "--set", "token=x", "--set",
		"level=many");
	cr_expect_eq(r.rc, 2, "%s", r.err);
	expect_contains(r.err, "--set level=many: 'many' is not a whole number");
	result_free(&r);
	expect_no_leftovers();
}

/* A collection in a git repository: templates/app includes templates/_shared. */
static void make_collection(char repo[512], char hex[41])
{
	snprintf(repo, 512, "%s", path_in("coll"));
	sh("cp -R '%s' '%s'", REPLAY "/collection", repo);
	git_libgit2_init();
	git_oid id;
	weft_test_git_commit_all(repo, "collection", &id);
	weft_test_git_tag(repo, "v1", &id);
	git_libgit2_shutdown();
	hex_of(hex, &id);
}

Test(cli, subdir_of_a_git_repository_with_a_shared_include)
{
	char repo[512], hex[41], url[600];
	make_collection(repo, hex);
	snprintf(url, sizeof url, "file://%s", repo);
	result r = RUN("new", url, path_in("one"), "--subdir", "templates/app/", "--ref", "v1", "--set", "project=p1");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	result_free(&r);
	expect_file(path_in("one/README.md"), "# p1\n");
	expect_file(path_in("one/lib/util.txt"), "shared helper, copied verbatim: {{not rendered}}\n");
	char *ans = slurp(path_in("one/.weft-answers.yaml"));
	char want[300];
	snprintf(want, sizeof want, "  subdir: \"templates/app\"\n  ref: \"v1\"\n  commit: \"%s\"\n  dirty: false\n",
		 hex);
	expect_contains(ans, want);
	free(ans);
	/* the replay takes the subdir and commit from the answers: the same project */
	r = RUN("new", url, path_in("two"), "--answers", path_in("one/.weft-answers.yaml"));
	cr_assert_eq(r.rc, 0, "%s", r.err);
	expect_lacks(r.err, "warning"); /* (a sanitizer build may print its suppressions) */
	result_free(&r);
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "diff -r -x .git '%s' '%s'", path_in("one"), path_in("two"));
	cr_expect_eq(system(cmd), 0, "second run differs");
	/* a local repository, in place, works the same */
	r = RUN("new", repo, path_in("three"), "--subdir", "templates/app", "--no-git");
	cr_assert_eq(r.rc, 0, "%s", r.err);
	result_free(&r);
	expect_file(path_in("three/lib/util.txt"), "shared helper, copied verbatim: {{not rendered}}\n");
	expect_no_leftovers();
}

Test(cli, subdir_may_not_leave_the_repository)
{
	char repo[512], hex[41], url[600];
	make_collection(repo, hex);
	/* a link in the repository leading out of it */
	char outside[512];
	snprintf(outside, sizeof outside, "%s", path_in("outside"));
	sh("cp -R '%s' '%s'", REPLAY "/v1", outside);
	cr_assert_eq(symlink(outside, path_in("coll/templates/escape")), 0);
	/* a template at the top of the repository, whose include would be outside it */
	sh("cp -R '%s/templates/app' '%s/top'", repo, repo);
	git_libgit2_init();
	git_oid id;
	weft_test_git_commit_all(repo, "more", &id);
	git_libgit2_shutdown();
	snprintf(url, sizeof url, "file://%s", repo);

	const char *bad[] = { "../outside", "/etc", "templates/../../outside", "" };
	for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
		result r = RUN("new", url, path_in("p"), "--subdir", bad[i]);
		cr_expect_eq(r.rc, 2, "--subdir '%s': %s", bad[i], r.err);
		expect_contains(r.err, "bad --subdir");
		result_free(&r);
	}
	result r = RUN("new", url, path_in("p"), "--subdir", "templates/escape");
	cr_expect_eq(r.rc, 3, "%s", r.err);
	expect_contains(r.err, "--subdir 'templates/escape' leads outside the template source");
	result_free(&r);
	r = RUN("new", url, path_in("p"), "--subdir", "templates/none");
	cr_expect_eq(r.rc, 2, "%s", r.err);
	expect_contains(r.err, "no such folder");
	result_free(&r);
	/* top/ includes _shared/lib from the folder holding the clone: not found there */
	r = RUN("new", url, path_in("p"), "--subdir", "top");
	cr_expect_eq(r.rc, 3, "%s", r.err);
	result_free(&r);
	/* a repository that is the template: its include would come from the
	 * folder holding the clone; refused even when that folder has one */
	char solo[512], tmpdir[600], solo_url[600];
	snprintf(solo, sizeof solo, "%s", path_in("solo"));
	sh("cp -R '%s' '%s'", REPLAY "/collection/templates/app", solo);
	git_libgit2_init();
	weft_test_git_commit_all(solo, "solo", &id);
	git_libgit2_shutdown();
	snprintf(solo_url, sizeof solo_url, "file://%s", solo);
	snprintf(tmpdir, sizeof tmpdir, "TMPDIR=%s", path_in("scratch"));
	sh("mkdir -p '%s/_shared/lib' && echo planted > '%s/_shared/lib/x.txt'", path_in("scratch"),
	   path_in("scratch"));
	const char *tenv[] = { tmpdir, NULL };
	r = RUN_ENV(tenv, "new", solo_url, path_in("p"));
	cr_expect_eq(r.rc, 3, "%s", r.err);
	expect_contains(r.err, "lies outside the template repository");
	result_free(&r);
	/* not for shipped patterns */
	const char *env[] = { "WEFT_DATA_DIR=" DATA, NULL };
	r = RUN_ENV(env, "new", "mini", path_in("p"), "--subdir", "x");
	cr_expect_eq(r.rc, 2, "%s", r.err);
	expect_contains(r.err, "--subdir does not apply");
	result_free(&r);
	cr_expect_not(weft_path_exists(path_in("p")));
	expect_no_leftovers();
}
