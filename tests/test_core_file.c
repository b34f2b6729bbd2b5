/* test_core_file.c - whole-file reads and atomic writes: no overwrite
 * without force (also when writers race, and where renameat2 is missing),
 * nothing left behind on failure (a full or read-only file system, mounted
 * for the test in a private mount namespace), modes from the umask, names
 * up to NAME_MAX. */
#define _GNU_SOURCE /* unshare, CLONE_NEWNS */
#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "listing.h"
#include "requires.h"
#include "weft_core.h"

static char dir[] = "/tmp/weft-test-file-XXXXXX";
static weft_diags *d;

static void setup(void)
{
	cr_assert_not_null(mkdtemp(dir));
	cr_assert_eq(weft_diags_new(&d), 0);
}

static void teardown(void)
{
	weft_diags_free(d);
	char cmd[256];
	snprintf(cmd, sizeof cmd, "chmod -R u+w '%s'; rm -rf '%s'", dir, dir);
	cr_assert_eq(system(cmd), 0);
}

TestSuite(core_file, .init = setup, .fini = teardown);

/* Entries of a folder, dot files included (temporaries start with '.'). */
static size_t entries(const char *path)
{
	DIR *dp = opendir(path);
	cr_assert_not_null(dp, "cannot list %s", path);
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(dp)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(dp);
	return n;
}

static char *slurp(const char *path)
{
	char *s = NULL;
	cr_assert_eq(weft_file_read(&s, NULL, path, 0, d), 0);
	return s;
}

/* Contents of path, or NULL; for forked children. */
static char *slurp_quiet(const char *path)
{
	weft_diags *scratch = NULL;
	char *s = NULL;
	if (weft_diags_new(&scratch) == 0 && weft_file_read(&s, NULL, path, 0, scratch) != 0)
		s = NULL;
	weft_diags_free(scratch);
	return s;
}

/* Skip with a reason, except under CI=true, where every test must run.
 * The folder goes first: Criterion does not run .fini after a skip. */
static void skip_unless_ci(const char *what, const char *why)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	if (weft_test_in_ci())
		cr_assert_fail("%s: %s (CI=true: skipping is not allowed)", what, why);
	cr_skip_test("%s: %s", what, why);
}

/* ---- forked children ----
 * A child reports to the test process through a pipe: nothing when all went
 * well, else a message; one starting with "skip: " asks for a skip. The
 * Criterion assertions run in the test process. */

typedef const char *(*child_fn)(void *ctx);

static char why[1024];
#define CHECK(cond, ...)                                                        \
	do {                                                                        \
		if (!(cond)) {                                                      \
			int n_ = snprintf(why, sizeof why, "line %d: ", __LINE__); \
			snprintf(why + n_, sizeof why - (size_t)n_, __VA_ARGS__);  \
			return why;                                                 \
		}                                                                   \
	} while (0)

static void in_child(const char *what, child_fn fn, void *ctx)
{
	int pfd[2];
	cr_assert_eq(pipe(pfd), 0);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	cr_assert_neq(pid, -1, "fork: %s", strerror(errno));
	if (pid == 0) {
		close(pfd[0]);
		const char *msg = fn(ctx);
		size_t n = msg ? strlen(msg) : 0;
		while (n) {
			ssize_t w = write(pfd[1], msg, n);
			if (w <= 0)
				break;
			msg += w;
			n -= (size_t)w;
		}
		_exit(0);
	}
	close(pfd[1]);
	char buf[2048];
	size_t got = 0;
	ssize_t r;
	while (got < sizeof buf - 1 && (r = read(pfd[0], buf + got, sizeof buf - 1 - got)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	close(pfd[0]);
	int status = 0;
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0, "%s: the child died (status %#x); it said: %s",
		  what, (unsigned)status, buf);
	if (!strncmp(buf, "skip: ", 6))
		skip_unless_ci(what, buf + 6);
	cr_assert_eq(got, 0, "%s: %s", what, buf);
}

/* A tmpfs on dir/mnt, seen only by a child in its own mount namespace (and
 * gone with it). Needs root: CAP_SYS_ADMIN. */
typedef struct {
	const char *options;
	const char *(*body)(const char *mnt);
	char mnt[512];
} tmpfs_job;

static const char *tmpfs_child(void *ctx)
{
	tmpfs_job *j = ctx;
	static char msg[1024];
	if (unshare(CLONE_NEWNS) != 0) {
		snprintf(msg, sizeof msg, "skip: unshare(CLONE_NEWNS) failed: %s (needs CAP_SYS_ADMIN)", strerror(errno));
		return msg;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0) {
		snprintf(msg, sizeof msg, "skip: cannot make the mounts private: %s", strerror(errno));
		return msg;
	}
	if (mount("tmpfs", j->mnt, "tmpfs", MS_NOSUID | MS_NODEV, j->options) != 0) {
		snprintf(msg, sizeof msg, "skip: cannot mount a tmpfs (%s) on %s: %s", j->options, j->mnt,
			 strerror(errno));
		return msg;
	}
	return j->body(j->mnt);
}

static void with_tmpfs(const char *what, const char *options, const char *(*body)(const char *mnt))
{
	if (geteuid() != 0)
		skip_unless_ci(what, "needs root (CAP_SYS_ADMIN) to mount a tmpfs in a private mount namespace");
	tmpfs_job j = { .options = options, .body = body };
	snprintf(j.mnt, sizeof j.mnt, "%s/mnt", dir);
	cr_assert_eq(mkdir(j.mnt, 0755), 0);
	in_child(what, tmpfs_child, &j);
	cr_expect_eq(entries(j.mnt), 0, "the tmpfs was seen outside the child");
}

/* ---- tests ---- */

Test(core_file, write_then_read_back)
{
	char p[512];
	snprintf(p, sizeof p, "%s/out.txt", dir);
	cr_assert_eq(weft_file_write_atomic(p, "hello\n", 6, 0, d), 0);
	char *s = slurp(p);
	cr_assert_str_eq(s, "hello\n");
	free(s);
	struct stat st;
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_eq(st.st_mode & 0111, 0, "not executable by default");
	cr_assert_eq(entries(dir), 1, "no temporary left behind");
}

Test(core_file, refuses_to_overwrite_without_force)
{
	char p[512];
	snprintf(p, sizeof p, "%s/out.txt", dir);
	cr_assert_eq(weft_file_write_atomic(p, "first", 5, 0, d), 0);
	cr_assert_eq(weft_file_write_atomic(p, "second", 6, 0, d), WEFT_EEXISTS);
	char *s = slurp(p);
	cr_assert_str_eq(s, "first");
	free(s);
	cr_assert_str_eq(weft_diags_get(d, 0)->hint, "pass --force to replace it");
	cr_assert_eq(weft_exit_code(WEFT_EEXISTS), 4);
	cr_assert_eq(weft_file_write_atomic(p, "second", 6, WEFT_WRITE_FORCE, d), 0);
	s = slurp(p);
	cr_assert_str_eq(s, "second");
	free(s);
	cr_assert_eq(entries(dir), 1);
}

Test(core_file, executable_flag_sets_mode)
{
	char p[512];
	snprintf(p, sizeof p, "%s/run.sh", dir);
	cr_assert_eq(weft_file_write_atomic(p, "#!/bin/sh\n", 10, WEFT_WRITE_EXEC, d), 0);
	struct stat st;
	cr_assert_eq(stat(p, &st), 0);
	cr_assert_neq(st.st_mode & 0100, 0);
}

/* A name of NAME_MAX bytes and one of 254: the temporary's name must not
 * grow with the target's. */
Test(core_file, names_up_to_name_max)
{
	static const size_t lengths[] = { 254, 255 };
	for (size_t k = 0; k < 2; k++) {
		char name[256], p[600];
		memset(name, 'n', lengths[k]);
		name[lengths[k]] = '\0';
		snprintf(p, sizeof p, "%s/%s", dir, name);
		cr_assert_eq(weft_file_write_atomic(p, "one", 3, 0, d), 0, "a %zu-byte name", lengths[k]);
		char *s = slurp(p);
		cr_expect_str_eq(s, "one");
		free(s);
		cr_assert_eq(weft_file_write_atomic(p, "two", 3, 0, d), WEFT_EEXISTS);
		s = slurp(p);
		cr_expect_str_eq(s, "one", "no --force, yet replaced");
		free(s);
		cr_assert_eq(weft_file_write_atomic(p, "three", 5, WEFT_WRITE_FORCE, d), 0,
			     "a %zu-byte name with --force", lengths[k]);
		s = slurp(p);
		cr_expect_str_eq(s, "three");
		free(s);
		cr_expect_eq(entries(dir), k + 1, "a temporary was left behind");
	}
	char *l = weft_test_listing(dir);
	cr_expect_eq(strlen(l), 254 + 1 + 255, "%s", l);
	free(l);
}

/* New files get 0644 or 0755 less the umask, whatever the umask is. */
Test(core_file, modes_follow_the_umask)
{
	static const mode_t masks[] = { 027, 077, 002, 0, 022 };
	for (size_t k = 0; k < sizeof masks / sizeof masks[0]; k++) {
		mode_t mask = masks[k];
		umask(mask);
		char p[512], x[512];
		snprintf(p, sizeof p, "%s/plain-%03o", dir, (unsigned)mask);
		snprintf(x, sizeof x, "%s/exec-%03o", dir, (unsigned)mask);
		cr_assert_eq(weft_file_write_atomic(p, "data", 4, 0, d), 0);
		cr_assert_eq(weft_file_write_atomic(x, "#!/bin/sh\n", 10, WEFT_WRITE_EXEC, d), 0);
		struct stat st;
		cr_assert_eq(stat(p, &st), 0);
		cr_expect_eq(st.st_mode & 07777, 0644 & ~mask, "umask %03o: %s has mode %04o, expected %04o",
			     (unsigned)mask, p, (unsigned)(st.st_mode & 07777), (unsigned)(0644 & ~mask));
		cr_assert_eq(stat(x, &st), 0);
		cr_expect_eq(st.st_mode & 07777, 0755 & ~mask, "umask %03o: %s has mode %04o, expected %04o",
			     (unsigned)mask, x, (unsigned)(st.st_mode & 07777), (unsigned)(0755 & ~mask));
	}
	/* the umask is still what the test set: nothing changed it behind our back */
	cr_expect_eq(umask(027), 022);

	/* no --force onto an existing file: refused, content and mode kept */
	char p[512];
	snprintf(p, sizeof p, "%s/plain-027", dir);
	cr_assert_eq(weft_file_write_atomic(p, "other", 5, WEFT_WRITE_EXEC, d), WEFT_EEXISTS);
	char *s = slurp(p);
	cr_expect_str_eq(s, "data");
	free(s);
	struct stat st;
	cr_assert_eq(stat(p, &st), 0);
	cr_expect_eq(st.st_mode & 07777, 0640);
	cr_expect_eq(entries(dir), 10, "a temporary was left behind");
}

/* Writers racing for the same new names, without --force: exactly one wins
 * each name and its content is what is there; the others get WEFT_EEXISTS. */
#define RACERS 8
#define RACE_NAMES 40

typedef struct {
	bool no_renameat2;
} race_opts;

/* Make one system call fail with err in this process, from now on. */
static int deny_syscall(long nr, int err)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ((unsigned)err & SECCOMP_RET_DATA)),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { (unsigned short)(sizeof f / sizeof f[0]), f };
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

static void race(bool no_renameat2)
{
	int (*results)[RACE_NAMES] = mmap(NULL, sizeof(int[RACERS][RACE_NAMES]), PROT_READ | PROT_WRITE,
					  MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	cr_assert_neq(results, MAP_FAILED);
	int gate[2];
	cr_assert_eq(pipe(gate), 0);
	fflush(stdout);
	fflush(stderr);
	pid_t pids[RACERS];
	for (int c = 0; c < RACERS; c++) {
		pids[c] = fork();
		cr_assert_neq(pids[c], -1);
		if (pids[c] == 0) {
			close(gate[1]);
			if (no_renameat2 && deny_syscall(SYS_renameat2, ENOSYS) != 0)
				_exit(2);
			char go;
			if (read(gate[0], &go, 1) != 0) /* EOF: all children are ready */
				_exit(3);
			weft_diags *cd = NULL;
			if (weft_diags_new(&cd) != 0)
				_exit(4);
			for (int i = 0; i < RACE_NAMES; i++) {
				char p[512], text[32];
				snprintf(p, sizeof p, "%s/race-%02d", dir, i);
				int n = snprintf(text, sizeof text, "written by racer %d\n", c);
				results[c][i] = weft_file_write_atomic(p, text, (size_t)n, 0, cd);
			}
			weft_diags_free(cd);
			_exit(0);
		}
	}
	close(gate[0]);
	close(gate[1]); /* go */
	bool no_seccomp = false;
	for (int c = 0; c < RACERS; c++) {
		int status;
		cr_assert_eq(waitpid(pids[c], &status, 0), pids[c]);
		no_seccomp |= WIFEXITED(status) && WEXITSTATUS(status) == 2;
		cr_assert(WIFEXITED(status) && (WEXITSTATUS(status) == 0 || WEXITSTATUS(status) == 2),
			  "racer %d failed (status %#x)", c, (unsigned)status);
	}
	if (no_seccomp)
		skip_unless_ci("racing writers without renameat2", "cannot install a seccomp filter");
	for (int i = 0; i < RACE_NAMES; i++) {
		int winner = -1, winners = 0;
		for (int c = 0; c < RACERS; c++) {
			if (results[c][i] == 0) {
				winner = c;
				winners++;
			} else {
				cr_expect_eq(results[c][i], WEFT_EEXISTS, "racer %d, name %d: %d", c, i, results[c][i]);
			}
		}
		cr_expect_eq(winners, 1, "name %d: %d writers succeeded", i, winners);
		char p[512], want[32];
		snprintf(p, sizeof p, "%s/race-%02d", dir, i);
		snprintf(want, sizeof want, "written by racer %d\n", winner);
		char *s = slurp(p);
		cr_expect_str_eq(s, want, "name %d", i);
		free(s);
	}
	cr_expect_eq(entries(dir), RACE_NAMES, "temporaries left behind");
	munmap(results, sizeof(int[RACERS][RACE_NAMES]));
}

Test(core_file, racing_writers_never_overwrite)
{
	race(false);
}

/* Without renameat2 (a seccomp filter makes it fail with ENOSYS, as on
 * kernels before 3.15; EINVAL is what a file system without
 * RENAME_NOREPLACE says): the link + unlink fallback keeps every promise. */
static const char *fallback_child(void *ctx)
{
	int err = *(int *)ctx;
	static char msg[256];
	if (deny_syscall(SYS_renameat2, err) != 0) {
		snprintf(msg, sizeof msg, "skip: cannot install a seccomp filter: %s", strerror(errno));
		return msg;
	}
	char p[512], q[512];
	snprintf(p, sizeof p, "%s/out.txt", dir);
	snprintf(q, sizeof q, "%s/other.txt", dir);
	errno = 0;
	CHECK(syscall(SYS_renameat2, AT_FDCWD, p, AT_FDCWD, q, 0) == -1 && errno == err,
	      "the filter does not work: renameat2 says %s", strerror(errno));
	weft_diags *cd = NULL;
	CHECK(weft_diags_new(&cd) == 0, "out of memory");
	int rc = weft_file_write_atomic(p, "first", 5, 0, cd);
	CHECK(rc == 0, "new file: %d", rc);
	rc = weft_file_write_atomic(p, "second", 6, 0, cd);
	CHECK(rc == WEFT_EEXISTS, "no --force onto an existing file: %d", rc);
	CHECK(weft_diags_count(cd) == 1 && strstr(weft_diags_get(cd, 0)->message, "file exists"),
	      "expected one 'file exists' error");
	char *s = slurp_quiet(p);
	CHECK(s && !strcmp(s, "first"), "content now '%s'", s ? s : "(unreadable)");
	free(s);
	rc = weft_file_write_atomic(p, "third", 5, WEFT_WRITE_FORCE, cd);
	CHECK(rc == 0, "--force: %d", rc);
	s = slurp_quiet(p);
	CHECK(s && !strcmp(s, "third"), "content now '%s'", s ? s : "(unreadable)");
	free(s);
	weft_diags_free(cd);
	char *l = weft_test_listing(dir);
	CHECK(l && !strcmp(l, "out.txt"), "the folder holds '%s'", l ? l : "(unreadable)");
	free(l);
	return NULL;
}

Test(core_file, no_replace_without_renameat2_uses_link)
{
	int err = ENOSYS;
	in_child("renameat2 failing with ENOSYS", fallback_child, &err);
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -f '%s'/*", dir);
	cr_assert_eq(system(cmd), 0);
	err = EINVAL;
	in_child("renameat2 failing with EINVAL", fallback_child, &err);
}

Test(core_file, racing_writers_without_renameat2)
{
	race(true);
}

/* Without getrandom (old kernels, seccomp) names still come, all distinct. */
static const char *no_getrandom_child(void *ctx)
{
	(void)ctx;
	static char msg[256];
	if (deny_syscall(SYS_getrandom, ENOSYS) != 0) {
		snprintf(msg, sizeof msg, "skip: cannot install a seccomp filter: %s", strerror(errno));
		return msg;
	}
	char r;
	CHECK(syscall(SYS_getrandom, &r, 1, 0) == -1 && errno == ENOSYS, "the filter does not work");
	weft_diags *cd = NULL;
	CHECK(weft_diags_new(&cd) == 0, "out of memory");
	for (int i = 0; i < 50; i++) {
		char p[512], text[16];
		snprintf(p, sizeof p, "%s/f%02d", dir, i);
		int n = snprintf(text, sizeof text, "%d", i);
		int rc = weft_file_write_atomic(p, text, (size_t)n, i % 2 ? WEFT_WRITE_FORCE : 0, cd);
		CHECK(rc == 0, "%s: %d", p, rc);
		char *s = slurp_quiet(p);
		CHECK(s && !strcmp(s, text), "%s holds '%s'", p, s ? s : "(unreadable)");
		free(s);
	}
	weft_diags_free(cd);
	char *l = weft_test_listing(dir);
	CHECK(l && strlen(l) == 50 * 4 - 1 && !strstr(l, ".weft-tmp-"), "the folder holds '%s'", l ? l : "(unreadable)");
	free(l);
	return NULL;
}

Test(core_file, temporary_names_without_getrandom)
{
	in_child("getrandom failing with ENOSYS", no_getrandom_child, NULL);
}

Test(core_file, failure_leaves_nothing)
{
	char p[512];
	snprintf(p, sizeof p, "%s/missing-dir/out.txt", dir);
	cr_assert_eq(weft_file_write_atomic(p, "x", 1, 0, d), WEFT_EENV);
	cr_assert_str_eq(weft_diags_get(d, 0)->path, p);
	cr_assert_eq(entries(dir), 0);
}

/* A plain file where the folder should be: ENOTDIR, nothing written. */
Test(core_file, a_file_in_place_of_the_folder_fails_cleanly)
{
	char p[512];
	snprintf(p, sizeof p, "%s/plain", dir);
	cr_assert_eq(weft_file_write_atomic(p, "x", 1, 0, d), 0);
	snprintf(p, sizeof p, "%s/plain/out.txt", dir);
	cr_assert_eq(weft_file_write_atomic(p, "x", 1, 0, d), WEFT_EENV);
	cr_assert(strstr(weft_diags_get(d, 0)->message, strerror(ENOTDIR)), "%s", weft_diags_get(d, 0)->message);
	cr_assert_eq(entries(dir), 1);
}

/* A 64 KiB tmpfs, nearly full: a write larger than what is left fails with
 * ENOSPC, names the file, and leaves the file system as it was. */
static const char *full_body(const char *mnt)
{
	char filler[600], keep[600], p[600];
	snprintf(filler, sizeof filler, "%s/filler", mnt);
	snprintf(keep, sizeof keep, "%s/keep.txt", mnt);
	snprintf(p, sizeof p, "%s/out.bin", mnt);
	weft_diags *cd = NULL;
	CHECK(weft_diags_new(&cd) == 0, "out of memory");
	CHECK(weft_file_write_atomic(keep, "kept\n", 5, 0, cd) == 0, "cannot write %s", keep);
	static char block[40 << 10];
	memset(block, 'f', sizeof block);
	CHECK(weft_file_write_atomic(filler, block, sizeof block, 0, cd) == 0, "cannot write the filler");
	struct statvfs before, after;
	CHECK(statvfs(mnt, &before) == 0, "statvfs: %s", strerror(errno));
	size_t left = (size_t)before.f_bavail * before.f_frsize;
	CHECK(left > 0 && left < (32u << 10), "%zu bytes left: not nearly full", left);

	size_t len = left + (8u << 10);
	char *data = malloc(len);
	CHECK(data, "out of memory");
	memset(data, 'x', len);
	const char *targets[2] = { p, keep };
	for (int k = 0; k < 2; k++) {
		weft_diags_clear(cd);
		int rc = weft_file_write_atomic(targets[k], data, len, k ? WEFT_WRITE_FORCE : 0, cd);
		CHECK(rc == WEFT_EENV, "%s: %d, expected WEFT_EENV", targets[k], rc);
		CHECK(weft_diags_count(cd) == 1, "%zu diagnostics", weft_diags_count(cd));
		const weft_diag *g = weft_diags_get(cd, 0);
		CHECK(g->path && !strcmp(g->path, targets[k]), "the error names '%s'", g->path ? g->path : "(null)");
		CHECK(strstr(g->message, "No space left on device"), "the error says '%s'", g->message);
	}
	free(data);
	char *l = weft_test_listing(mnt);
	CHECK(l && !strcmp(l, "filler keep.txt"), "the tmpfs holds '%s'", l ? l : "(unreadable)");
	free(l);
	char *s = slurp_quiet(keep);
	CHECK(s && !strcmp(s, "kept\n"), "%s now holds '%s'", keep, s ? s : "(unreadable)");
	free(s);
	CHECK(statvfs(mnt, &after) == 0, "statvfs: %s", strerror(errno));
	CHECK(after.f_bavail == before.f_bavail, "%lu blocks free before, %lu after: a temporary's space is held",
	      (unsigned long)before.f_bavail, (unsigned long)after.f_bavail);
	weft_diags_free(cd);
	return NULL;
}

Test(core_file, write_to_a_full_file_system_fails_cleanly)
{
	with_tmpfs("a full tmpfs", "size=64k,mode=0755", full_body);
}

/* A read-only file system: the temporary cannot be made; nothing changes. */
static const char *read_only_body(const char *mnt)
{
	char old[600], p[600];
	snprintf(old, sizeof old, "%s/old.txt", mnt);
	snprintf(p, sizeof p, "%s/new.txt", mnt);
	weft_diags *cd = NULL;
	CHECK(weft_diags_new(&cd) == 0, "out of memory");
	CHECK(weft_file_write_atomic(old, "old\n", 4, 0, cd) == 0, "cannot write %s", old);
	CHECK(mount(NULL, mnt, NULL, MS_REMOUNT | MS_RDONLY, NULL) == 0, "cannot remount read-only: %s",
	      strerror(errno));
	const char *targets[2] = { p, old };
	for (int k = 0; k < 2; k++) {
		weft_diags_clear(cd);
		int rc = weft_file_write_atomic(targets[k], "new\n", 4, k ? WEFT_WRITE_FORCE : 0, cd);
		CHECK(rc == WEFT_EENV, "%s: %d, expected WEFT_EENV", targets[k], rc);
		const weft_diag *g = weft_diags_get(cd, 0);
		CHECK(g && g->path && !strcmp(g->path, targets[k]), "the error names '%s'",
		      g && g->path ? g->path : "(null)");
		CHECK(strstr(g->message, strerror(EROFS)), "the error says '%s'", g->message);
	}
	char *l = weft_test_listing(mnt);
	CHECK(l && !strcmp(l, "old.txt"), "the file system holds '%s'", l ? l : "(unreadable)");
	free(l);
	char *s = slurp_quiet(old);
	CHECK(s && !strcmp(s, "old\n"), "%s now holds '%s'", old, s ? s : "(unreadable)");
	free(s);
	weft_diags_free(cd);
	return NULL;
}

Test(core_file, read_only_folder_fails_cleanly)
{
	if (geteuid() == 0) {
		/* root writes into a mode-0555 folder: a read-only mount it is */
		with_tmpfs("a read-only tmpfs", "size=64k,mode=0755", read_only_body);
		return;
	}
	char p[512];
	cr_assert_eq(chmod(dir, 0555), 0);
	snprintf(p, sizeof p, "%s/out.txt", dir);
	cr_assert_eq(weft_file_write_atomic(p, "x", 1, 0, d), WEFT_EENV);
	cr_assert(strstr(weft_diags_get(d, 0)->message, strerror(EACCES)), "%s", weft_diags_get(d, 0)->message);
	cr_assert_eq(chmod(dir, 0755), 0);
	cr_assert_eq(entries(dir), 0);
}

Test(core_file, read_cap_and_errors)
{
	char p[512];
	snprintf(p, sizeof p, "%s/big", dir);
	cr_assert_eq(weft_file_write_atomic(p, "0123456789", 10, 0, d), 0);
	char *s = NULL;
	size_t len = 0;
	cr_assert_eq(weft_file_read(&s, &len, p, 10, d), 0);
	cr_assert_eq(len, 10);
	free(s);
	cr_assert_eq(weft_file_read(&s, &len, p, 9, d), WEFT_EINVALID);
	cr_assert_null(s);
	cr_assert_eq(weft_file_read(&s, &len, dir, 0, d), WEFT_EENV);
	cr_assert(strstr(weft_diags_get(d, 1)->message, "directory"));
}

Test(core_file, devices_and_pipes_are_written_into_not_replaced)
{
	struct stat st;
	cr_assert_eq(weft_file_write_atomic("/dev/null", "x", 1, WEFT_WRITE_FORCE, d), 0);
	cr_assert_eq(stat("/dev/null", &st), 0);
	cr_assert(S_ISCHR(st.st_mode), "/dev/null is still a device");
	cr_assert_eq(weft_file_write_atomic("/dev/null", "x", 1, 0, d), 0, "no --force needed for a device");
	cr_assert_eq(weft_file_write_atomic(dir, "x", 1, WEFT_WRITE_FORCE, d), WEFT_EENV);
	cr_assert(strstr(weft_diags_get(d, 0)->message, "directory"));
}

/* weft_file_rm_tree removes a tree it is given, links as links: what a link
 * points to (a file, a folder outside) stays. */
Test(core_file, rm_tree_never_follows_links)
{
	char tree[300], outside[300], p[400];
	snprintf(tree, sizeof tree, "%s/tree", dir);
	snprintf(outside, sizeof outside, "%s/outside", dir);
	cr_assert_eq(mkdir(outside, 0755), 0);
	snprintf(p, sizeof p, "%s/keep.txt", outside);
	cr_assert_eq(weft_file_write_atomic(p, "x", 1, 0, d), 0);
	cr_assert_eq(mkdir(tree, 0755), 0);
	snprintf(p, sizeof p, "%s/a", tree);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/a/b", tree);
	cr_assert_eq(mkdir(p, 0755), 0);
	snprintf(p, sizeof p, "%s/a/b/f.txt", tree);
	cr_assert_eq(weft_file_write_atomic(p, "y", 1, 0, d), 0);
	snprintf(p, sizeof p, "%s/a/to-dir", tree);
	cr_assert_eq(symlink(outside, p), 0);
	snprintf(p, sizeof p, "%s/to-file", tree);
	char target[400];
	snprintf(target, sizeof target, "%s/keep.txt", outside);
	cr_assert_eq(symlink(target, p), 0);

	weft_file_rm_tree(tree);
	cr_expect_not(weft_path_exists(tree));
	cr_expect(weft_path_exists(target), "the link's target went too");
	cr_expect_eq(entries(outside), 1);

	/* a link given as the tree itself is left alone; NULL and "" do nothing */
	snprintf(p, sizeof p, "%s/link", dir);
	cr_assert_eq(symlink(outside, p), 0);
	weft_file_rm_tree(p);
	cr_expect(weft_path_exists(target));
	weft_file_rm_tree(NULL);
	weft_file_rm_tree("");
}
