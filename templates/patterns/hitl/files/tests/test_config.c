/* test_config.c - routing.conf: defaults, values, and errors with their
 * line and column. */
#include <criterion/criterion.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "testutil.h"

static char *dir;

static void setup(void)
{
	dir = tu_tempdir();
}

static void teardown(void)
{
	tu_rmtree(dir);
	free(dir);
}

TestSuite(config, .init = setup, .fini = teardown);

static int load(hitl_config *c, const char *text, char *err, size_t errlen)
{
	char *path = tu_path(dir, "routing.conf");
	tu_write_file(path, text);
	hitl_config_defaults(c);
	int rc = hitl_config_load(c, path, err, errlen);
	free(path);
	return rc;
}

Test(config, reads_every_key_and_resolves_paths_against_the_file)
{
	hitl_config c;
	char err[512] = "";
	int rc = load(&c,
		      "# comment\n"
		      "db = var/x.db\n"
		      "model = /abs/model.safetensors\n"
		      "  port = 9000   # trailing comment\n"
		      "confidence_threshold = 0.75\n"
		      "blind_first = false\n"
		      "review_sla_hours = 8\n"
		      "audit_rate = 0.1\n"
		      "labels = reject, accept, escalate\n"
		      "auto_labels = accept\n"
		      "features = a, b\n"
		      "baseline = 1.5, -2\n"
		      "top_features = 2\n",
		      err, sizeof err);
	cr_assert_eq(rc, 0, "%s", err);
	char want[1100];
	snprintf(want, sizeof want, "%s/var/x.db", dir);
	cr_assert_str_eq(c.db, want);
	cr_assert_str_eq(c.model, "/abs/model.safetensors");
	cr_assert_eq(c.port, 9000);
	cr_assert_float_eq(c.confidence_threshold, 0.75, 1e-12);
	cr_assert(!c.blind_first);
	cr_assert_eq(c.review_sla_hours, 8);
	cr_assert_float_eq(c.audit_rate, 0.1, 1e-12);
	cr_assert_eq(c.n_labels, 3);
	cr_assert_str_eq(c.labels[2], "escalate");
	cr_assert(hitl_config_automatable(&c, "accept"));
	cr_assert(!hitl_config_automatable(&c, "reject"));
	cr_assert_eq(c.n_features, 2);
	cr_assert_str_eq(c.features[1], "b");
	cr_assert_eq(c.n_baseline, 2);
	cr_assert_float_eq(c.baseline[1], -2.0, 1e-12);
	cr_assert_eq(c.top_features, 2);
	cr_assert_eq(hitl_config_label_index(&c, "accept"), 1);
	cr_assert_eq(hitl_config_label_index(&c, "nope"), -1);
}

Test(config, defaults_are_the_documented_ones)
{
	hitl_config c;
	hitl_config_defaults(&c);
	cr_assert_float_eq(c.confidence_threshold, 0.9, 1e-12);
	cr_assert(c.blind_first);
	cr_assert_eq(c.n_labels, 2);
	cr_assert(hitl_config_automatable(&c, "deny"), "no auto_labels: every label may be automated");
}

Test(config, threshold_outside_half_to_one_is_refused_with_position)
{
	hitl_config c;
	char err[512] = "";
	cr_assert_eq(load(&c, "port = 80\n\nconfidence_threshold = 0.4\n", err, sizeof err), -1);
	/* line 3; the value starts at column 24 */
	cr_assert(strstr(err, "routing.conf:3:24: confidence_threshold"), "%s", err);
	cr_assert_eq(load(&c, "confidence_threshold = 1.01\n", err, sizeof err), -1);
	cr_assert_eq(load(&c, "confidence_threshold = 0.9x\n", err, sizeof err), -1);
	cr_assert_eq(load(&c, "confidence_threshold = 1.0\n", err, sizeof err), 0, "%s", err);
	cr_assert_eq(load(&c, "confidence_threshold = 0.5\n", err, sizeof err), 0, "%s", err);
}

Test(config, unknown_key_points_at_the_key)
{
	hitl_config c;
	char err[512] = "";
	cr_assert_eq(load(&c, "\n   treshold = 0.9\n", err, sizeof err), -1);
	cr_assert(strstr(err, "routing.conf:2:4: unknown key 'treshold'"), "%s", err);
}

Test(config, malformed_lines_and_values)
{
	hitl_config c;
	char err[512] = "";
	cr_assert_eq(load(&c, "port\n", err, sizeof err), -1);
	cr_assert(strstr(err, ":1:1: expected 'key = value'"), "%s", err);
	cr_assert_eq(load(&c, "port = 70000\n", err, sizeof err), -1);
	cr_assert_eq(load(&c, "blind_first = maybe\n", err, sizeof err), -1);
	cr_assert(strstr(err, "expected true or false"), "%s", err);
	cr_assert_eq(load(&c, "labels = approve\n", err, sizeof err), -1, "one label is not a decision");
	cr_assert_eq(load(&c, "labels = a, a\n", err, sizeof err), -1);
	cr_assert(strstr(err, "appears twice"), "%s", err);
	cr_assert_eq(load(&c, "labels = a,,b\n", err, sizeof err), -1);
	cr_assert_eq(load(&c, "labels = a b, c\n", err, sizeof err), -1);
	cr_assert_eq(load(&c, "review_sla_hours = 0\n", err, sizeof err), -1);
	cr_assert_eq(load(&c, "audit_rate = -0.1\n", err, sizeof err), -1);
	cr_assert_eq(load(&c, "baseline = 1, x\n", err, sizeof err), -1);
	cr_assert_eq(load(&c, "listen = localhost\n", err, sizeof err), -1);
	cr_assert_eq(load(&c, "top_features = 9\n", err, sizeof err), -1);
}

Test(config, feature_ranges_come_in_pairs)
{
	hitl_config c;
	char err[512] = "";
	cr_assert_eq(load(&c, "feature_min = 0, 0\nfeature_max = 1\n", err, sizeof err), -1);
	cr_assert(strstr(err, "feature_min has 2 values and feature_max 1"), "%s", err);
	cr_assert_eq(load(&c, "feature_min = 0, 5\nfeature_max = 1, 4\n", err, sizeof err), -1);
	cr_assert(strstr(err, "feature 2: feature_min 5 is above feature_max 4"), "%s", err);
	cr_assert_eq(load(&c, "feature_min = 0, -5\nfeature_max = 1, 4\n", err, sizeof err), 0, "%s", err);
	cr_assert_eq(c.n_min, 2);
	cr_assert_float_eq(c.feature_min[1], -5.0, 1e-12);
}

Test(config, auto_labels_must_be_labels)
{
	hitl_config c;
	char err[512] = "";
	cr_assert_eq(load(&c, "labels = deny, approve\nauto_labels = aprove\n", err, sizeof err), -1);
	cr_assert(strstr(err, "'aprove' is not one of the labels"), "%s", err);
	/* the order of the keys does not matter */
	cr_assert_eq(load(&c, "auto_labels = ok\nlabels = no, ok\n", err, sizeof err), 0, "%s", err);
}

Test(config, missing_file_is_an_error)
{
	hitl_config c;
	char err[512] = "";
	hitl_config_defaults(&c);
	cr_assert_eq(hitl_config_load(&c, "/nonexistent/routing.conf", err, sizeof err), -1);
	cr_assert(strstr(err, "cannot open"), "%s", err);
}

Test(config, the_shipped_configuration_loads)
{
	hitl_config c;
	char err[512] = "";
	hitl_config_defaults(&c);
	cr_assert_eq(hitl_config_load(&c, PROJECT_DIR "/routing.conf", err, sizeof err), 0, "%s", err);
	cr_assert(c.confidence_threshold >= 0.5 && c.confidence_threshold <= 1.0);
	cr_assert_eq(c.n_baseline, 8);
}
