/* test_config.c - job.conf parsing: values, ranges, and mistakes reported
 * with their line and column. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "helpers.h"

static job_config c;
static char err[1024];

/* Load text as dir/job.conf; returns config_load's result. */
static int load(const char *text, char **path_out)
{
	char *dir = h_tmpdir();
	char *path = h_path(dir, "job.conf");
	h_write(path, text);
	cr_assert_eq(config_defaults(&c), 0);
	err[0] = '\0';
	int rc = config_load(&c, path, err, sizeof err);
	if (path_out)
		*path_out = path;
	return rc;
}

static void teardown(void)
{
	config_clear(&c);
	h_cleanup();
}

TestSuite(config, .fini = teardown);

Test(config, reads_values_over_the_defaults)
{
	char *path;
	cr_assert_eq(load("# comment\n\n  chunk_size = 500\nfeatures = price , promo,week\n"
			  "max_input_age_hours=6.5\nfreshness = column\ntimestamp_column = as_of\n"
			  "export = exports/{date}/p.csv\n",
			  &path),
		     0, "%s", err);
	cr_assert_eq(c.chunk_size, 500);
	cr_assert_eq(c.n_features, 3);
	cr_assert_str_eq(c.features[0], "price");
	cr_assert_str_eq(c.features[1], "promo");
	cr_assert_str_eq(c.features[2], "week");
	cr_assert_float_eq(c.max_input_age_hours, 6.5, 1e-12);
	cr_assert_eq(c.freshness, FRESH_COLUMN);
	/* untouched keys keep their defaults */
	cr_assert_str_eq(c.table, "predictions");
	cr_assert_eq(c.window_minutes, 60);
	/* relative paths resolve against the file's folder; {date} is replaced */
	char *dir = strdup(path);
	*strrchr(dir, '/') = '\0';
	char *p = config_resolve(&c, c.export_path, "2024-05-01");
	char want[4200];
	snprintf(want, sizeof want, "%s/exports/2024-05-01/p.csv", dir);
	cr_assert_str_eq(p, want);
	free(p);
	p = config_resolve(&c, "/abs/in-{date}.csv", "2024-05-01");
	cr_assert_str_eq(p, "/abs/in-2024-05-01.csv");
	free(p);
	free(dir);
}

Test(config, chunk_size_range_is_enforced)
{
	cr_assert_eq(load("chunk_size = 1000000\n", NULL), 0, "%s", err);
	config_clear(&c);
	cr_assert_eq(load("chunk_size = 1000001\n", NULL), -1);
	config_clear(&c);
	/* "chunk_size = " is 13 characters: the value starts at column 14 */
	cr_assert_eq(load("chunk_size = 0\n", NULL), -1);
	cr_assert(strstr(err, "job.conf:1:14: chunk_size must be an integer from 1 to 1000000"), "%s", err);
	config_clear(&c);
	cr_assert_eq(load("chunk_size = 12abc\n", NULL), -1);
}

Test(config, mistakes_are_reported_with_positions)
{
	cr_assert_eq(load("chunk_size = 5\n\n  chunk_szie = 5\n", NULL), -1);
	cr_assert(strstr(err, "job.conf:3:3: unknown key 'chunk_szie' (did you mean 'chunk_size'?)"), "%s", err);
	config_clear(&c);
	cr_assert_eq(load("input = a.csv\ninput = b.csv\n", NULL), -1);
	cr_assert(strstr(err, "job.conf:2:1: 'input' is set twice"), "%s", err);
	config_clear(&c);
	cr_assert_eq(load("just words\n", NULL), -1);
	cr_assert(strstr(err, "job.conf:1:1: expected 'key = value'"), "%s", err);
	config_clear(&c);
	cr_assert_eq(load("freshness = sometimes\n", NULL), -1);
	cr_assert(strstr(err, "job.conf:1:13: freshness must be 'mtime' or 'column'"), "%s", err);
	config_clear(&c);
	cr_assert_eq(load("features = a,,b\n", NULL), -1);
	cr_assert(strstr(err, "job.conf:1:12:"), "%s", err);
	config_clear(&c);
	cr_assert_eq(load("model =\n", NULL), -1);
	cr_assert(strstr(err, "'model' has no value"), "%s", err);
}

Test(config, names_that_would_break_sql_are_refused)
{
	cr_assert_eq(load("table = drop table\n", NULL), -1);
	cr_assert(strstr(err, "not a plain SQL name"), "%s", err);
	config_clear(&c);
	cr_assert_eq(load("outputs = run_date\n", NULL), -1);
	config_clear(&c);
	cr_assert_eq(load("outputs = score,score\n", NULL), -1);
	cr_assert(strstr(err, "given twice"), "%s", err);
	config_clear(&c);
	cr_assert_eq(load("key_column = id\nfeatures = id,a\n", NULL), -1);
	cr_assert(strstr(err, "both the key column and a feature"), "%s", err);
	cr_assert(config_is_identifier("demand_units"));
	cr_assert(!config_is_identifier("9lives"));
	cr_assert(!config_is_identifier("a\"b"));
	cr_assert(!config_is_identifier(""));
}

Test(config, missing_file)
{
	cr_assert_eq(config_defaults(&c), 0);
	cr_assert_eq(config_load(&c, "/nonexistent/job.conf", err, sizeof err), -1);
	cr_assert(strstr(err, "/nonexistent/job.conf: cannot open"), "%s", err);
}
