/* host.c - an example host application of lib{{project_name}}.
 *
 * Reads CSV rows (a file argument, or standard input), finds the model's
 * features by the header's column names (any order, extra columns
 * ignored), scores each row with {{project_name}}_predict and prints the
 * score. It shows the host side of monitoring: a telemetry callback
 * aggregates the mean score, and at the end the host prints the call count
 * and the score histogram, the drift signals it would ship home when it
 * next has a network.
 *
 * Usage: host [FILE.csv] [--quiet]
 */
#include "{{project_name}}.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_COLS 256

struct aggregate {
	double score_sum;
	unsigned long finite;
};

static void on_call(const {{project_name}}_telemetry *t, float score, void *ctx)
{
	struct aggregate *a = ctx;
	(void)t;
	if (score == score) {
		a->score_sum += score;
		a->finite++;
	}
}

/* Splits line at commas in place; returns the number of fields. */
static int split(char *line, char **fields, int max)
{
	int n = 0;
	line[strcspn(line, "\r\n")] = 0;
	for (char *p = line; n < max;) {
		fields[n++] = p;
		char *c = strchr(p, ',');
		if (!c)
			break;
		*c = 0;
		p = c + 1;
	}
	return n;
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	int quiet = 0;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quiet"))
			quiet = 1;
		else if (!path)
			path = argv[i];
		else {
			fprintf(stderr, "usage: host [FILE.csv] [--quiet]\n");
			return 2;
		}
	}
	FILE *in = path ? fopen(path, "r") : stdin;
	if (!in) {
		perror(path);
		return 4;
	}

	printf("model %s sha256 %.12s... (%s weights, %zu bytes)\n", {{project_upper}}_MODEL_VERSION,
	       {{project_upper}}_MODEL_SHA256, {{project_name}}_quantized() ? "int8" : "float32",
	       {{project_name}}_weight_bytes());

	/* column of each feature, from the header */
	char line[8192], names[] = {{project_upper}}_FEATURES;
	char *fields[MAX_COLS], *feat[{{project_upper}}_INPUTS];
	int col[{{project_upper}}_INPUTS];
	if (split(names, feat, {{project_upper}}_INPUTS) != {{project_upper}}_INPUTS || !fgets(line, sizeof line, in)) {
		fprintf(stderr, "host: no header line\n");
		return 3;
	}
	int ncols = split(line, fields, MAX_COLS);
	for (int f = 0; f < {{project_upper}}_INPUTS; f++) {
		col[f] = -1;
		for (int c = 0; c < ncols; c++)
			if (!strcmp(fields[c], feat[f]))
				col[f] = c;
		if (col[f] < 0) {
			fprintf(stderr, "host: the header has no column '%s'\n", feat[f]);
			return 3;
		}
	}

	struct aggregate agg = { 0.0, 0 };
	{{project_name}}_telemetry_reset();
	{{project_name}}_set_telemetry(on_call, &agg);
	unsigned long lineno = 1, rows = 0, bad = 0;
	while (fgets(line, sizeof line, in)) {
		lineno++;
		if (line[0] == '\n' || line[0] == '\r')
			continue;
		int n = split(line, fields, MAX_COLS);
		float x[{{project_upper}}_INPUTS], y[{{project_upper}}_OUTPUTS];
		int ok = 1;
		for (int f = 0; f < {{project_upper}}_INPUTS && ok; f++) {
			char *end;
			if (col[f] >= n) {
				ok = 0;
				break;
			}
			x[f] = strtof(fields[col[f]], &end);
			ok = end != fields[col[f]] && *end == 0;
		}
		if (!ok) {
			fprintf(stderr, "%s:%lu: not a row of %d numbers\n", path ? path : "<stdin>", lineno,
				{{project_upper}}_INPUTS);
			bad++;
			continue;
		}
		rows++;
		int rc = {{project_name}}_predict(x, y);
		if (!quiet)
			printf("%lu\t%.6f%s\n", rows, (double)y[0], rc ? "\t(not finite)" : "");
	}
	if (path)
		fclose(in);
	{{project_name}}_set_telemetry(NULL, NULL);

	{{project_name}}_telemetry t;
	{{project_name}}_telemetry_get(&t);
	printf("rows: %lu (calls %llu, non-finite %llu, skipped %lu), mean score %.4f\n", rows, t.calls,
	       t.nonfinite, bad, agg.finite ? agg.score_sum / (double)agg.finite : 0.0);
	printf("score histogram:\n");
	for (int b = 0; b < {{project_upper}}_HIST_BINS; b++)
		printf("  [%.3f, %.3f) %llu\n", (double)b / {{project_upper}}_HIST_BINS,
		       (double)(b + 1) / {{project_upper}}_HIST_BINS, t.histogram[b]);
	return bad ? 3 : 0;
}
