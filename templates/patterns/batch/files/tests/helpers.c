/* helpers.c - test helpers: scratch folders, running the real binary,
 * writing a hand-made model, reading SQLite.
 *
 * Key choice: end-to-end tests drive the built binary (JOB_BIN) as a
 * scheduler would - arguments, environment, exit code, stdout - and check
 * the destinations with their own SQLite queries, so nothing is asserted
 * through the code under test.
 */
#define _XOPEN_SOURCE 700 /* nftw */
#include "helpers.h"

#include <criterion/criterion.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void **kept;
static size_t n_kept, cap_kept;
static char **dirs;
static size_t n_dirs;

void *h_keep(void *p)
{
	if (!p)
		return p;
	if (n_kept == cap_kept) {
		cap_kept = cap_kept ? cap_kept * 2 : 64;
		kept = realloc(kept, cap_kept * sizeof *kept);
		cr_assert(kept);
	}
	kept[n_kept++] = p;
	return p;
}

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

void h_cleanup(void)
{
	for (size_t i = 0; i < n_dirs; i++) {
		if (!getenv("BATCH_TEST_KEEP"))
			nftw(dirs[i], rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		free(dirs[i]);
	}
	free(dirs);
	dirs = NULL;
	n_dirs = 0;
	for (size_t i = 0; i < n_kept; i++)
		free(kept[i]);
	free(kept);
	kept = NULL;
	n_kept = cap_kept = 0;
}

char *h_tmpdir(void)
{
	const char *base = getenv("TMPDIR");
	char tmpl[4096];
	snprintf(tmpl, sizeof tmpl, "%s/batch-test-XXXXXX", base && *base ? base : "/tmp");
	char *d = mkdtemp(tmpl);
	cr_assert(d, "mkdtemp: %s", strerror(errno));
	char **nd = realloc(dirs, (n_dirs + 1) * sizeof *dirs);
	cr_assert(nd);
	dirs = nd;
	dirs[n_dirs++] = strdup(d);
	return h_keep(strdup(d));
}

char *h_path(const char *dir, const char *name)
{
	size_t n = strlen(dir) + strlen(name) + 2;
	char *p = malloc(n);
	cr_assert(p);
	snprintf(p, n, "%s/%s", dir, name);
	return h_keep(p);
}

void h_write(const char *path, const char *text)
{
	FILE *f = fopen(path, "wb");
	cr_assert(f, "cannot write %s: %s", path, strerror(errno));
	cr_assert_eq(fwrite(text, 1, strlen(text), f), strlen(text));
	cr_assert_eq(fclose(f), 0);
}

char *h_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap);
	cr_assert(buf);
	size_t n;
	while ((n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
		len += n;
		if (cap - len < 2) {
			cap *= 2;
			buf = realloc(buf, cap);
			cr_assert(buf);
		}
	}
	fclose(f);
	buf[len] = '\0';
	return h_keep(buf);
}

int h_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

long h_lines(const char *path)
{
	char *s = h_read(path);
	if (!s)
		return -1;
	long n = 0;
	for (char *p = s; *p; p++)
		n += *p == '\n';
	return n;
}

void h_age(const char *path, double age_s)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct timespec t[2];
	t[0].tv_sec = now.tv_sec - (time_t)age_s;
	t[0].tv_nsec = now.tv_nsec;
	t[1] = t[0];
	cr_assert_eq(utimensat(AT_FDCWD, path, t, 0), 0, "utimensat %s: %s", path, strerror(errno));
}

int h_count_prefix(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		n += strncmp(de->d_name, prefix, strlen(prefix)) == 0;
	closedir(d);
	return n;
}

static void put_le64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

void h_write_linear_model(const char *path)
{
	const char *header = "{\"__metadata__\":{\"weft.activations\":\"none\",\"weft.softmax\":\"false\","
			     "\"weft.prefix\":\"net\",\"weft.version\":\"linear-1\",\"weft.features\":\"a,b\","
			     "\"weft.output\":\"score\"},"
			     "\"net.0.weight\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]},"
			     "\"net.0.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[8,12]}}";
	size_t hl = strlen(header);
	size_t pad = (8 - hl % 8) % 8;
	float data[3] = { 2.0f, -1.0f, 0.5f }; /* weight row [2, -1], bias 0.5 */
	unsigned char len[8];
	put_le64(len, hl + pad);
	FILE *f = fopen(path, "wb");
	cr_assert(f);
	cr_assert_eq(fwrite(len, 1, 8, f), 8);
	cr_assert_eq(fwrite(header, 1, hl, f), hl);
	for (size_t i = 0; i < pad; i++)
		fputc(' ', f);
	unsigned char raw[12];
	for (int i = 0; i < 3; i++) {
		uint32_t u;
		memcpy(&u, &data[i], 4);
		for (int b = 0; b < 4; b++)
			raw[i * 4 + b] = (unsigned char)(u >> (8 * b));
	}
	cr_assert_eq(fwrite(raw, 1, 12, f), 12);
	cr_assert_eq(fclose(f), 0);
}

char *h_write_conf(const char *dir, const char *extra)
{
	char *model = h_path(dir, "model.safetensors");
	if (!h_exists(model))
		h_write_linear_model(model);
	static const char *const defaults[][2] = { { "input", "input.csv" },
						   { "key_column", "id" },
						   { "model", "model.safetensors" },
						   { "db", "out/predictions.db" },
						   { "table", "predictions" },
						   { "export", "out/predictions-{date}.csv" },
						   { "runs_log", "out/runs.jsonl" } };
	char text[8192];
	size_t k = (size_t)snprintf(text, sizeof text, "# test configuration\n");
	for (size_t i = 0; i < sizeof defaults / sizeof *defaults; i++) {
		/* a key that extra sets is left out here */
		char probe[64];
		snprintf(probe, sizeof probe, "%s =", defaults[i][0]);
		const char *hit = extra ? strstr(extra, probe) : NULL;
		if (hit && (hit == extra || hit[-1] == '\n'))
			continue;
		k += (size_t)snprintf(text + k, sizeof text - k, "%s = %s\n", defaults[i][0], defaults[i][1]);
	}
	snprintf(text + k, sizeof text - k, "%s", extra ? extra : "");
	char *conf = h_path(dir, "job.conf");
	h_write(conf, text);
	return conf;
}

static void exec_job(const char *const *args, const char *const *env)
{
	size_t na = 0, ne = 0, nenv = 0;
	while (args[na])
		na++;
	while (env && env[ne])
		ne++;
	while (environ[nenv])
		nenv++;
	char **argv = calloc(na + 2, sizeof *argv);
	char **envp = calloc(nenv + ne + 1, sizeof *envp);
	if (!argv || !envp)
		_exit(127);
	argv[0] = (char *)JOB_BIN;
	for (size_t i = 0; i < na; i++)
		argv[i + 1] = (char *)args[i];
	size_t k = 0;
	for (size_t i = 0; i < nenv; i++)
		envp[k++] = environ[i];
	for (size_t i = 0; i < ne; i++)
		envp[k++] = (char *)env[i];
	execve(JOB_BIN, argv, envp);
	_exit(127);
}

static int status_code(int st)
{
	if (WIFEXITED(st))
		return WEXITSTATUS(st);
	if (WIFSIGNALED(st))
		return 1000 + WTERMSIG(st);
	return -1;
}

int h_run(const char *const *args, const char *const *env, char **out, char **err)
{
	char *dir = h_tmpdir();
	char *po = h_path(dir, "stdout"), *pe = h_path(dir, "stderr");
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		int fo = open(po, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(pe, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fo < 0 || fe < 0)
			_exit(127);
		dup2(fo, 1);
		dup2(fe, 2);
		exec_job(args, env);
	}
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	if (out)
		*out = h_read(po);
	if (err)
		*err = h_read(pe);
	return status_code(st);
}

pid_t h_spawn(const char *dir, const char *const *args, const char *const *env)
{
	char *po = h_path(dir, "stdout.txt"), *pe = h_path(dir, "stderr.txt");
	pid_t pid = fork();
	cr_assert(pid >= 0);
	if (pid == 0) {
		int fo = open(po, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(pe, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fo < 0 || fe < 0)
			_exit(127);
		dup2(fo, 1);
		dup2(fe, 2);
		exec_job(args, env);
	}
	return pid;
}

int h_wait_for(const char *path, double timeout_s)
{
	for (double t = 0; t < timeout_s; t += 0.01) {
		if (h_exists(path))
			return 1;
		struct timespec ts = { 0, 10 * 1000 * 1000 };
		nanosleep(&ts, NULL);
	}
	return h_exists(path);
}

static sqlite3_stmt *query(sqlite3 **db, const char *path, const char *sql)
{
	*db = NULL;
	if (sqlite3_open_v2(path, db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
		sqlite3_close(*db);
		*db = NULL;
		return NULL;
	}
	sqlite3_stmt *st = NULL;
	if (sqlite3_prepare_v2(*db, sql, -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		sqlite3_finalize(st);
		sqlite3_close(*db);
		*db = NULL;
		return NULL;
	}
	return st;
}

long long h_sql_int(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st = query(&db, path, sql);
	if (!st)
		return -1;
	long long v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

char *h_sql_text(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st = query(&db, path, sql);
	if (!st)
		return NULL;
	const unsigned char *t = sqlite3_column_text(st, 0);
	char *v = t ? h_keep(strdup((const char *)t)) : NULL;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

double h_sql_real(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st = query(&db, path, sql);
	if (!st)
		return NAN;
	double v = sqlite3_column_double(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}
