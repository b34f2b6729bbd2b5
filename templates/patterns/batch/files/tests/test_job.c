/* test_job.c - end-to-end tests of `run` through the built binary.
 *
 * Every test works in its own scratch folder with a hand-made model
 * (score = 2a - b + 0.5, helpers.c), so each expected score below is worked
 * out by hand from the input rows, and every destination is checked with
 * its own SQLite query or by reading the CSV file - never through the code
 * under test. The shipped model is checked against the scores that its
 * trainer (make-model.py) computed in Python.
 */
#include <criterion/criterion.h>

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

#define DATE "2024-05-01"
#define JOB_KEY_COLUMN "product_location" /* the key column of data/sample.csv */

/* five rows; by hand: k1 2-2+0.5=0.5, k2 6-1+0.5=5.5, k3 0.5-0.5+0.5=0.5,
 * k4 -2-4+0.5=-5.5, k5 20-0+0.5=20.5; sum 21.5 */
static const char *const FIVE = "id,a,b\nk1,1,2\nk2,3,1\nk3,0.25,0.5\nk4,-1,4\nk5,10,0\n";

typedef struct {
	char *dir, *conf, *input, *db, *csv, *log;
} fx;

TestSuite(job, .fini = h_cleanup);

static fx setup(const char *extra_conf, const char *input)
{
	fx f;
	f.dir = h_tmpdir();
	f.conf = h_write_conf(f.dir, extra_conf);
	f.input = h_path(f.dir, "input.csv");
	f.db = h_path(f.dir, "out/predictions.db");
	f.csv = h_path(f.dir, "out/predictions-" DATE ".csv");
	f.log = h_path(f.dir, "out/runs.jsonl");
	if (input)
		h_write(f.input, input);
	return f;
}

static int run_date(const fx *f, const char *date, char **out, char **err)
{
	const char *args[] = { "run", "--config", f->conf, "--date", date, NULL };
	return h_run(args, NULL, out, err);
}

static long long count_date(const fx *f, const char *date)
{
	char sql[160];
	snprintf(sql, sizeof sql, "SELECT count(*) FROM predictions WHERE run_date = '%s'", date);
	long long n = h_sql_int(f->db, sql);
	/* no database or no table yet: nothing was written */
	if (n < 0 && h_sql_int(f->db, "SELECT count(*) FROM sqlite_master WHERE name = 'predictions'") <= 0)
		return 0;
	return n;
}

static double score_of(const fx *f, const char *date, const char *key)
{
	char sql[200];
	snprintf(sql, sizeof sql, "SELECT score FROM predictions WHERE run_date = '%s' AND id = '%s'", date, key);
	return h_sql_real(f->db, sql);
}

static char *last_status(const fx *f, const char *date)
{
	char sql[200];
	snprintf(sql, sizeof sql,
		 "SELECT status FROM predictions_runs WHERE run_date = '%s' ORDER BY run_id DESC LIMIT 1", date);
	return h_sql_text(f->db, sql);
}

Test(job, scores_every_row_into_both_destinations)
{
	fx f = setup("chunk_size = 2\n", FIVE);
	h_age(f.input, 3600);
	char *out = NULL, *err = NULL;
	int rc = run_date(&f, DATE, &out, &err);
	cr_assert_eq(rc, 0, "exit %d, stderr: %s", rc, err);

	/* SQLite partition */
	cr_assert_eq(count_date(&f, DATE), 5);
	cr_assert_float_eq(score_of(&f, DATE, "k1"), 0.5, 1e-9);
	cr_assert_float_eq(score_of(&f, DATE, "k2"), 5.5, 1e-9);
	cr_assert_float_eq(score_of(&f, DATE, "k4"), -5.5, 1e-9);
	cr_assert_float_eq(score_of(&f, DATE, "k5"), 20.5, 1e-9);
	cr_assert_float_eq(h_sql_real(f.db, "SELECT sum(score) FROM predictions"), 21.5, 1e-9);
	char *mv = h_sql_text(f.db, "SELECT DISTINCT model_version FROM predictions");
	cr_assert_str_eq(mv, "linear-1");

	/* CSV export: header + 5 rows, the values as written by hand */
	char *csv = h_read(f.csv);
	cr_assert(csv, "no export at %s", f.csv);
	cr_assert_eq(h_lines(f.csv), 6);
	cr_assert(!strncmp(csv, "run_date,id,score,model_version\n", 32), "header: %s", csv);
	cr_assert(strstr(csv, "\n" DATE ",k2,5.5,linear-1\n"), "%s", csv);
	cr_assert(strstr(csv, "\n" DATE ",k4,-5.5,linear-1\n"), "%s", csv);

	/* completion record: runs table (5 rows in ceil(5/2) = 3 chunks) */
	cr_assert_eq(h_sql_int(f.db, "SELECT count(*) FROM predictions_runs"), 1);
	char *st = last_status(&f, DATE);
	cr_assert_str_eq(st, "ok");
	cr_assert_eq(h_sql_int(f.db, "SELECT rows FROM predictions_runs"), 5);
	cr_assert_eq(h_sql_int(f.db, "SELECT chunks FROM predictions_runs"), 3);
	cr_assert_eq(h_sql_int(f.db, "SELECT exit_code FROM predictions_runs"), 0);
	double age = h_sql_real(f.db, "SELECT input_age_s FROM predictions_runs");
	cr_assert(age >= 3600 && age < 3660, "input age %f (file made 3600 s old)", age);
	cr_assert(h_sql_real(f.db, "SELECT duration_ms FROM predictions_runs") >= 0);

	/* ... and the JSON line, in the log and on stdout */
	cr_assert_eq(h_lines(f.log), 1);
	char *line = h_read(f.log);
	cJSON *j = cJSON_Parse(line);
	cr_assert(j, "not JSON: %s", line);
	cr_assert_str_eq(cJSON_GetObjectItem(j, "status")->valuestring, "ok");
	cr_assert_str_eq(cJSON_GetObjectItem(j, "run_date")->valuestring, DATE);
	cr_assert_eq(cJSON_GetObjectItem(j, "rows")->valuedouble, 5);
	cr_assert_eq(cJSON_GetObjectItem(j, "chunks")->valuedouble, 3);
	double jage = cJSON_GetObjectItem(j, "input_age_s")->valuedouble;
	cr_assert(jage >= 3600 && jage < 3660);
	cr_assert(cJSON_IsNumber(cJSON_GetObjectItem(j, "duration_ms")));
	cr_assert_eq(strcmp(out, line), 0, "stdout %s differs from the log line %s", out, line);
	cJSON_Delete(j);
}

Test(job, quoted_keys_are_quoted_in_the_export)
{
	fx f = setup(NULL, "id,a,b\n\"north, 7\",1,1\n\"say \"\"hi\"\"\",0,0\n");
	cr_assert_eq(run_date(&f, DATE, NULL, NULL), 0);
	cr_assert_float_eq(score_of(&f, DATE, "north, 7"), 1.5, 1e-9); /* 2 - 1 + 0.5 */
	char *csv = h_read(f.csv);
	cr_assert(strstr(csv, "\n" DATE ",\"north, 7\",1.5,linear-1\n"), "%s", csv);
	cr_assert(strstr(csv, "\n" DATE ",\"say \"\"hi\"\"\",0.5,linear-1\n"), "%s", csv);
}

Test(job, rerunning_a_date_replaces_its_partition)
{
	fx f = setup(NULL, FIVE);
	cr_assert_eq(run_date(&f, DATE, NULL, NULL), 0);
	cr_assert_eq(run_date(&f, "2024-05-02", NULL, NULL), 0);
	cr_assert_eq(count_date(&f, DATE), 5);

	/* the same input again: the same partition, not twice the rows */
	cr_assert_eq(run_date(&f, DATE, NULL, NULL), 0);
	cr_assert_eq(count_date(&f, DATE), 5);
	cr_assert_float_eq(h_sql_real(f.db, "SELECT sum(score) FROM predictions WHERE run_date = '" DATE "'"),
			   21.5, 1e-9);

	/* new input for the date: k1 2-1+0.5 = 1.5, k6 0-0+0.5 = 0.5, k7 8-2+0.5 = 6.5 */
	h_write(f.input, "id,a,b\nk1,1,1\nk6,0,0\nk7,4,2\n");
	cr_assert_eq(run_date(&f, DATE, NULL, NULL), 0);
	cr_assert_eq(count_date(&f, DATE), 3);
	cr_assert(isnan(score_of(&f, DATE, "k2")), "k2 from the old partition survived");
	cr_assert_float_eq(score_of(&f, DATE, "k1"), 1.5, 1e-9);
	cr_assert_float_eq(score_of(&f, DATE, "k7"), 6.5, 1e-9);
	cr_assert_eq(h_lines(f.csv), 4);
	/* the other date is untouched */
	cr_assert_eq(count_date(&f, "2024-05-02"), 5);
	cr_assert_eq(h_sql_int(f.db, "SELECT count(*) FROM predictions_runs WHERE status = 'ok'"), 4);
}

/* 50 rows: r1..r50 with a = i, b = 0 */
static char *fifty_rows(void)
{
	size_t cap = 4096;
	char *s = h_keep(malloc(cap));
	cr_assert(s);
	size_t k = (size_t)snprintf(s, cap, "id,a,b\n");
	for (int i = 1; i <= 50; i++)
		k += (size_t)snprintf(s + k, cap - k, "r%d,%d,0\n", i, i);
	return s;
}

Test(job, a_killed_run_leaves_the_old_partition_and_restarts_cleanly)
{
	fx f = setup("chunk_size = 10\n", "id,a,b\nold1,1,1\nold2,2,2\nold3,3,3\n");
	cr_assert_eq(run_date(&f, DATE, NULL, NULL), 0);
	cr_assert_eq(count_date(&f, DATE), 3);
	char *old_csv = h_read(f.csv);

	char *big = fifty_rows();
	h_write(f.input, big);
	char *marker = h_path(f.dir, "stalled");
	char env_marker[4200];
	snprintf(env_marker, sizeof env_marker, "BATCH_TEST_STALL_MARKER=%s", marker);
	const char *env[] = { "BATCH_TEST_STALL_AFTER_CHUNK=2", env_marker, NULL };
	const char *args[] = { "run", "--config", f.conf, "--date", DATE, NULL };
	pid_t pid = h_spawn(f.dir, args, env);
	int up = h_wait_for(marker, 20);
	/* half-way: 20 of 50 rows scored, a temporary export being written */
	char *outdir = h_path(f.dir, "out");
	int tmp_during = h_count_prefix(outdir, ".predictions-" DATE ".csv.tmp-");
	kill(pid, SIGKILL);
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(up, "the job never reached its stall point");
	cr_assert(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	cr_assert_eq(tmp_during, 1, "no temporary export while the run was in flight");

	/* after the kill: the old partition and the old export, whole */
	cr_assert_eq(count_date(&f, DATE), 3);
	char *csv_after_kill = h_read(f.csv);
	cr_assert_str_eq(csv_after_kill, old_csv);
	char *st_killed = last_status(&f, DATE);
	cr_assert_str_eq(st_killed, "running"); /* it never got to say otherwise */

	/* re-run: one complete partition, no temporary files, the dead run marked */
	char *err = NULL;
	int rc = run_date(&f, DATE, NULL, &err);
	cr_assert_eq(rc, 0, "exit %d: %s", rc, err);
	cr_assert_eq(count_date(&f, DATE), 50);
	cr_assert_float_eq(h_sql_real(f.db, "SELECT sum(score) FROM predictions WHERE run_date = '" DATE "'"),
			   2.0 * 1275 + 50 * 0.5, 1e-6); /* sum of 2i + 0.5, i = 1..50 */
	cr_assert_eq(h_lines(f.csv), 51);
	cr_assert_eq(h_count_prefix(outdir, ".predictions-"), 0);
	cr_assert_eq(h_sql_int(f.db, "SELECT count(*) FROM predictions_runs WHERE status = 'interrupted'"), 1);
	cr_assert_eq(h_sql_int(f.db, "SELECT count(*) FROM predictions_runs WHERE status = 'running'"), 0);
	cr_assert_eq(h_sql_int(f.db, "SELECT count(*) FROM predictions_runs WHERE status = 'ok'"), 2);
}

Test(job, sigterm_stops_at_a_chunk_boundary_without_committing)
{
	fx f = setup("chunk_size = 10\n", NULL);
	char *big = fifty_rows();
	h_write(f.input, big);
	char *marker = h_path(f.dir, "stalled");
	char env_marker[4200];
	snprintf(env_marker, sizeof env_marker, "BATCH_TEST_STALL_MARKER=%s", marker);
	const char *env[] = { "BATCH_TEST_STALL_AFTER_CHUNK=1", env_marker, NULL };
	const char *args[] = { "run", "--config", f.conf, "--date", DATE, NULL };
	pid_t pid = h_spawn(f.dir, args, env);
	int up = h_wait_for(marker, 20);
	kill(pid, SIGTERM);
	int st;
	cr_assert_eq(waitpid(pid, &st, 0), pid);
	cr_assert(up);
	cr_assert(WIFEXITED(st), "killed by signal %d instead of stopping", WTERMSIG(st));
	cr_assert_eq(WEXITSTATUS(st), 128 + SIGTERM);
	cr_assert_eq(count_date(&f, DATE), 0);
	cr_assert(!h_exists(f.csv));
	char *outdir = h_path(f.dir, "out");
	cr_assert_eq(h_count_prefix(outdir, ".predictions-"), 0);
	char *s = last_status(&f, DATE);
	cr_assert_str_eq(s, "interrupted");
	char *line = h_read(f.log);
	cr_assert(line && strstr(line, "\"status\":\"interrupted\""), "%s", line);
}

Test(job, refuses_input_older_than_the_limit_by_mtime)
{
	fx f = setup("max_input_age_hours = 24\n", FIVE);
	h_age(f.input, 25 * 3600.0);
	char *out = NULL, *err = NULL;
	int rc = run_date(&f, DATE, &out, &err);
	cr_assert_eq(rc, 4, "exit %d: %s", rc, err);
	cr_assert(strstr(err, "25.0 hours old"), "%s", err);
	cr_assert_eq(count_date(&f, DATE), 0);
	cr_assert(!h_exists(f.csv));
	char *s = last_status(&f, DATE);
	cr_assert_str_eq(s, "stale_input");
	cr_assert(strstr(out, "\"status\":\"stale_input\""), "%s", out);
	cr_assert(strstr(out, "\"exit_code\":4"), "%s", out);

	/* a limit above its age lets the same file through */
	const char *args[] = { "run", "--config", f.conf, "--date", DATE, "--max-age-hours", "26", NULL };
	cr_assert_eq(h_run(args, NULL, NULL, NULL), 0);
	cr_assert_eq(count_date(&f, DATE), 5);
}

Test(job, input_just_inside_the_limit_is_accepted)
{
	fx f = setup("max_input_age_hours = 24\n", FIVE);
	h_age(f.input, 23 * 3600.0);
	cr_assert_eq(run_date(&f, DATE, NULL, NULL), 0);
}

static void iso_ago(char *buf, size_t n, double seconds)
{
	time_t t = time(NULL) - (time_t)seconds;
	struct tm tm;
	gmtime_r(&t, &tm);
	strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

Test(job, refuses_input_older_than_the_limit_by_timestamp_column)
{
	fx f = setup("freshness = column\ntimestamp_column = as_of\nmax_input_age_hours = 24\n", NULL);
	char fresh[32], old[32], text[256];
	iso_ago(fresh, sizeof fresh, 3600);
	iso_ago(old, sizeof old, 30 * 3600);
	/* "k3,1,2," is 7 characters: the timestamp of line 4 starts at column 8 */
	snprintf(text, sizeof text, "id,a,b,as_of\nk1,1,2,%s\nk2,3,1,%s\nk3,1,2,%s\n", fresh, fresh, old);
	h_write(f.input, text);
	char *err = NULL;
	int rc = run_date(&f, DATE, NULL, &err);
	cr_assert_eq(rc, 4, "exit %d: %s", rc, err);
	cr_assert(strstr(err, "input.csv:4:8:"), "%s", err);
	cr_assert_eq(count_date(&f, DATE), 0);
	cr_assert(!h_exists(f.csv));
}

Test(job, timestamp_column_decides_not_the_file_time)
{
	fx f = setup("freshness = column\nmax_input_age_hours = 24\n", NULL);
	char ts[32], text[256];
	iso_ago(ts, sizeof ts, 2 * 3600);
	snprintf(text, sizeof text, "id,a,b,as_of\nk1,1,2,%s\nk2,3,1,%s\n", ts, ts);
	h_write(f.input, text);
	h_age(f.input, 100 * 3600.0); /* an old file with fresh rows */
	char *err = NULL;
	int rc = run_date(&f, DATE, NULL, &err);
	cr_assert_eq(rc, 0, "exit %d: %s", rc, err);
	double age = h_sql_real(f.db, "SELECT input_age_s FROM predictions_runs");
	cr_assert(age >= 7200 && age < 7260, "input age %f, rows stamped 7200 s ago", age);
}

Test(job, missing_input_is_not_ready_yet)
{
	fx f = setup(NULL, NULL);
	char *out = NULL;
	cr_assert_eq(run_date(&f, DATE, &out, NULL), 4);
	cr_assert(strstr(out, "\"status\":\"missing_input\""), "%s", out);
	char *s = last_status(&f, DATE);
	cr_assert_str_eq(s, "missing_input");
}

/* Each bad input: exit 3, the position named, nothing written. */
static void expect_bad(const char *input, const char *where)
{
	fx f = setup(NULL, input);
	char *err = NULL;
	int rc = run_date(&f, DATE, NULL, &err);
	cr_assert_eq(rc, 3, "exit %d for %s: %s", rc, where, err);
	cr_assert(strstr(err, where), "expected '%s' in: %s", where, err);
	cr_assert_eq(count_date(&f, DATE), 0);
	cr_assert(!h_exists(f.csv));
	char *s = last_status(&f, DATE);
	cr_assert_str_eq(s, "bad_input");
}

Test(job, bad_input_is_refused_with_its_position)
{
	expect_bad("id,a,b\nk1,1,2\nk2,x,1\n", "input.csv:3:4: 'x' is not a finite number");
	expect_bad("id,a,b\nk1,nan,2\n", "input.csv:2:4:");
	expect_bad("id,a,b\nk1,1,1e39\n", "input.csv:2:6:");
	expect_bad("id,a,c\nk1,1,2\n", "no feature column 'b'");
	expect_bad("key,a,b\nk1,1,2\n", "no key column 'id'");
	expect_bad("id,a,b\nk1,1\n", "input.csv:2:1: the row has 2 fields, the header has 3");
	expect_bad("id,a,b\nk1,1,2\nk1,3,4\n", "input.csv:3:1: key 'k1' appears twice");
	expect_bad("id,a,b\n", "no rows");
	expect_bad("id,a,b\n\"k1,1,2\n", "input.csv:2:1: quoted field is never closed");
	expect_bad("id,a,b\n,1,2\n", "input.csv:2:1: the key 'id' is empty");
	expect_bad("id,a,a,b\nk1,1,1,2\n", "column 'a' appears twice");
}

Test(job, a_failed_export_rolls_the_database_back)
{
	fx f = setup(NULL, "id,a,b\nold1,1,1\n");
	cr_assert_eq(run_date(&f, DATE, NULL, NULL), 0);
	cr_assert_eq(count_date(&f, DATE), 1);
	/* a folder where the export must go: every row is scored and inserted,
	 * then the rename fails */
	cr_assert_eq(unlink(f.csv), 0);
	cr_assert_eq(mkdir(f.csv, 0755), 0);
	h_write(f.input, FIVE);
	char *err = NULL;
	int rc = run_date(&f, DATE, NULL, &err);
	cr_assert_eq(rc, 5, "exit %d: %s", rc, err);
	cr_assert_eq(count_date(&f, DATE), 1, "the database kept rows of a run whose export failed");
	cr_assert(isnan(score_of(&f, DATE, "k1")));
	char *s = last_status(&f, DATE);
	cr_assert_str_eq(s, "storage_failure");
	char *outdir = h_path(f.dir, "out");
	cr_assert_eq(h_count_prefix(outdir, ".predictions-"), 0);
}

Test(job, an_unusable_database_is_a_storage_failure)
{
	fx f = setup(NULL, FIVE);
	char *outdir = h_path(f.dir, "out");
	cr_assert_eq(mkdir(outdir, 0755), 0);
	cr_assert_eq(mkdir(f.db, 0755), 0); /* a folder where the database file should be */
	char *out = NULL;
	cr_assert_eq(run_date(&f, DATE, &out, NULL), 5);
	cr_assert(strstr(out, "\"status\":\"storage_failure\""), "%s", out);
	/* the JSON line still records it */
	char *line = h_read(f.log);
	cr_assert(line && strstr(line, "\"status\":\"storage_failure\""));
	cr_assert(!h_exists(f.csv));
}

Test(job, a_second_run_while_one_holds_the_lock_is_busy)
{
	fx f = setup(NULL, FIVE);
	char *outdir = h_path(f.dir, "out");
	cr_assert_eq(mkdir(outdir, 0755), 0);
	char *lock = h_path(f.dir, "out/predictions.db.lock");
	int fd = open(lock, O_RDWR | O_CREAT, 0644);
	cr_assert(fd >= 0);
	cr_assert_eq(flock(fd, LOCK_EX), 0);
	char *out = NULL;
	cr_assert_eq(run_date(&f, DATE, &out, NULL), 7);
	cr_assert(strstr(out, "\"status\":\"busy\""), "%s", out);
	close(fd);
	cr_assert_eq(run_date(&f, DATE, NULL, NULL), 0);
}

Test(job, model_problems_have_their_own_exit_code)
{
	fx f = setup("features = a,b,c\n", "id,a,b,c\nk1,1,2,3\n");
	char *err = NULL;
	cr_assert_eq(run_date(&f, DATE, NULL, &err), 6);
	cr_assert(strstr(err, "takes 2 inputs but 3 feature columns"), "%s", err);

	fx g = setup("model = nowhere.safetensors\n", FIVE);
	cr_assert_eq(run_date(&g, DATE, NULL, NULL), 6);
	char *s = last_status(&g, DATE);
	cr_assert_str_eq(s, "model_failure");
}

Test(job, latest_view_shows_the_newest_complete_partition)
{
	fx f = setup(NULL, FIVE);
	cr_assert_eq(run_date(&f, "2024-05-01", NULL, NULL), 0);
	h_write(f.input, "id,a,b\nk1,1,1\nk2,2,2\n");
	cr_assert_eq(run_date(&f, "2024-05-02", NULL, NULL), 0);
	cr_assert_eq(h_sql_int(f.db, "SELECT count(*) FROM predictions_latest"), 2);
	/* a failed run for a later date does not move the view */
	h_write(f.input, "id,a,b\nk1,1,zz\n");
	cr_assert_eq(run_date(&f, "2024-05-03", NULL, NULL), 3);
	cr_assert_eq(h_sql_int(f.db, "SELECT count(*) FROM predictions_latest"), 2);
	char *d = h_sql_text(f.db, "SELECT DISTINCT run_date FROM predictions_latest");
	cr_assert_str_eq(d, "2024-05-02");
}

Test(job, status_reports_completion_per_date)
{
	fx f = setup(NULL, FIVE);
	cr_assert_eq(run_date(&f, DATE, NULL, NULL), 0);
	const char *a1[] = { "status", "--config", f.conf, "--date", DATE, NULL };
	char *out = NULL;
	cr_assert_eq(h_run(a1, NULL, &out, NULL), 0);
	cr_assert(strstr(out, DATE ": ok, 5 rows"), "%s", out);
	const char *a2[] = { "status", "--config", f.conf, "--date", "2024-06-01", NULL };
	cr_assert_eq(h_run(a2, NULL, &out, NULL), 1);
	cr_assert(strstr(out, "no run recorded"), "%s", out);
}

Test(job, sample_makes_an_input_the_job_accepts)
{
	fx f = setup(NULL, NULL);
	const char *a[] = { "sample", "--config", f.conf, "--rows", "25", "--out", f.input, NULL };
	cr_assert_eq(h_run(a, NULL, NULL, NULL), 0);
	cr_assert_eq(h_lines(f.input), 26);
	char *text = h_read(f.input);
	cr_assert(!strncmp(text, "id,a,b\n", 7), "%s", text); /* key, then the model's features */
	cr_assert_eq(run_date(&f, DATE, NULL, NULL), 0);
	cr_assert_eq(count_date(&f, DATE), 25);
}

Test(job, usage_errors)
{
	fx f = setup(NULL, FIVE);
	char *err = NULL;
	cr_assert_eq(run_date(&f, "2023-02-29", NULL, &err), 2);
	cr_assert(strstr(err, "real date"), "%s", err);
	const char *a[] = { "run", "--config", f.conf, "--chunk-size", "0", NULL };
	cr_assert_eq(h_run(a, NULL, NULL, NULL), 2);
	const char *b[] = { "frobnicate", NULL };
	cr_assert_eq(h_run(b, NULL, NULL, NULL), 2);
	/* config mistakes carry their position: the extra line is line 9 */
	fx g = setup("chunk_szie = 5\n", FIVE);
	cr_assert_eq(run_date(&g, DATE, NULL, &err), 2);
	cr_assert(strstr(err, "job.conf:9:1: unknown key 'chunk_szie' (did you mean 'chunk_size'?)"), "%s", err);
}

/* The model the project ships, on the sample its trainer wrote: every score
 * must match the trainer's own (Python) forward pass in the 'expected'
 * column, and the recorded digest must be the one in model.sha256. */
Test(job, shipped_model_scores_match_its_trainer)
{
	char *dir = h_tmpdir();
	char *conf = h_path(dir, "job.conf");
	char text[8192];
	snprintf(text, sizeof text,
		 "input = %s/data/sample.csv\nmodel = %s/models/model.safetensors\nkey_column = %s\n"
		 "db = out/p.db\nexport = out/p-{date}.csv\nruns_log = out/runs.jsonl\nmax_input_age_hours = 0\n",
		 JOB_SOURCE_DIR, JOB_SOURCE_DIR, JOB_KEY_COLUMN);
	h_write(conf, text);
	const char *args[] = { "run", "--config", conf, "--date", DATE, NULL };
	char *err = NULL;
	int rc = h_run(args, NULL, NULL, &err);
	cr_assert_eq(rc, 0, "exit %d: %s", rc, err);

	char *db = h_path(dir, "out/p.db");
	char *sample = h_read(JOB_SOURCE_DIR "/data/sample.csv");
	cr_assert(sample);
	/* header: find the key, the 'expected' column and the output column */
	char *save = NULL;
	char *line = strtok_r(sample, "\n", &save);
	int key_i = -1, exp_i = -1, n = 0;
	char *hs = NULL;
	for (char *c = strtok_r(line, ",", &hs); c; c = strtok_r(NULL, ",", &hs), n++) {
		if (!strcmp(c, JOB_KEY_COLUMN))
			key_i = n;
		if (!strcmp(c, "expected"))
			exp_i = n;
	}
	cr_assert(key_i >= 0 && exp_i >= 0, "sample.csv needs %s and expected columns", JOB_KEY_COLUMN);
	char *out_col = h_sql_text(db, "SELECT name FROM pragma_table_info('predictions') WHERE cid = 2");
	cr_assert(out_col);
	int rows = 0;
	while ((line = strtok_r(NULL, "\n", &save))) {
		char *fs = NULL, *key = NULL;
		double expected = NAN;
		int i = 0;
		for (char *c = strtok_r(line, ",", &fs); c; c = strtok_r(NULL, ",", &fs), i++) {
			if (i == key_i)
				key = c;
			if (i == exp_i)
				expected = strtod(c, NULL);
		}
		cr_assert(key);
		char sql[512];
		snprintf(sql, sizeof sql, "SELECT \"%s\" FROM predictions WHERE %s = '%s'", out_col, JOB_KEY_COLUMN,
			 key);
		double got = h_sql_real(db, sql);
		cr_assert(fabs(got - expected) <= 1e-3 * fmax(1.0, fabs(expected)), "%s: got %f, trainer says %f", key,
			  got, expected);
		rows++;
	}
	cr_assert(rows >= 10, "only %d sample rows", rows);
	cr_assert_eq(h_sql_int(db, "SELECT count(*) FROM predictions"), rows);

	char *sha = h_read(JOB_SOURCE_DIR "/models/model.sha256");
	cr_assert(sha && strlen(sha) >= 64);
	sha[64] = '\0';
	char *digest = h_sql_text(db, "SELECT model_digest FROM predictions_runs");
	cr_assert_str_eq(digest, sha);
}
