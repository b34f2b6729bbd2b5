/* main.c - the command line: the service (serve, route) and the reviewer
 * interface (list, show, claim, release, judge, decide), plus report,
 * export and threshold.
 *
 * Design: every command is a thin shell over service.c, the same calls the
 * HTTP API makes, so the two interfaces cannot drift apart (blind first is
 * enforced for both by hitl_service_model_visible). Exit codes: 0 done,
 * 1 refused (conflict, judgment required, no threshold meets the target),
 * 2 usage, 3 invalid input (configuration, CSV, unknown case, bad label),
 * 4 environment (database, files).
 */
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "csv.h"
#include "export.h"
#include "http.h"
#include "metrics.h"
#include "service.h"
#include "sha256.h"
#include "token.h"
#include "threshold.h"

enum { EXIT_REFUSED = 1, EXIT_USAGE = 2, EXIT_INVALID = 3, EXIT_ENV = 4 };

#ifndef HITL_PROG
#define HITL_PROG "hitl"
#endif
static const char *prog = HITL_PROG;

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s <command> [options]\n"
		"\n"
		"service:\n"
		"  serve                                  run the HTTP API (routing and review)\n"
		"  route FILE.csv                         route the cases in a CSV (external_id + feature columns)\n"
		"  new-token NAME ROLE...                 a random HTTP API token and its routing.conf line\n"
		"                                         (roles: submit, review, supervise, report)\n"
		"  hash-token < TOKEN                     the sha256: digest of a token, for a `token =` line\n"
		"reviewers:\n"
		"  list [--status S] [--limit N]          cases, most urgent first (S: queued, claimed, decided, auto)\n"
		"  show ID                                one case (model output hidden until your judgment when blind)\n"
		"  claim ID --reviewer NAME               take a case; nobody else can while you hold it\n"
		"  release ID --reviewer NAME [--force]   give it back to the queue\n"
		"  judge ID --reviewer NAME --judgment L  record your own first judgment (blind first)\n"
		"  decide ID --reviewer NAME --decision L --reason TEXT\n"
		"operations:\n"
		"  report                                 automation rate, override rate, agreement (kappa)\n"
		"  export [--out FILE] [--force]          feedback as CSV for retraining (default: stdout)\n"
		"  threshold [--review-load F] [--max-error F] [--min-support N] [--csv FILE] [--curve]\n"
		"                                         recommend a confidence threshold from the feedback\n"
		"\n"
		"common options: --config FILE (default $HITL_CONFIG or routing.conf), --set KEY=VALUE,\n"
		"                --format text|json, --help\n"
		"exit codes: 0 done, 1 refused, 2 usage, 3 invalid input, 4 environment\n",
		prog);
}

/* ---- options ------------------------------------------------------------ */

typedef struct {
	const char *config;
	const char *sets[32];
	int n_sets;
	const char *format;
	const char *status, *limit, *reviewer, *judgment, *decision, *reason, *out, *csv;
	const char *review_load, *max_error, *min_support;
	bool force, curve;
	const char *pos[4];
	int n_pos;
} options;

static int parse_options(options *o, int argc, char **argv)
{
	memset(o, 0, sizeof *o);
	o->format = "text";
	static const struct {
		const char *name;
		size_t off;
	} valued[] = {
		{ "config", offsetof(options, config) },	   { "format", offsetof(options, format) },
		{ "status", offsetof(options, status) },	   { "limit", offsetof(options, limit) },
		{ "reviewer", offsetof(options, reviewer) },	   { "judgment", offsetof(options, judgment) },
		{ "decision", offsetof(options, decision) },	   { "reason", offsetof(options, reason) },
		{ "out", offsetof(options, out) },		   { "csv", offsetof(options, csv) },
		{ "review-load", offsetof(options, review_load) }, { "max-error", offsetof(options, max_error) },
		{ "min-support", offsetof(options, min_support) },
	};
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (strncmp(a, "--", 2) || !a[2]) {
			if (o->n_pos == 4) {
				fprintf(stderr, "%s: too many arguments\n", prog);
				return -1;
			}
			o->pos[o->n_pos++] = a;
			continue;
		}
		const char *name = a + 2;
		const char *eq = strchr(name, '=');
		size_t len = eq ? (size_t)(eq - name) : strlen(name);
		if (len == 5 && !strncmp(name, "force", 5) && !eq) {
			o->force = true;
			continue;
		}
		if (len == 5 && !strncmp(name, "curve", 5) && !eq) {
			o->curve = true;
			continue;
		}
		if (len == 4 && !strncmp(name, "help", 4)) {
			usage(stdout);
			exit(0);
		}
		const char *value = eq ? eq + 1 : (i + 1 < argc ? argv[i + 1] : NULL);
		if (!value) {
			fprintf(stderr, "%s: --%.*s needs a value\n", prog, (int)len, name);
			return -1;
		}
		if (len == 3 && !strncmp(name, "set", 3)) {
			if (o->n_sets == 32) {
				fprintf(stderr, "%s: at most 32 --set options\n", prog);
				return -1;
			}
			o->sets[o->n_sets++] = value;
			if (!eq)
				i++;
			continue;
		}
		bool known = false;
		for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++)
			if (strlen(valued[k].name) == len && !strncmp(valued[k].name, name, len)) {
				*(const char **)((char *)o + valued[k].off) = value;
				known = true;
			}
		if (!known) {
			fprintf(stderr, "%s: unknown option --%.*s (see --help)\n", prog, (int)len, name);
			return -1;
		}
		if (!eq)
			i++;
	}
	if (strcmp(o->format, "text") && strcmp(o->format, "json")) {
		fprintf(stderr, "%s: --format is text or json\n", prog);
		return -1;
	}
	return 0;
}

static int load_config(hitl_config *c, const options *o)
{
	hitl_config_defaults(c);
	const char *path = o->config ? o->config : getenv("HITL_CONFIG");
	if (!path)
		path = "routing.conf";
	char err[1024];
	if (hitl_config_load(c, path, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_INVALID;
	}
	for (int i = 0; i < o->n_sets; i++) {
		char key[64];
		const char *eq = strchr(o->sets[i], '=');
		if (!eq || eq == o->sets[i] || (size_t)(eq - o->sets[i]) >= sizeof key) {
			fprintf(stderr, "%s: --set expects KEY=VALUE, got '%s'\n", prog, o->sets[i]);
			return EXIT_USAGE;
		}
		snprintf(key, sizeof key, "%.*s", (int)(eq - o->sets[i]), o->sets[i]);
		if (hitl_config_set(c, key, eq + 1, NULL, err, sizeof err) < 0) {
			fprintf(stderr, "--set %s: %s\n", o->sets[i], err);
			return EXIT_INVALID;
		}
	}
	return 0;
}

static int open_service(hitl_service **s, const options *o)
{
	hitl_config c;
	int rc = load_config(&c, o);
	if (rc)
		return rc;
	char err[1024];
	if (hitl_service_open(s, &c, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		return EXIT_ENV;
	}
	return 0;
}

static int exit_of(int status)
{
	switch (status) {
	case HITL_OK: return 0;
	case HITL_ECONFLICT:
	case HITL_EJUDGMENT: return EXIT_REFUSED;
	case HITL_ENOTFOUND:
	case HITL_EINVALID: return EXIT_INVALID;
	default: return EXIT_ENV;
	}
}

static int parse_id(const char *s, int64_t *id)
{
	char *end;
	errno = 0;
	long long v = s ? strtoll(s, &end, 10) : 0;
	if (!s || end == s || *end || errno || v <= 0) {
		fprintf(stderr, "%s: expected a case id (a positive integer), got '%s'\n", prog, s ? s : "");
		return -1;
	}
	*id = v;
	return 0;
}

static int parse_fraction(const char *s, const char *what, double *out)
{
	char *end;
	double v = strtod(s, &end);
	if (end == s || (*end && strcmp(end, "%")) || !isfinite(v)) {
		fprintf(stderr, "%s: %s: expected a fraction (0.2) or a percentage (20%%)\n", prog, what);
		return -1;
	}
	if (*end == '%')
		v /= 100;
	if (v < 0 || v > 1) {
		fprintf(stderr, "%s: %s: must be from 0 to 1 (0%% to 100%%)\n", prog, what);
		return -1;
	}
	*out = v;
	return 0;
}

static int print_json(cJSON *o)
{
	char *s = o ? cJSON_Print(o) : NULL;
	cJSON_Delete(o);
	if (!s) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return EXIT_ENV;
	}
	puts(s);
	free(s);
	return 0;
}

/* ---- commands ----------------------------------------------------------- */

static int cmd_serve(const options *o)
{
	hitl_service *s;
	int rc = open_service(&s, o);
	if (rc)
		return rc;
	if (s->cfg.n_tokens == 0) {
		fprintf(stderr,
			"%s: no `token` is configured: nobody could call the API (see `%s new-token NAME ROLE...`)\n",
			prog, prog);
		hitl_service_close(s);
		return EXIT_INVALID;
	}
	/* block the stop signals in every thread (libmicrohttpd's inherit the
	 * mask), then wait for one here */
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	hitl_http *h;
	char err[512];
	if (hitl_http_start(&h, s, s->cfg.listen, s->cfg.port, stderr, err, sizeof err) < 0) {
		fprintf(stderr, "%s\n", err);
		hitl_service_close(s);
		return EXIT_ENV;
	}
	fprintf(stderr, "%s: listening on http://%s:%d (threshold %.3f, blind first %s, model %s %.12s)\n", prog,
		s->cfg.listen, hitl_http_port(h), s->cfg.confidence_threshold, s->cfg.blind_first ? "on" : "off",
		model_version(s->model), model_digest(s->model));
	int sig = 0;
	sigwait(&set, &sig);
	fprintf(stderr, "%s: %s, stopping\n", prog, sig == SIGINT ? "interrupted" : "terminated");
	hitl_http_stop(h);
	hitl_service_close(s);
	return 0;
}

static int cmd_route(const options *o)
{
	if (o->n_pos != 1) {
		fprintf(stderr, "%s: route needs one CSV file\n", prog);
		return EXIT_USAGE;
	}
	const char *path = o->pos[0];
	hitl_service *s;
	int rc = open_service(&s, o);
	if (rc)
		return rc;
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		hitl_service_close(s);
		return EXIT_ENV;
	}
	hitl_csv_record r = { 0 };
	long line = 0;
	char msg[512];
	int cols[HITL_MAX_FEATURES];
	int c_id = -1;
	size_t n_auto = 0, n_queued = 0, n_existed = 0;
	hitl_case *cs = malloc(sizeof *cs);
	if (!cs) {
		rc = EXIT_ENV;
		goto done;
	}
	int got = hitl_csv_read(f, &r, &line, msg, sizeof msg);
	if (got <= 0) {
		fprintf(stderr, "%s:1:1: %s\n", path, got < 0 ? msg : "empty file; expected a header");
		rc = EXIT_INVALID;
		goto done;
	}
	c_id = hitl_csv_column(&r, "external_id");
	if (c_id < 0)
		c_id = hitl_csv_column(&r, "id");
	for (size_t i = 0; i < s->cfg.n_features; i++) {
		cols[i] = hitl_csv_column(&r, s->cfg.features[i]);
		if (cols[i] < 0) {
			fprintf(stderr, "%s:1:1: the header has no column '%s' (features: ", path, s->cfg.features[i]);
			for (size_t k = 0; k < s->cfg.n_features; k++)
				fprintf(stderr, "%s%s", k ? ", " : "", s->cfg.features[k]);
			fprintf(stderr, ")\n");
			rc = EXIT_INVALID;
			goto done;
		}
	}
	size_t width = r.n;
	int64_t now = (int64_t)time(NULL);
	while ((got = hitl_csv_read(f, &r, &line, msg, sizeof msg)) > 0) {
		if (r.n == 1 && !r.field[0][0])
			continue;
		if (r.n != width) {
			fprintf(stderr, "%s:%ld:1: %zu fields, the header has %zu\n", path, r.line, r.n, width);
			rc = EXIT_INVALID;
			goto done;
		}
		double x[HITL_MAX_FEATURES];
		for (size_t i = 0; i < s->cfg.n_features; i++) {
			const char *v = r.field[cols[i]];
			char *end;
			x[i] = strtod(v, &end);
			if (end == v || *end || !isfinite(x[i])) {
				int col = 1;
				for (int k = 0; k < cols[i]; k++)
					col += (int)strlen(r.field[k]) + 1;
				fprintf(stderr, "%s:%ld:%d: %s: '%.40s' is not a number\n", path, r.line, col,
					s->cfg.features[i], v);
				rc = EXIT_INVALID;
				goto done;
			}
		}
		bool existed;
		int st = hitl_service_submit(s, c_id >= 0 ? r.field[c_id] : NULL, x, now, cs, &existed, msg,
					     sizeof msg);
		if (st) {
			fprintf(stderr, "%s:%ld:1: %s\n", path, r.line, msg);
			rc = exit_of(st);
			goto done;
		}
		n_existed += existed;
		if (!strcmp(cs->status, "auto")) {
			n_auto++;
			printf("#%lld %s: %s automatically\n", (long long)cs->id, cs->external_id, cs->decision);
		} else {
			n_queued += strcmp(cs->status, "decided") != 0;
			printf("#%lld %s: %s for review\n", (long long)cs->id, cs->external_id,
			       existed ? cs->status : "queued");
		}
	}
	if (got < 0) {
		fprintf(stderr, "%s:%ld:1: %s\n", path, line + 1, msg);
		rc = EXIT_INVALID;
		goto done;
	}
	fprintf(stderr, "%s: %zu automated, %zu for review%s\n", prog, n_auto, n_queued,
		n_existed ? " (some were already known and left as they were)" : "");
done:
	free(cs);
	hitl_csv_record_free(&r);
	if (f != stdin)
		fclose(f);
	hitl_service_close(s);
	return rc;
}

static void print_case_line(const hitl_service *s, const hitl_case *c, int64_t now)
{
	char due[32] = "-";
	if (c->due_at)
		hitl_format_time(due, c->due_at);
	bool waiting = !strcmp(c->status, "queued") || !strcmp(c->status, "claimed");
	printf("%-6lld %-24.24s %-8s %-20s %-3s %-16.16s", (long long)c->id, c->external_id, c->status, due,
	       waiting && c->due_at < now ? "!" : "", c->claimed_by[0] ? c->claimed_by : "-");
	if (hitl_service_model_visible(s, c))
		printf(" %s %.2f", c->recommendation, c->pred.confidence);
	else
		printf(" (hidden)");
	if (c->decision[0])
		printf(" -> %s", c->decision);
	putchar('\n');
}

static int cmd_list(const options *o)
{
	const char *status = o->status;
	if (status && strcmp(status, "queued") && strcmp(status, "claimed") && strcmp(status, "decided") &&
	    strcmp(status, "auto") && strcmp(status, "all")) {
		fprintf(stderr, "%s: --status: one of queued, claimed, decided, auto, all\n", prog);
		return EXIT_USAGE;
	}
	if (!status)
		status = "queued";
	long limit = 100;
	if (o->limit) {
		char *end;
		limit = strtol(o->limit, &end, 10);
		if (end == o->limit || *end || limit < 1 || limit > 10000) {
			fprintf(stderr, "%s: --limit: an integer from 1 to 10000\n", prog);
			return EXIT_USAGE;
		}
	}
	hitl_service *s;
	int rc = open_service(&s, o);
	if (rc)
		return rc;
	hitl_case *cases;
	size_t n;
	char err[512];
	int st = hitl_store_list(s->store, strcmp(status, "all") ? status : NULL, (size_t)limit, &cases, &n, err,
				 sizeof err);
	if (st) {
		fprintf(stderr, "%s\n", err);
		hitl_service_close(s);
		return exit_of(st);
	}
	int64_t now = (int64_t)time(NULL);
	if (!strcmp(o->format, "json")) {
		cJSON *arr = cJSON_CreateArray();
		for (size_t i = 0; arr && i < n; i++)
			cJSON_AddItemToArray(arr, hitl_service_case_json(s, &cases[i], now, false));
		rc = print_json(arr);
	} else {
		printf("%-6s %-24s %-8s %-20s %-3s %-16s %s\n", "id", "external id", "status", "due", "", "claimed by",
		       "model");
		for (size_t i = 0; i < n; i++)
			print_case_line(s, &cases[i], now);
	}
	free(cases);
	hitl_service_close(s);
	return rc;
}

static void print_case(const hitl_service *s, const hitl_case *c, int64_t now)
{
	char t[32];
	printf("case #%lld  %s\n", (long long)c->id, c->external_id);
	printf("status          %s%s%s\n", c->status, c->claimed_by[0] ? ", claimed by " : "", c->claimed_by);
	hitl_format_time(t, c->created_at);
	printf("received        %s\n", t);
	if (c->due_at) {
		hitl_format_time(t, c->due_at);
		bool waiting = !strcmp(c->status, "queued") || !strcmp(c->status, "claimed");
		printf("due             %s%s\n", t, waiting && c->due_at < now ? "  (OVERDUE)" : "");
	}
	printf("features\n");
	for (size_t i = 0; i < c->n_features && i < s->cfg.n_features; i++) {
		printf("  %-20s %g", s->cfg.features[i], c->features[i]);
		if (i < s->cfg.n_min && (c->features[i] < s->cfg.feature_min[i] || c->features[i] > s->cfg.feature_max[i]))
			printf("   OUTSIDE the training range %g..%g", s->cfg.feature_min[i], s->cfg.feature_max[i]);
		putchar('\n');
	}
	if (c->first_judgment[0])
		printf("first judgment  %s\n", c->first_judgment);
	if (!hitl_service_model_visible(s, c)) {
		printf("model           hidden until you record your own judgment:\n"
		       "                %s judge %lld --reviewer NAME --judgment {", prog, (long long)c->id);
		for (size_t i = 0; i < s->cfg.n_labels; i++)
			printf("%s%s", i ? "|" : "", s->cfg.labels[i]);
		printf("}\n");
	} else {
		printf("model           %s (confidence %.3f, threshold %.3f, route %s)\n", c->recommendation,
		       c->pred.confidence, c->threshold, hitl_route_name(c->route));
		printf("  probabilities ");
		for (size_t i = 0; i < c->pred.n_classes && i < s->cfg.n_labels; i++)
			printf(" %s %.3f", s->cfg.labels[i], c->pred.probs[i]);
		printf("\n  why (occlusion: drop in confidence when the feature is set to its baseline)\n");
		for (size_t i = 0; i < c->pred.n_top; i++) {
			const hitl_contribution *k = &c->pred.top[i];
			printf("    %-20s %-12g %+.3f\n", k->feature < s->cfg.n_features ? s->cfg.features[k->feature] : "?",
			       k->value, k->contribution);
		}
		printf("  model         %s %.12s\n", c->model_version, c->model_digest);
	}
	if (c->decision[0]) {
		hitl_format_time(t, c->decided_at);
		printf("decision        %s by %s at %s\n", c->decision, c->decided_by[0] ? c->decided_by : "the model",
		       t);
		if (c->reason[0])
			printf("reason          %s\n", c->reason);
	}
}

static int cmd_show(const options *o)
{
	int64_t id;
	if (o->n_pos != 1 || parse_id(o->pos[0], &id) < 0)
		return EXIT_USAGE;
	hitl_service *s;
	int rc = open_service(&s, o);
	if (rc)
		return rc;
	hitl_case *c = malloc(sizeof *c);
	char err[512];
	int st = c ? hitl_store_get(s->store, id, c, err, sizeof err) : HITL_EDB;
	if (st) {
		fprintf(stderr, "%s\n", c ? err : "out of memory");
		rc = exit_of(st);
	} else if (!strcmp(o->format, "json")) {
		rc = print_json(hitl_service_case_json(s, c, (int64_t)time(NULL), true));
	} else {
		print_case(s, c, (int64_t)time(NULL));
	}
	free(c);
	hitl_service_close(s);
	return rc;
}

/* claim, release, judge, decide */
static int cmd_review(const char *cmd, const options *o)
{
	int64_t id;
	if (o->n_pos != 1 || parse_id(o->pos[0], &id) < 0)
		return EXIT_USAGE;
	const char *reviewer = o->reviewer ? o->reviewer : getenv("HITL_REVIEWER");
	if (!reviewer) {
		fprintf(stderr, "%s: %s needs --reviewer NAME (or $HITL_REVIEWER)\n", prog, cmd);
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "judge") && !o->judgment) {
		fprintf(stderr, "%s: judge needs --judgment LABEL\n", prog);
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "decide") && (!o->decision || !o->reason)) {
		fprintf(stderr, "%s: decide needs --decision LABEL and --reason TEXT\n", prog);
		return EXIT_USAGE;
	}
	hitl_service *s;
	int rc = open_service(&s, o);
	if (rc)
		return rc;
	char err[512];
	int64_t now = (int64_t)time(NULL);
	int st;
	if (!strcmp(cmd, "claim"))
		st = hitl_service_claim(s, id, reviewer, now, err, sizeof err);
	else if (!strcmp(cmd, "release"))
		st = hitl_service_release(s, id, reviewer, o->force, now, err, sizeof err);
	else if (!strcmp(cmd, "judge"))
		st = hitl_service_judge(s, id, reviewer, o->judgment, now, err, sizeof err);
	else
		st = hitl_service_decide(s, id, reviewer, o->decision, o->reason, now, err, sizeof err);
	if (st) {
		fprintf(stderr, "%s: %s\n", prog, err);
		hitl_service_close(s);
		return exit_of(st);
	}
	hitl_case *c = malloc(sizeof *c);
	if (c && hitl_store_get(s->store, id, c, err, sizeof err) == HITL_OK) {
		if (!strcmp(o->format, "json"))
			rc = print_json(hitl_service_case_json(s, c, now, true));
		else
			print_case(s, c, now);
	}
	free(c);
	hitl_service_close(s);
	return rc;
}

static int cmd_report(const options *o)
{
	hitl_service *s;
	int rc = open_service(&s, o);
	if (rc)
		return rc;
	hitl_report r;
	char err[512];
	int st = hitl_report_compute(&r, s->store, &s->cfg, (int64_t)time(NULL), err, sizeof err);
	if (st) {
		fprintf(stderr, "%s\n", err);
		rc = exit_of(st);
	} else if (!strcmp(o->format, "json")) {
		rc = print_json(hitl_report_json(&r));
	} else {
		hitl_report_print(stdout, &r);
	}
	hitl_service_close(s);
	return rc;
}

static int cmd_export(const options *o)
{
	hitl_service *s;
	int rc = open_service(&s, o);
	if (rc)
		return rc;
	char err[1024];
	size_t rows = 0;
	const char *out = o->out ? o->out : "-";
	int st = hitl_export_file(out, o->force, s->store, &s->cfg, &rows, err, sizeof err);
	if (st) {
		fprintf(stderr, "%s: %s\n", prog, err);
		rc = st == HITL_ECONFLICT ? EXIT_REFUSED : exit_of(st);
	} else if (strcmp(out, "-")) {
		fprintf(stderr, "%s: %zu labelled cases written to %s\n", prog, rows, out);
	}
	hitl_service_close(s);
	return rc;
}

static void print_threshold(const hitl_threshold_point *p)
{
	if (p->review_all)
		printf("review everything");
	else
		printf("%.4f", p->threshold);
}

static int cmd_threshold(const options *o)
{
	hitl_threshold_target t = { -1, -1, 30 };
	if (o->review_load && parse_fraction(o->review_load, "--review-load", &t.max_review_load) < 0)
		return EXIT_USAGE;
	if (o->max_error && parse_fraction(o->max_error, "--max-error", &t.max_error) < 0)
		return EXIT_USAGE;
	if (o->min_support) {
		char *end;
		long v = strtol(o->min_support, &end, 10);
		if (end == o->min_support || *end || v < 1 || v > 1000000) {
			fprintf(stderr, "%s: --min-support: an integer from 1 to 1000000\n", prog);
			return EXIT_USAGE;
		}
		t.min_support = (size_t)v;
	}
	if (t.max_review_load < 0 && t.max_error < 0 && !o->curve) {
		fprintf(stderr, "%s: threshold needs --review-load F, --max-error F (or both), or --curve\n", prog);
		return EXIT_USAGE;
	}
	hitl_labelled *rows = NULL;
	size_t n = 0;
	char err[1024];
	hitl_config cfg;
	int rc = load_config(&cfg, o);
	if (rc)
		return rc;
	double current = NAN, audit = NAN;
	if (o->csv) {
		int st = hitl_labelled_from_csv(&rows, &n, o->csv, &cfg, err, sizeof err);
		if (st) {
			fprintf(stderr, "%s\n", err);
			return exit_of(st);
		}
	} else {
		hitl_service *s;
		if (hitl_service_open(&s, &cfg, err, sizeof err) < 0) {
			fprintf(stderr, "%s\n", err);
			return EXIT_ENV;
		}
		current = cfg.confidence_threshold;
		audit = cfg.audit_rate;
		int st = hitl_labelled_from_store(&rows, &n, s->store, &cfg, err, sizeof err);
		hitl_service_close(s);
		if (st) {
			fprintf(stderr, "%s\n", err);
			return exit_of(st);
		}
	}
	if (n == 0) {
		fprintf(stderr, "%s: no labelled cases yet; decide some reviews first\n", prog);
		free(rows);
		return EXIT_REFUSED;
	}
	if (isfinite(current)) {
		size_t above = 0;
		for (size_t i = 0; i < n; i++)
			above += rows[i].automatable && rows[i].confidence >= current;
		if (above == 0)
			fprintf(stderr,
				"%s: warning: no labels above the current threshold %.3f (audit_rate %.3f): estimates for "
				"higher thresholds rest on no data; raise audit_rate\n",
				prog, current, audit);
	}
	bool json = !strcmp(o->format, "json");
	cJSON *doc = json ? cJSON_CreateObject() : NULL;
	if (o->curve) {
		hitl_threshold_point *pts;
		size_t np;
		if (hitl_threshold_curve(&pts, &np, rows, n) < 0) {
			fprintf(stderr, "%s: bad labelled rows\n", prog);
			free(rows);
			cJSON_Delete(doc);
			return EXIT_INVALID;
		}
		cJSON *arr = doc ? cJSON_AddArrayToObject(doc, "curve") : NULL;
		if (!json)
			printf("%-18s %12s %12s %10s\n", "threshold", "review load", "auto error", "automated");
		for (size_t i = 0; i < np; i++) {
			if (json) {
				cJSON *e = cJSON_CreateObject();
				if (pts[i].review_all)
					cJSON_AddNullToObject(e, "threshold");
				else
					cJSON_AddNumberToObject(e, "threshold", pts[i].threshold);
				cJSON_AddNumberToObject(e, "review_load", pts[i].review_load);
				cJSON_AddNumberToObject(e, "auto_error", pts[i].auto_error);
				cJSON_AddNumberToObject(e, "n_auto", (double)pts[i].n_auto);
				cJSON_AddItemToArray(arr, e);
			} else {
				if (pts[i].review_all)
					printf("%-18s", "review everything");
				else
					printf("%-18.4f", pts[i].threshold);
				printf(" %11.1f%% %11.2f%% %10zu\n", 100 * pts[i].review_load, 100 * pts[i].auto_error,
				       pts[i].n_auto);
			}
		}
		free(pts);
	}
	if (t.max_review_load >= 0 || t.max_error >= 0) {
		hitl_threshold_point p;
		int st = hitl_threshold_recommend(&p, rows, n, &t, err, sizeof err);
		if (st < 0) {
			fprintf(stderr, "%s: %s\n", prog, err);
			free(rows);
			cJSON_Delete(doc);
			return EXIT_INVALID;
		}
		if (json) {
			cJSON *r = cJSON_AddObjectToObject(doc, "recommendation");
			cJSON_AddBoolToObject(r, "met", st == 0);
			if (p.review_all)
				cJSON_AddNullToObject(r, "threshold");
			else
				cJSON_AddNumberToObject(r, "threshold", p.threshold);
			cJSON_AddBoolToObject(r, "review_all", p.review_all);
			cJSON_AddNumberToObject(r, "review_load", p.review_load);
			cJSON_AddNumberToObject(r, "auto_error", p.auto_error);
			cJSON_AddNumberToObject(r, "n_auto", (double)p.n_auto);
			cJSON_AddNumberToObject(r, "n_labelled", (double)n);
		} else if (st == 0) {
			printf("recommended confidence_threshold = ");
			print_threshold(&p);
			printf("\n  expected review load %.1f%%, error among automated decisions %.2f%% (%zu of %zu "
			       "labelled cases automated)\n",
			       100 * p.review_load, 100 * p.auto_error, p.n_auto, n);
		} else {
			printf("no threshold meets the target with at least %zu labelled automated cases: keep "
			       "reviewing everything\n",
			       t.min_support);
		}
		rc = st == 0 ? 0 : EXIT_REFUSED;
	}
	if (json)
		rc = print_json(doc) ? EXIT_ENV : rc;
	free(rows);
	return rc;
}

static int cmd_hash_token(void)
{
	char digest[TOKEN_TEXT_LEN];
	const char *why;
	if (token_hash_input(stdin, digest, &why) != 0) {
		fprintf(stderr, "%s: hash-token: %s\n", prog, why);
		return EXIT_USAGE;
	}
	printf("%s\n", digest);
	return 0;
}

static int cmd_new_token(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s new-token NAME ROLE... (roles: submit, review, supervise, report)\n", prog);
		return EXIT_USAGE;
	}
	char token[65], hash[TOKEN_TEXT_LEN];
	if (token_new(token, hash) != 0) {
		fprintf(stderr, "%s: new-token: cannot read /dev/urandom\n", prog);
		return EXIT_ENV;
	}
	char value[1024];
	int n = snprintf(value, sizeof value, "%s %s", argv[0], hash);
	for (int i = 1; i < argc && n > 0 && (size_t)n < sizeof value; i++)
		n += snprintf(value + n, sizeof value - (size_t)n, " %s", argv[i]);
	if (n < 0 || (size_t)n >= sizeof value) {
		fprintf(stderr, "%s: new-token: arguments too long\n", prog);
		return EXIT_USAGE;
	}
	/* check the line with the real parser, so a bad name or role is caught now */
	hitl_config *c = malloc(sizeof *c);
	if (!c)
		return EXIT_ENV;
	hitl_config_defaults(c);
	char err[512];
	int rc = hitl_config_add_token(c, value, err, sizeof err);
	free(c);
	if (rc < 0) {
		fprintf(stderr, "%s: new-token: %s\n", prog, err);
		return EXIT_USAGE;
	}
	printf("%s\ntoken = %s\n", token, value);
	fprintf(stderr, "first line: the token, to give to its holder once (it is stored nowhere);\n"
			"second line: add it to routing.conf, then restart the service\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "hash-token"))
		return argc == 2 ? cmd_hash_token() : (usage(stderr), EXIT_USAGE);
	if (!strcmp(cmd, "new-token"))
		return cmd_new_token(argc - 2, argv + 2);
	options o;
	if (parse_options(&o, argc - 2, argv + 2) < 0)
		return EXIT_USAGE;
	bool takes_id = !strcmp(cmd, "show") || !strcmp(cmd, "claim") || !strcmp(cmd, "release") ||
			!strcmp(cmd, "judge") || !strcmp(cmd, "decide");
	if (!takes_id && strcmp(cmd, "route") && o.n_pos) {
		fprintf(stderr, "%s: %s takes no argument '%s'\n", prog, cmd, o.pos[0]);
		return EXIT_USAGE;
	}
	if (!strcmp(cmd, "serve"))
		return cmd_serve(&o);
	if (!strcmp(cmd, "route"))
		return cmd_route(&o);
	if (!strcmp(cmd, "list"))
		return cmd_list(&o);
	if (!strcmp(cmd, "show"))
		return cmd_show(&o);
	if (takes_id)
		return cmd_review(cmd, &o);
	if (!strcmp(cmd, "report"))
		return cmd_report(&o);
	if (!strcmp(cmd, "export"))
		return cmd_export(&o);
	if (!strcmp(cmd, "threshold"))
		return cmd_threshold(&o);
	fprintf(stderr, "%s: unknown command '%s' (see --help)\n", prog, cmd);
	return EXIT_USAGE;
}
