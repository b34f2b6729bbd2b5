/* test_profile.c - the device profile file and its validation. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "profile.h"
#include "testutil.h"

static void write_conf(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert(f);
	fputs(text, f);
	fclose(f);
}

Test(profile, reads_values_over_defaults)
{
	char dir[256], path[512], err[256] = "";
	profile p;
	tu_device(dir, &p);
	snprintf(path, sizeof path, "%s/d.conf", dir);
	write_conf(path, "# comment\ndevice_id = cam-12\n device_class=vehicle  # inline\nmemory_mb = 2048\n"
			 "cpu_cores=8\nsync_url = https://fleet.example/v1/results\nthreshold = 0.7\n");
	cr_assert_eq(profile_load(&p, path, err, sizeof err), 0, "%s", err);
	cr_assert_str_eq(p.device_id, "cam-12");
	cr_assert_str_eq(p.device_class, "vehicle");
	cr_assert_eq(p.memory_mb, 2048);
	cr_assert_eq(p.cpu_cores, 8);
	cr_assert_str_eq(p.sync_url, "https://fleet.example/v1/results");
	cr_assert_float_eq(p.threshold, 0.7, 1e-12);
}

Test(profile, bad_lines_name_their_line)
{
	char dir[256], path[512], err[256];
	profile p;
	tu_device(dir, &p);
	snprintf(path, sizeof path, "%s/d.conf", dir);
	const char *cases[][2] = {
		{"memory_mb = 0\n", ":1: invalid value '0' for memory_mb"},
		{"\n\nsync_url = ftp://x\n", ":3: invalid value"},
		{"device_id = a b\n", ":1: invalid value"},
		{"cpu_core = 2\n", ":1: unknown key 'cpu_core'"},
		{"threshold = 1.5\n", ":1: invalid value"},
		{"just words\n", ":1: expected key = value"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		write_conf(path, cases[i][0]);
		err[0] = '\0';
		cr_assert_eq(profile_load(&p, path, err, sizeof err), -1, "case %zu", i);
		cr_assert(strstr(err, cases[i][1]), "case %zu: %s", i, err);
	}
	cr_assert_eq(profile_set(&p, "max_backoff_s=30", err, sizeof err), 0);
	cr_assert_eq(p.max_backoff_s, 30);
	cr_assert_eq(profile_set(&p, "max_backoff_s", err, sizeof err), -1);
}
